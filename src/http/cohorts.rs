//! The Cohorts page and API: the query layer's cohort table, drawn by `sr360_views::cohorts`
//! or sent as JSON.

use super::AppState;
use super::ctx::{ApiCaller, Member};
use super::error::AppError;
use super::pages::page_ctx;
use axum::extract::{Query, State};
use axum::response::Html;
use serde::Deserialize;
use sr360_core::Permission;
use sr360_meta::TenantScope;
use sr360_ui::PageCtx;
use sr360_ui::pages as ui;
use sr360_views::cohorts;

#[derive(Debug, Deserialize)]
pub struct CohortParams {
    pub(super) cohorts: Option<usize>,
    pub(super) months: Option<usize>,
}

async fn cohort_table(
    state: &AppState,
    scope: &TenantScope,
    cohorts: usize,
    months: usize,
) -> Result<sr360_analytics::CohortTable, AppError> {
    super::shop_data::analytics(state, scope, move |s| {
        sr360_analytics::cohorts(s, cohorts, months)
    })
    .await
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
    vm.export = super::report_files::export_action(&m.scope, "cohorts", &query);
    Ok(Html(ui::cohorts(&p, &vm)))
}

/// What the cohorts page shows, and the same as report items.
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
    let table = match cohort_table(state, scope, n, months).await {
        Ok(t) => Some(t),
        Err(AppError::NoData) => None,
        Err(e) => return Err(e),
    };
    Ok(cohorts::page(p, table.as_ref(), months, &tenant.currency))
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
    )
    .await?;
    Ok(axum::Json(t))
}
