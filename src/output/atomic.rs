//! Outputs are written to a temporary file beside their final path and
//! renamed into place, so a crash or a full disk never leaves a half-written
//! file that looks complete. Files are created owner-only: they hold
//! personal data.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::error::Error;

pub struct AtomicFile {
    path: PathBuf,
    temporary: PathBuf,
    writer: Option<BufWriter<File>>,
}

/// The temporary name of `file_name` while this process writes it.
pub fn temporary_name(file_name: &str) -> String {
    format!(".{file_name}.{}.tmp", std::process::id())
}

/// Whether `file_name` is a temporary file of some run, finished or not.
pub fn is_temporary_name(file_name: &str) -> bool {
    let Some(stem) = file_name.strip_prefix('.').and_then(|n| n.strip_suffix(".tmp")) else {
        return false;
    };
    stem.rsplit_once('.').is_some_and(|(name, pid)| !name.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()))
}

/// Opens a new file for writing, readable and writable by its owner only.
pub fn create_private(path: &Path) -> std::io::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

/// Creates a folder (and its parents) that only its owner may enter.
pub fn create_private_dir(path: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(path)
}

impl AtomicFile {
    pub fn create(path: &Path) -> Result<AtomicFile, Error> {
        let file_name = path.file_name().map_or_else(|| "output".into(), |n| n.to_string_lossy().into_owned());
        let temporary = path.with_file_name(temporary_name(&file_name));
        let file = create_private(&temporary).map_err(|e| Error::WriteOutput { path: temporary.clone(), source: e })?;
        Ok(AtomicFile { path: path.to_path_buf(), temporary, writer: Some(BufWriter::with_capacity(1 << 20, file)) })
    }

    pub fn writer(&mut self) -> &mut BufWriter<File> {
        self.writer.as_mut().expect("an AtomicFile is written only before commit")
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Flushes, syncs and renames the file into place.
    pub fn commit(mut self) -> Result<(), Error> {
        let path = self.path.clone();
        let error = |e: std::io::Error| Error::WriteOutput { path: path.clone(), source: e };
        let writer = self.writer.take().expect("commit is called once");
        let file = writer.into_inner().map_err(|e| error(e.into_error()))?;
        file.sync_all().map_err(error)?;
        drop(file);
        std::fs::rename(&self.temporary, &self.path).map_err(error)
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        // Not committed: remove the partial file. After a commit the
        // temporary path no longer exists and this does nothing.
        let _ = std::fs::remove_file(&self.temporary);
    }
}

/// Writes `bytes` to `path` atomically.
pub fn write_bytes(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let mut file = AtomicFile::create(path)?;
    file.writer().write_all(bytes).map_err(|e| Error::WriteOutput { path: path.to_path_buf(), source: e })?;
    file.commit()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temporary_names_are_recognised() {
        assert!(is_temporary_name(&temporary_name("records.csv")));
        assert!(is_temporary_name(".records.csv.4242.tmp"));
        assert!(!is_temporary_name("records.csv"));
        assert!(!is_temporary_name(".hidden.tmp"));
        assert!(!is_temporary_name(".notes.abc.tmp"));
    }
}
