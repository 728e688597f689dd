//! Opening a DuckDB database with its attack surface closed.

use crate::WarehouseError;
use duckdb::{AccessMode, Config, Connection};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone)]
pub struct Limits {
    /// e.g. "2GB"
    pub memory_limit: String,
    pub threads: u32,
}

/// A DuckDB database opened hardened. Cloned connections share its locked configuration.
#[derive(Debug)]
pub struct HardenedDb {
    conn: Connection,
    root: PathBuf,
}

fn sql_str(p: &Path) -> Result<String, WarehouseError> {
    let s = p
        .to_str()
        .ok_or_else(|| WarehouseError::BadPath(p.to_path_buf()))?;
    if s.contains('\'') || s.contains('\0') {
        return Err(WarehouseError::BadPath(p.to_path_buf()));
    }
    Ok(s.to_string())
}

impl HardenedDb {
    /// Open `file` (created when missing) allowing file access only below `root`.
    /// `file = None` opens an in-memory database (scratch work such as file conversion).
    pub fn open(file: Option<&Path>, root: &Path, limits: &Limits) -> Result<Self, WarehouseError> {
        std::fs::create_dir_all(root).map_err(|source| WarehouseError::Io {
            path: root.to_path_buf(),
            source,
        })?;
        let root = root.canonicalize().map_err(|source| WarehouseError::Io {
            path: root.to_path_buf(),
            source,
        })?;
        let tmp = root.join("tmp");
        std::fs::create_dir_all(&tmp).map_err(|source| WarehouseError::Io {
            path: tmp.clone(),
            source,
        })?;
        let config = Config::default()
            .access_mode(AccessMode::ReadWrite)?
            .enable_autoload_extension(false)?
            .with("autoinstall_known_extensions", "false")?
            .with("allow_community_extensions", "false")?
            .with("allow_unsigned_extensions", "false")?;
        let conn = match file {
            Some(f) => Connection::open_with_flags(f, config)?,
            None => Connection::open_in_memory_with_flags(config)?,
        };
        let root_s = sql_str(&root)?;
        let tmp_s = sql_str(&tmp)?;
        let mem = limits.memory_limit.replace('\'', "");
        // Order matters: allowed_directories and temp_directory must be set while external
        // access is still on; lock_configuration must come last.
        conn.execute_batch(&format!(
            "SET allowed_directories = ['{root_s}/'];
             SET temp_directory = '{tmp_s}';
             SET enable_external_access = false;
             SET memory_limit = '{mem}';
             SET threads = {threads};
             SET TimeZone = 'UTC';
             SET lock_configuration = true;",
            threads = limits.threads.max(1),
        ))?;
        Ok(Self { conn, root })
    }

    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    /// Another connection to the same database (DuckDB allows many in one process).
    pub fn try_clone(&self) -> Result<Connection, WarehouseError> {
        Ok(self.conn.try_clone()?)
    }

    /// The only directory this database may read or write files in.
    pub fn root(&self) -> &Path {
        &self.root
    }
}
