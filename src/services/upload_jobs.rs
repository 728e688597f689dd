//! Receiving and processing uploads: the service between the HTTP/CLI edges and the
//! pipeline. A received file is hashed while it streams into the lake ([`super::objects`]:
//! the local file system by default, S3-compatible by configuration), recorded as a queued
//! upload, and
//! processed by the upload worker (`crate::workers`) — one at a time, off the async runtime, all or nothing.

use super::objects::{ObjectError, Objects};
use sr360_core::Entropy;
use sr360_meta::MetaStore;
use sr360_meta::{AuditEvent, MetaError, TenantScope, UploadOutcome, UploadRecord};
use sr360_pipeline::ingest::{IngestOptions, SourceFile, ingest_with_progress};
use sr360_pipeline::mapping::{Mapping, shape_key};
use sr360_warehouse::Warehouses;
use std::path::Path;
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

impl From<ObjectError> for UploadError {
    fn from(e: ObjectError) -> Self {
        use ObjectError as O;
        match e {
            O::TooLarge(n) => Self::TooLarge(n),
            O::Empty => Self::Empty,
            O::Io(e) => Self::Io(e),
            O::Store(e) => Self::Store(e),
        }
    }
}

/// What receiving and loading files needs, borrowed from the application: the meta store,
/// the shops' warehouses, the lake, randomness for scratch names and the reject limit.
#[derive(Clone, Copy)]
pub struct Intake<'a> {
    pub meta: &'a MetaStore,
    pub warehouses: &'a Warehouses,
    pub objects: &'a Objects,
    pub entropy: &'a dyn Entropy,
    pub max_reject_ratio: f64,
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
    intake: &Intake<'_>,
    scope: &TenantScope,
    object_key: &str,
) -> Result<sr360_pipeline::ingest::Preview, UploadError> {
    let wh = intake.warehouses.open(scope)?;
    let work = wh.root().join("tmp").join(format!(
        "preview-{}",
        hex::encode(sr360_core::entropy::random_bytes::<6>(intake.entropy))
    ));
    let result = async {
        let path = intake.objects.local_copy(object_key, &work).await?;
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
        r?.map_err(|e| UploadError::Unreadable(for_the_shop(&e, None)))
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
    intake: &Intake<'_>,
    scope: &TenantScope,
    file_name: &str,
    reader: impl AsyncRead + Unpin,
    max_bytes: u64,
    mapping: Option<&Mapping>,
    confirm: Confirm,
    actor: &AuditEvent,
) -> Result<UploadRecord, UploadError> {
    let random = hex::encode(sr360_core::entropy::random_bytes::<8>(intake.entropy));
    let stored = intake
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
        (None, Confirm::IfNew) => match preview_stored(intake, scope, &key).await.ok() {
            Some(pv) => match intake.meta.saved_mapping(scope, &shape_key(&pv.columns))? {
                Some(saved) => (Some(saved), false),
                None => (Some(to_json(&pv.suggested)?), true),
            },
            // Unreadable files go straight to processing, which reports why.
            None => (None, false),
        },
    };
    let rec = intake.meta.create_upload(
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

pub(crate) fn failed(msg: String) -> UploadOutcome {
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

/// Load one claimed upload from its local file `src`, all or nothing (blocking: call on the
/// blocking pool). Never panics; the outcome says what happened.
pub fn load(intake: &Intake<'_>, rec: &UploadRecord, src: &Path) -> UploadOutcome {
    let Ok(tid) = sr360_core::TenantId::parse(&rec.tenant_id) else {
        return failed("unknown shop".into());
    };
    let scope = match intake.meta.system_scope(&tid) {
        Ok(s) => s,
        Err(e) => return failed(e.to_string()),
    };
    let tenant = match intake.meta.tenant(&tid) {
        Ok(Some(t)) => t,
        _ => return failed("unknown shop".into()),
    };
    let wh = match intake.warehouses.open(&scope) {
        Ok(w) => w,
        Err(e) => {
            tracing::error!(upload = rec.id, error = %e, "cannot open the warehouse for a load");
            return failed(internal(rec.id));
        }
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
        max_reject_ratio: intake.max_reject_ratio,
        // A local store hands over the stored object itself, kept as long as the upload;
        // a remote one a scratch copy fetched for this run.
        source: if intake.objects.is_local() {
            SourceFile::Stored
        } else {
            SourceFile::Scratch
        },
        ..Default::default()
    };
    let meta = intake.meta;
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
                let _ = intake.meta.save_mapping(
                    &scope,
                    &shape_key(&headers),
                    &json,
                    &AuditEvent::system(),
                );
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
        Ok(Err(e)) => failed(for_the_shop(&e, Some(rec.id))),
        Err(e) => {
            tracing::error!(upload = rec.id, error = %e, "warehouse error during a load");
            failed(internal(rec.id))
        }
    }
}

/// What a failed load says to the shop's users (every role sees it): the pipeline's own words
/// for what is wrong with the file, never a database's raw message or a path on the server.
/// The raw error goes to the log with the upload's id.
fn for_the_shop(e: &sr360_pipeline::ingest::IngestError, id: Option<i64>) -> String {
    match e {
        sr360_pipeline::ingest::IngestError::Db(_) => {
            tracing::error!(upload = ?id, error = %e, "database error while reading a file");
            match id {
                Some(id) => internal(id),
                None => "the file could not be read because of an internal error (the server's log has the details)".into(),
            }
        }
        other => without_paths(&other.to_string()),
    }
}

fn internal(id: i64) -> String {
    format!(
        "the file could not be loaded because of an internal error; nothing was changed (upload {id}: the server's log has the details)"
    )
}

/// `text` with every absolute path cut to its file name ("/srv/data/tenants/a/tmp/x.csv" →
/// "x.csv"): a message may quote the file, never where the server keeps it.
pub fn without_paths(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('/') {
        let before = &rest[..at];
        // A path starts at a slash after a space, a quote or the start ("in /srv/…", "'/srv/…").
        let starts = before.is_empty() || before.ends_with([' ', '\'', '"', '(', '=']);
        if !starts {
            out.push_str(&rest[..=at]);
            rest = &rest[at + 1..];
            continue;
        }
        out.push_str(before);
        let tail = &rest[at..];
        let end = tail
            .find(|c: char| c.is_whitespace() || matches!(c, '\'' | '"' | ')' | ',' | ';'))
            .unwrap_or(tail.len());
        let path = &tail[..end];
        out.push_str(path.rsplit('/').next().unwrap_or(""));
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_keep_file_names_and_lose_server_paths() {
        assert_eq!(
            without_paths(
                "Error when sniffing file \"/srv/sr360/data/tenants/a/objects/orders.csv\": bad"
            ),
            "Error when sniffing file \"orders.csv\": bad"
        );
        assert_eq!(
            without_paths("IO Error: No files found that match the pattern /tmp/x/y.parquet"),
            "IO Error: No files found that match the pattern y.parquet"
        );
        assert_eq!(
            without_paths("dates 2025/03/01 and 1/2"),
            "dates 2025/03/01 and 1/2"
        );
    }
    #[test]
    fn file_names_lose_directories_and_controls() {
        assert_eq!(clean_file_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_file_name("C:\\Users\\x\\orders.csv"), "orders.csv");
        assert_eq!(clean_file_name("a\0b\n.csv"), "ab.csv");
        assert_eq!(clean_file_name("../"), "upload");
        assert_eq!(clean_file_name(".hidden"), "hidden");
    }
}
