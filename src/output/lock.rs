//! One run at a time per output folder. The lock is a file beside the
//! folder (`.NAME.lock`: the folder itself is swapped as a whole), held with
//! the operating system's advisory lock, which a killed process loses at
//! once; the file also says who holds it, the process and when it started,
//! so a second run can say which run is in its way. A lock file left by a
//! run that died is taken over with a warning.

use std::fs::File;
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

use crate::error::Error;

pub struct OutputLock {
    path: PathBuf,
    file: Option<File>,
}

/// What the lock file of an earlier run said.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Holder {
    pub pid: String,
    pub started: String,
}

impl Holder {
    fn parse(text: &str) -> Option<Holder> {
        let mut pid = None;
        let mut started = None;
        for line in text.lines() {
            match line.split_once(' ') {
                Some(("pid", value)) => pid = Some(value.trim().to_string()),
                Some(("started", value)) => started = Some(value.trim().to_string()),
                _ => {}
            }
        }
        // A holder's own words only: digits and a timestamp, never
        // anything a message could not show.
        let pid = pid.filter(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))?;
        let started = started.filter(|s| s.bytes().all(|b| b.is_ascii_graphic()))?;
        Some(Holder { pid, started })
    }
}

/// The lock file of output folder `out`.
pub fn lock_path(out: &Path) -> PathBuf {
    let name = out.file_name().map_or_else(|| "out".into(), |n| n.to_string_lossy().into_owned());
    out.with_file_name(format!(".{name}.lock"))
}

impl OutputLock {
    /// Takes the lock of `out`. Returns the lock and, when a run that died
    /// left its lock file, who that was.
    pub fn acquire(out: &Path) -> Result<(OutputLock, Option<Holder>), Error> {
        let path = lock_path(out);
        let error = |e: std::io::Error| Error::WriteOutput { path: path.clone(), source: e };
        loop {
            let mut options = std::fs::OpenOptions::new();
            options.read(true).write(true).create(true).truncate(false);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let mut file = options.open(&path).map_err(error)?;
            match file.try_lock() {
                Ok(()) => {}
                Err(std::fs::TryLockError::WouldBlock) => {
                    let mut text = String::new();
                    let _ = file.read_to_string(&mut text);
                    return Err(Error::OutputLocked { out: out.to_path_buf(), holder: Holder::parse(&text) });
                }
                Err(std::fs::TryLockError::Error(e)) => return Err(error(e)),
            }
            // The holder before us removes the file while it holds the lock;
            // if it did so after we opened it, our lock is on a file no
            // one else will see: open the path again.
            if !same_file(&file, &path) {
                continue;
            }
            let mut text = String::new();
            file.read_to_string(&mut text).map_err(error)?;
            let stale = if text.trim().is_empty() { None } else { Holder::parse(&text) };
            file.set_len(0).map_err(error)?;
            file.rewind().map_err(error)?;
            let started = crate::clock::utc_timestamp(crate::clock::unix_seconds());
            write!(file, "pid {}\nstarted {started}\n", std::process::id()).map_err(error)?;
            file.sync_all().map_err(error)?;
            return Ok((OutputLock { path, file: Some(file) }, stale));
        }
    }
}

fn same_file(file: &File, path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        match (file.metadata(), std::fs::metadata(path)) {
            (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = (file, path);
        true
    }
}

impl Drop for OutputLock {
    fn drop(&mut self) {
        // Removed while still held, so no one takes a lock on a file that
        // is about to disappear without seeing it go (see `acquire`).
        let _ = std::fs::remove_file(&self.path);
        drop(self.file.take());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_is_refused_and_a_released_one_is_taken() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let (first, stale) = OutputLock::acquire(&out).unwrap();
        assert_eq!(stale, None);
        match OutputLock::acquire(&out) {
            Err(Error::OutputLocked { holder: Some(holder), .. }) => {
                assert_eq!(holder.pid, std::process::id().to_string())
            }
            other => panic!("{:?}", other.map(|_| ())),
        }
        drop(first);
        assert!(!lock_path(&out).exists());
        let (_again, stale) = OutputLock::acquire(&out).unwrap();
        assert_eq!(stale, None);
    }

    #[test]
    fn a_lock_file_left_by_a_dead_run_is_taken_over_and_named() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        std::fs::write(lock_path(&out), "pid 999999\nstarted 2026-11-30T22:00:00Z\n").unwrap();
        let (_lock, stale) = OutputLock::acquire(&out).unwrap();
        assert_eq!(stale, Some(Holder { pid: "999999".into(), started: "2026-11-30T22:00:00Z".into() }));
    }

    #[test]
    fn a_garbled_lock_file_names_no_one() {
        assert_eq!(Holder::parse("pid Nguyễn\nstarted x\n"), None);
    }
}
