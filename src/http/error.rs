//! The one error type at the HTTP edge, and every conversion into it. Every failure maps to a stable `code` that scripts
//! can match on and a message safe to show; internal causes are logged with the request id
//! and never sent. API paths get JSON, pages get an HTML page (see `pages::html_errors`).

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sr360_auth::AuthError;
use sr360_meta::MetaError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("sign in first")]
    Unauthenticated,
    #[error("two-factor check pending")]
    MfaPending,
    #[error("your role does not allow this")]
    Forbidden,
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("{0}")]
    Invalid(String),
    #[error("{0} already exists")]
    Conflict(&'static str),
    #[error("e-mail or password is wrong")]
    InvalidCredentials,
    #[error("this code is wrong or was already used")]
    BadCode,
    #[error("a two-factor code is required")]
    MfaRequired,
    #[error("this account is locked after too many failed attempts; try again in {0} minutes")]
    Locked(i64),
    #[error("too many attempts; retry in {0} s")]
    RateLimited(u64),
    #[error("the form expired or did not come from this site; reload the page and try again")]
    Csrf,
    #[error("sign-up is closed on this instance")]
    SignupClosed,
    #[error("this link has expired or was already used; sign up again for a new one")]
    LinkExpired,
    #[error("the request body is too large")]
    PayloadTooLarge,
    #[error("no sales data yet: upload an orders export first")]
    NoData,
    /// SQL mode refused a statement (the reason is the allow-list's, safe to show).
    #[error("this SQL is not allowed: {0}")]
    SqlRefused(String),
    #[error("internal error")]
    Internal(String),
}

/// What an error response carries for the layers above (HTML rendering, metrics).
#[derive(Debug, Clone)]
pub struct ErrorInfo {
    pub code: &'static str,
    pub message: String,
}

impl AppError {
    pub fn internal(e: impl std::fmt::Display) -> Self {
        AppError::Internal(e.to_string())
    }

    /// The one table of the edge's errors: each variant's stable code and HTTP status.
    fn entry(&self) -> (&'static str, StatusCode) {
        use StatusCode as S;
        match self {
            AppError::Unauthenticated => ("unauthenticated", S::UNAUTHORIZED),
            AppError::MfaPending => ("mfa_pending", S::UNAUTHORIZED),
            AppError::Forbidden => ("forbidden", S::FORBIDDEN),
            AppError::NotFound(_) => ("not_found", S::NOT_FOUND),
            AppError::Invalid(_) => ("invalid_input", S::UNPROCESSABLE_ENTITY),
            AppError::Conflict(_) => ("conflict", S::CONFLICT),
            AppError::InvalidCredentials => ("invalid_credentials", S::UNAUTHORIZED),
            AppError::BadCode => ("bad_code", S::UNAUTHORIZED),
            AppError::MfaRequired => ("mfa_required", S::UNAUTHORIZED),
            AppError::Locked(_) => ("account_locked", S::LOCKED),
            AppError::RateLimited(_) => ("rate_limited", S::TOO_MANY_REQUESTS),
            AppError::Csrf => ("csrf_failed", S::FORBIDDEN),
            AppError::SignupClosed => ("signup_closed", S::FORBIDDEN),
            AppError::LinkExpired => ("link_expired", S::GONE),
            AppError::PayloadTooLarge => ("payload_too_large", S::PAYLOAD_TOO_LARGE),
            AppError::NoData => ("no_data", S::CONFLICT),
            AppError::SqlRefused(_) => ("sql_refused", S::UNPROCESSABLE_ENTITY),
            AppError::Internal(_) => ("internal", S::INTERNAL_SERVER_ERROR),
        }
    }

    pub fn code(&self) -> &'static str {
        self.entry().0
    }

    pub fn status(&self) -> StatusCode {
        self.entry().1
    }
}

impl From<AuthError> for AppError {
    fn from(e: AuthError) -> Self {
        match e {
            AuthError::InvalidCredentials => AppError::InvalidCredentials,
            AuthError::Locked { minutes } => AppError::Locked(minutes),
            AuthError::RateLimited { retry_after_secs } => AppError::RateLimited(retry_after_secs),
            AuthError::BadCode => AppError::BadCode,
            AuthError::MfaRequired => AppError::MfaRequired,
            AuthError::Unauthenticated => AppError::Unauthenticated,
            AuthError::Forbidden => AppError::Forbidden,
            AuthError::NotFound(w) => AppError::NotFound(w),
            AuthError::Invalid(m) => AppError::Invalid(m),
            AuthError::SignupClosed => AppError::SignupClosed,
            AuthError::LinkExpired => AppError::LinkExpired,
            AuthError::Conflict(w) => AppError::Conflict(w),
            AuthError::Key(m) | AuthError::Internal(m) => AppError::Internal(m),
            AuthError::Meta(m) => AppError::Internal(m.to_string()),
        }
    }
}

