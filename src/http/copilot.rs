//! The copilot API: a question in, an answer grounded in the shop's data out. The parser
//! plans it (`sr360_ai::parse`), the plan runs with the caller's scope through the query layer
//! or the stored model results, and `sr360_ai::answer` words it in the asker's language.

use super::AppState;
use super::ctx::{ApiCaller, Member};
use super::error::AppError;
use super::pages::page_ctx;
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Query, State};
use axum::response::Html;
use axum::response::sse::{Event, Sse};
use serde::Deserialize;
use sr360_ai::answer::{self, Answer, Confidence, Reply, Shop, Timings};
use sr360_ai::{Catalog, Plan};
use sr360_core::Permission;
use sr360_core::config::Planner;
use sr360_meta::TenantScope;
use sr360_ui::pages as ui;
use std::convert::Infallible;
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

/// Ask the copilot about the caller's shop.
#[utoipa::path(post, path = "/api/v1/copilot/ask", tag = "copilot", request_body = AskRequest,
    responses((status = 200, body = Answer), (status = 409, description = "no sales loaded yet (`no_data`)"), (status = 422, description = "an empty or too long question (`invalid_input`)")),
    security(("bearer" = [])))]
pub async fn ask_api(
    State(state): State<AppState>,
    caller: ApiCaller,
    body: Result<Json<AskRequest>, JsonRejection>,
) -> Result<Json<Answer>, AppError> {
    Ok(Json(asked(&state, &caller, body).await?))
}

/// An API request's question, answered for the caller (in the language asked, else theirs).
async fn asked(
    state: &AppState,
    caller: &ApiCaller,
    body: Result<Json<AskRequest>, JsonRejection>,
) -> Result<Answer, AppError> {
    caller.require(Permission::ViewAnalytics)?;
    let Json(req) = body.map_err(|e| AppError::Invalid(format!("question: {}", e.body_text())))?;
    let lang = sr360_ui::normalize_locale(req.lang.as_deref().unwrap_or(&caller.user.locale));
    let a = answer_question(
        state,
        &caller.scope,
        caller.user.id.0,
        &req.question,
        lang,
        req.conversation,
    )
    .await?;
    super::copilot_history::remember(state, &caller.scope, caller.user.id, &req.question, &a);
    Ok(a)
}

/// The same answer as server-sent events: `plan` (the plan and the conversation), one `text`
/// event per sentence of the answer, then `answer` (the whole answer, as `ask` returns it).
/// Errors before the first event are the API's JSON errors.
#[utoipa::path(post, path = "/api/v1/copilot/stream", tag = "copilot", request_body = AskRequest,
    responses((status = 200, description = "text/event-stream: `plan`, `text`…, `answer`"), (status = 409, description = "no sales loaded yet (`no_data`)"), (status = 422, description = "an empty or too long question (`invalid_input`)")),
    security(("bearer" = [])))]
pub async fn stream_api(
    State(state): State<AppState>,
    caller: ApiCaller,
    body: Result<Json<AskRequest>, JsonRejection>,
) -> Result<Sse<impl futures::Stream<Item = Result<Event, Infallible>>>, AppError> {
    let a = asked(&state, &caller, body).await?;
    let json = |v: serde_json::Value| Event::default().data(v.to_string());
    let mut events = vec![
        json(serde_json::json!({"plan": a.plan, "conversation": a.conversation})).event("plan"),
    ];
    events.extend(
        sentences(&a.answer)
            .into_iter()
            .map(|t| json(serde_json::json!({ "text": t })).event("text")),
    );
    events.push(json(serde_json::to_value(&a).unwrap_or_default()).event("answer"));
    Ok(Sse::new(futures::stream::iter(events.into_iter().map(Ok))))
}

/// An answer cut after each sentence's full stop (the Latin, Chinese and Arabic ones).
fn sentences(text: &str) -> Vec<String> {
    let mut out = vec![];
    let mut cur = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        cur.push(c);
        let end = matches!(c, '。' | '؟' | '！')
            || (matches!(c, '.' | '?' | '!') && chars.peek().is_none_or(|n| n.is_whitespace()));
        if end {
            out.push(std::mem::take(&mut cur).trim().to_string());
        }
    }
    if !cur.trim().is_empty() {
        out.push(cur.trim().to_string());
    }
    out
}

