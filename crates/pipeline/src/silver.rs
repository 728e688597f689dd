//! Silver: typed, validated, de-duplicated rows of the canonical model, merged across
//! uploads by natural keys, so re-uploading an overlapping export updates rows instead of
//! duplicating them. Rows that cannot be read become rejects with line, column, value and
//! reason. Runs inside the caller's transaction.
//!
//! Keys are kept unique by the merge itself (incoming rows are grouped by key, then replace
//! the stored rows with the same key) rather than by index constraints: DuckDB appends
//! columnar data far faster than it maintains a unique index row by row.

use crate::bronze::Reject;
use crate::mapping::{Entity, FIELDS, Kind, Mapping};
use crate::sqlexpr::{self, ident, lit};
use duckdb::Connection;

#[derive(Debug, thiserror::Error)]
pub enum SilverError {
    #[error("database: {0}")]
    Db(#[from] duckdb::Error),
    #[error("the mapping names column {0:?}, which the file does not have")]
    UnknownColumn(String),
    #[error("this looks like {entity} data, but no column was recognised for: {fields}; confirm the columns on the upload page (or pass a mapping)")]
    MissingRequired { entity: String, fields: String },
}

pub const SCHEMA: &str = r#"
CREATE SCHEMA IF NOT EXISTS silver;
CREATE TABLE IF NOT EXISTS silver.products (
    sku VARCHAR NOT NULL, name VARCHAR, category VARCHAR, price DOUBLE, cost DOUBLE,
    description VARCHAR, brand VARCHAR, upload_id BIGINT);
CREATE TABLE IF NOT EXISTS silver.customers (
    customer_key VARCHAR NOT NULL, customer_id VARCHAR, email VARCHAR, first_name VARCHAR, last_name VARCHAR,
    country VARCHAR, region VARCHAR, city VARCHAR, signup_at TIMESTAMPTZ, channel VARCHAR, upload_id BIGINT);
CREATE TABLE IF NOT EXISTS silver.orders (
    order_id VARCHAR NOT NULL, order_ts TIMESTAMPTZ, customer_key VARCHAR, country VARCHAR, region VARCHAR,
    city VARCHAR, channel VARCHAR, currency VARCHAR, discount_code VARCHAR, status VARCHAR, upload_id BIGINT);
CREATE TABLE IF NOT EXISTS silver.order_lines (
    order_id VARCHAR, line_key VARCHAR, sku VARCHAR, product_name VARCHAR, category VARCHAR,
    quantity BIGINT, unit_price DOUBLE, is_return BOOLEAN, line_ts TIMESTAMPTZ, upload_id BIGINT);
CREATE TABLE IF NOT EXISTS silver.web_events (
    event_key VARCHAR NOT NULL, event_time TIMESTAMPTZ, event_type VARCHAR, session_id VARCHAR,
    customer_key VARCHAR, sku VARCHAR, search_query VARCHAR, order_id VARCHAR, channel VARCHAR, device VARCHAR, upload_id BIGINT);
CREATE TABLE IF NOT EXISTS silver.promotions (
    code VARCHAR NOT NULL, name VARCHAR, category VARCHAR, discount_percent DOUBLE,
    starts_on DATE, ends_on DATE, upload_id BIGINT);
"#;

#[derive(Debug, Clone)]
pub struct SilverResult {
    pub entity: Entity,
    pub rows_read: u64,
    pub accepted: u64,
    pub rejects: Vec<Reject>,
}

pub struct Ctx<'a> {
    pub conn: &'a Connection,
    pub bronze: &'a str,
    pub tz: &'a str,
    pub currency: &'a str,
    pub upload_id: i64,
    /// Lines before the first record (1 with a header row).
    pub header_lines: u64,
}

fn sample(c: &Ctx<'_>, col: &str) -> Result<Vec<String>, SilverError> {
    let mut st = c.conn.prepare(&format!("SELECT CAST({0} AS VARCHAR) FROM bronze.{1} WHERE {0} IS NOT NULL LIMIT 500", ident(col), c.bronze))?;
    let v = st.query_map([], |r| r.get::<_, String>(0))?.collect::<Result<Vec<_>, _>>()?;
    Ok(v)
}

