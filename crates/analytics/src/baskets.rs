//! Purchases as the recommender sees them: the catalogue (every product, sold or not, with
//! its category) and each order's distinct products, in time order. Returns are taken out:
//! a returned item is not a taste, and neither its return line nor its purchase counts.

use crate::QueryError;
use crate::run::Session;
use std::collections::HashMap;

/// Names numbered in the order first seen (categories, brands, customers): the numbers index
/// into `list`.
#[derive(Debug, Clone, Default)]
pub struct Names {
    pub list: Vec<String>,
    index: HashMap<String, u32>,
}

impl Names {
    /// The number of `name`, given it if new.
    pub fn id(&mut self, name: String) -> u32 {
        let next = self.list.len() as u32;
        *self.index.entry(name).or_insert_with_key(|n| {
            self.list.push(n.clone());
            next
        })
    }
}

#[derive(Debug, Clone, Default)]
pub struct Catalogue {
    pub skus: Vec<String>,
    pub names: Vec<String>,
    /// Category names; `category_of[i]` indexes into it.
    pub categories: Vec<String>,
    pub category_of: Vec<u32>,
    /// Brand names; `brand_of[i]` indexes into it (`None`: the product has no brand).
    pub brands: Vec<String>,
    pub brand_of: Vec<Option<u32>>,
}

impl Catalogue {
    pub fn index(&self) -> HashMap<&str, u32> {
        self.skus
            .iter()
            .enumerate()
            .map(|(i, s)| (s.as_str(), i as u32))
            .collect()
    }
}

#[derive(Debug, Clone, Default)]
pub struct Purchases {
    pub catalogue: Catalogue,
    /// Customer keys; baskets refer to them by index.
    pub customers: Vec<String>,
    /// (customer, day, distinct products) per order, oldest first; the day counts from
    /// 1970-01-01 (fractions are the time of day).
    pub baskets: Vec<(u32, f64, Vec<u32>)>,
}

/// Every product: those of the product file and any sold without one.
pub fn catalogue(s: &Session<'_>) -> Result<Catalogue, QueryError> {
    let mut st = s.conn().prepare(
        "SELECT sku, any_value(name), any_value(category), any_value(brand) FROM (
           SELECT sku, name, category, nullif(trim(brand), '') AS brand FROM gold.dim_product
           UNION ALL
           SELECT DISTINCT sku, sku, category, NULL FROM gold.fact_sales
           WHERE sku IS NOT NULL AND sku NOT IN (SELECT sku FROM gold.dim_product WHERE sku IS NOT NULL)
         ) WHERE sku IS NOT NULL GROUP BY sku ORDER BY sku",
    )?;
    let rows = st.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, Option<String>>(1)?,
            r.get::<_, Option<String>>(2)?,
            r.get::<_, Option<String>>(3)?,
        ))
    })?;
    let mut c = Catalogue::default();
    let (mut cats, mut brands) = (Names::default(), Names::default());
    for row in rows {
        let (sku, name, category, brand) = row?;
        c.brand_of.push(brand.map(|b| brands.id(b)));
        let id = cats.id(category.unwrap_or_else(|| "uncategorised".into()));
        c.names.push(name.unwrap_or_else(|| sku.clone()));
        c.skus.push(sku);
        c.category_of.push(id);
    }
    c.categories = cats.list;
    c.brands = brands.list;
    Ok(c)
}

/// Every order line a customer kept: (customer, order, sku, day of the order). A return
/// cancels what it returns: in its own order first, then the customer's latest purchases
/// of the product (a return logged as an order of its own). `{who}` narrows to one
/// customer.
const KEPT: &str = "WITH lines AS (
       SELECT customer_key AS c, order_id AS o, sku, coalesce(abs(quantity), 1) AS q, is_return AS r, line_ts AS t
       FROM gold.fact_sales
       WHERE customer_key IS NOT NULL AND sku IS NOT NULL AND order_id IS NOT NULL {who}),
     per_order AS (
       SELECT c, o, sku, coalesce(sum(q) FILTER (WHERE NOT r), 0) AS bought,
              coalesce(sum(q) FILTER (WHERE r), 0) AS returned, min(t) FILTER (WHERE NOT r) AS t
       FROM lines GROUP BY c, o, sku),
     loose AS (
       SELECT c, sku, sum(returned - least(returned, bought)) AS left_over FROM per_order GROUP BY c, sku),
     kept AS (
       SELECT c, o, sku, t, bought - least(returned, bought) AS net FROM per_order WHERE bought > returned),
     ordered AS (
       SELECT k.c, k.o, k.sku, k.t, k.net, coalesce(l.left_over, 0) AS left_over,
              sum(k.net) OVER (PARTITION BY k.c, k.sku ORDER BY k.t DESC, k.o DESC) AS cum
       FROM kept k LEFT JOIN loose l ON l.c = k.c AND l.sku = k.sku),
     bought AS (
       SELECT c, o, sku, epoch(min(t) OVER (PARTITION BY o)) / 86400.0 AS day
       FROM ordered WHERE cum > left_over)";

