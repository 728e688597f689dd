//! The copilot's history per user and shop: listed (API and the copilot page) and clearable.
//! Questions are kept when they were answered through the API or the page.

use super::AppState;
use super::ctx::{ApiCaller, Member};
use super::error::AppError;
use axum::Json;
use axum::extract::State;
use axum::response::Redirect;
use sr360_ai::answer::Answer;
use sr360_core::{Permission, UserId};
use sr360_meta::TenantScope;

/// Questions listed on the copilot page.
pub(super) const SHOWN: u32 = 10;

/// Keep an answered question; a failure to keep it is logged, never the answer's failure.
pub(super) fn remember(
    state: &AppState,
    scope: &TenantScope,
    user: UserId,
    question: &str,
    a: &Answer,
) {
    if let Err(e) = state
        .meta
        .remember_question(scope, user, question.trim(), &a.answer, &a.lang)
    {
        tracing::warn!(error = %e, "copilot history not kept");
    }
}

/// The caller's latest questions in this shop, newest first.
#[utoipa::path(get, path = "/api/v1/copilot/history", tag = "copilot",
    responses((status = 200, description = "`{\"questions\": [{id, question, answer, lang, asked_at}]}`")),
    security(("bearer" = [])))]
pub async fn history_api(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Json<serde_json::Value>, AppError> {
    caller.require(Permission::ViewAnalytics)?;
    let questions = state
        .meta
        .asked_questions(&caller.scope, caller.user.id, 100)?;
    Ok(Json(serde_json::json!({ "questions": questions })))
}

/// Clear the caller's history in this shop.
#[utoipa::path(delete, path = "/api/v1/copilot/history", tag = "copilot",
    responses((status = 200, description = "`{\"cleared\": n}`")),
    security(("bearer" = [])))]
pub async fn clear_api(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Json<serde_json::Value>, AppError> {
    caller.require(Permission::ViewAnalytics)?;
    let n = state.meta.forget_questions(&caller.scope, caller.user.id)?;
    Ok(Json(serde_json::json!({ "cleared": n })))
}

/// `POST /copilot/history/clear` from the copilot page.
pub async fn clear_form(State(state): State<AppState>, m: Member) -> Result<Redirect, AppError> {
    m.require(Permission::ViewAnalytics)?;
    state.meta.forget_questions(&m.scope, m.user().id)?;
    Ok(Redirect::to("/copilot"))
}
