//! The append-only audit log. Rows are only ever inserted (SQLite triggers refuse UPDATE and
//! DELETE), and state changes write their audit row in the same transaction as the change.

use crate::{MetaError, MetaStore, TenantScope};
use rusqlite::{Transaction, params};
use serde::Serialize;
use sr360_core::{TenantId, UserId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    Signup,
    Login,
    LoginFailed,
    Logout,
    AccountLocked,
    MfaEnabled,
    MfaDisabled,
    MfaFailed,
    RecoveryCodeUsed,
    RecoveryCodesRegenerated,
    TenantCreated,
    UserCreated,
    MemberAdded,
    RoleChanged,
    PasswordReset,
    PasswordChanged,
    ApiTokenCreated,
    ApiTokenRevoked,
    PreferencesChanged,
    UploadReceived,
    UploadSucceeded,
    UploadFailed,
    UploadDiscarded,
    MappingSaved,
    ReportExported,
    ReportDeleted,
    ModelsRequested,
    SqlRun,
    SqlRefused,
}

impl AuditAction {
    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::Signup => "signup",
            AuditAction::Login => "login",
            AuditAction::LoginFailed => "login_failed",
            AuditAction::Logout => "logout",
            AuditAction::AccountLocked => "account_locked",
            AuditAction::MfaEnabled => "mfa_enabled",
            AuditAction::MfaDisabled => "mfa_disabled",
            AuditAction::MfaFailed => "mfa_failed",
            AuditAction::RecoveryCodeUsed => "recovery_code_used",
            AuditAction::RecoveryCodesRegenerated => "recovery_codes_regenerated",
            AuditAction::TenantCreated => "tenant_created",
            AuditAction::UserCreated => "user_created",
            AuditAction::MemberAdded => "member_added",
            AuditAction::RoleChanged => "role_changed",
            AuditAction::PasswordReset => "password_reset",
            AuditAction::PasswordChanged => "password_changed",
            AuditAction::ApiTokenCreated => "api_token_created",
            AuditAction::ApiTokenRevoked => "api_token_revoked",
            AuditAction::PreferencesChanged => "preferences_changed",
            AuditAction::UploadReceived => "upload_received",
            AuditAction::UploadSucceeded => "upload_succeeded",
            AuditAction::UploadFailed => "upload_failed",
            AuditAction::UploadDiscarded => "upload_discarded",
            AuditAction::MappingSaved => "mapping_saved",
            AuditAction::ReportExported => "report_exported",
            AuditAction::ReportDeleted => "report_deleted",
            AuditAction::ModelsRequested => "models_requested",
            AuditAction::SqlRun => "sql_run",
            AuditAction::SqlRefused => "sql_refused",
        }
    }
}

/// The actor recorded for the server's own work.
pub const SYSTEM_ACTOR: &str = "system";

/// Who did what from where. Built up by the caller, completed by the store.
#[derive(Debug, Clone)]
pub struct AuditEvent {
    pub tenant: Option<TenantId>,
    pub actor_user: Option<UserId>,
    pub actor: String,
    pub action: Option<AuditAction>,
    pub target: String,
    pub ip: String,
    pub detail: serde_json::Value,
}

