//! Keeping an exported file: where a page's export forms post (only for roles that may
//! export), storing the file in the lake and recording it as the next version of its report
//! (audited), and sending it as a download. Shared by the report exports and the segment
//! member lists.

use super::AppState;
use super::error::AppError;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use sr360_core::Permission;
use sr360_meta::{AuditEvent, NewReport, ReportRecord, TenantScope};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
/// A report file's format.
pub(super) enum Format {
    Csv,
    Png,
    Pdf,
}

impl Format {
    pub(super) fn parse(s: &str) -> Result<Self, AppError> {
        match s {
            "csv" => Ok(Format::Csv),
            "png" => Ok(Format::Png),
            "pdf" => Ok(Format::Pdf),
            _ => Err(AppError::Invalid(format!(
                "{s:?} is not an export format (csv, png or pdf)"
            ))),
        }
    }
    pub(super) fn ext(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Png => "png",
            Format::Pdf => "pdf",
        }
    }
    pub(super) fn mime(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8",
            Format::Png => "image/png",
            Format::Pdf => "application/pdf",
        }
    }
}

/// The `action` of a page's export forms: None when the role may not export.
pub(super) fn export_action(scope: &TenantScope, page: &str, query: &str) -> Option<String> {
    scope.can(Permission::Analyze).then(|| {
        if query.is_empty() {
            format!("/reports/export?page={page}")
        } else {
            format!("/reports/export?page={page}&{query}")
        }
    })
}

/// The shop's local date (for report names) and date and time (for the page), in its time zone.
pub(super) fn shop_now(state: &AppState, tz: &str) -> (String, String) {
    let ts = jiff::Timestamp::from_second(state.clock.now().unix_timestamp())
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    let zone = jiff::tz::TimeZone::get(tz).unwrap_or(jiff::tz::TimeZone::UTC);
    let z = ts.to_zoned(zone);
    (
        z.strftime("%Y-%m-%d").to_string(),
        format!("{} ({tz})", z.strftime("%Y-%m-%d %H:%M")),
    )
}

/// What a kept file is.
pub(super) struct Keep<'a> {
    pub slug: &'a str,
    pub day: &'a str,
    pub format: &'a str,
    pub title: &'a str,
    pub filters: &'a str,
    pub source: &'a str,
}

/// Store an exported file and record it as the next version of its report, audited.
pub(super) async fn keep(
    state: &AppState,
    scope: &TenantScope,
    actor: &AuditEvent,
    k: &Keep<'_>,
    bytes: &[u8],
) -> Result<ReportRecord, AppError> {
    let stored = state
        .objects
        .put_bytes(scope.tenant(), "reports", bytes.to_vec())
        .await
        .map_err(AppError::internal)?;
    Ok(state.meta.create_report(
        scope,
        &NewReport {
            report: k.slug,
            day: k.day,
            format: k.format,
            title: k.title,
            filters: k.filters,
            source: k.source,
            object_key: &stored.key,
            bytes: stored.bytes as i64,
        },
        actor,
    )?)
}

pub(super) fn attachment(rec: &ReportRecord, bytes: Vec<u8>) -> Response {
    let disposition = format!("attachment; filename=\"{}\"", rec.file_name());
    (
        [
            (header::CONTENT_TYPE, mime_of(&rec.format).to_string()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "private, no-store".into()),
        ],
        bytes,
    )
        .into_response()
}

fn mime_of(ext: &str) -> &'static str {
    Format::parse(ext)
        .map(Format::mime)
        .unwrap_or("application/octet-stream")
}
