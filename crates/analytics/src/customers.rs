//! Customers: the most valuable ones, and one customer's page — orders, RFM figures, first
//! and last purchase. Customers are named by an opaque reference (a hash of the internal key,
//! which is often the e-mail), so links and logs never carry personal data; names, e-mails and
//! cities are filled in only for callers allowed to see them.

use crate::QueryError;
use crate::run::Session;
use serde::Serialize;
use utoipa::ToSchema;

/// Whether personal data may be shown. The HTTP edge derives it from the caller's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pii {
    Shown,
    Masked,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct CustomerSummary {
    /// Opaque reference for links (`/customers/<ref>`).
    pub reference: String,
    /// Name or e-mail when allowed, else null.
    pub name: Option<String>,
    pub email: Option<String>,
    pub city: Option<String>,
    pub region: Option<String>,
    pub country: Option<String>,
    pub channel: Option<String>,
    pub orders: i64,
    pub revenue: f64,
    pub aov: Option<f64>,
    pub recency_days: Option<i64>,
    pub tenure_days: Option<i64>,
    pub return_rate: Option<f64>,
    pub first_order: Option<String>,
    pub last_order: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct CustomerOrder {
    pub order_id: String,
    pub date: String,
    pub items: i64,
    pub revenue: f64,
    pub returned: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct CustomerDetail {
    pub summary: CustomerSummary,
    pub orders: Vec<CustomerOrder>,
    /// The customer's segment in the last model run (`champions`, ...).
    pub segment: Option<String>,
}

const SUMMARY: &str = "SELECT d.customer_ref, d.first_name, d.last_name, d.email, d.city, d.region, d.country, d.channel,
        coalesce(f.frequency, 0), coalesce(f.monetary, 0), f.aov, f.recency_days, f.tenure_days, f.return_rate,
        CAST(CAST(d.first_order_at AS DATE) AS VARCHAR), CAST(CAST(d.last_order_at AS DATE) AS VARCHAR)
   FROM gold.dim_customer d JOIN gold.customer_features f USING (customer_key)";

fn summary(r: &duckdb::Row<'_>, pii: Pii) -> Result<CustomerSummary, duckdb::Error> {
    let shown = pii == Pii::Shown;
    let first: Option<String> = r.get(1)?;
    let last: Option<String> = r.get(2)?;
    let email: Option<String> = r.get(3)?;
    let name = [first, last]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    Ok(CustomerSummary {
        reference: r.get(0)?,
        name: shown
            .then(|| {
                if name.is_empty() {
                    email.clone()
                } else {
                    Some(name)
                }
            })
            .flatten(),
        email: if shown { email } else { None },
        city: if shown { r.get(4)? } else { None },
        region: r.get(5)?,
        country: r.get(6)?,
        channel: r.get(7)?,
        orders: r.get(8)?,
        revenue: r.get(9)?,
        aov: r.get(10)?,
        recency_days: r.get(11)?,
        tenure_days: r.get(12)?,
        return_rate: r.get(13)?,
        first_order: r.get(14)?,
        last_order: r.get(15)?,
    })
}

fn ready(s: &Session<'_>) -> Result<(), QueryError> {
    match s.data_range()? {
        Some(_) => Ok(()),
        None => Err(QueryError::NoData),
    }
}

/// The `limit` customers with the most net revenue.
pub fn top_customers(
    s: &Session<'_>,
    limit: u32,
    pii: Pii,
) -> Result<Vec<CustomerSummary>, QueryError> {
    s.cached(&format!("top_customers/{limit}/{pii:?}"), || {
        top(s, limit, pii)
    })
}

fn top(s: &Session<'_>, limit: u32, pii: Pii) -> Result<Vec<CustomerSummary>, QueryError> {
    ready(s)?;
    let mut st = s.conn().prepare(&format!(
        "{SUMMARY} ORDER BY f.monetary DESC, d.customer_ref LIMIT ?"
    ))?;
    let v = st
        .query_map([i64::from(limit.clamp(1, 1000))], |r| summary(r, pii))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(v)
}

/// One customer by reference, with their orders (newest first); None when the shop has no such
/// customer.
pub fn customer(
    s: &Session<'_>,
    reference: &str,
    pii: Pii,
) -> Result<Option<CustomerDetail>, QueryError> {
    s.cached(&format!("customer/{reference}/{pii:?}"), || {
        one(s, reference, pii)
    })
}

fn one(s: &Session<'_>, reference: &str, pii: Pii) -> Result<Option<CustomerDetail>, QueryError> {
    ready(s)?;
    if reference.len() != 16 || !reference.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(None);
    }
    // A customer from the customer export who has not ordered yet is still a customer (search
    // finds them): their page says so instead of answering 404.
    let mut st = s.conn().prepare(&format!(
        "{} WHERE d.customer_ref = ?",
        SUMMARY.replace(
            " JOIN gold.customer_features",
            " LEFT JOIN gold.customer_features"
        )
    ))?;
    let Some(summary) = st
        .query_map([reference], |r| summary(r, pii))?
        .next()
        .transpose()?
    else {
        return Ok(None);
    };
    let mut st = s.conn().prepare(
        "SELECT f.order_id, CAST(min(f.date_key) AS VARCHAR), coalesce(sum(f.quantity) FILTER (WHERE NOT f.is_return), 0), coalesce(sum(f.revenue), 0), bool_or(f.is_return)
         FROM gold.fact_sales f JOIN gold.dim_customer d USING (customer_key) WHERE d.customer_ref = ?
         GROUP BY f.order_id ORDER BY 2 DESC, 1 DESC LIMIT 200",
    )?;
    let orders = st
        .query_map([reference], |r| {
            Ok(CustomerOrder {
                order_id: r.get(0)?,
                date: r.get(1)?,
                items: r.get(2)?,
                revenue: r.get(3)?,
                returned: r.get(4)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let has_segments: i64 = s.conn().query_row(
        "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'ml' AND table_name = 'customer_segments'",
        [],
        |r| r.get(0),
    )?;
    let segment = if has_segments > 0 {
        let mut st = s.conn().prepare(
            "SELECT cs.segment FROM ml.customer_segments cs JOIN gold.dim_customer d USING (customer_key) WHERE d.customer_ref = ?",
        )?;
        st.query_map([reference], |r| r.get::<_, String>(0))?
            .next()
            .transpose()?
    } else {
        None
    };
    Ok(Some(CustomerDetail {
        summary,
        orders,
        segment,
    }))
}

/// The members of a customer segment of the last model run (`ml.customer_segments`), highest
/// value first; empty before the first run.
pub fn segment_members(
    s: &Session<'_>,
    segment: &str,
    limit: u32,
    pii: Pii,
) -> Result<Vec<CustomerSummary>, QueryError> {
    ready(s)?;
    let n: i64 = s.conn().query_row(
        "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'ml' AND table_name = 'customer_segments'",
        [],
        |r| r.get(0),
    )?;
    if n == 0 {
        return Ok(vec![]);
    }
    let mut st = s.conn().prepare(&format!(
        "{SUMMARY} JOIN ml.customer_segments cs USING (customer_key) WHERE cs.segment = ? ORDER BY f.monetary DESC, d.customer_ref LIMIT ?"
    ))?;
    let v = st
        .query_map(
            duckdb::params![segment, i64::from(limit.clamp(1, 10_000))],
            |r| summary(r, pii),
        )?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(v)
}

/// Every customer's features for segmentation: (customer key, recency days, orders, net
/// revenue, tenure days, average order value, return rate), customers with an order only.
pub type Features = (String, f64, f64, f64, f64, f64, f64);

pub fn customer_features(s: &Session<'_>) -> Result<Vec<Features>, QueryError> {
    ready(s)?;
    let mut st = s.conn().prepare(
        "SELECT customer_key, coalesce(recency_days, 0)::DOUBLE, frequency::DOUBLE, monetary::DOUBLE, coalesce(tenure_days, 0)::DOUBLE,
                coalesce(aov, 0)::DOUBLE, coalesce(return_rate, 0)::DOUBLE
         FROM gold.customer_features WHERE frequency > 0 ORDER BY customer_key",
    )?;
    let v = st
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(v)
}
