//! The purchase funnel — view → add to cart → checkout → purchase — overall and by channel
//! (sessions), and by category or product (sessions that saw the product), plus the products
//! that draw many views but convert well below their category, with the test that says so.

use crate::QueryError;
use crate::model::{Filters, TimeRange};
use crate::run::Session;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "graphql", derive(async_graphql::Enum))]
#[serde(rename_all = "snake_case")]
pub enum FunnelBy {
    /// All sessions.
    Overall,
    Channel,
    Category,
    Product,
}

/// Counts reaching each step, and the conversion of each step from the one before.
#[derive(Debug, Clone, Default, PartialEq, Serialize, ToSchema)]
pub struct FunnelRow {
    /// Channel, category or SKU (empty for the overall row).
    pub key: String,
    /// Product name for products.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub category: Option<String>,
    pub views: i64,
    pub carts: i64,
    pub checkouts: i64,
    pub purchases: i64,
}

impl FunnelRow {
    /// view→cart, cart→checkout, checkout→purchase, view→purchase.
    pub fn rates(&self) -> [Option<f64>; 4] {
        let r = |a: i64, b: i64| (b > 0).then(|| a as f64 / b as f64);
        [
            r(self.carts, self.views),
            r(self.checkouts, self.carts),
            r(self.purchases, self.checkouts),
            r(self.purchases, self.views),
        ]
    }
}

/// A product converting far below its category.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Underperformer {
    pub sku: String,
    pub name: String,
    pub category: String,
    pub views: i64,
    pub carts: i64,
    /// The product's view→cart rate and the rest of its category's.
    pub rate: f64,
    pub category_rate: f64,
    /// Two-proportion z statistic (product against the rest of its category); below −3 is
    /// flagged.
    pub z: f64,
    /// Where the product loses most visitors: `view_to_cart` or `cart_to_purchase`.
    pub weak_step: &'static str,
}

pub(crate) fn has_events(s: &Session<'_>) -> Result<bool, QueryError> {
    let n: i64 = s.conn().query_row("SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'gold' AND table_name = 'session_funnel'", [], |r| r.get(0))?;
    if n == 0 {
        return Ok(false);
    }
    Ok(s.conn()
        .query_row("SELECT count(*) > 0 FROM gold.session_funnel", [], |r| {
            r.get(0)
        })?)
}

/// The funnel split by `by`, over `range` (None: all the data), filtered by channel and
/// category (and SKU for products). Biggest first, at most `limit` rows.
pub fn funnel(
    s: &Session<'_>,
    by: FunnelBy,
    range: Option<TimeRange>,
    filters: &Filters,
    limit: u32,
) -> Result<Vec<FunnelRow>, QueryError> {
    s.cached(
        &format!("funnel/{by:?}/{range:?}/{filters:?}/{limit}"),
        || compute(s, by, range, filters, limit),
    )
}

