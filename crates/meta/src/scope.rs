//! The capability that unlocks a tenant's data. Its fields are private and the only
//! constructors live in this crate: one checks a membership row, the other is the explicit,
//! audited escape hatch for the command line and background jobs.

use crate::{MetaError, MetaStore};
use rusqlite::{OptionalExtension, params};
use sr360_core::{Permission, Role, TenantId, UserId};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantScope {
    tenant: TenantId,
    user: Option<UserId>,
    role: Role,
}

impl TenantScope {
    pub fn tenant(&self) -> &TenantId {
        &self.tenant
    }
    /// None for system scopes (CLI, jobs).
    pub fn user(&self) -> Option<UserId> {
        self.user
    }
    pub fn role(&self) -> Role {
        self.role
    }
    pub fn can(&self, p: Permission) -> bool {
        self.role.allows(p)
    }
}

impl MetaStore {
    /// The scope of `user` in `tenant`, or None when they are not a member.
    pub fn scope_for(
        &self,
        user: UserId,
        tenant: &TenantId,
    ) -> Result<Option<TenantScope>, MetaError> {
        let role: Option<String> = self
            .conn()
            .query_row(
                "SELECT role FROM memberships WHERE user_id = ?1 AND tenant_id = ?2",
                params![user.0, tenant.as_str()],
                |r| r.get(0),
            )
            .optional()?;
        Ok(role.and_then(|r| Role::parse(&r)).map(|role| TenantScope {
            tenant: tenant.clone(),
            user: Some(user),
            role,
        }))
    }

    /// Owner-level scope for the operator's own tools (CLI commands, background jobs).
    /// Fails when the tenant does not exist. Callers audit what they do with it.
    pub fn system_scope(&self, tenant: &TenantId) -> Result<TenantScope, MetaError> {
        self.tenant(tenant)?.ok_or(MetaError::NotFound("tenant"))?;
        Ok(TenantScope {
            tenant: tenant.clone(),
            user: None,
            role: Role::Owner,
        })
    }
}
