//! Uploads and their processing state. An upload row is the durable job: `pending` while
//! the merchant confirms the column mapping, `queued` until a worker claims it, `running` while the pipeline works (a restart puts it back in the
//! queue; the pipeline is all-or-nothing, so running it again is safe), then `succeeded`,
//! `failed` or `duplicate` (the same bytes were already loaded).

use crate::{AuditAction, AuditEvent, MetaError, MetaStore, TenantScope, audit};
use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use sr360_core::{TenantId, UserId};

#[derive(Debug, Clone, Serialize)]
pub struct UploadRecord {
    pub id: i64,
    pub tenant_id: String,
    pub user_id: Option<i64>,
    pub file_name: String,
    pub content_hash: String,
    pub object_key: String,
    pub bytes: i64,
    pub status: crate::UploadStatus,
    pub progress: f64,
    pub message: String,
    pub entity: Option<String>,
    pub mapping: Option<String>,
    pub rows_read: Option<i64>,
    pub rows_accepted: Option<i64>,
    pub rows_rejected: Option<i64>,
    pub error: Option<String>,
    pub report: Option<String>,
    pub created_at: i64,
    pub started_at: Option<i64>,
    pub finished_at: Option<i64>,
}

const COLS: &str = "id, tenant_id, user_id, file_name, content_hash, object_key, bytes, status, progress, message, entity, mapping, rows_read, rows_accepted, rows_rejected, error, report, created_at, started_at, finished_at";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<UploadRecord> {
    Ok(UploadRecord {
        id: r.get(0)?,
        tenant_id: r.get(1)?,
        user_id: r.get(2)?,
        file_name: r.get(3)?,
        content_hash: r.get(4)?,
        object_key: r.get(5)?,
        bytes: r.get(6)?,
        status: r.get(7)?,
        progress: r.get(8)?,
        message: r.get(9)?,
        entity: r.get(10)?,
        mapping: r.get(11)?,
        rows_read: r.get(12)?,
        rows_accepted: r.get(13)?,
        rows_rejected: r.get(14)?,
        error: r.get(15)?,
        report: r.get(16)?,
        created_at: r.get(17)?,
        started_at: r.get(18)?,
        finished_at: r.get(19)?,
    })
}

#[derive(Debug, Clone, Serialize)]
pub struct Notification {
    pub id: i64,
    pub kind: String,
    /// The English wording, as stored.
    pub title: String,
    pub body: String,
    pub link: String,
    pub created_at: i64,
    pub read: bool,
    /// The facts behind it (JSON), for wording it in the reader's language.
    pub args: Option<serde_json::Value>,
}

/// How an upload ended, as the worker reports it.
#[derive(Debug, Clone)]
pub struct UploadOutcome {
    pub succeeded: bool,
    pub entity: Option<String>,
    pub mapping: Option<String>,
    pub rows_read: i64,
    pub rows_accepted: i64,
    pub rows_rejected: i64,
    pub error: Option<String>,
    pub report: Option<String>,
}

