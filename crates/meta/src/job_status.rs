//! Where a durable job stands: an upload or a model run. Stored as the lower-case words in
//! `meta.sqlite` (the SQL of the queues names them), sent as the same words in JSON, compared
//! as values in code.

use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};
use serde::Serialize;

macro_rules! word_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $v:ident => $w:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vdoc])* $v),+
        }

        impl $name {
            /// The stored word.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$v => $w),+
                }
            }

            pub fn parse(s: &str) -> Option<Self> {
                match s {
                    $($w => Some($name::$v),)+
                    _ => None,
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.as_str() == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.as_str() == *other
            }
        }

        impl FromSql for $name {
            fn column_result(v: ValueRef<'_>) -> FromSqlResult<Self> {
                let s = v.as_str()?;
                $name::parse(s).ok_or_else(|| {
                    FromSqlError::Other(format!("{s:?} is not a {}", stringify!($name)).into())
                })
            }
        }

        impl ToSql for $name {
            fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
                Ok(ToSqlOutput::from(self.as_str()))
            }
        }
    };
}

word_enum!(
    /// An upload: `pending` while the merchant confirms the column mapping, `queued` until a
    /// worker claims it, `running`, then `succeeded`, `failed` or `duplicate` (the same bytes
    /// were already loaded).
    UploadStatus {
        Pending => "pending",
        Queued => "queued",
        Running => "running",
        Succeeded => "succeeded",
        Failed => "failed",
        Duplicate => "duplicate",
    }
);

word_enum!(
    /// A model run: `queued`, `running`, then `succeeded` or `failed`.
    RunStatus {
        Queued => "queued",
        Running => "running",
        Succeeded => "succeeded",
        Failed => "failed",
    }
);

impl UploadStatus {
    /// Nothing more will happen to the upload by itself.
    pub fn is_finished(self) -> bool {
        matches!(
            self,
            UploadStatus::Succeeded | UploadStatus::Failed | UploadStatus::Duplicate
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_read_back_as_stored_and_compare_with_their_words() {
        for s in [
            "pending",
            "queued",
            "running",
            "succeeded",
            "failed",
            "duplicate",
        ] {
            let v = UploadStatus::parse(s).unwrap();
            assert_eq!(v.as_str(), s);
            assert_eq!(serde_json::to_value(v).unwrap(), s);
            assert!(v == s);
        }
        assert_eq!(UploadStatus::parse("done"), None);
        assert!(RunStatus::Failed == "failed");
        assert!(UploadStatus::Duplicate.is_finished() && !UploadStatus::Pending.is_finished());
        let c = rusqlite::Connection::open_in_memory().unwrap();
        let back: RunStatus = c
            .query_row("SELECT ?1", [RunStatus::Running], |r| r.get(0))
            .unwrap();
        assert_eq!(back, RunStatus::Running);
        let bad: rusqlite::Result<RunStatus> = c.query_row("SELECT 'done'", [], |r| r.get(0));
        assert!(bad.is_err());
    }
}
