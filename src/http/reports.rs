//! Report export and the report management page. An export draws the page again from the same
//! query parameters (same numbers as on screen), turns its charts and tables into a CSV, PNG
//! or PDF (crates/export), stores the file in the shop's object store, and records it as the
//! next version of that report for the day, with an audit row, in one meta transaction.

use super::AppState;
use super::charts::charts_view;
use super::cohorts::{CohortParams, cohorts_view};
use super::ctx::{ApiCaller, Member};
use super::error::AppError;
use super::filter_query::ChartsQuery;
use super::funnel::funnel_view;
use super::pages::page_ctx;
use super::report_files::{Format, Keep, attachment, keep, shop_now};
use axum::Json;
use axum::extract::{Form, Path, Query, State};
use axum::response::{Html, Redirect, Response};
use serde::Deserialize;
use sr360_core::Permission;
use sr360_export::{Renderer, Report};
use sr360_meta::{AuditEvent, ReportRecord, TenantScope};
use sr360_ui::pages::{self as ui, ChartCardVm};
use sr360_ui::{PageCtx, format};
use sr360_views::report;
use std::sync::OnceLock;

/// The fonts are loaded once: the Roboto the charts were measured with, then the system's.
fn renderer() -> &'static Renderer {
    static R: OnceLock<Renderer> = OnceLock::new();
    R.get_or_init(|| {
        Renderer::new(
            sr360_ui::assets::get("fonts/Roboto.ttf").map(|a| a.body.to_vec()),
            true,
        )
    })
}