impl MetaStore {
    /// Record a received file. When a succeeded upload of the same tenant has the same
    /// content hash, the new one is recorded as `duplicate` and nothing is queued.
    #[allow(clippy::too_many_arguments)]
    pub fn create_upload(
        &self,
        scope: &TenantScope,
        file_name: &str,
        content_hash: &str,
        object_key: &str,
        bytes: i64,
        mapping: Option<&str>,
        pending: bool,
        actor: &AuditEvent,
    ) -> Result<UploadRecord, MetaError> {
        let now = self.now();
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let dup: Option<i64> = tx
            .query_row("SELECT id FROM uploads WHERE tenant_id = ?1 AND content_hash = ?2 AND status = 'succeeded' LIMIT 1", params![scope.tenant().as_str(), content_hash], |r| r.get(0))
            .optional()?;
        let status = match (dup, pending) {
            (Some(_), _) => crate::UploadStatus::Duplicate,
            (None, true) => crate::UploadStatus::Pending,
            (None, false) => crate::UploadStatus::Queued,
        };
        let message = dup
            .map(|d| format!("same file as upload {d}; nothing to do"))
            .unwrap_or_default();
        tx.execute(
            "INSERT INTO uploads(tenant_id, user_id, file_name, content_hash, object_key, bytes, status, message, mapping, created_at, finished_at)
             VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10, CASE WHEN ?7 = 'duplicate' THEN ?10 END)",
            params![scope.tenant().as_str(), scope.user().map(|u| u.0), file_name, content_hash, object_key, bytes, status, message, mapping, now],
        )?;
        let id = tx.last_insert_rowid();
        audit::insert(&tx, now, &actor.clone().tenant(scope.tenant()).action(AuditAction::UploadReceived).target(format!("upload:{id}")).detail(serde_json::json!({"file": file_name, "bytes": bytes, "sha256": content_hash, "status": status})))?;
        let rec = tx.query_row(
            &format!("SELECT {COLS} FROM uploads WHERE id = ?1"),
            [id],
            row,
        )?;
        tx.commit()?;
        Ok(rec)
    }

    /// Store the suggested mapping of a pending upload (shown for confirmation).
    pub fn set_upload_mapping(
        &self,
        scope: &TenantScope,
        id: i64,
        mapping_json: &str,
        message: &str,
    ) -> Result<(), MetaError> {
        let n = self.conn().execute(
            "UPDATE uploads SET mapping = ?1, message = ?2 WHERE id = ?3 AND tenant_id = ?4 AND status = 'pending'",
            params![mapping_json, message, id, scope.tenant().as_str()],
        )?;
        if n == 0 {
            Err(MetaError::NotFound("pending upload"))
        } else {
            Ok(())
        }
    }

    /// The merchant confirmed (or edited) the mapping: queue the upload.
    pub fn confirm_upload(
        &self,
        scope: &TenantScope,
        id: i64,
        mapping_json: &str,
        actor: &AuditEvent,
    ) -> Result<(), MetaError> {
        self.audited(|tx, _| {
            let n = tx.execute(
                "UPDATE uploads SET mapping = ?1, status = 'queued', message = '' WHERE id = ?2 AND tenant_id = ?3 AND status = 'pending'",
                params![mapping_json, id, scope.tenant().as_str()],
            )?;
            if n == 0 {
                return Err(MetaError::NotFound("pending upload"));
            }
            let event = actor
                .clone()
                .tenant(scope.tenant())
                .action(AuditAction::MappingSaved)
                .target(format!("upload:{id}"));
            Ok(((), event))
        })
    }

    /// The merchant discarded an upload still waiting for its mapping: the record goes (the
    /// audit log keeps the deed). Returns the stored file's key when no other upload shares
    /// it, for the caller to remove; `NotFound` when there is no such pending upload.
    pub fn discard_upload(
        &self,
        scope: &TenantScope,
        id: i64,
        actor: &AuditEvent,
    ) -> Result<Option<String>, MetaError> {
        self.audited(|tx, _| {
            let t = scope.tenant().as_str();
            let found: Option<(String, String)> = tx
                .query_row(
                    "SELECT object_key, file_name FROM uploads WHERE id = ?1 AND tenant_id = ?2 AND status = 'pending'",
                    params![id, t],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            let Some((key, file)) = found else {
                return Err(MetaError::NotFound("pending upload"));
            };
            tx.execute(
                "DELETE FROM uploads WHERE id = ?1 AND tenant_id = ?2 AND status = 'pending'",
                params![id, t],
            )?;
            let shared: bool = tx.query_row(
                "SELECT EXISTS(SELECT 1 FROM uploads WHERE object_key = ?1)",
                [&key],
                |r| r.get(0),
            )?;
            let event = actor
                .clone()
                .tenant(scope.tenant())
                .action(AuditAction::UploadDiscarded)
                .target(format!("upload:{id} {file}"));
            Ok(((!shared).then_some(key), event))
        })
    }

    /// One upload of the scope's tenant (another tenant's id is `None`).
    pub fn upload(&self, scope: &TenantScope, id: i64) -> Result<Option<UploadRecord>, MetaError> {
        Ok(self
            .conn()
            .query_row(
                &format!("SELECT {COLS} FROM uploads WHERE id = ?1 AND tenant_id = ?2"),
                params![id, scope.tenant().as_str()],
                row,
            )
            .optional()?)
    }

    pub fn uploads(&self, scope: &TenantScope, limit: u32) -> Result<Vec<UploadRecord>, MetaError> {
        let conn = self.conn();
        let mut st = conn.prepare(&format!(
            "SELECT {COLS} FROM uploads WHERE tenant_id = ?1 ORDER BY id DESC LIMIT ?2"
        ))?;
        let v = st
            .query_map(params![scope.tenant().as_str(), limit], row)?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(v)
    }

    /// Claim the next queued upload (worker side), fairly between shops: the oldest of the
    /// shop served longest ago (never served first), so a shop that queued fifty files does
    /// not hold back another shop's one.
    pub fn claim_upload(&self) -> Result<Option<UploadRecord>, MetaError> {
        self.claim_where(
            "(SELECT u.id FROM uploads u WHERE u.status = 'queued'
              ORDER BY (SELECT max(v.started_at) FROM uploads v WHERE v.tenant_id = u.tenant_id) NULLS FIRST, u.id
              LIMIT 1)",
            None,
        )
    }

    /// Claim one queued upload by id (the command line runs its own upload, never another
    /// shop's that happens to be older in the queue).
    pub fn claim_upload_id(&self, id: i64) -> Result<Option<UploadRecord>, MetaError> {
        self.claim_where("?2 AND status = 'queued'", Some(id))
    }

    /// Mark the upload whose id is `which` (SQL, with `?2` bound to `id`) running.
    fn claim_where(&self, which: &str, id: Option<i64>) -> Result<Option<UploadRecord>, MetaError> {
        let now = self.now();
        let conn = self.conn();
        let sql = format!(
            "UPDATE uploads SET status = 'running', started_at = ?1, attempts = attempts + 1, progress = 0, message = 'starting'
             WHERE id = {which} RETURNING {COLS}"
        );
        Ok(match id {
            Some(id) => conn.query_row(&sql, params![now, id], row),
            None => conn.query_row(&sql, params![now], row),
        }
        .optional()?)
    }

    /// At start-up: uploads left `running` by a stopped process go back to the queue, or
    /// fail after three attempts. `only` limits this to one tenant (the command line, which
    /// must not take over uploads a running server is working on for other shops).
    pub fn requeue_interrupted_uploads(&self, only: Option<&TenantId>) -> Result<usize, MetaError> {
        let conn = self.conn();
        let t = only.map(|t| t.as_str().to_string());
        let failed = conn.execute(
            "UPDATE uploads SET status = 'failed', error = 'interrupted three times; giving up', finished_at = ?1
             WHERE status = 'running' AND attempts >= 3 AND (?2 IS NULL OR tenant_id = ?2)",
            params![self.now(), t],
        )?;
        let requeued = conn.execute("UPDATE uploads SET status = 'queued', message = 'interrupted; queued again' WHERE status = 'running' AND (?1 IS NULL OR tenant_id = ?1)", params![t])?;
        Ok(failed + requeued)
    }

    pub fn set_upload_progress(
        &self,
        id: i64,
        progress: f64,
        message: &str,
    ) -> Result<(), MetaError> {
        self.conn().execute(
            "UPDATE uploads SET progress = ?1, message = ?2 WHERE id = ?3 AND status = 'running'",
            params![progress, message, id],
        )?;
        Ok(())
    }

    /// Record the end of an upload, its audit row and a notification, in one transaction.
    pub fn finish_upload(
        &self,
        tenant: &TenantId,
        id: i64,
        o: &UploadOutcome,
    ) -> Result<(), MetaError> {
        let now = self.now();
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let status = if o.succeeded {
            crate::UploadStatus::Succeeded
        } else {
            crate::UploadStatus::Failed
        };
        let (file, user): (String, Option<i64>) = tx.query_row(
            "SELECT file_name, user_id FROM uploads WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        tx.execute(
            "UPDATE uploads SET status = ?1, progress = 1, message = '', entity = ?2, mapping = coalesce(?3, mapping), rows_read = ?4, rows_accepted = ?5,
             rows_rejected = ?6, error = ?7, report = ?8, finished_at = ?9 WHERE id = ?10",
            params![status, o.entity, o.mapping, o.rows_read, o.rows_accepted, o.rows_rejected, o.error, o.report, now, id],
        )?;
        // New data: the models run again (queued in the same transaction, so never forgotten).
        if o.succeeded {
            crate::model_runs::enqueue(&tx, now, tenant.as_str(), "ingest")?;
        }
        let action = if o.succeeded {
            AuditAction::UploadSucceeded
        } else {
            AuditAction::UploadFailed
        };
        let mut ev = AuditEvent::cli().tenant(tenant).action(action).target(format!("upload:{id}")).detail(serde_json::json!({"file": file, "rows_read": o.rows_read, "rows_rejected": o.rows_rejected, "error": o.error}));
        ev.actor = "pipeline".into();
        ev.ip = String::new();
        audit::insert(&tx, now, &ev)?;
        let (title, body) = if o.succeeded {
            (
                format!("{file} loaded"),
                format!(
                    "{} rows loaded, {} rejected",
                    o.rows_accepted, o.rows_rejected
                ),
            )
        } else {
            (
                format!("{file} failed"),
                o.error.clone().unwrap_or_default(),
            )
        };
        let args = serde_json::json!({"file": file, "accepted": o.rows_accepted, "rejected": o.rows_rejected, "error": o.error});
        tx.execute(
            "INSERT INTO notifications(tenant_id, user_id, kind, title, body, link, created_at, args) VALUES (?1,?2,?3,?4,?5,?6,?7,?8)",
            params![tenant.as_str(), user, if o.succeeded { "upload_succeeded" } else { "upload_failed" }, title, body, format!("/uploads/{id}"), now, args.to_string()],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// A saved mapping for a file shape, as JSON.
    pub fn saved_mapping(
        &self,
        scope: &TenantScope,
        shape_key: &str,
    ) -> Result<Option<String>, MetaError> {
        Ok(self
            .conn()
            .query_row(
                "SELECT mapping FROM saved_mappings WHERE tenant_id = ?1 AND shape_key = ?2",
                params![scope.tenant().as_str(), shape_key],
                |r| r.get(0),
            )
            .optional()?)
    }

    pub fn save_mapping(
        &self,
        scope: &TenantScope,
        shape_key: &str,
        mapping_json: &str,
        actor: &AuditEvent,
    ) -> Result<(), MetaError> {
        let now = self.now();
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute(
            "INSERT INTO saved_mappings(tenant_id, shape_key, mapping, updated_at) VALUES (?1,?2,?3,?4)
             ON CONFLICT(tenant_id, shape_key) DO UPDATE SET mapping = excluded.mapping, updated_at = excluded.updated_at",
            params![scope.tenant().as_str(), shape_key, mapping_json, now],
        )?;
        audit::insert(
            &tx,
            now,
            &actor
                .clone()
                .tenant(scope.tenant())
                .action(AuditAction::MappingSaved)
                .target(format!(
                    "shape:{}",
                    &shape_key.chars().take(80).collect::<String>()
                )),
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Mark the scope's notifications for `user` as read.
    pub fn mark_notifications_read(
        &self,
        scope: &TenantScope,
        user: UserId,
    ) -> Result<usize, MetaError> {
        let now = self.now();
        Ok(self.conn().execute(
            "UPDATE notifications SET read_at = ?1 WHERE tenant_id = ?2 AND (user_id IS NULL OR user_id = ?3) AND read_at IS NULL",
            params![now, scope.tenant().as_str(), user.0],
        )?)
    }

    /// How many of the scope's notifications for `user` are unread.
    pub fn unread_notifications(
        &self,
        scope: &TenantScope,
        user: UserId,
    ) -> Result<u32, MetaError> {
        Ok(self.conn().query_row(
            "SELECT count(*) FROM notifications WHERE tenant_id = ?1 AND (user_id IS NULL OR user_id = ?2) AND read_at IS NULL",
            params![scope.tenant().as_str(), user.0],
            |r| r.get(0),
        )?)
    }

    /// Recent notifications of a user in the scope's tenant, newest first.
    pub fn notifications(
        &self,
        scope: &TenantScope,
        user: UserId,
        limit: u32,
    ) -> Result<Vec<Notification>, MetaError> {
        let conn = self.conn();
        let mut st = conn.prepare(
            "SELECT id, kind, title, body, link, created_at, read_at IS NOT NULL, args FROM notifications
             WHERE tenant_id = ?1 AND (user_id IS NULL OR user_id = ?2) ORDER BY id DESC LIMIT ?3",
        )?;
        let v = st
            .query_map(params![scope.tenant().as_str(), user.0, limit], |r| {
                Ok(Notification {
                    id: r.get(0)?,
                    kind: r.get(1)?,
                    title: r.get(2)?,
                    body: r.get(3)?,
                    link: r.get(4)?,
                    created_at: r.get(5)?,
                    read: r.get(6)?,
                    args: r
                        .get::<_, Option<String>>(7)?
                        .and_then(|a| serde_json::from_str(&a).ok()),
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(v)
    }
}

#[cfg(test)]
mod tests {
    use crate::{AuditEvent, MetaStore};
    use sr360_core::{ManualClock, TenantId};
    use std::sync::Arc;

    #[test]
    fn the_queue_takes_turns_between_shops() {
        let dir = tempfile::tempdir().unwrap();
        let clock = Arc::new(ManualClock::new(time::OffsetDateTime::UNIX_EPOCH));
        let m = MetaStore::open(&dir.path().join("meta.sqlite"), clock.clone()).unwrap();
        let mut scopes = vec![];
        for t in ["shop-a", "shop-b"] {
            let t = TenantId::parse(t).unwrap();
            m.create_tenant(&t, "Shop", &AuditEvent::cli()).unwrap();
            scopes.push(m.system_scope(&t).unwrap());
        }
        // Shop A queues three files, then shop B one.
        let mut ids = vec![];
        for (i, s) in [0, 0, 0, 1].into_iter().enumerate() {
            let r = m
                .create_upload(
                    &scopes[s],
                    "f.csv",
                    &format!("h{i}"),
                    "k",
                    1,
                    None,
                    false,
                    &AuditEvent::cli(),
                )
                .unwrap();
            ids.push(r.id);
        }
        let mut order = vec![];
        while let Some(r) = m.claim_upload().unwrap() {
            clock.advance(time::Duration::seconds(1));
            order.push(r.id);
        }
        // B's file does not wait behind all of A's.
        assert_eq!(order, vec![ids[0], ids[3], ids[1], ids[2]]);
    }
}
