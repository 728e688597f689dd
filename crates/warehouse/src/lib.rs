//! The analytics store: one DuckDB file per tenant at `tenants/<id>/warehouse.duckdb`
//! (bronze, silver and gold schemas live inside it).
//!
//! Every connection is hardened before any other SQL runs: extension auto-install and
//! auto-load off, community extensions off, external access limited to the tenant's own
//! directory, memory and threads capped, and then the configuration locked so no later
//! statement can loosen it. A [`Warehouse`] handle is obtained only with a
//! [`TenantScope`](sr360_meta::TenantScope) and can reach only that tenant's file.

mod harden;
mod registry;

pub use harden::{HardenedDb, Limits};
pub use registry::{Warehouse, Warehouses};

#[derive(Debug, thiserror::Error)]
pub enum WarehouseError {
    #[error("duckdb: {0}")]
    DuckDb(#[from] duckdb::Error),
    #[error("i/o on {path}: {source}")]
    Io {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error("path {0} is not valid UTF-8 or contains a quote")]
    BadPath(std::path::PathBuf),
    #[error("warehouse schema: {0}")]
    Schema(String),
}

/// Brings a freshly opened warehouse (and the directory it was opened in) to the schema this
/// build expects, or refuses one written by a newer build. Supplied by whoever owns the
/// tables (the pipeline).
pub type SchemaInit = fn(&duckdb::Connection, &std::path::Path) -> Result<(), String>;
