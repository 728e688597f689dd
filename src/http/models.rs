//! Forecasts and model status: the last model run's results read from the shop's `ml.*`
//! tables (crates/ml `store`), the runs from the meta store, "run now", and the same as JSON.

use super::AppState;
use super::ctx::{ApiCaller, Member};
use super::error::AppError;
use super::pages::page_ctx;
use super::shop_data::read;
use axum::Json;
use axum::extract::{Query, State};
use axum::response::{Html, Redirect};
use serde::Deserialize;
use sr360_core::Permission;
use sr360_ml::store::{self, AnomalyRow, ForecastView};
use sr360_ui::pages as ui;
use sr360_views::{forecasts, model_status};

#[derive(Debug, Default, Deserialize)]
pub struct ForecastQuery {
    series: Option<String>,
    h: Option<usize>,
}

fn horizon(h: Option<usize>) -> usize {
    h.unwrap_or(14)
        .clamp(7, crate::services::model_runner::MAX_HORIZON)
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
    let Some(v) = view else {
        return Err(AppError::NotFound("forecast"));
    };
    let vm = forecasts::page(&p, &list, &v, h, can_run, &tenant.currency);
    Ok(Html(ui::forecasts(&p, &vm)))
}

pub async fn models_page(
    State(state): State<AppState>,
    m: Member,
    Query(fq): Query<super::pages::FlashQuery>,
) -> Result<Html<String>, AppError> {
    m.require(Permission::ViewAnalytics)?;
    let p = page_ctx(&state, m.ctx(), fq.m.as_deref());
    let tenant = super::ctx::shop_of(&state, &m.scope)?;
    let all = state.meta.model_runs(&m.scope, 50)?;
    let recommendations = model_status::recommendations(&p, &all);
    let runs = model_status::runs(&p, all);
    let (rows, uplift_rows): (Vec<AnomalyRow>, Vec<store::UpliftRow>) =
        read(&state, &m.scope, |c| {
            Ok((store::anomalies(c, 100)?, store::uplift(c)?))
        })
        .await?;
    let anomalies = model_status::anomalies(&p, &rows, &tenant.currency);
    Ok(Html(ui::models(
        &p,
        &ui::ModelsVm {
            runs,
            anomalies,
            uplift: model_status::uplift(&p, &uplift_rows),
            recommendations,
            can_run: m.scope.can(Permission::Analyze),
        },
    )))
}

/// Queue a run by hand.
pub async fn run_now(State(state): State<AppState>, m: Member) -> Result<Redirect, AppError> {
    m.require(Permission::Analyze)?;
    state.meta.request_model_run(&m.scope, &m.actor())?;
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
    let alerts: Vec<crate::services::alerts::Worded> =
        crate::services::alerts::recent(&rows, window.map(|w| w.1), days)
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
