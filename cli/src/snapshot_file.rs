//! Reading and writing snapshot files.
//!
//! Writes are atomic: the bytes go to a temporary file in the target's directory, are
//! flushed to disk, and the file is renamed over the target, so a crash or an error never
//! leaves a half-written snapshot behind.

use crate::error::CliError;
use blastgraph_engine::snapshot::{format, Snapshot};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Reads and decodes a snapshot file; every failure names the file.
pub fn load(path: &Path) -> Result<Snapshot, CliError> {
    load_with_version(path).map(|(snapshot, _)| snapshot)
}

/// Reads and decodes a snapshot file, also giving the format version it was written in
/// (older versions are still read, so it is not always the one this build writes).
pub fn load_with_version(path: &Path) -> Result<(Snapshot, u32), CliError> {
    let bytes = fs::read(path).map_err(|e| CliError::bad_file(path, e))?;
    let version = format::version(&bytes).map_err(|e| CliError::bad_file(path, e))?;
    let snapshot = format::decode(&bytes).map_err(|e| CliError::bad_file(path, e))?;
    let issues = snapshot.validate();
    if let Some(first) = issues.first() {
        return Err(CliError::bad_file(
            path,
            format!(
                "snapshot is inconsistent ({} problems), first: {first}",
                issues.len()
            ),
        ));
    }
    Ok((snapshot, version))
}

/// Encodes and writes a snapshot atomically.
pub fn save(path: &Path, snapshot: &Snapshot) -> Result<(), CliError> {
    write_atomically(path, &format::encode(snapshot))
}

/// Writes bytes to `path` through a temporary sibling file and a rename.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), CliError> {
    let temporary = temporary_sibling(path);
    let result = (|| -> std::io::Result<()> {
        let mut file = fs::File::create(&temporary)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        fs::rename(&temporary, path)
    })();
    result.map_err(|e| {
        let _ = fs::remove_file(&temporary);
        CliError::Failure(format!("{}: cannot write: {e}", path.display()))
    })
}

fn temporary_sibling(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "snapshot".into());
    path.with_file_name(format!(".{name}.tmp{}", std::process::id()))
}
