//! Forecasts and model status: the last model run's results read from the shop's `ml.*`
//! tables (crates/ml `store`), the runs from the meta store, "run now", and the same as JSON.

use super::AppState;
use super::ctx::{ApiCaller, Member};
use super::error::AppError;
use super::pages::page_ctx;
use axum::Json;
use axum::extract::{Query, State};
use axum::response::{Html, Redirect};
use serde::Deserialize;
use sr360_core::Permission;
use sr360_meta::{AuditEvent, TenantScope};
use sr360_ml::store::{self, AnomalyRow, ForecastView, SeriesInfo};
use sr360_ui::charts::{ChartKind, ChartSpec};
use sr360_ui::pages::{self as ui, CellVm, ChartCardVm, TableVm};
use sr360_ui::{PageCtx, format};

#[derive(Debug, Default, Deserialize)]
pub struct ForecastQuery {
    series: Option<String>,
    h: Option<usize>,
}

/// What the merchant reads for a series.
fn series_label(p: &PageCtx, s: &SeriesInfo) -> String {
    match s.key.split_once(':') {
        Some(("category", _)) => p
            .t("forecast.category")
            .replace("{name}", &format::label(&s.name)),
        Some(("product", _)) => p.t("forecast.product").replace("{name}", &s.name),
        _ if s.key == "returns" => p.t("forecast.returns"),
        _ => p.t("forecast.all_sales"),
    }
}

fn anomaly_label(p: &PageCtx, key: &str) -> String {
    match key {
        "revenue" | "orders" | "returns" | "conversion" => p.t(&format!("models.s_{key}")),
        other => other.to_string(),
    }
}

pub(super) async fn read<T: Send + 'static>(
    state: &AppState,
    scope: &TenantScope,
    f: impl FnOnce(&duckdb::Connection) -> Result<T, duckdb::Error> + Send + 'static,
) -> Result<T, AppError> {
    let wh = state.warehouses.open(scope).map_err(AppError::internal)?;
    tokio::task::spawn_blocking(move || wh.with_reader(|c| Ok(f(c)?)))
        .await
        .map_err(AppError::internal)?
        .map_err(AppError::internal)
}

fn horizon(h: Option<usize>) -> usize {
    h.unwrap_or(14).clamp(7, crate::models::MAX_HORIZON)
}

