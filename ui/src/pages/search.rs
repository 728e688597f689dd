//! Search results, grouped by kind (products, customers, orders, reports, charts, pages,
//! help), each linking to its object; a notice when only words were searched.

use crate::{PageCtx, render_document};
use leptos::prelude::*;

#[derive(Debug, Clone, Default)]
pub struct HitVm {
    pub title: String,
    pub subtitle: Option<String>,
    pub url: String,
    /// "words", "meaning" or both, in words.
    pub found_by: String,
}

#[derive(Debug, Clone, Default)]
pub struct SearchVm {
    pub query: String,
    /// (kind key, hits), in display order.
    pub groups: Vec<(String, Vec<HitVm>)>,
    /// Why search by meaning is off, when it is.
    pub notice: Option<String>,
}

pub fn search(ctx: &PageCtx, vm: &SearchVm) -> String {
    let groups = vm
        .groups
        .iter()
        .map(|(kind, hits)| {
            let items = hits
                .iter()
                .map(|h| {
                    let sub = h
                        .subtitle
                        .clone()
                        .map(|s| view! { <br/><small class="muted">{s}</small> });
                    view! {
                        <li>
                            <a href=h.url.clone()><strong>{h.title.clone()}</strong></a>
                            {sub}
                            <small class="muted found-by">" · "{h.found_by.clone()}</small>
                        </li>
                    }
                })
                .collect_view();
            let id = format!("group-{kind}");
            view! {
                <section class="card search-group" id=id>
                    <h2>{ctx.t(&format!("search.kind_{kind}"))}" "<span class="badge">{hits.len()}</span></h2>
                    <ul class="plain-list">{items}</ul>
                </section>
            }
        })
        .collect_view();
    let notice = vm
        .notice
        .clone()
        .map(|n| view! { <p class="notice" id="search-notice">{n}</p> });
    let empty = (vm.groups.is_empty() && !vm.query.is_empty()).then(|| {
        view! { <p class="muted" id="search-empty">{ctx.t("search.none").replace("{q}", &vm.query)}</p> }
    });
    let body = view! {
        <h1>{ctx.t("search.title")}</h1>
        <p class="lede">{ctx.t("search.lede")}</p>
        <form method="get" action="/search" role="search" class="search-page-form">
            <label class="sr-only" for="search-q">{ctx.t("top.search_label")}</label>
            <input id="search-q" type="search" name="q" value=vm.query.clone() placeholder=ctx.t("top.search_placeholder") autocomplete="off"/>
            <button class="btn" type="submit">{ctx.t("search.go")}</button>
        </form>
        {notice}
        {empty}
        <div class="search-results">{groups}</div>
    };
    render_document(ctx, &ctx.t("search.title"), body)
}
