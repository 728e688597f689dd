//! The background workers: the upload queue and the model-run queue in `meta.sqlite`, each
//! taken one job at a time and done on the blocking pool through the services, so every job
//! ends with its row finished (never a panic). Started by `server::serve`; `drain_*` runs
//! what is queued now and returns (CLI, demo, tests). A job interrupted by a stop is queued
//! again at the next start.

use crate::app::App;
use crate::services::upload_jobs::{self, UploadError};
use crate::services::{model_runner, shop_search};
use sr360_meta::{ModelRun, UploadRecord};
use std::sync::Arc;
use std::time::Instant;

/// Process one claimed upload; never panics, always finishes the row.
async fn process_upload(app: &Arc<App>, rec: UploadRecord) {
    let id = rec.id;
    let tenant = rec.tenant_id.clone();
    let app2 = app.clone();
    let Ok(t) = sr360_core::TenantId::parse(&tenant) else {
        return;
    };
    // A remote object is fetched next to the shop's warehouse first (DuckDB reads local files).
    let fetch_dir = app
        .warehouses
        .tenant_dir(&t)
        .join("tmp")
        .join(format!("object-{id}"));
    let src = match app.objects.local_copy(&rec.object_key, &fetch_dir).await {
        Ok(p) => p,
        Err(e) => {
            tracing::error!(upload = id, error = %e, "cannot read the stored object");
            let _ = tokio::fs::remove_dir_all(&fetch_dir).await;
            let _ = app.meta.finish_upload(
                &t,
                id,
                &upload_jobs::failed(
                    "the stored file could not be read from the object store; try again later"
                        .into(),
                ),
            );
            return;
        }
    };
    let outcome =
        tokio::task::spawn_blocking(move || upload_jobs::load(&app2.intake(), &rec, &src))
            .await
            .unwrap_or_else(|e| upload_jobs::failed(format!("internal error: {e}")));
    let _ = tokio::fs::remove_dir_all(&fetch_dir).await;
    if let Err(e) = app.meta.finish_upload(&t, id, &outcome) {
        tracing::error!(upload = id, error = %e, "cannot record the end of an upload");
    }
    tracing::info!(upload = id, tenant = %tenant, ok = outcome.succeeded, rows = outcome.rows_accepted, "upload processed");
}

/// The background worker: requeues interrupted uploads at start, then processes queued
/// ones as they come (woken by `notify`, and every few seconds).
pub async fn upload_worker(app: Arc<App>, notify: Arc<tokio::sync::Notify>) {
    match app.meta.requeue_interrupted_uploads(None) {
        Ok(n) if n > 0 => tracing::warn!(
            uploads = n,
            "uploads interrupted by a stop were queued again"
        ),
        Ok(_) => {}
        Err(e) => tracing::error!(error = %e, "cannot requeue interrupted uploads"),
    }
    loop {
        match app.meta.claim_upload() {
            Ok(Some(rec)) => {
                process_upload(&app, rec).await;
                continue;
            }
            Ok(None) => {}
            Err(e) => tracing::error!(error = %e, "cannot claim an upload"),
        }
        let _ = tokio::time::timeout(std::time::Duration::from_secs(5), notify.notified()).await;
    }
}

/// Process everything queued now and return (CLI, demo, tests).
pub async fn drain_uploads(app: &Arc<App>) -> Result<usize, UploadError> {
    let mut n = 0;
    while let Some(rec) = app.meta.claim_upload()? {
        process_upload(app, rec).await;
        n += 1;
    }
    Ok(n)
}

/// Process one queued upload by id, if it is still queued (the command line's own upload).
pub async fn run_upload(app: &Arc<App>, id: i64) -> Result<bool, UploadError> {
    match app.meta.claim_upload_id(id)? {
        Some(rec) => {
            process_upload(app, rec).await;
            Ok(true)
        }
        None => Ok(false),
    }
}

async fn process_model_run(app: &Arc<App>, rec: ModelRun) {
    let Ok(tid) = sr360_core::TenantId::parse(&rec.tenant_id) else {
        return;
    };
    let (app2, id, tid2) = (app.clone(), rec.id, tid.clone());
    let outcome = tokio::task::spawn_blocking(move || {
        let outcome = model_runner::run(app2.stores(), &rec);
        // The search index follows the same data, whatever the models made of it.
        match app2
            .meta
            .system_scope(&tid2)
            .map_err(|e| shop_search::ShopSearchError::Data(e.to_string()))
            .and_then(|scope| shop_search::refresh(&app2.searches, app2.stores(), &scope))
        {
            Ok(s) => tracing::info!(tenant = %tid2, documents = s.documents, added = s.added, changed = s.changed, removed = s.removed, embedded = s.embedded, "search index updated"),
            Err(e) => tracing::error!(tenant = %tid2, error = %e, "cannot update the search index"),
        }
        outcome
    })
    .await
    .unwrap_or_else(|e| model_runner::failed(format!("internal error: {e}")));
    if let Err(e) = app.meta.finish_model_run(&tid, id, &outcome) {
        tracing::error!(run = id, error = %e, "cannot record the end of a model run");
    }
    tracing::info!(run = id, tenant = %tid, ok = outcome.succeeded, error = ?outcome.error, "model run finished");
}

/// The background worker: requeues interrupted runs at start, then takes queued ones one at
/// a time, and queues the daily refresh.
pub async fn model_worker(app: Arc<App>) {
    if let Err(e) = app.meta.requeue_interrupted_model_runs() {
        tracing::error!(error = %e, "cannot requeue interrupted model runs");
    }
    let mut last_schedule = Instant::now() - std::time::Duration::from_secs(3600);
    loop {
        if last_schedule.elapsed().as_secs() >= 600 {
            last_schedule = Instant::now();
            if let Err(e) = app.meta.schedule_model_runs(model_runner::SCHEDULE_SECS) {
                tracing::warn!(error = %e, "cannot schedule model runs");
            }
        }
        match app.meta.claim_model_run() {
            Ok(Some(rec)) => {
                process_model_run(&app, rec).await;
                continue;
            }
            Ok(None) => {}
            Err(e) => tracing::error!(error = %e, "cannot claim a model run"),
        }
        tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    }
}

/// Run everything queued now and return (CLI, demo, tests).
pub async fn drain_model_runs(app: &Arc<App>) -> Result<usize, sr360_meta::MetaError> {
    let mut n = 0;
    while let Some(rec) = app.meta.claim_model_run()? {
        process_model_run(app, rec).await;
        n += 1;
    }
    Ok(n)
}
