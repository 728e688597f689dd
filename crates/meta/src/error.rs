use thiserror::Error;

#[derive(Debug, Error)]
pub enum MetaError {
    #[error("database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error(
        "this data directory was written by a newer sr360 (schema {found}, this build knows {known}); upgrade sr360"
    )]
    NewerSchema { found: i64, known: i64 },
    #[error("{0} already exists")]
    Conflict(&'static str),
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("invalid: {0}")]
    Invalid(String),
    /// Sign-up of a first shop when the server already has one.
    #[error("sign-up is closed on this instance")]
    SignupClosed,
}

impl MetaError {
    pub(crate) fn unique_to_conflict(e: rusqlite::Error, what: &'static str) -> MetaError {
        match &e {
            rusqlite::Error::SqliteFailure(f, _)
                if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                    || f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY =>
            {
                MetaError::Conflict(what)
            }
            _ => MetaError::Sqlite(e),
        }
    }
}
