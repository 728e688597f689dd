//! Gold: the star schema and feature tables every page reads, rebuilt from silver after each
//! ingest and published together with it (DuckDB rebuilds a million order lines in seconds,
//! and a full rebuild can never drift from silver).

use crate::shadow::Shadow;
use crate::sqlexpr::lit;
use duckdb::Connection;

/// The gold tables, in build order.
pub const TABLES: &[&str] = &[
    "dim_product",
    "fact_sales",
    "dim_date",
    "dim_customer",
    "customer_features",
    "product_features",
    "daily_sales",
    "session_funnel",
    "product_funnel",
];

/// `sql` with each `schema.table` named in `tables` replaced by `to(schema.table)`.
fn rename(sql: &str, schema: &str, tables: &[&str], to: impl Fn(&str) -> String) -> String {
    let mut out = sql.to_string();
    for t in tables {
        let name = format!("{schema}.{t}");
        let mut s = String::with_capacity(out.len());
        let mut rest = out.as_str();
        while let Some(i) = rest.find(&name) {
            let end = i + name.len();
            let boundary = rest[end..]
                .chars()
                .next()
                .is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '_'));
            s.push_str(&rest[..i]);
            s.push_str(&if boundary { to(&name) } else { name.clone() });
            rest = &rest[end..];
        }
        s.push_str(rest);
        out = s;
    }
    out
}

