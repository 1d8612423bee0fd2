//! The outputs of a run as one set. Every file is written into a staging
//! folder beside `--out` (`.NAME.staging-PID`), and the folder is swapped in
//! only when every file is complete: on Linux with one atomic exchange of
//! the two folders, elsewhere with two renames that the next run finishes
//! if a kill falls between them. A kill at any instant leaves the previous
//! complete set or the new complete set under `--out`, never a mix; what a
//! dead run left beside it is removed by the next run.
//!
//! Entries of the old folder that are not dancu outputs (a clerk's
//! `decisions.csv`, notes) are carried into the new set, linked or copied.

use std::path::{Path, PathBuf};

use super::atomic::{create_private_dir, is_temporary_name};
use super::lock::OutputLock;
use crate::error::Error;

/// The entries at the top of an output folder that `dancu clean` writes
/// (and those earlier versions wrote: `records.parquet`, `keys.parquet`,
/// `persons.parquet`). Any other entry of a previous set is carried into
/// the next one; these are not, so that no file of an older run sits beside
/// a newer run's.
pub const OUTPUT_ENTRIES: &[&str] = &[
    "records.csv",
    "records",
    "records.parquet",
    "keys.parquet",
    "persons",
    "persons.parquet",
    "issues.csv",
    "duplicates.csv",
    "quarantine.csv",
    "report",
    "manifest.json",
];

/// A run's output folder while the run writes it.
pub struct OutputSet {
    out: PathBuf,
    staging: PathBuf,
    committed: bool,
    _lock: OutputLock,
}

fn io_error(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |source| Error::WriteOutput { path: path.to_path_buf(), source }
}

/// The folder that holds `out` (`.` for a bare name).
fn parent_of(out: &Path) -> PathBuf {
    match out.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

fn folder_name(out: &Path) -> String {
    out.file_name().map_or_else(|| "out".into(), |n| n.to_string_lossy().into_owned())
}

/// `.NAME.staging-PID` or `.NAME.previous-PID` beside `out`.
fn sibling(out: &Path, kind: &str, pid: u32) -> PathBuf {
    parent_of(out).join(format!(".{}.{kind}-{pid}", folder_name(out)))
}

impl OutputSet {
    /// Takes the lock of `out`, clears what dead runs left, and makes an
    /// empty staging folder. Returns the set and the warnings for the
    /// operator (a lock taken over, outputs restored or removed).
    pub fn begin(out: &Path) -> Result<(OutputSet, Vec<String>), Error> {
        if out.file_name().is_none() {
            return Err(Error::Usage(format!(
                "--out {}: name a folder of its own (a run replaces the folder as a whole)",
                crate::message::shown_path(out)
            )));
        }
        if out.exists() && !out.is_dir() {
            return Err(Error::Usage(format!(
                "--out {} is a file, not a folder; name a folder for the outputs",
                crate::message::shown_path(out)
            )));
        }
        let parent = parent_of(out);
        if !parent.exists() {
            create_private_dir(&parent).map_err(io_error(&parent))?;
        }
        let (lock, stale) = OutputLock::acquire(out)?;
        let mut warnings = Vec::new();
        if let Some(holder) = stale {
            warnings.push(format!(
                "took over the lock of {}: the run that held it (process {}, started {}) ended without finishing",
                crate::message::shown_path(out),
                holder.pid,
                holder.started
            ));
        }
        recover(out, &mut warnings)?;
        let staging = sibling(out, "staging", std::process::id());
        create_private_dir(&staging).map_err(io_error(&staging))?;
        Ok((OutputSet { out: out.to_path_buf(), staging, committed: false, _lock: lock }, warnings))
    }

    /// The folder the run writes its files into.
    pub fn path(&self) -> &Path {
        &self.staging
    }

    /// Makes the staged files the output set: carries the previous set's
    /// own entries over, syncs everything to disk, and swaps the folders.
    pub fn commit(mut self) -> Result<(), Error> {
        if self.out.is_dir() {
            carry_over(&self.out, &self.staging)?;
        }
        sync_tree(&self.staging).map_err(io_error(&self.staging))?;
        crate::fault::point("staged");
        swap_in(&self.staging, &self.out).map_err(io_error(&self.out))?;
        self.committed = true;
        if let Ok(parent) = std::fs::File::open(parent_of(&self.out)) {
            let _ = parent.sync_all();
        }
        Ok(())
    }
}

impl Drop for OutputSet {
    fn drop(&mut self) {
        // A run that failed leaves the previous set alone and its own
        // unfinished files nowhere.
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.staging);
        }
    }
}

