//! Exported reports. Each export is one version of a report for a day, named
//! `<report>-<yyyy-mm-dd>-v<N>.<format>`; the version is taken in the same transaction that
//! records the export and its audit row, so two exports at once never share a name.

use crate::{AuditAction, AuditEvent, MetaError, MetaStore, TenantScope, audit};
use rusqlite::{OptionalExtension, params};
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct ReportRecord {
    pub id: i64,
    /// What was exported: `charts`, `charts-trend`, `funnel-by-channel`, ...
    pub report: String,
    /// The shop's local date of the export (yyyy-mm-dd).
    pub day: String,
    pub version: i64,
    pub format: String,
    pub title: String,
    /// The filters in words, as printed on the report.
    pub filters: String,
    /// The page (with its query) the report was exported from.
    pub source: String,
    #[serde(skip)]
    pub object_key: String,
    pub bytes: i64,
    pub created_by: String,
    pub created_at: i64,
}

impl ReportRecord {
    /// The file name: `<report>-<yyyy-mm-dd>-v<N>.<format>`.
    pub fn file_name(&self) -> String {
        format!(
            "{}-{}-v{}.{}",
            self.report, self.day, self.version, self.format
        )
    }
}

/// A new export, before it has a version.
#[derive(Debug, Clone)]
pub struct NewReport<'a> {
    pub report: &'a str,
    pub day: &'a str,
    pub format: &'a str,
    pub title: &'a str,
    pub filters: &'a str,
    pub source: &'a str,
    pub object_key: &'a str,
    pub bytes: i64,
}

const COLS: &str = "id, report, day, version, format, title, filters, source, object_key, bytes, created_by, created_at";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ReportRecord> {
    Ok(ReportRecord {
        id: r.get(0)?,
        report: r.get(1)?,
        day: r.get(2)?,
        version: r.get(3)?,
        format: r.get(4)?,
        title: r.get(5)?,
        filters: r.get(6)?,
        source: r.get(7)?,
        object_key: r.get(8)?,
        bytes: r.get(9)?,
        created_by: r.get(10)?,
        created_at: r.get(11)?,
    })
}

