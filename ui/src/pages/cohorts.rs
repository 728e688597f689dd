//! Cohort retention and lifetime value: a table of acquisition months × months since the first
//! purchase, cells shaded by retention (CSS classes, no inline styles), and an LTV chart.

use super::charts::export_buttons;
use crate::{PageCtx, format, render_document};
use leptos::prelude::*;

#[derive(Debug, Clone)]
pub struct CohortRowVm {
    pub month: time::Date,
    pub customers: i64,
    pub retention: Vec<Option<f64>>,
    pub ltv: Vec<Option<f64>>,
}

#[derive(Debug, Clone, Default)]
pub struct CohortsVm {
    pub rows: Vec<CohortRowVm>,
    pub months: usize,
    pub currency: String,
    pub ltv_svg_light: Option<String>,
    pub ltv_svg_dark: Option<String>,
    pub empty: bool,
    /// Where the export forms post (None: the role may not export).
    pub export: Option<String>,
}

pub fn cohorts(ctx: &PageCtx, vm: &CohortsVm) -> String {
    let head = (0..vm.months)
        .map(|k| view! { <th scope="col" class="num">{format!("+{k}")}</th> })
        .collect_view();
    let rows = vm
        .rows
        .iter()
        .map(|r| {
            let cells = r
                .retention
                .iter()
                .map(|v| match v {
                    // Ten shades, darker for higher retention.
                    Some(x) => {
                        let level = ((x * 10.0).floor() as i64).clamp(0, 9);
                        view! { <td class=format!("num heat r{level}")>{format::percent(ctx.locale, *x)}</td> }.into_any()
                    }
                    None => view! { <td class="num muted">"·"</td> }.into_any(),
                })
                .collect_view();
            let ltv = r.ltv.iter().rev().find_map(|v| *v).map(|v| format::money(ctx.locale, v, &vm.currency)).unwrap_or_default();
            view! {
                <tr>
                    <th scope="row">{format::month(ctx.locale, r.month)}</th>
                    <td class="num">{format::amount(ctx.locale, r.customers as f64)}</td>
                    {cells}
                    <td class="num">{ltv}</td>
                </tr>
            }
        })
        .collect_view();
    let light = vm
        .ltv_svg_light
        .clone()
        .map(|s| view! { <div class="chart chart-light" inner_html=s></div> });
    let dark = vm
        .ltv_svg_dark
        .clone()
        .map(|s| view! { <div class="chart chart-dark" inner_html=s></div> });
    let body = view! {
        <div class="page-head"><h1>{ctx.t("nav.cohorts")}</h1>{vm.export.as_deref().filter(|_| !vm.empty).map(|a| export_buttons(ctx, a, "all", false))}</div>
        <p class="lede">{ctx.t("cohorts.lede")}</p>
        {vm.empty.then(|| view! { <div class="card empty"><h2>{ctx.t("dash.empty_title")}</h2><p class="muted">{ctx.t("dash.empty_text")}</p></div> })}
        {(!vm.empty).then(|| view! {
            <figure class="card chart-card" id="retention">
                <h2>{ctx.t("cohorts.retention")}</h2>
                <div class="table-wrap">
                    <table class="cohorts">
                        <thead><tr><th scope="col">{ctx.t("cohorts.cohort")}</th><th scope="col" class="num">{ctx.t("cohorts.customers")}</th>{head}<th scope="col" class="num">{ctx.t("cohorts.ltv")}</th></tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
                <figcaption class="summary">{ctx.t("cohorts.explain")}</figcaption>
                {vm.export.as_deref().map(|a| export_buttons(ctx, a, "retention", true))}
            </figure>
            <figure class="card chart-card" id="ltv">
                <h2>{ctx.t("cohorts.ltv_title")}</h2>
                {light}
                {dark}
                <figcaption class="summary">{ctx.t("cohorts.ltv_explain")}</figcaption>
                {vm.export.as_deref().map(|a| export_buttons(ctx, a, "ltv", false))}
            </figure>
        })}
    };
    render_document(ctx, &ctx.t("nav.cohorts"), body)
}