impl AuditEvent {
    /// An action by a signed-in (or identified) user.
    pub fn by_user(user: UserId, label: &str, ip: &str) -> Self {
        Self {
            tenant: None,
            actor_user: Some(user),
            actor: label.to_string(),
            action: None,
            target: String::new(),
            ip: ip.to_string(),
            detail: serde_json::json!({}),
        }
    }
    /// An action from the command line on this machine.
    pub fn cli() -> Self {
        let who = std::env::var("USER").unwrap_or_else(|_| "unknown".into());
        Self {
            tenant: None,
            actor_user: None,
            actor: format!("cli:{who}"),
            action: None,
            target: String::new(),
            ip: "local".into(),
            detail: serde_json::json!({}),
        }
    }
    /// Work the server does on its own (remembering a mapping while loading an upload).
    pub fn system() -> Self {
        Self {
            tenant: None,
            actor_user: None,
            actor: SYSTEM_ACTOR.into(),
            action: None,
            target: String::new(),
            ip: "local".into(),
            detail: serde_json::json!({}),
        }
    }
    /// An attempt by someone not (yet) identified.
    pub fn anonymous(ip: &str) -> Self {
        Self {
            tenant: None,
            actor_user: None,
            actor: "anonymous".into(),
            action: None,
            target: String::new(),
            ip: ip.to_string(),
            detail: serde_json::json!({}),
        }
    }
    pub fn tenant(mut self, t: &TenantId) -> Self {
        self.tenant = Some(t.clone());
        self
    }
    pub fn action(mut self, a: AuditAction) -> Self {
        self.action = Some(a);
        self
    }
    pub fn target(mut self, t: impl Into<String>) -> Self {
        self.target = t.into();
        self
    }
    pub fn detail(mut self, d: serde_json::Value) -> Self {
        self.detail = d;
        self
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct AuditEntry {
    pub id: i64,
    pub at: i64,
    pub tenant_id: Option<String>,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub ip: String,
    pub detail: String,
}

pub(crate) fn insert(tx: &Transaction<'_>, now: i64, e: &AuditEvent) -> Result<(), MetaError> {
    let action = e
        .action
        .ok_or_else(|| MetaError::Invalid("audit event without action".into()))?;
    tx.execute(
        "INSERT INTO audit_log(at, tenant_id, actor_user_id, actor, action, target, ip, detail) VALUES (?1,?2,?3,?4,?5,?6,?7,?8)",
        params![now, e.tenant.as_ref().map(|t| t.as_str()), e.actor_user.map(|u| u.0), e.actor, action.as_str(), e.target, e.ip, e.detail.to_string()],
    )?;
    Ok(())
}

impl MetaStore {
    /// Record an event that has no other state change attached to it.
    pub fn audit(&self, e: &AuditEvent) -> Result<(), MetaError> {
        let now = self.now();
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        insert(&tx, now, e)?;
        tx.commit()?;
        Ok(())
    }

    /// The newest audit rows of the scope's tenant.
    pub fn audit_for_tenant(
        &self,
        scope: &TenantScope,
        before_id: Option<i64>,
        limit: u32,
    ) -> Result<Vec<AuditEntry>, MetaError> {
        let conn = self.conn();
        let mut st = conn.prepare(
            "SELECT id, at, tenant_id, actor, action, target, ip, detail FROM audit_log
             WHERE tenant_id = ?1 AND id < ?2 ORDER BY id DESC LIMIT ?3",
        )?;
        let rows = st
            .query_map(
                params![
                    scope.tenant().as_str(),
                    before_id.unwrap_or(i64::MAX),
                    limit.min(500)
                ],
                |r| {
                    Ok(AuditEntry {
                        id: r.get(0)?,
                        at: r.get(1)?,
                        tenant_id: r.get(2)?,
                        actor: r.get(3)?,
                        action: r.get(4)?,
                        target: r.get(5)?,
                        ip: r.get(6)?,
                        detail: r.get(7)?,
                    })
                },
            )?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    /// Every audit row, newest first (platform operator, CLI).
    pub fn audit_all(&self, limit: u32) -> Result<Vec<AuditEntry>, MetaError> {
        let conn = self.conn();
        let mut st = conn.prepare("SELECT id, at, tenant_id, actor, action, target, ip, detail FROM audit_log ORDER BY id DESC LIMIT ?1")?;
        let rows = st
            .query_map([limit], |r| {
                Ok(AuditEntry {
                    id: r.get(0)?,
                    at: r.get(1)?,
                    tenant_id: r.get(2)?,
                    actor: r.get(3)?,
                    action: r.get(4)?,
                    target: r.get(5)?,
                    ip: r.get(6)?,
                    detail: r.get(7)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }
}
