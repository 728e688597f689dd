//! Search: the results page, the JSON search for scripts and storefronts, and completion for
//! the global search bar. Thin adapters over [`crate::services::shop_search::ShopSearch`], which
//! carries the caller's shop and access; `sr360_views::search` groups the hits for the page.

use super::AppState;
use super::ctx::{ApiCaller, Member};
use super::error::AppError;
use super::pages::page_ctx;
use axum::Json;
use axum::extract::{Query, State};
use axum::response::Html;
use serde::Deserialize;
use sr360_core::Permission;
use sr360_meta::TenantScope;
use sr360_search::Hit;
use sr360_ui::pages::{self as ui, SearchVm};
use sr360_views::search;

#[derive(Debug, Default, Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
    limit: Option<usize>,
}

/// Results per search, and suggestions per keystroke.
const LIMIT: usize = 30;
const SUGGEST: usize = 8;

/// `f` on the caller's shop search, on the blocking pool.
async fn in_search<T: Send + 'static>(
    state: &AppState,
    scope: TenantScope,
    f: impl FnOnce(
        &crate::services::shop_search::ShopSearch<'_>,
    ) -> Result<T, crate::services::shop_search::ShopSearchError>
    + Send
    + 'static,
) -> Result<T, AppError> {
    let app = state.clone();
    tokio::task::spawn_blocking(move || {
        app.searches
            .shop(&scope)
            .and_then(|s| f(&s))
            .map_err(AppError::internal)
    })
    .await
    .map_err(AppError::internal)?
}

async fn found(
    state: &AppState,
    scope: TenantScope,
    q: String,
    limit: usize,
) -> Result<crate::services::shop_search::Found, AppError> {
    in_search(state, scope, move |s| s.search(&q, limit)).await
}

pub async fn search_page(
    State(state): State<AppState>,
    m: Member,
    Query(sq): Query<SearchQuery>,
) -> Result<Html<String>, AppError> {
    m.require(Permission::ViewAnalytics)?;
    let p = page_ctx(&state, m.ctx(), None);
    let mut vm = SearchVm {
        query: sq.q.trim().to_string(),
        ..Default::default()
    };
    if let Some(reason) = state.searches.missing_model() {
        vm.notice = Some(p.t("search.keyword_only").replace("{reason}", reason));
    }
    if !vm.query.is_empty() {
        let mut f = found(&state, m.scope.clone(), vm.query.clone(), LIMIT).await?;
        crate::services::shop_search::localize(&mut f.hits, p.locale);
        vm.groups = search::groups(&p, &f.hits);
    }
    Ok(Html(ui::search(&p, &vm)))
}

pub async fn search_api(
    State(state): State<AppState>,
    c: ApiCaller,
    Query(sq): Query<SearchQuery>,
) -> Result<Json<crate::services::shop_search::Found>, AppError> {
    c.require(Permission::ViewAnalytics)?;
    let limit = sq.limit.unwrap_or(LIMIT).clamp(1, 100);
    let locale = sr360_ui::normalize_locale(&c.user.locale);
    let mut f = found(&state, c.scope, sq.q, limit).await?;
    crate::services::shop_search::localize(&mut f.hits, locale);
    Ok(Json(f))
}

pub async fn suggest_api(
    State(state): State<AppState>,
    c: ApiCaller,
    Query(sq): Query<SearchQuery>,
) -> Result<Json<Vec<Hit>>, AppError> {
    c.require(Permission::ViewAnalytics)?;
    let limit = sq.limit.unwrap_or(SUGGEST).clamp(1, 20);
    let locale = sr360_ui::normalize_locale(&c.user.locale);
    let mut hits = in_search(&state, c.scope, move |s| s.suggest(&sq.q, limit)).await?;
    crate::services::shop_search::localize(&mut hits, locale);
    Ok(Json(hits))
}