/// One question of `user` about the scope's shop, answered in `lang`.
pub(super) async fn answer_question(
    state: &AppState,
    scope: &TenantScope,
    user: i64,
    question: &str,
    lang: &'static str,
    conversation: Option<String>,
) -> Result<Answer, AppError> {
    let started = Instant::now();
    let question = question.trim().to_string();
    if question.is_empty() || question.chars().count() > MAX_QUESTION {
        return Err(AppError::Invalid(format!(
            "a question of 1 to {MAX_QUESTION} characters"
        )));
    }
    let tenant = super::ctx::shop_of(state, scope)?;
    let (day, _) = super::report_files::shop_now(state, &tenant.timezone);
    let today = super::filter_query::parse_date(&day)?;
    let conversation = conversation
        .filter(|c| !c.is_empty() && c.len() <= 64 && c.chars().all(|c| c.is_ascii_alphanumeric()))
        .unwrap_or_else(|| hex::encode(sr360_core::entropy::random_bytes::<8>(&*state.entropy)));
    // A conversation belongs to its user and shop: a plan never follows them to another shop.
    let turn = format!("{}/{conversation}", scope.tenant().as_str());
    let previous = state.conversations.last(user, &turn);
    let planned = plan_question(state, scope, &question, today, previous).await?;
    let mut reply = run_plan(state, scope, &tenant, &planned, lang).await?;
    if let Some((end, as_of)) = planned.as_of {
        reply.answer = format!(
            "{} {}",
            sr360_ui::tr(lang, "copilot.as_of")
                .replace("{end}", &sr360_ui::format::date(lang, end))
                .replace("{day}", &sr360_ui::format::date(lang, as_of)),
            reply.answer
        );
    }
    let (parsed, model) = (planned.parsed, planned.model);
    if let Some(p) = &parsed.plan {
        state.conversations.remember(user, &turn, p.clone());
    }
    let ms = started.elapsed().as_millis() as u64;
    Ok(Answer {
        answer: reply.answer,
        result: reply.result,
        chart: reply.chart,
        plan: parsed.plan,
        sql: reply.sql,
        sources: reply.sources,
        confidence: reply.confidence,
        followups: reply.followups,
        conversation,
        model,
        timings: Timings {
            first_token_ms: ms,
            total_ms: ms,
        },
        lang: lang.to_string(),
    })
}

/// A question's plan: the parser's, or — when it abstains on a question about the shop — the
/// local model's (confidence low), under a grammar of what the question names.
struct Planned {
    parsed: sr360_ai::Parsed,
    confidence: Confidence,
    /// The model's name, when it was asked.
    model: Option<String>,
    /// The data's last day and the day relative periods were read from, when the data ends
    /// before yesterday and the question names such a period.
    as_of: Option<(time::Date, time::Date)>,
}

