//! The one way a handler reads a shop's warehouse: open it through the caller's
//! [`TenantScope`] and run the work on the blocking pool (DuckDB calls block), with every
//! failure turned into an [`AppError`] (a shop without sales is `no_data`).

use super::AppState;
use super::error::AppError;
use sr360_analytics::{QueryError, Session};
use sr360_meta::TenantScope;

/// Run `f` on one analytics session (one reader connection) of the scope's shop.
pub(super) async fn analytics<T: Send + 'static>(
    state: &AppState,
    scope: &TenantScope,
    f: impl FnOnce(&Session<'_>) -> Result<T, QueryError> + Send + 'static,
) -> Result<T, AppError> {
    let wh = state.warehouses.open(scope).map_err(AppError::internal)?;
    tokio::task::spawn_blocking(move || sr360_analytics::session(&wh, f))
        .await
        .map_err(AppError::internal)?
        .map_err(AppError::from)
}

/// Run `f` on a reader connection of the scope's shop (the model tables under `ml.*`).
pub(super) async fn read<T: Send + 'static>(
    state: &AppState,
    scope: &TenantScope,
    f: impl FnOnce(&duckdb::Connection) -> Result<T, duckdb::Error> + Send + 'static,
) -> Result<T, AppError> {
    let wh = state.warehouses.open(scope).map_err(AppError::internal)?;
    tokio::task::spawn_blocking(move || wh.with_reader(|c| Ok(f(c)?)))
        .await
        .map_err(AppError::internal)?
        .map_err(AppError::internal)
}
