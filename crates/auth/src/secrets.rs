//! Random bearer secrets and how they are stored: shown once, kept as SHA-256 (they carry
//! 256 bits of entropy, so a slow hash buys nothing).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use sr360_core::Entropy;
use sr360_core::entropy::random_bytes;

pub fn hash_secret(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

/// (cookie value, stored hash)
pub fn new_session_token(e: &dyn Entropy) -> (String, String) {
    let t = URL_SAFE_NO_PAD.encode(random_bytes::<32>(e));
    let h = hash_secret(&t);
    (t, h)
}

/// (token shown once, stored hash, display prefix)
pub fn new_api_token(e: &dyn Entropy) -> (String, String, String) {
    let t = format!("sr360_{}", URL_SAFE_NO_PAD.encode(random_bytes::<32>(e)));
    let h = hash_secret(&t);
    let prefix = t.chars().take(12).collect();
    (t, h, prefix)
}
