//! CSRF guard for every state-changing request, as middleware so no handler can forget it.
//!
//! - Forms (`application/x-www-form-urlencoded`) must carry a `csrf` field: an HMAC of the
//!   caller's session, or of the pre-session cookie before login.
//! - API calls authenticated by `Authorization: Bearer` need nothing more (no ambient
//!   credentials); cookie-authenticated API calls must send `X-CSRF-Token`.
//! - A cross-site `Origin` is refused outright.

use super::AppState;
use super::ctx::{Ctx, bearer_token};
use super::error::AppError;
use axum::body::{Body, to_bytes};
use axum::extract::{FromRequestParts, Request, State};
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Credential exchange endpoints: they set no cookie and carry their own credentials.
const EXEMPT: &[&str] = &["/api/v1/auth/token"];

pub async fn guard(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    match check(&state, req).await {
        Ok(req) => next.run(req).await,
        Err(e) => e.into_response(),
    }
}

fn same_origin(req: &Request) -> bool {
    let Some(origin) = req
        .headers()
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
    else {
        return true;
    };
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let origin_host = origin.split("://").nth(1).unwrap_or("");
    origin != "null" && origin_host.eq_ignore_ascii_case(host)
}

async fn check(state: &AppState, req: Request) -> Result<Request, AppError> {
    let path = req.uri().path().to_string();
    if path.starts_with("/api/")
        && (bearer_token(req.headers()).is_some() || EXEMPT.contains(&path.as_str()))
    {
        return Ok(req);
    }
    if !same_origin(&req) {
        return Err(AppError::Csrf);
    }
    let (mut parts, body) = req.into_parts();
    let ctx = Ctx::from_request_parts(&mut parts, state).await?;
    let binding = ctx.csrf_binding().ok_or(AppError::Csrf)?;
    let csrf = state.auth.csrf();
    if let Some(h) = parts
        .headers
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
    {
        return if csrf.verify(&binding, h) {
            Ok(Request::from_parts(parts, body))
        } else {
            Err(AppError::Csrf)
        };
    }
    if path.starts_with("/api/") {
        return Err(AppError::Csrf);
    }
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if content_type.starts_with("multipart/form-data") {
        // File forms carry the token in the action URL, so the body is never buffered here.
        let token = parts
            .uri
            .query()
            .and_then(|q| form_urlencoded_field(q.as_bytes(), "csrf"))
            .ok_or(AppError::Csrf)?;
        return if csrf.verify(&binding, &token) {
            Ok(Request::from_parts(parts, body))
        } else {
            Err(AppError::Csrf)
        };
    }
    let is_form = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return Err(AppError::Csrf);
    }
    let bytes = to_bytes(body, state.config.server.max_body_bytes)
        .await
        .map_err(|_| AppError::PayloadTooLarge)?;
    let token = form_urlencoded_field(&bytes, "csrf").ok_or(AppError::Csrf)?;
    if !csrf.verify(&binding, &token) {
        return Err(AppError::Csrf);
    }
    Ok(Request::from_parts(parts, Body::from(bytes)))
}

fn form_urlencoded_field(body: &[u8], name: &str) -> Option<String> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}