impl From<sr360_analytics::QueryError> for AppError {
    fn from(e: sr360_analytics::QueryError) -> Self {
        use sr360_analytics::QueryError as Q;
        match e {
            Q::Invalid(m) => AppError::Invalid(m),
            Q::NoData => AppError::NoData,
            Q::Db(e) => AppError::Internal(e.to_string()),
            Q::Warehouse(e) => AppError::Internal(e.to_string()),
        }
    }
}

impl From<MetaError> for AppError {
    fn from(e: MetaError) -> Self {
        AuthError::from(e).into()
    }
}

impl From<crate::services::upload_jobs::UploadError> for AppError {
    fn from(e: crate::services::upload_jobs::UploadError) -> Self {
        use crate::services::upload_jobs::UploadError as U;
        match e {
            U::TooLarge(_) => AppError::PayloadTooLarge,
            U::Empty => AppError::Invalid("the file is empty".into()),
            U::Unreadable(m) => AppError::Invalid(m),
            U::Meta(m) => m.into(),
            // The client stopped sending (the idle limit of an upload): its own failure.
            U::Io(e) if e.kind() == std::io::ErrorKind::TimedOut => AppError::Invalid(format!(
                "the upload stalled ({e}); nothing was kept, send it again"
            )),
            U::Io(e) if e.kind() == std::io::ErrorKind::ConnectionAborted => AppError::Invalid(
                "the upload broke off before the file was complete; nothing was kept, send it again"
                    .into(),
            ),
            other => AppError::internal(other),
        }
    }
}

impl From<crate::services::recommender::RecommendError> for AppError {
    fn from(e: crate::services::recommender::RecommendError) -> Self {
        use crate::services::recommender::RecommendError as R;
        match e {
            R::NotReady => AppError::NoData,
            R::Data(m) => AppError::Internal(m),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        let message = match &self {
            AppError::Internal(cause) => {
                tracing::error!(error = %cause, "internal error");
                "internal error; the details are in the server log".to_string()
            }
            other => other.to_string(),
        };
        let code = self.code();
        let mut resp = (
            status,
            Json(serde_json::json!({ "error": { "code": code, "message": message } })),
        )
            .into_response();
        if let AppError::RateLimited(secs) = self
            && let Ok(v) = HeaderValue::from_str(&secs.to_string())
        {
            resp.headers_mut().insert(header::RETRY_AFTER, v);
        }
        resp.extensions_mut().insert(ErrorInfo { code, message });
        resp
    }
}

/// The framework's own refusals (a path segment that is not a number, a JSON body of the
/// wrong shape, a wrong method) come as plain text without a code: give them the same
/// `{"error": {"code", "message"}}` as every other error, and the `ErrorInfo` the page layer
/// renders. Their text describes the caller's request only (never a path or a cause inside).
pub async fn uniform_rejections(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let resp = next.run(req).await;
    let status = resp.status();
    if !status.is_client_error() || resp.extensions().get::<ErrorInfo>().is_some() {
        return resp;
    }
    let code = match status {
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::BAD_REQUEST | StatusCode::UNPROCESSABLE_ENTITY => "invalid_input",
        _ => return resp,
    };
    let plain = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|v| v.starts_with("text/plain"));
    if !plain {
        return resp;
    }
    let (parts, body) = resp.into_parts();
    let text = axum::body::to_bytes(body, 4096)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_string())
        .unwrap_or_default();
    let message = if text.is_empty() {
        status
            .canonical_reason()
            .unwrap_or("bad request")
            .to_lowercase()
    } else {
        text
    };
    let mut out = (
        parts.status,
        Json(serde_json::json!({ "error": { "code": code, "message": message } })),
    )
        .into_response();
    for (k, v) in parts.headers.iter() {
        if k != header::CONTENT_TYPE && k != header::CONTENT_LENGTH {
            out.headers_mut().insert(k.clone(), v.clone());
        }
    }
    out.extensions_mut().insert(ErrorInfo { code, message });
    out
}
