//! Uploads over HTTP: `POST /api/v1/uploads` (multipart, streamed to disk, 413 up front
//! when the announced size is too large), the upload list and detail, the validation report
//! as CSV, and a Server-Sent Events stream of an upload's progress. Also the upload and
//! upload-history pages.

use super::AppState;
use super::ctx::{ApiCaller, Member};
use super::error::AppError;
use super::pages::page_ctx;
use crate::services::upload_jobs::{Confirm, receive};
use axum::Json;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{Html, IntoResponse, Redirect, Response};
use sr360_core::Permission;
use sr360_meta::{AuditEvent, TenantScope, UploadRecord, UploadStatus};
use sr360_pipeline::mapping::Mapping;
use sr360_ui::pages as ui;
use sr360_views::uploads;
use std::convert::Infallible;
use std::time::Duration;
use tokio_util::io::StreamReader;

fn check_length(state: &AppState, headers: &HeaderMap) -> Result<(), AppError> {
    let announced = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if announced.is_some_and(|n| n > state.config.pipeline.max_upload_bytes) {
        return Err(AppError::PayloadTooLarge);
    }
    Ok(())
}

/// The most a multipart body's non-file part (mapping, confirm) may hold: a mapping is a few
/// kilobytes of JSON; only files are streamed.
const SMALL_PART: usize = 256 * 1024;

/// A non-file part as text, refused once it grows past [`SMALL_PART`] (never read whole).
async fn small_part(
    mut field: axum::extract::multipart::Field<'_>,
    name: &str,
) -> Result<String, AppError> {
    let mut buf = Vec::new();
    while let Some(chunk) = field
        .chunk()
        .await
        .map_err(|e| AppError::Invalid(format!("{name}: {e}")))?
    {
        if buf.len() + chunk.len() > SMALL_PART {
            return Err(AppError::Invalid(format!(
                "the {name} part is larger than {} KB",
                SMALL_PART / 1024
            )));
        }
        buf.extend_from_slice(&chunk);
    }
    String::from_utf8(buf).map_err(|_| AppError::Invalid(format!("{name}: not UTF-8 text")))
}

/// Read every `file` part of a multipart body into uploads. An optional `mapping` part
/// (JSON) applies to the files after it.
async fn receive_parts(
    state: &AppState,
    scope: &TenantScope,
    actor: &AuditEvent,
    mut mp: Multipart,
) -> Result<Vec<UploadRecord>, AppError> {
    let mut out = Vec::new();
    let mut mapping: Option<Mapping> = None;
    let mut confirm = Confirm::Auto;
    while let Some(field) = mp
        .next_field()
        .await
        .map_err(|e| AppError::Invalid(format!("multipart body: {e}")))?
    {
        match field.name() {
            Some("mapping") => {
                let text = small_part(field, "mapping").await?;
                if !text.trim().is_empty() {
                    mapping =
                        Some(serde_json::from_str(&text).map_err(|e| {
                            AppError::Invalid(format!("mapping is not valid: {e}"))
                        })?);
                }
            }
            Some("confirm") => {
                let v = small_part(field, "confirm").await?;
                confirm = if v.trim() == "manual" {
                    Confirm::IfNew
                } else {
                    Confirm::Auto
                };
            }
            Some("file") | Some("files") => {
                let name = field.file_name().unwrap_or("upload").to_string();
                // No wall clock for an upload, but an idle limit: a client that sends nothing
                // for the request timeout loses the upload (nothing is kept of it).
                let idle = std::time::Duration::from_secs(state.config.server.request_timeout_secs);
                let stream = tokio_stream::StreamExt::map(
                    tokio_stream::StreamExt::timeout(field, idle),
                    move |chunk| match chunk {
                        Ok(Ok(bytes)) => Ok(bytes),
                        // The client's body broke off or is malformed: its failure, not ours.
                        Ok(Err(e)) => Err(std::io::Error::new(
                            std::io::ErrorKind::ConnectionAborted,
                            e.to_string(),
                        )),
                        Err(_) => Err(std::io::Error::new(
                            std::io::ErrorKind::TimedOut,
                            format!("no data for {} s", idle.as_secs()),
                        )),
                    },
                );
                let reader = StreamReader::new(Box::pin(stream));
                let rec = receive(
                    &state.intake(),
                    scope,
                    &name,
                    reader,
                    state.config.pipeline.max_upload_bytes,
                    mapping.as_ref(),
                    confirm,
                    actor,
                )
                .await?;
                out.push(rec);
            }
            _ => {}
        }
    }
    if out.is_empty() {
        return Err(AppError::Invalid(
            "no file in the request (send it as the multipart field \"file\")".into(),
        ));
    }
    state.upload_notify.notify_one();
    Ok(out)
}

