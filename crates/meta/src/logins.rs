//! Login history: every attempt with time, IP and user agent. A successful login from an IP
//! prefix or device never seen for that user is flagged, so the notification centre can
//! show it.

use crate::{MetaError, MetaStore};
use rusqlite::params;
use serde::Serialize;
use sr360_core::UserId;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LoginOutcome {
    Success,
    /// Password right, waiting for the second factor.
    MfaRequired,
    BadPassword,
    BadTotp,
    Locked,
}

impl LoginOutcome {
    fn as_str(self) -> &'static str {
        match self {
            LoginOutcome::Success => "success",
            LoginOutcome::MfaRequired => "mfa_required",
            LoginOutcome::BadPassword => "bad_password",
            LoginOutcome::BadTotp => "bad_totp",
            LoginOutcome::Locked => "locked",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct LoginEvent {
    pub at: i64,
    pub ip: String,
    pub user_agent: String,
    pub device: String,
    pub outcome: String,
    pub new_prefix: bool,
    pub new_device: bool,
}

impl MetaStore {
    /// Record an attempt. For a success, returns (new IP prefix, new device) compared with
    /// the user's earlier successful logins; the first login ever is not flagged.
    pub fn record_login(
        &self,
        user: UserId,
        ip: &str,
        ip_prefix: &str,
        user_agent: &str,
        device: &str,
        outcome: LoginOutcome,
    ) -> Result<(bool, bool), MetaError> {
        let now = self.now();
        let ua: String = user_agent.chars().take(400).collect();
        let conn = self.conn();
        let (mut new_prefix, mut new_device) = (false, false);
        if outcome == LoginOutcome::Success {
            let (any, seen_prefix, seen_device): (i64, i64, i64) = conn.query_row(
                "SELECT count(*), coalesce(sum(ip_prefix = ?2), 0), coalesce(sum(device = ?3), 0) FROM login_events WHERE user_id = ?1 AND outcome = 'success'",
                params![user.0, ip_prefix, device],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )?;
            if any > 0 {
                new_prefix = seen_prefix == 0;
                new_device = seen_device == 0;
            }
        }
        conn.execute(
            "INSERT INTO login_events(user_id, at, ip, ip_prefix, user_agent, device, outcome, new_prefix, new_device) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9)",
            params![user.0, now, ip, ip_prefix, ua, device, outcome.as_str(), new_prefix, new_device],
        )?;
        Ok((new_prefix, new_device))
    }

    pub fn login_history(&self, user: UserId, limit: u32) -> Result<Vec<LoginEvent>, MetaError> {
        let conn = self.conn();
        let mut st = conn.prepare("SELECT at, ip, user_agent, device, outcome, new_prefix, new_device FROM login_events WHERE user_id = ?1 ORDER BY id DESC LIMIT ?2")?;
        let rows = st
            .query_map(params![user.0, limit], |r| {
                Ok(LoginEvent {
                    at: r.get(0)?,
                    ip: r.get(1)?,
                    user_agent: r.get(2)?,
                    device: r.get(3)?,
                    outcome: r.get(4)?,
                    new_prefix: r.get(5)?,
                    new_device: r.get(6)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }
}
