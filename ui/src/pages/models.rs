//! Forecasts (one series at a time: history, forecast and its interval band, and how the model
//! did on held-out weeks against seasonal naive) and the model status page (every run with its
//! data window, metrics, duration and time; the anomalies it found).

use super::charts::{ChartCardVm, chart_card};
use super::{csrf_field, fmt_time};
use crate::{PageCtx, render_document};
use leptos::prelude::*;

#[derive(Debug, Clone, Default)]
pub struct BacktestVm {
    pub horizon: String,
    pub mase: String,
    pub naive_mase: String,
    pub smape: String,
    pub naive_smape: String,
    pub coverage: String,
    /// The model beat seasonal naive (lower MASE).
    pub better: bool,
}

#[derive(Debug, Clone, Default)]
pub struct ForecastsVm {
    /// (key, label) of every forecast series, in the order of the run.
    pub options: Vec<(String, String)>,
    pub selected: String,
    pub horizon: usize,
    pub chart: Option<ChartCardVm>,
    /// What drives the series (trend and seasonal strengths), as a chart.
    pub drivers: Option<ChartCardVm>,
    /// Method and model of the selected series.
    pub model: String,
    pub backtests: Vec<BacktestVm>,
    /// Why the selected series has no forecast.
    pub not_enough: Option<String>,
    /// The data window and the time of the run.
    pub window: String,
    /// No model run has finished for this shop yet.
    pub empty: bool,
    pub can_run: bool,
}

#[derive(Debug, Clone, Default)]
pub struct RunRowVm {
    pub id: i64,
    pub trigger: String,
    pub status: String,
    pub window: String,
    pub metrics: Vec<String>,
    pub error: String,
    pub created_at: i64,
    pub duration: String,
}

#[derive(Debug, Clone, Default)]
pub struct AnomalyVm {
    /// The alert's stable id: the row's anchor, which alerts link to.
    pub id: String,
    pub what: String,
    pub day: String,
    pub value: String,
    pub expected: String,
    pub z: String,
    pub severity: String,
    pub low: bool,
}

/// One promotion's estimated effect on orders and revenue, with 95 % intervals.
#[derive(Debug, Clone, Default)]
pub struct UpliftVm {
    pub promotion: String,
    pub category: String,
    pub dates: String,
    pub orders: String,
    pub revenue: String,
    /// The orders interval lies above zero.
    pub clear_gain: bool,
    pub compared_with: String,
}

/// One method of the recommendations' evaluation: figures with their intervals, written out.
#[derive(Debug, Clone, Default)]
pub struct RecRowVm {
    pub method: String,
    pub ours: bool,
    pub hit_rate: String,
    pub ndcg: String,
    pub recall: String,
    pub coverage: String,
    /// sr360 against this method, in words ("" for sr360's own row).
    pub verdict: String,
}

/// The recommendations measured against baselines by the last run.
#[derive(Debug, Clone, Default)]
pub struct RecEvalVm {
    pub customers: String,
    pub rows: Vec<RecRowVm>,
    pub new_customers: String,
    pub new_rows: Vec<RecRowVm>,
}

#[derive(Debug, Clone, Default)]
pub struct ModelsVm {
    pub runs: Vec<RunRowVm>,
    pub anomalies: Vec<AnomalyVm>,
    pub uplift: Vec<UpliftVm>,
    pub recommendations: Option<RecEvalVm>,
    pub can_run: bool,
}

