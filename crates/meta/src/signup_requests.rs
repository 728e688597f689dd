//! Sign-ups waiting for their e-mail address to be confirmed. Nothing of the shop exists
//! until the link is followed; the link's token is stored only as a hash and works once.

use crate::{MetaError, MetaStore};
use rusqlite::{OptionalExtension, params};

/// What a sign-up form asked for, kept until its address is confirmed.
#[derive(Clone)]
pub struct PendingSignup {
    pub email: String,
    pub shop_name: String,
    pub display_name: String,
    pub password_hash: String,
    pub ip: String,
}

impl std::fmt::Debug for PendingSignup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PendingSignup")
            .field("email", &self.email)
            .field("shop_name", &self.shop_name)
            .finish_non_exhaustive()
    }
}

/// Requests kept per address at most (each new one replaces the oldest beyond this).
const PER_EMAIL: i64 = 3;

impl MetaStore {
    /// Keep a sign-up until `expires_at` (unix seconds); expired ones are dropped on the way.
    pub fn put_signup_request(
        &self,
        token_hash: &str,
        p: &PendingSignup,
        expires_at: i64,
    ) -> Result<(), MetaError> {
        let now = self.now();
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute(
            "DELETE FROM signup_requests WHERE expires_at <= ?1",
            params![now],
        )?;
        tx.execute(
            "INSERT INTO signup_requests(token_hash, email, shop_name, display_name, password_hash, ip, created_at, expires_at)
             VALUES (?1,?2,?3,?4,?5,?6,?7,?8)",
            params![token_hash, p.email, p.shop_name, p.display_name, p.password_hash, p.ip, now, expires_at],
        )?;
        tx.execute(
            "DELETE FROM signup_requests WHERE email = ?1 AND token_hash NOT IN
               (SELECT token_hash FROM signup_requests WHERE email = ?1
                ORDER BY created_at DESC, rowid DESC LIMIT ?2)",
            params![p.email, PER_EMAIL],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The sign-up behind a link, removed as it is read (a link works once); `None` when
    /// unknown, used or expired.
    pub fn take_signup_request(
        &self,
        token_hash: &str,
    ) -> Result<Option<PendingSignup>, MetaError> {
        let now = self.now();
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let found = tx
            .query_row(
                "SELECT email, shop_name, display_name, password_hash, ip, expires_at
                 FROM signup_requests WHERE token_hash = ?1",
                params![token_hash],
                |r| {
                    Ok((
                        PendingSignup {
                            email: r.get(0)?,
                            shop_name: r.get(1)?,
                            display_name: r.get(2)?,
                            password_hash: r.get(3)?,
                            ip: r.get(4)?,
                        },
                        r.get::<_, i64>(5)?,
                    ))
                },
            )
            .optional()?;
        tx.execute(
            "DELETE FROM signup_requests WHERE token_hash = ?1",
            params![token_hash],
        )?;
        tx.commit()?;
        Ok(found.and_then(|(p, expires)| (expires > now).then_some(p)))
    }

    /// Whether any shop exists (sign-up of the first shop only).
    pub fn has_tenants(&self) -> Result<bool, MetaError> {
        let n: i64 = self
            .conn()
            .query_row("SELECT COUNT(*) FROM tenants", [], |r| r.get(0))?;
        Ok(n > 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sr360_core::ManualClock;
    use std::sync::Arc;

    fn pending(email: &str) -> PendingSignup {
        PendingSignup {
            email: email.into(),
            shop_name: "Shop".into(),
            display_name: "Ann".into(),
            password_hash: "h".into(),
            ip: "127.0.0.1".into(),
        }
    }

    #[test]
    fn a_link_works_once_and_not_after_it_expires() {
        let dir = tempfile::tempdir().unwrap();
        let clock = Arc::new(ManualClock::new(
            time::OffsetDateTime::from_unix_timestamp(1_000_000).unwrap(),
        ));
        let m = MetaStore::open(&dir.path().join("m.sqlite"), clock.clone()).unwrap();
        m.put_signup_request("t1", &pending("a@example.com"), 1_000_100)
            .unwrap();
        m.put_signup_request("t2", &pending("b@example.com"), 1_000_100)
            .unwrap();
        assert_eq!(
            m.take_signup_request("t1").unwrap().unwrap().email,
            "a@example.com"
        );
        assert!(m.take_signup_request("t1").unwrap().is_none(), "used twice");
        clock.advance(time::Duration::seconds(101));
        assert!(m.take_signup_request("t2").unwrap().is_none(), "expired");
        assert!(m.take_signup_request("nope").unwrap().is_none());
    }

    #[test]
    fn only_the_newest_requests_of_an_address_are_kept() {
        let dir = tempfile::tempdir().unwrap();
        let clock = Arc::new(ManualClock::new(
            time::OffsetDateTime::from_unix_timestamp(1_000_000).unwrap(),
        ));
        let m = MetaStore::open(&dir.path().join("m.sqlite"), clock.clone()).unwrap();
        for i in 0..5 {
            m.put_signup_request(&format!("t{i}"), &pending("a@example.com"), 2_000_000)
                .unwrap();
        }
        assert!(m.take_signup_request("t0").unwrap().is_none());
        assert!(m.take_signup_request("t1").unwrap().is_none());
        assert!(m.take_signup_request("t4").unwrap().is_some());
    }
}
