//! GraphQL over the same query layer (`POST /api/v1/graphql`), the interface the original
//! design gave chart queries. Read-only: analytics, cohorts, funnel and the catalog. The
//! caller's shop comes from the request's authentication (a Bearer token or the session), as
//! for REST; the schema has no way to name another shop.

use super::AppState;
use super::ctx::ApiCaller;
use super::error::AppError;
use async_graphql::{
    Context, EmptyMutation, EmptySubscription, Enum, ErrorExtensions, InputObject, Object, Schema,
    SimpleObject,
};
use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use sr360_analytics as an;
use sr360_core::Permission;
use sr360_warehouse::Warehouse;
use std::sync::Arc;

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
enum Dimension {
    Day,
    Week,
    Month,
    Category,
    Product,
    Region,
    Country,
    Channel,
    Weekday,
    Hour,
    CustomerType,
}

impl From<Dimension> for an::Dimension {
    fn from(d: Dimension) -> Self {
        match d {
            Dimension::Day => an::Dimension::Date(an::Grain::Day),
            Dimension::Week => an::Dimension::Date(an::Grain::Week),
            Dimension::Month => an::Dimension::Date(an::Grain::Month),
            Dimension::Category => an::Dimension::Category,
            Dimension::Product => an::Dimension::Product,
            Dimension::Region => an::Dimension::Region,
            Dimension::Country => an::Dimension::Country,
            Dimension::Channel => an::Dimension::Channel,
            Dimension::Weekday => an::Dimension::Weekday,
            Dimension::Hour => an::Dimension::Hour,
            Dimension::CustomerType => an::Dimension::CustomerType,
        }
    }
}

#[derive(InputObject, Default)]
struct FiltersInput {
    #[graphql(default)]
    category: Vec<String>,
    #[graphql(default)]
    region: Vec<String>,
    #[graphql(default)]
    country: Vec<String>,
    #[graphql(default)]
    channel: Vec<String>,
    #[graphql(default)]
    sku: Vec<String>,
}

/// The same query as `POST /api/v1/query`; dates are `YYYY-MM-DD` (shop-local).
#[derive(InputObject)]
struct AnalyticsQuery {
    metrics: Vec<an::Metric>,
    #[graphql(default)]
    dimensions: Vec<Dimension>,
    filters: Option<FiltersInput>,
    from: Option<String>,
    to: Option<String>,
    compare: Option<an::Comparison>,
    sort_by: Option<String>,
    #[graphql(default)]
    sort_desc: bool,
    limit: Option<u32>,
}

#[derive(SimpleObject)]
struct ColumnOut {
    name: String,
    /// `dimension` or `metric`.
    role: String,
    /// `money`, `count` or `ratio` for metrics.
    unit: Option<String>,
}

#[derive(SimpleObject)]
struct AnalyticsResult {
    columns: Vec<ColumnOut>,
    /// One list per row, values in column order (text, numbers or null).
    rows: Vec<async_graphql::Json<Vec<an::Value>>>,
    truncated: bool,
    from: String,
    to: String,
    previous: Option<Vec<async_graphql::Json<Vec<an::Value>>>>,
}

#[derive(SimpleObject)]
struct CohortOut {
    month: String,
    customers: i64,
    retention: Vec<Option<f64>>,
    ltv: Vec<Option<f64>>,
}

#[derive(SimpleObject)]
struct FunnelRowOut {
    key: String,
    name: Option<String>,
    views: i64,
    carts: i64,
    checkouts: i64,
    purchases: i64,
}

fn date(s: &str) -> async_graphql::Result<time::Date> {
    super::filter_query::parse_date(s).map_err(|e| {
        async_graphql::Error::new(e.to_string()).extend_with(|_, x| x.set("code", e.code()))
    })
}

fn range(
    from: &Option<String>,
    to: &Option<String>,
) -> async_graphql::Result<Option<an::TimeRange>> {
    Ok(match (from, to) {
        (Some(a), Some(b)) => Some(an::TimeRange {
            from: date(a)?,
            to: date(b)?,
        }),
        (None, None) => None,
        _ => {
            return Err(async_graphql::Error::new(
                "give both from and to, or neither",
            ));
        }
    })
}

/// Query errors as GraphQL errors with the REST API's stable codes; internal ones are logged
/// and not shown.
fn gql_error(e: an::QueryError) -> async_graphql::Error {
    let app: AppError = e.into();
    if let AppError::Internal(detail) = &app {
        tracing::error!(error = %detail, "graphql query failed");
    }
    let code = app.code();
    async_graphql::Error::new(app.to_string()).extend_with(|_, x| x.set("code", code))
}

async fn blocking<T: Send + 'static>(
    ctx: &Context<'_>,
    f: impl FnOnce(&an::Session<'_>) -> Result<T, an::QueryError> + Send + 'static,
) -> async_graphql::Result<T> {
    let wh = ctx.data::<Arc<Warehouse>>()?.clone();
    tokio::task::spawn_blocking(move || an::session(&wh, f))
        .await
        .map_err(|e| {
            // A panic's text stays in the log.
            tracing::error!(error = %e, "graphql query task failed");
            async_graphql::Error::new("internal error")
                .extend_with(|_, x| x.set("code", "internal"))
        })?
        .map_err(gql_error)
}

/// Rows one request may return in all, over every field and alias: a request of 150 aliased
/// `analytics` fields used to answer 230 MB. The complexity cap bounds the work (eight query
/// fields at most); this bounds the answer: a field whose rows would pass it is an error.
pub const ROW_BUDGET: usize = 20_000;

/// What is left of this request's row budget.
struct RowsLeft(std::sync::atomic::AtomicUsize);

