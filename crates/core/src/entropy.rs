//! Randomness as an injected dependency. Secrets (session ids, tokens, TOTP secrets, recovery
//! codes) come from the OS in production; tests may seed a ChaCha generator to replay a run.

use rand::{RngCore, SeedableRng, TryRngCore};
use rand_chacha::ChaCha20Rng;
use std::sync::Mutex;

pub trait Entropy: Send + Sync + 'static {
    fn fill(&self, buf: &mut [u8]);

    fn bytes<const N: usize>(&self) -> [u8; N]
    where
        Self: Sized,
    {
        let mut b = [0u8; N];
        self.fill(&mut b);
        b
    }
}

/// Fill `N` random bytes from any (possibly unsized) entropy source.
pub fn random_bytes<const N: usize>(e: &dyn Entropy) -> [u8; N] {
    let mut b = [0u8; N];
    e.fill(&mut b);
    b
}

#[derive(Debug, Default, Clone, Copy)]
pub struct OsEntropy;

impl Entropy for OsEntropy {
    #[expect(
        clippy::panic,
        reason = "without the OS generator no key, token or session id can be made safely"
    )]
    fn fill(&self, buf: &mut [u8]) {
        rand::rngs::OsRng.try_fill_bytes(buf).unwrap_or_else(|_| {
            // The OS generator failing is unrecoverable for a security product.
            panic!("operating system random number generator failed")
        });
    }
}

/// Deterministic entropy for tests.
#[derive(Debug)]
pub struct SeededEntropy(Mutex<ChaCha20Rng>);

impl SeededEntropy {
    pub fn new(seed: u64) -> Self {
        Self(Mutex::new(ChaCha20Rng::seed_from_u64(seed)))
    }
}

impl Entropy for SeededEntropy {
    fn fill(&self, buf: &mut [u8]) {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .fill_bytes(buf);
    }
}
