//! The dashboard. Until the shop has data it is an onboarding checklist that says what each
//! step unlocks; KPI cards show their empty state rather than made-up numbers.

use crate::icons::svg;
use crate::{PageCtx, format, render_document};
use leptos::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum KpiUnit {
    #[default]
    Count,
    Money,
    Ratio,
}

/// One key figure for the chosen period, with the period before it and its daily values.
#[derive(Debug, Clone, Default)]
pub struct KpiVm {
    /// Translation key of the label (`kpi.revenue`, ...).
    pub key: &'static str,
    pub unit: KpiUnit,
    pub value: Option<f64>,
    pub previous: Option<f64>,
    /// Whether a rise is good news (false for the return rate).
    pub up_is_good: bool,
    pub series: Vec<f64>,
}

/// The period the cards cover: the last `days` days of data, compared with the days before.
#[derive(Debug, Clone)]
pub struct PeriodVm {
    pub days: u32,
    pub from: time::Date,
    pub to: time::Date,
    pub previous_from: time::Date,
    pub previous_to: time::Date,
}

#[derive(Debug, Clone, Default)]
pub struct DashboardVm {
    pub shop_name: String,
    pub currency: String,
    pub member_count: i64,
    pub mfa_on: bool,
    pub has_data: bool,
    pub demo_files: Vec<String>,
    /// Key figures of the period (empty before any sales are loaded).
    pub kpis: Vec<KpiVm>,
    pub period: Option<PeriodVm>,
    /// Recent uploads: (id, file, status key).
    pub recent_uploads: Vec<(i64, String, String)>,
    /// The last model run and what it says; None before the first.
    pub models: Option<ModelsCardVm>,
}

/// The model status card: the last run, the next two weeks' forecast, recent unusual days.
#[derive(Debug, Clone, Default)]
pub struct ModelsCardVm {
    /// Status key (`succeeded`, `failed`, `running`, `queued`) and when.
    pub status: String,
    pub when: String,
    /// "Next 14 days: $12,400 expected ($10,900 to $13,800 at 80 %)".
    pub forecast: Option<String>,
    /// Unusual days in the last week of data: (sentence, link to the alert).
    pub alerts: Vec<(String, String)>,
}

fn fmt_value(ctx: &PageCtx, unit: KpiUnit, v: f64, currency: &str) -> String {
    match unit {
        KpiUnit::Money => format::money(ctx.locale, v, currency),
        KpiUnit::Count => format::amount(ctx.locale, v),
        KpiUnit::Ratio => format::percent(ctx.locale, v),
    }
}

/// The change against the previous period: relative for amounts, in points for ratios.
fn delta(ctx: &PageCtx, k: &KpiVm) -> Option<(String, &'static str, String)> {
    let (v, p) = (k.value?, k.previous?);
    let (text, up) = if k.unit == KpiUnit::Ratio {
        let pts = (v - p) * 100.0;
        (
            format!(
                "{}{} {}",
                if pts >= 0.0 { "+" } else { "" },
                format::number(ctx.locale, pts, 1),
                ctx.t("dash.points")
            ),
            pts,
        )
    } else {
        if p == 0.0 {
            return None;
        }
        let rel = (v - p) / p.abs();
        (format::signed_percent(ctx.locale, rel), rel)
    };
    let (arrow, class) = if up.abs() < 1e-9 {
        ("→", "flat")
    } else if (up > 0.0) == k.up_is_good {
        (if up > 0.0 { "▲" } else { "▼" }, "good")
    } else {
        (if up > 0.0 { "▲" } else { "▼" }, "bad")
    };
    Some((format!("{arrow} {text}"), class, ctx.t("dash.vs_previous")))
}

/// A sparkline: the daily values as a polyline in a 100 × 28 box (no axes, decorative; the
/// card's text carries the figures).
fn sparkline(series: &[f64]) -> String {
    if series.len() < 2 {
        return String::new();
    }
    let (lo, hi) = series
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(*v), b.max(*v))
        });
    let span = if hi > lo { hi - lo } else { 1.0 };
    let n = (series.len() - 1) as f64;
    let pts: Vec<String> = series
        .iter()
        .enumerate()
        .map(|(i, v)| {
            format!(
                "{:.1},{:.1}",
                i as f64 * 100.0 / n,
                26.0 - (v - lo) / span * 24.0
            )
        })
        .collect();
    format!(
        "<svg class=\"spark\" viewBox=\"0 0 100 28\" preserveAspectRatio=\"none\" aria-hidden=\"true\" focusable=\"false\"><polyline points=\"{}\" fill=\"none\" stroke=\"currentColor\" stroke-width=\"1.5\" vector-effect=\"non-scaling-stroke\"/></svg>",
        pts.join(" ")
    )
}

