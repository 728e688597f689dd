//! The user's own settings pages: preferences, password, two-factor, API tokens.

use super::AppState;
use super::ctx::{Member, SESSION_COOKIE, SignedIn, clear_cookies};
use super::error::AppError;
use super::pages::{FlashQuery, page_ctx};
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use serde::Deserialize;
use sr360_meta::{AuditAction, AuditEvent, MfaState};
use sr360_ui::pages::{self as ui, LoginVm, SecurityVm, SettingsTab, TokenVm};
use sr360_ui::{Flash, PageCtx};

fn base_vm(s: &SignedIn) -> SecurityVm {
    let u = s.user();
    SecurityVm {
        mfa: match u.mfa {
            MfaState::On => "on",
            MfaState::Enrolling => "enrolling",
            MfaState::Off => "off",
        }
        .into(),
        locale: u.locale.clone(),
        theme: u.theme.clone(),
        ..Default::default()
    }
}

fn security_vm(state: &AppState, s: &SignedIn) -> Result<SecurityVm, AppError> {
    let mut vm = base_vm(s);
    let u = s.user();
    if u.mfa == MfaState::Enrolling {
        let e = state.auth.enrolment(u)?;
        vm.qr_svg = Some(e.qr_svg);
        vm.secret_base32 = Some(e.secret_base32);
    }
    vm.recovery_left = state.meta.recovery_codes_left(u.id)?;
    vm.logins = state
        .meta
        .login_history(u.id, 20)?
        .into_iter()
        .map(|l| LoginVm {
            at: l.at,
            ip: l.ip,
            device: l.device,
            // In words ("Signed in"), falling back to the stored word for an unknown one.
            outcome: {
                let key = format!("settings.outcome_{}", l.outcome);
                let w = sr360_ui::tr(sr360_ui::normalize_locale(&u.locale), &key);
                if w == key { l.outcome } else { w }
            },
            flagged: l.new_prefix || l.new_device,
        })
        .collect();
    Ok(vm)
}

fn render(
    state: &AppState,
    s: &SignedIn,
    tab: SettingsTab,
    vm: &SecurityVm,
    flash: Option<Flash>,
    q: Option<&str>,
) -> Html<String> {
    let mut p: PageCtx = page_ctx(state, &s.ctx, q);
    if flash.is_some() {
        p.flash = flash;
    }
    Html(ui::settings(&p, tab, vm))
}

/// Re-read the user after a change so the page shows the new state.
fn refreshed(state: &AppState, s: &SignedIn) -> Result<SignedIn, AppError> {
    let mut s2 = s.clone();
    s2.principal.user = state
        .meta
        .user(s.user().id)?
        .ok_or(AppError::Unauthenticated)?;
    Ok(s2)
}

/// The security page again, with the error of the failed action; internal errors go up.
fn security_error(state: &AppState, s: &SignedIn, e: AppError) -> Result<Response, AppError> {
    if matches!(e, AppError::Internal(_)) {
        return Err(e);
    }
    let vm = security_vm(state, s)?;
    Ok((
        e.status(),
        render(
            state,
            s,
            SettingsTab::Security,
            &vm,
            Some(Flash::error(e.to_string())),
            None,
        ),
    )
        .into_response())
}

pub async fn preferences(
    State(state): State<AppState>,
    s: SignedIn,
    Query(q): Query<FlashQuery>,
) -> Html<String> {
    render(
        &state,
        &s,
        SettingsTab::Preferences,
        &base_vm(&s),
        None,
        q.m.as_deref(),
    )
}

#[derive(Deserialize)]
pub struct PrefsForm {
    locale: String,
    theme: String,
}

pub async fn save_preferences(
    State(state): State<AppState>,
    s: SignedIn,
    Form(f): Form<PrefsForm>,
) -> Result<Redirect, AppError> {
    let locale = sr360_ui::normalize_locale(&f.locale);
    let theme = match f.theme.as_str() {
        "light" | "dark" | "system" => f.theme.as_str(),
        _ => return Err(AppError::Invalid("unknown theme".into())),
    };
    state.meta.set_preferences(s.user().id, locale, theme)?;
    let u = s.user();
    state.meta.audit(
        &AuditEvent::by_user(u.id, &u.email, &s.ctx.ip_string())
            .action(AuditAction::PreferencesChanged)
            .detail(serde_json::json!({"locale": locale, "theme": theme})),
    )?;
    Ok(Redirect::to("/settings?m=saved"))
}

pub async fn security(
    State(state): State<AppState>,
    s: SignedIn,
    Query(q): Query<FlashQuery>,
) -> Result<Html<String>, AppError> {
    let vm = security_vm(&state, &s)?;
    Ok(render(
        &state,
        &s,
        SettingsTab::Security,
        &vm,
        None,
        q.m.as_deref(),
    ))
}

#[derive(Deserialize)]
pub struct PasswordForm {
    current: String,
    new: String,
}

