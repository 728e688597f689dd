//! Sign-in, sign-up and the second-factor prompt.

use super::csrf_field;
use crate::{PageCtx, render_document};
use leptos::prelude::*;

pub fn login(ctx: &PageCtx, email: &str, signup_open: bool) -> String {
    let signup = signup_open.then(|| view! { <p class="auth-alt">{ctx.t("auth.no_account")}" "<a href="/signup">{ctx.t("auth.create_shop")}</a></p> });
    let body = view! {
        <div class="card">
            <h1>{ctx.t("auth.login_title")}</h1>
            <form method="post" action="/login">
                {csrf_field(&ctx.csrf)}
                <label for="email">{ctx.t("auth.email")}</label>
                <input id="email" name="email" type="email" autocomplete="username" required value=email.to_string() autofocus/>
                <label for="password">{ctx.t("auth.password")}</label>
                <input id="password" name="password" type="password" autocomplete="current-password" required/>
                <button class="btn" type="submit">{ctx.t("auth.login_button")}</button>
            </form>
        </div>
        {signup}
    };
    render_document(ctx, &ctx.t("auth.login_title"), body)
}

pub fn signup(ctx: &PageCtx, shop: &str, name: &str, email: &str) -> String {
    let body = view! {
        <div class="card">
            <h1>{ctx.t("auth.signup_title")}</h1>
            <p class="lede">{ctx.t("auth.signup_lede")}</p>
            <form method="post" action="/signup">
                {csrf_field(&ctx.csrf)}
                <label for="shop">{ctx.t("auth.shop_name")}</label>
                <input id="shop" name="shop" type="text" required maxlength="120" value=shop.to_string() autofocus/>
                <label for="name">{ctx.t("auth.your_name")}</label>
                <input id="name" name="name" type="text" autocomplete="name" required maxlength="100" value=name.to_string()/>
                <label for="email">{ctx.t("auth.email")}</label>
                <input id="email" name="email" type="email" autocomplete="email" required value=email.to_string()/>
                <label for="password">{ctx.t("auth.password")}" "<span class="hint">{ctx.t("auth.password_hint")}</span></label>
                <input id="password" name="password" type="password" autocomplete="new-password" required minlength="10" maxlength="256"/>
                <button class="btn" type="submit">{ctx.t("auth.signup_button")}</button>
            </form>
        </div>
        <p class="auth-alt">{ctx.t("auth.have_account")}" "<a href="/login">{ctx.t("auth.login_button")}</a></p>
    };
    render_document(ctx, &ctx.t("auth.signup_title"), body)
}

/// After a sign-up form on a server that confirms addresses: the same page whether or not
/// the address already has an account (the e-mail says which).
pub fn signup_sent(ctx: &PageCtx, email: &str) -> String {
    let text = ctx.t("auth.signup_sent_text").replace("{email}", email);
    let body = view! {
        <div class="card">
            <h1>{ctx.t("auth.signup_sent_title")}</h1>
            <p class="lede">{text}</p>
        </div>
        <p class="auth-alt">{ctx.t("auth.have_account")}" "<a href="/login">{ctx.t("auth.login_button")}</a></p>
    };
    render_document(ctx, &ctx.t("auth.signup_sent_title"), body)
}

/// The page a sign-up link opens: one button, so a mail scanner that follows links does
/// not create the shop.
pub fn signup_confirm(ctx: &PageCtx, token: &str) -> String {
    let body = view! {
        <div class="card">
            <h1>{ctx.t("auth.signup_title")}</h1>
            <p class="lede">{ctx.t("auth.confirm_text")}</p>
            <form method="post" action="/signup/confirm">
                {csrf_field(&ctx.csrf)}
                <input type="hidden" name="token" value=token.to_string()/>
                <button class="btn" type="submit">{ctx.t("auth.signup_button")}</button>
            </form>
        </div>
    };
    render_document(ctx, &ctx.t("auth.signup_title"), body)
}

/// A sign-up link that no longer works (the flash says why).
pub fn signup_link_expired(ctx: &PageCtx) -> String {
    let body = view! {
        <div class="card">
            <h1>{ctx.t("auth.signup_title")}</h1>
            <p class="lede"><a href="/signup">{ctx.t("auth.signup_again")}</a></p>
        </div>
    };
    render_document(ctx, &ctx.t("auth.signup_title"), body)
}

/// A sign-up e-mail's subject and text, in the visitor's language.
pub fn signup_mail(
    locale: &str,
    confirm_link: Option<&str>,
    login_link: &str,
    shop: &str,
    name: &str,
) -> (String, String) {
    let t = |k: &str| crate::tr(locale, k);
    match confirm_link {
        Some(link) => (
            t("auth.mail_confirm_subject").replace("{shop}", shop),
            t("auth.mail_confirm_body")
                .replace("{name}", name)
                .replace("{shop}", shop)
                .replace("{link}", link),
        ),
        None => (
            t("auth.mail_taken_subject"),
            t("auth.mail_taken_body").replace("{link}", login_link),
        ),
    }
}

pub fn mfa_prompt(ctx: &PageCtx) -> String {
    let body = view! {
        <div class="card">
            <h1>{ctx.t("auth.mfa_title")}</h1>
            <p class="lede">{ctx.t("auth.mfa_lede")}</p>
            <form method="post" action="/mfa">
                {csrf_field(&ctx.csrf)}
                <label for="code">{ctx.t("auth.mfa_code")}</label>
                <input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" required maxlength="20" autofocus/>
                <button class="btn" type="submit">{ctx.t("auth.mfa_button")}</button>
            </form>
            <form method="post" action="/logout" class="auth-alt">
                {csrf_field(&ctx.csrf)}
                <button class="btn link" type="submit">{ctx.t("auth.cancel")}</button>
            </form>
        </div>
    };
    render_document(ctx, &ctx.t("auth.mfa_title"), body)
}