fn upload_json(r: &UploadRecord) -> serde_json::Value {
    serde_json::json!({
        "id": r.id, "file_name": r.file_name, "status": r.status, "progress": r.progress, "message": r.message,
        "bytes": r.bytes, "blake3": r.content_hash, "entity": r.entity,
        "rows_read": r.rows_read, "rows_accepted": r.rows_accepted, "rows_rejected": r.rows_rejected,
        "error": r.error, "created_at": r.created_at, "finished_at": r.finished_at,
        "links": { "self": format!("/api/v1/uploads/{}", r.id), "mapping": format!("/api/v1/uploads/{}/mapping", r.id), "confirm_page": format!("/uploads/{}/mapping", r.id), "events": format!("/api/v1/uploads/{}/events", r.id), "rejects_csv": format!("/api/v1/uploads/{}/rejects.csv", r.id), "page": format!("/uploads/{}", r.id) },
    })
}

pub async fn api_create(
    State(state): State<AppState>,
    headers: HeaderMap,
    c: ApiCaller,
    mp: Multipart,
) -> Result<Response, AppError> {
    c.require(Permission::Analyze)?;
    check_length(&state, &headers)?;
    let actor = c.actor();
    let recs = receive_parts(&state, &c.scope, &actor, mp).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(serde_json::json!({ "uploads": recs.iter().map(upload_json).collect::<Vec<_>>() })),
    )
        .into_response())
}

pub async fn api_list(
    State(state): State<AppState>,
    c: ApiCaller,
) -> Result<Json<serde_json::Value>, AppError> {
    c.require(Permission::ViewAnalytics)?;
    let list = state.meta.uploads(&c.scope, 200)?;
    Ok(Json(
        serde_json::json!({ "uploads": list.iter().map(upload_json).collect::<Vec<_>>() }),
    ))
}

pub async fn api_get(
    State(state): State<AppState>,
    c: ApiCaller,
    Path(id): Path<i64>,
) -> Result<Json<serde_json::Value>, AppError> {
    c.require(Permission::ViewAnalytics)?;
    let r = state
        .meta
        .upload(&c.scope, id)?
        .ok_or(AppError::NotFound("upload"))?;
    let mut v = upload_json(&r);
    v["report"] = r
        .report
        .as_deref()
        .and_then(|x| serde_json::from_str(x).ok())
        .unwrap_or(serde_json::Value::Null);
    Ok(Json(v))
}

/// A cell that a spreadsheet would run as a formula gets a leading apostrophe.
pub fn neutralize_formula(v: &str) -> String {
    if v.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{v}")
    } else {
        v.to_string()
    }
}

