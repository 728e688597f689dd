//! Model runs: durable jobs like uploads. A run is queued after every successful upload (in
//! the same transaction that records the upload's end), by the daily schedule and by hand;
//! at most one run per shop waits in the queue. A restart puts a `running` run back in the
//! queue (a run only replaces the shop's model tables at its end, so running it again is
//! safe), or fails it after three attempts.

use crate::{AuditAction, AuditEvent, MetaError, MetaStore, TenantScope};
use rusqlite::{OptionalExtension, Transaction, params};
use serde::Serialize;
use sr360_core::TenantId;

#[derive(Debug, Clone, Serialize)]
pub struct ModelRun {
    pub id: i64,
    pub tenant_id: String,
    pub trigger: String,
    pub status: crate::RunStatus,
    pub data_from: Option<String>,
    pub data_to: Option<String>,
    /// JSON written by the runner: per model, what was fitted and how well it did.
    pub summary: Option<String>,
    pub error: Option<String>,
    pub created_at: i64,
    pub started_at: Option<i64>,
    pub finished_at: Option<i64>,
}

/// How a run ended, as the runner reports it.
#[derive(Debug, Clone, Default)]
pub struct RunOutcome {
    pub succeeded: bool,
    pub data_from: Option<String>,
    pub data_to: Option<String>,
    pub summary: Option<String>,
    pub error: Option<String>,
    /// Notifications for the shop's members.
    pub notices: Vec<Notice>,
}

/// A notification to store: its kind, English wording, link and facts (JSON).
#[derive(Debug, Clone, Default)]
pub struct Notice {
    pub kind: String,
    pub title: String,
    pub body: String,
    pub link: String,
    pub args: Option<serde_json::Value>,
}

const COLS: &str = "id, tenant_id, trigger, status, data_from, data_to, summary, error, created_at, started_at, finished_at";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ModelRun> {
    Ok(ModelRun {
        id: r.get(0)?,
        tenant_id: r.get(1)?,
        trigger: r.get(2)?,
        status: r.get(3)?,
        data_from: r.get(4)?,
        data_to: r.get(5)?,
        summary: r.get(6)?,
        error: r.get(7)?,
        created_at: r.get(8)?,
        started_at: r.get(9)?,
        finished_at: r.get(10)?,
    })
}

/// Queue a run for `tenant` unless one is already waiting. Returns whether one was queued.
pub(crate) fn enqueue(
    tx: &Transaction<'_>,
    now: i64,
    tenant: &str,
    trigger: &str,
) -> Result<bool, MetaError> {
    let n = tx.execute(
        "INSERT INTO model_runs(tenant_id, trigger, status, created_at)
         SELECT ?1, ?2, 'queued', ?3 WHERE NOT EXISTS (SELECT 1 FROM model_runs WHERE tenant_id = ?1 AND status = 'queued')",
        params![tenant, trigger, now],
    )?;
    Ok(n > 0)
}

impl MetaStore {
    /// Queue a run by hand (the model status page), audited.
    pub fn request_model_run(
        &self,
        scope: &TenantScope,
        actor: &AuditEvent,
    ) -> Result<bool, MetaError> {
        self.audited(|tx, now| {
            let queued = enqueue(tx, now, scope.tenant().as_str(), "manual")?;
            let event = actor
                .clone()
                .tenant(scope.tenant())
                .action(AuditAction::ModelsRequested)
                .detail(serde_json::json!({"queued": queued}));
            Ok((queued, event))
        })
    }

    /// The schedule: queue a run for every shop with data whose last run started more than
    /// `every_secs` ago (or never ran), none waiting. Returns how many were queued.
    pub fn schedule_model_runs(&self, every_secs: i64) -> Result<usize, MetaError> {
        let now = self.now();
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let due: Vec<String> = {
            let mut st = tx.prepare(
                "SELECT t.id FROM tenants t
                 WHERE EXISTS (SELECT 1 FROM uploads u WHERE u.tenant_id = t.id AND u.status = 'succeeded')
                   AND NOT EXISTS (SELECT 1 FROM model_runs r WHERE r.tenant_id = t.id AND (r.status IN ('queued','running') OR r.created_at > ?1))",
            )?;
            st.query_map([now - every_secs], |r| r.get(0))?
                .collect::<Result<_, _>>()?
        };
        let mut n = 0;
        for t in &due {
            n += usize::from(enqueue(&tx, now, t, "schedule")?);
        }
        tx.commit()?;
        Ok(n)
    }