/// The catalogue and every order's distinct products, oldest order first.
pub fn purchases(s: &Session<'_>) -> Result<Purchases, QueryError> {
    let catalogue = catalogue(s)?;
    let index = catalogue.index();
    let sql = format!(
        "{} SELECT c, o, sku, min(day) FROM bought GROUP BY c, o, sku ORDER BY min(day), o, sku",
        KEPT.replace("{who}", "")
    );
    let mut st = s.conn().prepare(&sql)?;
    let rows = st.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, Option<f64>>(3)?,
        ))
    })?;
    let mut customers = Names::default();
    let mut out = Purchases::default();
    let mut current: Option<String> = None;
    for row in rows {
        let (customer, order, sku, day) = row?;
        let Some(item) = index.get(sku.as_str()).copied() else {
            continue;
        };
        if current.as_deref() != Some(order.as_str()) {
            out.baskets
                .push((customers.id(customer), day.unwrap_or(0.0), vec![]));
            current = Some(order);
        }
        if let Some(b) = out.baskets.last_mut() {
            b.2.push(item);
        }
    }
    out.catalogue = catalogue;
    out.customers = customers.list;
    Ok(out)
}

/// One customer's orders (by customer key): the day of each (as in [`Purchases`]) and the
/// products they kept from it, oldest first.
pub fn customer_orders(
    s: &Session<'_>,
    customer_key: &str,
) -> Result<Vec<(f64, Vec<String>)>, QueryError> {
    let sql = format!(
        "{} SELECT o, min(day), list(DISTINCT sku ORDER BY sku) FROM bought GROUP BY o ORDER BY min(day), o",
        KEPT.replace("{who}", "AND customer_key = ?")
    );
    let mut st = s.conn().prepare(&sql)?;
    let rows = st.query_map([customer_key], |r| {
        Ok((
            r.get::<_, Option<f64>>(1)?,
            r.get::<_, duckdb::types::Value>(2)?,
        ))
    })?;
    let mut out = vec![];
    for row in rows {
        let (day, skus) = row?;
        let skus = match skus {
            duckdb::types::Value::List(v) => v
                .into_iter()
                .filter_map(|x| match x {
                    duckdb::types::Value::Text(t) => Some(t),
                    _ => None,
                })
                .collect(),
            _ => vec![],
        };
        out.push((day.unwrap_or(0.0), skus));
    }
    Ok(out)
}

/// The day (as in [`Purchases`]) of the shop's latest order: "now" for its recommendations,
/// so a shop whose data stops some time ago is read as of its data.
pub fn latest_day(s: &Session<'_>) -> Result<Option<f64>, QueryError> {
    let mut st = s
        .conn()
        .prepare("SELECT epoch(max(line_ts)) / 86400.0 FROM gold.fact_sales WHERE NOT is_return")?;
    let mut rows = st.query_map([], |r| r.get::<_, Option<f64>>(0))?;
    Ok(rows.next().transpose()?.flatten())
}

/// The warehouse key of the customer with this public reference, if the shop has one.
pub fn customer_key(s: &Session<'_>, reference: &str) -> Result<Option<String>, QueryError> {
    let mut st = s
        .conn()
        .prepare("SELECT customer_key FROM gold.dim_customer WHERE customer_ref = ? LIMIT 1")?;
    let mut rows = st.query_map([reference], |r| r.get::<_, String>(0))?;
    Ok(rows.next().transpose()?)
}
