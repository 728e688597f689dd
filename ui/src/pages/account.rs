//! The user's own settings: preferences, security (password, two-factor, login history)
//! and API tokens.

use super::{csrf_field, fmt_time};
use crate::{LOCALES, PageCtx, render_document};
use leptos::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SettingsTab {
    Preferences,
    Security,
    Tokens,
}

#[derive(Debug, Clone)]
pub struct LoginVm {
    pub at: i64,
    pub ip: String,
    pub device: String,
    pub outcome: String,
    pub flagged: bool,
}

#[derive(Debug, Clone)]
pub struct TokenVm {
    pub id: i64,
    pub name: String,
    pub prefix: String,
    pub owner: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked: bool,
}

#[derive(Debug, Clone, Default)]
pub struct SecurityVm {
    /// "off", "enrolling", "on"
    pub mfa: String,
    pub qr_svg: Option<String>,
    pub secret_base32: Option<String>,
    /// Shown exactly once after enabling or regenerating.
    pub new_recovery_codes: Vec<String>,
    pub recovery_left: i64,
    pub logins: Vec<LoginVm>,
    pub tokens: Vec<TokenVm>,
    /// A token just created, shown once.
    pub new_token: Option<String>,
    pub locale: String,
    pub theme: String,
}

fn tabs(ctx: &PageCtx, active: SettingsTab) -> impl IntoView + use<> {
    let t = |tab: SettingsTab, href: &'static str, key: &str| {
        let cur = (tab == active).then_some("page");
        view! { <a class="btn secondary" href=href aria-current=cur>{ctx.t(key)}</a> }
    };
    view! {
        <nav class="actions" aria-label=ctx.t("settings.sections")>
            {t(SettingsTab::Preferences, "/settings", "settings.preferences")}
            {t(SettingsTab::Security, "/settings/security", "settings.security")}
            {t(SettingsTab::Tokens, "/settings/tokens", "settings.tokens")}
        </nav>
    }
}

fn preferences(ctx: &PageCtx, vm: &SecurityVm) -> AnyView {
    let langs = LOCALES
        .iter()
        .map(|(code, name, _)| {
            let sel = vm.locale == *code;
            view! { <option value=*code selected=sel>{*name}</option> }
        })
        .collect_view();
    let themes = ["system", "light", "dark"]
        .iter()
        .map(|th| {
            let sel = vm.theme == *th;
            view! { <option value=*th selected=sel>{ctx.t(&format!("settings.theme_{th}"))}</option> }
        })
        .collect_view();
    view! {
        <div class="card">
            <h2>{ctx.t("settings.preferences")}</h2>
            <form method="post" action="/settings/preferences">
                {csrf_field(&ctx.csrf)}
                <label for="locale">{ctx.t("settings.language")}</label>
                <select id="locale" name="locale">{langs}</select>
                <label for="theme">{ctx.t("settings.theme")}</label>
                <select id="theme" name="theme">{themes}</select>
                <div class="actions"><button class="btn" type="submit">{ctx.t("common.save")}</button></div>
            </form>
        </div>
    }
    .into_any()
}

fn security(ctx: &PageCtx, vm: &SecurityVm) -> AnyView {
    let mfa_block = match vm.mfa.as_str() {
        "on" => view! {
            <p><span class="badge ok">{ctx.t("settings.mfa_on")}</span>" "{format!("{} {}", vm.recovery_left, ctx.t("settings.recovery_left"))}</p>
            <form method="post" action="/settings/mfa/recovery">
                {csrf_field(&ctx.csrf)}
                <label for="code-r">{ctx.t("settings.current_code")}</label>
                <input id="code-r" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" required/>
                <div class="actions">
                    <button class="btn secondary" type="submit">{ctx.t("settings.regenerate_codes")}</button>
                    <button class="btn danger" type="submit" formaction="/settings/mfa/disable">{ctx.t("settings.mfa_disable")}</button>
                </div>
            </form>
        }
        .into_any(),
        "enrolling" => {
            let qr = vm.qr_svg.clone().unwrap_or_default();
            let secret = vm.secret_base32.clone().unwrap_or_default();
            view! {
                <p>{ctx.t("settings.mfa_scan")}</p>
                <div class="qr" role="img" aria-label=ctx.t("settings.mfa_qr_label") inner_html=qr></div>
                <p>{ctx.t("settings.mfa_manual")}" "<code id="totp-secret" class="secret">{secret}</code></p>
                <form method="post" action="/settings/mfa/confirm">
                    {csrf_field(&ctx.csrf)}
                    <label for="code-c">{ctx.t("settings.mfa_enter_code")}</label>
                    <input id="code-c" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" required/>
                    <div class="actions">
                        <button class="btn" type="submit">{ctx.t("settings.mfa_confirm")}</button>
                        <button class="btn secondary" type="submit" formaction="/settings/mfa/disable" formnovalidate>{ctx.t("auth.cancel")}</button>
                    </div>
                </form>
            }
            .into_any()
        }
        _ => view! {
            <p><span class="badge warn">{ctx.t("settings.mfa_off")}</span>" "{ctx.t("settings.mfa_why")}</p>
            <form method="post" action="/settings/mfa/begin">
                {csrf_field(&ctx.csrf)}
                <button class="btn" type="submit">{ctx.t("settings.mfa_enable")}</button>
            </form>
        }
        .into_any(),
    };
    let codes = (!vm.new_recovery_codes.is_empty()).then(|| {
        let items = vm
            .new_recovery_codes
            .iter()
            .map(|c| view! { <li>{c.clone()}</li> })
            .collect_view();
        view! {
            <div class="alert info" role="status">
                <strong>{ctx.t("settings.recovery_title")}</strong>
                <p>{ctx.t("settings.recovery_text")}</p>
                <ul class="codes">{items}</ul>
            </div>
        }
    });
    let rows = vm
        .logins
        .iter()
        .map(|l| {
            let flag = l.flagged.then(|| view! { <span class="badge warn">{ctx.t("settings.new_place")}</span> });
            view! { <tr><td>{fmt_time(ctx.locale, l.at)}</td><td class="mono">{l.ip.clone()}</td><td>{l.device.clone()}</td><td>{l.outcome.clone()}" "{flag}</td></tr> }
        })
        .collect_view();
    view! {
        <div class="card">
            <h2>{ctx.t("settings.mfa_title")}</h2>
            {codes}
            {mfa_block}
        </div>
        <div class="card">
            <h2>{ctx.t("settings.password_title")}</h2>
            <form method="post" action="/settings/password">
                {csrf_field(&ctx.csrf)}
                <label for="cur">{ctx.t("settings.current_password")}</label>
                <input id="cur" name="current" type="password" autocomplete="current-password" required/>
                <label for="new">{ctx.t("settings.new_password")}" "<span class="hint">{ctx.t("auth.password_hint")}</span></label>
                <input id="new" name="new" type="password" autocomplete="new-password" required minlength="10" maxlength="256"/>
                <div class="actions"><button class="btn" type="submit">{ctx.t("settings.change_password")}</button></div>
            </form>
        </div>
        <div class="card">
            <h2>{ctx.t("settings.login_history")}</h2>
            <div class="table-wrap">
                <table>
                    <caption class="sr-only">{ctx.t("settings.login_history")}</caption>
                    <thead><tr><th scope="col">{ctx.t("common.time")}</th><th scope="col">"IP"</th><th scope="col">{ctx.t("settings.device")}</th><th scope="col">{ctx.t("settings.outcome")}</th></tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </div>
    }
    .into_any()
}

