//! The one query layer: a typed analytics query — metrics × dimensions × filters × time range
//! × comparison period × time grain — compiled to DuckDB SQL over the gold tables and run on a
//! shop's warehouse. Every KPI, chart, table and export asks through it (and the copilot will
//! produce the same type), so no SQL is ever built from user text: names come from enums,
//! values are bound as parameters.

pub mod baskets;
mod cache;
mod cohorts;
pub mod compile;
mod customers;
pub mod findables;
mod funnel;
mod model;
mod run;
mod series;
pub mod sql_mode;

pub use cohorts::{Cohort, CohortTable, cohorts};
pub use compile::{Compiled, MAX_ROWS, compile};
pub use customers::{
    CustomerDetail, CustomerOrder, CustomerSummary, Features, Pii, customer, customer_features,
    segment_members, top_customers,
};
pub use funnel::{
    FunnelBy, FunnelRow, MIN_PRODUCT_VIEWS, Underperformer, funnel, underperformers,
    worst_converting,
};
pub use model::{Comparison, Dimension, Filters, Grain, Metric, Query, Sort, TimeRange, Unit};
pub use run::{
    Column, QueryResult, Session, Value, currency_places, data_range, execute, run, session,
    totals_only,
};
pub use series::{
    DailySeries, PromotionInfo, SeriesKind, anomaly_series, category_series, forecast_series,
    promotions,
};

#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    /// The query cannot be answered as asked; the message says why (shown to the user).
    #[error("{0}")]
    Invalid(String),
    /// The shop has no sales loaded yet.
    #[error("no sales data yet: upload an orders export first")]
    NoData,
    #[error("database: {0}")]
    Db(#[from] duckdb::Error),
    #[error("warehouse: {0}")]
    Warehouse(#[from] sr360_warehouse::WarehouseError),
}