/// The page a report comes from, and its view's parameters (the page's own query string).
#[derive(Debug, Default, Deserialize)]
pub struct ExportQuery {
    page: String,
    #[serde(flatten)]
    view: ChartsQuery,
    cohorts: Option<String>,
    months: Option<String>,
    /// The copilot's question (`page=copilot`): the answer is asked again, like a page is
    /// drawn again.
    q: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct ExportForm {
    /// A chart's id on the page, or `all`.
    item: String,
    format: String,
}

/// The query string that reopens the view (`page` left out).
fn view_query(q: &ExportQuery) -> String {
    let mut query = q.view.to_query();
    for (k, v) in [("cohorts", &q.cohorts), ("months", &q.months)] {
        if let Some(v) = v.as_deref().and_then(|v| v.trim().parse::<usize>().ok()) {
            query.push_str(&format!(
                "{}{k}={v}",
                if query.is_empty() { "" } else { "&" }
            ));
        }
    }
    if let Some(question) = q.q.as_deref().filter(|q| !q.trim().is_empty()) {
        let pair = serde_urlencoded::to_string([("q", question)]).unwrap_or_default();
        query.push_str(&format!(
            "{}{pair}",
            if query.is_empty() { "" } else { "&" }
        ));
    }
    query
}

async fn page_report(
    state: &AppState,
    scope: &TenantScope,
    p: &PageCtx,
    actor: &AuditEvent,
    q: &ExportQuery,
) -> Result<report::PageReport, AppError> {
    let cq = &q.view;
    match q.page.as_str() {
        "charts" => {
            let vm = charts_view(state, scope, p, cq).await?;
            if vm.empty {
                return Err(AppError::NoData);
            }
            Ok(report::charts(p, vm))
        }
        "funnel" => {
            let vm = funnel_view(state, scope, p, cq).await?;
            if vm.empty {
                return Err(AppError::NoData);
            }
            Ok(report::funnel(p, vm))
        }
        "cohorts" => {
            let params = CohortParams {
                cohorts: q.cohorts.as_deref().and_then(|v| v.parse().ok()),
                months: q.months.as_deref().and_then(|v| v.parse().ok()),
            };
            let (vm, cards) = cohorts_view(state, scope, p, &params).await?;
            if vm.empty {
                return Err(AppError::NoData);
            }
            Ok(report::cohorts(p, &vm, cards))
        }
        "copilot" => {
            let question = q.q.as_deref().unwrap_or_default().trim();
            let user = actor.actor_user.map(|u| u.0).unwrap_or_default();
            let a = super::copilot::answer_question(state, scope, user, question, p.locale, None)
                .await?;
            let tenant = super::ctx::shop_of(state, scope)?;
            let shop = sr360_ai::answer::Shop {
                currency: &tenant.currency,
                timezone: &tenant.timezone,
            };
            let mut card = sr360_ai::view::page(p, &a, shop).card.ok_or_else(|| {
                AppError::Invalid("this answer has no chart or table to keep".into())
            })?;
            card.summary = a.answer.clone();
            if card.title.is_empty() {
                card.title = question.to_string();
            }
            Ok(report::PageReport {
                title: format!("{}: {question}", p.t("nav.copilot")),
                filters: question.to_string(),
                cards: vec![card],
            })
        }
        other => Err(AppError::Invalid(format!(
            "{other:?} has no exports (charts, funnel, cohorts or copilot)"
        ))),
    }
}

/// Draw, store and record one export. Returns the record and the file's bytes.
async fn export(
    state: &AppState,
    scope: &TenantScope,
    p: &PageCtx,
    actor: &AuditEvent,
    q: &ExportQuery,
    item_id: &str,
    format: Format,
) -> Result<(ReportRecord, Vec<u8>), AppError> {
    if !scope.can(Permission::Analyze) {
        return Err(AppError::Forbidden);
    }
    let tenant = super::ctx::shop_of(state, scope)?;
    let page = page_report(state, scope, p, actor, q).await?;
    let (cards, slug, title): (Vec<&ChartCardVm>, String, String) = if item_id == "all" {
        (
            page.cards.iter().collect(),
            q.page.clone(),
            page.title.clone(),
        )
    } else {
        let c = page.cards.iter().find(|c| c.id == item_id).ok_or_else(|| {
            AppError::Invalid(format!("this page has no chart or table {item_id:?}"))
        })?;
        (
            vec![c],
            format!("{}-{}", q.page, c.id),
            format!("{} — {}", page.title, c.title),
        )
    };
    if format == Format::Csv && cards.len() != 1 {
        return Err(AppError::Invalid(
            "a CSV file holds one table: export the table of one chart".into(),
        ));
    }
    let (day, now) = shop_now(state, &tenant.timezone);
    let report = Report {
        title: title.clone(),
        lines: vec![
            format!("{} · {}", tenant.name, page.filters),
            p.t("reports.generated")
                .replace("{time}", &now)
                .replace("{who}", &actor.actor),
        ],
        items: cards.iter().map(|c| report::item(c)).collect(),
        more_rows: p.t("reports.more_rows"),
    };
    let bytes = tokio::task::spawn_blocking(move || match format {
        Format::Csv => sr360_export::csv(&report.items[0].table),
        Format::Png => renderer().png(&report),
        Format::Pdf => renderer().pdf(&report),
    })
    .await
    .map_err(AppError::internal)?
    .map_err(AppError::internal)?;
    let source = format!("/{}?{}", q.page, view_query(q));
    let file = Keep {
        slug: &slug,
        day: &day,
        format: format.ext(),
        title: &title,
        filters: &page.filters,
        source: source.trim_end_matches('?'),
    };
    let rec = keep(state, scope, actor, &file, &bytes).await?;
    Ok((rec, bytes))
}

/// `POST /reports/export?page=charts&<the page's filters>` (form: item, format): the file.
pub async fn export_form(
    State(state): State<AppState>,
    m: Member,
    Query(q): Query<ExportQuery>,
    Form(f): Form<ExportForm>,
) -> Result<Response, AppError> {
    m.require(Permission::Analyze)?;
    let p = page_ctx(&state, m.ctx(), None);
    let actor = m.actor();
    let (rec, bytes) = export(
        &state,
        &m.scope,
        &p,
        &actor,
        &q,
        f.item.trim(),
        Format::parse(f.format.trim())?,
    )
    .await?;
    Ok(attachment(&rec, bytes))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ExportRequest {
    /// `charts`, `funnel`, `cohorts` or `copilot`.
    page: String,
    /// For `copilot`: the question whose answer (chart or table) is kept.
    #[serde(default)]
    q: Option<String>,
    /// A chart or table id of that page (`trend`, `categories`, `by-channel`, ...) or `all`.
    item: String,
    /// `csv`, `png` or `pdf`.
    format: String,
    /// The view's filters, as on the page (`from`, `to`, `grain`, `compare`, `category`,
    /// `region`, `channel`).
    #[serde(flatten)]
    view: ChartsQuery,
}

/// Export a chart, a table or a whole page; the answer is the stored report's record.
#[utoipa::path(post, path = "/api/v1/reports", tag = "reports", request_body = ExportRequest,
    responses((status = 200, description = "the stored report (`id`, `file_name`, `url`, ...)"), (status = 400, description = "unknown page, item or format (`invalid`)"), (status = 403, description = "the role may not export")), security(("bearer" = [])))]
