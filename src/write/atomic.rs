//! Outputs are written to a temporary file beside their final path and
//! renamed into place, so a crash or a full disk never leaves a half-written
//! file that looks complete.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::error::Error;

pub struct AtomicFile {
    path: PathBuf,
    temporary: PathBuf,
    writer: Option<BufWriter<File>>,
}

impl AtomicFile {
    pub fn create(path: &Path) -> Result<AtomicFile, Error> {
        let file_name = path.file_name().map_or_else(|| "output".into(), |n| n.to_string_lossy().into_owned());
        let temporary = path.with_file_name(format!(".{file_name}.{}.tmp", std::process::id()));
        let file = File::create(&temporary).map_err(|e| Error::WriteOutput { path: temporary.clone(), source: e })?;
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
