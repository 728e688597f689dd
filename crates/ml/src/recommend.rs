//! Recommendations from purchases, each with its reason.
//!
//! A shop's strongest signal is what a customer buys again (coffee, cat food, face cream),
//! and when: how often they bought it, how recently, and whether it is about due by their
//! own rhythm or the item's. Then what is bought with what they have, then what people who
//! like the same categories buy. The model keeps, per product, its buyers, how many of them
//! bought it again, the usual days between two purchases of it, and its strongest
//! co-purchases; a customer's list is scored from their own orders at request time, so it is
//! current the moment an order lands in gold and the stored model stays small (products ×
//! neighbours, not customers × products).
//!
//! A customer's candidates are what they may buy again, what goes with or is like what they
//! have, and what sells best overall and in their categories. Each is described by a few
//! signals ([`FEATURES`]) and scored by a logistic model of "their next order holds it".
//! How the signals trade off differs by shop (a grocer's customers re-buy weekly, a
//! bookshop's never), so each fit learns the weights from the shop's own data: the orders
//! before each customer's latest against what that order held. The weights start from
//! [`PRIOR`] and move as far as the data carry them ([`crate::ranker`]).
//! - Durable goods (a kettle, earbuds, a book) are not offered again once bought: an item is
//!   offered again only when its buyers re-buy it more often than chance (its re-buy rate,
//!   learned from the shop's data, shrunk toward its category's).
//! - Returned items are not purchases (the query layer removes them before they get here).
//! - A customer without history gets the most popular items.
//! - The reason shown is the signal that adds most to the item's score.
//!
//! Content similarity (embeddings of product texts) reaches new products, which have no
//! co-purchases yet, through the `similar` callback of [`Model::recommend_with`]. How the
//! list compares with simple and published baselines is [`crate::rec_eval`]'s.

use crate::ranker::{self, Example};
use serde::Serialize;
use std::collections::HashMap;

/// One order: its customer, its day (days since any fixed origin) and the distinct products
/// on it (indices into the catalogue).
#[derive(Debug, Clone)]
pub struct Basket {
    pub customer: u32,
    pub day: f64,
    pub items: Vec<u32>,
}

/// Why an item is recommended.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Reason {
    /// The customer bought it `times` before and it is something people buy again.
    BuyAgain { times: u32 },
    /// Often bought together with `with`, which the customer has.
    BoughtWith { with: u32 },
    /// Popular in a category the customer buys from.
    FavouriteCategory { category: u32 },
    /// From a brand the customer buys in its category.
    FavouriteBrand { brand: u32 },
    /// Popular with everyone (no history to go on).
    Popular,
    /// Like `to`, which the customer has, by its description (new products have no
    /// co-purchases yet).
    Similar { to: u32 },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Recommendation {
    pub item: u32,
    /// Estimated chance that the customer's next order holds the item.
    pub score: f64,
    pub reason: Reason,
}

/// The brand of an item that has none.
pub const NO_BRAND: u32 = u32::MAX;

/// What the ranker knows about an item for a customer.
pub const FEATURES: [&str; 11] = [
    // The customer bought it before (0 or 1) ...
    "owned",
    // ... in ln(1 + this many) orders ...
    "times",
    // ... and its re-buy rate (0 when not owned).
    "rebuy",
    // ln of the share of customers who bought it.
    "popularity",
    // The customer's share of buying in its category over the shop's (shrunk; 1 = typical;
    // 0 when the shop has no categories).
    "category",
    // ln(1 + 10 × the largest share of the buyers of an item the customer has who also
    // bought it): a confidence, not a lift, so rare items are not favoured.
    "bought_with",
    // The customer bought its brand in its category before (0 or 1; 0 when owned).
    "brand",
    // Share of the customer's orders that held it.
    "share",
    // The same share with recent orders weighing more (each order back counts 0.8 times the
    // one after it).
    "recent",
    // It was in the customer's latest order (0 or 1).
    "last",
    // How due it is: 1 when the days since it was last bought match the customer's usual
    // gap for it (or, bought once, the item's usual gap), falling toward 0 off that rhythm.
    "due",
];
const F: usize = FEATURES.len();