    /// Claim the oldest queued run of any shop (worker side).
    pub fn claim_model_run(&self) -> Result<Option<ModelRun>, MetaError> {
        let now = self.now();
        Ok(self
            .conn()
            .query_row(
                &format!(
                    "UPDATE model_runs SET status = 'running', started_at = ?1, attempts = attempts + 1
                     WHERE id = (SELECT id FROM model_runs WHERE status = 'queued' ORDER BY id LIMIT 1) RETURNING {COLS}"
                ),
                [now],
                row,
            )
            .optional()?)
    }

    /// At start-up: runs left `running` by a stopped process go back to the queue, or fail
    /// after three attempts.
    pub fn requeue_interrupted_model_runs(&self) -> Result<usize, MetaError> {
        let conn = self.conn();
        let failed = conn.execute("UPDATE model_runs SET status = 'failed', error = 'interrupted three times; giving up', finished_at = ?1 WHERE status = 'running' AND attempts >= 3", [self.now()])?;
        // A shop with a run already waiting keeps that one; the interrupted one is recorded as such.
        let superseded = conn.execute(
            "UPDATE model_runs SET status = 'failed', error = 'interrupted by a stop; a newer run is queued', finished_at = ?1
             WHERE status = 'running' AND tenant_id IN (SELECT tenant_id FROM model_runs WHERE status = 'queued')",
            [self.now()],
        )?;
        let requeued = conn.execute(
            "UPDATE model_runs SET status = 'queued' WHERE status = 'running'",
            [],
        )?;
        Ok(failed + superseded + requeued)
    }

    /// Record the end of a run and its notifications for the shop's members.
    pub fn finish_model_run(
        &self,
        tenant: &TenantId,
        id: i64,
        o: &RunOutcome,
    ) -> Result<(), MetaError> {
        let now = self.now();
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute(
            "UPDATE model_runs SET status = ?1, data_from = ?2, data_to = ?3, summary = ?4, error = ?5, finished_at = ?6 WHERE id = ?7 AND tenant_id = ?8",
            params![if o.succeeded { crate::RunStatus::Succeeded } else { crate::RunStatus::Failed }, o.data_from, o.data_to, o.summary, o.error, now, id, tenant.as_str()],
        )?;
        for n in &o.notices {
            tx.execute(
                "INSERT INTO notifications(tenant_id, user_id, kind, title, body, link, created_at, args) VALUES (?1, NULL, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![tenant.as_str(), n.kind, n.title, n.body, n.link, now, n.args.as_ref().map(|a| a.to_string())],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The shop's runs, newest first.
    pub fn model_runs(&self, scope: &TenantScope, limit: u32) -> Result<Vec<ModelRun>, MetaError> {
        let conn = self.conn();
        let mut st = conn.prepare(&format!(
            "SELECT {COLS} FROM model_runs WHERE tenant_id = ?1 ORDER BY id DESC LIMIT ?2"
        ))?;
        let v = st
            .query_map(params![scope.tenant().as_str(), limit], row)?
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
    fn one_waiting_run_per_shop_and_restarts_requeue() {
        let dir = tempfile::tempdir().unwrap();
        let m = MetaStore::open(
            &dir.path().join("meta.sqlite"),
            Arc::new(ManualClock::new(time::OffsetDateTime::UNIX_EPOCH)),
        )
        .unwrap();
        let t = TenantId::parse("shop-a").unwrap();
        m.create_tenant(&t, "Shop", &AuditEvent::cli()).unwrap();
        let scope = m.system_scope(&t).unwrap();
        assert!(m.request_model_run(&scope, &AuditEvent::cli()).unwrap());
        assert!(
            !m.request_model_run(&scope, &AuditEvent::cli()).unwrap(),
            "one waits already"
        );
        let run = m.claim_model_run().unwrap().unwrap();
        assert_eq!(run.status, "running");
        assert!(m.claim_model_run().unwrap().is_none());
        // Stopped while running: queued again.
        assert_eq!(m.requeue_interrupted_model_runs().unwrap(), 1);
        let again = m.claim_model_run().unwrap().unwrap();
        assert_eq!(again.id, run.id);
        // Stopped while running with another queued: the old one is failed, not lost.
        assert!(m.request_model_run(&scope, &AuditEvent::cli()).unwrap());
        m.requeue_interrupted_model_runs().unwrap();
        let runs = m.model_runs(&scope, 10).unwrap();
        assert_eq!(
            runs.iter().map(|r| r.status.as_str()).collect::<Vec<_>>(),
            ["queued", "failed"]
        );
        assert!(
            runs[1]
                .error
                .as_deref()
                .is_some_and(|e| e.contains("newer run"))
        );
    }
}
