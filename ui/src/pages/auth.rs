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