pub async fn api_export(
    State(state): State<AppState>,
    c: ApiCaller,
    Json(r): Json<ExportRequest>,
) -> Result<Json<serde_json::Value>, AppError> {
    c.require(Permission::Analyze)?;
    let p = PageCtx::anonymous(
        sr360_ui::normalize_locale(&c.user.locale),
        String::new(),
        "/api/v1/reports",
    );
    let actor = c.actor();
    let q = ExportQuery {
        page: r.page,
        view: r.view,
        cohorts: None,
        months: None,
        q: r.q,
    };
    let (rec, _) = export(
        &state,
        &c.scope,
        &p,
        &actor,
        &q,
        r.item.trim(),
        Format::parse(r.format.trim())?,
    )
    .await?;
    Ok(Json(report_json(&rec)))
}

fn report_json(r: &ReportRecord) -> serde_json::Value {
    let mut v = serde_json::to_value(r).unwrap_or_default();
    v["file_name"] = r.file_name().into();
    v["url"] = format!("/api/v1/reports/{}/file", r.id).into();
    v
}

/// The shop's exported reports, newest first.
#[utoipa::path(get, path = "/api/v1/reports", tag = "reports", responses((status = 200, description = "`{reports: [...]}`")), security(("bearer" = [])))]
pub async fn api_list(
    State(state): State<AppState>,
    c: ApiCaller,
) -> Result<Json<serde_json::Value>, AppError> {
    c.require(Permission::ViewAnalytics)?;
    let list = state.meta.reports(&c.scope, 500)?;
    Ok(Json(
        serde_json::json!({ "reports": list.iter().map(report_json).collect::<Vec<_>>() }),
    ))
}

async fn file(state: &AppState, scope: &TenantScope, id: i64) -> Result<Response, AppError> {
    let rec = state
        .meta
        .report(scope, id)?
        .ok_or(AppError::NotFound("report"))?;
    let bytes = state
        .objects
        .get(&rec.object_key)
        .await
        .map_err(AppError::internal)?;
    Ok(attachment(&rec, bytes))
}

pub async fn api_file(
    State(state): State<AppState>,
    c: ApiCaller,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    c.require(Permission::ViewAnalytics)?;
    file(&state, &c.scope, id).await
}

pub async fn download(
    State(state): State<AppState>,
    m: Member,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    m.require(Permission::ViewAnalytics)?;
    file(&state, &m.scope, id).await
}

/// Remove a report; its file goes too unless another report has the same bytes.
pub async fn delete(
    State(state): State<AppState>,
    m: Member,
    Path(id): Path<i64>,
) -> Result<Redirect, AppError> {
    m.require(Permission::Analyze)?;
    let actor = m.actor();
    let (rec, shared) = state
        .meta
        .delete_report(&m.scope, id, &actor)?
        .ok_or(AppError::NotFound("report"))?;
    if !shared {
        state.objects.delete_orphan(&rec.object_key).await;
    }
    Ok(Redirect::to("/reports"))
}

/// The report management page.
pub async fn list_page(State(state): State<AppState>, m: Member) -> Result<Html<String>, AppError> {
    m.require(Permission::ViewAnalytics)?;
    let p = page_ctx(&state, m.ctx(), None);
    let rows = state
        .meta
        .reports(&m.scope, 500)?
        .into_iter()
        .map(|r| ui::ReportRowVm {
            id: r.id,
            file_name: r.file_name(),
            title: r.title.clone(),
            filters: r.filters.clone(),
            format: r.format.to_uppercase(),
            size: format::bytes(p.locale, r.bytes),
            created_by: r.created_by.clone(),
            created_at: r.created_at,
            source: r.source.clone(),
        })
        .collect();
    Ok(Html(ui::reports(
        &p,
        &ui::ReportsVm {
            rows,
            can_edit: m.scope.can(Permission::Analyze),
        },
    )))
}
