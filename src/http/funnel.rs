//! The funnel page and API: the filter bar's values (without region: events carry none) to
//! `sr360_views::funnel`, and the funnel rows with flagged products as JSON.

use super::AppState;
use super::ctx::{ApiCaller, Member};
use super::error::AppError;
use super::filter_query::{ChartsQuery, ask};
use super::pages::page_ctx;
use axum::Json;
use axum::extract::{Query, State};
use axum::response::Html;
use serde::{Deserialize, Serialize};
use sr360_analytics::{FunnelBy, FunnelRow, MIN_PRODUCT_VIEWS, Underperformer};
use sr360_core::Permission;
use sr360_meta::TenantScope;
use sr360_ui::PageCtx;
use sr360_ui::pages as ui;
use sr360_views::funnel;

pub async fn funnel_page(
    State(state): State<AppState>,
    m: Member,
    Query(q): Query<ChartsQuery>,
) -> Result<Html<String>, AppError> {
    m.require(Permission::ViewAnalytics)?;
    let p = page_ctx(&state, m.ctx(), None);
    let mut vm = funnel_view(&state, &m.scope, &p, &q).await?;
    vm.export = super::report_files::export_action(&m.scope, "funnel", &q.to_query());
    Ok(Html(ui::funnel(&p, &vm)))
}

/// Everything the funnel page shows (also what its exports print).
/// Everything the funnel page shows (also what its exports print).
pub(super) async fn funnel_view(
    state: &AppState,
    scope: &TenantScope,
    p: &PageCtx,
    q: &ChartsQuery,
) -> Result<ui::FunnelVm, AppError> {
    let a = ask(q)?;
    let mut filters = a.filters;
    filters.region.clear();
    let f2 = filters.clone();
    let range = a.range;
    let data =
        super::shop_data::analytics(state, scope, move |s| funnel::gather(s, range, &f2)).await?;
    Ok(funnel::page(p, &filters, data.as_ref()))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct FunnelParams {
    /// `overall` (default), `channel`, `category` or `product`.
    by: Option<FunnelBy>,
    from: Option<String>,
    to: Option<String>,
    channel: Option<String>,
    category: Option<String>,
    limit: Option<u32>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct FunnelAnswer {
    rows: Vec<FunnelRow>,
    /// Products converting far below their category (two-proportion z-test).
    underperformers: Vec<Underperformer>,
}

/// The purchase funnel of the caller's shop, split as asked, with flagged products.
#[utoipa::path(get, path = "/api/v1/funnel", tag = "analytics", params(FunnelParams),
    responses((status = 200, body = FunnelAnswer), (status = 409, description = "no sales or web events loaded yet (`no_data`)")), security(("bearer" = [])))]
pub async fn funnel_api(
    State(state): State<AppState>,
    caller: ApiCaller,
    Query(q): Query<FunnelParams>,
) -> Result<Json<FunnelAnswer>, AppError> {
    caller.require(Permission::ViewAnalytics)?;
    let cq = ChartsQuery {
        from: q.from,
        to: q.to,
        channel: q.channel,
        category: q.category,
        ..Default::default()
    };
    let a = ask(&cq)?;
    let by = q.by.unwrap_or(FunnelBy::Overall);
    let limit = q.limit.unwrap_or(100);
    let answer = super::shop_data::analytics(&state, &caller.scope, move |s| {
        let rows = sr360_analytics::funnel(s, by, a.range, &a.filters, limit)?;
        let underperformers = sr360_analytics::underperformers(s, a.range, MIN_PRODUCT_VIEWS)?;
        Ok(FunnelAnswer {
            rows,
            underperformers,
        })
    })
    .await?;
    Ok(Json(answer))
}