fn tokens(ctx: &PageCtx, vm: &SecurityVm) -> AnyView {
    let new = vm.new_token.clone().map(|t| {
        view! {
            <div class="alert ok" role="status">
                <strong>{ctx.t("settings.token_created")}</strong>
                <p class="secret mono" id="new-token">{t}</p>
                <button class="btn secondary" type="button" data-copy="new-token" hidden>{ctx.t("common.copy")}</button>
            </div>
        }
    });
    let rows = vm
        .tokens
        .iter()
        .map(|t| {
            let revoke = (!t.revoked).then(|| {
                let action = format!("/settings/tokens/{}/revoke", t.id);
                view! {
                    <form method="post" action=action class="inline" data-confirm=ctx.t("settings.revoke_confirm")>
                        {csrf_field(&ctx.csrf)}
                        <button class="btn link" type="submit">{ctx.t("settings.revoke")}</button>
                    </form>
                }
            });
            let state = if t.revoked { view! { <span class="badge">{ctx.t("settings.revoked")}</span> }.into_any() } else { view! { <span class="badge ok">{ctx.t("settings.active")}</span> }.into_any() };
            view! {
                <tr>
                    <td>{t.name.clone()}</td><td class="mono">{format!("{}…", t.prefix)}</td><td>{t.owner.clone()}</td>
                    <td>{fmt_time(ctx.locale, t.created_at)}</td><td>{t.last_used_at.map(|x| fmt_time(ctx.locale, x)).unwrap_or_else(|| "—".into())}</td>
                    <td>{state}" "{revoke}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="card">
            <h2>{ctx.t("settings.tokens")}</h2>
            <p class="muted">{ctx.t("settings.tokens_text")}</p>
            {new}
            <form method="post" action="/settings/tokens">
                {csrf_field(&ctx.csrf)}
                <label for="tname">{ctx.t("settings.token_name")}</label>
                <input id="tname" name="name" type="text" required maxlength="80"/>
                <div class="actions"><button class="btn" type="submit">{ctx.t("settings.create_token")}</button></div>
            </form>
        </div>
        <div class="card table-wrap">
            <table>
                <caption class="sr-only">{ctx.t("settings.tokens")}</caption>
                <thead><tr>
                    <th scope="col">{ctx.t("settings.token_name")}</th><th scope="col">{ctx.t("settings.token_prefix")}</th><th scope="col">{ctx.t("settings.owner")}</th>
                    <th scope="col">{ctx.t("settings.created")}</th><th scope="col">{ctx.t("settings.last_used")}</th><th scope="col">{ctx.t("settings.state")}</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}

pub fn settings(ctx: &PageCtx, tab: SettingsTab, vm: &SecurityVm) -> String {
    let content = match tab {
        SettingsTab::Preferences => preferences(ctx, vm),
        SettingsTab::Security => security(ctx, vm),
        SettingsTab::Tokens => tokens(ctx, vm),
    };
    let body = view! {
        <h1>{ctx.t("nav.settings")}</h1>
        {tabs(ctx, tab)}
        {content}
    };
    render_document(ctx, &ctx.t("nav.settings"), body)
}
