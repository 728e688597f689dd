//! Users, memberships and per-user MFA state. Password hashes and TOTP secrets are read
//! through dedicated methods and never sit in the `User` value handed to the web layer.

use crate::{AuditAction, AuditEvent, MetaError, MetaStore, TenantScope, audit};
use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use sr360_core::{Permission, Role, TenantId, UserId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MfaState {
    Off,
    /// A secret was generated but never confirmed with a code.
    Enrolling,
    On,
}

#[derive(Debug, Clone, Serialize)]
pub struct User {
    pub id: UserId,
    pub email: String,
    pub display_name: String,
    pub is_operator: bool,
    pub locale: String,
    pub theme: String,
    pub mfa: MfaState,
    pub failed_logins: i64,
    pub locked_until: i64,
    pub created_at: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Membership {
    pub tenant_id: TenantId,
    pub tenant_name: String,
    pub user_id: UserId,
    pub email: String,
    pub display_name: String,
    pub role: Role,
}

const USER_COLS: &str = "id, email, display_name, is_operator, locale, theme, totp_secret IS NOT NULL, totp_enabled, failed_logins, locked_until, created_at";

fn row_to_user(r: &rusqlite::Row<'_>) -> rusqlite::Result<User> {
    let has_secret: bool = r.get(6)?;
    let enabled: bool = r.get(7)?;
    Ok(User {
        id: UserId(r.get(0)?),
        email: r.get(1)?,
        display_name: r.get(2)?,
        is_operator: r.get(3)?,
        locale: r.get(4)?,
        theme: r.get(5)?,
        mfa: match (has_secret, enabled) {
            (_, true) => MfaState::On,
            (true, false) => MfaState::Enrolling,
            _ => MfaState::Off,
        },
        failed_logins: r.get(8)?,
        locked_until: r.get(9)?,
        created_at: r.get(10)?,
    })
}

/// Normalise and sanity-check an e-mail address (a full RFC 5322 parse buys nothing here).
pub fn normalize_email(email: &str) -> Result<String, MetaError> {
    let e = email.trim().to_lowercase();
    let ok = e.len() <= 254
        && e.split_once('@').is_some_and(|(l, d)| {
            !l.is_empty() && d.contains('.') && !d.starts_with('.') && !d.ends_with('.')
        })
        && !e.chars().any(|c| c.is_whitespace() || c.is_control());
    if ok {
        Ok(e)
    } else {
        Err(MetaError::Invalid("enter a valid e-mail address".into()))
    }
}

fn check_name(n: &str) -> Result<String, MetaError> {
    let n = n.trim();
    if n.is_empty() || n.chars().count() > 100 || n.chars().any(char::is_control) {
        return Err(MetaError::Invalid(
            "name must be 1 to 100 characters".into(),
        ));
    }
    Ok(n.to_string())
}

/// A sign-up's shop name and owner's name as they will be stored, or why they cannot be.
pub fn check_signup_names(
    shop_name: &str,
    display_name: &str,
) -> Result<(String, String), MetaError> {
    let display_name = check_name(display_name)?;
    let shop_name = shop_name.trim();
    // No control characters: the name goes into e-mail subjects and file names.
    if shop_name.is_empty()
        || shop_name.chars().count() > 120
        || shop_name.chars().any(char::is_control)
    {
        return Err(MetaError::Invalid(
            "shop name must be 1 to 120 characters".into(),
        ));
    }
    Ok((shop_name.to_string(), display_name))
}

impl MetaStore {
    fn insert_user(
        tx: &rusqlite::Transaction<'_>,
        now: i64,
        email: &str,
        name: &str,
        hash: &str,
        operator: bool,
    ) -> Result<UserId, MetaError> {
        tx.execute(
            "INSERT INTO users(email, display_name, password_hash, is_operator, created_at) VALUES (?1,?2,?3,?4,?5)",
            params![email, name, hash, operator, now],
        )
        .map_err(|e| MetaError::unique_to_conflict(e, "an account with this e-mail"))?;
        Ok(UserId(tx.last_insert_rowid()))
    }

    /// Sign-up: a new tenant, its owner account and the membership, all or nothing. With
    /// `first_only`, only while the server has no shop at all (checked in the same
    /// transaction, so two first sign-ups at once cannot both win).
    #[expect(clippy::too_many_arguments, reason = "one row of each of three tables")]
    pub fn signup(
        &self,
        tenant: &TenantId,
        shop_name: &str,
        email: &str,
        display_name: &str,
        password_hash: &str,
        ip: &str,
        first_only: bool,
    ) -> Result<UserId, MetaError> {
        let email = normalize_email(email)?;
        let (shop_name, display_name) = check_signup_names(shop_name, display_name)?;
        let shop_name = shop_name.as_str();
        let now = self.now();
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        if first_only {
            let shops: i64 = tx.query_row("SELECT COUNT(*) FROM tenants", [], |r| r.get(0))?;
            if shops > 0 {
                return Err(MetaError::SignupClosed);
            }
        }
        tx.execute(
            "INSERT INTO tenants(id, name, created_at) VALUES (?1,?2,?3)",
            params![tenant.as_str(), shop_name, now],
        )
        .map_err(|e| MetaError::unique_to_conflict(e, "a shop with this id"))?;
        let uid = Self::insert_user(&tx, now, &email, &display_name, password_hash, false)?;
        tx.execute("INSERT INTO memberships(user_id, tenant_id, role, created_at) VALUES (?1,?2,'owner',?3)", params![uid.0, tenant.as_str(), now])?;
        let ev = AuditEvent::by_user(uid, &email, ip).tenant(tenant);
        audit::insert(
            &tx,
            now,
            &ev.clone()
                .action(AuditAction::TenantCreated)
                .target(tenant.as_str()),
        )?;
        audit::insert(
            &tx,
            now,
            &ev.action(AuditAction::Signup)
                .target(format!("user:{}", uid.0)),
        )?;
        tx.commit()?;
        Ok(uid)
    }

    /// Create an account (CLI, invitations). Optionally make it a member of a tenant.
    pub fn create_user(
        &self,
        email: &str,
        display_name: &str,
        password_hash: &str,
        operator: bool,
        member_of: Option<(&TenantScope, Role)>,
        actor: &AuditEvent,
    ) -> Result<UserId, MetaError> {
        let email = normalize_email(email)?;
        let display_name = check_name(display_name)?;
        if let Some((scope, role)) = member_of {
            Self::check_can_grant(scope, role)?;
        }
        let now = self.now();
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let uid = Self::insert_user(&tx, now, &email, &display_name, password_hash, operator)?;
        let mut ev = actor
            .clone()
            .action(AuditAction::UserCreated)
            .target(format!("user:{}", uid.0))
            .detail(serde_json::json!({"email": email, "operator": operator}));
        if let Some((scope, role)) = member_of {
            tx.execute("INSERT INTO memberships(user_id, tenant_id, role, created_at) VALUES (?1,?2,?3,?4)", params![uid.0, scope.tenant().as_str(), role.as_str(), now])?;
            ev = ev.tenant(scope.tenant());
            audit::insert(
                &tx,
                now,
                &ev.clone()
                    .action(AuditAction::MemberAdded)
                    .detail(serde_json::json!({"role": role.as_str()})),
            )?;
        }
        audit::insert(&tx, now, &ev)?;
        tx.commit()?;
        Ok(uid)
    }

    fn check_can_grant(scope: &TenantScope, role: Role) -> Result<(), MetaError> {
        let need = if role == Role::Owner {
            Permission::OwnTenant
        } else {
            Permission::ManageTenant
        };
        if scope.can(need) {
            Ok(())
        } else {
            Err(MetaError::Invalid(
                "your role may not grant this role".into(),
            ))
        }
    }

    pub fn user(&self, id: UserId) -> Result<Option<User>, MetaError> {
        Ok(self
            .conn()
            .query_row(
                &format!("SELECT {USER_COLS} FROM users WHERE id = ?1"),
                [id.0],
                row_to_user,
            )
            .optional()?)
    }

    pub fn user_by_email(&self, email: &str) -> Result<Option<User>, MetaError> {
        let Ok(email) = normalize_email(email) else {
            return Ok(None);
        };
        Ok(self
            .conn()
            .query_row(
                &format!("SELECT {USER_COLS} FROM users WHERE email = ?1"),
                [email],
                row_to_user,
            )
            .optional()?)
    }

    pub fn list_users(&self) -> Result<Vec<User>, MetaError> {
        let conn = self.conn();
        let mut st = conn.prepare(&format!("SELECT {USER_COLS} FROM users ORDER BY id"))?;
        let rows = st
            .query_map([], row_to_user)?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    pub fn password_hash(&self, id: UserId) -> Result<Option<String>, MetaError> {
        Ok(self
            .conn()
            .query_row(
                "SELECT password_hash FROM users WHERE id = ?1",
                [id.0],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Replace the password hash; every session and token of the user ends with it.
    pub fn set_password_hash(
        &self,
        id: UserId,
        hash: &str,
        actor: &AuditEvent,
        action: AuditAction,
    ) -> Result<(), MetaError> {
        let now = self.now();
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let n = tx.execute("UPDATE users SET password_hash = ?1, failed_logins = 0, locked_until = 0 WHERE id = ?2", params![hash, id.0])?;
        if n == 0 {
            return Err(MetaError::NotFound("user"));
        }
        tx.execute("DELETE FROM sessions WHERE user_id = ?1", [id.0])?;
        tx.execute(
            "UPDATE api_tokens SET revoked_at = ?1 WHERE user_id = ?2 AND revoked_at IS NULL",
            params![now, id.0],
        )?;
        audit::insert(
            &tx,
            now,
            &actor
                .clone()
                .action(action)
                .target(format!("user:{}", id.0)),
        )?;
        tx.commit()?;
        Ok(())
    }

    pub fn set_preferences(&self, id: UserId, locale: &str, theme: &str) -> Result<(), MetaError> {
        self.conn().execute(
            "UPDATE users SET locale = ?1, theme = ?2 WHERE id = ?3",
            params![locale, theme, id.0],
        )?;
        Ok(())
    }

    /// Count a failed password; lock the account when the threshold is reached.
    /// Returns true when this failure locked it.
    pub fn record_failed_login(
        &self,
        id: UserId,
        threshold: u32,
        lock_secs: i64,
        ip: &str,
    ) -> Result<bool, MetaError> {
        let now = self.now();
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let failed: i64 = tx.query_row("UPDATE users SET failed_logins = failed_logins + 1 WHERE id = ?1 RETURNING failed_logins", [id.0], |r| r.get(0))?;
        let locked = failed >= i64::from(threshold);
        if locked {
            tx.execute(
                "UPDATE users SET locked_until = ?1, failed_logins = 0 WHERE id = ?2",
                params![now + lock_secs, id.0],
            )?;
            audit::insert(
                &tx,
                now,
                &AuditEvent::anonymous(ip)
                    .action(AuditAction::AccountLocked)
                    .target(format!("user:{}", id.0))
                    .detail(serde_json::json!({"minutes": lock_secs / 60})),
            )?;
        }
        tx.commit()?;
        Ok(locked)
    }

    pub fn clear_failed_logins(&self, id: UserId) -> Result<(), MetaError> {
        self.conn()
            .execute("UPDATE users SET failed_logins = 0 WHERE id = ?1", [id.0])?;
        Ok(())
    }

    // ---- memberships ----

    pub fn memberships_of(&self, user: UserId) -> Result<Vec<Membership>, MetaError> {
        let conn = self.conn();
        let mut st = conn.prepare(
            "SELECT m.tenant_id, t.name, u.id, u.email, u.display_name, m.role FROM memberships m
             JOIN tenants t ON t.id = m.tenant_id JOIN users u ON u.id = m.user_id
             WHERE m.user_id = ?1 ORDER BY t.name",
        )?;
        let rows = st
            .query_map([user.0], row_to_membership)?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    pub fn members(&self, scope: &TenantScope) -> Result<Vec<Membership>, MetaError> {
        let conn = self.conn();
        let mut st = conn.prepare(
            "SELECT m.tenant_id, t.name, u.id, u.email, u.display_name, m.role FROM memberships m
             JOIN tenants t ON t.id = m.tenant_id JOIN users u ON u.id = m.user_id
             WHERE m.tenant_id = ?1 ORDER BY u.email",
        )?;
        let rows = st
            .query_map([scope.tenant().as_str()], row_to_membership)?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    /// Change a member's role within the scope's tenant. A user of another tenant is
    /// `NotFound`, exactly like a user that does not exist. The last owner stays an owner.
    pub fn set_role(
        &self,
        scope: &TenantScope,
        member: UserId,
        role: Role,
        actor: &AuditEvent,
    ) -> Result<Role, MetaError> {
        if !scope.can(Permission::ManageTenant) {
            return Err(MetaError::Invalid("your role may not change roles".into()));
        }
        let now = self.now();
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let current: Option<String> = tx
            .query_row(
                "SELECT role FROM memberships WHERE user_id = ?1 AND tenant_id = ?2",
                params![member.0, scope.tenant().as_str()],
                |r| r.get(0),
            )
            .optional()?;
        let current = current
            .and_then(|r| Role::parse(&r))
            .ok_or(MetaError::NotFound("member"))?;
        if (current == Role::Owner || role == Role::Owner) && !scope.can(Permission::OwnTenant) {
            return Err(MetaError::Invalid(
                "only an owner may grant or remove the owner role".into(),
            ));
        }
        if current == Role::Owner && role != Role::Owner {
            let owners: i64 = tx.query_row(
                "SELECT count(*) FROM memberships WHERE tenant_id = ?1 AND role = 'owner'",
                [scope.tenant().as_str()],
                |r| r.get(0),
            )?;
            if owners <= 1 {
                return Err(MetaError::Invalid("a shop needs at least one owner".into()));
            }
        }
        tx.execute(
            "UPDATE memberships SET role = ?1 WHERE user_id = ?2 AND tenant_id = ?3",
            params![role.as_str(), member.0, scope.tenant().as_str()],
        )?;
        audit::insert(
            &tx,
            now,
            &actor
                .clone()
                .tenant(scope.tenant())
                .action(AuditAction::RoleChanged)
                .target(format!("user:{}", member.0))
                .detail(serde_json::json!({"from": current.as_str(), "to": role.as_str()})),
        )?;
        tx.commit()?;
        Ok(current)
    }

    /// Add an existing account to the scope's tenant.
    pub fn add_member(
        &self,
        scope: &TenantScope,
        user: UserId,
        role: Role,
        actor: &AuditEvent,
    ) -> Result<(), MetaError> {
        Self::check_can_grant(scope, role)?;
        let now = self.now();
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute(
            "INSERT INTO memberships(user_id, tenant_id, role, created_at) VALUES (?1,?2,?3,?4)",
            params![user.0, scope.tenant().as_str(), role.as_str(), now],
        )
        .map_err(|e| MetaError::unique_to_conflict(e, "membership"))?;
        audit::insert(
            &tx,
            now,
            &actor
                .clone()
                .tenant(scope.tenant())
                .action(AuditAction::MemberAdded)
                .target(format!("user:{}", user.0))
                .detail(serde_json::json!({"role": role.as_str()})),
        )?;
        tx.commit()?;
        Ok(())
    }

    // ---- MFA ----

    /// Store a fresh, unconfirmed TOTP secret (replacing an unconfirmed one).
    pub fn begin_totp(&self, id: UserId, secret: &[u8]) -> Result<(), MetaError> {
        let n = self.conn().execute("UPDATE users SET totp_secret = ?1, totp_enabled = 0, totp_last_step = 0 WHERE id = ?2 AND totp_enabled = 0", params![secret, id.0])?;
        if n == 0 {
            Err(MetaError::Invalid(
                "two-factor authentication is already on".into(),
            ))
        } else {
            Ok(())
        }
    }

    pub fn totp_secret(&self, id: UserId) -> Result<Option<Vec<u8>>, MetaError> {
        Ok(self
            .conn()
            .query_row("SELECT totp_secret FROM users WHERE id = ?1", [id.0], |r| {
                r.get(0)
            })
            .optional()?
            .flatten())
    }

    /// Atomically accept a TOTP time step only if it is newer than the last accepted one:
    /// this is what makes a code single-use.
    pub fn consume_totp_step(&self, id: UserId, step: i64) -> Result<bool, MetaError> {
        let n = self.conn().execute(
            "UPDATE users SET totp_last_step = ?1 WHERE id = ?2 AND totp_last_step < ?1",
            params![step, id.0],
        )?;
        Ok(n == 1)
    }

    /// Confirm enrolment: turn MFA on and replace the recovery codes.
    pub fn enable_totp(
        &self,
        id: UserId,
        recovery_hashes: &[String],
        actor: &AuditEvent,
    ) -> Result<(), MetaError> {
        let now = self.now();
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let n = tx.execute(
            "UPDATE users SET totp_enabled = 1 WHERE id = ?1 AND totp_secret IS NOT NULL",
            [id.0],
        )?;
        if n == 0 {
            return Err(MetaError::Invalid(
                "start two-factor enrolment first".into(),
            ));
        }
        set_recovery_codes(&tx, id, recovery_hashes)?;
        audit::insert(
            &tx,
            now,
            &actor
                .clone()
                .action(AuditAction::MfaEnabled)
                .target(format!("user:{}", id.0)),
        )?;
        tx.commit()?;
        Ok(())
    }

    pub fn disable_totp(&self, id: UserId, actor: &AuditEvent) -> Result<(), MetaError> {
        let now = self.now();
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute("UPDATE users SET totp_enabled = 0, totp_secret = NULL, totp_last_step = 0 WHERE id = ?1", [id.0])?;
        tx.execute("DELETE FROM recovery_codes WHERE user_id = ?1", [id.0])?;
        audit::insert(
            &tx,
            now,
            &actor
                .clone()
                .action(AuditAction::MfaDisabled)
                .target(format!("user:{}", id.0)),
        )?;
        tx.commit()?;
        Ok(())
    }

    pub fn replace_recovery_codes(
        &self,
        id: UserId,
        hashes: &[String],
        actor: &AuditEvent,
    ) -> Result<(), MetaError> {
        let now = self.now();
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        set_recovery_codes(&tx, id, hashes)?;
        audit::insert(
            &tx,
            now,
            &actor
                .clone()
                .action(AuditAction::RecoveryCodesRegenerated)
                .target(format!("user:{}", id.0)),
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Use a recovery code once. Returns false when unknown or already used.
    pub fn consume_recovery_code(&self, id: UserId, hash: &str) -> Result<bool, MetaError> {
        let now = self.now();
        let n = self.conn().execute("UPDATE recovery_codes SET used_at = ?1 WHERE user_id = ?2 AND code_hash = ?3 AND used_at IS NULL", params![now, id.0, hash])?;
        Ok(n == 1)
    }

    pub fn recovery_codes_left(&self, id: UserId) -> Result<i64, MetaError> {
        Ok(self.conn().query_row(
            "SELECT count(*) FROM recovery_codes WHERE user_id = ?1 AND used_at IS NULL",
            [id.0],
            |r| r.get(0),
        )?)
    }
}

/// Replace a user's recovery codes inside a transaction.
fn set_recovery_codes(
    tx: &rusqlite::Transaction<'_>,
    id: UserId,
    hashes: &[String],
) -> Result<(), MetaError> {
    tx.execute("DELETE FROM recovery_codes WHERE user_id = ?1", [id.0])?;
    for h in hashes {
        tx.execute(
            "INSERT INTO recovery_codes(user_id, code_hash) VALUES (?1, ?2)",
            params![id.0, h],
        )?;
    }
    Ok(())
}

fn row_to_membership(r: &rusqlite::Row<'_>) -> rusqlite::Result<Membership> {
    let t: String = r.get(0)?;
    let role: String = r.get(5)?;
    Ok(Membership {
        tenant_id: TenantId::parse(&t).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
        })?,
        tenant_name: r.get(1)?,
        user_id: UserId(r.get(2)?),
        email: r.get(3)?,
        display_name: r.get(4)?,
        role: Role::parse(&role).unwrap_or(Role::Viewer),
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_shop_name_holds_no_line_breaks() {
        assert!(super::check_signup_names("Shop\r\nBcc: x@example.com", "Ann").is_err());
        assert_eq!(
            super::check_signup_names("  Nordic Knits ", "Ann").unwrap(),
            ("Nordic Knits".to_string(), "Ann".to_string())
        );
    }
}
