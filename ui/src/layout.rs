//! The page frame: document head, skip link, navigation for every part of the product,
//! top bar with search, shop switcher and account menu; or the narrow frame of the sign-in
//! pages. Navigation comes from one table so every page and every test sees the same list.

use crate::icons::{LOGO, svg};
use crate::{Flash, FlashKind, PageCtx, assets, is_rtl};
use leptos::prelude::*;

/// (path, label key, icon, available in this build)
type NavItem = (&'static str, &'static str, &'static str, bool);

/// Navigation groups: (group label key, items).
pub const NAV: &[(&str, &[NavItem])] = &[
    (
        "nav.group_overview",
        &[
            ("/dashboard", "nav.dashboard", "dashboard", true),
            ("/charts", "nav.charts", "charts", true),
            ("/cohorts", "nav.cohorts", "users", true),
            ("/funnel", "nav.funnel", "funnel", true),
        ],
    ),
    (
        "nav.group_data",
        &[
            ("/upload", "nav.upload", "upload", true),
            ("/uploads", "nav.upload_history", "history", true),
        ],
    ),
    (
        "nav.group_insights",
        &[
            ("/customers", "nav.customers", "users", true),
            ("/segments", "nav.segments", "segments", true),
            ("/forecasts", "nav.forecasts", "forecast", true),
            ("/recommendations", "nav.recommendations", "recs", true),
            ("/models", "nav.model_status", "models", true),
        ],
    ),
    (
        "nav.group_ask",
        &[
            ("/search", "nav.search", "search", true),
            ("/copilot", "nav.copilot", "copilot", true),
            ("/reports", "nav.reports", "reports", true),
        ],
    ),
    (
        "nav.group_account",
        &[
            ("/notifications", "nav.notifications", "bell", true),
            ("/audit", "nav.audit", "audit", true),
            ("/permissions", "nav.permissions", "users", true),
            ("/subscription", "nav.subscription", "card", false),
            ("/settings", "nav.settings", "settings", true),
            ("/help", "nav.help", "help", true),
        ],
    ),
];

/// Every navigation target: (path, label key, available).
pub fn nav_items() -> impl Iterator<Item = (&'static str, &'static str, bool)> {
    NAV.iter()
        .flat_map(|(_, items)| items.iter().map(|(p, k, _, a)| (*p, *k, *a)))
}

fn flash_view(f: Option<Flash>) -> impl IntoView {
    f.map(|f| {
        let (class, role) = match f.kind {
            FlashKind::Ok => ("alert ok", "status"),
            FlashKind::Error => ("alert error", "alert"),
            FlashKind::Info => ("alert info", "status"),
        };
        view! { <div class=class role=role>{f.text}</div> }
    })
}

fn head(ctx: &PageCtx, title: &str) -> impl IntoView + use<> {
    let full = format!("{title} · SmartRetail360");
    view! {
        <head>
            <meta charset="utf-8"/>
            <meta name="viewport" content="width=device-width, initial-scale=1"/>
            <meta name="color-scheme" content="light dark"/>
            <title>{full}</title>
            <link rel="icon" href=assets::url("logo.svg") type="image/svg+xml"/>
            <link rel="stylesheet" href=assets::url("app.css")/>
            <meta name="csrf-token" content=ctx.csrf.clone()/>
            <script src=assets::url("app.js") defer></script>
        </head>
    }
}

fn sidebar(ctx: &PageCtx) -> impl IntoView + use<> {
    let groups = NAV
        .iter()
        .map(|(gk, items)| {
            let links = items
                .iter()
                .map(|(path, key, icon, available)| {
                    let current = ctx.path == *path
                        || (ctx.path.starts_with(path) && ctx.path[path.len()..].starts_with('/'));
                    let soon = (!available)
                        .then(|| view! { <span class="soon">{ctx.t("nav.soon")}</span> });
                    // Unread notifications, kept current by app.js over server-sent events.
                    let count = (*path == "/notifications" && ctx.user.is_some()).then(|| {
                        view! {
                            <span class="nav-count" id="unread-count" hidden=ctx.unread == 0
                                aria-label=ctx.t("notify.unread")>{ctx.unread.to_string()}</span>
                        }
                    });
                    view! {
                        <li>
                            <a href=*path aria-current=current.then_some("page")>
                                <span inner_html=svg(icon, "nav-icon")></span>
                                <span>{ctx.t(key)}</span>
                                {soon}
                                {count}
                            </a>
                        </li>
                    }
                })
                .collect_view();
            view! {
                <div class="nav-group">
                    <h2>{ctx.t(gk)}</h2>
                    <ul>{links}</ul>
                </div>
            }
        })
        .collect_view();
    view! {
        <nav class="sidebar" id="sidebar" aria-label=ctx.t("nav.main")>
            <a class="brand" href="/dashboard"><span inner_html=LOGO></span>"SmartRetail360"</a>
            {groups}
        </nav>
    }
}

fn topbar(ctx: &PageCtx) -> impl IntoView + use<> {
    let user = ctx.user.clone().unwrap_or_default();
    let initial: String = user
        .display_name
        .chars()
        .next()
        .map(|c| c.to_uppercase().collect())
        .unwrap_or_default();
    let tenant_switch = (ctx.tenants.len() > 1).then(|| {
        let current = ctx.tenant.as_ref().map(|t| t.id.clone()).unwrap_or_default();
        let opts = ctx
            .tenants
            .iter()
            .map(|t| {
                let sel = t.id == current;
                view! { <option value=t.id.clone() selected=sel>{t.name.clone()}</option> }
            })
            .collect_view();
        view! {
            <form class="tenant-switch" method="post" action="/session/tenant">
                <input type="hidden" name="csrf" value=ctx.csrf.clone()/>
                <label class="sr-only" for="tenant-select">{ctx.t("top.shop")}</label>
                <select id="tenant-select" name="tenant" data-autosubmit="">{opts}</select>
                <button class="btn secondary" type="submit" data-js-hide="">{ctx.t("top.switch")}</button>
            </form>
        }
    });
    let shop_name = ctx.tenant.as_ref().map(|t| t.name.clone());
    let role = ctx
        .tenant
        .as_ref()
        .map(|t| ctx.t(&format!("role.{}", t.role)));
    view! {
        <header class="topbar">
            <label class="btn secondary menu-toggle" for="menu">
                <span inner_html=svg("menu", "nav-icon")></span>
                <span class="sr-only">{ctx.t("top.menu")}</span>
            </label>
            <form class="search" role="search" method="get" action="/search">
                <label class="sr-only" for="global-search">{ctx.t("top.search_label")}</label>
                <input id="global-search" type="search" name="q" placeholder=ctx.t("top.search_placeholder") autocomplete="off"
                    data-kind-product=ctx.t("search.kind_product") data-kind-customer=ctx.t("search.kind_customer")
                    data-kind-order=ctx.t("search.kind_order") data-kind-report=ctx.t("search.kind_report")
                    data-kind-chart=ctx.t("search.kind_chart") data-kind-page=ctx.t("search.kind_page")
                    data-kind-help=ctx.t("search.kind_help") data-kind-alert=ctx.t("search.kind_alert")/>
            </form>
            <span class="spacer"></span>
            {tenant_switch}
            <div class="user-menu">
                <span class="avatar" aria-hidden="true">{initial}</span>
                <span>
                    <span class="sr-only">{ctx.t("top.signed_in_as")}</span>
                    <strong>{user.display_name.clone()}</strong>
                    <br/>
                    <small class="muted">{shop_name}" · "{role}</small>
                </span>
                <form method="post" action="/logout" class="inline">
                    <input type="hidden" name="csrf" value=ctx.csrf.clone()/>
                    <button class="btn link" type="submit" title=ctx.t("top.logout")>
                        <span inner_html=svg("logout", "nav-icon")></span>
                        <span class="sr-only">{ctx.t("top.logout")}</span>
                    </button>
                </form>
            </div>
        </header>
    }
}

/// The copilot window: a button on every page of a shop that opens it (a link to the
/// copilot page without JavaScript), the conversation, and a question box. `app.js` asks the
/// API and keeps the conversation while the user moves between pages.
fn copilot_window(ctx: &PageCtx) -> impl IntoView + use<> {
    view! {
        <a class="btn copilot-fab" id="copilot-open" href="/copilot" title=ctx.t("copilot.open_hint")>
            <span inner_html=svg("copilot", "nav-icon")></span>
            <span>{ctx.t("nav.copilot")}</span>
        </a>
        <dialog id="copilot-window" class="copilot-window" aria-labelledby="copilot-window-title"
            data-thinking=ctx.t("copilot.thinking") data-error=ctx.t("copilot.error")
            data-open-page=ctx.t("copilot.open_page") data-sources=ctx.t("copilot.sources")
            data-alerts=ctx.t("copilot.alerts_open")>
            <header>
                <h2 id="copilot-window-title">{ctx.t("nav.copilot")}</h2>
                <button type="button" class="btn link" id="copilot-close" aria-label=ctx.t("copilot.close")>"×"</button>
            </header>
            <div id="copilot-log" class="copilot-log" aria-live="polite"></div>
            <form id="copilot-window-form" method="get" action="/copilot" class="copilot-window-form">
                <label class="sr-only" for="copilot-window-q">{ctx.t("copilot.ask_label")}</label>
                <input id="copilot-window-q" name="q" type="text" maxlength="500" placeholder=ctx.t("copilot.placeholder") autocomplete="off"/>
                <button class="btn secondary" type="button" id="copilot-mic" hidden aria-pressed="false"
                    title=ctx.t("copilot.voice") aria-label=ctx.t("copilot.voice")>
                    <span inner_html=svg("mic", "nav-icon")></span>
                </button>
                <button class="btn" type="submit">{ctx.t("copilot.ask")}</button>
            </form>
            <p class="muted small" id="copilot-voice-notice" hidden>{ctx.t("copilot.voice_notice")}</p>
            <p class="muted small">{ctx.t("copilot.window_hint")}</p>
        </dialog>
    }
}

/// A whole HTML document. Signed-in pages get the app frame; the others the narrow one.
pub fn render_document(ctx: &PageCtx, title: &str, body: impl IntoView + 'static) -> String {
    let dir = if is_rtl(ctx.locale) { "rtl" } else { "ltr" };
    let theme = match ctx.theme.as_str() {
        "light" | "dark" => ctx.theme.clone(),
        _ => "system".to_string(),
    };
    let flash = flash_view(ctx.flash.clone()).into_any();
    let body = body.into_any();
    let inner = if ctx.user.is_some() {
        view! {
            <input type="checkbox" id="menu" class="sr-only" aria-hidden="true" tabindex="-1"/>
            <div class="app">
                {sidebar(ctx).into_any()}
                <div class="main-col">
                    {topbar(ctx).into_any()}
                    <main id="main" tabindex="-1">{flash}{body}</main>
                </div>
            </div>
            {(ctx.tenant.is_some() && ctx.path != "/copilot").then(|| copilot_window(ctx).into_any())}
        }
        .into_any()
    } else {
        view! {
            <main id="main" class="auth-wrap" tabindex="-1">
                <div class="auth-card">
                    <a class="brand" href="/"><span inner_html=LOGO></span>"SmartRetail360"</a>
                    {flash}
                    {body}
                </div>
            </main>
        }
        .into_any()
    };
    let doc = view! {
        <html lang=ctx.locale dir=dir data-theme=theme>
            {head(ctx, title).into_any()}
            <body>
                <a class="skip" href="#main">{ctx.t("nav.skip")}</a>
                {inner}
            </body>
        </html>
    };
    format!("<!DOCTYPE html>{}", doc.to_html())
}