async fn plan_question(
    state: &AppState,
    scope: &TenantScope,
    question: &str,
    today: time::Date,
    previous: Option<Plan>,
) -> Result<Planned, AppError> {
    let q = question.to_string();
    let (mut parsed, catalog, as_of) = super::shop_data::analytics(state, scope, move |s| {
        // A shop without sales can still ask for help: its catalog is empty.
        let catalog = match Catalog::read(s) {
            Ok(c) => c,
            Err(sr360_analytics::QueryError::NoData) => Catalog::default(),
            Err(e) => return Err(e),
        };
        // An export that ends before yesterday: "last month", "yesterday", "this year" are
        // read as of the day after its last day, as when it was exported (counted from today
        // they would fall after the data and say nothing). The answer says so.
        // When that leaves a period after the data ("this month" of an export that ends on
        // a month's last day), they are read as of its last day instead.
        let end = s.data_range().ok().flatten().map(|r| r.to);
        let day_after = end.and_then(|e| e.next_day());
        let parse = |d: time::Date| sr360_ai::parse(&q, d, &catalog, previous.as_ref());
        let after_data = |p: &Option<Plan>, e: time::Date| match p {
            Some(Plan::Figures(f)) => [f.range, f.versus].iter().flatten().any(|r| r.from > e),
            _ => false,
        };
        let from_today = parse(today);
        let (parsed, as_of) = match (end, day_after) {
            (Some(e), Some(d)) if d < today => {
                let from_end = parse(d);
                if from_end.plan == from_today.plan {
                    (from_today, None)
                } else if after_data(&from_end.plan, e) {
                    (parse(e), Some((e, e)))
                } else {
                    (from_end, Some((e, d)))
                }
            }
            _ => (from_today, None),
        };
        Ok((parsed, catalog, as_of))
    })
    .await?;
    let today = as_of.map_or(today, |(_, d)| d);
    let mut confidence = if parsed.sure {
        Confidence::High
    } else {
        Confidence::Medium
    };
    let mut model = None;
    let planner = state.copilot.planner();
    if planner == Planner::Model {
        parsed.plan = None;
    }
    if parsed.plan.is_none()
        && (planner == Planner::Model || sr360_ai::parse::about_the_shop(question, today, &catalog))
    {
        let q = question.to_string();
        match state
            .copilot
            .ask(move |m| sr360_ai::model::plan(m, &q, today, &catalog))
            .await
        {
            Ok(((plan, raw), name)) => {
                tracing::debug!(model = %name, output = %raw, "copilot model plan");
                if plan.is_some() {
                    parsed.plan = plan;
                    confidence = Confidence::Low;
                }
                model = Some(name);
            }
            Err(why) => tracing::debug!(?why, "copilot model not asked"),
        }
    }
    Ok(Planned {
        parsed,
        confidence,
        model,
        as_of,
    })
}

/// Run a plan with the caller's scope: figures through the query layer, the other kinds from
/// the stored model results, the recommender or the help; worded in `lang`.
async fn run_plan(
    state: &AppState,
    scope: &TenantScope,
    tenant: &sr360_meta::Tenant,
    planned: &Planned,
    lang: &'static str,
) -> Result<Reply, AppError> {
    let shop = Shop {
        currency: &tenant.currency,
        timezone: &tenant.timezone,
    };
    Ok(match &planned.parsed.plan {
        Some(Plan::Figures(f)) => {
            let (f, confidence) = (f.clone(), planned.confidence);
            let (currency, timezone) = (tenant.currency.clone(), tenant.timezone.clone());
            super::shop_data::analytics(state, scope, move |s| {
                let shop = Shop {
                    currency: &currency,
                    timezone: &timezone,
                };
                answer::figures(s, &f, lang, shop, confidence)
            })
            .await?
        }
        Some(Plan::Help { .. }) => answer::help(lang),
        Some(Plan::Recommend { customer }) => {
            let (app, sc, who) = (state.clone(), scope.clone(), customer.clone());
            let list = tokio::task::spawn_blocking(move || {
                crate::services::recommender::for_customer(
                    &app.warehouses,
                    &app.searches,
                    &sc,
                    &who,
                    5,
                )
            })
            .await
            .map_err(AppError::internal)?;
            match list {
                Ok(l) => answer::recommend(lang, customer, Ok(l.as_ref())),
                Err(crate::services::recommender::RecommendError::NotReady) => {
                    answer::recommend(lang, customer, Err(()))
                }
                Err(e) => return Err(AppError::internal(e)),
            }
        }
        Some(Plan::Forecast { days }) => {
            let days = *days;
            let view = super::shop_data::read(state, scope, |c| {
                sr360_ml::store::forecast(c, "revenue", 7)
            })
            .await?;
            answer::forecast(lang, shop, view.as_ref(), days)
        }
        Some(Plan::Alerts) => {
            let (rows, window) = super::shop_data::read(state, scope, |c| {
                Ok((
                    sr360_ml::store::anomalies(c, 200)?,
                    sr360_ml::store::data_window(c)?,
                ))
            })
            .await?;
            answer::alerts(lang, &rows, window.map(|w| w.1))
        }
        Some(Plan::Conversion { range, filters }) => {
            let (range, filters, named) = (*range, filters.clone(), filters.clone());
            let row = super::shop_data::analytics(state, scope, move |s| {
                match sr360_analytics::funnel(
                    s,
                    sr360_analytics::FunnelBy::Overall,
                    range,
                    &filters,
                    1,
                ) {
                    // Events, but none for what was named: no sessions (said so).
                    Ok(rows) => Ok(Some(rows.into_iter().next().unwrap_or_default())),
                    // No web events: the answer says what to upload.
                    Err(sr360_analytics::QueryError::NoData) => Ok(None),
                    Err(e) => Err(e),
                }
            })
            .await?;
            answer::conversion(lang, range, &named, row.as_ref())
        }
        Some(Plan::TopCustomers { top }) => {
            let (pii, top) = (super::customers::pii_for(scope), (*top).clamp(1, 100));
            let list = super::shop_data::analytics(state, scope, move |s| {
                sr360_analytics::top_customers(s, top, pii)
            })
            .await?;
            answer::top_customers(lang, shop, &list)
        }
        Some(Plan::Churn) => {
            let model = super::shop_data::read(state, scope, sr360_ml::store::segments).await?;
            let pii = super::customers::pii_for(scope);
            let members = super::shop_data::analytics(state, scope, move |s| {
                sr360_analytics::segment_members(s, "churn_risk", 10, pii)
            })
            .await
            .unwrap_or_default();
            answer::churn(lang, shop, model.as_ref(), &members)
        }
        None => answer::not_understood(lang, &planned.parsed.understood),
    })
}

