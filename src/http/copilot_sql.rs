//! SQL mode: an analyst's read-only SQL over the shop's gold tables. The allow-list and the
//! guarded run are `sr360_analytics::sql_mode`; this adapter requires the `Analyze`
//! permission, writes an audit row for every run and every refusal, and maps a refusal to
//! `sql_refused` (422) with its reason.

use super::AppState;
use super::ctx::ApiCaller;
use super::error::AppError;
use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use serde::Deserialize;
use sr360_analytics::sql_mode::{self, SqlResult};
use sr360_core::Permission;
use sr360_meta::AuditAction;
use std::time::Duration;

/// Most rows an answer carries.
const ROW_CAP: usize = 1000;
/// Longest statement accepted, in characters.
const MAX_SQL: usize = 10_000;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SqlRequest {
    /// One SELECT over the `gold` tables (`gold.fact_sales`, `gold.dim_product`, …).
    sql: String,
}

/// Run read-only SQL over the caller's shop (analysts and above).
#[utoipa::path(post, path = "/api/v1/copilot/sql", tag = "copilot", request_body = SqlRequest,
    responses((status = 200, body = SqlResult), (status = 403, description = "viewers may not run SQL (`forbidden`)"), (status = 422, description = "a statement outside the allow-list, with the reason (`sql_refused`)")),
    security(("bearer" = [])))]
pub async fn sql_api(
    State(state): State<AppState>,
    caller: ApiCaller,
    body: Result<Json<SqlRequest>, JsonRejection>,
) -> Result<Json<SqlResult>, AppError> {
    caller.require(Permission::Analyze)?;
    let Json(req) = body.map_err(|e| AppError::Invalid(format!("sql: {}", e.body_text())))?;
    let sql = req.sql.trim().to_string();
    if sql.is_empty() || sql.chars().count() > MAX_SQL {
        return Err(AppError::Invalid(format!(
            "a statement of 1 to {MAX_SQL} characters"
        )));
    }
    let audit = |action: AuditAction, detail: serde_json::Value| {
        caller
            .actor()
            .tenant(caller.scope.tenant())
            .action(action)
            .target("sql")
            .detail(detail)
    };
    let wh = state
        .warehouses
        .open(&caller.scope)
        .map_err(AppError::internal)?;
    let text = sql.clone();
    let limit = Duration::from_secs(state.config.copilot.sql_time_limit_secs.max(1));
    let ran = tokio::task::spawn_blocking(move || {
        wh.with_reader(|conn| Ok(sql_mode::run(conn, &text, ROW_CAP, limit)))
    })
    .await
    .map_err(AppError::internal)?
    .map_err(AppError::internal)?;
    let short: String = sql.chars().take(2000).collect();
    match ran {
        Ok(result) => {
            state.meta.audit(&audit(
                AuditAction::SqlRun,
                serde_json::json!({"sql": short, "rows": result.rows.len(), "ms": result.ms}),
            ))?;
            Ok(Json(result))
        }
        Err(Ok(refusal)) => {
            let reason = refusal.to_string();
            state.meta.audit(&audit(
                AuditAction::SqlRefused,
                serde_json::json!({"sql": short, "reason": reason}),
            ))?;
            Err(AppError::SqlRefused(reason))
        }
        // The analyst's own mistake (a column that does not exist): DuckDB's first line says
        // which; the statement only reads gold tables, so the words hold no paths.
        Err(Err(sr360_analytics::QueryError::Db(e))) => {
            let first = e.to_string();
            let first: String = first
                .lines()
                .next()
                .unwrap_or("")
                .chars()
                .take(300)
                .collect();
            state.meta.audit(&audit(
                AuditAction::SqlRun,
                serde_json::json!({"sql": short, "error": first}),
            ))?;
            Err(AppError::Invalid(sql_error_words(&first)))
        }
        Err(Err(e)) => Err(AppError::from(e)),
    }
}

/// DuckDB's first line about an analyst's statement, its error class said in words
/// ("Binder Error: Referenced column …" → "a table or column it names does not exist: …").
fn sql_error_words(first: &str) -> String {
    let (class, rest) = first.split_once(" Error: ").unwrap_or(("", first));
    let what = match class {
        "Parser" => "the SQL could not be read",
        "Binder" | "Catalog" => "a table, column or function it names does not exist",
        "Conversion" => "a value could not be converted",
        "Out of Range" => "a number is out of range",
        "Interrupt" => "it took longer than the time limit",
        "Division by zero" | "Invalid Input" => "a value is not valid",
        _ => "the query failed",
    };
    let rest = rest.trim();
    if rest.is_empty() {
        what.to_string()
    } else {
        format!("{what}: {rest}")
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn sql_errors_are_said_in_words() {
        let w = super::sql_error_words(
            "Binder Error: Referenced column \"x\" not found in FROM clause!",
        );
        assert_eq!(
            w,
            "a table, column or function it names does not exist: Referenced column \"x\" not found in FROM clause!"
        );
        assert!(
            super::sql_error_words("Conversion Error: Could not convert").starts_with("a value")
        );
        assert_eq!(super::sql_error_words("odd"), "the query failed: odd");
    }
}
