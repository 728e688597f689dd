//! The query layer over HTTP: `POST /api/v1/query` runs a typed query for the caller's shop,
//! `GET /api/v1/query/catalog` lists what can be asked, and `GET /api/v1/openapi.json`
//! describes the JSON API. Thin: parse, check the permission, run on the blocking pool.

use super::AppState;
use super::ctx::ApiCaller;
use super::error::AppError;
use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use serde::Serialize;
use sr360_analytics::{Comparison, Dimension, Grain, Metric, Query, QueryResult, Unit};
use sr360_core::Permission;
use utoipa::{OpenApi, ToSchema};

/// Run `q` for the scope's shop off the async runtime.
pub async fn run_query(
    state: &AppState,
    scope: &sr360_meta::TenantScope,
    q: Query,
) -> Result<QueryResult, AppError> {
    let wh = state.warehouses.open(scope).map_err(AppError::internal)?;
    tokio::task::spawn_blocking(move || sr360_analytics::run(&wh, &q))
        .await
        .map_err(AppError::internal)?
        .map_err(AppError::from)
}

/// Run an analytics query on the caller's shop.
#[utoipa::path(post, path = "/api/v1/query", tag = "analytics", request_body = Query,
    responses((status = 200, body = QueryResult), (status = 409, description = "no sales loaded yet (`no_data`)"), (status = 422, description = "the query cannot be answered as asked (`invalid_input`)")),
    security(("bearer" = [])))]
pub async fn query(
    State(state): State<AppState>,
    caller: ApiCaller,
    body: Result<Json<Query>, JsonRejection>,
) -> Result<Json<QueryResult>, AppError> {
    caller.require(Permission::ViewAnalytics)?;
    let q = body
        .map(|Json(q)| q)
        .map_err(|e| AppError::Invalid(format!("query: {}", e.body_text())))?;
    let currency = state
        .meta
        .tenant(caller.scope.tenant())
        .map_err(AppError::internal)?
        .map(|t| t.currency)
        .unwrap_or_default();
    let r = run_query(&state, &caller.scope, q).await?;
    Ok(Json(r.rounded(sr360_analytics::currency_places(&currency))))
}

#[derive(Serialize, ToSchema)]
pub struct MetricInfo {
    name: &'static str,
    unit: Unit,
}

#[derive(Serialize, ToSchema)]
pub struct Catalog {
    metrics: Vec<MetricInfo>,
    /// Dimension names; `date` takes a grain: `{"date": "week"}`.
    dimensions: Vec<&'static str>,
    grains: Vec<Grain>,
    comparisons: Vec<Comparison>,
    /// Filterable dimensions.
    filters: Vec<&'static str>,
    max_rows: u32,
}

/// What can be asked: metrics, dimensions, grains, comparisons, filters.
#[utoipa::path(get, path = "/api/v1/query/catalog", tag = "analytics", responses((status = 200, body = Catalog)), security(("bearer" = [])))]
pub async fn catalog(caller: ApiCaller) -> Result<Json<Catalog>, AppError> {
    caller.require(Permission::ViewAnalytics)?;
    let dims = [
        Dimension::Date(Grain::Day),
        Dimension::Category,
        Dimension::Product,
        Dimension::Region,
        Dimension::Country,
        Dimension::Channel,
        Dimension::Weekday,
        Dimension::Hour,
        Dimension::CustomerType,
    ];
    Ok(Json(Catalog {
        metrics: Metric::ALL
            .iter()
            .map(|m| MetricInfo {
                name: m.name(),
                unit: m.unit(),
            })
            .collect(),
        dimensions: dims.iter().map(|d| d.name()).collect(),
        grains: vec![Grain::Day, Grain::Week, Grain::Month],
        comparisons: vec![Comparison::PreviousPeriod, Comparison::PreviousYear],
        filters: vec!["category", "region", "country", "channel", "sku"],
        max_rows: sr360_analytics::compile::MAX_ROWS,
    }))
}

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "an API token from POST /api/v1/auth/token or Settings → API tokens",
                    ))
                    .build(),
            ),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "SmartRetail360 API", description = "JSON API of one sr360 instance. Authenticate with `Authorization: Bearer <token>` (or the browser session plus `X-CSRF-Token`). Errors are `{\"error\": {\"code\", \"message\"}}` with stable codes."),
    paths(query, catalog, super::cohorts::cohorts_api, super::funnel::funnel_api, super::reports::api_export, super::reports::api_list, super::copilot::ask_api, super::copilot::stream_api, super::copilot_sql::sql_api, super::copilot_history::history_api, super::copilot_history::clear_api),
    components(schemas(Query, QueryResult, Catalog, MetricInfo, sr360_analytics::CohortTable)),
    modifiers(&BearerAuth),
    tags((name = "analytics", description = "the typed query layer every chart and KPI uses"), (name = "reports", description = "charts and tables exported as CSV, PNG or PDF, kept as versioned files"), (name = "copilot", description = "questions in a merchant's words, answered from the shop's data"))
)]
pub struct ApiDoc;

/// The OpenAPI document of the JSON API.
pub async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