pub async fn rejects_csv(
    State(state): State<AppState>,
    c: ApiCaller,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    c.require(Permission::ViewAnalytics)?;
    let r = state
        .meta
        .upload(&c.scope, id)?
        .ok_or(AppError::NotFound("upload"))?;
    let report: serde_json::Value = r
        .report
        .as_deref()
        .and_then(|x| serde_json::from_str(x).ok())
        .unwrap_or_default();
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["line", "column", "value", "reason"])
        .map_err(AppError::internal)?;
    for rj in report["rejects"].as_array().into_iter().flatten() {
        let cells = [
            rj["line"].to_string(),
            rj["column"].as_str().unwrap_or("").to_string(),
            rj["value"].as_str().unwrap_or("").to_string(),
            rj["reason"].as_str().unwrap_or("").to_string(),
        ];
        w.write_record(cells.iter().map(|x| neutralize_formula(x)))
            .map_err(AppError::internal)?;
    }
    let body = w.into_inner().map_err(AppError::internal)?;
    let name = format!("attachment; filename=\"upload-{id}-rejects.csv\"");
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, name),
        ],
        body,
    )
        .into_response())
}

/// Progress as Server-Sent Events: one `progress` event per change, `done` at the end.
pub async fn events(
    State(state): State<AppState>,
    c: ApiCaller,
    Path(id): Path<i64>,
) -> Result<Sse<impl futures::Stream<Item = Result<Event, Infallible>>>, AppError> {
    c.require(Permission::ViewAnalytics)?;
    state
        .meta
        .upload(&c.scope, id)?
        .ok_or(AppError::NotFound("upload"))?;
    let scope = c.scope.clone();
    let stopping = state.stopping.clone().cancelled_owned();
    let stream = futures::stream::unfold(
        (state, scope, None::<(UploadStatus, i64)>, false),
        move |(state, scope, last, done)| async move {
            if done {
                return None;
            }
            loop {
                let rec = match state.meta.upload(&scope, id) {
                    Ok(Some(r)) => r,
                    _ => {
                        return Some((
                            Ok(Event::default().event("error").data("upload not found")),
                            (state, scope, last, true),
                        ));
                    }
                };
                let key = (rec.status, (rec.progress * 1000.0) as i64);
                let finished = !matches!(rec.status, UploadStatus::Queued | UploadStatus::Running);
                if last.as_ref() != Some(&key) || finished {
                    let ev = Event::default()
                        .event(if finished { "done" } else { "progress" })
                        .data(upload_json(&rec).to_string());
                    return Some((Ok(ev), (state, scope, Some(key), finished)));
                }
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
        },
    );
    // A stopping server ends the stream (the page reconnects to the next one).
    let stream = futures::StreamExt::take_until(stream, stopping);
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}

// ---- pages ----

pub async fn upload_page(
    State(state): State<AppState>,
    m: Member,
) -> Result<Html<String>, AppError> {
    m.require(Permission::Analyze)?;
    let p = page_ctx(&state, m.ctx(), None);
    Ok(Html(ui::upload(&p, state.config.pipeline.max_upload_bytes)))
}

/// The form fallback without JavaScript: multipart POST, then the history page.
pub async fn upload_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    m: Member,
    mp: Multipart,
) -> Result<Redirect, AppError> {
    m.require(Permission::Analyze)?;
    check_length(&state, &headers)?;
    let actor = m.actor();
    receive_parts(&state, &m.scope, &actor, mp).await?;
    Ok(Redirect::to("/uploads"))
}

pub async fn history(
    State(state): State<AppState>,
    m: Member,
    axum::extract::Query(fq): axum::extract::Query<super::pages::FlashQuery>,
) -> Result<Html<String>, AppError> {
    m.require(Permission::ViewAnalytics)?;
    let p = page_ctx(&state, m.ctx(), fq.m.as_deref());
    let rows: Vec<ui::UploadRowVm> = state
        .meta
        .uploads(&m.scope, 200)?
        .iter()
        .map(uploads::row)
        .collect();
    Ok(Html(ui::upload_history(&p, &rows)))
}

