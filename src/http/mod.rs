//! The HTTP edge: routes, middleware and thin handlers that translate between HTTP and the
//! domain crates. Nothing below this module knows about axum or Leptos.

mod analytics;
mod api;
mod auth_pages;
mod charts;
mod cohorts;
mod copilot;
mod copilot_history;
mod copilot_sql;
mod csrf;
pub mod ctx;
mod customers;
pub mod error;
mod filter_query;
mod funnel;
mod graphql;
mod hosts;
mod models;
mod ops;
mod pages;
mod recommend;
mod report_files;
mod reports;
mod search;
mod segments;
mod settings;
mod shop_data;
mod uploads;

use crate::app::App;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, Request, header};
use axum::middleware;
use axum::routing::{get, post};
use std::sync::Arc;
use std::time::Duration;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};

pub type AppState = Arc<App>;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

pub fn router(state: AppState) -> Router {
    // Install the metrics recorder before the first request is counted.
    ops::prometheus();
    let max_body = state.config.server.max_body_bytes;
    let timeout = Duration::from_secs(state.config.server.request_timeout_secs);
    let csp = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

    let pages = Router::new()
        .route("/", get(pages::root))
        .route(
            "/login",
            get(auth_pages::login_form).post(auth_pages::login_submit),
        )
        .route(
            "/signup",
            get(auth_pages::signup_form).post(auth_pages::signup_submit),
        )
        .route(
            "/signup/confirm",
            get(auth_pages::signup_confirm_form).post(auth_pages::signup_confirm_submit),
        )
        .route(
            "/mfa",
            get(auth_pages::mfa_form).post(auth_pages::mfa_submit),
        )
        .route("/logout", post(auth_pages::logout))
        .route("/session/tenant", post(auth_pages::switch_tenant))
        .route("/dashboard", get(pages::dashboard))
        .route("/charts", get(charts::charts))
        .route("/copilot", get(copilot::page))
        .route("/copilot/history/clear", post(copilot_history::clear_form))
        .route("/cohorts", get(cohorts::cohorts_page))
        .route("/funnel", get(funnel::funnel_page))
        .route("/customers", get(customers::customers_page))
        .route("/customers/{reference}", get(customers::customer_page))
        .route("/audit", get(pages::audit))
        .route("/permissions", get(pages::permissions))
        .route("/permissions/{user_id}/role", post(pages::set_role))
        .route("/help", get(pages::help))
        .route("/notifications", get(pages::notifications))
        .route("/admin/tenants", get(pages::admin_tenants))
        .route("/settings", get(settings::preferences))
        .route("/settings/preferences", post(settings::save_preferences))
        .route("/settings/security", get(settings::security))
        .route("/settings/password", post(settings::change_password))
        .route("/settings/mfa/begin", post(settings::mfa_begin))
        .route("/settings/mfa/confirm", post(settings::mfa_confirm))
        .route("/settings/mfa/disable", post(settings::mfa_disable))
        .route("/settings/mfa/recovery", post(settings::mfa_recovery))
        .route(
            "/settings/tokens",
            get(settings::tokens).post(settings::create_token),
        )
        .route("/settings/tokens/{id}/revoke", post(settings::revoke_token))
        .route("/upload", get(uploads::upload_page))
        .route("/uploads", get(uploads::history))
        .route("/uploads/{id}", get(uploads::detail))
        .route(
            "/uploads/{id}/mapping",
            get(uploads::mapping_page).post(uploads::mapping_submit),
        )
        .route("/uploads/{id}/discard", post(uploads::discard_form))
        .route("/notifications/events", get(pages::unread_events))
        .route("/forecasts", get(models::forecasts_page))
        .route("/models", get(models::models_page))
        .route("/models/run", post(models::run_now))
        .route("/search", get(search::search_page))
        .route("/recommendations", get(recommend::page))
        .route("/segments", get(segments::segments_page))
        .route("/segments/export", post(segments::export_members))
        .route("/reports", get(reports::list_page))
        .route("/reports/export", post(reports::export_form))
        .route("/reports/{id}/file", get(reports::download))
        .route("/reports/{id}/delete", post(reports::delete))
        .route("/{page}", get(pages::upcoming));

    // Upload bodies may be large: their own limit, enforced while streaming.
    let big = state
        .config
        .pipeline
        .max_upload_bytes
        .min(usize::MAX as u64) as usize;
    let upload_routes = Router::new()
        .route("/upload", post(uploads::upload_form))
        .route(
            "/api/v1/uploads",
            post(uploads::api_create).get(uploads::api_list),
        )
        .layer(DefaultBodyLimit::max(big));

    let api = Router::new()
        .route("/api/v1/auth/token", post(api::issue_token))
        .route("/api/v1/auth/tokens", get(api::list_tokens))
        .route(
            "/api/v1/auth/tokens/{id}",
            axum::routing::delete(api::revoke_token),
        )
        .route("/api/v1/me", get(api::me))
        .route("/api/v1/tenant/members", get(api::members))
        .route(
            "/api/v1/tenant/members/{user_id}/role",
            axum::routing::put(api::set_role),
        )
        .route("/api/v1/audit", get(api::audit))
        .route(
            "/api/v1/uploads/{id}",
            get(uploads::api_get).delete(uploads::api_discard),
        )
        .route(
            "/api/v1/uploads/{id}/rejects.csv",
            get(uploads::rejects_csv),
        )
        .route("/api/v1/uploads/{id}/events", get(uploads::events))
        .route(
            "/api/v1/uploads/{id}/mapping",
            axum::routing::put(uploads::api_confirm),
        )
        .route("/api/v1/query", post(analytics::query))
        .route("/api/v1/copilot/ask", post(copilot::ask_api))
        .route("/api/v1/copilot/stream", post(copilot::stream_api))
        .route("/api/v1/copilot/sql", post(copilot_sql::sql_api))
        .route(
            "/api/v1/copilot/history",
            get(copilot_history::history_api).delete(copilot_history::clear_api),
        )
        .route("/api/v1/query/catalog", get(analytics::catalog))
        .route("/api/v1/cohorts", get(cohorts::cohorts_api))
        .route("/api/v1/funnel", get(funnel::funnel_api))
        .route("/api/v1/graphql", post(graphql::graphql))
        .route(
            "/api/v1/reports",
            post(reports::api_export).get(reports::api_list),
        )
        .route("/api/v1/reports/{id}/file", get(reports::api_file))
        .route("/api/v1/forecasts", get(models::forecast_api))
        .route("/api/v1/models", get(models::models_api))
        .route("/api/v1/alerts", get(models::alerts_api))
        .route("/api/v1/segments", get(segments::segments_api))
        .route("/api/v1/search", get(search::search_api))
        .route(
            "/api/v1/recommendations/customers/{reference}",
            get(recommend::customer_api),
        )
        .route(
            "/api/v1/recommendations/products/{sku}",
            get(recommend::product_api),
        )
        .route("/api/v1/search/suggest", get(search::suggest_api))
        .route("/api/v1/openapi.json", get(analytics::openapi))
        .fallback(api::not_found);

    let ops = Router::new()
        .route("/healthz", get(ops::healthz))
        .route("/metrics", get(ops::metrics))
        .route("/assets/{*path}", get(ops::asset));

    // Every request has a wall-clock budget except uploads, which may take long on a slow
    // line: they fail instead when the client sends nothing for that long (`uploads`).
    let timed = Router::new()
        .merge(pages)
        .merge(api)
        .merge(ops)
        .fallback(pages::not_found)
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            timeout,
        ));
    Router::new()
        .merge(upload_routes)
        .merge(timed)
        .layer(middleware::from_fn_with_state(state.clone(), csrf::guard))
        .layer(middleware::from_fn_with_state(state.clone(), hosts::guard))
        .layer(middleware::from_fn(error::uniform_rejections))
        .layer(middleware::from_fn_with_state(state.clone(), pages::html_errors))
        .layer(middleware::from_fn(ops::record_metrics))
        .layer(DefaultBodyLimit::max(max_body))
        .layer(SetResponseHeaderLayer::overriding(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(csp)))
        .layer(SetResponseHeaderLayer::overriding(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::overriding(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(SetResponseHeaderLayer::if_not_present(header::REFERRER_POLICY, HeaderValue::from_static("same-origin")))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
            let id = req.headers().get(REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("-");
            tracing::info_span!("request", request_id = %id, method = %req.method(), path = %req.uri().path())
        })
        .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)))
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        .with_state(state)
}
