//! Authentication and the rules around it: password hashing (argon2id, off the async
//! runtime, equal cost for unknown accounts), sessions, API tokens, TOTP with single-use
//! codes and recovery codes, CSRF tokens, rate limits, lockout, login history and the
//! signing key's storage. It knows nothing of HTTP: the web layer hands it strings and
//! addresses and turns its errors into responses.

mod csrf;
mod device;
mod error;
mod keys;
mod password;
mod ratelimit;
mod secrets;
mod service;
mod totp;

pub use csrf::CsrfKey;
pub use device::{device_label, ip_prefix};
pub use error::AuthError;
pub use keys::{KeyStore, load_or_create_signing_key};
pub use password::{PasswordHasher, check_password_policy};
pub use ratelimit::RateLimits;
pub use secrets::{hash_secret, new_api_token, new_session_token};
pub use service::{
    Auth, AuthConfig, BearerPrincipal, LoginResult, SIGNUP_LINK_SECS, SessionPrincipal, Signup,
    SignupMail, SignupOutcome, TotpEnrolment,
};
pub use totp::{RECOVERY_CODE_COUNT, Totp};
