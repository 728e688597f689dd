//! The Cohorts page and API: the query layer's cohort table as a shaded retention table and a
//! lifetime-value chart.

use super::AppState;
use super::charts::{chart_svgs, label, parse_date};
use super::ctx::{ApiCaller, Member};
use super::error::AppError;
use super::pages::page_ctx;
use axum::extract::{Query, State};
use axum::response::Html;
use serde::Deserialize;
use sr360_analytics::{Grain, QueryError};
use sr360_core::Permission;
use sr360_meta::TenantScope;
use sr360_ui::charts::{ChartKind, ChartSpec};
use sr360_ui::pages as ui;
use sr360_ui::{PageCtx, format};

#[derive(Debug, Deserialize)]
pub struct CohortParams {
    pub(super) cohorts: Option<usize>,
    pub(super) months: Option<usize>,
}

fn cohort_table(
    state: &AppState,
    scope: &sr360_meta::TenantScope,
    cohorts: usize,
    months: usize,
) -> Result<tokio::task::JoinHandle<Result<sr360_analytics::CohortTable, QueryError>>, AppError> {
    let wh = state.warehouses.open(scope).map_err(AppError::internal)?;
    Ok(tokio::task::spawn_blocking(move || {
        sr360_analytics::session(&wh, |s| sr360_analytics::cohorts(s, cohorts, months))
    }))
}

/// Cohort retention and lifetime value (the last 12 acquisition months, 12 months each).
pub async fn cohorts_page(
    State(state): State<AppState>,
    m: Member,
    Query(q): Query<CohortParams>,
) -> Result<Html<String>, AppError> {
    m.require(Permission::ViewAnalytics)?;
    let mut p = page_ctx(&state, m.ctx(), None);
    let (mut vm, _) = cohorts_view(&state, &m.scope, &p, &q).await?;
    // Cohorts follow customers: a shop known only by totals has none.
    super::pages::note_totals_only(&state, &m.scope, &mut p).await;
    let query = serde_urlencoded::to_string(
        [("cohorts", q.cohorts), ("months", q.months)]
            .iter()
            .filter_map(|(k, v)| v.map(|v| (*k, v.to_string())))
            .collect::<Vec<_>>(),
    )
    .unwrap_or_default();
    vm.export = super::reports::export_action(&m.scope, "cohorts", &query);
    Ok(Html(ui::cohorts(&p, &vm)))
}

/// What the cohorts page shows, and the same as report items: the retention table (with
/// each cohort's lifetime value) and the LTV chart.
pub(super) async fn cohorts_view(
    state: &AppState,
    scope: &TenantScope,
    p: &PageCtx,
    q: &CohortParams,
) -> Result<(ui::CohortsVm, Vec<ui::ChartCardVm>), AppError> {
    let tenant = super::ctx::shop_of(state, scope)?;
    let (n, months) = (
        q.cohorts.unwrap_or(12).clamp(1, 36),
        q.months.unwrap_or(12).clamp(1, 24),
    );
    let table = match cohort_table(state, scope, n, months)?
        .await
        .map_err(AppError::internal)?
    {
        Ok(t) => t,
        Err(QueryError::NoData) => {
            return Ok((
                ui::CohortsVm {
                    empty: true,
                    ..Default::default()
                },
                vec![],
            ));
        }
        Err(e) => return Err(e.into()),
    };
    let rows: Vec<ui::CohortRowVm> = table
        .cohorts
        .iter()
        .filter_map(|c| {
            Some(ui::CohortRowVm {
                month: parse_date(&c.month).ok()?,
                customers: c.customers,
                retention: c.retention.clone(),
                ltv: c.ltv.clone(),
            })
        })
        .collect();
    let mut spec = ChartSpec::new(ChartKind::Line, p.t("cohorts.ltv_title"));
    spec.labels = (0..months).map(|k| format!("+{k}")).collect();
    spec.series = rows
        .iter()
        .rev()
        .take(6)
        .rev()
        .map(|r| {
            (
                label(r.month, Grain::Month),
                r.ltv
                    .iter()
                    .map(|v| v.unwrap_or(f64::NAN))
                    .collect::<Vec<f64>>(),
            )
        })
        .collect();
    // Months after the data's end are gaps, not zeros.
    for (_, v) in &mut spec.series {
        while v.last().is_some_and(|x| x.is_nan()) {
            v.pop();
        }
    }
    let (ltv_svg_light, ltv_svg_dark) = chart_svgs(p, &spec);
    let money = |v: f64| format::money(p.locale, v, &tenant.currency);
    let mut headers = vec![p.t("cohorts.cohort"), p.t("cohorts.customers")];
    headers.extend((0..months).map(|k| format!("+{k}")));
    headers.push(p.t("cohorts.ltv"));
    let table_rows = rows
        .iter()
        .map(|r| {
            let mut cells = vec![
                ui::CellVm::date(format::month(p.locale, r.month), r.month),
                ui::CellVm::number(
                    format::amount(p.locale, r.customers as f64),
                    Some(r.customers as f64),
                ),
            ];
            cells.extend(r.retention.iter().map(|v| {
                ui::CellVm::number(
                    v.map(|x| format::percent(p.locale, x)).unwrap_or_default(),
                    *v,
                )
            }));
            let ltv = r.ltv.iter().rev().find_map(|v| *v);
            cells.push(ui::CellVm::number(ltv.map(money).unwrap_or_default(), ltv));
            cells
        })
        .collect();
    let cards = vec![
        ui::ChartCardVm {
            id: "retention",
            title: p.t("cohorts.retention"),
            table: ui::TableVm {
                headers,
                rows: table_rows,
            },
            ..Default::default()
        },
        ui::ChartCardVm {
            id: "ltv",
            title: spec.title.clone(),
            summary: p.t("cohorts.ltv_explain"),
            spec: Some(spec),
            ..Default::default()
        },
    ];
    Ok((
        ui::CohortsVm {
            rows,
            months,
            currency: tenant.currency,
            ltv_svg_light,
            ltv_svg_dark,
            empty: false,
            export: None,
        },
        cards,
    ))
}

/// Cohort retention and lifetime value as JSON.
#[utoipa::path(get, path = "/api/v1/cohorts", tag = "analytics", params(("cohorts" = Option<usize>, Query, description = "acquisition months, newest first (1–60, default 12)"), ("months" = Option<usize>, Query, description = "months followed (1–24, default 12)")),
    responses((status = 200, body = sr360_analytics::CohortTable), (status = 409, description = "no sales loaded yet (`no_data`)")), security(("bearer" = [])))]
pub async fn cohorts_api(
    State(state): State<AppState>,
    caller: ApiCaller,
    Query(q): Query<CohortParams>,
) -> Result<axum::Json<sr360_analytics::CohortTable>, AppError> {
    caller.require(Permission::ViewAnalytics)?;
    let t = cohort_table(
        &state,
        &caller.scope,
        q.cohorts.unwrap_or(12),
        q.months.unwrap_or(12),
    )?
    .await
    .map_err(AppError::internal)??;
    Ok(axum::Json(t))
}
