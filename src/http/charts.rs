//! The chart analysis page: the filter bar's values (see `filter_query`) become an [`Ask`];
//! `sr360_views::charts` gathers one query per chart and draws the cards.

use super::AppState;
use super::ctx::Member;
use super::error::AppError;
use super::filter_query::{ChartsQuery, ask};
use super::pages::page_ctx;
use axum::extract::{Query, State};
use axum::response::Html;
use sr360_core::Permission;
use sr360_meta::TenantScope;
use sr360_ui::PageCtx;
use sr360_ui::pages as ui;
use sr360_views::charts;

pub async fn charts(
    State(state): State<AppState>,
    m: Member,
    Query(q): Query<ChartsQuery>,
) -> Result<Html<String>, AppError> {
    m.require(Permission::ViewAnalytics)?;
    let p = page_ctx(&state, m.ctx(), None);
    let mut vm = charts_view(&state, &m.scope, &p, &q).await?;
    vm.export = super::report_files::export_action(&m.scope, "charts", &q.to_query());
    Ok(Html(ui::charts(&p, &vm)))
}

/// Everything the charts page shows (also what its exports print).
pub(super) async fn charts_view(
    state: &AppState,
    scope: &TenantScope,
    p: &PageCtx,
    q: &ChartsQuery,
) -> Result<ui::ChartsVm, AppError> {
    let tenant = super::ctx::shop_of(state, scope)?;
    let a = ask(q)?;
    let asked = a.clone();
    let data =
        super::shop_data::analytics(state, scope, move |s| charts::gather(s, &asked)).await?;
    Ok(charts::page(p, &a, data.as_ref(), &tenant.currency))
}