pub async fn forecasts_page(
    State(state): State<AppState>,
    m: Member,
    Query(q): Query<ForecastQuery>,
) -> Result<Html<String>, AppError> {
    m.require(Permission::ViewAnalytics)?;
    let p = page_ctx(&state, m.ctx(), None);
    let tenant = super::ctx::shop_of(&state, &m.scope)?;
    let h = horizon(q.h);
    let wanted = q.series.clone().unwrap_or_else(|| "revenue".into());
    let (list, view) = read(&state, &m.scope, move |c| {
        Ok((store::series(c)?, store::forecast(c, &wanted, 90)?))
    })
    .await?;
    let can_run = m.scope.can(Permission::Analyze);
    if list.is_empty() {
        return Ok(Html(ui::forecasts(
            &p,
            &ui::ForecastsVm {
                empty: true,
                can_run,
                horizon: h,
                ..Default::default()
            },
        )));
    }
    let options = list
        .iter()
        .map(|s| (s.key.clone(), series_label(&p, s)))
        .collect();
    let Some(v) = view else {
        return Err(AppError::NotFound("forecast"));
    };
    let money = |x: f64| {
        if v.info.kind == "revenue" {
            format::money(p.locale, x, &tenant.currency)
        } else {
            format::amount(p.locale, x)
        }
    };
    let label = series_label(&p, &v.info);
    let mut vm = ui::ForecastsVm {
        options,
        selected: v.info.key.clone(),
        horizon: h,
        can_run,
        ..Default::default()
    };
    match v.info.status.as_str() {
        "ok" => {
            let fc: Vec<&store::ForecastPoint> = v.forecast.iter().take(h).collect();
            let mut spec = ChartSpec::new(
                ChartKind::Line,
                p.t("forecast.chart_title")
                    .replace("{series}", &label)
                    .replace("{n}", &h.to_string()),
            );
            spec.labels = v
                .history
                .iter()
                .map(|(d, _)| d)
                .chain(fc.iter().map(|f| &f.day))
                .map(|d| format!("{:02}-{:02}", u8::from(d.month()), d.day()))
                .collect();
            spec.series = vec![
                (
                    p.t("forecast.history"),
                    v.history.iter().map(|(_, x)| *x).collect(),
                ),
                (
                    p.t("forecast.forecast"),
                    fc.iter().map(|f| f.point).collect(),
                ),
            ];
            spec.starts = vec![0, v.history.len()];
            spec.bands = vec![(
                1,
                fc.iter().map(|f| f.lower).collect(),
                fc.iter().map(|f| f.upper).collect(),
            )];
            let total: f64 = fc.iter().map(|f| f.point).sum();
            let recent: f64 = v.history.iter().rev().take(h).map(|(_, x)| x).sum();
            let (lo, hi): (f64, f64) = (
                fc.iter().map(|f| f.lower).sum(),
                fc.iter().map(|f| f.upper).sum(),
            );
            let summary = p
                .t("forecast.summary")
                .replace("{n}", &h.to_string())
                .replace("{total}", &money(total))
                .replace("{lower}", &money(lo))
                .replace("{upper}", &money(hi))
                .replace("{recent}", &money(recent));
            let rows = fc
                .iter()
                .map(|f| {
                    vec![
                        CellVm::date(format::date(p.locale, f.day), f.day),
                        CellVm::number(money(f.point), Some(f.point)),
                        CellVm::number(money(f.lower), Some(f.lower)),
                        CellVm::number(money(f.upper), Some(f.upper)),
                    ]
                })
                .collect();
            let headers = [
                "forecast.col_day",
                "forecast.col_forecast",
                "forecast.col_lower",
                "forecast.col_upper",
            ]
            .iter()
            .map(|k| p.t(k))
            .collect();
            let (svg_light, svg_dark) = super::charts::chart_svgs(&p, &spec);
            if !v.drivers.is_empty() {
                let mut d = v.drivers.clone();
                d.sort_by(|a, b| b.1.total_cmp(&a.1));
                let name = |k: &str| p.t(&format!("forecast.d_{k}"));
                let mut spec = ChartSpec::new(
                    ChartKind::HBar,
                    p.t("forecast.drivers_title").replace("{series}", &label),
                );
                spec.labels = d.iter().map(|(k, _)| name(k)).collect();
                spec.series = vec![(
                    p.t("forecast.strength"),
                    d.iter().map(|(_, x)| *x).collect(),
                )];
                let (svg_light, svg_dark) = super::charts::chart_svgs(&p, &spec);
                let rows = d
                    .iter()
                    .map(|(k, x)| {
                        vec![
                            CellVm::text(name(k)),
                            CellVm::number(format::number(p.locale, *x, 2), Some(*x)),
                        ]
                    })
                    .collect();
                let summary = p
                    .t("forecast.drivers_summary")
                    .replace("{first}", &name(&d[0].0).to_lowercase())
                    .replace("{value}", &format::number(p.locale, d[0].1, 2));
                vm.drivers = Some(ChartCardVm {
                    id: "drivers",
                    title: spec.title.clone(),
                    spec: Some(spec),
                    svg_light,
                    svg_dark,
                    summary,
                    table: TableVm {
                        headers: vec![p.t("forecast.driver"), p.t("forecast.strength")],
                        rows,
                    },
                });
            }
            vm.chart = Some(ChartCardVm {
                id: "forecast",
                title: spec.title.clone(),
                spec: Some(spec),
                svg_light,
                svg_dark,
                summary,
                table: TableVm { headers, rows },
            });
            let pct = |x: f64| format::percent(p.locale, x);
            let num = |x: f64| format::number(p.locale, x, 2);
            vm.backtests = v
                .backtests
                .iter()
                .map(|b| ui::BacktestVm {
                    horizon: p.t("forecast.days").replace("{n}", &b.horizon.to_string()),
                    mase: num(b.mase),
                    naive_mase: num(b.naive_mase),
                    smape: format!("{} %", format::number(p.locale, b.smape, 1)),
                    naive_smape: format!("{} %", format::number(p.locale, b.naive_smape, 1)),
                    coverage: pct(b.coverage),
                    better: b.mase < b.naive_mase,
                })
                .collect();
            vm.model = p.t("forecast.model").replace(
                "{model}",
                &format!(
                    "{} — {}",
                    v.info.method.clone().unwrap_or_default(),
                    v.info.model.clone().unwrap_or_default()
                ),
            );
        }
        _ => vm.not_enough = Some(v.info.reason.clone().unwrap_or_default()),
    }
    vm.window = p
        .t("forecast.window")
        .replace("{from}", &format::date(p.locale, v.info.history_from))
        .replace("{to}", &format::date(p.locale, v.info.history_to))
        .replace("{model}", &label);
    Ok(Html(ui::forecasts(&p, &vm)))
}

