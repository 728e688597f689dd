//! CSRF tokens: an HMAC of the session (or, before login, of a random pre-session cookie)
//! under the instance's signing key. Nothing to store; a token from one session is useless
//! in another, and a forged form from another site cannot know it.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use sr360_core::Secret;
use subtle::ConstantTimeEq;

#[derive(Clone, Debug)]
pub struct CsrfKey(Secret<Vec<u8>>);

impl CsrfKey {
    pub fn new(key: Secret<Vec<u8>>) -> Self {
        Self(key)
    }

    #[expect(clippy::unreachable, reason = "HMAC takes keys of any length")]
    fn mac(&self, binding: &str) -> Vec<u8> {
        // HMAC accepts keys of any length.
        let mut m = <Hmac<Sha256> as Mac>::new_from_slice(self.0.expose())
            .unwrap_or_else(|_| unreachable!());
        m.update(b"sr360-csrf-v1:");
        m.update(binding.as_bytes());
        m.finalize().into_bytes().to_vec()
    }

    pub fn token(&self, binding: &str) -> String {
        URL_SAFE_NO_PAD.encode(self.mac(binding))
    }

    pub fn verify(&self, binding: &str, token: &str) -> bool {
        let Ok(given) = URL_SAFE_NO_PAD.decode(token.trim()) else {
            return false;
        };
        let want = self.mac(binding);
        given.len() == want.len() && bool::from(given.ct_eq(&want))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn bound_to_its_binding() {
        let k = CsrfKey::new(Secret::new(vec![7; 32]));
        let t = k.token("s:abc");
        assert!(k.verify("s:abc", &t));
        assert!(!k.verify("s:abd", &t));
        assert!(!k.verify("s:abc", "garbage"));
        let other = CsrfKey::new(Secret::new(vec![8; 32]));
        assert!(!other.verify("s:abc", &t));
    }
}
