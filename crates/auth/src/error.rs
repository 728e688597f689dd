use sr360_meta::MetaError;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum AuthError {
    /// Wrong e-mail or password; deliberately the same for both.
    #[error("e-mail or password is wrong")]
    InvalidCredentials,
    #[error(
        "this account is locked after too many failed attempts; try again in {minutes} minutes"
    )]
    Locked { minutes: i64 },
    #[error("too many attempts; retry in {retry_after_secs} s")]
    RateLimited { retry_after_secs: u64 },
    #[error("this code is wrong or was already used")]
    BadCode,
    #[error("two-factor code required")]
    MfaRequired,
    #[error("not signed in")]
    Unauthenticated,
    #[error("your role does not allow this")]
    Forbidden,
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("{0}")]
    Invalid(String),
    #[error("sign-up is closed on this instance")]
    SignupClosed,
    /// A sign-up link that is unknown, used or expired (deliberately one answer for all).
    #[error("this link has expired or was already used")]
    LinkExpired,
    #[error("{0} already exists")]
    Conflict(&'static str),
    #[error("signing key: {0}")]
    Key(String),
    #[error("storage: {0}")]
    Meta(MetaError),
    #[error("internal: {0}")]
    Internal(String),
}

impl From<MetaError> for AuthError {
    fn from(e: MetaError) -> Self {
        match e {
            MetaError::NotFound(w) => AuthError::NotFound(w),
            MetaError::Conflict(w) => AuthError::Conflict(w),
            MetaError::Invalid(m) => AuthError::Invalid(m),
            other => AuthError::Meta(other),
        }
    }
}
