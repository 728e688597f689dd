//! Recommendations served from the last model run's recommender: a customer's list scored
//! from their purchases at request time (so a new order counts at once), a product's
//! "bought together" and "similar" (by description, from the search vectors). Every item
//! carries its reason, with the products it refers to named.

use super::shop_search::Searches;
use sr360_meta::TenantScope;
use sr360_ml::recommend::{Past, Reason};
use sr360_ml::store::Recommender;
pub use sr360_ml::suggestions::{ForCustomer, ForProduct, Item, ProductRef, Why};
use sr360_warehouse::Warehouses;
use std::collections::HashMap;

#[derive(Debug, thiserror::Error)]
pub enum RecommendError {
    #[error("no recommendations yet: they are made by the model run after an orders upload")]
    NotReady,
    #[error("reading the shop's data: {0}")]
    Data(String),
}

fn data(e: impl std::fmt::Display) -> RecommendError {
    RecommendError::Data(e.to_string())
}

struct Loaded {
    rec: Recommender,
    names: HashMap<String, String>,
    index: HashMap<String, u32>,
}

impl Loaded {
    fn product(&self, i: u32) -> ProductRef {
        let sku = self.rec.skus[i as usize].clone();
        ProductRef {
            name: self.names.get(&sku).cloned().unwrap_or_else(|| sku.clone()),
            sku,
        }
    }

    fn category(&self, c: u32) -> String {
        self.rec
            .categories
            .get(c as usize)
            .cloned()
            .unwrap_or_default()
    }

    fn category_of(&self, i: u32) -> String {
        self.rec
            .model
            .category
            .get(i as usize)
            .map(|c| self.category(*c))
            .unwrap_or_default()
    }

    fn item(&self, i: u32, score: f64, reason: Why) -> Item {
        let p = self.product(i);
        Item {
            category: self.category_of(i),
            sku: p.sku,
            name: p.name,
            score,
            reason,
        }
    }

    fn why(&self, i: u32, r: &Reason) -> Why {
        match r {
            Reason::BuyAgain { times } => Why::BuyAgain { times: *times },
            Reason::BoughtWith { with } => Why::BoughtWith {
                with: self.product(*with),
            },
            Reason::FavouriteCategory { category } => Why::FavouriteCategory {
                category: self.category(*category),
            },
            Reason::FavouriteBrand { brand } => Why::FavouriteBrand {
                brand: self
                    .rec
                    .brands
                    .get(*brand as usize)
                    .cloned()
                    .unwrap_or_default(),
                category: self.category_of(i),
            },
            Reason::Popular => Why::Popular,
            Reason::Similar { to } => Why::Similar {
                to: self.product(*to),
            },
        }
    }
}

/// The recommender and product names, plus whatever `f` reads in the same session.
fn load<T>(
    warehouses: &Warehouses,
    scope: &TenantScope,
    f: impl FnOnce(&sr360_analytics::Session<'_>) -> Result<T, sr360_analytics::QueryError>,
) -> Result<(Loaded, T), RecommendError> {
    let wh = warehouses.open(scope).map_err(data)?;
    let rec = wh
        .with_reader(|c| Ok(sr360_ml::store::recommender(c)?))
        .map_err(data)?
        .ok_or(RecommendError::NotReady)?;
    let (catalogue, extra) = sr360_analytics::session(&wh, |s| {
        Ok((sr360_analytics::baskets::catalogue(s)?, f(s)?))
    })
    .map_err(|e| match e {
        sr360_analytics::QueryError::NoData => RecommendError::NotReady,
        e => data(e),
    })?;
    let names = catalogue.skus.into_iter().zip(catalogue.names).collect();
    let index = rec
        .skus
        .iter()
        .enumerate()
        .map(|(i, s)| (s.clone(), i as u32))
        .collect();
    Ok((Loaded { rec, names, index }, extra))
}

/// Up to `limit` recommendations for the customer with this reference (None: no such
/// customer in this shop).
pub fn for_customer(
    warehouses: &Warehouses,
    searches: &Searches,
    scope: &TenantScope,
    reference: &str,
    limit: usize,
) -> Result<Option<ForCustomer>, RecommendError> {
    let (l, found) = load(
        warehouses,
        scope,
        |s| match sr360_analytics::baskets::customer_key(s, reference)? {
            Some(key) => Ok(Some((
                sr360_analytics::baskets::customer_orders(s, &key)?,
                sr360_analytics::baskets::latest_day(s)?,
            ))),
            None => Ok(None),
        },
    )?;
    let Some((orders, latest)) = found else {
        return Ok(None);
    };
    let orders: Vec<(f64, Vec<u32>)> = orders
        .into_iter()
        .map(|(day, skus)| {
            let items = skus
                .iter()
                .filter_map(|s| l.index.get(s).copied())
                .collect();
            (day, items)
        })
        .collect();
    let past = Past::from_orders(orders.iter().map(|(d, v)| (*d, v.as_slice())));
    // "Now" is the shop's latest order (or the customer's, if later).
    let now = orders
        .iter()
        .map(|(d, _)| *d)
        .fold(latest.unwrap_or(0.0), f64::max);
    let search = searches.shop(scope).ok();
    let similar = |i: u32| -> Vec<(u32, f64)> {
        let Some(s) = &search else { return vec![] };
        s.similar_products(&l.rec.skus[i as usize], 5)
            .into_iter()
            .filter_map(|(sku, sim)| Some((*l.index.get(&sku)?, f64::from(sim))))
            .collect()
    };
    let items = l
        .rec
        .model
        .recommend_with(&past, now, limit, &similar)
        .iter()
        .map(|r| l.item(r.item, r.score, l.why(r.item, &r.reason)))
        .collect();
    Ok(Some(ForCustomer {
        customer: reference.to_string(),
        bought: past.counts().len(),
        items,
    }))
}

/// What goes with the product `sku` and what is like it (None: no such product).
pub fn for_product(
    warehouses: &Warehouses,
    searches: &Searches,
    scope: &TenantScope,
    sku: &str,
    limit: usize,
) -> Result<Option<ForProduct>, RecommendError> {
    let (l, ()) = load(warehouses, scope, |_| Ok(()))?;
    let Some(i) = l.index.get(sku).copied() else {
        return Ok(None);
    };
    let with = l.product(i);
    let bought_together = l
        .rec
        .model
        .bought_together(i, limit)
        .into_iter()
        .map(|(j, share)| l.item(j, share, Why::BoughtWith { with: with.clone() }))
        .collect();
    let similar = match searches.shop(scope) {
        Ok(s) => s
            .similar_products(sku, limit)
            .into_iter()
            .filter_map(|(other, sim)| {
                let j = *l.index.get(&other)?;
                Some(l.item(j, f64::from(sim), Why::Similar { to: with.clone() }))
            })
            .collect(),
        Err(_) => vec![],
    };
    Ok(Some(ForProduct {
        sku: with.sku,
        name: with.name,
        bought_together,
        similar,
    }))
}

/// What a customer without purchases would be offered: the most popular products.
pub fn popular(
    warehouses: &Warehouses,
    scope: &TenantScope,
    limit: usize,
) -> Result<Vec<Item>, RecommendError> {
    let (l, ()) = load(warehouses, scope, |_| Ok(()))?;
    Ok(l.rec
        .model
        .recommend(&Past::default(), 0.0, limit)
        .iter()
        .map(|r| l.item(r.item, r.score, l.why(r.item, &r.reason)))
        .collect())
}