pub async fn change_password(
    State(state): State<AppState>,
    s: SignedIn,
    jar: CookieJar,
    Form(f): Form<PasswordForm>,
) -> Result<Response, AppError> {
    match state
        .auth
        .change_password(s.user(), &f.current, &f.new, s.ctx.ip, &s.ctx.user_agent)
        .await
    {
        Ok(()) => Ok((
            clear_cookies(jar, SESSION_COOKIE),
            Redirect::to("/login?m=password_changed"),
        )
            .into_response()),
        Err(e) => security_error(&state, &s, e.into()),
    }
}

pub async fn mfa_begin(State(state): State<AppState>, s: SignedIn) -> Result<Redirect, AppError> {
    state.auth.begin_totp(s.user())?;
    Ok(Redirect::to("/settings/security"))
}

#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
}

pub async fn mfa_confirm(
    State(state): State<AppState>,
    s: SignedIn,
    Form(f): Form<CodeForm>,
) -> Result<Response, AppError> {
    match state
        .auth
        .confirm_totp(s.user(), &f.code, &s.ctx.ip_string())
    {
        Ok(codes) => {
            let s = refreshed(&state, &s)?;
            let mut vm = security_vm(&state, &s)?;
            vm.new_recovery_codes = codes;
            let p = page_ctx(&state, &s.ctx, Some("mfa_enabled"));
            Ok(Html(ui::settings(&p, SettingsTab::Security, &vm)).into_response())
        }
        Err(e) => security_error(&state, &s, e.into()),
    }
}

pub async fn mfa_disable(
    State(state): State<AppState>,
    s: SignedIn,
    Form(f): Form<CodeForm>,
) -> Result<Response, AppError> {
    match state
        .auth
        .disable_totp(s.user(), &f.code, &s.ctx.ip_string())
    {
        Ok(()) => Ok(Redirect::to("/settings/security?m=mfa_disabled").into_response()),
        Err(e) => security_error(&state, &s, e.into()),
    }
}

pub async fn mfa_recovery(
    State(state): State<AppState>,
    s: SignedIn,
    Form(f): Form<CodeForm>,
) -> Result<Response, AppError> {
    match state
        .auth
        .regenerate_recovery_codes(s.user(), &f.code, &s.ctx.ip_string())
    {
        Ok(codes) => {
            let mut vm = security_vm(&state, &s)?;
            vm.new_recovery_codes = codes;
            Ok(render(&state, &s, SettingsTab::Security, &vm, None, None).into_response())
        }
        Err(e) => security_error(&state, &s, e.into()),
    }
}

fn tokens_vm(state: &AppState, m: &Member) -> Result<SecurityVm, AppError> {
    let mut vm = base_vm(&m.signed_in);
    let members = state.meta.members(&m.scope)?;
    vm.tokens = state
        .meta
        .list_api_tokens(&m.scope)?
        .into_iter()
        .map(|t| TokenVm {
            id: t.id,
            owner: members
                .iter()
                .find(|x| x.user_id == t.user_id)
                .map(|x| x.display_name.clone())
                .unwrap_or_default(),
            name: t.name,
            prefix: t.prefix,
            created_at: t.created_at,
            last_used_at: t.last_used_at,
            revoked: t.revoked_at.is_some(),
        })
        .collect();
    Ok(vm)
}

pub async fn tokens(
    State(state): State<AppState>,
    m: Member,
    Query(q): Query<FlashQuery>,
) -> Result<Html<String>, AppError> {
    let vm = tokens_vm(&state, &m)?;
    Ok(render(
        &state,
        &m.signed_in,
        SettingsTab::Tokens,
        &vm,
        None,
        q.m.as_deref(),
    ))
}

#[derive(Deserialize)]
pub struct TokenForm {
    name: String,
}

pub async fn create_token(
    State(state): State<AppState>,
    m: Member,
    Form(f): Form<TokenForm>,
) -> Result<Response, AppError> {
    match state
        .auth
        .create_api_token(&m.scope, m.user(), &f.name, None, &m.ctx().ip_string())
    {
        Ok((token, _)) => {
            let mut vm = tokens_vm(&state, &m)?;
            vm.new_token = Some(token);
            Ok(render(&state, &m.signed_in, SettingsTab::Tokens, &vm, None, None).into_response())
        }
        Err(e) => {
            let e: AppError = e.into();
            let vm = tokens_vm(&state, &m)?;
            Ok((
                e.status(),
                render(
                    &state,
                    &m.signed_in,
                    SettingsTab::Tokens,
                    &vm,
                    Some(Flash::error(e.to_string())),
                    None,
                ),
            )
                .into_response())
        }
    }
}

pub async fn revoke_token(
    State(state): State<AppState>,
    m: Member,
    Path(id): Path<i64>,
) -> Result<Redirect, AppError> {
    state.meta.revoke_api_token(&m.scope, id, &m.actor())?;
    Ok(Redirect::to("/settings/tokens?m=token_revoked"))
}
