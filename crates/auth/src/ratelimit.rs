//! Rate limits on the credential endpoints (login, TOTP, token), per client IP and per
//! account, as GCRA buckets from `governor`. Keyed state is kept in memory and pruned;
//! a restart forgets it, the persistent lockout in meta.sqlite does not.

use crate::AuthError;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::num::NonZeroU32;

pub struct RateLimits {
    per_ip: DefaultKeyedRateLimiter<String>,
    per_account: DefaultKeyedRateLimiter<String>,
    clock: DefaultClock,
}

impl std::fmt::Debug for RateLimits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RateLimits")
    }
}

impl RateLimits {
    pub fn new(per_ip_per_minute: u32, per_account_per_minute: u32) -> Self {
        let q = |n: u32| Quota::per_minute(NonZeroU32::new(n.max(1)).unwrap_or(NonZeroU32::MIN));
        Self {
            per_ip: RateLimiter::keyed(q(per_ip_per_minute)),
            per_account: RateLimiter::keyed(q(per_account_per_minute)),
            clock: DefaultClock::default(),
        }
    }

    /// Count one attempt from `ip` on `account` (an e-mail or user id; None for anonymous).
    pub fn check(&self, ip: &str, account: Option<&str>) -> Result<(), AuthError> {
        let retry =
            |nu: governor::NotUntil<governor::clock::QuantaInstant>| AuthError::RateLimited {
                retry_after_secs: nu.wait_time_from(self.clock.now()).as_secs().max(1),
            };
        self.per_ip.check_key(&ip.to_string()).map_err(retry)?;
        if let Some(a) = account {
            self.per_account
                .check_key(&a.to_lowercase())
                .map_err(retry)?;
        }
        Ok(())
    }

    /// Drop buckets that are full again (call now and then).
    pub fn prune(&self) {
        self.per_ip.retain_recent();
        self.per_account.retain_recent();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn limits_ip_and_account_separately() {
        let r = RateLimits::new(5, 2);
        assert!(r.check("1.1.1.1", Some("a@x.io")).is_ok());
        assert!(r.check("1.1.1.1", Some("A@x.io")).is_ok());
        match r.check("2.2.2.2", Some("a@x.io")) {
            Err(AuthError::RateLimited { retry_after_secs }) => assert!(retry_after_secs >= 1),
            other => panic!("{other:?}"),
        }
        assert!(r.check("1.1.1.1", Some("b@x.io")).is_ok());
    }
}