/// The typed expression of a canonical field (NULL when unmapped).
fn expr(c: &Ctx<'_>, m: &Mapping, field: &str) -> Result<String, SilverError> {
    let spec = FIELDS.iter().find(|f| f.entity == m.entity && f.name == field);
    let kind = spec.map_or(Kind::Text, |s| s.kind);
    let Some(col) = m.fields.get(field) else {
        let ty = match kind {
            Kind::Text | Kind::Id | Kind::Email => "VARCHAR",
            Kind::Integer => "BIGINT",
            Kind::Number | Kind::Money => "DOUBLE",
            Kind::Timestamp => "TIMESTAMPTZ",
        };
        return Ok(format!("CAST(NULL AS {ty})"));
    };
    Ok(match kind {
        Kind::Text | Kind::Id => {
            if field == "category" {
                sqlexpr::category(col)
            } else {
                sqlexpr::text(col)
            }
        }
        Kind::Email => format!("lower({})", sqlexpr::text(col)),
        Kind::Integer => sqlexpr::integer(col, sqlexpr::decimal_comma(&sample(c, col)?)),
        Kind::Number | Kind::Money => sqlexpr::number(col, sqlexpr::decimal_comma(&sample(c, col)?)),
        Kind::Timestamp => sqlexpr::timestamp(col, &sample(c, col)?, c.tz),
    })
}

fn raw(m: &Mapping, field: &str) -> String {
    m.fields.get(field).map_or("NULL".into(), |c| format!("CAST(b.{} AS VARCHAR)", ident(c)))
}

