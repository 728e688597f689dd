//! Pages that explain a state: a part of the product not in this build yet, an error, help.

use crate::icons::svg;
use crate::{PageCtx, render_document};
use leptos::prelude::*;

/// A navigation target whose feature is not in this build: says so plainly.
pub fn upcoming(ctx: &PageCtx, title_key: &str) -> String {
    let body = view! {
        <h1>{ctx.t(title_key)}</h1>
        <div class="card empty">
            <span inner_html=svg("hourglass", "")></span>
            <h2>{ctx.t("upcoming.title")}</h2>
            <p class="muted">{ctx.t("upcoming.text")}</p>
            <p><a class="btn secondary" href="/dashboard">{ctx.t("upcoming.back")}</a></p>
        </div>
    };
    render_document(ctx, &ctx.t(title_key), body)
}

pub fn error_page(ctx: &PageCtx, status: u16, message: &str) -> String {
    let title = format!("{} {status}", ctx.t("error.title"));
    let body = view! {
        <div class="card">
            <h1>{title.clone()}</h1>
            <p>{message.to_string()}</p>
            <p><a href="/">{ctx.t("error.home")}</a></p>
        </div>
    };
    render_document(ctx, &title, body)
}

/// The help articles, by id: `help.<id>` is the question, `help.<id>_a` the answer, and
/// `/help#<id>` opens it (search links there).
pub const HELP_ARTICLES: &[&str] = &[
    "q_data",
    "q_roles",
    "q_mfa",
    "q_tokens",
    "q_offline",
    "q_forecast",
    "q_alerts",
    "q_uplift",
    "q_recommend",
    "q_search",
];

pub fn help(ctx: &PageCtx) -> String {
    let items = HELP_ARTICLES
        .iter()
        .map(|id| {
            let k = format!("help.{id}");
            view! { <details class="card" id=*id><summary><strong>{ctx.t(&k)}</strong></summary><p>{ctx.t(&format!("{k}_a"))}</p></details> }
        })
        .collect_view();
    let body = view! {
        <h1>{ctx.t("nav.help")}</h1>
        <p class="lede">{ctx.t("help.lede")}</p>
        {items}
    };
    render_document(ctx, &ctx.t("nav.help"), body)
}

/// (title, body, link, time, unread)
pub type NotificationVm = (String, String, String, i64, bool);

pub fn notifications(ctx: &PageCtx, items: &[NotificationVm]) -> String {
    let list = items
        .iter()
        .map(|(title, body, link, at, unread)| {
            let badge =
                unread.then(|| view! { <span class="badge warn">{ctx.t("notify.new")}</span> " " });
            let href = link.clone();
            view! {
                <li class="card">
                    {badge}<strong><a href=href>{title.clone()}</a></strong>
                    <p class="muted">{body.clone()}" · "{super::fmt_time(ctx.locale, *at)}</p>
                </li>
            }
        })
        .collect_view();
    let empty = items
        .is_empty()
        .then(|| view! { <p class="muted">{ctx.t("notify.empty")}</p> });
    let body = view! {
        <h1>{ctx.t("nav.notifications")}</h1>
        {empty}
        <ul class="plain-list">{list}</ul>
    };
    render_document(ctx, &ctx.t("nav.notifications"), body)
}