pub async fn detail(
    State(state): State<AppState>,
    m: Member,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    m.require(Permission::ViewAnalytics)?;
    let r = state
        .meta
        .upload(&m.scope, id)?
        .ok_or(AppError::NotFound("upload"))?;
    if r.status == UploadStatus::Pending && m.scope.can(Permission::Analyze) {
        return Ok(Redirect::to(&format!("/uploads/{id}/mapping")).into_response());
    }
    let d = uploads::Detail::from_report(r.report.as_deref());
    let p = page_ctx(&state, m.ctx(), None);
    Ok(Html(ui::upload_detail(
        &p,
        &uploads::row(&r),
        &d.mapping,
        &d.rejects,
        &d.enabled,
        d.loaded.as_ref(),
    ))
    .into_response())
}

// ---- confirming the mapping ----

fn parse_mapping(json: Option<&str>) -> Option<Mapping> {
    json.and_then(|m| serde_json::from_str(m).ok())
}

/// The columns of a pending upload's file, read again from the stored object.
async fn pending_columns(
    state: &AppState,
    scope: &TenantScope,
    r: &UploadRecord,
) -> Result<(Vec<String>, Vec<Vec<String>>), AppError> {
    let pv =
        crate::services::upload_jobs::preview_stored(&state.intake(), scope, &r.object_key).await?;
    Ok((pv.columns, pv.sample))
}

async fn confirm(
    state: &AppState,
    scope: &TenantScope,
    id: i64,
    m: Mapping,
    actor: &AuditEvent,
) -> Result<(), AppError> {
    let r = state
        .meta
        .upload(scope, id)?
        .ok_or(AppError::NotFound("upload"))?;
    if r.status != UploadStatus::Pending {
        return Err(AppError::Conflict("a confirmed mapping for this upload"));
    }
    let (columns, _) = pending_columns(state, scope, &r).await?;
    let m = m.for_columns(&columns).map_err(AppError::Invalid)?;
    let json = serde_json::to_string(&m).map_err(AppError::internal)?;
    state.meta.confirm_upload(scope, id, &json, actor)?;
    state.meta.save_mapping(
        scope,
        &sr360_pipeline::mapping::shape_key(&columns),
        &json,
        actor,
    )?;
    state.upload_notify.notify_one();
    Ok(())
}

pub async fn api_confirm(
    State(state): State<AppState>,
    c: ApiCaller,
    Path(id): Path<i64>,
    body: Result<Json<Mapping>, axum::extract::rejection::JsonRejection>,
) -> Result<StatusCode, AppError> {
    c.require(Permission::Analyze)?;
    let Json(m) = body.map_err(|e| AppError::Invalid(format!("mapping: {}", e.body_text())))?;
    confirm(&state, &c.scope, id, m, &c.actor()).await?;
    Ok(StatusCode::ACCEPTED)
}

/// Drop an upload still waiting for its mapping, and its stored file unless another upload
/// has the same bytes.
async fn discard(
    state: &AppState,
    scope: &TenantScope,
    id: i64,
    actor: &AuditEvent,
) -> Result<(), AppError> {
    if let Some(key) = state.meta.discard_upload(scope, id, actor)? {
        state.objects.delete_orphan(&key).await;
    }
    Ok(())
}

/// The mapping page's "Discard this file".
pub async fn discard_form(
    State(state): State<AppState>,
    m: Member,
    Path(id): Path<i64>,
) -> Result<Redirect, AppError> {
    m.require(Permission::Analyze)?;
    let actor = m.actor();
    discard(&state, &m.scope, id, &actor).await?;
    Ok(Redirect::to("/uploads?m=upload_discarded"))
}

