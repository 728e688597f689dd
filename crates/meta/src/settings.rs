//! Instance-wide key/value settings (for example where the signing key is kept).

use crate::{MetaError, MetaStore};
use rusqlite::OptionalExtension;

impl MetaStore {
    pub fn setting(&self, key: &str) -> Result<Option<String>, MetaError> {
        Ok(self
            .conn()
            .query_row(
                "SELECT value FROM instance_settings WHERE key = ?1",
                [key],
                |r| r.get(0),
            )
            .optional()?)
    }

    pub fn set_setting(&self, key: &str, value: &str) -> Result<(), MetaError> {
        self.conn().execute(
            "INSERT INTO instance_settings(key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [key, value],
        )?;
        Ok(())
    }
}
