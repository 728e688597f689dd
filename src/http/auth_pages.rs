//! Sign-in, sign-up, second factor, sign-out and the shop switcher, as HTML forms.

use super::AppState;
use super::ctx::{
    Ctx, PRE_COOKIE, SESSION_COOKIE, SignedIn, clear_cookies, make_cookie, read_cookie,
};
use super::error::AppError;
use super::pages::{FlashQuery, page_ctx};
use crate::services::mail::Mail;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use base64::Engine;
use serde::Deserialize;
use sr360_auth::{LoginResult, Signup, SignupMail, SignupOutcome};
use sr360_core::entropy::random_bytes;
use sr360_core::{SignupPolicy, TenantId};
use sr360_meta::SessionState;
use sr360_ui::{Flash, PageCtx, pages as ui};

/// Page context for a visitor, with a pre-session cookie so the form's CSRF token has
/// something to be bound to.
fn visitor_page(
    state: &AppState,
    ctx: &Ctx,
    jar: CookieJar,
    flash: Option<&str>,
) -> (PageCtx, CookieJar) {
    if ctx.csrf_binding().is_some() {
        return (page_ctx(state, ctx, flash), jar);
    }
    let pre = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(random_bytes::<32>(&*state.entropy));
    let mut c2 = ctx.clone();
    c2.pre_token = Some(pre.clone());
    let jar = jar.add(make_cookie(PRE_COOKIE, pre, ctx.secure, 24 * 3600));
    (page_ctx(state, &c2, flash), jar)
}

fn no_store(mut r: Response) -> Response {
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// Re-render a form with the error, keeping status and Retry-After.
fn form_error(e: AppError, mut p: PageCtx, render: impl FnOnce(&PageCtx) -> String) -> Response {
    if let AppError::Internal(cause) = &e {
        tracing::error!(error = %cause, "internal error in form");
    }
    let msg = match &e {
        AppError::Internal(_) => "internal error; the details are in the server log".to_string(),
        other => other.to_string(),
    };
    p.flash = Some(Flash::error(msg));
    let status = e.status();
    let mut r = (status, Html(render(&p))).into_response();
    if let AppError::RateLimited(s) = e
        && let Ok(v) = HeaderValue::from_str(&s.to_string())
    {
        r.headers_mut().insert(header::RETRY_AFTER, v);
    }
    no_store(r)
}

fn start_session(state: &AppState, ctx: &Ctx, jar: CookieJar, token: String, to: &str) -> Response {
    // The pre-session id and any earlier session end here: a new id at every login.
    if let Some(old) = &ctx.session {
        let _ = state.meta.delete_session(&old.session_hash);
    }
    let jar = clear_cookies(jar, PRE_COOKIE).add(make_cookie(
        SESSION_COOKIE,
        token,
        ctx.secure,
        state.auth.session_ttl_secs(),
    ));
    no_store((jar, Redirect::to(to)).into_response())
}

pub async fn login_form(
    State(state): State<AppState>,
    ctx: Ctx,
    jar: CookieJar,
    Query(q): Query<FlashQuery>,
) -> Response {
    match &ctx.session {
        Some(s) if s.state == SessionState::Active => {
            return Redirect::to("/dashboard").into_response();
        }
        Some(_) => return Redirect::to("/mfa").into_response(),
        None => {}
    }
    let (p, jar) = visitor_page(&state, &ctx, jar, q.m.as_deref());
    no_store((jar, Html(ui::login(&p, "", state.auth.open_signup()))).into_response())
}

#[derive(Deserialize)]
pub struct LoginForm {
    email: String,
    password: String,
}

pub async fn login_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    jar: CookieJar,
    Form(f): Form<LoginForm>,
) -> Response {
    match state
        .auth
        .login(&f.email, &f.password, ctx.ip, &ctx.user_agent)
        .await
    {
        Ok(LoginResult::Active { token, .. }) => {
            start_session(&state, &ctx, jar, token, "/dashboard")
        }
        Ok(LoginResult::MfaRequired { token }) => start_session(&state, &ctx, jar, token, "/mfa"),
        Err(e) => {
            let (p, jar) = visitor_page(&state, &ctx, jar, None);
            let open = state.auth.open_signup();
            (
                jar,
                form_error(e.into(), p, |p| ui::login(p, &f.email, open)),
            )
                .into_response()
        }
    }
}