impl RowsLeft {
    /// Spend `n` rows if that many are left.
    fn spend(&self, n: usize) -> bool {
        use std::sync::atomic::Ordering;
        self.0
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |left| {
                left.checked_sub(n)
            })
            .is_ok()
    }
}

/// Complexity of each field that runs a query (the schema's cap is 500): at most eight
/// such fields, aliases included, in one request.
const QUERY_FIELD: usize = 60;

pub struct QueryRoot;

#[Object]
impl QueryRoot {
    /// Metrics by dimensions for the caller's shop.
    #[graphql(complexity = "QUERY_FIELD + child_complexity")]
    async fn analytics(
        &self,
        ctx: &Context<'_>,
        query: AnalyticsQuery,
    ) -> async_graphql::Result<AnalyticsResult> {
        let f = query.filters.unwrap_or_default();
        let q = an::Query {
            metrics: query.metrics,
            dimensions: query.dimensions.into_iter().map(Into::into).collect(),
            filters: an::Filters {
                category: f.category,
                region: f.region,
                country: f.country,
                channel: f.channel,
                sku: f.sku,
            },
            range: range(&query.from, &query.to)?,
            compare: query.compare,
            sort: query.sort_by.map(|by| an::Sort {
                by,
                desc: query.sort_desc,
            }),
            limit: query.limit,
        };
        let r = blocking(ctx, move |s| s.run(&q)).await?;
        let rows = r.rows.len() + r.previous.as_ref().map_or(0, Vec::len);
        if !ctx.data::<Arc<RowsLeft>>()?.spend(rows) {
            return Err(async_graphql::Error::new(format!(
                "this request would return more than {ROW_BUDGET} rows in all, the most one request may: ask in several requests"
            ))
            .extend_with(|_, x| x.set("code", "too_large")));
        }
        Ok(AnalyticsResult {
            columns: r
                .columns
                .iter()
                .map(|c| ColumnOut {
                    name: c.name.clone(),
                    role: c.role.to_string(),
                    unit: c
                        .unit
                        .and_then(|u| serde_json::to_value(u).ok())
                        .and_then(|v| v.as_str().map(str::to_string)),
                })
                .collect(),
            rows: r.rows.into_iter().map(async_graphql::Json).collect(),
            truncated: r.truncated,
            from: r.range.from.to_string(),
            to: r.range.to.to_string(),
            previous: r
                .previous
                .map(|p| p.into_iter().map(async_graphql::Json).collect()),
        })
    }

    /// Retention and lifetime value of the last `cohorts` acquisition months.
    #[graphql(complexity = "QUERY_FIELD + child_complexity")]
    async fn cohorts(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 12)] cohorts: usize,
        #[graphql(default = 12)] months: usize,
    ) -> async_graphql::Result<Vec<CohortOut>> {
        let t = blocking(ctx, move |s| an::cohorts(s, cohorts, months)).await?;
        Ok(t.cohorts
            .into_iter()
            .map(|c| CohortOut {
                month: c.month,
                customers: c.customers,
                retention: c.retention,
                ltv: c.ltv,
            })
            .collect())
    }

    /// The purchase funnel, split as asked.
    #[graphql(complexity = "QUERY_FIELD + child_complexity")]
    async fn funnel(
        &self,
        ctx: &Context<'_>,
        #[graphql(default_with = "an::FunnelBy::Overall")] by: an::FunnelBy,
        from: Option<String>,
        to: Option<String>,
        #[graphql(default = 100)] limit: u32,
    ) -> async_graphql::Result<Vec<FunnelRowOut>> {
        let r = range(&from, &to)?;
        let rows = blocking(ctx, move |s| {
            an::funnel(s, by, r, &an::Filters::default(), limit)
        })
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| FunnelRowOut {
                key: r.key,
                name: r.name,
                views: r.views,
                carts: r.carts,
                checkouts: r.checkouts,
                purchases: r.purchases,
            })
            .collect())
    }
}

pub type ApiSchema = Schema<QueryRoot, EmptyMutation, EmptySubscription>;

/// Built once; depth and complexity are capped so one request cannot ask for everything.
fn schema() -> &'static ApiSchema {
    static SCHEMA: std::sync::OnceLock<ApiSchema> = std::sync::OnceLock::new();
    SCHEMA.get_or_init(|| {
        Schema::build(QueryRoot, EmptyMutation, EmptySubscription)
            .limit_depth(8)
            .limit_complexity(500)
            .finish()
    })
}

/// `POST /api/v1/graphql` with `{"query": "...", "variables": {...}}`.
pub async fn graphql(
    State(state): State<AppState>,
    caller: ApiCaller,
    body: Result<Json<async_graphql::Request>, JsonRejection>,
) -> Result<Json<async_graphql::Response>, AppError> {
    caller.require(Permission::ViewAnalytics)?;
    let req = body
        .map(|Json(r)| r)
        .map_err(|e| AppError::Invalid(format!("graphql request: {}", e.body_text())))?;
    let wh = state
        .warehouses
        .open(&caller.scope)
        .map_err(AppError::internal)?;
    let budget = Arc::new(RowsLeft(std::sync::atomic::AtomicUsize::new(ROW_BUDGET)));
    Ok(Json(schema().execute(req.data(wh).data(budget)).await))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_row_budget_is_shared_by_every_field_of_a_request() {
        let left = RowsLeft(std::sync::atomic::AtomicUsize::new(ROW_BUDGET));
        assert!(left.spend(10_000));
        assert!(left.spend(8_000));
        assert!(!left.spend(10_000), "the third field would pass the budget");
        assert!(left.spend(2_000), "what is left is still there");
        assert!(!left.spend(1));
    }
}