/// The ranker's weights, one per [`FEATURES`] entry.
pub type Weights = ranker::Weights<F>;

/// Weights a shop starts from: about what the demo shop and a grocery sample learn. A shop
/// with little history keeps close to them; one with plenty learns its own.
pub const PRIOR: Weights = Weights {
    bias: -3.6,
    w: [0.6, 0.5, 2.5, 0.5, 0.15, 0.8, 0.4, 1.5, 2.0, 0.3, 0.5],
};
/// How firmly the prior holds (see [`ranker::fit`]).
const PRIOR_STRENGTH: f64 = 20.0;
/// Customers whose latest order trains the ranker (evenly spread when there are more).
const TRAIN_CUSTOMERS: usize = 3_000;
/// A content similarity of 1 counts as a co-purchase share this large.
const SIMILAR_SHARE: f64 = 0.5;
/// Each order back weighs this much of the one after it in the "recent" share.
const DECAY: f64 = 0.8;

/// Fitted recommendation model.
#[derive(Debug, Clone)]
pub struct Model {
    /// Category of each item (index into the caller's category list).
    pub category: Vec<u32>,
    /// Brand of each item (index into the caller's brand list, or [`NO_BRAND`]).
    pub brand: Vec<u32>,
    /// Customers who bought each item.
    pub buyers: Vec<u32>,
    /// Share of its buyers expected to buy it again (shrunk toward the category).
    pub rebuy: Vec<f64>,
    /// Median days between two purchases of each item by one customer (0: nobody bought it
    /// twice on different days).
    pub gap: Vec<f64>,
    /// Strongest co-purchases of each item: (other, share of the item's buyers who bought it).
    pub neighbours: Vec<Vec<(u32, f64)>>,
    /// Items by buyers, most first.
    pub popular: Vec<u32>,
    /// The most bought items of each category, most first.
    pub popular_in: Vec<Vec<u32>>,
    /// Share of all purchases falling in each category.
    pub category_share: Vec<f64>,
    /// Buyers of a typical bought item of each category: what an item nobody has bought yet
    /// (a new product) is assumed to draw, rather than nothing.
    pub typical_buyers: Vec<f64>,
    /// Customers seen.
    pub customers: u32,
    /// How the signals add up for this shop.
    pub weights: Weights,
}

/// Neighbours kept per item.
pub const NEIGHBOURS: usize = 30;
/// Pseudo-buyers that pull an item's re-buy rate toward its category's.
const SHRINK: f64 = 5.0;
/// Re-buy rate under which a bought item is not offered again: fewer than 2 in 100 of its
/// buyers ever bought it a second time (shrunk toward its category), as with a kettle or a
/// novel. Above it the ranker decides, from how often and how recently the customer bought
/// it.
pub const MIN_REBUY: f64 = 0.02;
/// Candidates drawn from overall popularity, and from each category the customer buys in.
const POPULAR: usize = 100;
const POPULAR_IN: usize = 20;

/// What one customer's orders say about one item.
#[derive(Debug, Clone, Copy, Default)]
struct Held {
    /// Orders holding it.
    times: u32,
    first: f64,
    last: f64,
    /// Decayed share of the customer's orders holding it.
    recent: f64,
    /// In the latest order.
    in_last: bool,
}

/// A customer's past as the ranker reads it: per item how often, how recently and when.
#[derive(Debug, Clone, Default)]
pub struct Past {
    /// Orders.
    pub orders: u32,
    items: HashMap<u32, Held>,
}