fn metrics(p: &PageCtx, summary: Option<&str>) -> Vec<String> {
    let Some(s) = summary.and_then(|s| serde_json::from_str::<serde_json::Value>(s).ok()) else {
        return vec![];
    };
    let f = &s["forecasts"];
    let n = |v: &serde_json::Value| {
        v.as_f64()
            .map(|x| format::number(p.locale, x, 2))
            .unwrap_or_else(|| "—".into())
    };
    let mut out = vec![
        p.t("models.m_forecasts")
            .replace("{fitted}", &f["fitted"].to_string())
            .replace("{series}", &f["series"].to_string())
            .replace("{not_enough}", &f["not_enough_data"].to_string()),
    ];
    let b = &f["horizon_14"];
    if b["mase"].is_number() {
        out.push(
            p.t("models.m_accuracy")
                .replace("{mase}", &n(&b["mase"]))
                .replace("{naive}", &n(&b["naive_mase"]))
                .replace(
                    "{coverage}",
                    &b["coverage"]
                        .as_f64()
                        .map(|x| format::percent(p.locale, x))
                        .unwrap_or_default(),
                ),
        );
    }
    if s["uplift"]["promotions"].as_u64().unwrap_or(0) > 0 {
        out.push(
            p.t("models.m_uplift")
                .replace("{estimated}", &s["uplift"]["estimated"].to_string())
                .replace("{promotions}", &s["uplift"]["promotions"].to_string()),
        );
    }
    let r = &s["recommendations"];
    if r["model"]["hit_rate"].is_number() {
        let pct = |v: &serde_json::Value| {
            v.as_f64()
                .map(|x| format::percent(p.locale, x))
                .unwrap_or_default()
        };
        out.push(
            p.t("models.m_recommend")
                .replace("{hr}", &n(&r["model"]["hit_rate"]))
                .replace("{pop}", &n(&r["popularity"]["hit_rate"]))
                .replace("{ndcg}", &n(&r["model"]["ndcg"]))
                .replace("{pop_ndcg}", &n(&r["popularity"]["ndcg"]))
                .replace("{coverage}", &pct(&r["model"]["coverage"]))
                .replace("{customers}", &r["customers"].to_string()),
        );
    }
    let a = &s["anomalies"];
    out.push(
        p.t("models.m_anomalies")
            .replace("{found}", &a["found"].to_string())
            .replace("{series}", &a["series"].to_string())
            .replace("{recent}", &a["last_7_days"].to_string()),
    );
    out
}

pub async fn models_page(
    State(state): State<AppState>,
    m: Member,
    Query(fq): Query<super::pages::FlashQuery>,
) -> Result<Html<String>, AppError> {
    m.require(Permission::ViewAnalytics)?;
    let p = page_ctx(&state, m.ctx(), fq.m.as_deref());
    let tenant = super::ctx::shop_of(&state, &m.scope)?;
    let runs = state
        .meta
        .model_runs(&m.scope, 50)?
        .into_iter()
        .map(|r| ui::RunRowVm {
            id: r.id,
            window: match (&r.data_from, &r.data_to) {
                (Some(a), Some(b)) => format!("{a} – {b}"),
                _ => "—".into(),
            },
            metrics: metrics(&p, r.summary.as_deref()),
            duration: match (r.started_at, r.finished_at) {
                (Some(a), Some(b)) => format!("{} s", (b - a).max(0)),
                _ => "—".into(),
            },
            trigger: r.trigger,
            status: r.status,
            error: r.error.unwrap_or_default(),
            created_at: r.created_at,
        })
        .collect();
    let (rows, uplift_rows): (Vec<AnomalyRow>, Vec<store::UpliftRow>) =
        read(&state, &m.scope, |c| {
            Ok((store::anomalies(c, 100)?, store::uplift(c)?))
        })
        .await?;
    let anomalies = rows
        .iter()
        .map(|a| {
            let fmt = |x: f64| match a.series.as_str() {
                "revenue" => format::money(p.locale, x, &tenant.currency),
                "conversion" => format::percent(p.locale, x),
                _ => format::amount(p.locale, x),
            };
            ui::AnomalyVm {
                id: crate::alerts::Alert::from_row(a).id,
                what: anomaly_label(&p, &a.series),
                day: format::date(p.locale, a.day),
                value: fmt(a.value),
                expected: fmt(a.expected),
                z: format::number(p.locale, a.z, 1),
                severity: a.severity.clone(),
                low: a.z < 0.0,
            }
        })
        .collect();
    Ok(Html(ui::models(
        &p,
        &ui::ModelsVm {
            runs,
            anomalies,
            uplift: uplift_vms(&p, &uplift_rows),
            can_run: m.scope.can(Permission::Analyze),
        },
    )))
}