#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    q: Option<String>,
    /// The conversation a follow-up continues.
    c: Option<String>,
}

/// The copilot page: the question box, the answer with its chart and table, and examples.
pub async fn page(
    State(state): State<AppState>,
    m: Member,
    Query(q): Query<PageQuery>,
) -> Result<Html<String>, AppError> {
    m.require(Permission::ViewAnalytics)?;
    let p = page_ctx(&state, m.ctx(), None);
    let tenant = super::ctx::shop_of(&state, &m.scope)?;
    let mut vm = ui::CopilotVm {
        examples: sr360_ai::view::examples(&p),
        model_off: state.copilot.unavailable(),
        ..Default::default()
    };
    vm.history = state
        .meta
        .asked_questions(&m.scope, m.user().id, super::copilot_history::SHOWN)?
        .into_iter()
        .map(|h| {
            let url = format!(
                "/copilot?{}",
                serde_urlencoded::to_string([("q", h.question.as_str())]).unwrap_or_default()
            );
            (h.question, url)
        })
        .collect();
    let question = q.q.unwrap_or_default().trim().to_string();
    if !question.is_empty() {
        vm.question = question.clone();
        match answer_question(&state, &m.scope, m.user().id.0, &question, p.locale, q.c).await {
            Ok(a) => {
                super::copilot_history::remember(&state, &m.scope, m.user().id, &question, &a);
                vm.conversation = a.conversation.clone();
                let shop = Shop {
                    currency: &tenant.currency,
                    timezone: &tenant.timezone,
                };
                let mut answer = sr360_ai::view::page(&p, &a, shop);
                let q = serde_urlencoded::to_string([("q", question.as_str())]).unwrap_or_default();
                answer.export = super::report_files::export_action(&m.scope, "copilot", &q);
                vm.answer = Some(answer);
            }
            Err(AppError::NoData) => vm.notice = Some(p.t("copilot.no_data")),
            Err(AppError::Invalid(why)) => vm.notice = Some(why),
            Err(e) => return Err(e),
        }
    }
    Ok(Html(ui::copilot(&p, &vm)))
}

#[cfg(test)]
mod tests {
    use super::sentences;

    #[test]
    fn answers_stream_by_sentence_in_every_script() {
        assert_eq!(
            sentences("Revenue: $1,234.50. Then Apparel. Counted by date."),
            ["Revenue: $1,234.50.", "Then Apparel.", "Counted by date."]
        );
        assert_eq!(
            sentences("收入：¥10。按日期统计。"),
            ["收入：¥10。", "按日期统计。"]
        );
        assert_eq!(sentences("no stop"), ["no stop"]);
    }
}