fn rec_table(ctx: &PageCtx, rows: &[RecRowVm]) -> impl IntoView + use<> {
    let body = rows
        .iter()
        .map(|r| {
            let class = if r.ours { "ours" } else { "" };
            view! {
                <tr class=class>
                    <td>{r.method.clone()}</td>
                    <td class="num">{r.hit_rate.clone()}</td>
                    <td class="num">{r.ndcg.clone()}</td>
                    <td class="num">{r.recall.clone()}</td>
                    <td class="num">{r.coverage.clone()}</td>
                    <td>{r.verdict.clone()}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table>
            <thead><tr>
                <th scope="col">{ctx.t("models.rec_col_method")}</th>
                <th scope="col" class="num">{ctx.t("models.rec_col_hit")}</th>
                <th scope="col" class="num">{ctx.t("models.rec_col_ndcg")}</th>
                <th scope="col" class="num">{ctx.t("models.rec_col_recall")}</th>
                <th scope="col" class="num">{ctx.t("models.rec_col_coverage")}</th>
                <th scope="col">{ctx.t("models.rec_col_verdict")}</th>
            </tr></thead>
            <tbody>{body}</tbody>
        </table>
    }
}

fn run_button(ctx: &PageCtx) -> impl IntoView + use<> {
    view! {
        <form method="post" action="/models/run" class="inline">
            {csrf_field(&ctx.csrf)}
            <button class="btn small" type="submit" id="run-models">{ctx.t("models.run_now")}</button>
        </form>
    }
}

pub fn forecasts(ctx: &PageCtx, vm: &ForecastsVm) -> String {
    let options = vm
        .options
        .iter()
        .map(|(k, l)| {
            let sel = *k == vm.selected;
            view! { <option value=k.clone() selected=sel>{l.clone()}</option> }
        })
        .collect_view();
    let horizons = [7usize, 14, 21, 30]
        .into_iter()
        .map(|h| {
            let sel = h == vm.horizon;
            view! { <option value=h.to_string() selected=sel>{ctx.t("forecast.days").replace("{n}", &h.to_string())}</option> }
        })
        .collect_view();
    let form = view! {
        <form class="card filters" method="get" action="/forecasts" aria-label=ctx.t("forecast.choose")>
            <label class="field"><span>{ctx.t("forecast.series")}</span><select name="series" id="f-series">{options}</select></label>
            <label class="field"><span>{ctx.t("forecast.horizon")}</span><select name="h" id="f-h">{horizons}</select></label>
            <div class="actions"><button class="btn" type="submit">{ctx.t("charts.apply")}</button></div>
        </form>
    };
    let rows = vm
        .backtests
        .iter()
        .map(|b| {
            let class = if b.better { "badge ok" } else { "badge" };
            view! {
                <tr>
                    <td>{b.horizon.clone()}</td>
                    <td class="num"><span class=class>{b.mase.clone()}</span></td><td class="num">{b.naive_mase.clone()}</td>
                    <td class="num">{b.smape.clone()}</td><td class="num">{b.naive_smape.clone()}</td>
                    <td class="num">{b.coverage.clone()}</td>
                </tr>
            }
        })
        .collect_view();
    let backtest = (!vm.backtests.is_empty()).then(|| {
        view! {
            <section class="card" id="backtest">
                <h2>{ctx.t("forecast.backtest_title")}</h2>
                <p class="muted">{ctx.t("forecast.backtest_lede")}</p>
                <div class="table-wrap"><table>
                    <thead><tr>
                        <th scope="col">{ctx.t("forecast.held_out")}</th>
                        <th scope="col" class="num">{ctx.t("forecast.mase")}</th><th scope="col" class="num">{ctx.t("forecast.naive_mase")}</th>
                        <th scope="col" class="num">{ctx.t("forecast.smape")}</th><th scope="col" class="num">{ctx.t("forecast.naive_smape")}</th>
                        <th scope="col" class="num">{ctx.t("forecast.coverage")}</th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table></div>
                <p class="muted">{vm.model.clone()}</p>
            </section>
        }
    });
    let body = view! {
        <div class="page-head"><h1>{ctx.t("nav.forecasts")}</h1>{vm.can_run.then(|| run_button(ctx))}</div>
        <p class="lede">{ctx.t("forecast.lede")}</p>
        {vm.empty.then(|| view! { <div class="card empty"><h2>{ctx.t("forecast.empty_title")}</h2><p class="muted">{ctx.t("forecast.empty_text")}</p><p><a class="btn secondary" href="/models">{ctx.t("nav.model_status")}</a></p></div> })}
        {(!vm.empty).then_some(form)}
        {vm.not_enough.clone().map(|r| view! { <div class="card empty" id="not-enough"><h2>{ctx.t("forecast.not_enough")}</h2><p class="muted">{r}</p></div> })}
        {vm.chart.as_ref().map(|c| chart_card(ctx, c, false, None))}
        {vm.drivers.as_ref().map(|c| chart_card(ctx, c, false, None))}
        {backtest}
        {(!vm.window.is_empty()).then(|| view! { <p class="muted">{vm.window.clone()}</p> })}
    };
    render_document(ctx, &ctx.t("nav.forecasts"), body)
}

pub fn models(ctx: &PageCtx, vm: &ModelsVm) -> String {
    let runs = vm
        .runs
        .iter()
        .map(|r| {
            let badge = match r.status.as_str() {
                "succeeded" => "badge ok",
                "failed" => "badge danger",
                _ => "badge",
            };
            let metrics = r.metrics.iter().map(|m| view! { <li>{m.clone()}</li> }).collect_view();
            view! {
                <tr>
                    <td>{fmt_time(ctx.locale, r.created_at)}<br/><small class="muted">{ctx.t(&format!("models.trigger_{}", r.trigger))}</small></td>
                    <td><span class=badge>{ctx.t(&format!("models.status_{}", r.status))}</span>" "<small class="muted">{r.error.clone()}</small></td>
                    <td>{r.window.clone()}</td>
                    <td><ul class="plain">{metrics}</ul></td>
                    <td class="num">{r.duration.clone()}</td>
                </tr>
            }
        })
        .collect_view();
    let anomalies = vm
        .anomalies
        .iter()
        .map(|a| {
            let badge = match a.severity.as_str() {
                "high" => "badge danger",
                "medium" => "badge warn",
                _ => "badge",
            };
            let arrow = if a.low { "↓ " } else { "↑ " };
            view! {
                <tr id=a.id.clone()>
                    <td>{a.day.clone()}</td><td>{arrow}{a.what.clone()}</td>
                    <td class="num">{a.value.clone()}</td><td class="num">{a.expected.clone()}</td><td class="num">{a.z.clone()}</td>
                    <td><span class=badge>{ctx.t(&format!("models.severity_{}", a.severity))}</span></td>
                </tr>
            }
        })
        .collect_view();
    let uplift = vm
        .uplift
        .iter()
        .map(|u| {
            let class = if u.clear_gain { "num gain" } else { "num" };
            view! {
                <tr>
                    <td>{u.promotion.clone()}<br/><small class="muted">{u.dates.clone()}</small></td>
                    <td>{u.category.clone()}</td>
                    <td class=class>{u.orders.clone()}</td>
                    <td class="num">{u.revenue.clone()}</td>
                    <td><small class="muted">{u.compared_with.clone()}</small></td>
                </tr>
            }
        })
        .collect_view();
    let uplift_section = view! {
        <section class="card table-wrap" id="uplift">
            <h2>{ctx.t("models.uplift")}</h2>
            <p class="muted">{ctx.t("models.uplift_method")}</p>
            {vm.uplift.is_empty().then(|| view! { <p>{ctx.t("models.no_promotions")}</p> })}
            {(!vm.uplift.is_empty()).then(|| view! {
                <table>
                    <thead><tr>
                        <th scope="col">{ctx.t("models.col_promotion")}</th><th scope="col">{ctx.t("charts.category")}</th>
                        <th scope="col" class="num">{ctx.t("models.col_orders")}</th><th scope="col" class="num">{ctx.t("models.col_revenue")}</th>
                        <th scope="col">{ctx.t("models.col_compared")}</th>
                    </tr></thead>
                    <tbody>{uplift}</tbody>
                </table>
            })}
        </section>
    };
    let recommend_section = vm.recommendations.as_ref().map(|r| {
        view! {
            <section class="card table-wrap" id="recommendations">
                <h2>{ctx.t("models.rec_title")}</h2>
                <p class="muted">{ctx.t("models.rec_method").replace("{customers}", &r.customers)}</p>
                {rec_table(ctx, &r.rows)}
                <h3>{ctx.t("models.rec_new_title")}</h3>
                <p class="muted">{ctx.t("models.rec_new_method").replace("{customers}", &r.new_customers)}</p>
                {rec_table(ctx, &r.new_rows)}
            </section>
        }
    });
    let body = view! {
        <div class="page-head"><h1>{ctx.t("nav.model_status")}</h1>{vm.can_run.then(|| run_button(ctx))}</div>
        <p class="lede">{ctx.t("models.lede")}</p>
        <section class="card table-wrap" id="runs">
            <h2>{ctx.t("models.runs")}</h2>
            {vm.runs.is_empty().then(|| view! { <p class="muted">{ctx.t("models.no_runs")}</p> })}
            {(!vm.runs.is_empty()).then(|| view! {
                <table>
                    <thead><tr>
                        <th scope="col">{ctx.t("common.time")}</th><th scope="col">{ctx.t("models.status")}</th><th scope="col">{ctx.t("models.window")}</th>
                        <th scope="col">{ctx.t("models.metrics")}</th><th scope="col" class="num">{ctx.t("models.duration")}</th>
                    </tr></thead>
                    <tbody>{runs}</tbody>
                </table>
            })}
        </section>
        {recommend_section}
        <section class="card table-wrap" id="anomalies">
            <h2>{ctx.t("models.anomalies")}</h2>
            <p class="muted">{ctx.t("models.anomalies_method")}</p>
            {vm.anomalies.is_empty().then(|| view! { <p>{ctx.t("models.no_anomalies")}</p> })}
            {(!vm.anomalies.is_empty()).then(|| view! {
                <table>
                    <thead><tr>
                        <th scope="col">{ctx.t("models.day")}</th><th scope="col">{ctx.t("models.figure")}</th>
                        <th scope="col" class="num">{ctx.t("models.value")}</th><th scope="col" class="num">{ctx.t("models.expected")}</th>
                        <th scope="col" class="num">"z"</th><th scope="col">{ctx.t("models.severity")}</th>
                    </tr></thead>
                    <tbody>{anomalies}</tbody>
                </table>
            })}
        </section>
        {uplift_section}
    };
    render_document(ctx, &ctx.t("nav.model_status"), body)
}
