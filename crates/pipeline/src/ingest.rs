//! One file through the whole pipeline, all or nothing: prepare → bronze → mapping → silver
//! → gold, the changed silver and gold tables written as shadow tables and published in one
//! short transaction ([`crate::shadow`]). Any failure (or a kill) leaves silver and gold as
//! they were; a reject ratio above the limit fails the upload the same way.

use crate::bronze::{self, BronzeError, Reject};
use crate::gold::{self, Enabled};
use crate::mapping::{self, Mapping};
use crate::prepare::{self, Limits, PrepareError, Prepared};
use crate::shadow::{self, Shadow};
use crate::silver::{self, SilverError};
use crate::sniff::Format;
use duckdb::Connection;
use serde::Serialize;
use std::path::Path;

/// What the file given to [`ingest`] is: whether it may be read where it lies, and kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SourceFile {
    /// Any file: prepared into a copy next to the loader first.
    #[default]
    Foreign,
    /// A scratch copy inside the database's directory, removed after the ingest: read in
    /// place when it needs no change.
    Scratch,
    /// The upload's stored object inside the database's directory, kept as long as the
    /// upload: read in place, and the raw table may be a view over it.
    Stored,
}

#[derive(Debug, Clone)]
pub struct IngestOptions {
    pub upload_id: i64,
    /// The shop's time zone, for timestamps without an offset.
    pub tz: String,
    /// The shop's currency, for rows that name none.
    pub currency: String,
    /// Above this share of rejected rows the upload fails.
    pub max_reject_ratio: f64,
    /// A confirmed mapping; None takes the suggestion.
    pub mapping: Option<Mapping>,
    pub limits: Limits,
    /// What the file handed to the ingest is: whether it may be read in place and kept.
    pub source: SourceFile,
}