/// One line per promotion: its effect on orders and on revenue, each with its interval.
fn uplift_vms(p: &PageCtx, rows: &[store::UpliftRow]) -> Vec<ui::UpliftVm> {
    let pct = |x: f64| {
        format!(
            "{}{}",
            if x >= 0.0 { "+" } else { "" },
            format::percent(p.locale, x)
        )
    };
    let cell = |r: Option<&store::UpliftRow>| match r {
        Some(store::UpliftRow {
            estimate: Some(e),
            low: Some(l),
            high: Some(h),
            ..
        }) => p
            .t("models.uplift_cell")
            .replace("{estimate}", &pct(*e))
            .replace("{low}", &pct(*l))
            .replace("{high}", &pct(*h)),
        Some(r) => r.reason.clone().unwrap_or_default(),
        None => "—".into(),
    };
    let mut out: Vec<ui::UpliftVm> = vec![];
    let mut seen = std::collections::HashSet::new();
    for r in rows {
        if !seen.insert(r.code.clone()) {
            continue;
        }
        let orders = rows
            .iter()
            .find(|x| x.code == r.code && x.metric == "orders");
        let revenue = rows
            .iter()
            .find(|x| x.code == r.code && x.metric == "revenue");
        out.push(ui::UpliftVm {
            promotion: format!("{} ({})", r.name, r.code),
            category: format::label(&r.category),
            dates: format!(
                "{} – {}",
                format::date(p.locale, r.starts_on),
                format::date(p.locale, r.ends_on)
            ),
            orders: cell(orders),
            revenue: cell(revenue),
            clear_gain: orders.and_then(|o| o.low).is_some_and(|l| l > 0.0),
            compared_with: orders
                .map(|o| {
                    o.controls
                        .split(", ")
                        .map(format::label)
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .unwrap_or_default(),
        });
    }
    out
}

/// Queue a run by hand.
pub async fn run_now(State(state): State<AppState>, m: Member) -> Result<Redirect, AppError> {
    m.require(Permission::Analyze)?;
    state.meta.request_model_run(
        &m.scope,
        &AuditEvent::by_user(m.user().id, &m.user().email, &m.ctx().ip_string()),
    )?;
    Ok(Redirect::to("/models?m=models_queued"))
}

/// One forecast as JSON: the series, its last 90 days, the next `h` days with the interval,
/// and its backtests.
pub async fn forecast_api(
    State(state): State<AppState>,
    c: ApiCaller,
    Query(q): Query<ForecastQuery>,
) -> Result<Json<ForecastView>, AppError> {
    c.require(Permission::ViewAnalytics)?;
    let h = horizon(q.h);
    let key = q.series.unwrap_or_else(|| "revenue".into());
    let mut v = read(&state, &c.scope, move |conn| {
        store::forecast(conn, &key, 90)
    })
    .await?
    .ok_or(AppError::NotFound("forecast"))?;
    v.forecast.truncate(h);
    Ok(Json(v))
}

#[derive(Debug, Deserialize)]
pub struct AlertsQuery {
    /// Days back from the last day of data (default 30).
    days: Option<i64>,
    /// Language of the words (default: the caller's).
    lang: Option<String>,
}

/// The alerts (unusual days) of the last run, most severe first, each with its stable id,
/// link, figures, and title and sentence in the caller's language.
pub async fn alerts_api(
    State(state): State<AppState>,
    c: ApiCaller,
    Query(q): Query<AlertsQuery>,
) -> Result<Json<serde_json::Value>, AppError> {
    c.require(Permission::ViewAnalytics)?;
    let days = q.days.unwrap_or(30).clamp(1, 3_660);
    let locale = sr360_ui::normalize_locale(q.lang.as_deref().unwrap_or(&c.user.locale));
    let currency = super::ctx::shop_of(&state, &c.scope)?.currency;
    let (window, rows) = read(&state, &c.scope, |conn| {
        Ok((store::data_window(conn)?, store::anomalies(conn, 1_000)?))
    })
    .await?;
    let alerts: Vec<crate::alerts::Worded> =
        crate::alerts::recent(&rows, window.map(|w| w.1), days)
            .iter()
            .map(|a| a.worded(locale, &currency))
            .collect();
    Ok(Json(serde_json::json!({
        "data_to": window.map(|w| w.1.to_string()),
        "days": days,
        "alerts": alerts,
    })))
}

/// The forecast series of the last run, and the anomalies it found.
pub async fn models_api(
    State(state): State<AppState>,
    c: ApiCaller,
) -> Result<Json<serde_json::Value>, AppError> {
    c.require(Permission::ViewAnalytics)?;
    let (series, anomalies, uplift) = read(&state, &c.scope, |conn| {
        Ok((
            store::series(conn)?,
            store::anomalies(conn, 500)?,
            store::uplift(conn)?,
        ))
    })
    .await?;
    let runs = state.meta.model_runs(&c.scope, 50)?;
    let runs: Vec<serde_json::Value> = runs
        .iter()
        .map(|r| {
            let mut v = serde_json::to_value(r).unwrap_or_default();
            v["summary"] = r
                .summary
                .as_deref()
                .and_then(|s| serde_json::from_str(s).ok())
                .unwrap_or(serde_json::Value::Null);
            v
        })
        .collect();
    Ok(Json(
        serde_json::json!({ "runs": runs, "series": series, "anomalies": anomalies, "uplift": uplift }),
    ))
}