fn valid_slug(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 80
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

impl MetaStore {
    /// Record an export under the next version of its report for that day, with its audit row.
    pub fn create_report(
        &self,
        scope: &TenantScope,
        n: &NewReport<'_>,
        actor: &AuditEvent,
    ) -> Result<ReportRecord, MetaError> {
        if !valid_slug(n.report) {
            return Err(MetaError::Invalid(format!("report name {:?}", n.report)));
        }
        if !matches!(n.format, "csv" | "png" | "pdf") {
            return Err(MetaError::Invalid(format!("report format {:?}", n.format)));
        }
        let now = self.now();
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let t = scope.tenant().as_str();
        let version: i64 = tx.query_row("SELECT coalesce(max(version), 0) + 1 FROM reports WHERE tenant_id = ?1 AND report = ?2 AND day = ?3", params![t, n.report, n.day], |r| r.get(0))?;
        tx.execute(
            "INSERT INTO reports(tenant_id, report, day, version, format, title, filters, source, object_key, bytes, user_id, created_by, created_at)
             VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13)",
            params![t, n.report, n.day, version, n.format, n.title, n.filters, n.source, n.object_key, n.bytes, scope.user().map(|u| u.0), actor.actor, now],
        )?;
        let id = tx.last_insert_rowid();
        let rec = tx.query_row(
            &format!("SELECT {COLS} FROM reports WHERE id = ?1"),
            [id],
            row,
        )?;
        audit::insert(
            &tx,
            now,
            &actor.clone().tenant(scope.tenant()).action(AuditAction::ReportExported).target(format!("report:{id}")).detail(serde_json::json!({"file": rec.file_name(), "bytes": n.bytes, "filters": n.filters})),
        )?;
        tx.commit()?;
        Ok(rec)
    }

    /// One report of the scope's tenant (another tenant's id is `None`).
    pub fn report(&self, scope: &TenantScope, id: i64) -> Result<Option<ReportRecord>, MetaError> {
        Ok(self
            .conn()
            .query_row(
                &format!("SELECT {COLS} FROM reports WHERE id = ?1 AND tenant_id = ?2"),
                params![id, scope.tenant().as_str()],
                row,
            )
            .optional()?)
    }

    /// The newest reports first.
    pub fn reports(&self, scope: &TenantScope, limit: u32) -> Result<Vec<ReportRecord>, MetaError> {
        let conn = self.conn();
        let mut st = conn.prepare(&format!(
            "SELECT {COLS} FROM reports WHERE tenant_id = ?1 ORDER BY id DESC LIMIT ?2"
        ))?;
        let v = st
            .query_map(params![scope.tenant().as_str(), limit], row)?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(v)
    }

    /// Remove a report's record with its audit row. Returns the record and whether another
    /// report still points at the same stored file (identical bytes share one object).
    pub fn delete_report(
        &self,
        scope: &TenantScope,
        id: i64,
        actor: &AuditEvent,
    ) -> Result<Option<(ReportRecord, bool)>, MetaError> {
        let t = scope.tenant().as_str();
        let Some(rec) = self
            .conn()
            .query_row(
                &format!("SELECT {COLS} FROM reports WHERE id = ?1 AND tenant_id = ?2"),
                params![id, t],
                row,
            )
            .optional()?
        else {
            return Ok(None);
        };
        let shared = self.audited(|tx, _| {
            // Gone since it was read: another request deleted it.
            if tx.execute(
                "DELETE FROM reports WHERE id = ?1 AND tenant_id = ?2",
                params![id, t],
            )? == 0
            {
                return Err(MetaError::NotFound("report"));
            }
            let shared: bool = tx.query_row(
                "SELECT EXISTS(SELECT 1 FROM reports WHERE object_key = ?1)",
                [&rec.object_key],
                |r| r.get(0),
            )?;
            let event = actor
                .clone()
                .tenant(scope.tenant())
                .action(AuditAction::ReportDeleted)
                .target(format!("report:{id}"))
                .detail(serde_json::json!({"file": rec.file_name()}));
            Ok((shared, event))
        });
        match shared {
            Ok(shared) => Ok(Some((rec, shared))),
            Err(MetaError::NotFound(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{AuditEvent, MetaStore, NewReport};
    use sr360_core::{ManualClock, TenantId};
    use std::sync::Arc;

    #[test]
    fn versions_count_per_report_and_day_and_stay_in_their_tenant() {
        let dir = tempfile::tempdir().unwrap();
        let m = MetaStore::open(
            &dir.path().join("meta.sqlite"),
            Arc::new(ManualClock::new(time::OffsetDateTime::UNIX_EPOCH)),
        )
        .unwrap();
        let (a, b) = (
            TenantId::parse("shop-a").unwrap(),
            TenantId::parse("shop-b").unwrap(),
        );
        for t in [&a, &b] {
            m.create_tenant(t, "Shop", &AuditEvent::cli()).unwrap();
        }
        let (sa, sb) = (m.system_scope(&a).unwrap(), m.system_scope(&b).unwrap());
        let new = |report: &'static str, day: &'static str| NewReport {
            report,
            day,
            format: "pdf",
            title: "Charts",
            filters: "all",
            source: "/charts",
            object_key: "k",
            bytes: 10,
        };
        let names: Vec<String> = [
            new("charts", "2026-11-28"),
            new("charts", "2026-11-28"),
            new("charts-trend", "2026-11-28"),
            new("charts", "2026-11-29"),
        ]
        .iter()
        .map(|n| {
            m.create_report(&sa, n, &AuditEvent::cli())
                .unwrap()
                .file_name()
        })
        .collect();
        assert_eq!(
            names,
            [
                "charts-2026-11-28-v1.pdf",
                "charts-2026-11-28-v2.pdf",
                "charts-trend-2026-11-28-v1.pdf",
                "charts-2026-11-29-v1.pdf"
            ]
        );
        assert_eq!(
            m.create_report(&sb, &new("charts", "2026-11-28"), &AuditEvent::cli())
                .unwrap()
                .version,
            1,
            "versions are per shop"
        );
        let first = m.reports(&sa, 10).unwrap().pop().unwrap();
        assert!(
            m.report(&sb, first.id).unwrap().is_none(),
            "another shop's report is not found"
        );
        assert!(
            m.delete_report(&sb, first.id, &AuditEvent::cli())
                .unwrap()
                .is_none()
        );
        let (gone, shared) = m
            .delete_report(&sa, first.id, &AuditEvent::cli())
            .unwrap()
            .unwrap();
        assert_eq!(gone.id, first.id);
        assert!(shared, "the other reports share object k");
        assert!(
            m.create_report(
                &sa,
                &NewReport {
                    report: "../x",
                    ..new("charts", "2026-11-28")
                },
                &AuditEvent::cli()
            )
            .is_err()
        );
        let audit = m.audit_all(50).unwrap();
        assert_eq!(
            audit
                .iter()
                .filter(|e| e.action == "report_exported")
                .count(),
            5
        );
        assert_eq!(
            audit
                .iter()
                .filter(|e| e.action == "report_deleted")
                .count(),
            1
        );
    }
}
