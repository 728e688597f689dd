//! The connection to meta.sqlite. One serialized connection: every statement here is a
//! point lookup or a small write taking microseconds, and argon2 hashing happens outside it.

use crate::{MetaError, migrations};
use rusqlite::{Connection, OpenFlags};
use sr360_core::Clock;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

pub struct MetaStore {
    conn: Mutex<Connection>,
    pub(crate) clock: Arc<dyn Clock>,
    path: PathBuf,
}

impl std::fmt::Debug for MetaStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MetaStore")
            .field("path", &self.path)
            .finish()
    }
}

impl MetaStore {
    /// Open (creating if needed) and migrate meta.sqlite.
    pub fn open(path: &Path, clock: Arc<dyn Clock>) -> Result<Self, MetaError> {
        let mut conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        migrations::migrate(&mut conn)?;
        Ok(Self {
            conn: Mutex::new(conn),
            clock,
            path: path.to_path_buf(),
        })
    }

    /// Schema version of a meta.sqlite without creating or migrating it.
    pub fn schema_version_of(path: &Path) -> Result<i64, MetaError> {
        let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        migrations::read_version(&conn)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub(crate) fn conn(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn now(&self) -> i64 {
        self.clock.now().unix_timestamp()
    }

    /// A change and its audit row in one transaction: `change` gets the transaction and the
    /// time, and returns its result with the event to record; both commit, or neither does.
    pub(crate) fn audited<T>(
        &self,
        change: impl FnOnce(
            &rusqlite::Transaction<'_>,
            i64,
        ) -> Result<(T, crate::AuditEvent), MetaError>,
    ) -> Result<T, MetaError> {
        let now = self.now();
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let (out, event) = change(&tx, now)?;
        crate::audit::insert(&tx, now, &event)?;
        tx.commit()?;
        Ok(out)
    }

    /// `PRAGMA quick_check`, for `sr360 doctor`.
    pub fn quick_check(&self) -> Result<String, MetaError> {
        Ok(self
            .conn()
            .query_row("PRAGMA quick_check", [], |r| r.get(0))?)
    }
}
