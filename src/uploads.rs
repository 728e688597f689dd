//! Receiving and processing uploads: the service between the HTTP/CLI edges and the
//! pipeline. A received file is hashed while it streams into the lake ([`crate::objects`]:
//! the local file system by default, S3-compatible by configuration), recorded as a queued
//! upload, and
//! processed by the worker — one at a time, off the async runtime, all or nothing.

use crate::app::App;
use sr360_meta::{AuditEvent, MetaError, TenantScope, UploadOutcome, UploadRecord};
use sr360_pipeline::ingest::{IngestOptions, SourceFile, ingest_with_progress};
use sr360_pipeline::mapping::{Mapping, shape_key};
use std::path::Path;
use std::sync::Arc;
use tokio::io::AsyncRead;

#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    #[error("the file is larger than the limit of {0} bytes")]
    TooLarge(u64),
    #[error("the file is empty")]
    Empty,
    #[error("i/o: {0}")]
    Io(#[from] std::io::Error),
    #[error("object store: {0}")]
    Store(#[from] object_store::Error),
    #[error("{0}")]
    Meta(#[from] MetaError),
    #[error("warehouse: {0}")]
    Warehouse(#[from] sr360_warehouse::WarehouseError),
    #[error("{0}")]
    Unreadable(String),
}

impl From<crate::objects::ObjectError> for UploadError {
    fn from(e: crate::objects::ObjectError) -> Self {
        use crate::objects::ObjectError as O;
        match e {
            O::TooLarge(n) => Self::TooLarge(n),
            O::Empty => Self::Empty,
            O::Io(e) => Self::Io(e),
            O::Store(e) => Self::Store(e),
        }
    }
}

/// A file name fit for display and logs: no directories, no control characters.
pub fn clean_file_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control())
        .collect::<String>()
        .trim()
        .trim_start_matches('.')
        .chars()
        .take(200)
        .collect();
    if cleaned.is_empty() {
        "upload".into()
    } else {
        cleaned
    }
}

/// When a file's column mapping is shown to the merchant before loading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Confirm {
    /// Load with the given, saved or suggested mapping (scripts, `--yes`).
    Auto,
    /// Ask when this shape of file has no saved mapping yet (the upload page).
    IfNew,
}

/// Read the first rows of a stored object and suggest a mapping (nothing is changed). Runs
/// on a reader connection, so it never waits for an ingest of the same shop.
pub async fn preview_stored(
    app: &Arc<App>,
    scope: &TenantScope,
    object_key: &str,
) -> Result<sr360_pipeline::ingest::Preview, UploadError> {
    let wh = app.warehouses.open(scope)?;
    let work = wh.root().join("tmp").join(format!(
        "preview-{}",
        hex::encode(sr360_core::entropy::random_bytes::<6>(&*app.entropy))
    ));
    let result = async {
        let path = app.objects.local_copy(object_key, &work).await?;
        let (wh, work) = (wh.clone(), work.clone());
        let r = tokio::task::spawn_blocking(move || {
            wh.with_reader(|c| {
                Ok(sr360_pipeline::ingest::preview(
                    c,
                    &path,
                    &work.join("prepared"),
                    &sr360_pipeline::Limits::default(),
                ))
            })
        })
        .await
        .map_err(|e| UploadError::Io(std::io::Error::other(e)))?;
        r?.map_err(|e| UploadError::Unreadable(e.to_string()))
    }
    .await;
    let _ = tokio::fs::remove_dir_all(&work).await;
    result
}

/// Receive a file from `reader`, refusing more than `max_bytes`. Returns the upload row:
/// `queued`, `pending` (waiting for the merchant to confirm the mapping) or `duplicate`.
#[tracing::instrument(skip_all, fields(file = file_name))]
#[allow(clippy::too_many_arguments)]
pub async fn receive(
    app: &Arc<App>,
    scope: &TenantScope,
    file_name: &str,
    reader: impl AsyncRead + Unpin,
    max_bytes: u64,
    mapping: Option<&Mapping>,
    confirm: Confirm,
    actor: &AuditEvent,
) -> Result<UploadRecord, UploadError> {
    let random = hex::encode(sr360_core::entropy::random_bytes::<8>(&*app.entropy));
    let stored = app
        .objects
        .put(scope.tenant(), &random, reader, max_bytes)
        .await?;
    let key = stored.key;
    let to_json = |m: &Mapping| {
        serde_json::to_string(m).map_err(|e| UploadError::Io(std::io::Error::other(e)))
    };
    let (mapping_json, pending) = match (mapping, confirm) {
        (Some(m), _) => (Some(to_json(m)?), false),
        (None, Confirm::Auto) => (None, false),
        (None, Confirm::IfNew) => match preview_stored(app, scope, &key).await.ok() {
            Some(pv) => match app.meta.saved_mapping(scope, &shape_key(&pv.columns))? {
                Some(saved) => (Some(saved), false),
                None => (Some(to_json(&pv.suggested)?), true),
            },
            // Unreadable files go straight to processing, which reports why.
            None => (None, false),
        },
    };
    let rec = app.meta.create_upload(
        scope,
        &clean_file_name(file_name),
        &stored.hash,
        &key,
        stored.bytes as i64,
        mapping_json.as_deref(),
        pending,
        actor,
    )?;
    Ok(rec)
}

