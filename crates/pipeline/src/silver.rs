//! Silver: typed, validated, de-duplicated rows of the canonical model, merged across
//! uploads by natural keys, so re-uploading an overlapping export updates rows instead of
//! duplicating them. Rows that cannot be read become rejects with line, column, value and
//! reason.
//!
//! One pass over the bronze table types every field, resolves customer keys and evaluates
//! the validation rules (`stage_all`, in memory); each changed table is then written once, as
//! its next version (old rows whose key is not in the upload, plus the upload's rows), and
//! published with gold by [`crate::shadow`]. Keys are kept unique by that merge rather than
//! by index constraints: DuckDB appends columnar data far faster than it maintains a unique
//! index row by row.

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
    #[error(
        "this looks like {entity}, but no column was recognised for: {fields}; confirm the columns on the upload page (or pass a mapping)"
    )]
    MissingRequired { entity: String, fields: String },
}

/// The silver tables and their columns. Created empty on first use; an ingest writes the
/// next version of each table it changes (see [`crate::shadow`]).
pub const TABLES: &[(&str, &str)] = &[
    ("products", "sku VARCHAR NOT NULL, name VARCHAR, category VARCHAR, price DOUBLE, cost DOUBLE,
        description VARCHAR, brand VARCHAR, upload_id BIGINT, subcategory VARCHAR"),
    ("customers", "customer_key VARCHAR NOT NULL, customer_id VARCHAR, email VARCHAR, first_name VARCHAR, last_name VARCHAR,
        country VARCHAR, region VARCHAR, city VARCHAR, signup_at TIMESTAMPTZ, channel VARCHAR, upload_id BIGINT"),
    ("orders", "order_id VARCHAR NOT NULL, order_ts TIMESTAMPTZ, customer_key VARCHAR, country VARCHAR, region VARCHAR,
        city VARCHAR, channel VARCHAR, currency VARCHAR, discount_code VARCHAR, status VARCHAR, upload_id BIGINT, status_text VARCHAR"),
    ("order_lines", "order_id VARCHAR NOT NULL, line_key VARCHAR NOT NULL, sku VARCHAR, product_name VARCHAR, category VARCHAR,
        quantity BIGINT, unit_price DOUBLE, is_return BOOLEAN, line_ts TIMESTAMPTZ, upload_id BIGINT, status VARCHAR"),
    ("web_events", "event_key VARCHAR NOT NULL, event_time TIMESTAMPTZ, event_type VARCHAR, session_id VARCHAR,
        customer_key VARCHAR, sku VARCHAR, search_query VARCHAR, order_id VARCHAR, channel VARCHAR, device VARCHAR, upload_id BIGINT"),
    ("promotions", "code VARCHAR NOT NULL, name VARCHAR, category VARCHAR, discount_percent DOUBLE,
        starts_on DATE, ends_on DATE, upload_id BIGINT"),
    ("period_sales", "period_key VARCHAR NOT NULL, period_start DATE NOT NULL, days INTEGER NOT NULL, store VARCHAR, channel VARCHAR,
        region VARCHAR, category VARCHAR, amount DOUBLE, units DOUBLE, orders DOUBLE, upload_id BIGINT"),
];

/// Create the silver schema and any missing (empty) table.
pub fn create(conn: &Connection) -> Result<(), duckdb::Error> {
    let mut sql = String::from("CREATE SCHEMA IF NOT EXISTS silver;");
    for (name, cols) in TABLES {
        sql.push_str(&format!(
            "CREATE TABLE IF NOT EXISTS silver.{name} ({cols});"
        ));
    }
    conn.execute_batch(&sql)
}

#[derive(Debug, Clone)]
pub struct SilverResult {
    pub entity: Entity,
    pub rows_read: u64,
    pub accepted: u64,
    pub rejects: Vec<Reject>,
    /// Sales: how rows became orders.
    pub orders_from: Option<OrdersFrom>,
    /// Totals per period: how the periods were read.
    pub period: Option<PeriodFacts>,
}

pub struct Ctx<'a> {
    pub conn: &'a Connection,
    /// Where the next versions of changed tables go.
    pub shadow: &'a crate::shadow::Shadow,
    /// The raw table (`bronze.<bronze>`), for samples of a column's values.
    pub bronze: &'a str,
    /// What the staging pass reads its rows from, in the file's order (see
    /// [`crate::bronze::BronzeLoad::source`]).
    pub source: &'a str,
    pub tz: &'a str,
    pub currency: &'a str,
    pub upload_id: i64,
    /// Sample values per column, read once (see [`prefetch`]).
    pub samples: Samples,
}

/// Sample values of the raw table's columns, kept for the ingest: each read of a raw view
/// starts the file reader anew, so one read serves every column.
#[derive(Debug, Default)]
pub struct Samples(std::cell::RefCell<std::collections::HashMap<String, Vec<String>>>);

/// Rows read at once for the samples of all mapped columns.
const SAMPLE_ROWS: usize = 1000;
/// A column with fewer values among them (sparse) is sampled on its own.
const SAMPLE_ENOUGH: usize = 50;

/// Read the first rows of the mapped columns in one query.
fn prefetch(c: &Ctx<'_>, m: &Mapping) -> Result<(), SilverError> {
    let mut cols: Vec<&String> = m.fields.values().collect();
    cols.sort();
    cols.dedup();
    if cols.is_empty() {
        return Ok(());
    }
    let list = cols
        .iter()
        .map(|c| format!("CAST({} AS VARCHAR)", ident(c)))
        .collect::<Vec<_>>()
        .join(", ");
    let mut st = c.conn.prepare(&format!(
        "SELECT {list} FROM bronze.{} LIMIT {SAMPLE_ROWS}",
        c.bronze
    ))?;
    let n = cols.len();
    let rows = st
        .query_map([], |r| {
            (0..n)
                .map(|i| r.get::<_, Option<String>>(i))
                .collect::<Result<Vec<_>, _>>()
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let mut cache = c.samples.0.borrow_mut();
    for (i, col) in cols.iter().enumerate() {
        let values: Vec<String> = rows.iter().filter_map(|r| r[i].clone()).take(500).collect();
        if values.len() >= SAMPLE_ENOUGH || rows.len() < SAMPLE_ROWS {
            cache.insert((*col).clone(), values);
        }
    }
    Ok(())
}

fn sample(c: &Ctx<'_>, col: &str) -> Result<Vec<String>, SilverError> {
    if let Some(v) = c.samples.0.borrow().get(col) {
        return Ok(v.clone());
    }
    let mut st = c.conn.prepare(&format!(
        "SELECT CAST({0} AS VARCHAR) FROM bronze.{1} WHERE {0} IS NOT NULL LIMIT 500",
        ident(col),
        c.bronze
    ))?;
    let v = st
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<Result<Vec<_>, _>>()?;
    c.samples.0.borrow_mut().insert(col.to_string(), v.clone());
    Ok(v)
}

/// The order of day and month in a column of dates like "03/04/2024" that the sample does
/// not decide: read from the whole column (a first part above 12 means day first).
fn day_first(c: &Ctx<'_>, col: &str, sample: &[String]) -> Result<Option<bool>, SilverError> {
    let Some(sep) = sqlexpr::undecided_dates(sample) else {
        return Ok(None);
    };
    let sql = sqlexpr::date_order_sql(col, &format!("bronze.{}", c.bronze), sep);
    let (first, second): (Option<i32>, Option<i32>) =
        c.conn.query_row(&sql, [], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(match (first, second) {
        (Some(a), _) if a > 12 => Some(true),
        (_, Some(b)) if b > 12 => Some(false),
        _ => None,
    })
}

/// Does the sample of `col` hold missing-value markers ("NA", "N/A", "-")?
fn shows_markers(c: &Ctx<'_>, col: &str) -> Result<bool, SilverError> {
    Ok(sample(c, col)?
        .iter()
        .any(|v| !v.trim().is_empty() && crate::mapping::is_missing(v)))
}

fn money(c: &Ctx<'_>, col: &str) -> Result<String, SilverError> {
    Ok(sqlexpr::number(
        col,
        sqlexpr::decimal_comma(&sample(c, col)?),
    ))
}

/// The typed expression of a canonical field (NULL when unmapped).
fn expr(c: &Ctx<'_>, m: &Mapping, field: &str) -> Result<String, SilverError> {
    let spec = FIELDS
        .iter()
        .find(|f| f.entity == m.entity && f.name == field);
    let kind = spec.map_or(Kind::Text, |s| s.kind);
    let has = |f: &str| m.fields.contains_key(f);
    if m.entity == Entity::Sales
        && !has("unit_price")
        && let Some(total) = m.fields.get("line_total")
    {
        // A line total stands in for the unit price: over the quantity, or, when each row is
        // one sale, the total itself (a negative total is a refund of one).
        let t = money(c, total)?;
        if field == "unit_price" {
            return Ok(if has("quantity") {
                format!("({t} / nullif({}, 0))", expr(c, m, "quantity")?)
            } else {
                format!("abs({t})")
            });
        }
        if field == "quantity" && !has("quantity") {
            return Ok(format!(
                "CAST(CASE WHEN {t} < 0 THEN -1 ELSE 1 END AS BIGINT)"
            ));
        }
    }
    // With a unit price, a line total is not read (it is often the order's total, repeated).
    if m.entity == Entity::Sales && field == "line_total" && has("unit_price") {
        return Ok("CAST(NULL AS DOUBLE)".into());
    }
    // Without a quantity each row is one item sold.
    if m.entity == Entity::Sales && field == "quantity" && !has("quantity") {
        return Ok("CAST(1 AS BIGINT)".into());
    }
    // A product list without ids is keyed by the product's name.
    if m.entity == Entity::Products
        && field == "sku"
        && !has("sku")
        && let Some(name) = m.fields.get("name")
    {
        return Ok(sqlexpr::text(name));
    }
    if field == "order_date"
        && let (Some(d), Some(t)) = (m.fields.get("order_date"), m.fields.get("order_time"))
    {
        let sample = sample(c, d)?;
        let order = day_first(c, d, &sample)?;
        return Ok(sqlexpr::date_and_time(d, t, &sample, c.tz, order));
    }
    let Some(col) = m.fields.get(field) else {
        let ty = match kind {
            Kind::Text | Kind::Id | Kind::Key | Kind::Email => "VARCHAR",
            Kind::Integer => "BIGINT",
            Kind::Number | Kind::Money => "DOUBLE",
            Kind::Timestamp => "TIMESTAMPTZ",
            Kind::Flag => "BOOLEAN",
        };
        return Ok(format!("CAST(NULL AS {ty})"));
    };
    Ok(match kind {
        // "NA" is Namibia; elsewhere a sample showing "NA", "N/A" or "-" makes them missing.
        Kind::Text | Kind::Id | Kind::Key => match field {
            "category" | "subcategory" if shows_markers(c, col)? => {
                sqlexpr::category_or_missing(col)
            }
            "category" | "subcategory" => sqlexpr::category(col),
            "country" => sqlexpr::text(col),
            _ if shows_markers(c, col)? => sqlexpr::text_or_missing(col),
            _ => sqlexpr::text(col),
        },
        Kind::Email => format!("lower({})", sqlexpr::text(col)),
        Kind::Integer => sqlexpr::integer(col, sqlexpr::decimal_comma(&sample(c, col)?)),
        Kind::Number | Kind::Money => money(c, col)?,
        Kind::Flag => sqlexpr::flag(col),
        Kind::Timestamp => {
            let sample = sample(c, col)?;
            let order = day_first(c, col, &sample)?;
            sqlexpr::timestamp(col, &sample, c.tz, order)
        }
    })
}

/// Derived columns computed in the same pass as the typed fields: `(select list, joins)`,
/// both over the typed row `s`.
struct Extra {
    cols: String,
    joins: String,
}

impl Extra {
    fn none() -> Self {
        Self {
            cols: String::new(),
            joins: String::new(),
        }
    }
}

/// One pass over the raw rows builds the temp table `stage_all`: typed fields, the `extra`
/// columns, and `_why`, the first failing rule (NULL for a good row; rule conditions are over
/// the typed row `s`), in the order the reader returned the rows. The temp view `stage` holds
/// the good rows. Returns (rows read, rejects); a reject's `line` is its record number among
/// the rows read (1-based), which the caller turns into a line of the file.
fn stage(
    c: &Ctx<'_>,
    m: &Mapping,
    rules: &[(&str, &str, &str)],
    extra: &Extra,
) -> Result<(u64, Vec<Reject>), SilverError> {
    let t = std::time::Instant::now();
    prefetch(c, m)?;
    let fields: Vec<&str> = FIELDS
        .iter()
        .filter(|f| f.entity == m.entity)
        .map(|f| f.name)
        .collect();
    let mut cols = Vec::new();
    for f in &fields {
        cols.push(format!("{} AS {}", expr(c, m, f)?, ident(f)));
    }
    // The raw text of each field a rule names, for the reject's "value".
    let mut raws: Vec<String> = Vec::new();
    for (_, field, _) in rules {
        let name = format!("_raw_{field}");
        if let Some(col) = m.fields.get(*field)
            && !raws.contains(&name)
        {
            cols.push(format!(
                "CAST({} AS VARCHAR) AS {}",
                ident(col),
                ident(&name)
            ));
            raws.push(name);
        }
    }
    let mut case = String::from("CASE");
    for (cond, field, reason) in rules {
        let col = m
            .fields
            .get(*field)
            .cloned()
            .unwrap_or_else(|| field.to_string());
        let raw = if m.fields.contains_key(*field) {
            format!("s.{}", ident(&format!("_raw_{field}")))
        } else {
            "NULL".into()
        };
        case.push_str(&format!(
            " WHEN {cond} THEN {} || '\u{1f}' || coalesce({raw}, '') || '\u{1f}' || {}",
            lit(&col),
            lit(reason)
        ));
    }
    case.push_str(" END");
    // The raw texts only feed `_why`; they are not kept.
    let keep = if raws.is_empty() {
        "s.*".to_string()
    } else {
        let raws: Vec<String> = raws.iter().map(|r| ident(r)).collect();
        format!("s.* EXCLUDE ({})", raws.join(", "))
    };
    // `stage_all` keeps the reader's order (DuckDB preserves insertion order), so a row's
    // `rowid` + 1 is its record number.
    c.conn.execute_batch(&format!(
        "CREATE OR REPLACE TEMP TABLE stage_all AS
         SELECT {keep}{extra_cols}, {case} AS _why FROM (SELECT {cols} FROM {source}) s {joins};
         CREATE OR REPLACE TEMP VIEW stage AS SELECT * EXCLUDE (_why) FROM stage_all WHERE _why IS NULL;",
        extra_cols = extra.cols,
        cols = cols.join(", "),
        source = c.source,
        joins = extra.joins,
    ))?;
    tracing::info!(
        ms = t.elapsed().as_millis() as u64,
        step = "silver.stage",
        "ingest step"
    );
    let rows_read: i64 = c
        .conn
        .query_row("SELECT count(*) FROM stage_all", [], |r| r.get(0))?;
    let mut st = c.conn.prepare(
        "SELECT rowid + 1, _why FROM stage_all WHERE _why IS NOT NULL ORDER BY rowid LIMIT 100000",
    )?;
    let rejects = st
        .query_map([], |r| {
            let row: i64 = r.get(0)?;
            let why: String = r.get(1)?;
            let mut parts = why.splitn(3, '\u{1f}');
            let column = parts.next().map(str::to_string);
            let value: String = parts.next().unwrap_or("").chars().take(200).collect();
            let reason = parts.next().unwrap_or("").to_string();
            Ok(Reject {
                line: row as u64,
                column,
                value,
                reason,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok((rows_read as u64, rejects))
}

fn count_stage(c: &Ctx<'_>) -> Result<u64, SilverError> {
    Ok(c.conn
        .query_row("SELECT count(*) FROM stage", [], |r| r.get::<_, i64>(0))? as u64)
}

/// Lookup tables for resolving customer keys with hash joins (an existing customer with this
/// e-mail or id keeps its key). False when the shop has no customers yet.
fn customer_lookups(c: &Ctx<'_>) -> Result<bool, SilverError> {
    let known: bool = c.conn.query_row(
        "SELECT count(*) > 0 FROM (SELECT 1 FROM silver.customers LIMIT 1)",
        [],
        |r| r.get(0),
    )?;
    if known {
        c.conn.execute_batch(
            "CREATE OR REPLACE TEMP TABLE ck_email AS SELECT email, any_value(customer_key) AS k FROM silver.customers WHERE email IS NOT NULL GROUP BY email;
             CREATE OR REPLACE TEMP TABLE ck_id AS SELECT customer_id, any_value(customer_key) AS k FROM silver.customers WHERE customer_id IS NOT NULL GROUP BY customer_id;",
        )?;
    }
    Ok(known)
}

/// The `customer_key` column resolved in the staging pass: known e-mail, known id, else the
/// e-mail, else the id. Without `known` customers there is nothing to look up.
fn customer_key(known: bool, email: &str, id: &str) -> Extra {
    if !known {
        return Extra {
            cols: format!(", COALESCE({email}, {id}) AS customer_key"),
            joins: String::new(),
        };
    }
    Extra {
        cols: format!(", COALESCE(ce.k, ci.k, {email}, {id}) AS customer_key"),
        joins: format!(
            "LEFT JOIN ck_email ce ON ce.email = {email} LEFT JOIN ck_id ci ON ci.customer_id = {id}"
        ),
    }
}

/// The next version of `silver.<table>`: its rows whose key is not among the upload's rows
/// (`rows`, a query naming the table's columns), plus those rows, written in one statement
/// as a shadow table and published with the rest of the ingest.
fn replace(c: &Ctx<'_>, table: &str, keys: &[&str], rows: &str) -> Result<(), SilverError> {
    let name = format!("silver.{table}");
    let cur = c.shadow.current(&name);
    if cur != name {
        return Err(SilverError::Db(duckdb::Error::InvalidParameterName(
            format!("{name} merged twice in one ingest"),
        )));
    }
    let cols = TABLES
        .iter()
        .find(|(t, _)| *t == table)
        .map(|(_, c)| *c)
        .unwrap_or_default();
    let next = c.shadow.next(&name);
    let same = keys
        .iter()
        .map(|k| format!("n.{k} = o.{k}"))
        .collect::<Vec<_>>()
        .join(" AND ");
    c.conn.execute_batch(&format!(
        "CREATE OR REPLACE TABLE {next} ({cols});
         INSERT INTO {next} BY NAME
         WITH m_rows AS MATERIALIZED ({rows})
         SELECT o.* FROM {cur} o WHERE NOT EXISTS (SELECT 1 FROM m_rows n WHERE {same})
         UNION ALL BY NAME SELECT * FROM m_rows;"
    ))?;
    Ok(())
}

pub fn merge(c: &Ctx<'_>, m: &Mapping) -> Result<SilverResult, SilverError> {
    let missing = crate::mapping::missing(m.entity, &m.fields);
    if !missing.is_empty() {
        return Err(SilverError::MissingRequired {
            entity: m.entity.label().to_string(),
            fields: missing.join("; "),
        });
    }
    create(c.conn)?;
    let u = c.upload_id;
    let mut orders_from = None;
    let mut period = None;
    let (rows_read, rejects) = match m.entity {
        Entity::Sales => {
            let known = customer_lookups(c)?;
            let key = customer_key(known, "s.customer_email", "s.customer_id");
            let extra = Extra {
                cols: format!(
                    "{}, COALESCE(s.sku, s.product_name, {}) AS item, CASE WHEN length(s.country) = 2 THEN upper(s.country) ELSE s.country END AS country_n",
                    key.cols,
                    lit(NOT_ITEMISED)
                ),
                joins: key.joins,
            };
            let has = |f: &str| m.fields.contains_key(f);
            let price = if has("unit_price") {
                "unit_price"
            } else {
                "line_total"
            };
            let mut rules: Vec<(&str, &str, &str)> = Vec::new();
            if has("order_id") {
                rules.push(("s.order_id IS NULL", "order_id", "missing order number"));
            }
            rules.push(("s.order_date IS NULL", "order_date", "not a date and time"));
            if has("quantity") {
                rules.push(("s.quantity IS NULL", "quantity", "not a whole number"));
                rules.push(("s.quantity = 0", "quantity", "quantity is zero"));
            }
            rules.push(("s.unit_price IS NULL", price, "not a price"));
            rules.push(("s.unit_price < 0", price, "negative price"));
            if has("sku") || has("product_name") {
                let f = if has("sku") { "sku" } else { "product_name" };
                rules.push((
                    "s.sku IS NULL AND s.product_name IS NULL",
                    f,
                    "no product SKU or name",
                ));
            }
            let r = stage(c, m, &rules, &extra)?;
            orders_from = Some(sales(c, u, m)?);
            r
        }
        Entity::PeriodSales => {
            let r = stage(
                c,
                m,
                &[
                    ("s.period IS NULL", "period", "not a date"),
                    ("s.amount IS NULL", "amount", "not an amount"),
                ],
                &Extra::none(),
            )?;
            period = Some(period_sales(c, u, m)?);
            r
        }
        Entity::Products => {
            let r = stage(
                c,
                m,
                &[
                    ("s.sku IS NULL", "sku", "missing SKU"),
                    ("s.name IS NULL", "name", "missing product name"),
                    ("s.price < 0", "price", "negative price"),
                ],
                &Extra::none(),
            )?;
            replace(
                c,
                "products",
                &["sku"],
                &format!(
                    "SELECT n.sku, n.name, coalesce(n.category, o.category) AS category, coalesce(n.price, o.price) AS price,
                        coalesce(n.cost, o.cost) AS cost, coalesce(n.description, o.description) AS description,
                        coalesce(n.brand, o.brand) AS brand, {u} AS upload_id, coalesce(n.subcategory, o.subcategory) AS subcategory
                 FROM (SELECT sku, any_value(name) AS name, any_value(category) AS category, any_value(price) AS price, any_value(cost) AS cost,
                              any_value(description) AS description, any_value(brand) AS brand, any_value(subcategory) AS subcategory
                       FROM stage GROUP BY sku) n
                 LEFT JOIN silver.products o USING (sku)"
                ),
            )?;
            r
        }
        Entity::Customers => {
            let known = customer_lookups(c)?;
            let r = stage(
                c,
                m,
                &[(
                    "s.customer_id IS NULL AND s.email IS NULL",
                    "customer_id",
                    "no customer id or e-mail",
                )],
                &customer_key(known, "s.email", "s.customer_id"),
            )?;
            replace(
                c,
                "customers",
                &["customer_key"],
                &format!(
                    "SELECT n.customer_key, coalesce(n.customer_id, o.customer_id) AS customer_id, coalesce(n.email, o.email) AS email,
                        coalesce(n.first_name, o.first_name) AS first_name, coalesce(n.last_name, o.last_name) AS last_name,
                        coalesce(n.country, o.country) AS country, coalesce(n.region, o.region) AS region, coalesce(n.city, o.city) AS city,
                        coalesce(n.signup_at, o.signup_at) AS signup_at, o.channel, {u} AS upload_id
                 FROM (SELECT customer_key, any_value(customer_id) AS customer_id, any_value(email) AS email,
                              any_value(first_name) AS first_name, any_value(last_name) AS last_name, any_value(country) AS country,
                              any_value(region) AS region, any_value(city) AS city, min(signup_date) AS signup_at
                       FROM stage GROUP BY customer_key) n
                 LEFT JOIN silver.customers o USING (customer_key)"
                ),
            )?;
            r
        }
        Entity::WebEvents => {
            let known = customer_lookups(c)?;
            let mut rules = vec![("s.event_time IS NULL", "event_time", "not a date and time")];
            if m.fields.contains_key("event_type") {
                rules.push((
                    "s.event_type IS NULL AND s.converted IS NULL",
                    "event_type",
                    "missing event type",
                ));
            } else {
                rules.push(("s.converted IS NULL", "converted", "not a yes or no"));
            }
            let r = stage(
                c,
                m,
                &rules,
                &customer_key(known, "lower(s.customer_id)", "s.customer_id"),
            )?;
            // A purchase or booking flag makes its row the purchase; without session ids a
            // visitor's events of one day are one session.
            replace(
                c,
                "web_events",
                &["event_key"],
                &format!(
                    "SELECT md5(concat_ws('|', event_time, ev, sess, customer_id, sku, search_query, order_id)) AS event_key,
                        any_value(event_time) AS event_time,
                        any_value(CASE WHEN ev IN ('view', 'page_view', 'pageview', 'product_view', 'view_item', 'product_page',
                                                   'view_product', 'product_detail', 'detail', 'product_viewed', 'viewed_product') THEN 'view'
                             WHEN ev IN ('add_to_cart', 'addtocart', 'add-to-cart', 'cart', 'add_to_basket', 'addtobasket',
                                         'added_to_cart', 'product_added', 'cart_add') THEN 'add_to_cart'
                             WHEN ev IN ('checkout', 'begin_checkout', 'initiate_checkout', 'checkout_start', 'checkout_started',
                                         'shipping_details', 'payment_details', 'add_payment_info', 'add_shipping_info') THEN 'checkout'
                             WHEN ev IN ('purchase', 'order', 'transaction', 'buy', 'order_completed', 'checkout_complete',
                                         'checkout_completed', 'booking', 'booked', 'conversion', 'purchase_completed',
                                         'order_placed', 'completed_order') THEN 'purchase'
                             ELSE ev END) AS event_type,
                        any_value(sess) AS session_id, any_value(customer_key) AS customer_key, any_value(sku) AS sku,
                        any_value(search_query) AS search_query, any_value(order_id) AS order_id, any_value(lower(channel)) AS channel,
                        any_value(lower(device)) AS device, {u} AS upload_id
                 FROM (SELECT *, CASE WHEN converted THEN 'purchase' WHEN event_type IS NULL THEN 'view'
                                      ELSE replace(replace(lower(event_type), ' ', '_'), '-', '_') END AS ev,
                              coalesce(session_id, concat_ws(' ', customer_id, strftime(timezone({tz}, event_time), '%Y-%m-%d'))) AS sess
                       FROM stage)
                 GROUP BY 1",
                    tz = lit(c.tz)
                ),
            )?;
            r
        }
        Entity::Promotions => {
            let r = stage(
                c,
                m,
                &[
                    ("s.code IS NULL", "code", "missing promotion code"),
                    ("s.starts_at IS NULL", "starts_at", "not a date"),
                    ("s.ends_at IS NULL", "ends_at", "not a date"),
                    (
                        "s.ends_at < s.starts_at",
                        "ends_at",
                        "ends before it starts",
                    ),
                ],
                &Extra::none(),
            )?;
            replace(
                c,
                "promotions",
                &["code"],
                &format!(
                    "SELECT n.code, coalesce(n.name, o.name) AS name, coalesce(n.category, o.category) AS category,
                        coalesce(n.discount_percent, o.discount_percent) AS discount_percent, n.starts_on, n.ends_on, {u} AS upload_id
                 FROM (SELECT code, any_value(name) AS name, any_value(category) AS category, any_value(discount_percent) AS discount_percent,
                              CAST(timezone({tz}, min(starts_at)) AS DATE) AS starts_on, CAST(timezone({tz}, max(ends_at)) AS DATE) AS ends_on
                       FROM stage GROUP BY code) n
                 LEFT JOIN silver.promotions o USING (code)",
                    tz = lit(c.tz)
                ),
            )?;
            r
        }
    };
    let accepted = count_stage(c)?;
    Ok(SilverResult {
        entity: m.entity,
        rows_read,
        accepted,
        rejects,
        orders_from,
        period,
    })
}

/// The item of sales rows that name no product (transaction logs, till rolls).
pub const NOT_ITEMISED: &str = "(not itemised)";

/// How the rows of a sales file become orders (said in the validation report).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OrdersFrom {
    /// The file's order numbers.
    Column,
    /// No order numbers: one order per customer and timestamp.
    CustomerAndTime,
    /// No order numbers or customers, but times of day: one order per timestamp.
    Time,
    /// Nothing to group by: every row is an order.
    Row,
}

fn orders_from(c: &Ctx<'_>, m: &Mapping) -> Result<OrdersFrom, SilverError> {
    let has = |f: &str| m.fields.contains_key(f);
    if has("order_id") {
        return Ok(OrdersFrom::Column);
    }
    if has("customer_id") || has("customer_email") {
        return Ok(OrdersFrom::CustomerAndTime);
    }
    let timed = has("order_time")
        || match m.fields.get("order_date") {
            Some(d) => sample(c, d)?.iter().any(|v| v.contains(':')),
            None => false,
        };
    Ok(if timed {
        OrdersFrom::Time
    } else {
        OrdersFrom::Row
    })
}

/// Denormalised order lines → orders, order lines, and the products and customers they name.
/// The staging pass already resolved `customer_key`, `item` and `country_n`; this makes the
/// temp view `sale` with the order each row belongs to and its status class, then writes
/// the tables. Returns how rows became orders.
fn sales(c: &Ctx<'_>, u: i64, m: &Mapping) -> Result<OrdersFrom, SilverError> {
    let cur = lit(c.currency);
    let tz = lit(c.tz);
    let t = std::time::Instant::now();
    let how = orders_from(c, m)?;
    let order = match how {
        OrdersFrom::Column => "order_id".to_string(),
        OrdersFrom::CustomerAndTime => format!(
            "concat_ws(' ', customer_key, strftime(timezone({tz}, order_date), '%Y-%m-%d %H:%M:%S'))"
        ),
        OrdersFrom::Time => format!("strftime(timezone({tz}, order_date), '%Y-%m-%d %H:%M:%S')"),
        OrdersFrom::Row => "'line ' || _rec".to_string(),
    };
    // Only orders made per row need the row's number (`rowid` of the staged rows).
    let staged = if how == OrdersFrom::Row {
        "(SELECT * EXCLUDE (_why), rowid + 1 AS _rec FROM stage_all WHERE _why IS NULL)"
    } else {
        "stage"
    };
    let statuses = m.fields.contains_key("status");
    let refunds = statuses || m.fields.contains_key("refund_amount");
    // Status words are few: each distinct one is classified once, then joined.
    let (class, join) = if statuses {
        c.conn.execute_batch(&format!(
            "CREATE OR REPLACE TEMP TABLE status_map AS SELECT st_text, {} AS st_class FROM (SELECT DISTINCT status AS st_text FROM stage WHERE status IS NOT NULL)",
            crate::status::class_sql("st_text")
        ))?;
        (
            "sm.st_class",
            "LEFT JOIN status_map sm ON sm.st_text = s.status",
        )
    } else {
        ("CAST(NULL AS VARCHAR)", "")
    };
    c.conn.execute_batch(&format!(
        "CREATE OR REPLACE TEMP VIEW sale AS SELECT s.* REPLACE ({order} AS order_id), {class} AS status_class FROM {staged} s {join}"
    ))?;
    let gaps = statuses
        && c.conn.query_row(
            "SELECT count(*) FILTER (WHERE status IS NULL) > 0 FROM stage",
            [],
            |r| r.get::<_, bool>(0),
        )?;
    if gaps {
        // Exports that write the status on an order's first row only (Shopify): its other
        // rows take the order's status.
        c.conn.execute_batch(&format!(
            "CREATE OR REPLACE TEMP TABLE order_class AS SELECT order_id AS oc_order, any_value(status_class) AS oc_class FROM sale WHERE status_class IS NOT NULL GROUP BY order_id;
             CREATE OR REPLACE TEMP VIEW sale AS SELECT s.* REPLACE ({order} AS order_id), coalesce({class}, oc.oc_class) AS status_class
             FROM {staged} s {join} LEFT JOIN order_class oc ON oc.oc_order = {order}"
        ))?;
    }
    // Customers and products named by the lines: new ones are added, known ones keep their
    // values and get their gaps filled.
    replace(
        c,
        "customers",
        &["customer_key"],
        &format!(
            "SELECT f.customer_key, coalesce(o.customer_id, f.customer_id) AS customer_id, coalesce(o.email, f.email) AS email,
                o.first_name, o.last_name, coalesce(o.country, f.country) AS country, coalesce(o.region, f.region) AS region,
                coalesce(o.city, f.city) AS city, o.signup_at, o.channel, coalesce(o.upload_id, {u}) AS upload_id
         FROM (SELECT customer_key, any_value(customer_id) AS customer_id, any_value(customer_email) AS email,
                      any_value(country_n) AS country, any_value(region) AS region, any_value(city) AS city
               FROM sale WHERE customer_key IS NOT NULL GROUP BY customer_key) f
         LEFT JOIN silver.customers o USING (customer_key)"
        ),
    )?;
    replace(
        c,
        "products",
        &["sku"],
        &format!(
            "SELECT f.sku, coalesce(o.name, f.name) AS name, coalesce(o.category, f.category) AS category, o.price, o.cost,
                o.description, o.brand, coalesce(o.upload_id, {u}) AS upload_id, coalesce(o.subcategory, f.subcategory) AS subcategory
         FROM (SELECT item AS sku, any_value(product_name) AS name, any_value(category) AS category,
                      any_value(subcategory) AS subcategory FROM sale WHERE item <> {ni} GROUP BY item) f
         LEFT JOIN silver.products o USING (sku)",
            ni = lit(NOT_ITEMISED)
        ),
    )?;
    tracing::info!(
        ms = t.elapsed().as_millis() as u64,
        step = "silver.customers_products",
        "ingest step"
    );
    // Orders: the lines' order-level fields win; known values fill gaps. An order seen only
    // through returns is created, but does not overwrite a known one. Its status is its
    // sales rows' class (a return row may say "refunded").
    replace(
        c,
        "orders",
        &["order_id"],
        &format!(
            "SELECT n.order_id, n.order_ts, coalesce(n.customer_key, o.customer_key) AS customer_key,
                coalesce(n.country, o.country) AS country, coalesce(n.region, o.region) AS region, coalesce(n.city, o.city) AS city,
                coalesce(n.channel, o.channel) AS channel, n.currency, coalesce(n.discount_code, o.discount_code) AS discount_code,
                coalesce(n.status, o.status) AS status, {u} AS upload_id, coalesce(n.status_text, o.status_text) AS status_text
         FROM (SELECT order_id, min(order_date) AS order_ts, any_value(customer_key) AS customer_key, any_value(country_n) AS country,
                      any_value(region) AS region, any_value(city) AS city, lower(any_value(channel)) AS channel,
                      coalesce(upper(any_value(currency)), {cur}) AS currency, any_value(discount_code) AS discount_code,
                      coalesce(any_value(status_class) FILTER (WHERE quantity > 0), any_value(status_class)) AS status,
                      coalesce(any_value(status) FILTER (WHERE quantity > 0), any_value(status)) AS status_text,
                      bool_or(quantity > 0) AS has_sale
               FROM sale GROUP BY order_id) n
         LEFT JOIN silver.orders o USING (order_id)
         WHERE n.has_sale OR o.order_id IS NULL"
        ),
    )?;
    tracing::info!(
        ms = t.elapsed().as_millis() as u64,
        step = "silver.orders",
        "ingest step"
    );
    // Refunds the file states only by status or amount become return lines (the sale stays,
    // so the order nets to what was kept); an order that has return rows of its own keeps
    // those instead.
    // The orders to refund and the share of each, found first (usually few or none).
    let refunded = refunds
        && {
            c.conn.execute_batch(
            "CREATE OR REPLACE TEMP TABLE refund_share AS
             SELECT order_id AS rs_order, share FROM (
               SELECT order_id,
                      CASE WHEN max(refund_amount) > 0
                           THEN least(max(refund_amount) / nullif(sum(quantity * unit_price) FILTER (WHERE quantity > 0), 0), 1)
                           WHEN bool_or(status_class = 'refunded') THEN 1 ELSE 0 END AS share
               FROM sale
               WHERE order_id IN (SELECT order_id FROM sale WHERE status_class IN ('refunded', 'partly_refunded') OR refund_amount > 0)
               GROUP BY order_id
               HAVING NOT bool_or(quantity < 0))
             WHERE share > 0",
        )?;
            c.conn
                .query_row("SELECT count(*) > 0 FROM refund_share", [], |r| {
                    r.get::<_, bool>(0)
                })?
        };
    let refund_lines = if refunded {
        "UNION ALL
         SELECT b.order_id, b.item, b.product_name, b.category, -b.quantity, b.unit_price * r.share, b.order_date,
                b.status_class, b.item || '|refund'
         FROM b JOIN refund_share r ON r.rs_order = b.order_id
         WHERE b.quantity > 0"
    } else {
        ""
    };
    replace(
        c,
        "order_lines",
        &["order_id", "line_key"],
        &format!(
            // A line is the file's row; the rare rows naming one item twice in an
            // order are summed (grouping every row cost a third more).
            "WITH b AS (SELECT order_id, item, product_name, category, quantity, unit_price, order_date, status_class, refund_amount FROM sale),
                  l AS (SELECT order_id, item, product_name, category, quantity, unit_price, order_date, status_class,
                               CASE WHEN quantity < 0 THEN item || '|return|' || strftime(order_date, '%Y-%m-%d') ELSE item END AS line_key
                        FROM b {refund_lines}),
                  twice AS (SELECT order_id, line_key FROM l GROUP BY ALL HAVING count(*) > 1)
             SELECT order_id, line_key, nullif(item, {ni}) AS sku, product_name, category, quantity, unit_price,
                    quantity < 0 AS is_return, order_date AS line_ts, {u} AS upload_id, status_class AS status
             FROM l ANTI JOIN twice USING (order_id, line_key)
             UNION ALL
             SELECT order_id, line_key, nullif(any_value(item), {ni}), any_value(product_name), any_value(category),
                    sum(quantity), sum(quantity * unit_price) / nullif(sum(quantity), 0),
                    bool_or(quantity < 0), min(order_date), {u}, any_value(status_class)
             FROM l SEMI JOIN twice USING (order_id, line_key)
             GROUP BY order_id, line_key",
            ni = lit(NOT_ITEMISED)
        ),
    )?;
    tracing::info!(
        ms = t.elapsed().as_millis() as u64,
        step = "silver.order_lines",
        "ingest step"
    );
    Ok(how)
}

/// The length of the periods in a file of totals, from the gaps between its distinct dates:
/// `Some(days)` for a fixed length (1, 7, 14…), `None` for calendar months.
fn period_length(c: &Ctx<'_>) -> Result<Option<i64>, SilverError> {
    let gap: Option<f64> = c.conn.query_row(
        &format!(
            "SELECT median(g) FROM (SELECT date_diff('day', lag(d) OVER (ORDER BY d), d) AS g
             FROM (SELECT DISTINCT CAST(timezone({}, period) AS DATE) AS d FROM stage)) WHERE g IS NOT NULL",
            lit(c.tz)
        ),
        [],
        |r| r.get(0),
    )?;
    Ok(match gap {
        None => Some(1),
        Some(g) if (28.0..=31.0).contains(&g) => None,
        Some(g) => Some((g.round() as i64).clamp(1, 366)),
    })
}

/// Totals per period → `silver.period_sales`, keyed by period, store, channel, region and
/// category (an overlapping file replaces those totals). A date names the period's first
/// day, or its last when the column says so ("Week ending").
fn period_sales(c: &Ctx<'_>, u: i64, m: &Mapping) -> Result<PeriodFacts, SilverError> {
    let days = period_length(c)?;
    let ends = m
        .fields
        .get("period")
        .map(|h| crate::mapping::normalize_header(h).contains("end"))
        .unwrap_or(false);
    let len = match days {
        Some(d) => d.to_string(),
        None => "CAST(date_diff('day', d, CAST(d + INTERVAL 1 MONTH AS DATE)) AS INTEGER)".into(),
    };
    let start = match (ends, days) {
        (false, _) => "d".to_string(),
        (true, Some(n)) => format!("CAST(d - INTERVAL {} DAY AS DATE)", n - 1),
        (true, None) => "CAST(date_trunc('month', d) AS DATE)".into(),
    };
    replace(
        c,
        "period_sales",
        &["period_key"],
        &format!(
            "SELECT md5(concat_ws('|', period_start, store, channel, region, category)) AS period_key, period_start,
                    any_value(days) AS days, store, channel, region, category,
                    sum(amount) AS amount, sum(units) AS units, sum(orders) AS orders, {u} AS upload_id
             FROM (SELECT {start} AS period_start, {len} AS days, store, lower(channel) AS channel, region, category, amount, units, orders
                   FROM (SELECT CAST(timezone({tz}, period) AS DATE) AS d, * FROM stage))
             GROUP BY period_start, store, channel, region, category",
            tz = lit(c.tz)
        ),
    )?;
    Ok(PeriodFacts {
        days,
        dated_by_end: ends,
    })
}

/// How a file of totals was read (said in the validation report).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct PeriodFacts {
    /// The length of each period in days; `None` for calendar months.
    pub days: Option<i64>,
    /// Each date names the last day of its period.
    pub dated_by_end: bool,
}