impl Past {
    /// From the customer's orders (day, distinct items), in any order.
    pub fn from_orders<'a>(orders: impl IntoIterator<Item = (f64, &'a [u32])>) -> Past {
        let mut orders: Vec<(f64, &[u32])> = orders.into_iter().collect();
        orders.sort_by(|a, b| a.0.total_cmp(&b.0));
        let n = orders.len();
        let norm: f64 = (0..n).map(|k| DECAY.powi(k as i32)).sum();
        let mut items: HashMap<u32, Held> = HashMap::new();
        for (k, (day, basket)) in orders.iter().enumerate() {
            let w = DECAY.powi((n - 1 - k) as i32) / norm.max(1e-12);
            let mut distinct = basket.to_vec();
            distinct.sort_unstable();
            distinct.dedup();
            for i in distinct {
                let h = items.entry(i).or_insert(Held {
                    first: *day,
                    ..Held::default()
                });
                h.times += 1;
                h.last = *day;
                h.recent += w;
                h.in_last = k + 1 == n;
            }
        }
        Past {
            orders: n as u32,
            items,
        }
    }

    /// Items and the orders holding each, item order.
    pub fn counts(&self) -> Vec<(u32, u32)> {
        let mut v: Vec<(u32, u32)> = self.items.iter().map(|(i, h)| (*i, h.times)).collect();
        v.sort_unstable();
        v
    }

    /// Orders holding `item`.
    pub fn times(&self, item: u32) -> u32 {
        self.items.get(&item).map_or(0, |h| h.times)
    }

    /// The day `item` was last bought.
    pub fn last_day(&self, item: u32) -> Option<f64> {
        self.items.get(&item).map(|h| h.last)
    }

    /// The recency-weighted share of orders holding `item`.
    pub fn recent(&self, item: u32) -> f64 {
        self.items.get(&item).map_or(0.0, |h| h.recent)
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

/// An item worth scoring for a customer, with its features and its strongest link to
/// their history (a co-purchase or a likeness).
struct Candidate {
    item: u32,
    x: [f64; F],
    link: Option<Reason>,
}

/// Each customer's orders (day, items), oldest first.
pub(crate) fn orders_by_customer(baskets: &[Basket]) -> HashMap<u32, Vec<(f64, &[u32])>> {
    let mut h: HashMap<u32, Vec<(f64, &[u32])>> = HashMap::new();
    for b in baskets {
        h.entry(b.customer)
            .or_default()
            .push((b.day, b.items.as_slice()));
    }
    h
}

/// Each customer's last basket (by position) when they have an earlier one, and the
/// baskets without those.
pub(crate) fn hold_out_last(baskets: &[Basket]) -> (Vec<Basket>, HashMap<u32, usize>) {
    let mut last: HashMap<u32, usize> = HashMap::new();
    let mut count: HashMap<u32, usize> = HashMap::new();
    for (n, b) in baskets.iter().enumerate() {
        last.insert(b.customer, n);
        *count.entry(b.customer).or_default() += 1;
    }
    let held: HashMap<u32, usize> = last.into_iter().filter(|(c, _)| count[c] >= 2).collect();
    let rest = baskets
        .iter()
        .enumerate()
        .filter(|(n, b)| held.get(&b.customer) != Some(n))
        .map(|(_, b)| b.clone())
        .collect();
    (rest, held)
}

impl Model {
    /// Fit on `baskets` (oldest first) for a catalogue whose item `i` is in category
    /// `category[i]` and of brand `brand[i]` (missing: no brand): the counts from every
    /// basket, the weights from how well the orders before each customer's latest foretell
    /// that order.
    pub fn fit(baskets: &[Basket], category: &[u32], brand: &[Option<u32>]) -> Model {
        let (earlier, held) = hold_out_last(baskets);
        let inner = Model::counts(&earlier, category, brand);
        let history = orders_by_customer(&earlier);
        let mut who: Vec<(u32, usize)> = held.into_iter().collect();
        who.sort_unstable();
        let stride = who.len().div_ceil(TRAIN_CUSTOMERS).max(1);
        let mut examples = vec![];
        for (c, n) in who.iter().step_by(stride) {
            let target = &baskets[*n];
            let past = Past::from_orders(history.get(c).cloned().unwrap_or_default());
            for cand in inner.candidates(&past, target.day, &|_| vec![]) {
                examples.push(Example {
                    x: cand.x,
                    y: target.items.contains(&cand.item),
                });
            }
        }
        let mut model = Model::counts(baskets, category, brand);
        model.weights = ranker::fit(&examples, &PRIOR, PRIOR_STRENGTH);
        model
    }

    /// Buyers, re-buy rates, usual gaps and co-purchases of every item, with the prior
    /// weights.
    fn counts(baskets: &[Basket], category: &[u32], brand: &[Option<u32>]) -> Model {
        let n = category.len();
        let n_cat = category.iter().map(|c| *c as usize + 1).max().unwrap_or(0);
        let histories = orders_by_customer(baskets);
        let mut buyers = vec![0u32; n];
        let mut again = vec![0u32; n];
        let mut gaps: Vec<Vec<f64>> = vec![vec![]; n];
        let mut pasts: Vec<Vec<u32>> = Vec::with_capacity(histories.len());
        for orders in histories.values() {
            // Orders holding each item, and the days it was bought on, in order.
            let mut days: HashMap<u32, (u32, Vec<f64>)> = HashMap::new();
            for (day, items) in orders {
                for i in items.iter().filter(|i| (**i as usize) < n) {
                    let (k, d) = days.entry(*i).or_default();
                    *k += 1;
                    if d.last() != Some(day) {
                        d.push(*day);
                    }
                }
            }
            let mut mine: Vec<u32> = days.keys().copied().collect();
            mine.sort_unstable();
            for (i, (k, d)) in &days {
                buyers[*i as usize] += 1;
                again[*i as usize] += u32::from(*k >= 2);
                gaps[*i as usize].extend(d.windows(2).map(|w| w[1] - w[0]).filter(|g| *g > 0.0));
            }
            pasts.push(mine);
        }
        let (mut cat_buyers, mut cat_again) = (vec![0f64; n_cat], vec![0f64; n_cat]);
        for i in 0..n {
            cat_buyers[category[i] as usize] += f64::from(buyers[i]);
            cat_again[category[i] as usize] += f64::from(again[i]);
        }
        let rebuy = (0..n)
            .map(|i| {
                let c = category[i] as usize;
                let prior = if cat_buyers[c] > 0.0 {
                    cat_again[c] / cat_buyers[c]
                } else {
                    0.0
                };
                (f64::from(again[i]) + SHRINK * prior) / (f64::from(buyers[i]) + SHRINK)
            })
            .collect();
        let gap = gaps.into_iter().map(crate::segments::median).collect();
        // Co-occurrence over customers' whole histories (bought by the same customer).
        let mut co: Vec<HashMap<u32, u32>> = vec![HashMap::new(); n];
        for items in &pasts {
            for a in items {
                for b in items {
                    if a != b {
                        *co[*a as usize].entry(*b).or_default() += 1;
                    }
                }
            }
        }
        let neighbours = co
            .into_iter()
            .enumerate()
            .map(|(i, m)| {
                let mut v: Vec<(u32, f64)> = m
                    .into_iter()
                    .filter(|(_, k)| *k >= 2)
                    .map(|(j, k)| (j, f64::from(k) / f64::from(buyers[i].max(1))))
                    .collect();
                v.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
                v.truncate(NEIGHBOURS);
                v
            })
            .collect();
        let brand = (0..n)
            .map(|i| brand.get(i).copied().flatten().unwrap_or(NO_BRAND))
            .collect();
        Model::from_parts(
            category.to_vec(),
            brand,
            buyers,
            rebuy,
            gap,
            neighbours,
            histories.len() as u32,
            PRIOR,
        )
    }

    /// A model from its stored parts (popularity and category shares follow from them).
    #[allow(clippy::too_many_arguments)]
    pub fn from_parts(
        category: Vec<u32>,
        brand: Vec<u32>,
        buyers: Vec<u32>,
        rebuy: Vec<f64>,
        gap: Vec<f64>,
        neighbours: Vec<Vec<(u32, f64)>>,
        customers: u32,
        weights: Weights,
    ) -> Model {
        let n_cat = category.iter().map(|c| *c as usize + 1).max().unwrap_or(0);
        let mut cat_buyers = vec![0f64; n_cat];
        for (i, c) in category.iter().enumerate() {
            cat_buyers[*c as usize] += f64::from(buyers[i]);
        }
        let total: f64 = cat_buyers.iter().sum();
        let category_share = cat_buyers
            .iter()
            .map(|b| if total > 0.0 { b / total } else { 0.0 })
            .collect();
        let mut popular: Vec<u32> = (0..category.len() as u32)
            .filter(|i| buyers[*i as usize] > 0)
            .collect();
        popular.sort_by(|a, b| buyers[*b as usize].cmp(&buyers[*a as usize]).then(a.cmp(b)));
        let mut sold_items = vec![0f64; n_cat];
        for i in &popular {
            sold_items[category[*i as usize] as usize] += 1.0;
        }
        let typical_buyers = (0..n_cat)
            .map(|c| cat_buyers[c] / sold_items[c].max(1.0))
            .collect();
        let mut popular_in: Vec<Vec<u32>> = vec![vec![]; n_cat];
        for i in &popular {
            let c = &mut popular_in[category[*i as usize] as usize];
            if c.len() < POPULAR_IN {
                c.push(*i);
            }
        }
        let mut gap = gap;
        gap.resize(category.len(), 0.0);
        Model {
            category,
            brand,
            buyers,
            rebuy,
            gap,
            neighbours,
            popular,
            popular_in,
            category_share,
            typical_buyers,
            customers,
            weights,
        }
    }

    fn base_rate(&self, i: u32) -> f64 {
        f64::from(self.buyers[i as usize]) / f64::from(self.customers.max(1))
    }

    /// The popularity signal: the item's base rate, or its category's typical one while
    /// nobody has bought it (unknown is not "least popular").
    fn popularity(&self, i: u32) -> f64 {
        let rate = if self.buyers[i as usize] > 0 {
            self.base_rate(i)
        } else {
            let c = self.category[i as usize] as usize;
            self.typical_buyers.get(c).copied().unwrap_or(0.0) / f64::from(self.customers.max(1))
        };
        (rate + 1e-4).ln()
    }

    /// Whether a bought item may be offered again: its buyers re-buy it.
    pub fn rebought(&self, i: u32) -> bool {
        self.rebuy.get(i as usize).is_some_and(|r| *r >= MIN_REBUY)
    }

    /// The items worth scoring, at day `now`, for a customer with `past`: what they may buy
    /// again, what goes with or is like what they have, and what sells best overall and in
    /// their categories.
    fn candidates(
        &self,
        past: &Past,
        now: f64,
        similar: &dyn Fn(u32) -> Vec<(u32, f64)>,
    ) -> Vec<Candidate> {
        let n = self.category.len();
        let owned: Vec<(u32, Held)> = {
            let mut v: Vec<(u32, Held)> = past
                .items
                .iter()
                .filter(|(i, _)| (**i as usize) < n)
                .map(|(i, h)| (*i, *h))
                .collect();
            v.sort_unstable_by_key(|(i, _)| *i);
            v
        };
        let total: u32 = owned.iter().map(|(_, h)| h.times).sum();
        let categories = self.category_share.len() > 1;
        let mut in_cat: HashMap<u32, f64> = HashMap::new();
        let mut in_brand: HashMap<(u32, u32), f64> = HashMap::new();
        for (i, h) in &owned {
            let (c, b) = (self.category[*i as usize], self.brand[*i as usize]);
            *in_cat.entry(c).or_default() += f64::from(h.times);
            if b != NO_BRAND {
                *in_brand.entry((c, b)).or_default() += f64::from(h.times);
            }
        }
        // The strongest link of each item to the customer's: (share, the reason it gives).
        let mut links: HashMap<u32, (f64, Reason)> = HashMap::new();
        let mut link = |j: u32, share: f64, why: Reason| {
            let e = links.entry(j).or_insert((0.0, why.clone()));
            if share > e.0 {
                *e = (share, why);
            }
        };
        for (i, _) in &owned {
            let near = &self.neighbours[*i as usize];
            for (j, p) in near {
                link(*j, *p, Reason::BoughtWith { with: *i });
            }
            if near.is_empty() {
                for (j, sim) in similar(*i) {
                    if (j as usize) < n {
                        link(j, SIMILAR_SHARE * sim.max(0.0), Reason::Similar { to: *i });
                    }
                }
            }
        }
        let mut items: Vec<u32> = owned.iter().map(|(i, _)| *i).collect();
        items.extend(links.keys().copied());
        items.extend(self.popular.iter().take(POPULAR).copied());
        let mut cats: Vec<u32> = in_cat.keys().copied().collect();
        cats.sort_unstable();
        for c in cats {
            if let Some(top) = self.popular_in.get(c as usize) {
                items.extend(top.iter().copied());
            }
        }
        items.sort_unstable();
        items.dedup();
        let shrink = f64::from(total) / (f64::from(total) + 3.0);
        let orders = f64::from(past.orders.max(1));
        items
            .into_iter()
            .filter_map(|j| {
                let held = past.items.get(&j).copied().unwrap_or_default();
                let times = held.times;
                if times > 0 && !self.rebought(j) {
                    return None;
                }
                let rebuy = self.rebuy[j as usize];
                let c = self.category[j as usize];
                let share = self.category_share.get(c as usize).copied().unwrap_or(0.0);
                let mine_c = in_cat.get(&c).copied().unwrap_or(0.0);
                let affinity = if !categories {
                    0.0
                } else if total > 0 && share > 0.0 {
                    // Shrunk toward the shop: one order says little.
                    (shrink * mine_c / f64::from(total) + (1.0 - shrink) * share) / share
                } else {
                    1.0
                };
                let b = self.brand[j as usize];
                let brand = if times == 0 && b != NO_BRAND && mine_c > 0.0 {
                    f64::from(u8::from(in_brand.contains_key(&(c, b))))
                } else {
                    0.0
                };
                let owned_ = f64::from(u8::from(times > 0));
                let (with, why) = match links.get(&j) {
                    Some((l, w)) if times == 0 => (*l, Some(w.clone())),
                    _ => (0.0, None),
                };
                // The rhythm: the customer's own gap for it, else the item's usual one.
                let usual = if times >= 2 && held.last > held.first {
                    (held.last - held.first) / f64::from(times - 1)
                } else {
                    self.gap[j as usize]
                };
                let due = if times > 0 && usual > 0.0 && now >= held.last {
                    let ratio = (now - held.last + 1.0) / (usual + 1.0);
                    (-ratio.ln().abs()).exp()
                } else {
                    0.0
                };
                Some(Candidate {
                    item: j,
                    x: [
                        owned_,
                        f64::from(times).ln_1p(),
                        rebuy * owned_,
                        self.popularity(j),
                        affinity,
                        (10.0 * with).ln_1p(),
                        brand,
                        f64::from(times) / orders,
                        held.recent,
                        f64::from(u8::from(held.in_last)),
                        due,
                    ],
                    link: why,
                })
            })
            .collect()
    }

    /// The `k` best items, at day `now`, for a customer whose orders say `past`.
    pub fn recommend(&self, past: &Past, now: f64, k: usize) -> Vec<Recommendation> {
        self.recommend_with(past, now, k, &|_| vec![])
    }

    /// As [`Model::recommend`], with `similar(item)` giving items like `item` by content
    /// (cosine similarity), used for the customer's items that have no co-purchases yet.
    pub fn recommend_with(
        &self,
        past: &Past,
        now: f64,
        k: usize,
        similar: &dyn Fn(u32) -> Vec<(u32, f64)>,
    ) -> Vec<Recommendation> {
        if !past
            .items
            .keys()
            .any(|i| (*i as usize) < self.category.len())
        {
            // The ranker learns from customers with a history; without one, popularity is
            // the best guess.
            return self
                .popular
                .iter()
                .take(k)
                .map(|i| Recommendation {
                    item: *i,
                    score: self.base_rate(*i),
                    reason: Reason::Popular,
                })
                .collect();
        }
        let w = &self.weights.w;
        let mut out: Vec<Recommendation> = self
            .candidates(past, now, similar)
            .into_iter()
            .map(|c| {
                let j = c.item;
                // The reason shown is the signal that adds most to the item's score.
                let times = past.times(j);
                let reason = if times > 0 {
                    Reason::BuyAgain { times }
                } else {
                    let category = self.category[j as usize];
                    let brand = self.brand[j as usize];
                    [
                        (w[5] * c.x[5], c.link.clone()),
                        (w[6] * c.x[6], Some(Reason::FavouriteBrand { brand })),
                        (
                            w[4] * (c.x[4] - 1.0),
                            Some(Reason::FavouriteCategory { category }),
                        ),
                    ]
                    .into_iter()
                    .filter(|(gain, why)| *gain > 0.0 && why.is_some())
                    .max_by(|a, b| a.0.total_cmp(&b.0))
                    .and_then(|(_, why)| why)
                    .unwrap_or(Reason::Popular)
                };
                Recommendation {
                    item: j,
                    score: 1.0 / (1.0 + (-self.weights.logit(&c.x)).exp()),
                    reason,
                }
            })
            .collect();
        out.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.item.cmp(&b.item)));
        out.truncate(k);
        out
    }

    /// Items bought with `item` (strongest first, at least 1.5 times their base rate).
    pub fn bought_together(&self, item: u32, k: usize) -> Vec<(u32, f64)> {
        self.neighbours
            .get(item as usize)
            .map(|v| {
                v.iter()
                    .filter(|(j, p)| p / self.base_rate(*j).max(1e-9) > 1.5)
                    .take(k)
                    .copied()
                    .collect()
            })
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A customer's past from (item, orders holding it): one order a week.
    fn past(items: &[(u32, u32)]) -> Past {
        let most = items.iter().map(|(_, t)| *t).max().unwrap_or(0);
        let orders: Vec<(f64, Vec<u32>)> = (0..most)
            .map(|o| {
                let day = f64::from(o * 7);
                let v = items
                    .iter()
                    .filter(|(_, t)| *t > o)
                    .map(|(i, _)| *i)
                    .collect();
                (day, v)
            })
            .collect();
        Past::from_orders(orders.iter().map(|(d, v)| (*d, v.as_slice())))
    }

    /// Two kinds of customers: coffee drinkers (re-buy coffee 0 weekly, take filters 1 with
    /// it) and readers (books 2..6 in a series, the next one each time, never the same
    /// twice); item 7 is popular with everyone.
    fn shop() -> (Vec<Basket>, Vec<u32>) {
        let category = vec![0, 0, 1, 1, 1, 1, 1, 2];
        let mut b = vec![];
        for week in 0..3u32 {
            for c in 0..40u32 {
                let day = f64::from(week * 7);
                let items = match (c % 2, week) {
                    (0, 0) => vec![0, 7],
                    (0, 1) => vec![0, 1],
                    (0, _) => vec![0],
                    (_, 0) => vec![2 + c % 5, 7],
                    (_, w) => vec![2 + (c + w) % 5],
                };
                b.push(Basket {
                    customer: c,
                    day,
                    items,
                });
            }
        }
        (b, category)
    }

    #[test]
    fn re_buys_consumables_but_not_books_and_says_why() {
        let (b, cat) = shop();
        let m = Model::fit(&b, &cat, &[]);
        let coffee = m.recommend(&past(&[(0, 2)]), 14.0, 3);
        assert_eq!(coffee[0].item, 0);
        assert_eq!(coffee[0].reason, Reason::BuyAgain { times: 2 });
        assert!(
            coffee
                .iter()
                .any(|r| r.item == 1 && matches!(r.reason, Reason::BoughtWith { with: 0 })),
            "{coffee:?}"
        );
        let reader = m.recommend(&past(&[(2, 1)]), 7.0, 4);
        assert!(
            reader.iter().all(|r| r.item != 2),
            "a read book is not offered again"
        );
        assert!(!m.rebought(2) && m.rebought(0));
        assert!(reader.iter().any(|r| (3..7).contains(&r.item)));
        let new = m.recommend(&Past::default(), 0.0, 2);
        assert_eq!(new[0].item, 7);
        assert_eq!(new[0].reason, Reason::Popular);
        // Coffee is bought weekly: due a week after the last bag, less so the day after.
        assert!((m.gap[0] - 7.0).abs() < 1e-9, "{:?}", m.gap);
        let score = |now: f64| {
            m.recommend(&past(&[(0, 2)]), now, 3)
                .iter()
                .find(|r| r.item == 0)
                .map(|r| r.score)
        };
        assert!(
            score(14.0) > score(8.0),
            "{:?} {:?}",
            score(14.0),
            score(8.0)
        );
    }

    #[test]
    fn recent_and_frequent_items_come_first() {
        let (b, cat) = shop();
        let m = Model::fit(&b, &cat, &[]);
        // Bought coffee in every order, filters once long ago.
        let orders: Vec<(f64, Vec<u32>)> = vec![
            (0.0, vec![0, 1]),
            (7.0, vec![0]),
            (14.0, vec![0]),
            (21.0, vec![0]),
        ];
        let p = Past::from_orders(orders.iter().map(|(d, v)| (*d, v.as_slice())));
        assert_eq!(p.times(0), 4);
        assert!(p.recent(0) > 0.99 && p.recent(1) < 0.3, "{p:?}");
        let r = m.recommend(&p, 28.0, 2);
        assert_eq!(r[0].item, 0, "{r:?}");
    }

    #[test]
    fn new_products_are_reached_through_their_content() {
        let (b, mut cat) = shop();
        // Item 8 is new: no buyer yet, nobody bought it with anything.
        cat.push(0);
        let m = Model::fit(&b, &cat, &[]);
        let similar = |i: u32| if i == 8 { vec![(0, 0.9)] } else { vec![] };
        let r = m.recommend_with(&past(&[(8, 1)]), 7.0, 5, &similar);
        let at = |i: u32| r.iter().position(|x| x.item == i);
        // Coffee (0) and filters (1) are alike by popularity in the category; the new item's
        // description makes coffee the stronger pick.
        assert!(at(0) < at(1) && at(1).is_some(), "{r:?}");
        let plain = m.recommend(&past(&[(8, 1)]), 7.0, 5);
        let score = |v: &[Recommendation], i: u32| v.iter().find(|x| x.item == i).map(|x| x.score);
        assert!(score(&r, 0) > score(&plain, 0), "{r:?} {plain:?}");
        // A new product like one the customer has is offered, as a typical item of its
        // category would be, not as the least popular one.
        let fresh = Model::from_parts(
            vec![0, 0, 1],
            vec![NO_BRAND; 3],
            vec![10, 0, 30],
            vec![0.0; 3],
            vec![],
            vec![vec![], vec![], vec![]],
            30,
            PRIOR,
        );
        assert!((fresh.popularity(1) - fresh.popularity(0)).abs() < 1e-9);
        let toward_new = |i: u32| if i == 0 { vec![(1, 0.95)] } else { vec![] };
        let with_new = fresh.recommend_with(&past(&[(0, 1)]), 7.0, 2, &toward_new);
        assert!(
            with_new
                .iter()
                .any(|r| r.item == 1 && r.reason == Reason::Similar { to: 0 }),
            "{with_new:?}"
        );
        // With nothing else to go on, the reason is the likeness.
        let lone = Model::fit(&[], &cat, &[]);
        let r = lone.recommend_with(&past(&[(8, 1)]), 7.0, 3, &similar);
        assert_eq!(r[0].item, 0);
        assert_eq!(r[0].reason, Reason::Similar { to: 8 });
    }

    #[test]
    fn a_brand_the_customer_buys_counts_and_is_named() {
        // Three items of one category, equally popular, nobody buys any twice or together;
        // 0 and 1 are of brand 0, item 2 of brand 1.
        let m = Model::from_parts(
            vec![0, 0, 0],
            vec![0, 0, 1],
            vec![10, 10, 10],
            vec![0.0, 0.0, 0.0],
            vec![],
            vec![vec![], vec![], vec![]],
            30,
            PRIOR,
        );
        let r = m.recommend(&past(&[(0, 1)]), 7.0, 3);
        assert_eq!(r.len(), 2, "the item bought is not offered again: {r:?}");
        assert_eq!(r[0].item, 1);
        assert_eq!(r[0].reason, Reason::FavouriteBrand { brand: 0 });
        assert!(r[0].score > r[1].score && r[1].score > 0.0 && r[0].score < 1.0);
    }

    #[test]
    fn a_shop_without_categories_gives_the_signal_nothing() {
        let (b, _) = shop();
        let one = vec![0; 8];
        let m = Model::fit(&b, &one, &[]);
        let p = past(&[(0, 2)]);
        assert!(
            m.candidates(&p, 14.0, &|_| vec![])
                .iter()
                .all(|c| c.x[4] == 0.0)
        );
    }
}