/// Process one claimed upload; never panics, always finishes the row.
pub async fn process(app: &Arc<App>, rec: UploadRecord) {
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
                &failed(
                    "the stored file could not be read from the object store; try again later"
                        .into(),
                ),
            );
            return;
        }
    };
    let outcome = tokio::task::spawn_blocking(move || run(&app2, &rec, &src))
        .await
        .unwrap_or_else(|e| UploadOutcome {
            succeeded: false,
            entity: None,
            mapping: None,
            rows_read: 0,
            rows_accepted: 0,
            rows_rejected: 0,
            error: Some(format!("internal error: {e}")),
            report: None,
        });
    let _ = tokio::fs::remove_dir_all(&fetch_dir).await;
    if let Err(e) = app.meta.finish_upload(&t, id, &outcome) {
        tracing::error!(upload = id, error = %e, "cannot record the end of an upload");
    }
    tracing::info!(upload = id, tenant = %tenant, ok = outcome.succeeded, rows = outcome.rows_accepted, "upload processed");
}

fn failed(msg: String) -> UploadOutcome {
    UploadOutcome {
        succeeded: false,
        entity: None,
        mapping: None,
        rows_read: 0,
        rows_accepted: 0,
        rows_rejected: 0,
        error: Some(msg),
        report: None,
    }
}

fn run(app: &Arc<App>, rec: &UploadRecord, src: &Path) -> UploadOutcome {
    let Ok(tid) = sr360_core::TenantId::parse(&rec.tenant_id) else {
        return failed("unknown shop".into());
    };
    let scope = match app.meta.system_scope(&tid) {
        Ok(s) => s,
        Err(e) => return failed(e.to_string()),
    };
    let tenant = match app.meta.tenant(&tid) {
        Ok(Some(t)) => t,
        _ => return failed("unknown shop".into()),
    };
    let wh = match app.warehouses.open(&scope) {
        Ok(w) => w,
        Err(e) => return failed(format!("warehouse: {e}")),
    };
    let work = wh.root().join("tmp").join(format!("upload-{}", rec.id));
    let mapping: Option<Mapping> = rec
        .mapping
        .as_deref()
        .and_then(|m| serde_json::from_str(m).ok());
    let opts = IngestOptions {
        upload_id: rec.id,
        tz: tenant.timezone.clone(),
        currency: tenant.currency.clone(),
        mapping,
        max_reject_ratio: app.config.pipeline.max_reject_ratio,
        // A local store hands over the stored object itself, kept as long as the upload;
        // a remote one a scratch copy fetched for this run.
        source: if app.objects.is_local() {
            SourceFile::Stored
        } else {
            SourceFile::Scratch
        },
        ..Default::default()
    };
    let meta = app.meta.clone();
    let id = rec.id;
    let progress = move |p: f64, m: &str| {
        let _ = meta.set_upload_progress(id, p, m);
    };
    let result = wh.with_conn(|c| Ok(ingest_with_progress(c, src, &work, &opts, &progress)));
    let _ = std::fs::remove_dir_all(&work);
    match result {
        Ok(Ok(r)) => {
            // Remember the mapping for the next file of this shape.
            let mut headers: Vec<String> = r.mapping.fields.values().cloned().collect();
            headers.extend(r.mapping.unmapped.iter().cloned());
            headers.sort();
            headers.dedup();
            if let Ok(json) = serde_json::to_string(&r.mapping) {
                let _ =
                    app.meta
                        .save_mapping(&scope, &shape_key(&headers), &json, &AuditEvent::cli());
            }
            UploadOutcome {
                succeeded: true,
                entity: Some(r.mapping.entity.key().to_string()),
                mapping: serde_json::to_string(&r.mapping).ok(),
                rows_read: r.rows_read as i64,
                rows_accepted: r.accepted as i64,
                rows_rejected: r.rejects.len() as i64,
                error: None,
                report: serde_json::to_string(&r).ok(),
            }
        }
        Ok(Err(e)) => failed(e.to_string()),
        Err(e) => failed(format!("warehouse: {e}")),
    }
}

/// The background worker: requeues interrupted uploads at start, then processes queued
/// ones as they come (woken by `notify`, and every few seconds).
pub async fn worker(app: Arc<App>, notify: Arc<tokio::sync::Notify>) {
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
                process(&app, rec).await;
                continue;
            }
            Ok(None) => {}
            Err(e) => tracing::error!(error = %e, "cannot claim an upload"),
        }
        let _ = tokio::time::timeout(std::time::Duration::from_secs(5), notify.notified()).await;
    }
}

/// Process everything queued now and return (CLI, demo, tests).
pub async fn drain(app: &Arc<App>) -> Result<usize, UploadError> {
    let mut n = 0;
    while let Some(rec) = app.meta.claim_upload()? {
        process(app, rec).await;
        n += 1;
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn file_names_lose_directories_and_controls() {
        assert_eq!(clean_file_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_file_name("C:\\Users\\x\\orders.csv"), "orders.csv");
        assert_eq!(clean_file_name("a\0b\n.csv"), "ab.csv");
        assert_eq!(clean_file_name("../"), "upload");
        assert_eq!(clean_file_name(".hidden"), "hidden");
    }
}
