//! Purchases as the recommender sees them: the catalogue (every product, sold or not, with
//! its category) and each order's distinct products, in time order. Returns are left out: a
//! returned item is not a taste.

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
    /// (customer, distinct products) per order, oldest first.
    pub baskets: Vec<(u32, Vec<u32>)>,
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

/// The catalogue and every order's distinct products, oldest order first.
pub fn purchases(s: &Session<'_>) -> Result<Purchases, QueryError> {
    let catalogue = catalogue(s)?;
    let index = catalogue.index();
    let mut st = s.conn().prepare(
        "SELECT customer_key, order_id, sku FROM (
           SELECT customer_key, order_id, sku, min(line_ts) OVER (PARTITION BY order_id) AS t
           FROM gold.fact_sales
           WHERE NOT is_return AND customer_key IS NOT NULL AND sku IS NOT NULL AND order_id IS NOT NULL
         ) GROUP BY ALL ORDER BY min(t), order_id, sku",
    )?;
    let rows = st.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
        ))
    })?;
    let mut customers = Names::default();
    let mut out = Purchases::default();
    let mut current: Option<String> = None;
    for row in rows {
        let (customer, order, sku) = row?;
        let Some(item) = index.get(sku.as_str()).copied() else {
            continue;
        };
        if current.as_deref() != Some(order.as_str()) {
            out.baskets.push((customers.id(customer), vec![]));
            current = Some(order);
        }
        if let Some(b) = out.baskets.last_mut() {
            b.1.push(item);
        }
    }
    out.catalogue = catalogue;
    out.customers = customers.list;
    Ok(out)
}

/// One customer's products and in how many orders each appears (by customer key).
pub fn customer_items(
    s: &Session<'_>,
    customer_key: &str,
) -> Result<Vec<(String, u32)>, QueryError> {
    let mut st = s.conn().prepare(
        "SELECT sku, count(DISTINCT order_id)::INTEGER FROM gold.fact_sales
         WHERE customer_key = ? AND NOT is_return AND sku IS NOT NULL GROUP BY sku ORDER BY sku",
    )?;
    let rows = st.query_map([customer_key], |r| {
        Ok((r.get(0)?, r.get::<_, i32>(1)? as u32))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The warehouse key of the customer with this public reference, if the shop has one.
pub fn customer_key(s: &Session<'_>, reference: &str) -> Result<Option<String>, QueryError> {
    let mut st = s
        .conn()
        .prepare("SELECT customer_key FROM gold.dim_customer WHERE customer_ref = ? LIMIT 1")?;
    let mut rows = st.query_map([reference], |r| r.get::<_, String>(0))?;
    Ok(rows.next().transpose()?)
}
