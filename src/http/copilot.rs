//! The copilot API: a question in, an answer grounded in the shop's data out. The parser
//! plans it (`sr360_ai::parse`), the plan runs with the caller's scope through the query layer
//! or the stored model results, and `sr360_ai::answer` words it in the asker's language.

use super::AppState;
use super::ctx::ApiCaller;
use super::error::AppError;
use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use serde::{Deserialize, Serialize};
use sr360_ai::answer::{self, Chart, Confidence, Reply, Shop, Source, Table};
use sr360_ai::{Catalog, Plan};
use sr360_core::Permission;
use std::time::Instant;

/// Questions longer than this are refused (a question, not a document).
const MAX_QUESTION: usize = 500;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AskRequest {
    /// The question, in English, Spanish, Chinese or Arabic.
    question: String,
    /// `en`, `es`, `zh-CN` or `ar`: the answer's language (default: the caller's).
    lang: Option<String>,
    /// The conversation a follow-up belongs to (from a previous answer).
    conversation: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Timings {
    first_token_ms: u64,
    total_ms: u64,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AskAnswer {
    /// The answer in words; every number in it comes from `result`.
    answer: String,
    /// The figures the answer rests on; the first row is the direct answer.
    result: Option<Table>,
    chart: Option<Chart>,
    /// What was run.
    plan: Option<Plan>,
    /// The SQL the query layer ran, for figures.
    sql: Option<String>,
    sources: Vec<Source>,
    confidence: Confidence,
    followups: Vec<String>,
    conversation: String,
    /// The language model that helped, if any (the parser alone: none).
    model: Option<String>,
    timings: Timings,
    lang: String,
}

/// Ask the copilot about the caller's shop.
#[utoipa::path(post, path = "/api/v1/copilot/ask", tag = "copilot", request_body = AskRequest,
    responses((status = 200, body = AskAnswer), (status = 409, description = "no sales loaded yet (`no_data`)"), (status = 422, description = "an empty or too long question (`invalid_input`)")),
    security(("bearer" = [])))]
pub async fn ask_api(
    State(state): State<AppState>,
    caller: ApiCaller,
    body: Result<Json<AskRequest>, JsonRejection>,
) -> Result<Json<AskAnswer>, AppError> {
    caller.require(Permission::ViewAnalytics)?;
    let started = Instant::now();
    let Json(req) = body.map_err(|e| AppError::Invalid(format!("question: {}", e.body_text())))?;
    let question = req.question.trim().to_string();
    if question.is_empty() || question.chars().count() > MAX_QUESTION {
        return Err(AppError::Invalid(format!(
            "a question of 1 to {MAX_QUESTION} characters"
        )));
    }
    let lang = sr360_ui::normalize_locale(req.lang.as_deref().unwrap_or(&caller.user.locale));
    let tenant = super::ctx::shop_of(&state, &caller.scope)?;
    let (day, _) = super::report_files::shop_now(&state, &tenant.timezone);
    let today = super::filter_query::parse_date(&day)?;
    let user = caller.user.id.0;
    let conversation = req
        .conversation
        .filter(|c| !c.is_empty() && c.len() <= 64 && c.chars().all(|c| c.is_ascii_alphanumeric()))
        .unwrap_or_else(|| hex::encode(sr360_core::entropy::random_bytes::<8>(&*state.entropy)));
    let previous = state.conversations.last(user, &conversation);
    let (currency, timezone) = (tenant.currency.clone(), tenant.timezone.clone());
    let (parsed, reply) = super::shop_data::analytics(&state, &caller.scope, move |s| {
        let catalog = Catalog::read(s)?;
        let parsed = sr360_ai::parse(&question, today, &catalog, previous.as_ref());
        let shop = Shop {
            currency: &currency,
            timezone: &timezone,
        };
        let confidence = if previous.is_some() || parsed.understood.is_empty() {
            Confidence::Medium
        } else {
            Confidence::High
        };
        let reply = match &parsed.plan {
            Some(Plan::Figures(f)) => Some(answer::figures(s, f, lang, shop, confidence)?),
            _ => None,
        };
        Ok((parsed, reply))
    })
    .await?;
    let shop = Shop {
        currency: &tenant.currency,
        timezone: &tenant.timezone,
    };
    let reply: Reply = match (&parsed.plan, reply) {
        (_, Some(r)) => r,
        (Some(Plan::Help { .. }), None) => answer::help(lang),
        (Some(Plan::Forecast { days }), None) => {
            let days = *days;
            let view = super::shop_data::read(&state, &caller.scope, |c| {
                sr360_ml::store::forecast(c, "revenue", 7)
            })
            .await?;
            answer::forecast(lang, shop, view.as_ref(), days)
        }
        (Some(Plan::Alerts), None) => {
            let (rows, window) = super::shop_data::read(&state, &caller.scope, |c| {
                Ok((
                    sr360_ml::store::anomalies(c, 200)?,
                    sr360_ml::store::data_window(c)?,
                ))
            })
            .await?;
            answer::alerts(lang, &rows, window.map(|w| w.1))
        }
        (Some(Plan::Churn), None) => {
            let model =
                super::shop_data::read(&state, &caller.scope, sr360_ml::store::segments).await?;
            answer::churn(lang, model.as_ref())
        }
        (_, None) => answer::not_understood(lang, &parsed.understood),
    };
    if let Some(p) = &parsed.plan {
        state.conversations.remember(user, &conversation, p.clone());
    }
    let ms = started.elapsed().as_millis() as u64;
    Ok(Json(AskAnswer {
        answer: reply.answer,
        result: reply.result,
        chart: reply.chart,
        plan: parsed.plan,
        sql: reply.sql,
        sources: reply.sources,
        confidence: reply.confidence,
        followups: reply.followups,
        conversation,
        model: None,
        timings: Timings {
            first_token_ms: ms,
            total_ms: ms,
        },
        lang: lang.to_string(),
    }))
}
