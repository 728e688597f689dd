//! Operations endpoints: `/healthz`, `/metrics` (Prometheus text) and embedded assets, plus
//! the middleware that counts requests.

use super::AppState;
use super::error::AppError;
use axum::extract::{MatchedPath, Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;
use std::time::Instant;

/// The process-wide Prometheus recorder (installed once, shared by every server in the
/// process, which matters for tests that start several).
pub fn prometheus() -> &'static PrometheusHandle {
    static H: OnceLock<PrometheusHandle> = OnceLock::new();
    H.get_or_init(|| {
        let recorder = PrometheusBuilder::new()
            .set_buckets(&[
                0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
            ])
            .map(|b| b.build_recorder())
            .unwrap_or_else(|_| PrometheusBuilder::new().build_recorder());
        let handle = recorder.handle();
        if metrics::set_global_recorder(recorder).is_err() {
            tracing::warn!("a metrics recorder was already installed");
        }
        handle
    })
}

pub async fn record_metrics(req: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = req.method().to_string();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "unmatched".into());
    let resp = next.run(req).await;
    let status = resp.status().as_u16().to_string();
    metrics::counter!("sr360_http_requests_total", "method" => method.clone(), "route" => route.clone(), "status" => status).increment(1);
    metrics::histogram!("sr360_http_request_duration_seconds", "method" => method, "route" => route).record(start.elapsed().as_secs_f64());
    resp
}

pub async fn healthz(State(state): State<AppState>) -> Result<Response, AppError> {
    let (check, checked_at) = state.meta_health()?;
    if check != "ok" {
        return Ok((
            StatusCode::SERVICE_UNAVAILABLE,
            axum::Json(serde_json::json!({"status": "degraded", "meta": check, "meta_checked_at": checked_at})),
        )
            .into_response());
    }
    Ok(axum::Json(serde_json::json!({
        "status": "ok",
        "meta_checked_at": checked_at,
        "version": env!("CARGO_PKG_VERSION"),
        "schema": sr360_meta::SCHEMA_VERSION,
        "uptime_secs": state.started.elapsed().as_secs(),
    }))
    .into_response())
}

/// `/metrics`: to this machine's clients, or to any client holding `server.metrics_token`.
pub async fn metrics(
    State(state): State<AppState>,
    req: axum::extract::Request,
) -> Result<Response, AppError> {
    let server = &state.config.server;
    if !server.metrics {
        return Err(AppError::NotFound("page"));
    }
    let (parts, _) = req.into_parts();
    let allowed = match &server.metrics_token {
        Some(t) => parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|h| h.to_str().ok())
            .and_then(|h| h.strip_prefix("Bearer "))
            .is_some_and(|given| {
                use subtle::ConstantTimeEq;
                bool::from(given.as_bytes().ct_eq(t.expose().as_bytes()))
            }),
        None => super::ctx::client_ip(&state, &parts).is_loopback(),
    };
    if !allowed {
        return Err(AppError::NotFound("page"));
    }
    metrics::gauge!("sr360_active_sessions").set(state.meta.active_session_count()? as f64);
    metrics::gauge!("sr360_tenants").set(state.meta.list_tenants()?.len() as f64);
    metrics::gauge!("sr360_uptime_seconds").set(state.started.elapsed().as_secs_f64());
    let body = prometheus().render();
    Ok((
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        body,
    )
        .into_response())
}

pub async fn asset(Path(path): Path<String>, headers: HeaderMap) -> Response {
    let Some(a) = sr360_ui::assets::get(&path) else {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    };
    let etag = format!("\"{}\"", a.etag);
    if headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        == Some(etag.as_str())
    {
        return StatusCode::NOT_MODIFIED.into_response();
    }
    let mut resp = (StatusCode::OK, a.body.into_owned()).into_response();
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&a.mime) {
        h.insert(header::CONTENT_TYPE, v);
    }
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    resp
}