/// Build `stage` (typed rows) and the reject rules; returns the rejects.
fn stage(c: &Ctx<'_>, m: &Mapping, rules: &[(&str, &str, &str)]) -> Result<(u64, Vec<Reject>), SilverError> {
    let t = std::time::Instant::now();
    let fields: Vec<&str> = FIELDS.iter().filter(|f| f.entity == m.entity).map(|f| f.name).collect();
    let mut cols = Vec::new();
    for f in &fields {
        cols.push(format!("{} AS {}", expr(c, m, f)?, ident(f)));
    }
    // Record numbers: rowids follow the file's order; inside an uncommitted transaction they
    // start at an offset, so count from the first one.
    let first: i64 = c.conn.query_row(&format!("SELECT coalesce(min(rowid), 0) FROM bronze.{}", c.bronze), [], |r| r.get(0))?;
    c.conn.execute_batch(&format!("CREATE OR REPLACE TEMP TABLE stage AS SELECT rowid - {first} + 1 AS _row, {} FROM bronze.{}", cols.join(", "), c.bronze))?;
    // First failing rule per row: (condition on stage s, field, reason).
    let mut case = String::from("CASE");
    for (cond, field, reason) in rules {
        let col = m.fields.get(*field).cloned().unwrap_or_else(|| field.to_string());
        case.push_str(&format!(" WHEN {cond} THEN {} || '\u{1f}' || coalesce({}, '') || '\u{1f}' || {}", lit(&col), raw(m, field), lit(reason)));
    }
    case.push_str(" END");
    tracing::info!(ms = t.elapsed().as_millis() as u64, step = "silver.stage", "ingest step");
    c.conn.execute_batch(&format!(
        "CREATE OR REPLACE TEMP TABLE stage_rejects AS SELECT s._row, {case} AS why FROM stage s JOIN (SELECT rowid - {first} + 1 AS _row, * FROM bronze.{}) b USING (_row) WHERE {case} IS NOT NULL;
         DELETE FROM stage WHERE _row IN (SELECT _row FROM stage_rejects);",
        c.bronze
    ))?;
    tracing::info!(ms = t.elapsed().as_millis() as u64, step = "silver.rejects", "ingest step");
    let rows_read: i64 = c.conn.query_row(&format!("SELECT count(*) FROM bronze.{}", c.bronze), [], |r| r.get(0))?;
    let mut st = c.conn.prepare("SELECT _row, why FROM stage_rejects ORDER BY _row LIMIT 100000")?;
    let rejects = st
        .query_map([], |r| {
            let row: i64 = r.get(0)?;
            let why: String = r.get(1)?;
            let mut parts = why.splitn(3, '\u{1f}');
            let column = parts.next().map(str::to_string);
            let value: String = parts.next().unwrap_or("").chars().take(200).collect();
            let reason = parts.next().unwrap_or("").to_string();
            Ok(Reject { line: row as u64 + c.header_lines, column, value, reason })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok((rows_read as u64, rejects))
}

fn count_stage(c: &Ctx<'_>) -> Result<u64, SilverError> {
    Ok(c.conn.query_row("SELECT count(*) FROM stage", [], |r| r.get::<_, i64>(0))? as u64)
}

/// Lookup tables for resolving customer keys with hash joins (an existing customer with this
/// e-mail or id keeps its key).
fn customer_lookups(c: &Ctx<'_>) -> Result<(), SilverError> {
    c.conn.execute_batch(
        "CREATE OR REPLACE TEMP TABLE ck_email AS SELECT email, any_value(customer_key) AS k FROM silver.customers WHERE email IS NOT NULL GROUP BY email;
         CREATE OR REPLACE TEMP TABLE ck_id AS SELECT customer_id, any_value(customer_key) AS k FROM silver.customers WHERE customer_id IS NOT NULL GROUP BY customer_id;",
    )?;
    Ok(())
}

/// (joins, key expression) resolving a customer key: known e-mail, known id, else the
/// e-mail, else the id.
fn customer_key(email: &str, id: &str) -> (String, String) {
    (
        format!("LEFT JOIN ck_email ce ON ce.email = {email} LEFT JOIN ck_id ci ON ci.customer_id = {id}"),
        format!("COALESCE(ce.k, ci.k, {email}, {id})"),
    )
}

/// Rows of `silver.<table>` whose key is in the temp table `m_rows` are replaced by it.
fn replace(c: &Ctx<'_>, table: &str, keys: &[&str]) -> Result<(), SilverError> {
    let key = |alias: &str| keys.iter().map(|k| format!("coalesce(CAST({alias}{k} AS VARCHAR), '')")).collect::<Vec<_>>().join(" || chr(31) || ");
    c.conn.execute_batch(&format!(
        "DELETE FROM silver.{table} WHERE {} IN (SELECT {} FROM m_rows);
         INSERT INTO silver.{table} BY NAME SELECT * FROM m_rows;",
        key(""),
        key("")
    ))?;
    Ok(())
}

pub fn merge(c: &Ctx<'_>, m: &Mapping) -> Result<SilverResult, SilverError> {
    if !m.missing_required.is_empty() {
        return Err(SilverError::MissingRequired { entity: format!("{:?}", m.entity).to_lowercase(), fields: m.missing_required.join(", ") });
    }
    c.conn.execute_batch(SCHEMA)?;
    let u = c.upload_id;
    let (rows_read, rejects) = match m.entity {
        Entity::Sales => {
            let r = stage(c, m, &[
                ("s.order_id IS NULL", "order_id", "missing order number"),
                ("s.order_date IS NULL", "order_date", "not a date and time"),
                ("s.quantity IS NULL", "quantity", "not a whole number"),
                ("s.quantity = 0", "quantity", "quantity is zero"),
                ("s.unit_price IS NULL", "unit_price", "not a price"),
                ("s.unit_price < 0", "unit_price", "negative price"),
                ("s.sku IS NULL AND s.product_name IS NULL", "sku", "no product SKU or name"),
            ])?;
            sales(c, u)?;
            r
        }
        Entity::Products => {
            let r = stage(c, m, &[("s.sku IS NULL", "sku", "missing SKU"), ("s.name IS NULL", "name", "missing product name"), ("s.price < 0", "price", "negative price")])?;
            c.conn.execute_batch(&format!(
                "CREATE OR REPLACE TEMP TABLE m_rows AS
                 SELECT n.sku, n.name, coalesce(n.category, o.category) AS category, coalesce(n.price, o.price) AS price,
                        coalesce(n.cost, o.cost) AS cost, coalesce(n.description, o.description) AS description,
                        coalesce(n.brand, o.brand) AS brand, {u} AS upload_id
                 FROM (SELECT sku, any_value(name) AS name, any_value(category) AS category, any_value(price) AS price, any_value(cost) AS cost,
                              any_value(description) AS description, any_value(brand) AS brand FROM stage GROUP BY sku) n
                 LEFT JOIN silver.products o USING (sku);"
            ))?;
            replace(c, "products", &["sku"])?;
            r
        }
        Entity::Customers => {
            let r = stage(c, m, &[("s.customer_id IS NULL AND s.email IS NULL", "customer_id", "no customer id or e-mail")])?;
            customer_lookups(c)?;
            let (joins, key) = customer_key("s.email", "s.customer_id");
            c.conn.execute_batch(&format!(
                "CREATE OR REPLACE TEMP TABLE m_rows AS
                 SELECT n.customer_key, coalesce(n.customer_id, o.customer_id) AS customer_id, coalesce(n.email, o.email) AS email,
                        coalesce(n.first_name, o.first_name) AS first_name, coalesce(n.last_name, o.last_name) AS last_name,
                        coalesce(n.country, o.country) AS country, coalesce(n.region, o.region) AS region, coalesce(n.city, o.city) AS city,
                        coalesce(n.signup_at, o.signup_at) AS signup_at, o.channel, {u} AS upload_id
                 FROM (SELECT {key} AS customer_key, any_value(s.customer_id) AS customer_id, any_value(s.email) AS email,
                              any_value(first_name) AS first_name, any_value(last_name) AS last_name, any_value(country) AS country,
                              any_value(region) AS region, any_value(city) AS city, min(signup_date) AS signup_at
                       FROM stage s {joins} GROUP BY ALL) n
                 LEFT JOIN silver.customers o USING (customer_key);"
            ))?;
            replace(c, "customers", &["customer_key"])?;
            r
        }
        Entity::WebEvents => {
            let r = stage(c, m, &[("s.event_time IS NULL", "event_time", "not a date and time"), ("s.event_type IS NULL", "event_type", "missing event type")])?;
            customer_lookups(c)?;
            let (joins, key) = customer_key("lower(s.customer_id)", "s.customer_id");
            c.conn.execute_batch(&format!(
                "INSERT INTO silver.web_events BY NAME
                 SELECT * FROM (SELECT md5(concat_ws('|', s.event_time, s.event_type, s.session_id, s.customer_id, s.sku, s.search_query, s.order_id)) AS event_key,
                        any_value(event_time) AS event_time,
                        any_value(CASE WHEN lower(event_type) IN ('view', 'page_view', 'product_view', 'view_item') THEN 'view'
                             WHEN lower(event_type) IN ('add_to_cart', 'addtocart', 'add-to-cart', 'cart') THEN 'add_to_cart'
                             WHEN lower(event_type) IN ('checkout', 'begin_checkout', 'initiate_checkout') THEN 'checkout'
                             WHEN lower(event_type) IN ('purchase', 'order', 'transaction', 'buy') THEN 'purchase'
                             ELSE lower(event_type) END) AS event_type,
                        any_value(session_id) AS session_id, any_value({key}) AS customer_key, any_value(sku) AS sku,
                        any_value(search_query) AS search_query, any_value(order_id) AS order_id, any_value(lower(channel)) AS channel,
                        any_value(lower(device)) AS device, {u} AS upload_id
                 FROM stage s {joins} GROUP BY 1) n
                 WHERE NOT EXISTS (SELECT 1 FROM silver.web_events w WHERE w.event_key = n.event_key);"
            ))?;
            r
        }
        Entity::Promotions => {
            let r = stage(c, m, &[("s.code IS NULL", "code", "missing promotion code"), ("s.starts_at IS NULL", "starts_at", "not a date"), ("s.ends_at IS NULL", "ends_at", "not a date"), ("s.ends_at < s.starts_at", "ends_at", "ends before it starts")])?;
            c.conn.execute_batch(&format!(
                "CREATE OR REPLACE TEMP TABLE m_rows AS
                 SELECT n.code, coalesce(n.name, o.name) AS name, coalesce(n.category, o.category) AS category,
                        coalesce(n.discount_percent, o.discount_percent) AS discount_percent, n.starts_on, n.ends_on, {u} AS upload_id
                 FROM (SELECT code, any_value(name) AS name, any_value(category) AS category, any_value(discount_percent) AS discount_percent,
                              CAST(timezone({tz}, min(starts_at)) AS DATE) AS starts_on, CAST(timezone({tz}, max(ends_at)) AS DATE) AS ends_on
                       FROM stage GROUP BY code) n
                 LEFT JOIN silver.promotions o USING (code);",
                tz = lit(c.tz)
            ))?;
            replace(c, "promotions", &["code"])?;
            r
        }
    };
    let accepted = count_stage(c)?;
    Ok(SilverResult { entity: m.entity, rows_read, accepted, rejects })
}

/// Denormalised order lines → orders, order lines, and the products and customers they name.
fn sales(c: &Ctx<'_>, u: i64) -> Result<(), SilverError> {
    let cur = lit(c.currency);
    customer_lookups(c)?;
    let (joins, key) = customer_key("s.customer_email", "s.customer_id");
    c.conn.execute_batch(&format!(
        "CREATE OR REPLACE TEMP TABLE stage_k AS
         SELECT s.*, COALESCE(s.sku, s.product_name) AS item, {key} AS customer_key,
                CASE WHEN length(s.country) = 2 THEN upper(s.country) ELSE s.country END AS country_n
         FROM stage s {joins};

         -- Customers and products named by the lines: add the new ones, fill gaps of known ones.
         CREATE OR REPLACE TEMP TABLE f_customers AS
         SELECT customer_key, any_value(customer_id) AS customer_id, any_value(customer_email) AS email,
                any_value(country_n) AS country, any_value(region) AS region, any_value(city) AS city
         FROM stage_k WHERE customer_key IS NOT NULL GROUP BY customer_key;
         UPDATE silver.customers SET customer_id = coalesce(silver.customers.customer_id, f.customer_id),
                email = coalesce(silver.customers.email, f.email), country = coalesce(silver.customers.country, f.country),
                region = coalesce(silver.customers.region, f.region), city = coalesce(silver.customers.city, f.city)
         FROM f_customers f
         WHERE silver.customers.customer_key = f.customer_key
           AND (silver.customers.customer_id IS NULL OR silver.customers.email IS NULL OR silver.customers.country IS NULL
                OR silver.customers.region IS NULL OR silver.customers.city IS NULL);
         INSERT INTO silver.customers BY NAME
         SELECT f.*, {u} AS upload_id FROM f_customers f
         WHERE NOT EXISTS (SELECT 1 FROM silver.customers k WHERE k.customer_key = f.customer_key);

         CREATE OR REPLACE TEMP TABLE f_products AS
         SELECT item AS sku, any_value(product_name) AS name, any_value(category) AS category FROM stage_k GROUP BY item;
         UPDATE silver.products SET name = coalesce(silver.products.name, f.name), category = coalesce(silver.products.category, f.category)
         FROM f_products f
         WHERE silver.products.sku = f.sku AND (silver.products.name IS NULL OR silver.products.category IS NULL);
         INSERT INTO silver.products BY NAME
         SELECT f.*, {u} AS upload_id FROM f_products f WHERE NOT EXISTS (SELECT 1 FROM silver.products p WHERE p.sku = f.sku);

         -- Orders: the lines' order-level fields win; known values fill gaps. An order seen only
         -- through returns is created, but does not overwrite a known one.
         CREATE OR REPLACE TEMP TABLE m_rows AS
         SELECT n.order_id, n.order_ts, coalesce(n.customer_key, o.customer_key) AS customer_key,
                coalesce(n.country, o.country) AS country, coalesce(n.region, o.region) AS region, coalesce(n.city, o.city) AS city,
                coalesce(n.channel, o.channel) AS channel, n.currency, coalesce(n.discount_code, o.discount_code) AS discount_code,
                coalesce(n.status, o.status) AS status, {u} AS upload_id
         FROM (SELECT order_id, min(order_date) AS order_ts, any_value(customer_key) AS customer_key, any_value(country_n) AS country,
                      any_value(region) AS region, any_value(city) AS city, any_value(lower(channel)) AS channel,
                      coalesce(any_value(upper(currency)), {cur}) AS currency, any_value(discount_code) AS discount_code,
                      any_value(lower(status)) AS status, bool_or(quantity > 0) AS has_sale
               FROM stage_k GROUP BY order_id) n
         LEFT JOIN silver.orders o USING (order_id)
         WHERE n.has_sale OR o.order_id IS NULL;"
    ))?;
    replace(c, "orders", &["order_id"])?;
    c.conn.execute_batch(&format!(
        "CREATE OR REPLACE TEMP TABLE m_rows AS
         SELECT order_id, line_key, any_value(item) AS sku, any_value(product_name) AS product_name, any_value(category) AS category,
                sum(quantity) AS quantity, sum(quantity * unit_price) / nullif(sum(quantity), 0) AS unit_price,
                bool_or(quantity < 0) AS is_return, min(order_date) AS line_ts, {u} AS upload_id
         FROM (SELECT *, item || CASE WHEN quantity < 0 THEN '|return|' || strftime(order_date, '%Y-%m-%d') ELSE '' END AS line_key FROM stage_k)
         GROUP BY order_id, line_key;"
    ))?;
    replace(c, "order_lines", &["order_id", "line_key"])?;
    Ok(())
}
