//! The copilot's history: each user's questions in a shop, with the answer's words, newest
//! first. Kept to the last [`KEEP`] per user and shop; the user may clear it.

use crate::{MetaError, MetaStore, TenantScope};
use rusqlite::params;
use serde::Serialize;
use sr360_core::UserId;

/// Questions kept per user and shop.
pub const KEEP: i64 = 200;

#[derive(Debug, Clone, Serialize)]
pub struct AskedQuestion {
    pub id: i64,
    pub question: String,
    /// The answer's words as they were given.
    pub answer: String,
    pub lang: String,
    /// Unix seconds.
    pub asked_at: i64,
}

impl MetaStore {
    /// Keep a question and its answer in `user`'s history of the scope's shop.
    pub fn remember_question(
        &self,
        scope: &TenantScope,
        user: UserId,
        question: &str,
        answer: &str,
        lang: &str,
    ) -> Result<(), MetaError> {
        let now = self.now();
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute(
            "INSERT INTO copilot_history(tenant_id, user_id, question, answer, lang, asked_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![scope.tenant().as_str(), user.0, question, answer, lang, now],
        )?;
        tx.execute(
            "DELETE FROM copilot_history WHERE tenant_id = ?1 AND user_id = ?2 AND id <= (
               SELECT id FROM copilot_history WHERE tenant_id = ?1 AND user_id = ?2
               ORDER BY id DESC LIMIT 1 OFFSET ?3)",
            params![scope.tenant().as_str(), user.0, KEEP],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// `user`'s latest questions in the scope's shop, newest first.
    pub fn asked_questions(
        &self,
        scope: &TenantScope,
        user: UserId,
        limit: u32,
    ) -> Result<Vec<AskedQuestion>, MetaError> {
        let conn = self.conn();
        let mut st = conn.prepare(
            "SELECT id, question, answer, lang, asked_at FROM copilot_history
             WHERE tenant_id = ?1 AND user_id = ?2 ORDER BY id DESC LIMIT ?3",
        )?;
        let v = st
            .query_map(params![scope.tenant().as_str(), user.0, limit], |r| {
                Ok(AskedQuestion {
                    id: r.get(0)?,
                    question: r.get(1)?,
                    answer: r.get(2)?,
                    lang: r.get(3)?,
                    asked_at: r.get(4)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(v)
    }

    /// Clear `user`'s history in the scope's shop; returns how many questions went.
    pub fn forget_questions(&self, scope: &TenantScope, user: UserId) -> Result<usize, MetaError> {
        Ok(self.conn().execute(
            "DELETE FROM copilot_history WHERE tenant_id = ?1 AND user_id = ?2",
            params![scope.tenant().as_str(), user.0],
        )?)
    }
}

#[cfg(test)]
mod tests {
    use crate::{AuditEvent, MetaStore};
    use sr360_core::{ManualClock, Role, TenantId};
    use std::sync::Arc;

    #[test]
    fn history_is_per_user_and_shop_bounded_and_clearable() {
        let dir = tempfile::tempdir().expect("tempdir");
        let clock = Arc::new(ManualClock::new(time::OffsetDateTime::UNIX_EPOCH));
        let m = MetaStore::open(&dir.path().join("meta.sqlite"), clock).expect("meta");
        let (a, b) = (
            TenantId::parse("shop-a").expect("id"),
            TenantId::parse("shop-b").expect("id"),
        );
        for t in [&a, &b] {
            m.create_tenant(t, "Shop", &AuditEvent::cli())
                .expect("tenant");
        }
        let sa = m.system_scope(&a).expect("scope");
        let sb = m.system_scope(&b).expect("scope");
        let u = m
            .create_user(
                "u@example.com",
                "U",
                "x",
                false,
                Some((&sa, Role::Owner)),
                &AuditEvent::cli(),
            )
            .expect("user");
        for i in 0..(super::KEEP + 5) {
            m.remember_question(&sa, u, &format!("q{i}"), "a", "en")
                .expect("remember");
        }
        m.remember_question(&sb, u, "other shop", "a", "en")
            .expect("remember");
        let h = m.asked_questions(&sa, u, 500).expect("list");
        assert_eq!(h.len() as i64, super::KEEP);
        assert_eq!(h[0].question, format!("q{}", super::KEEP + 4));
        assert_eq!(
            m.forget_questions(&sa, u).expect("forget"),
            super::KEEP as usize
        );
        assert!(m.asked_questions(&sa, u, 10).expect("list").is_empty());
        assert_eq!(m.asked_questions(&sb, u, 10).expect("list").len(), 1);
    }
}
