//! JSON API for scripts (`/api/v1`). Authenticated by `Authorization: Bearer <token>` or by
//! the browser session plus `X-CSRF-Token`. Errors are `{"error": {"code", "message"}}`.

use super::AppState;
use super::ctx::{ApiCaller, Ctx};
use super::error::AppError;
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use sr360_core::{Permission, Role, TenantId, UserId};
use sr360_meta::AuditEntry;

fn json_body<T>(body: Result<Json<T>, JsonRejection>) -> Result<T, AppError> {
    body.map(|Json(v)| v).map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::PayloadTooLarge
        } else {
            AppError::Invalid(format!("request body: {}", e.body_text()))
        }
    })
}

#[derive(Deserialize)]
pub struct TokenRequest {
    email: String,
    password: String,
    totp: Option<String>,
    tenant: Option<String>,
    name: Option<String>,
    expires_in_days: Option<i64>,
}

#[derive(Serialize)]
struct TokenResponse {
    token: String,
    id: i64,
    tenant: String,
    expires_at: Option<i64>,
}

pub async fn issue_token(
    State(state): State<AppState>,
    ctx: Ctx,
    body: Result<Json<TokenRequest>, JsonRejection>,
) -> Result<Response, AppError> {
    let r = json_body(body)?;
    let tenant = match r.tenant.as_deref() {
        Some(t) => Some(TenantId::parse(t).map_err(|_| AppError::NotFound("shop"))?),
        None => None,
    };
    let ttl = match r.expires_in_days {
        Some(d) if !(1..=3650).contains(&d) => {
            return Err(AppError::Invalid(
                "expires_in_days must be 1 to 3650".into(),
            ));
        }
        Some(d) => Some(d * 86_400),
        None => None,
    };
    let name = r.name.unwrap_or_else(|| "api".into());
    let (token, rec) = state
        .auth
        .issue_api_token(
            &r.email,
            &r.password,
            r.totp.as_deref(),
            tenant.as_ref(),
            &name,
            ttl,
            ctx.ip,
            &ctx.user_agent,
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(TokenResponse {
            token,
            id: rec.id,
            tenant: rec.tenant_id.to_string(),
            expires_at: rec.expires_at,
        }),
    )
        .into_response())
}

pub async fn list_tokens(
    State(state): State<AppState>,
    c: ApiCaller,
) -> Result<Json<serde_json::Value>, AppError> {
    let tokens = state.meta.list_api_tokens(&c.scope)?;
    Ok(Json(serde_json::json!({ "tokens": tokens })))
}

pub async fn revoke_token(
    State(state): State<AppState>,
    c: ApiCaller,
    Path(id): Path<i64>,
) -> Result<StatusCode, AppError> {
    state.meta.revoke_api_token(&c.scope, id, &c.actor())?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn me(c: ApiCaller) -> Json<serde_json::Value> {
    Json(serde_json::json!({
        "user": { "id": c.user.id, "email": c.user.email, "display_name": c.user.display_name, "mfa": c.user.mfa },
        "tenant": c.scope.tenant(),
        "role": c.scope.role(),
        "via_token": c.via_token.is_some(),
    }))
}

pub async fn members(
    State(state): State<AppState>,
    c: ApiCaller,
) -> Result<Json<serde_json::Value>, AppError> {
    c.require(Permission::ViewAnalytics)?;
    let pii = c.scope.can(Permission::ViewPii);
    let list: Vec<serde_json::Value> = state
        .meta
        .members(&c.scope)?
        .into_iter()
        .map(|m| {
            let mut v = serde_json::json!({ "user_id": m.user_id, "display_name": m.display_name, "role": m.role });
            if pii {
                v["email"] = serde_json::json!(m.email);
            }
            v
        })
        .collect();
    Ok(Json(serde_json::json!({ "members": list })))
}

#[derive(Deserialize)]
pub struct RoleBody {
    role: String,
}

pub async fn set_role(
    State(state): State<AppState>,
    c: ApiCaller,
    Path(user_id): Path<i64>,
    body: Result<Json<RoleBody>, JsonRejection>,
) -> Result<Json<serde_json::Value>, AppError> {
    c.require(Permission::ManageTenant)?;
    let role = Role::parse(&json_body(body)?.role)
        .ok_or_else(|| AppError::Invalid("role must be owner, admin, analyst or viewer".into()))?;
    let previous = state
        .meta
        .set_role(&c.scope, UserId(user_id), role, &c.actor())?;
    Ok(Json(
        serde_json::json!({ "user_id": user_id, "role": role, "previous": previous }),
    ))
}

#[derive(Deserialize)]
pub struct AuditQuery {
    before: Option<i64>,
    limit: Option<u32>,
}

pub async fn audit(
    State(state): State<AppState>,
    c: ApiCaller,
    Query(q): Query<AuditQuery>,
) -> Result<Json<serde_json::Value>, AppError> {
    c.require(Permission::ManageTenant)?;
    let rows: Vec<AuditEntry> =
        state
            .meta
            .audit_for_tenant(&c.scope, q.before, q.limit.unwrap_or(100))?;
    Ok(Json(serde_json::json!({ "entries": rows })))
}

pub async fn not_found() -> AppError {
    AppError::NotFound("endpoint")
}
