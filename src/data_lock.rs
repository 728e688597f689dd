//! One process works on a data directory at a time. Two would take each other's queued work
//! (a second `serve` requeues the first one's running uploads as "interrupted"; a command-line
//! ingest claims a running server's uploads) and fight over DuckDB's file locks. The lock is
//! an OS file lock on `<data>/sr360.lock` holding the owner's PID: the kernel drops it when
//! the process ends, however it ends (kill -9 included), so a stale lock cannot outlive it.

use anyhow::Context;
use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::Path;

/// Held for as long as the process works on the directory.
#[derive(Debug)]
pub struct DataDirLock {
    _file: File,
}

pub const LOCK_FILE: &str = "sr360.lock";

/// Take the directory's lock, or say which process holds it.
pub fn lock(dir: &Path) -> anyhow::Result<DataDirLock> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create data directory {}", dir.display()))?;
    let path = dir.join(LOCK_FILE);
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .with_context(|| format!("cannot open {}", path.display()))?;
    match file.try_lock() {
        Ok(()) => {
            file.set_len(0)?;
            file.rewind()?;
            writeln!(file, "{}", std::process::id())?;
            file.sync_all()?;
            Ok(DataDirLock { _file: file })
        }
        Err(TryLockError::WouldBlock) => {
            let mut pid = String::new();
            let _ = file.read_to_string(&mut pid);
            let pid = pid.trim();
            anyhow::bail!(
                "another sr360 process{} is using the data directory {}: stop it first, or, \
                 if it is a running server, load files through it (the Upload page or \
                 POST /api/v1/uploads)",
                if pid.is_empty() {
                    String::new()
                } else {
                    format!(" (pid {pid})")
                },
                dir.display()
            )
        }
        Err(TryLockError::Error(e)) => {
            Err(e).with_context(|| format!("cannot lock {}", path.display()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_holder_is_refused_with_the_first_ones_pid_until_it_lets_go() {
        let dir = tempfile::tempdir().unwrap();
        let first = lock(dir.path()).unwrap();
        let e = lock(dir.path()).unwrap_err().to_string();
        assert!(e.contains(&format!("pid {}", std::process::id())), "{e}");
        assert!(e.contains("POST /api/v1/uploads"), "{e}");
        drop(first);
        let _again = lock(dir.path()).unwrap();
    }
}