/// Under the lock, whatever a dead run left is its own: a set it moved
/// aside goes back when `--out` is missing (the run died between its two
/// renames), its staging folders go, and so do temporary files of older
/// versions of dancu inside the set.
fn recover(out: &Path, warnings: &mut Vec<String>) -> Result<(), Error> {
    let parent = parent_of(out);
    let prefix = format!(".{}.", folder_name(out));
    let entries = std::fs::read_dir(&parent).map_err(io_error(&parent))?;
    let mut staging = Vec::new();
    let mut previous = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(rest) = name.strip_prefix(&prefix) else { continue };
        if rest.starts_with("staging-") {
            staging.push(entry.path());
        } else if rest.starts_with("previous-") {
            previous.push(entry.path());
        }
    }
    previous.sort();
    for path in previous {
        if !out.exists() {
            std::fs::rename(&path, out).map_err(io_error(out))?;
            warnings.push(format!(
                "restored the previous outputs of {}, which a run killed while swapping had moved aside",
                crate::message::shown_path(out)
            ));
        } else {
            std::fs::remove_dir_all(&path).map_err(io_error(&path))?;
        }
    }
    for path in staging {
        std::fs::remove_dir_all(&path).map_err(io_error(&path))?;
        warnings.push(format!(
            "removed the unfinished outputs of a run into {} that did not finish",
            crate::message::shown_path(out)
        ));
    }
    if out.is_dir() {
        remove_temporary_files(out)?;
    }
    Ok(())
}

/// Temporary files (`.records.csv.PID.tmp`) that runs of older versions,
/// which wrote straight into the folder, left when killed.
fn remove_temporary_files(folder: &Path) -> Result<(), Error> {
    for entry in std::fs::read_dir(folder).map_err(io_error(folder))?.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if entry.file_type().is_ok_and(|t| t.is_dir()) && name == "report" {
            remove_temporary_files(&path)?;
        } else if is_temporary_name(&name) {
            std::fs::remove_file(&path).map_err(io_error(&path))?;
        }
    }
    Ok(())
}

/// Links (or copies, where linking fails) every entry of `old` that is
/// not a dancu output into `new`.
fn carry_over(old: &Path, new: &Path) -> Result<(), Error> {
    for entry in std::fs::read_dir(old).map_err(io_error(old))?.flatten() {
        let name = entry.file_name();
        let shown = name.to_string_lossy();
        if OUTPUT_ENTRIES.contains(&shown.as_ref()) || is_temporary_name(&shown) || new.join(&name).exists() {
            continue;
        }
        link_or_copy(&entry.path(), &new.join(&name))?;
    }
    Ok(())
}

pub fn link_or_copy(from: &Path, to: &Path) -> Result<(), Error> {
    let metadata = std::fs::symlink_metadata(from).map_err(io_error(from))?;
    if metadata.is_dir() {
        create_private_dir(to).map_err(io_error(to))?;
        for entry in std::fs::read_dir(from).map_err(io_error(from))?.flatten() {
            link_or_copy(&entry.path(), &to.join(entry.file_name()))?;
        }
        return Ok(());
    }
    if metadata.file_type().is_symlink() {
        let target = std::fs::read_link(from).map_err(io_error(from))?;
        #[cfg(unix)]
        return std::os::unix::fs::symlink(target, to).map_err(io_error(to));
        #[cfg(not(unix))]
        return std::fs::copy(target, to).map(|_| ()).map_err(io_error(to));
    }
    if std::fs::hard_link(from, to).is_err() {
        std::fs::copy(from, to).map_err(io_error(to))?;
    }
    Ok(())
}