/// Build the next version of every gold table from the newest silver tables.
pub fn rebuild(conn: &Connection, tz: &str, shadow: &Shadow) -> Result<(), duckdb::Error> {
    // Shop-local wall time of each line. For UTC shops the plain cast is exact and skips a
    // time-zone lookup per row (the session time zone is UTC).
    let local = if tz.eq_ignore_ascii_case("UTC") {
        "CAST(l.line_ts AS TIMESTAMP)".to_string()
    } else {
        format!("timezone({}, l.line_ts)", lit(tz))
    };
    let ps_local = "CAST(ps.period_start + CAST(ps.i AS INTEGER) AS TIMESTAMP)";
    let ps_ts = if tz.eq_ignore_ascii_case("UTC") {
        format!("CAST({ps_local} AS TIMESTAMPTZ)")
    } else {
        format!("timezone({}, {ps_local})", lit(tz))
    };
    let ev_local = if tz.eq_ignore_ascii_case("UTC") {
        "CAST(t AS TIMESTAMP)".to_string()
    } else {
        format!("timezone({}, t)", lit(tz))
    };
    let sql = format!(
        "CREATE SCHEMA IF NOT EXISTS gold;
         CREATE OR REPLACE TABLE gold.dim_product AS
           SELECT sku, coalesce(name, sku) AS name, coalesce(category, 'uncategorised') AS category, price, cost, brand, description
           FROM silver.products;
         CREATE OR REPLACE TABLE gold.fact_sales AS
           SELECT * EXCLUDE (local_ts), CAST(local_ts AS DATE) AS date_key,
                  CASE WHEN order_id IS NOT NULL THEN CAST(hour(local_ts) AS INTEGER) END AS hour_of_day,
                  CAST(isodow(local_ts) AS INTEGER) AS iso_weekday
           FROM (
             SELECT l.order_id, l.line_key, l.line_ts, {local} AS local_ts,
                    l.sku, coalesce(p.category, l.category, 'uncategorised') AS category,
                    o.customer_key,
                    coalesce(o.country, c.country) AS country, coalesce(o.region, c.region) AS region,
                    coalesce(o.channel, c.channel, 'unknown') AS channel,
                    l.quantity, l.unit_price, l.quantity * l.unit_price AS revenue,
                    l.quantity * p.cost AS cost, l.is_return, o.discount_code, o.currency,
                    coalesce(fo.first_order_id = l.order_id, false) AS is_first_order
             FROM silver.order_lines l
             JOIN silver.orders o USING (order_id)
             LEFT JOIN (SELECT customer_key, arg_min(order_id, order_ts) AS first_order_id FROM silver.orders
                        WHERE customer_key IS NOT NULL AND order_id NOT IN (
                          -- orders of returns only (looked for among the few with returns)
                          SELECT order_id FROM silver.order_lines
                          WHERE order_id IN (SELECT order_id FROM silver.order_lines WHERE is_return)
                          GROUP BY order_id HAVING bool_and(is_return))
                        GROUP BY customer_key) fo ON fo.customer_key = o.customer_key
             LEFT JOIN silver.products p ON p.sku = l.sku
             LEFT JOIN silver.customers c ON c.customer_key = o.customer_key
             -- pending and cancelled orders are not sales
             WHERE l.status IS NULL OR l.status NOT IN ('pending', 'cancelled')
             UNION ALL
             -- totals per period, spread evenly over the period's days (units as whole numbers)
             SELECT CAST(NULL AS VARCHAR) AS order_id, ps.period_key || '|' || ps.i AS line_key, {ps_ts} AS line_ts,
                    CAST(ps.period_start + CAST(ps.i AS INTEGER) AS TIMESTAMP) AS local_ts, CAST(NULL AS VARCHAR) AS sku,
                    coalesce(ps.category, 'uncategorised') AS category, CAST(NULL AS VARCHAR) AS customer_key,
                    CAST(NULL AS VARCHAR) AS country, ps.region,
                    coalesce(ps.channel, CASE WHEN regexp_full_match(ps.store, '[0-9]+') THEN 'store ' || ps.store ELSE lower(ps.store) END, 'unknown') AS channel,
                    CAST(floor(ps.units * (ps.i + 1) / ps.days) - floor(ps.units * ps.i / ps.days) AS BIGINT) AS quantity,
                    CAST(NULL AS DOUBLE) AS unit_price, ps.amount / ps.days AS revenue, CAST(NULL AS DOUBLE) AS cost, false AS is_return,
                    CAST(NULL AS VARCHAR) AS discount_code, CAST(NULL AS VARCHAR) AS currency, false AS is_first_order
             FROM (SELECT *, unnest(range(days)) AS i FROM silver.period_sales) ps);
         CREATE OR REPLACE TABLE gold.dim_date AS
           SELECT CAST(d AS DATE) AS date_key, year(d) AS year, month(d) AS month, quarter(d) AS quarter,
                  weekofyear(d) AS iso_week, isodow(d) AS iso_weekday, dayofyear(d) AS day_of_year
           FROM range((SELECT coalesce(min(date_key), current_date) FROM gold.fact_sales),
                      (SELECT coalesce(max(date_key), current_date) FROM gold.fact_sales) + INTERVAL 1 DAY, INTERVAL 1 DAY) t(d);
         CREATE OR REPLACE TABLE gold.dim_customer AS
           SELECT c.customer_key, substr(md5(c.customer_key), 1, 16) AS customer_ref,
                  c.customer_id, c.email, c.first_name, c.last_name, c.country, c.region, c.city, c.channel, c.signup_at,
                  f.first_order_at, f.last_order_at
           FROM silver.customers c
           LEFT JOIN (SELECT customer_key, min(line_ts) FILTER (WHERE NOT is_return) AS first_order_at,
                             max(line_ts) FILTER (WHERE NOT is_return) AS last_order_at
                      FROM gold.fact_sales GROUP BY customer_key) f USING (customer_key);
         CREATE OR REPLACE TABLE gold.customer_features AS
           WITH ref AS (SELECT max(date_key) AS d FROM gold.fact_sales)
           SELECT customer_key,
                  date_diff('day', max(date_key) FILTER (WHERE NOT is_return), (SELECT d FROM ref)) AS recency_days,
                  count(DISTINCT order_id) FILTER (WHERE NOT is_return) AS frequency,
                  coalesce(sum(revenue), 0) AS monetary,
                  date_diff('day', min(date_key), (SELECT d FROM ref)) AS tenure_days,
                  sum(revenue) FILTER (WHERE NOT is_return) / nullif(count(DISTINCT order_id) FILTER (WHERE NOT is_return), 0) AS aov,
                  coalesce(sum(-quantity) FILTER (WHERE is_return), 0) / nullif(sum(quantity) FILTER (WHERE NOT is_return), 0) AS return_rate
           FROM gold.fact_sales WHERE customer_key IS NOT NULL GROUP BY customer_key;
         CREATE OR REPLACE TABLE gold.product_features AS
           SELECT p.sku, p.name, p.category,
                  coalesce(e.views, 0) AS views, coalesce(e.add_to_carts, 0) AS add_to_carts,
                  coalesce(s.orders, 0) AS orders, coalesce(s.units_sold, 0) AS units_sold, coalesce(s.revenue, 0) AS revenue,
                  e.add_to_carts / nullif(e.views, 0) AS view_to_cart_rate,
                  s.orders / nullif(e.views, 0) AS view_to_order_rate
           FROM gold.dim_product p
           LEFT JOIN (SELECT sku, count(*) FILTER (WHERE event_type = 'view') AS views,
                             count(*) FILTER (WHERE event_type = 'add_to_cart') AS add_to_carts
                      FROM silver.web_events WHERE sku IS NOT NULL GROUP BY sku) e USING (sku)
           LEFT JOIN (SELECT sku, count(DISTINCT order_id) FILTER (WHERE NOT is_return) AS orders,
                             sum(quantity) FILTER (WHERE NOT is_return) AS units_sold, sum(revenue) AS revenue
                      FROM gold.fact_sales GROUP BY sku) s USING (sku);
         CREATE OR REPLACE TABLE gold.daily_sales AS
           SELECT date_key, category, coalesce(region, 'unknown') AS region, channel,
                  coalesce(sum(revenue) FILTER (WHERE NOT is_return), 0) AS gross_revenue,
                  sum(revenue) AS net_revenue,
                  count(DISTINCT order_id) FILTER (WHERE NOT is_return) AS orders,
                  coalesce(sum(quantity) FILTER (WHERE NOT is_return), 0) AS units,
                  coalesce(sum(-quantity) FILTER (WHERE is_return), 0) AS returned_units
           FROM gold.fact_sales GROUP BY ALL;
         CREATE OR REPLACE TABLE gold.session_funnel AS
           SELECT CAST({ev_local} AS DATE) AS date_key, channel, count(*) AS sessions,
                  count(*) FILTER (WHERE viewed) AS viewed, count(*) FILTER (WHERE carted) AS carted,
                  count(*) FILTER (WHERE checked_out) AS checked_out, count(*) FILTER (WHERE purchased) AS purchased
           FROM (SELECT t, channel, purchased, checked_out OR purchased AS checked_out, carted OR checked_out OR purchased AS carted,
                        viewed OR carted OR checked_out OR purchased AS viewed
                 FROM (SELECT session_id, min(event_time) AS t, coalesce(any_value(channel), 'unknown') AS channel,
                              bool_or(event_type = 'view') AS viewed, bool_or(event_type = 'add_to_cart') AS carted,
                              bool_or(event_type = 'checkout') AS checked_out, bool_or(event_type = 'purchase') AS purchased
                       FROM silver.web_events WHERE session_id IS NOT NULL GROUP BY session_id))
           GROUP BY ALL;
         CREATE OR REPLACE TABLE gold.product_funnel AS
           WITH ev AS (SELECT session_id, sku, min(event_time) AS t, coalesce(any_value(channel), 'unknown') AS channel,
                              bool_or(event_type = 'add_to_cart') AS carted
                       FROM silver.web_events WHERE sku IS NOT NULL AND session_id IS NOT NULL AND event_type IN ('view', 'add_to_cart')
                       GROUP BY session_id, sku),
                co AS (SELECT DISTINCT session_id FROM silver.web_events WHERE event_type IN ('checkout', 'purchase') AND session_id IS NOT NULL),
                bought AS (SELECT DISTINCT w.session_id, l.sku FROM silver.web_events w JOIN silver.order_lines l ON l.order_id = w.order_id
                           WHERE w.event_type = 'purchase' AND NOT l.is_return AND w.session_id IS NOT NULL)
           SELECT CAST({ev_local} AS DATE) AS date_key, ev.sku, coalesce(p.category, 'uncategorised') AS category, ev.channel,
                  count(*) AS views,
                  count(*) FILTER (WHERE ev.carted OR b.sku IS NOT NULL) AS carts,
                  count(*) FILTER (WHERE (ev.carted AND co.session_id IS NOT NULL) OR b.sku IS NOT NULL) AS checkouts,
                  count(*) FILTER (WHERE b.sku IS NOT NULL) AS purchases
           FROM ev LEFT JOIN co USING (session_id)
           LEFT JOIN bought b ON b.session_id = ev.session_id AND b.sku = ev.sku
           LEFT JOIN gold.dim_product p ON p.sku = ev.sku
           GROUP BY ALL;"
    );
    let silver: Vec<&str> = crate::silver::TABLES.iter().map(|(t, _)| *t).collect();
    let sql = rename(&sql, "silver", &silver, |t| shadow.current(t));
    let sql = rename(&sql, "gold", TABLES, |t| shadow.next(t));
    // One statement at a time, each timed, so a slow table shows in the log.
    for stmt in sql.split(";\n").map(str::trim).filter(|s| !s.is_empty()) {
        let t = std::time::Instant::now();
        conn.execute_batch(stmt)?;
        let name = stmt
            .split_whitespace()
            .find(|w| w.starts_with("gold."))
            .unwrap_or("gold");
        tracing::debug!(
            ms = t.elapsed().as_millis() as u64,
            table = name,
            "gold step"
        );
    }
    Ok(())
}

