//! Tenants: one shop each, with its own warehouse file under `tenants/<id>/`.

use crate::{AuditAction, AuditEvent, MetaError, MetaStore};
use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use sr360_core::TenantId;

#[derive(Debug, Clone, Serialize)]
pub struct Tenant {
    pub id: TenantId,
    pub name: String,
    pub timezone: String,
    pub currency: String,
    pub created_at: i64,
}

fn row_to_tenant(r: &rusqlite::Row<'_>) -> rusqlite::Result<Tenant> {
    let id: String = r.get(0)?;
    Ok(Tenant {
        id: TenantId::parse(&id).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
        })?,
        name: r.get(1)?,
        timezone: r.get(2)?,
        currency: r.get(3)?,
        created_at: r.get(4)?,
    })
}

impl MetaStore {
    /// Create a tenant and write the audit row in the same transaction.
    pub fn create_tenant(
        &self,
        id: &TenantId,
        name: &str,
        actor: &AuditEvent,
    ) -> Result<Tenant, MetaError> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 120 {
            return Err(MetaError::Invalid(
                "shop name must be 1 to 120 characters".into(),
            ));
        }
        let now = self.now();
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute(
            "INSERT INTO tenants(id, name, created_at) VALUES (?1, ?2, ?3)",
            params![id.as_str(), name, now],
        )
        .map_err(|e| MetaError::unique_to_conflict(e, "tenant"))?;
        crate::audit::insert(
            &tx,
            now,
            &actor
                .clone()
                .tenant(id)
                .action(AuditAction::TenantCreated)
                .target(id.as_str()),
        )?;
        tx.commit()?;
        Ok(Tenant {
            id: id.clone(),
            name: name.to_string(),
            timezone: "UTC".into(),
            currency: "USD".into(),
            created_at: now,
        })
    }

    pub fn tenant(&self, id: &TenantId) -> Result<Option<Tenant>, MetaError> {
        Ok(self
            .conn()
            .query_row(
                "SELECT id, name, timezone, currency, created_at FROM tenants WHERE id = ?1",
                [id.as_str()],
                row_to_tenant,
            )
            .optional()?)
    }

    pub fn list_tenants(&self) -> Result<Vec<Tenant>, MetaError> {
        let conn = self.conn();
        let mut st = conn
            .prepare("SELECT id, name, timezone, currency, created_at FROM tenants ORDER BY id")?;
        let rows = st
            .query_map([], row_to_tenant)?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    pub fn tenant_member_count(&self, id: &TenantId) -> Result<i64, MetaError> {
        Ok(self.conn().query_row(
            "SELECT count(*) FROM memberships WHERE tenant_id = ?1",
            [id.as_str()],
            |r| r.get(0),
        )?)
    }
}