/// `DELETE /api/v1/uploads/{id}`: discard a pending upload (204); there is no pending upload
/// of that id (404) when it is loading, loaded or unknown, and it stays.
pub async fn api_discard(
    State(state): State<AppState>,
    c: ApiCaller,
    Path(id): Path<i64>,
) -> Result<StatusCode, AppError> {
    c.require(Permission::Analyze)?;
    let actor = c.actor();
    discard(&state, &c.scope, id, &actor).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The mapping page for an entity, the chosen columns and the file's columns with examples.
#[allow(clippy::too_many_arguments)]
fn mapping_html(
    p: &sr360_ui::PageCtx,
    id: i64,
    file: &str,
    entity: sr360_pipeline::mapping::Entity,
    chosen: &std::collections::BTreeMap<String, String>,
    columns: &[String],
    sample: &[Vec<String>],
    evidence: &ui::MappingEvidenceVm,
) -> String {
    let fields = uploads::mapping_fields(entity, chosen);
    let samples = uploads::samples(columns, sample);
    ui::upload_mapping(p, id, file, entity.key(), &fields, &samples, evidence)
}

pub async fn mapping_page(
    State(state): State<AppState>,
    m: Member,
    Path(id): Path<i64>,
    axum::extract::Query(q): axum::extract::Query<EntityQuery>,
) -> Result<Response, AppError> {
    m.require(Permission::Analyze)?;
    let r = state
        .meta
        .upload(&m.scope, id)?
        .ok_or(AppError::NotFound("upload"))?;
    if r.status != UploadStatus::Pending {
        return Ok(Redirect::to(&format!("/uploads/{id}")).into_response());
    }
    let (columns, sample) = pending_columns(&state, &m.scope, &r).await?;
    let mut suggestion = parse_mapping(r.mapping.as_deref())
        .unwrap_or_else(|| sr360_pipeline::mapping::suggest(&columns, &sample));
    if let Some(e) = q.entity.as_deref().and_then(|e| {
        serde_json::from_value::<sr360_pipeline::mapping::Entity>(serde_json::json!(e)).ok()
    }) && e != suggestion.entity
    {
        // Another kind chosen: suggest again within that kind.
        suggestion = sr360_pipeline::mapping::suggest_for(e, &columns, &sample);
    }
    let p = page_ctx(&state, m.ctx(), None);
    Ok(Html(mapping_html(
        &p,
        id,
        &r.file_name,
        suggestion.entity,
        &suggestion.fields,
        &columns,
        &sample,
        &uploads::evidence(&suggestion),
    ))
    .into_response())
}

#[derive(serde::Deserialize, Default)]
pub struct EntityQuery {
    entity: Option<String>,
}

pub async fn mapping_submit(
    State(state): State<AppState>,
    m: Member,
    Path(id): Path<i64>,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    m.require(Permission::Analyze)?;
    let entity = form
        .iter()
        .find(|(k, _)| k == "entity")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let entity: sr360_pipeline::mapping::Entity = serde_json::from_value(serde_json::json!(entity))
        .map_err(|_| AppError::Invalid("unknown kind of data".into()))?;
    let fields = form
        .iter()
        .filter_map(|(k, v)| k.strip_prefix("f.").map(|f| (f.to_string(), v.clone())))
        .collect();
    let mapping = Mapping {
        entity,
        fields,
        unmapped: vec![],
        missing_required: vec![],
        confidence: 1.0,
        why: vec![],
        candidates: vec![],
        met: vec![],
    };
    let actor = m.actor();
    match confirm(&state, &m.scope, id, mapping, &actor).await {
        Ok(()) => Ok(Redirect::to(&format!("/uploads/{id}")).into_response()),
        Err(AppError::Invalid(msg)) => {
            let r = state
                .meta
                .upload(&m.scope, id)?
                .ok_or(AppError::NotFound("upload"))?;
            let (columns, sample) = pending_columns(&state, &m.scope, &r).await?;
            let chosen: std::collections::BTreeMap<String, String> = form
                .iter()
                .filter_map(|(k, v)| k.strip_prefix("f.").map(|f| (f.to_string(), v.clone())))
                .collect();
            let mut p = page_ctx(&state, m.ctx(), None);
            p.flash = Some(sr360_ui::Flash::error(msg));
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                Html(mapping_html(
                    &p,
                    id,
                    &r.file_name,
                    entity,
                    &chosen,
                    &columns,
                    &sample,
                    &ui::MappingEvidenceVm::default(),
                )),
            )
                .into_response())
        }
        Err(e) => Err(e),
    }
}