pub fn dashboard(ctx: &PageCtx, vm: &DashboardVm) -> String {
    let cards: Vec<KpiVm> = if vm.kpis.is_empty() {
        ["kpi.revenue", "kpi.orders", "kpi.aov", "kpi.customers"]
            .iter()
            .map(|k| KpiVm {
                key: k,
                ..Default::default()
            })
            .collect()
    } else {
        vm.kpis.clone()
    };
    let kpis = cards
        .iter()
        .map(|k| {
            let k = k.clone();
            if let Some(v) = k.value {
                let d = delta(ctx, &k);
                let prev = k.previous.map(|p| fmt_value(ctx, k.unit, p, &vm.currency));
                return view! {
                    <div class="card kpi">
                        <span class="label">{ctx.t(k.key)}</span>
                        <span class="value">{fmt_value(ctx, k.unit, v, &vm.currency)}</span>
                        {d.map(|(text, class, vs)| view! {
                            <span class=format!("delta {class}")>{text}" "<span class="muted">{vs}" "{prev.clone().unwrap_or_default()}</span></span>
                        })}
                        <span class="spark-wrap" inner_html=sparkline(&k.series)></span>
                    </div>
                }
                .into_any();
            }
            view! {
                <div class="card kpi">
                    <span class="label">{ctx.t(k.key)}</span>
                    <span class="value empty" aria-label=ctx.t("dash.no_data_yet")>"—"</span>
                    <span class="muted">{ctx.t("dash.no_data_yet")}</span>
                </div>
            }
            .into_any()
        })
        .collect_view();
    let models = vm.models.as_ref().map(|mc| {
        let badge = match mc.status.as_str() {
            "succeeded" => "badge ok",
            "failed" => "badge danger",
            _ => "badge",
        };
        let alerts = mc.alerts.iter().map(|(text, href)| view! { <li class="alert-line"><a href=href.clone()>{text.clone()}</a></li> }).collect_view();
        view! {
            <div class="card" id="model-status">
                <h2>{ctx.t("nav.model_status")}</h2>
                <p><span class=badge>{ctx.t(&format!("models.status_{}", mc.status))}</span>" "<small class="muted">{mc.when.clone()}</small></p>
                {mc.forecast.clone().map(|f| view! { <p id="forecast-line"><a href="/forecasts">{f}</a></p> })}
                {(!mc.alerts.is_empty()).then(|| view! { <ul class="plain" id="alerts">{alerts}</ul> })}
                <p><a href="/models">{ctx.t("dash.models_link")}</a></p>
            </div>
        }
    });
    let uploads = (!vm.recent_uploads.is_empty()).then(|| {
        let items = vm
            .recent_uploads
            .iter()
            .map(|(id, f, st)| view! { <li><a href=format!("/uploads/{id}")>{f.clone()}</a>" "<span class="badge">{ctx.t(&format!("upload.status_{st}"))}</span></li> })
            .collect_view();
        view! { <div class="card"><h2>{ctx.t("dash.recent_uploads")}</h2><ul>{items}</ul><p><a href="/uploads">{ctx.t("upload.history_title")}</a></p></div> }
    });
    let step = |done: bool, title: &str, text: &str, href: &'static str| {
        let cls = if done { "done" } else { "" };
        view! { <li class=cls><div><strong><a href=href>{ctx.t(title)}</a></strong><span class="muted">{ctx.t(text)}</span></div></li> }
    };
    let demo = (!vm.demo_files.is_empty()).then(|| {
        let files = vm
            .demo_files
            .iter()
            .map(|f| view! { <li><code>{f.clone()}</code></li> })
            .collect_view();
        view! {
            <div class="card">
                <h2>{ctx.t("dash.demo_files_title")}</h2>
                <p class="muted">{ctx.t("dash.demo_files_text")}</p>
                <ul>{files}</ul>
            </div>
        }
    });
    let period = vm.period.as_ref().map(|p| {
        let choices = [7u32, 30, 90, 365]
            .iter()
            .map(|d| {
                let current = (*d == p.days).then_some("page");
                view! { <a href=format!("/dashboard?days={d}") aria-current=current class="chip">{ctx.t(&format!("dash.days_{d}"))}</a> }
            })
            .collect_view();
        view! {
            <div class="period">
                <p class="muted" id="period-text">
                    {format!("{} – {}", format::date(ctx.locale, p.from), format::date(ctx.locale, p.to))}
                    " · "{ctx.t("dash.vs_previous")}" "
                    {format!("{} – {}", format::date(ctx.locale, p.previous_from), format::date(ctx.locale, p.previous_to))}
                </p>
                <nav class="chips" aria-label=ctx.t("dash.period")>{choices}</nav>
            </div>
        }
    });
    let body = view! {
        <h1>{ctx.t("nav.dashboard")}</h1>
        <p class="lede">{vm.shop_name.clone()}</p>
        {period}
        <section aria-labelledby="kpi-h">
            <h2 id="kpi-h" class="sr-only">{ctx.t("dash.kpis")}</h2>
            <div class="grid kpis">{kpis}</div>
        </section>
        <div class="card">
            <h2>{ctx.t("dash.get_started")}</h2>
            <ol class="steps">
                {step(true, "dash.step_account", "dash.step_account_text", "/settings")}
                {step(vm.mfa_on, "dash.step_mfa", "dash.step_mfa_text", "/settings/security")}
                {step(vm.member_count > 1, "dash.step_team", "dash.step_team_text", "/permissions")}
                {step(vm.has_data, "dash.step_upload", "dash.step_upload_text", "/upload")}
            </ol>
        </div>
        {uploads}
        {models}
        {demo}
        {(!vm.has_data).then(|| view! {
            <div class="card empty">
                <span inner_html=svg("charts", "")></span>
                <h2>{ctx.t("dash.empty_title")}</h2>
                <p class="muted">{ctx.t("dash.empty_text")}</p>
            </div>
        })}
    };
    render_document(ctx, &ctx.t("nav.dashboard"), body)
}
