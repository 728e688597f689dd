//! TOTP (RFC 6238: SHA-1, 6 digits, 30 s) and recovery codes. A code is accepted for the
//! current step and one step either side; the store then refuses any step not newer than
//! the last accepted one, so a code cannot be replayed.

use crate::AuthError;
use qrcode::QrCode;
use qrcode::render::svg;
use sr360_core::Entropy;
use sr360_core::entropy::random_bytes;
use totp_rs::{Algorithm, TOTP};

pub const RECOVERY_CODE_COUNT: usize = 10;
const STEP: u64 = 30;

pub struct Totp;

impl Totp {
    pub fn new_secret(e: &dyn Entropy) -> Vec<u8> {
        random_bytes::<20>(e).to_vec()
    }

    fn totp(secret: &[u8], account: &str) -> Result<TOTP, AuthError> {
        TOTP::new(
            Algorithm::SHA1,
            6,
            1,
            STEP,
            secret.to_vec(),
            Some("SmartRetail360".into()),
            account.to_string(),
        )
        .map_err(|e| AuthError::Internal(e.to_string()))
    }

    /// Base32 form for manual entry.
    pub fn secret_base32(secret: &[u8]) -> String {
        totp_rs::Secret::Raw(secret.to_vec())
            .to_encoded()
            .to_string()
    }

    pub fn otpauth_url(secret: &[u8], account: &str) -> Result<String, AuthError> {
        Ok(Self::totp(secret, account)?.get_url())
    }

    /// The otpauth URL as an inline SVG QR code.
    pub fn qr_svg(secret: &[u8], account: &str) -> Result<String, AuthError> {
        let url = Self::otpauth_url(secret, account)?;
        let code = QrCode::new(url.as_bytes()).map_err(|e| AuthError::Internal(e.to_string()))?;
        Ok(code
            .render::<svg::Color<'_>>()
            .min_dimensions(200, 200)
            .dark_color(svg::Color("#000000"))
            .light_color(svg::Color("#ffffff"))
            .build())
    }

    /// The code for a unix time (tests, enrolment hints).
    pub fn code_at(secret: &[u8], unix: u64) -> Result<String, AuthError> {
        Ok(Self::totp(secret, "x")?.generate(unix))
    }

    /// The time step a code matches (current, previous or next), if any.
    pub fn matching_step(secret: &[u8], code: &str, unix: u64) -> Result<Option<i64>, AuthError> {
        let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
        if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
            return Ok(None);
        }
        let t = Self::totp(secret, "x")?;
        let step = unix / STEP;
        for s in [step, step.saturating_sub(1), step + 1] {
            if t.generate(s * STEP) == code {
                return Ok(Some(s as i64));
            }
        }
        Ok(None)
    }

    /// Fresh recovery codes like `k7mq-x2pd-9fth`.
    pub fn recovery_codes(e: &dyn Entropy) -> Vec<String> {
        const ALPHA: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
        (0..RECOVERY_CODE_COUNT)
            .map(|_| {
                let b = random_bytes::<12>(e);
                let s: String = b
                    .iter()
                    .map(|x| ALPHA[(*x as usize) % ALPHA.len()] as char)
                    .collect();
                format!("{}-{}-{}", &s[0..4], &s[4..8], &s[8..12])
            })
            .collect()
    }

    pub fn normalize_recovery(code: &str) -> String {
        code.chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .map(|c| c.to_ascii_lowercase())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sr360_core::SeededEntropy;

    #[test]
    fn codes_match_their_step_only() {
        let s = Totp::new_secret(&SeededEntropy::new(3));
        let t = 1_700_000_000u64;
        let c = Totp::code_at(&s, t).unwrap();
        assert_eq!(
            Totp::matching_step(&s, &c, t).unwrap(),
            Some((t / 30) as i64)
        );
        assert_eq!(
            Totp::matching_step(&s, &c, t + 30).unwrap(),
            Some((t / 30) as i64)
        );
        assert_eq!(Totp::matching_step(&s, &c, t + 300).unwrap(), None);
        assert_eq!(Totp::matching_step(&s, "12a456", t).unwrap(), None);
        assert!(Totp::qr_svg(&s, "a@b.c").unwrap().contains("<svg"));
        let codes = Totp::recovery_codes(&SeededEntropy::new(4));
        assert_eq!(codes.len(), RECOVERY_CODE_COUNT);
        assert_eq!(Totp::normalize_recovery(" ABCD-efgh "), "abcdefgh");
    }
}
