//! The funnel page: the overall funnel with each step's conversion, the same by channel and by
//! category, the products that convert worst, and the flagged underperformers with the numbers
//! behind each flag and what to do about it.

use super::charts::{ChartCardVm, chart_card, date_fields, export_buttons, form_actions, select};
use crate::{PageCtx, render_document};
use leptos::prelude::*;

#[derive(Debug, Clone, Default)]
pub struct FlagVm {
    pub sku: String,
    pub name: String,
    pub category: String,
    /// "120 views, 3 added to cart (2.5 %) against 24.1 % in Footwear; z = −6.2"
    pub evidence: String,
    pub suggestion: String,
    pub href: String,
}

#[derive(Debug, Clone, Default)]
pub struct FunnelVm {
    pub from: String,
    pub to: String,
    pub min: String,
    pub max: String,
    pub channel: String,
    pub category: String,
    pub channels: Vec<String>,
    pub categories: Vec<String>,
    /// (step label, count, conversion from the step before)
    pub steps: Vec<(String, String, String)>,
    pub chart: Option<ChartCardVm>,
    pub tables: Vec<ChartCardVm>,
    pub flags: Vec<FlagVm>,
    pub empty: bool,
    /// Where the export forms post (None: the role may not export).
    pub export: Option<String>,
}

pub fn funnel(ctx: &PageCtx, vm: &FunnelVm) -> String {
    let filters = view! {
        <form class="card filters" method="get" action="/funnel" aria-label=ctx.t("charts.filters")>
            {date_fields(ctx, &vm.from, &vm.to, &vm.min, &vm.max)}
            {select(ctx, "channel", &vm.channel, &vm.channels)}
            {select(ctx, "category", &vm.category, &vm.categories)}
            {form_actions(ctx, "/funnel")}
        </form>
    };
    let steps = vm
        .steps
        .iter()
        .map(|(label, count, rate)| view! { <div class="card kpi"><span class="label">{label.clone()}</span><span class="value">{count.clone()}</span><span class="muted">{rate.clone()}</span></div> })
        .collect_view();
    let export = vm.export.as_deref();
    let chart = vm.chart.as_ref().map(|c| chart_card(ctx, c, true, export));
    let tables = vm
        .tables
        .iter()
        .map(|c| chart_card(ctx, c, true, export))
        .collect_view();
    let flags = vm
        .flags
        .iter()
        .map(|f| {
            view! {
                <li>
                    <strong><a href=f.href.clone()>{f.name.clone()}</a></strong>" "<span class="muted">{format!("{} · {}", f.sku, f.category)}</span>
                    <p class="evidence">{f.evidence.clone()}</p>
                    <p class="suggestion">{f.suggestion.clone()}</p>
                </li>
            }
        })
        .collect_view();
    let body = view! {
        <div class="page-head"><h1>{ctx.t("nav.funnel")}</h1>{export.filter(|_| !vm.empty).map(|a| export_buttons(ctx, a, "all", false))}</div>
        {filters}
        {vm.empty.then(|| view! { <div class="card empty"><h2>{ctx.t("funnel.empty_title")}</h2><p class="muted">{ctx.t("funnel.empty_text")}</p><p><a class="btn" href="/upload">{ctx.t("nav.upload")}</a></p></div> })}
        {(!vm.empty).then(|| view! { <div class="grid kpis" id="steps">{steps}</div> })}
        {chart}
        {(!vm.empty).then(|| view! {
            <section class="card" id="underperformers">
                <h2>{ctx.t("funnel.flags_title")}</h2>
                <p class="muted">{ctx.t("funnel.flags_method")}</p>
                {if vm.flags.is_empty() { view! { <p>{ctx.t("funnel.no_flags")}</p> }.into_any() } else { view! { <ol class="flags">{flags}</ol> }.into_any() }}
                {export.filter(|_| !vm.flags.is_empty()).map(|a| export_buttons(ctx, a, "flags", true))}
            </section>
        })}
        <div class="chart-grid">{tables}</div>
    };
    render_document(ctx, &ctx.t("nav.funnel"), body)
}
