//! API tokens for scripts: random secrets shown once, stored as SHA-256, bound to one user
//! in one tenant, revocable. A token acts with its user's current role in that tenant.

use crate::{AuditAction, AuditEvent, MetaError, MetaStore, TenantScope};
use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use sr360_core::{Permission, TenantId, UserId};

#[derive(Debug, Clone, Serialize)]
pub struct ApiTokenRecord {
    pub id: i64,
    pub prefix: String,
    pub user_id: UserId,
    pub tenant_id: TenantId,
    pub name: String,
    pub created_at: i64,
    pub expires_at: Option<i64>,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

fn row_to_token(r: &rusqlite::Row<'_>) -> rusqlite::Result<ApiTokenRecord> {
    let t: String = r.get(3)?;
    Ok(ApiTokenRecord {
        id: r.get(0)?,
        prefix: r.get(1)?,
        user_id: UserId(r.get(2)?),
        tenant_id: TenantId::parse(&t).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(3, rusqlite::types::Type::Text, Box::new(e))
        })?,
        name: r.get(4)?,
        created_at: r.get(5)?,
        expires_at: r.get(6)?,
        last_used_at: r.get(7)?,
        revoked_at: r.get(8)?,
    })
}

const COLS: &str =
    "id, prefix, user_id, tenant_id, name, created_at, expires_at, last_used_at, revoked_at";

impl MetaStore {
    pub fn create_api_token(
        &self,
        scope: &TenantScope,
        token_hash: &str,
        prefix: &str,
        name: &str,
        ttl_secs: Option<i64>,
        actor: &AuditEvent,
    ) -> Result<ApiTokenRecord, MetaError> {
        let user = scope
            .user()
            .ok_or_else(|| MetaError::Invalid("a token belongs to a user".into()))?;
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 80 {
            return Err(MetaError::Invalid(
                "token name must be 1 to 80 characters".into(),
            ));
        }
        let now = self.now();
        let expires = ttl_secs.map(|s| now + s);
        let id = self.audited(|tx, _| {
            tx.execute(
                "INSERT INTO api_tokens(token_hash, prefix, user_id, tenant_id, name, created_at, expires_at) VALUES (?1,?2,?3,?4,?5,?6,?7)",
                params![token_hash, prefix, user.0, scope.tenant().as_str(), name, now, expires],
            )?;
            let id = tx.last_insert_rowid();
            let event = actor
                .clone()
                .tenant(scope.tenant())
                .action(AuditAction::ApiTokenCreated)
                .target(format!("token:{id}"))
                .detail(serde_json::json!({"name": name}));
            Ok((id, event))
        })?;
        Ok(ApiTokenRecord {
            id,
            prefix: prefix.into(),
            user_id: user,
            tenant_id: scope.tenant().clone(),
            name: name.into(),
            created_at: now,
            expires_at: expires,
            last_used_at: None,
            revoked_at: None,
        })
    }

    /// A usable token by its hash (not revoked, not expired); marks it used.
    pub fn api_token_by_hash(&self, token_hash: &str) -> Result<Option<ApiTokenRecord>, MetaError> {
        let now = self.now();
        let conn = self.conn();
        let t = conn
            .query_row(
                &format!("SELECT {COLS} FROM api_tokens WHERE token_hash = ?1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?2)"),
                params![token_hash, now],
                row_to_token,
            )
            .optional()?;
        if let Some(t) = &t
            && t.last_used_at.is_none_or(|u| now - u >= 60)
        {
            conn.execute(
                "UPDATE api_tokens SET last_used_at = ?1 WHERE id = ?2",
                params![now, t.id],
            )?;
        }
        Ok(t)
    }

    /// Tokens visible to the caller: their own, or all of the tenant's for admins.
    pub fn list_api_tokens(&self, scope: &TenantScope) -> Result<Vec<ApiTokenRecord>, MetaError> {
        let conn = self.conn();
        let all = scope.can(Permission::ManageTenant);
        let mut st = conn.prepare(&format!("SELECT {COLS} FROM api_tokens WHERE tenant_id = ?1 AND (?2 OR user_id = ?3) ORDER BY id DESC"))?;
        let rows = st
            .query_map(
                params![
                    scope.tenant().as_str(),
                    all,
                    scope.user().map(|u| u.0).unwrap_or(-1)
                ],
                row_to_token,
            )?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    /// Revoke one token of the scope's tenant: its owner or an admin may. Anything else,
    /// including another tenant's token id, is `NotFound`.
    pub fn revoke_api_token(
        &self,
        scope: &TenantScope,
        id: i64,
        actor: &AuditEvent,
    ) -> Result<(), MetaError> {
        let now = self.now();
        let all = scope.can(Permission::ManageTenant);
        self.audited(|tx, _| {
            let n = tx.execute(
                "UPDATE api_tokens SET revoked_at = ?1 WHERE id = ?2 AND tenant_id = ?3 AND (?4 OR user_id = ?5) AND revoked_at IS NULL",
                params![now, id, scope.tenant().as_str(), all, scope.user().map(|u| u.0).unwrap_or(-1)],
            )?;
            if n == 0 {
                return Err(MetaError::NotFound("token"));
            }
            let event = actor
                .clone()
                .tenant(scope.tenant())
                .action(AuditAction::ApiTokenRevoked)
                .target(format!("token:{id}"));
            Ok(((), event))
        })
    }
}