pub async fn signup_form(
    State(state): State<AppState>,
    ctx: Ctx,
    jar: CookieJar,
) -> Result<Response, AppError> {
    if !state.auth.open_signup() {
        return Err(AppError::SignupClosed);
    }
    if ctx
        .session
        .as_ref()
        .is_some_and(|s| s.state == SessionState::Active)
    {
        return Ok(Redirect::to("/dashboard").into_response());
    }
    let (p, jar) = visitor_page(&state, &ctx, jar, None);
    Ok(no_store(
        (jar, Html(ui::signup(&p, "", "", ""))).into_response(),
    ))
}

#[derive(Deserialize)]
pub struct SignupForm {
    shop: String,
    name: String,
    email: String,
    password: String,
}

/// A new shop's warehouse, then its owner's session.
fn shop_created(
    state: &AppState,
    ctx: &Ctx,
    jar: CookieJar,
    tenant: &TenantId,
    login: LoginResult,
) -> Result<Response, AppError> {
    let LoginResult::Active { token, user, .. } = login else {
        return Err(AppError::internal("sign-up produced a pending session"));
    };
    let scope = state
        .meta
        .scope_for(user.id, tenant)?
        .ok_or(AppError::internal("owner membership missing after sign-up"))?;
    state
        .warehouses
        .provision(&scope)
        .map_err(AppError::internal)?;
    Ok(start_session(state, ctx, jar, token, "/dashboard"))
}

/// Where links in e-mails point: `mail.public_url`, else the address this request came to
/// (its Host was already checked against the allowed names).
fn public_base(state: &AppState, headers: &HeaderMap) -> String {
    let configured = state.config.mail.public_url.trim_end_matches('/');
    if !configured.is_empty() {
        return configured.to_string();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    let scheme = if state.config.server.behind_tls {
        "https"
    } else {
        "http"
    };
    format!("{scheme}://{host}")
}

async fn do_signup(
    state: &AppState,
    ctx: &Ctx,
    headers: &HeaderMap,
    jar: CookieJar,
    f: &SignupForm,
) -> Result<Response, AppError> {
    let s = Signup {
        shop_name: f.shop.clone(),
        email: f.email.clone(),
        display_name: f.name.clone(),
        password: f.password.clone(),
    };
    match state.auth.signup(&s, ctx.ip, &ctx.user_agent).await? {
        SignupOutcome::Created { tenant, login } => shop_created(state, ctx, jar, &tenant, login),
        SignupOutcome::Mail { email, mail } => {
            let base = public_base(state, headers);
            let confirm = match &mail {
                SignupMail::Confirm { token } => {
                    Some(format!("{base}/signup/confirm?token={token}"))
                }
                SignupMail::AlreadyRegistered => None,
            };
            let (subject, body) = ui::signup_mail(
                ctx.locale(),
                confirm.as_deref(),
                &format!("{base}/login"),
                f.shop.trim(),
                f.name.trim(),
            );
            state.mailer.send_later(Mail {
                to: email.clone(),
                subject,
                body,
            });
            let (p, jar) = visitor_page(state, ctx, jar, None);
            Ok(no_store(
                (jar, Html(ui::signup_sent(&p, &email))).into_response(),
            ))
        }
    }
}

pub async fn signup_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    jar: CookieJar,
    Form(f): Form<SignupForm>,
) -> Response {
    match do_signup(&state, &ctx, &headers, jar.clone(), &f).await {
        Ok(r) => r,
        Err(e) => {
            let (p, jar) = visitor_page(&state, &ctx, jar, None);
            (
                jar,
                form_error(e, p, |p| ui::signup(p, &f.shop, &f.name, &f.email)),
            )
                .into_response()
        }
    }
}

#[derive(Deserialize)]
pub struct TokenQuery {
    token: String,
}

