//! Server-side sessions. The cookie carries a random id; only its SHA-256 is stored, so a
//! copy of meta.sqlite does not hand out live sessions. Logout, password change and expiry
//! remove the row, which is what actually ends the session.

use crate::{MetaError, MetaStore};
use rusqlite::{OptionalExtension, params};
use sr360_core::{TenantId, UserId};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionState {
    /// Password accepted, TOTP not yet: reaches nothing but the MFA prompt.
    MfaPending,
    Active,
}

impl SessionState {
    fn as_str(self) -> &'static str {
        match self {
            SessionState::MfaPending => "mfa_pending",
            SessionState::Active => "active",
        }
    }
}

#[derive(Debug, Clone)]
pub struct SessionRecord {
    pub id_hash: String,
    pub user_id: UserId,
    pub tenant_id: Option<TenantId>,
    pub state: SessionState,
    pub created_at: i64,
    pub expires_at: i64,
    pub last_seen_at: i64,
}

impl MetaStore {
    #[allow(clippy::too_many_arguments)]
    pub fn create_session(
        &self,
        id_hash: &str,
        user: UserId,
        tenant: Option<&TenantId>,
        state: SessionState,
        ttl_secs: i64,
        ip: &str,
        user_agent: &str,
    ) -> Result<SessionRecord, MetaError> {
        let now = self.now();
        let ua: String = user_agent.chars().take(400).collect();
        self.conn().execute(
            "INSERT INTO sessions(id_hash, user_id, tenant_id, state, created_at, expires_at, last_seen_at, ip, user_agent) VALUES (?1,?2,?3,?4,?5,?6,?5,?7,?8)",
            params![id_hash, user.0, tenant.map(|t| t.as_str()), state.as_str(), now, now + ttl_secs, ip, ua],
        )?;
        Ok(SessionRecord {
            id_hash: id_hash.to_string(),
            user_id: user,
            tenant_id: tenant.cloned(),
            state,
            created_at: now,
            expires_at: now + ttl_secs,
            last_seen_at: now,
        })
    }

    /// A live session, or None when unknown or expired (an expired row is deleted).
    pub fn session(&self, id_hash: &str) -> Result<Option<SessionRecord>, MetaError> {
        let now = self.now();
        let conn = self.conn();
        let rec = conn
            .query_row(
                "SELECT id_hash, user_id, tenant_id, state, created_at, expires_at, last_seen_at FROM sessions WHERE id_hash = ?1",
                [id_hash],
                |r| {
                    let t: Option<String> = r.get(2)?;
                    let s: String = r.get(3)?;
                    Ok(SessionRecord {
                        id_hash: r.get(0)?,
                        user_id: UserId(r.get(1)?),
                        tenant_id: t.and_then(|t| TenantId::parse(&t).ok()),
                        state: if s == "active" { SessionState::Active } else { SessionState::MfaPending },
                        created_at: r.get(4)?,
                        expires_at: r.get(5)?,
                        last_seen_at: r.get(6)?,
                    })
                },
            )
            .optional()?;
        match rec {
            Some(r) if r.expires_at <= now => {
                conn.execute("DELETE FROM sessions WHERE id_hash = ?1", [id_hash])?;
                Ok(None)
            }
            Some(r) => {
                if now - r.last_seen_at >= 60 {
                    conn.execute(
                        "UPDATE sessions SET last_seen_at = ?1 WHERE id_hash = ?2",
                        params![now, id_hash],
                    )?;
                }
                Ok(Some(r))
            }
            None => Ok(None),
        }
    }

    /// Replace a session by a new id (after MFA, on privilege change): the old id dies.
    pub fn rotate_session(
        &self,
        old_hash: &str,
        new_hash: &str,
        state: SessionState,
        ttl_secs: i64,
    ) -> Result<bool, MetaError> {
        let now = self.now();
        let n = self.conn().execute(
            "UPDATE sessions SET id_hash = ?1, state = ?2, created_at = ?3, expires_at = ?4, last_seen_at = ?3 WHERE id_hash = ?5",
            params![new_hash, state.as_str(), now, now + ttl_secs, old_hash],
        )?;
        Ok(n == 1)
    }

    pub fn set_session_tenant(&self, id_hash: &str, tenant: &TenantId) -> Result<(), MetaError> {
        self.conn().execute(
            "UPDATE sessions SET tenant_id = ?1 WHERE id_hash = ?2",
            params![tenant.as_str(), id_hash],
        )?;
        Ok(())
    }

    pub fn delete_session(&self, id_hash: &str) -> Result<bool, MetaError> {
        Ok(self
            .conn()
            .execute("DELETE FROM sessions WHERE id_hash = ?1", [id_hash])?
            == 1)
    }

    pub fn delete_user_sessions(&self, user: UserId) -> Result<usize, MetaError> {
        Ok(self
            .conn()
            .execute("DELETE FROM sessions WHERE user_id = ?1", [user.0])?)
    }

    /// Remove expired sessions; returns how many.
    pub fn purge_expired_sessions(&self) -> Result<usize, MetaError> {
        let now = self.now();
        Ok(self
            .conn()
            .execute("DELETE FROM sessions WHERE expires_at <= ?1", [now])?)
    }

    pub fn active_session_count(&self) -> Result<i64, MetaError> {
        let now = self.now();
        Ok(self.conn().query_row(
            "SELECT count(*) FROM sessions WHERE expires_at > ?1",
            [now],
            |r| r.get(0),
        )?)
    }
}