impl Default for IngestOptions {
    fn default() -> Self {
        Self {
            upload_id: 1,
            tz: "UTC".into(),
            currency: "USD".into(),
            max_reject_ratio: 0.2,
            mapping: None,
            limits: Limits::default(),
            source: SourceFile::Foreign,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct IngestReport {
    pub format: String,
    pub encoding: String,
    pub gzip: bool,
    pub mapping: Mapping,
    pub rows_read: u64,
    pub accepted: u64,
    pub rejects: Vec<Reject>,
    pub enabled: Enabled,
    /// What was loaded, in numbers and in words.
    pub summary: crate::summary::Summary,
}

#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("{0}")]
    Prepare(#[from] PrepareError),
    #[error("{0}")]
    Bronze(#[from] BronzeError),
    #[error("{0}")]
    Silver(#[from] SilverError),
    #[error("database: {0}")]
    Db(#[from] duckdb::Error),
    #[error(
        "{rejected} of {read} rows ({pct:.1}%) could not be read, more than the allowed {limit:.0}%; nothing was changed. First problem: line {line}: {reason}"
    )]
    TooManyRejects {
        rejected: u64,
        read: u64,
        pct: f64,
        limit: f64,
        line: u64,
        reason: String,
    },
    #[error("the file has no data rows")]
    NoRows,
    /// The suggested kind is weak or close to another: a person must confirm the mapping.
    #[error("{0}")]
    Unsure(String),
}

fn bronze_sample(
    conn: &Connection,
    qualified: &str,
    columns: &[String],
) -> Result<Vec<Vec<String>>, duckdb::Error> {
    let cols = columns
        .iter()
        .map(|c| {
            format!(
                "coalesce(CAST({} AS VARCHAR), '')",
                crate::sqlexpr::ident(c)
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    let mut st = conn.prepare(&format!("SELECT {cols} FROM {qualified} LIMIT 200"))?;
    let n = columns.len();
    let rows = st
        .query_map([], |r| {
            (0..n)
                .map(|i| r.get::<_, String>(i))
                .collect::<Result<Vec<_>, _>>()
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// What a file looks like before it is loaded.
#[derive(Debug, Clone)]
pub struct Preview {
    pub prepared: Prepared,
    pub suggested: Mapping,
    pub columns: Vec<String>,
    pub sample: Vec<Vec<String>>,
}

/// Bytes of a file read for a preview: a thousand rows of a wide export fit many times.
const PREVIEW_BYTES: u64 = 4 << 20;

/// Prepare the start of `src` (in `work_dir`) and suggest a mapping without changing
/// anything: the first rows go to a temp table of `conn`, so a reader connection will do.
pub fn preview(
    conn: &Connection,
    src: &Path,
    work_dir: &Path,
    limits: &Limits,
) -> Result<Preview, IngestError> {
    let p = prepare::prepare_head(src, work_dir, limits, PREVIEW_BYTES)?;
    let result = (|| {
        let b = bronze::load_limited(conn, &p, bronze::Target::Temp("preview"), Some(1000))?;
        let rows = bronze_sample(conn, "temp.preview", &b.columns)?;
        Ok::<_, IngestError>((b.columns, rows))
    })();
    conn.execute_batch("DROP TABLE IF EXISTS temp.preview")?;
    let (columns, rows) = result?;
    let suggested = mapping::suggest(&columns, &rows);
    Ok(Preview {
        prepared: p,
        suggested,
        columns,
        sample: rows,
    })
}

pub fn ingest(
    conn: &Connection,
    src: &Path,
    work_dir: &Path,
    o: &IngestOptions,
) -> Result<IngestReport, IngestError> {
    ingest_with_progress(conn, src, work_dir, o, &|_, _| {})
}

/// Steps reported to `progress` as (share done, what is happening).
pub fn ingest_with_progress(
    conn: &Connection,
    src: &Path,
    work_dir: &Path,
    o: &IngestOptions,
    progress: &dyn Fn(f64, &str),
) -> Result<IngestReport, IngestError> {
    progress(0.05, "reading the file");
    let t = std::time::Instant::now();
    let p = match o.source {
        SourceFile::Foreign => prepare::prepare(src, work_dir, &o.limits)?,
        SourceFile::Scratch | SourceFile::Stored => {
            prepare::prepare_in_place(src, work_dir, &o.limits)?
        }
    };
    tracing::info!(
        ms = t.elapsed().as_millis() as u64,
        step = "prepare",
        "ingest step"
    );
    // Next versions left by a failed or killed run are never published: drop them.
    shadow::clear(conn)?;
    let shadow = Shadow::default();
    let table = format!("upload_{}", o.upload_id);
    let result = run(conn, &p, o, &table, &shadow, progress).and_then(|r| {
        let t = std::time::Instant::now();
        shadow.publish(conn)?;
        tracing::info!(
            ms = t.elapsed().as_millis() as u64,
            step = "publish",
            "ingest step"
        );
        Ok(r)
    });
    // The staging tables live in memory; a long-running server should not keep them.
    if let Err(e) = conn.execute_batch(&format!("DROP VIEW IF EXISTS temp.stage; DROP TABLE IF EXISTS temp.stage_all; DROP TABLE IF EXISTS temp.ck_email; DROP TABLE IF EXISTS temp.ck_id; DROP VIEW IF EXISTS temp.sale; DROP TABLE IF EXISTS temp.status_map; DROP TABLE IF EXISTS temp.order_class; DROP TABLE IF EXISTS temp.refund_share; DROP TABLE IF EXISTS temp.rejects_{table}; DROP TABLE IF EXISTS temp.rejscan_{table};")) {
        tracing::warn!(error = %e, "dropping the staging tables");
    }
    match result {
        Ok(mut r) => {
            r.enabled = gold::enabled(conn)?;
            Ok(r)
        }
        Err(e) => {
            // Nothing was published; the raw table of a failed upload is not kept either.
            if let Err(d) = shadow
                .discard(conn)
                .map_err(IngestError::from)
                .and_then(|_| Ok(bronze::drop(conn, &table)?))
            {
                tracing::warn!(error = %d, "dropping the tables of a failed ingest");
            }
            Err(e)
        }
    }
}

fn run(
    conn: &Connection,
    p: &Prepared,
    o: &IngestOptions,
    table: &str,
    shadow: &Shadow,
    progress: &dyn Fn(f64, &str),
) -> Result<IngestReport, IngestError> {
    progress(0.2, "loading raw rows");
    let t = std::time::Instant::now();
    let mut b = bronze::load(conn, p, table, o.source == SourceFile::Stored)?;
    tracing::info!(
        ms = t.elapsed().as_millis() as u64,
        step = "bronze",
        kept = ?b.kept,
        "ingest step"
    );
    if b.rows == Some(0) && b.rejects.is_empty() {
        return Err(IngestError::NoRows);
    }
    let qualified = format!("bronze.{table}");
    let m = match &o.mapping {
        Some(m) => {
            if let Some(bad) = m.fields.values().find(|c| !b.columns.contains(c)) {
                return Err(SilverError::UnknownColumn(bad.clone()).into());
            }
            m.clone()
        }
        None => {
            let m = mapping::suggest(&b.columns, &bronze_sample(conn, &qualified, &b.columns)?);
            m.certain().map_err(IngestError::Unsure)?;
            m
        }
    };
    let header_lines = match p.sniffed.format {
        Format::Delimited { header: true, .. } => 1,
        _ => 0,
    };
    let ctx = silver::Ctx {
        conn,
        shadow,
        bronze: table,
        source: &b.source,
        tz: &o.tz,
        currency: &o.currency,
        upload_id: o.upload_id,
        samples: Default::default(),
    };
    progress(0.45, "checking and merging rows");
    let t = std::time::Instant::now();
    let s = silver::merge(&ctx, &m)?;
    let summary = crate::summary::describe(conn, &m, &s, &o.tz)?;
    tracing::info!(
        ms = t.elapsed().as_millis() as u64,
        step = "silver",
        "ingest step"
    );
    // Rows the reader skipped are known once it has read the whole file; silver counted
    // the rows it was given, so its record numbers step over the skipped lines.
    b.collect_rejects(conn)?;
    let skipped: Vec<u64> = b.rejects.iter().map(|r| r.line).collect();
    let read = s.rows_read + b.rejects.len() as u64;
    let mut rejects = b.rejects;
    rejects.extend(s.rejects.into_iter().map(|mut r| {
        r.line = bronze::line_of(r.line, header_lines, &skipped);
        r
    }));
    rejects.sort_by_key(|r| r.line);
    let rejected = rejects.len() as u64;
    if read > 0 && rejected as f64 / read as f64 > o.max_reject_ratio {
        let first = rejects.first().cloned().unwrap_or(Reject {
            line: 0,
            column: None,
            value: String::new(),
            reason: String::new(),
        });
        return Err(IngestError::TooManyRejects {
            rejected,
            read,
            pct: 100.0 * rejected as f64 / read as f64,
            limit: 100.0 * o.max_reject_ratio,
            line: first.line,
            reason: first.reason,
        });
    }
    progress(0.75, "rebuilding analytics tables");
    let t = std::time::Instant::now();
    gold::rebuild(conn, &o.tz, shadow)?;
    tracing::info!(
        ms = t.elapsed().as_millis() as u64,
        step = "gold",
        "ingest step"
    );
    let format = match p.sniffed.format {
        Format::Delimited { delimiter, .. } => format!("delimited ({:?})", delimiter as char),
        Format::Json => "json".into(),
        Format::NdJson => "ndjson".into(),
        Format::Parquet => "parquet".into(),
    };
    Ok(IngestReport {
        format,
        encoding: format!("{:?}", p.sniffed.encoding).to_lowercase(),
        gzip: p.gzip,
        mapping: m,
        rows_read: read,
        accepted: s.accepted,
        rejects,
        enabled: Enabled::default(),
        summary,
    })
}