/// What the shop's data makes possible, for the "what your data enables" panel.
#[derive(Debug, Clone, Default, serde::Serialize, PartialEq)]
pub struct Enabled {
    pub revenue_and_orders: bool,
    pub product_charts: bool,
    pub category_charts: bool,
    pub customer_analytics: bool,
    pub margins: bool,
    pub funnel: bool,
    pub promotions: bool,
    pub region_breakdown: bool,
}

pub fn enabled(conn: &Connection) -> Result<Enabled, duckdb::Error> {
    let q = |sql: &str| -> Result<bool, duckdb::Error> {
        conn.query_row(sql, [], |r| r.get::<_, bool>(0))
    };
    let has = |t: &str| -> Result<bool, duckdb::Error> {
        let n: i64 = conn.query_row(&format!("SELECT count(*) FROM information_schema.tables WHERE table_schema || '.' || table_name = '{t}'"), [], |r| r.get(0))?;
        Ok(n > 0)
    };
    if !has("gold.fact_sales")? {
        return Ok(Enabled {
            funnel: has("silver.web_events")? && q("SELECT count(*) > 0 FROM silver.web_events")?,
            ..Default::default()
        });
    }
    Ok(Enabled {
        revenue_and_orders: q("SELECT count(*) > 0 FROM gold.fact_sales")?,
        product_charts: q("SELECT count(DISTINCT sku) > 1 FROM gold.fact_sales")?,
        category_charts: q(
            "SELECT count(DISTINCT category) FILTER (WHERE category <> 'uncategorised') > 1 FROM gold.fact_sales",
        )?,
        customer_analytics: q("SELECT count(DISTINCT customer_key) > 1 FROM gold.fact_sales")?,
        margins: q("SELECT count(cost) > 0 FROM gold.fact_sales")?,
        funnel: q(
            "SELECT count(*) FILTER (WHERE event_type IN ('view', 'purchase')) > 0 FROM silver.web_events",
        )?,
        promotions: q("SELECT count(*) > 0 FROM silver.promotions")?,
        region_breakdown: q("SELECT count(DISTINCT region) > 1 FROM gold.fact_sales")?,
    })
}
