//! argon2id password hashing. Hashing is CPU-bound (tens of ms by design), so callers run it
//! on the blocking pool; the PHC string stores its own parameters, so raising the cost later
//! keeps old hashes verifiable.

use crate::AuthError;
use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use sr360_core::Entropy;
use sr360_core::entropy::random_bytes;

#[derive(Clone)]
pub struct PasswordHasher {
    params: Params,
    /// argon2 verifications run, known account or not (tests and metrics read it).
    verifications: std::sync::Arc<std::sync::atomic::AtomicU64>,
    /// A hash of a random password, verified when the account does not exist so both
    /// paths cost the same.
    dummy: String,
}

impl std::fmt::Debug for PasswordHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasswordHasher")
            .field("m_kib", &self.params.m_cost())
            .field("t", &self.params.t_cost())
            .finish()
    }
}

impl PasswordHasher {
    pub fn new(
        memory_kib: u32,
        iterations: u32,
        lanes: u32,
        e: &dyn Entropy,
    ) -> Result<Self, AuthError> {
        let params = Params::new(memory_kib, iterations, lanes, None)
            .map_err(|e| AuthError::Internal(e.to_string()))?;
        let mut me = Self {
            params,
            dummy: String::new(),
            verifications: Default::default(),
        };
        let pw = hex::encode(random_bytes::<16>(e));
        me.dummy = me.hash(&pw, e)?;
        Ok(me)
    }

    fn argon(&self) -> Argon2<'_> {
        Argon2::new(Algorithm::Argon2id, Version::V0x13, self.params.clone())
    }

    pub fn hash(&self, password: &str, e: &dyn Entropy) -> Result<String, AuthError> {
        let salt = SaltString::encode_b64(&random_bytes::<16>(e))
            .map_err(|e| AuthError::Internal(e.to_string()))?;
        Ok(self
            .argon()
            .hash_password(password.as_bytes(), &salt)
            .map_err(|e| AuthError::Internal(e.to_string()))?
            .to_string())
    }

    pub fn verifications(&self) -> u64 {
        self.verifications
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Verify against a stored hash, or against the dummy when `stored` is None.
    pub fn verify(&self, stored: Option<&str>, password: &str) -> bool {
        let (h, real) = match stored {
            Some(h) => (h, true),
            None => (self.dummy.as_str(), false),
        };
        self.verifications
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let Ok(parsed) = PasswordHash::new(h) else {
            return false;
        };
        let ok = self
            .argon()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        ok && real
    }
}

/// Length rules from NIST SP 800-63B: at least 10 characters, at most 256 (a cap so hashing
/// cannot be used to burn CPU), not the e-mail itself, not one repeated character.
pub fn check_password_policy(password: &str, email: &str) -> Result<(), AuthError> {
    let n = password.chars().count();
    if n < 10 {
        return Err(AuthError::Invalid(
            "the password must have at least 10 characters".into(),
        ));
    }
    if n > 256 {
        return Err(AuthError::Invalid(
            "the password may have at most 256 characters".into(),
        ));
    }
    let first = password.chars().next().unwrap_or(' ');
    if password.chars().all(|c| c == first) || password.eq_ignore_ascii_case(email.trim()) {
        return Err(AuthError::Invalid(
            "choose a less guessable password".into(),
        ));
    }
    let lower = password.to_lowercase();
    const COMMON: &[&str] = &[
        "password123",
        "1234567890",
        "qwertyuiop",
        "password1234",
        "0123456789",
        "letmein1234",
        "iloveyou123",
    ];
    if COMMON.contains(&lower.as_str()) {
        return Err(AuthError::Invalid("this password is too common".into()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use sr360_core::SeededEntropy;

    #[test]
    fn hash_verify_and_dummy() {
        let e = SeededEntropy::new(1);
        let h = PasswordHasher::new(8 * 1024, 1, 1, &e).unwrap();
        let stored = h.hash("correct horse battery", &e).unwrap();
        assert!(stored.starts_with("$argon2id$"));
        assert!(h.verify(Some(&stored), "correct horse battery"));
        assert!(!h.verify(Some(&stored), "wrong"));
        assert!(!h.verify(None, "anything"));
    }

    #[test]
    fn policy() {
        assert!(check_password_policy("short", "a@b.c").is_err());
        assert!(check_password_policy("aaaaaaaaaaaa", "a@b.c").is_err());
        assert!(check_password_policy("Password123", "a@b.c").is_err());
        assert!(check_password_policy("a fine long passphrase", "a@b.c").is_ok());
    }
}
