//! What search indexes from the warehouse: products, customers and orders as plain rows.
//! Personal data (names, e-mails, cities) comes back separately so the caller can keep it in
//! the fields only permitted roles search and see.

use crate::QueryError;
use crate::run::Session;

#[derive(Debug, Clone, PartialEq)]
pub struct FindableProduct {
    pub sku: String,
    pub name: String,
    pub category: String,
    pub brand: Option<String>,
    pub description: Option<String>,
    pub price: Option<f64>,
    pub units: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FindableCustomer {
    pub reference: String,
    pub country: Option<String>,
    pub region: Option<String>,
    pub channel: Option<String>,
    pub orders: i64,
    /// Personal: name, e-mail, city.
    pub name: Option<String>,
    pub email: Option<String>,
    pub city: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FindableOrder {
    pub order_id: String,
    pub day: String,
    pub customer_reference: Option<String>,
    pub lines: i64,
    pub revenue: f64,
    pub currency: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Findables {
    pub products: Vec<FindableProduct>,
    pub customers: Vec<FindableCustomer>,
    pub orders: Vec<FindableOrder>,
}

fn has_gold(s: &Session<'_>) -> Result<bool, QueryError> {
    let n: i64 = s.conn().query_row(
        "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'gold' AND table_name IN ('dim_product', 'dim_customer', 'fact_sales')",
        [],
        |r| r.get(0),
    )?;
    Ok(n == 3)
}

/// Every product, customer and order of the shop (empty before the first upload).
pub fn findables(s: &Session<'_>) -> Result<Findables, QueryError> {
    if !has_gold(s)? {
        return Ok(Findables::default());
    }
    let c = s.conn();
    let mut st = c.prepare(
        "SELECT p.sku, p.name, p.category, p.brand, p.description, p.price::DOUBLE, coalesce(u.units, 0)::BIGINT
         FROM gold.dim_product p
         LEFT JOIN (SELECT sku, sum(quantity) FILTER (WHERE NOT is_return) AS units FROM gold.fact_sales GROUP BY sku) u USING (sku)
         WHERE p.sku IS NOT NULL ORDER BY p.sku",
    )?;
    let products = st
        .query_map([], |r| {
            Ok(FindableProduct {
                sku: r.get(0)?,
                name: r.get(1)?,
                category: r.get(2)?,
                brand: r.get(3)?,
                description: r.get(4)?,
                price: r.get(5)?,
                units: r.get(6)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    let mut st = c.prepare(
        "SELECT d.customer_ref, d.country, d.region, d.channel, coalesce(f.frequency, 0)::BIGINT,
                nullif(trim(concat_ws(' ', d.first_name, d.last_name)), ''), d.email, d.city
         FROM gold.dim_customer d LEFT JOIN gold.customer_features f USING (customer_key)
         ORDER BY d.customer_ref",
    )?;
    let customers = st
        .query_map([], |r| {
            Ok(FindableCustomer {
                reference: r.get(0)?,
                country: r.get(1)?,
                region: r.get(2)?,
                channel: r.get(3)?,
                orders: r.get(4)?,
                name: r.get(5)?,
                email: r.get(6)?,
                city: r.get(7)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    let mut st = c.prepare(
        "SELECT f.order_id, strftime(min(f.date_key), '%Y-%m-%d'), any_value(d.customer_ref),
                count(*) FILTER (WHERE NOT f.is_return)::BIGINT, coalesce(sum(f.revenue) FILTER (WHERE NOT f.is_return), 0)::DOUBLE,
                any_value(f.currency)
         FROM gold.fact_sales f LEFT JOIN gold.dim_customer d USING (customer_key)
         WHERE f.order_id IS NOT NULL GROUP BY f.order_id ORDER BY f.order_id",
    )?;
    let orders = st
        .query_map([], |r| {
            Ok(FindableOrder {
                order_id: r.get(0)?,
                day: r.get(1)?,
                customer_reference: r.get(2)?,
                lines: r.get(3)?,
                revenue: r.get(4)?,
                currency: r.get(5)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(Findables {
        products,
        customers,
        orders,
    })
}
