//! Per-request context for every handler: who is calling (session or API token), from
//! where, in which language, and the cookie mode. The extractors here are the only way a
//! handler gets a user or a [`TenantScope`]: a handler that asks for `Member` cannot run
//! without a signed-in member of the current shop.

use super::AppState;
use super::error::AppError;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use sr360_auth::{BearerPrincipal, SessionPrincipal};
use sr360_core::Permission;
use sr360_meta::{SessionState, TenantScope, User};
use std::net::{IpAddr, SocketAddr};

pub const SESSION_COOKIE: &str = "sr360_session";
pub const PRE_COOKIE: &str = "sr360_pre";

/// Cookies are `Secure` and `__Host-` prefixed when the browser accepts that: over TLS
/// (behind a TLS proxy) and on localhost, which browsers treat as a secure context.
pub fn secure_cookies(state: &AppState, headers: &HeaderMap) -> bool {
    if state.config.server.behind_tls {
        return true;
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    let name = if let Some(rest) = host.strip_prefix('[') {
        rest.split(']').next().unwrap_or("")
    } else {
        host.split(':').next().unwrap_or("")
    };
    name == "localhost" || name.ends_with(".localhost") || name == "127.0.0.1" || name == "::1"
}

pub fn cookie_name(base: &str, secure: bool) -> String {
    if secure {
        format!("__Host-{base}")
    } else {
        base.to_string()
    }
}

/// Read a cookie under either name (a user may reach the same server both ways).
pub fn read_cookie(jar: &CookieJar, base: &str) -> Option<String> {
    jar.get(&format!("__Host-{base}"))
        .or_else(|| jar.get(base))
        .map(|c| c.value().to_string())
}

pub fn make_cookie(base: &str, value: String, secure: bool, max_age_secs: i64) -> Cookie<'static> {
    let mut c = Cookie::new(cookie_name(base, secure), value);
    c.set_http_only(true);
    c.set_same_site(SameSite::Lax);
    c.set_path("/");
    c.set_secure(secure);
    c.set_max_age(time::Duration::seconds(max_age_secs));
    c
}

/// Expire the cookie under both names.
pub fn clear_cookies(jar: CookieJar, base: &str) -> CookieJar {
    let mut a = Cookie::new(format!("__Host-{base}"), "");
    a.set_path("/");
    a.set_secure(true);
    a.set_max_age(time::Duration::ZERO);
    let mut b = Cookie::new(base.to_string(), "");
    b.set_path("/");
    b.set_max_age(time::Duration::ZERO);
    jar.add(a).add(b)
}

pub fn client_ip(state: &AppState, parts: &Parts) -> IpAddr {
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
        .unwrap_or(IpAddr::from([127, 0, 0, 1]));
    if state.config.server.trust_forwarded_for
        && let Some(ip) = parts
            .headers
            .get("x-forwarded-for")
            .and_then(|h| h.to_str().ok())
            .and_then(|s| s.rsplit(',').next())
            .and_then(|s| s.trim().parse::<IpAddr>().ok())
    {
        return ip;
    }
    peer
}

/// Always available: the caller as far as known.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub ip: IpAddr,
    pub user_agent: String,
    pub secure: bool,
    pub accept_language: String,
    pub session: Option<SessionPrincipal>,
    pub pre_token: Option<String>,
    pub path: String,
}

impl Ctx {
    pub fn locale(&self) -> &'static str {
        match &self.session {
            Some(s) if s.state == SessionState::Active => {
                sr360_ui::normalize_locale(&s.user.locale)
            }
            _ => sr360_ui::locale_from_accept_language(&self.accept_language),
        }
    }

    /// What a CSRF token is bound to for this caller.
    pub fn csrf_binding(&self) -> Option<String> {
        match (&self.session, &self.pre_token) {
            (Some(s), _) => Some(format!("s:{}", s.session_hash)),
            (None, Some(p)) => Some(format!("p:{p}")),
            (None, None) => None,
        }
    }

    pub fn ip_string(&self) -> String {
        self.ip.to_string()
    }
}