fn compute(
    s: &Session<'_>,
    by: FunnelBy,
    range: Option<TimeRange>,
    filters: &Filters,
    limit: u32,
) -> Result<Vec<FunnelRow>, QueryError> {
    if !has_events(s)? {
        return Err(QueryError::NoData);
    }
    let mut params: Vec<String> = Vec::new();
    let mut cond = vec!["TRUE".to_string()];
    if let Some(r) = range {
        cond.push("date_key BETWEEN CAST(? AS DATE) AND CAST(? AS DATE)".into());
        params.push(r.from.to_string());
        params.push(r.to.to_string());
    }
    // Names match whatever their case: web events often write a category in lower case
    // ("apparel") where the orders export writes "Apparel".
    let mut list = |col: &str, values: &[String]| {
        if !values.is_empty() {
            cond.push(format!(
                "lower({col}) IN ({})",
                vec!["lower(?)"; values.len()].join(", ")
            ));
            params.extend(values.iter().cloned());
        }
    };
    list("f.channel", &filters.channel);
    let session_level = matches!(by, FunnelBy::Overall | FunnelBy::Channel)
        && filters.category.is_empty()
        && filters.sku.is_empty();
    if !session_level {
        list("f.category", &filters.category);
        list("f.sku", &filters.sku);
    }
    let limit = limit.clamp(1, 10_000);
    let sql = if session_level {
        let key = if by == FunnelBy::Channel {
            "f.channel"
        } else {
            "''"
        };
        format!(
            "SELECT {key} AS k, NULL AS name, NULL AS category, sum(viewed), sum(carted), sum(checked_out), sum(purchased)
             FROM gold.session_funnel f WHERE {} GROUP BY 1 ORDER BY 4 DESC, 1 LIMIT {limit}",
            cond.join(" AND ")
        )
    } else {
        let (key, name, cat) = match by {
            FunnelBy::Product => ("f.sku", "any_value(p.name)", "any_value(f.category)"),
            FunnelBy::Category => ("f.category", "NULL", "NULL"),
            FunnelBy::Channel => ("f.channel", "NULL", "NULL"),
            FunnelBy::Overall => ("''", "NULL", "NULL"),
        };
        format!(
            "SELECT {key} AS k, {name} AS name, {cat} AS category, sum(views), sum(carts), sum(checkouts), sum(purchases)
             FROM gold.product_funnel f LEFT JOIN gold.dim_product p ON p.sku = f.sku WHERE {} GROUP BY 1 ORDER BY 4 DESC, 1 LIMIT {limit}",
            cond.join(" AND ")
        )
    };
    let mut st = s.conn().prepare(&sql)?;
    let rows = st
        .query_map(duckdb::params_from_iter(params.iter()), |r| {
            Ok(FunnelRow {
                key: r.get(0)?,
                name: r.get(1)?,
                category: r.get(2)?,
                views: r.get::<_, Option<i64>>(3)?.unwrap_or(0),
                carts: r.get::<_, Option<i64>>(4)?.unwrap_or(0),
                checkouts: r.get::<_, Option<i64>>(5)?.unwrap_or(0),
                purchases: r.get::<_, Option<i64>>(6)?.unwrap_or(0),
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// Product sessions a product needs before its conversion is judged: fewer and one lucky or
/// unlucky day decides the rate.
pub const MIN_PRODUCT_VIEWS: i64 = 80;

/// The `n` well-visited products (at least `min_views` product sessions) that turn views into
/// purchases worst, most visited first among equals.
pub fn worst_converting(mut products: Vec<FunnelRow>, min_views: i64, n: usize) -> Vec<FunnelRow> {
    products.retain(|p| p.views >= min_views);
    products.sort_by(|a, b| {
        a.rates()[3]
            .unwrap_or(0.0)
            .total_cmp(&b.rates()[3].unwrap_or(0.0))
            .then(b.views.cmp(&a.views))
    });
    products.truncate(n);
    products
}

/// Products with at least `min_views` product sessions whose view→cart rate is far below the
/// rest of their category: z < −3 in a two-proportion test and less than 60 % of the
/// category's rate. Worst first.
pub fn underperformers(
    s: &Session<'_>,
    range: Option<TimeRange>,
    min_views: i64,
) -> Result<Vec<Underperformer>, QueryError> {
    let products = funnel(s, FunnelBy::Product, range, &Filters::default(), 10_000)?;
    let mut by_cat: std::collections::HashMap<String, (i64, i64, i64)> =
        std::collections::HashMap::new();
    for p in &products {
        let e = by_cat
            .entry(p.category.clone().unwrap_or_default())
            .or_default();
        e.0 += p.views;
        e.1 += p.carts;
        e.2 += p.purchases;
    }
    let mut out = Vec::new();
    for p in products.iter().filter(|p| p.views >= min_views) {
        let cat = p.category.clone().unwrap_or_default();
        let (cv, cc, cp) = by_cat[&cat];
        // The rest of the category, without this product.
        let (rv, rc, rp) = (cv - p.views, cc - p.carts, cp - p.purchases);
        if rv < min_views {
            continue;
        }
        let (p1, p2) = (p.carts as f64 / p.views as f64, rc as f64 / rv as f64);
        let pooled = (p.carts + rc) as f64 / (p.views + rv) as f64;
        let se = (pooled * (1.0 - pooled) * (1.0 / p.views as f64 + 1.0 / rv as f64)).sqrt();
        if se <= 0.0 {
            continue;
        }
        let z = (p1 - p2) / se;
        if z < -3.0 && p1 < 0.6 * p2 {
            let cart_to_buy = if p.carts > 0 {
                p.purchases as f64 / p.carts as f64
            } else {
                0.0
            };
            let rest_cart_to_buy = if rc > 0 { rp as f64 / rc as f64 } else { 0.0 };
            let weak_step = if p1 / p2.max(1e-9) <= cart_to_buy / rest_cart_to_buy.max(1e-9) {
                "view_to_cart"
            } else {
                "cart_to_purchase"
            };
            out.push(Underperformer {
                sku: p.key.clone(),
                name: p.name.clone().unwrap_or_else(|| p.key.clone()),
                category: cat,
                views: p.views,
                carts: p.carts,
                rate: p1,
                category_rate: p2,
                z,
                weak_step,
            });
        }
    }
    out.sort_by(|a, b| a.z.total_cmp(&b.z));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(key: &str, views: i64, purchases: i64) -> FunnelRow {
        FunnelRow {
            key: key.into(),
            name: None,
            category: None,
            views,
            carts: purchases,
            checkouts: purchases,
            purchases,
        }
    }

    #[test]
    fn worst_converting_skips_the_barely_visited_and_ranks_by_view_to_purchase() {
        let rows = vec![
            row("rare", 10, 0),
            row("good", 200, 40),
            row("bad", 100, 1),
            row("bad_busier", 300, 3),
        ];
        let keys: Vec<String> = worst_converting(rows, MIN_PRODUCT_VIEWS, 2)
            .into_iter()
            .map(|r| r.key)
            .collect();
        assert_eq!(keys, ["bad_busier", "bad"]);
    }
}
