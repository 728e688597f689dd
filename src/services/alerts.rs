//! A shop's alerts: the unusual days its last model run stored, as `sr360_views::alerts`
//! words them.

use sr360_meta::TenantScope;
pub use sr360_views::alerts::{Alert, Worded, recent, title_of};
use sr360_warehouse::Warehouses;

/// Every alert the last run stored for the shop (newest first), for search.
pub fn all(warehouses: &Warehouses, scope: &TenantScope) -> Result<Vec<Alert>, String> {
    let wh = warehouses.open(scope).map_err(|e| e.to_string())?;
    let rows = wh
        .with_reader(|c| Ok(sr360_ml::store::anomalies(c, 1_000)?))
        .map_err(|e| e.to_string())?;
    Ok(rows.iter().map(Alert::from_row).collect())
}
