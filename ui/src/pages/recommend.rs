//! The Recommendations page: a customer's list with the reason for each item, a product's
//! "bought together" and "similar", and where to start (the best customers, what is popular).

use crate::{PageCtx, render_document};
use leptos::prelude::*;

#[derive(Debug, Clone, Default)]
pub struct RecVm {
    pub name: String,
    pub category: String,
    /// The reason in words.
    pub why: String,
    /// The product's own recommendations.
    pub href: String,
}

#[derive(Debug, Clone, Default)]
pub struct RecommendVm {
    /// (title, list id, items) sections in order.
    pub sections: Vec<(String, String, Vec<RecVm>)>,
    /// The customer or product asked about, for the heading.
    pub subject: Option<String>,
    /// Starting points: (label, href).
    pub starters: Vec<(String, String)>,
    pub customer: String,
    pub notice: Option<String>,
}

fn list(ctx: &PageCtx, items: &[RecVm]) -> AnyView {
    if items.is_empty() {
        return view! { <p class="muted">{ctx.t("rec.none")}</p> }.into_any();
    }
    let rows = items
        .iter()
        .map(|r| {
            view! {
                <tr>
                    <td><a href=r.href.clone()><strong>{r.name.clone()}</strong></a><br/><small class="muted">{r.category.clone()}</small></td>
                    <td>{r.why.clone()}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="data"><thead><tr><th>{ctx.t("rec.product")}</th><th>{ctx.t("rec.why")}</th></tr></thead>
        <tbody>{rows}</tbody></table>
    }
    .into_any()
}

pub fn recommendations(ctx: &PageCtx, vm: &RecommendVm) -> String {
    let sections = vm
        .sections
        .iter()
        .map(|(title, id, items)| {
            view! { <section class="card" id=id.clone()><h2>{title.clone()}</h2>{list(ctx, items)}</section> }
        })
        .collect_view();
    let starters = (!vm.starters.is_empty()).then(|| {
        let links = vm
            .starters
            .iter()
            .map(|(label, href)| view! { <li><a href=href.clone()>{label.clone()}</a></li> })
            .collect_view();
        view! { <section class="card" id="starters"><h2>{ctx.t("rec.starters")}</h2><ul class="plain-list">{links}</ul></section> }
    });
    let notice = vm
        .notice
        .clone()
        .map(|n| view! { <p class="notice" id="rec-notice">{n}</p> });
    let subject = vm
        .subject
        .clone()
        .map(|s| view! { <p class="lede"><strong>{s}</strong></p> });
    let body = view! {
        <h1>{ctx.t("nav.recommendations")}</h1>
        <p class="lede">{ctx.t("rec.lede")}</p>
        <form method="get" action="/recommendations" class="search-page-form">
            <label class="sr-only" for="rec-customer">{ctx.t("rec.customer_label")}</label>
            <input id="rec-customer" type="text" name="customer" value=vm.customer.clone() placeholder=ctx.t("rec.customer_label")/>
            <button class="btn" type="submit">{ctx.t("rec.show")}</button>
        </form>
        {notice}
        {subject}
        <div class="search-results">{sections}</div>
        {starters}
    };
    render_document(ctx, &ctx.t("nav.recommendations"), body)
}
