//! Customers: the most valuable ones, and one customer's page (orders, RFM figures). Personal
//! data arrives already masked for roles that may not see it; the page says so.

use crate::{PageCtx, format, render_document};
use leptos::prelude::*;

#[derive(Debug, Clone, Default)]
pub struct CustomerRowVm {
    pub href: String,
    /// Name when allowed, else "Customer <ref>".
    pub label: String,
    pub region: String,
    pub orders: i64,
    pub revenue: f64,
    pub last_order: String,
}

#[derive(Debug, Clone, Default)]
pub struct CustomersVm {
    pub rows: Vec<CustomerRowVm>,
    pub currency: String,
    pub pii_hidden: bool,
    pub empty: bool,
}

#[derive(Debug, Clone, Default)]
pub struct CustomerVm {
    pub label: String,
    /// (label key, value) of personal data, empty when hidden.
    pub personal: Vec<(&'static str, String)>,
    pub pii_hidden: bool,
    pub region: String,
    pub channel: String,
    pub orders: i64,
    pub revenue: f64,
    pub aov: Option<f64>,
    pub recency_days: Option<i64>,
    pub tenure_days: Option<i64>,
    pub return_rate: Option<f64>,
    pub first_order: String,
    pub last_order: String,
    /// (order id, date, items, revenue, returned)
    pub order_rows: Vec<(String, String, i64, f64, bool)>,
    /// (segment key, its name) from the last model run.
    pub segment: Option<(String, String)>,
    pub currency: String,
}

pub fn customers(ctx: &PageCtx, vm: &CustomersVm) -> String {
    let rows = vm
        .rows
        .iter()
        .map(|r| {
            view! {
                <tr>
                    <td><a href=r.href.clone()>{r.label.clone()}</a></td>
                    <td>{r.region.clone()}</td>
                    <td class="num">{format::amount(ctx.locale, r.orders as f64)}</td>
                    <td class="num">{format::money(ctx.locale, r.revenue, &vm.currency)}</td>
                    <td>{r.last_order.clone()}</td>
                </tr>
            }
        })
        .collect_view();
    let body = view! {
        <h1>{ctx.t("nav.customers")}</h1>
        <p class="lede">{ctx.t("customers.lede")}</p>
        {vm.pii_hidden.then(|| view! { <p class="alert">{ctx.t("customers.pii_hidden")}</p> })}
        {vm.empty.then(|| view! { <div class="card empty"><h2>{ctx.t("dash.empty_title")}</h2><p class="muted">{ctx.t("dash.empty_text")}</p></div> })}
        {(!vm.empty).then(|| view! {
            <div class="card table-wrap" id="top-customers">
                <table>
                    <thead><tr><th scope="col">{ctx.t("customers.customer")}</th><th scope="col">{ctx.t("charts.region")}</th><th scope="col" class="num">{ctx.t("charts.orders")}</th><th scope="col" class="num">{ctx.t("charts.revenue")}</th><th scope="col">{ctx.t("customers.last_order")}</th></tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        })}
    };
    render_document(ctx, &ctx.t("nav.customers"), body)
}

pub fn customer(ctx: &PageCtx, vm: &CustomerVm) -> String {
    let opt_money = |v: Option<f64>| {
        v.map(|x| format::money(ctx.locale, x, &vm.currency))
            .unwrap_or_else(|| "—".into())
    };
    let days = |v: Option<i64>| {
        v.map(|d| {
            format!(
                "{} {}",
                format::amount(ctx.locale, d as f64),
                ctx.t("customers.days")
            )
        })
        .unwrap_or_else(|| "—".into())
    };
    let figures = [
        ("charts.orders", format::amount(ctx.locale, vm.orders as f64)),
        ("charts.revenue", format::money(ctx.locale, vm.revenue, &vm.currency)),
        ("kpi.aov", opt_money(vm.aov)),
        ("customers.recency", days(vm.recency_days)),
        ("customers.tenure", days(vm.tenure_days)),
        ("kpi.return_rate", vm.return_rate.map(|r| format::percent(ctx.locale, r)).unwrap_or_else(|| "—".into())),
    ]
    .into_iter()
    .map(|(k, v)| view! { <div class="card kpi"><span class="label">{ctx.t(k)}</span><span class="value">{v}</span></div> })
    .collect_view();
    let personal = vm
        .personal
        .iter()
        .map(|(k, v)| view! { <dt>{ctx.t(k)}</dt><dd>{v.clone()}</dd> })
        .collect_view();
    let orders = vm
        .order_rows
        .iter()
        .map(|(id, date, items, revenue, returned)| {
            view! {
                <tr>
                    <td><code>{id.clone()}</code></td>
                    <td>{date.clone()}</td>
                    <td class="num">{format::amount(ctx.locale, *items as f64)}</td>
                    <td class="num">{format::money(ctx.locale, *revenue, &vm.currency)}</td>
                    <td>{returned.then(|| view! { <span class="badge">{ctx.t("customers.returned")}</span> })}</td>
                </tr>
            }
        })
        .collect_view();
    let lede = [
        vm.region.clone(),
        vm.channel.clone(),
        format!("{} {}", ctx.t("customers.customer_since"), vm.first_order),
        format!(
            "{} {}",
            ctx.t("customers.last_order").to_lowercase(),
            vm.last_order
        ),
    ]
    .into_iter()
    .filter(|s| !s.trim().is_empty())
    .collect::<Vec<_>>()
    .join(" · ");
    let body = view! {
        <p><a href="/customers">{ctx.t("customers.back")}</a></p>
        <h1>{vm.label.clone()}</h1>
        <p class="lede">{lede}</p>
        {vm.segment.clone().map(|(k, name)| view! { <p id="segment">{ctx.t("segments.segment")}": "<a class="badge ok" href=format!("/segments?segment={k}")>{name}</a></p> })}
        {vm.pii_hidden.then(|| view! { <p class="alert">{ctx.t("customers.pii_hidden")}</p> })}
        {(!vm.personal.is_empty()).then(|| view! { <div class="card" id="personal"><dl class="pairs">{personal}</dl></div> })}
        <div class="grid kpis" id="rfm">{figures}</div>
        <div class="card table-wrap" id="orders">
            <h2>{ctx.t("customers.orders")}</h2>
            <table>
                <thead><tr><th scope="col">{ctx.t("customers.order")}</th><th scope="col">{ctx.t("customers.date")}</th><th scope="col" class="num">{ctx.t("charts.units")}</th><th scope="col" class="num">{ctx.t("charts.revenue")}</th><th scope="col"></th></tr></thead>
                <tbody>{orders}</tbody>
            </table>
        </div>
    };
    render_document(ctx, &vm.label, body)
}