/// Syncs every file and folder under `root` to disk, so the swap never
/// makes visible a set whose bytes are still in memory.
fn sync_tree(root: &Path) -> std::io::Result<()> {
    for entry in std::fs::read_dir(root)?.flatten() {
        let file_type = entry.file_type()?;
        if file_type.is_dir() {
            sync_tree(&entry.path())?;
        } else if file_type.is_file() {
            std::fs::File::open(entry.path())?.sync_all()?;
        }
    }
    std::fs::File::open(root)?.sync_all()
}

/// Puts `staging` where `out` is. With `out` absent, one rename. Else the
/// folders are exchanged in one step where the system can (Linux), and the
/// old set, now at the staging path, removed; elsewhere `out` is moved
/// aside first, and a kill between the two renames is repaired by the
/// next run ([`recover`]).
fn swap_in(staging: &Path, out: &Path) -> std::io::Result<()> {
    if !out.exists() {
        return std::fs::rename(staging, out);
    }
    if !crate::fault::flag("no-exchange") && exchange(staging, out).is_ok() {
        crate::fault::point("exchanged");
        return std::fs::remove_dir_all(staging);
    }
    let previous = sibling(out, "previous", std::process::id());
    std::fs::rename(out, &previous)?;
    crate::fault::point("moved-aside");
    std::fs::rename(staging, out)?;
    std::fs::remove_dir_all(&previous)
}

#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let a = CString::new(a.as_os_str().as_bytes())?;
    let b = CString::new(b.as_os_str().as_bytes())?;
    // SAFETY: both paths are NUL-terminated and outlive the call.
    let result = unsafe {
        libc::syscall(
            libc::SYS_renameat2,
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if result == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> std::io::Result<()> {
    Err(std::io::Error::from(std::io::ErrorKind::Unsupported))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> =
            std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        names.sort();
        names
    }

    #[test]
    fn a_committed_set_replaces_the_old_one_and_keeps_the_users_files() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        std::fs::create_dir_all(out.join("report")).unwrap();
        std::fs::write(out.join("records.csv"), "old").unwrap();
        std::fs::write(out.join("report/districts.csv"), "old").unwrap();
        std::fs::write(out.join("decisions.csv"), "a,b,same\n").unwrap();
        std::fs::write(out.join(".records.csv.77.tmp"), "partial").unwrap();
        let (set, warnings) = OutputSet::begin(&out).unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        std::fs::write(set.path().join("records.csv"), "new").unwrap();
        set.commit().unwrap();
        assert_eq!(files(&out), ["decisions.csv", "records.csv"]);
        assert_eq!(std::fs::read_to_string(out.join("records.csv")).unwrap(), "new");
        assert_eq!(files(dir.path()), ["out"], "no staging folder, lock or old set is left beside it");
    }

    #[test]
    fn a_set_dropped_before_commit_leaves_the_old_one_whole() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        std::fs::create_dir_all(&out).unwrap();
        std::fs::write(out.join("records.csv"), "old").unwrap();
        let (set, _) = OutputSet::begin(&out).unwrap();
        std::fs::write(set.path().join("records.csv"), "half").unwrap();
        drop(set);
        assert_eq!(std::fs::read_to_string(out.join("records.csv")).unwrap(), "old");
        assert_eq!(files(dir.path()), ["out"]);
    }

    #[test]
    fn what_a_dead_run_left_is_cleared_or_restored() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        // Killed between its two renames: the old set aside, `out` missing,
        // its complete new set still staged.
        let previous = sibling(&out, "previous", 4242);
        std::fs::create_dir_all(&previous).unwrap();
        std::fs::write(previous.join("records.csv"), "old").unwrap();
        let staged = sibling(&out, "staging", 4242);
        std::fs::create_dir_all(&staged).unwrap();
        std::fs::write(staged.join("records.csv"), "new").unwrap();
        let (set, warnings) = OutputSet::begin(&out).unwrap();
        assert_eq!(std::fs::read_to_string(out.join("records.csv")).unwrap(), "old");
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert!(!previous.exists() && !staged.exists());
        drop(set);
    }

    #[test]
    fn a_file_is_not_an_output_folder() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("records.csv");
        std::fs::write(&file, "x").unwrap();
        assert!(matches!(OutputSet::begin(&file), Err(Error::Usage(_))));
    }
}