/// A sign-up link's page: a button that creates the shop (nothing happens on the GET).
pub async fn signup_confirm_form(
    State(state): State<AppState>,
    ctx: Ctx,
    jar: CookieJar,
    Query(q): Query<TokenQuery>,
) -> Result<Response, AppError> {
    if state.auth.signup_policy() != SignupPolicy::Confirmed {
        return Err(AppError::SignupClosed);
    }
    let (p, jar) = visitor_page(&state, &ctx, jar, None);
    let mut r = (jar, Html(ui::signup_confirm(&p, &q.token))).into_response();
    // The token is in this page's address: it must not leave through a Referer.
    r.headers_mut().insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    Ok(no_store(r))
}

pub async fn signup_confirm_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    jar: CookieJar,
    Form(f): Form<TokenQuery>,
) -> Response {
    let created = state
        .auth
        .confirm_signup(&f.token, ctx.ip, &ctx.user_agent)
        .map_err(AppError::from)
        .and_then(|o| match o {
            SignupOutcome::Created { tenant, login } => {
                shop_created(&state, &ctx, jar.clone(), &tenant, login)
            }
            SignupOutcome::Mail { .. } => {
                Err(AppError::internal("a confirmed sign-up asked for mail"))
            }
        });
    match created {
        Ok(r) => r,
        Err(e) => {
            let (p, jar) = visitor_page(&state, &ctx, jar, None);
            (jar, form_error(e, p, ui::signup_link_expired)).into_response()
        }
    }
}

pub async fn mfa_form(State(state): State<AppState>, ctx: Ctx) -> Response {
    match &ctx.session {
        Some(s) if s.state == SessionState::MfaPending => {
            no_store(Html(ui::mfa_prompt(&page_ctx(&state, &ctx, None))).into_response())
        }
        Some(_) => Redirect::to("/dashboard").into_response(),
        None => Redirect::to("/login").into_response(),
    }
}

#[derive(Deserialize)]
pub struct CodeForm {
    code: String,
}

pub async fn mfa_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    jar: CookieJar,
    Form(f): Form<CodeForm>,
) -> Response {
    let Some(token) = read_cookie(&jar, SESSION_COOKIE) else {
        return Redirect::to("/login").into_response();
    };
    match state
        .auth
        .verify_mfa(&token, &f.code, ctx.ip, &ctx.user_agent)
        .await
    {
        Ok(LoginResult::Active { token, .. }) => {
            let jar = jar.add(make_cookie(
                SESSION_COOKIE,
                token,
                ctx.secure,
                state.auth.session_ttl_secs(),
            ));
            no_store((jar, Redirect::to("/dashboard")).into_response())
        }
        Ok(LoginResult::MfaRequired { .. }) => Redirect::to("/mfa").into_response(),
        Err(e) => {
            // A lockout may have ended the pending session: then back to the sign-in page.
            if state.auth.session(&token).ok().flatten().is_none() {
                return (clear_cookies(jar, SESSION_COOKIE), Redirect::to("/login"))
                    .into_response();
            }
            form_error(e.into(), page_ctx(&state, &ctx, None), ui::mfa_prompt)
        }
    }
}

pub async fn logout(
    State(state): State<AppState>,
    ctx: Ctx,
    jar: CookieJar,
) -> Result<Response, AppError> {
    if let Some(s) = &ctx.session {
        state.auth.logout(s, &ctx.ip_string())?;
    }
    Ok(no_store(
        (
            StatusCode::SEE_OTHER,
            clear_cookies(jar, SESSION_COOKIE),
            [(header::LOCATION, "/login?m=signed_out")],
        )
            .into_response(),
    ))
}

#[derive(Deserialize)]
pub struct TenantForm {
    tenant: String,
}

pub async fn switch_tenant(
    State(state): State<AppState>,
    s: SignedIn,
    Form(f): Form<TenantForm>,
) -> Result<Redirect, AppError> {
    let t = TenantId::parse(&f.tenant).map_err(|_| AppError::NotFound("shop"))?;
    state.auth.switch_tenant(&s.principal, &t)?;
    Ok(Redirect::to("/dashboard"))
}