impl FromRequestParts<AppState> for Ctx {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(c) = parts.extensions.get::<Ctx>() {
            return Ok(c.clone());
        }
        let jar = CookieJar::from_headers(&parts.headers);
        let session = match read_cookie(&jar, SESSION_COOKIE) {
            Some(tok) => state.auth.session(&tok)?,
            None => None,
        };
        let ctx = Ctx {
            ip: client_ip(state, parts),
            user_agent: parts
                .headers
                .get(header::USER_AGENT)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .chars()
                .take(400)
                .collect(),
            secure: secure_cookies(state, &parts.headers),
            accept_language: parts
                .headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string(),
            session,
            pre_token: read_cookie(&jar, PRE_COOKIE).filter(|v| v.len() == 43),
            path: parts.uri.path().to_string(),
        };
        parts.extensions.insert(ctx.clone());
        Ok(ctx)
    }
}

/// A fully signed-in user (password and, when enabled, second factor).
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub ctx: Ctx,
    pub principal: SessionPrincipal,
}

impl SignedIn {
    pub fn user(&self) -> &User {
        &self.principal.user
    }
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let ctx = Ctx::from_request_parts(parts, state).await?;
        match &ctx.session {
            Some(p) if p.state == SessionState::Active => Ok(SignedIn {
                principal: p.clone(),
                ctx,
            }),
            Some(_) => Err(AppError::MfaPending),
            None => Err(AppError::Unauthenticated),
        }
    }
}

/// A signed-in member of the session's current shop: carries the [`TenantScope`].
#[derive(Debug, Clone)]
pub struct Member {
    pub signed_in: SignedIn,
    pub scope: TenantScope,
}

impl Member {
    /// This member as the actor of an audited change.
    pub fn actor(&self) -> sr360_meta::AuditEvent {
        sr360_meta::AuditEvent::by_user(self.user().id, &self.user().email, &self.ctx().ip_string())
    }

    pub fn require(&self, p: Permission) -> Result<(), AppError> {
        if self.scope.can(p) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }
    pub fn user(&self) -> &User {
        self.signed_in.user()
    }
    pub fn ctx(&self) -> &Ctx {
        &self.signed_in.ctx
    }
}

impl FromRequestParts<AppState> for Member {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let s = SignedIn::from_request_parts(parts, state).await?;
        let scope = s
            .principal
            .scope
            .clone()
            .ok_or(AppError::NotFound("shop"))?;
        Ok(Member {
            signed_in: s,
            scope,
        })
    }
}

/// An API caller: a Bearer token, or a browser session (whose unsafe requests the CSRF
/// guard has already checked for the `X-CSRF-Token` header).
#[derive(Debug, Clone)]
pub struct ApiCaller {
    pub user: User,
    pub scope: TenantScope,
    pub via_token: Option<i64>,
    pub ip: IpAddr,
}

impl ApiCaller {
    /// This caller as the actor of an audited change.
    pub fn actor(&self) -> sr360_meta::AuditEvent {
        sr360_meta::AuditEvent::by_user(self.user.id, &self.user.email, &self.ip.to_string())
    }

    pub fn require(&self, p: Permission) -> Result<(), AppError> {
        if self.scope.can(p) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }
}

pub fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
}

impl FromRequestParts<AppState> for ApiCaller {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(tok) = bearer_token(&parts.headers) {
            let ip = client_ip(state, parts);
            let BearerPrincipal {
                token_id,
                user,
                scope,
            } = state.auth.bearer(tok)?.ok_or(AppError::Unauthenticated)?;
            return Ok(ApiCaller {
                user,
                scope,
                via_token: Some(token_id),
                ip,
            });
        }
        let m = Member::from_request_parts(parts, state).await?;
        Ok(ApiCaller {
            user: m.user().clone(),
            scope: m.scope.clone(),
            via_token: None,
            ip: m.ctx().ip,
        })
    }
}

/// The scope's shop. Its record is gone only if the shop was deleted under the caller.
pub fn shop_of(state: &AppState, scope: &TenantScope) -> Result<sr360_meta::Tenant, AppError> {
    state
        .meta
        .tenant(scope.tenant())?
        .ok_or(AppError::NotFound("shop"))
}
