//! The recommender measured against the best simple baselines, on the shop's own orders.
//!
//! Each customer with two or more orders has their last order held out; every method is
//! fitted on the rest and its top 10 for the customer is scored against the held-out order:
//! hit rate (the order holds one of the ten), NDCG (how high the hits rank) and recall
//! (share of the order found). Beside sr360's list:
//! - **popularity**: the ten most bought items, the same for everyone;
//! - **personal top-frequency**: the customer's own items, most often bought first (ties:
//!   most recent first), then popularity — the baseline next-basket studies find hardest
//!   to beat where people re-buy;
//! - **TIFU-kNN** (Hu et al., SIGIR 2020): a time-decayed average of the customer's baskets
//!   blended with their nearest neighbours' (Euclidean, as the authors' code), the published
//!   method of this class that stays strong in reproducibility studies.
//!
//! Each figure has a 95 % interval from a bootstrap over customers, and sr360's difference to
//! each baseline a paired one (the same resampled customers for both), so "worse" means
//! worse beyond chance. A "new items only" view scores each method's best items the
//! customer never bought against the new items of orders that hold some: re-buys dominate
//! the main figures on shops where people re-buy, and this shows the discovery part apart.

use crate::recommend::{Basket, Model, Past, hold_out_last, orders_by_customer};
use rand::{Rng, SeedableRng};
use serde::Serialize;
use std::collections::{HashMap, HashSet};

#[derive(Debug, thiserror::Error, PartialEq)]
#[error("not enough data: {0}")]
pub struct NotEnoughData(pub String);

/// Customers scored at most (evenly spread over all who qualify); the bootstrap's and the
/// neighbour search's cost grow with them, their precision hardly beyond.
pub const EVAL_CUSTOMERS: usize = 5_000;
/// Bootstrap resamples.
const RESAMPLES: usize = 1_000;
/// Items of each method's list considered for the new-items view.
const LONG: usize = 200;

/// The methods compared, sr360 first.
pub const METHODS: [&str; 4] = ["sr360", "popularity", "top_frequency", "tifu_knn"];

/// A figure with its 95 % interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Interval {
    pub value: f64,
    pub low: f64,
    pub high: f64,
}

/// One method's scores.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scored {
    pub method: &'static str,
    pub hit_rate: Interval,
    pub ndcg: Interval,
    pub recall: Interval,
    /// Share of the catalogue recommended to someone.
    pub coverage: f64,
    /// sr360 minus this method (paired), for the baselines.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sr360_minus: Option<Difference>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Difference {
    pub hit_rate: Interval,
    pub ndcg: Interval,
}

impl Difference {
    /// sr360 is worse than the baseline beyond chance on either figure.
    pub fn significantly_worse(&self) -> bool {
        self.hit_rate.high < 0.0 || self.ndcg.high < 0.0
    }
}

/// The point figures of one method (kept flat for the Model status summary).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Metrics {
    pub hit_rate: f64,
    pub ndcg: f64,
    pub recall: f64,
    /// Share of the catalogue recommended to someone.
    pub coverage: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewItems {
    /// Customers whose held-out order holds an item they never bought before.
    pub customers: usize,
    pub methods: Vec<Scored>,
}

/// Offline evaluation: each customer's last order held out.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evaluation {
    /// Customers scored (with an earlier order and a held-out one).
    pub customers: usize,
    /// sr360's figures.
    pub model: Metrics,
    /// Popularity's figures.
    pub popularity: Metrics,
    /// Every method with intervals, sr360 first.
    pub methods: Vec<Scored>,
    pub new_items: NewItems,
}

impl Evaluation {
    pub fn method(&self, name: &str) -> Option<&Scored> {
        self.methods.iter().find(|m| m.method == name)
    }
}

/// Per-customer figures of one method.
#[derive(Default)]
struct Tally {
    hit: Vec<f64>,
    ndcg: Vec<f64>,
    recall: Vec<f64>,
    seen: HashSet<u32>,
}

impl Tally {
    fn add(&mut self, list: &[u32], truth: &HashSet<u32>, k: usize) {
        let list = &list[..list.len().min(k)];
        let gain = |r: usize| 1.0 / ((r + 2) as f64).log2();
        let (mut dcg, mut hits) = (0.0, 0usize);
        for (r, i) in list.iter().enumerate() {
            if truth.contains(i) {
                dcg += gain(r);
                hits += 1;
            }
        }
        let ideal: f64 = (0..truth.len().min(k)).map(gain).sum();
        self.hit.push(f64::from(u8::from(hits > 0)));
        self.ndcg.push(if ideal > 0.0 { dcg / ideal } else { 0.0 });
        self.recall.push(hits as f64 / truth.len().max(1) as f64);
        self.seen.extend(list.iter().copied());
    }
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len().max(1) as f64
}

/// The 2.5 and 97.5 percentiles of the mean of `f(customer)` over resamples.
fn interval(draws: &[Vec<u32>], f: &dyn Fn(usize) -> f64, n: usize) -> Interval {
    let value = mean(&(0..n).map(f).collect::<Vec<_>>());
    let mut means: Vec<f64> = draws
        .iter()
        .map(|d| d.iter().map(|i| f(*i as usize)).sum::<f64>() / d.len().max(1) as f64)
        .collect();
    means.sort_by(f64::total_cmp);
    let at = |q: f64| {
        means
            .get(((means.len() as f64 - 1.0) * q).round() as usize)
            .copied()
            .unwrap_or(value)
    };
    Interval {
        value,
        low: at(0.025),
        high: at(0.975),
    }
}

fn scored(tallies: &[Tally], catalogue: usize, seed: u64) -> Vec<Scored> {
    let n = tallies.first().map_or(0, |t| t.hit.len());
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let draws: Vec<Vec<u32>> = if n == 0 {
        vec![]
    } else {
        (0..RESAMPLES)
            .map(|_| (0..n).map(|_| rng.random_range(0..n) as u32).collect())
            .collect()
    };
    let ours = &tallies[0];
    tallies
        .iter()
        .enumerate()
        .map(|(m, t)| Scored {
            method: METHODS[m],
            hit_rate: interval(&draws, &|i| t.hit[i], n),
            ndcg: interval(&draws, &|i| t.ndcg[i], n),
            recall: interval(&draws, &|i| t.recall[i], n),
            coverage: t.seen.len() as f64 / catalogue.max(1) as f64,
            sr360_minus: (m > 0).then(|| Difference {
                hit_rate: interval(&draws, &|i| ours.hit[i] - t.hit[i], n),
                ndcg: interval(&draws, &|i| ours.ndcg[i] - t.ndcg[i], n),
            }),
        })
        .collect()
}

/// Personal top-frequency: the customer's items by orders holding them (ties: the most
/// recently bought first), then the popular items they do not have.
pub fn top_frequency(past: &Past, popular: &[u32], k: usize) -> Vec<u32> {
    let mut mine = past.counts();
    mine.sort_by(|a, b| {
        b.1.cmp(&a.1)
            .then(
                past.last_day(b.0)
                    .unwrap_or(0.0)
                    .total_cmp(&past.last_day(a.0).unwrap_or(0.0)),
            )
            .then(a.0.cmp(&b.0))
    });
    let mut out: Vec<u32> = mine.into_iter().map(|(i, _)| i).take(k).collect();
    for i in popular {
        if out.len() >= k {
            break;
        }
        if past.times(*i) == 0 {
            out.push(*i);
        }
    }
    out
}

/// TIFU-kNN's settings: baskets per group, decay within and across groups, neighbours and
/// the weight of the customer's own vector. The authors' setting for Instacart.
#[derive(Debug, Clone, Copy)]
pub struct TifuSettings {
    pub group: usize,
    pub within: f64,
    pub across: f64,
    pub k: usize,
    pub alpha: f64,
}

impl Default for TifuSettings {
    fn default() -> Self {
        TifuSettings {
            group: 3,
            within: 0.9,
            across: 0.7,
            k: 300,
            alpha: 0.9,
        }
    }
}

/// TIFU-kNN fitted on customers' baskets.
pub struct Tifu {
    settings: TifuSettings,
    /// Customer → their row in `vectors`.
    rows: HashMap<u32, usize>,
    vectors: Vec<Vec<(u32, f64)>>,
    norms: Vec<f64>,
    /// Item → (row, weight) of every customer vector holding it.
    postings: HashMap<u32, Vec<(u32, f64)>>,
}

impl Tifu {
    /// The customer's time-decayed basket vector: baskets in groups of `group` counted from
    /// the latest, each basket weighing `within` times the next in its group, each group
    /// `across` times the next.
    fn vector(orders: &[(f64, &[u32])], s: &TifuSettings) -> Vec<(u32, f64)> {
        let n = orders.len();
        if n == 0 {
            return vec![];
        }
        let groups = n.div_ceil(s.group);
        let mut v: HashMap<u32, f64> = HashMap::new();
        // Group g (0 = oldest) holds the baskets after the first n - (groups - g) * group.
        for g in 0..groups {
            let end = n - (groups - 1 - g) * s.group;
            let start = end.saturating_sub(s.group);
            let size = end - start;
            let gw = s.across.powi((groups - 1 - g) as i32) / groups as f64;
            for (pos, (_, items)) in orders[start..end].iter().enumerate() {
                let bw = s.within.powi((size - 1 - pos) as i32) / size as f64;
                for i in *items {
                    *v.entry(*i).or_default() += gw * bw;
                }
            }
        }
        let mut v: Vec<(u32, f64)> = v.into_iter().collect();
        v.sort_unstable_by_key(|(i, _)| *i);
        v
    }

    pub fn fit(baskets: &[Basket], settings: TifuSettings) -> Tifu {
        let by = orders_by_customer(baskets);
        let mut customers: Vec<&u32> = by.keys().collect();
        customers.sort_unstable();
        let mut rows = HashMap::new();
        let mut vectors = vec![];
        let mut postings: HashMap<u32, Vec<(u32, f64)>> = HashMap::new();
        for c in customers {
            let v = Tifu::vector(&by[c], &settings);
            let row = vectors.len() as u32;
            for (i, w) in &v {
                postings.entry(*i).or_default().push((row, *w));
            }
            rows.insert(*c, row as usize);
            vectors.push(v);
        }
        let norms = vectors
            .iter()
            .map(|v| v.iter().map(|(_, w)| w * w).sum())
            .collect();
        Tifu {
            settings,
            rows,
            vectors,
            norms,
            postings,
        }
    }

    /// The customer's top `k`: their vector blended with their nearest neighbours' mean,
    /// then popular items.
    pub fn recommend(&self, customer: u32, popular: &[u32], k: usize) -> Vec<u32> {
        let Some(&row) = self.rows.get(&customer) else {
            return popular.iter().take(k).copied().collect();
        };
        let mine = &self.vectors[row];
        let mut dot: HashMap<u32, f64> = HashMap::new();
        for (i, w) in mine {
            for (r, x) in self.postings.get(i).map_or(&[][..], Vec::as_slice) {
                *dot.entry(*r).or_default() += w * x;
            }
        }
        let me = self.norms[row];
        let mut dist: Vec<(f64, u32)> = (0..self.vectors.len() as u32)
            .filter(|r| *r as usize != row)
            .map(|r| {
                let d = me + self.norms[r as usize] - 2.0 * dot.get(&r).copied().unwrap_or(0.0);
                (d, r)
            })
            .collect();
        let kk = self.settings.k.min(dist.len());
        if kk > 0 && kk < dist.len() {
            dist.select_nth_unstable_by(kk - 1, |a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        }
        let mut score: HashMap<u32, f64> = HashMap::new();
        for (i, w) in mine {
            *score.entry(*i).or_default() += self.settings.alpha * w;
        }
        for (_, r) in dist.iter().take(kk) {
            for (i, w) in &self.vectors[*r as usize] {
                *score.entry(*i).or_default() += (1.0 - self.settings.alpha) * w / kk as f64;
            }
        }
        let mut ranked: Vec<(u32, f64)> = score.into_iter().filter(|(_, s)| *s > 0.0).collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let mut out: Vec<u32> = ranked.into_iter().map(|(i, _)| i).take(k).collect();
        let have: HashSet<u32> = out.iter().copied().collect();
        out.extend(
            popular
                .iter()
                .filter(|i| !have.contains(i))
                .take(k.saturating_sub(have.len())),
        );
        out
    }
}

/// Hold out each customer's last basket (`baskets` in time order), fit every method on the
/// rest, and score each one's top `k` against it.
pub fn evaluate(
    baskets: &[Basket],
    category: &[u32],
    brand: &[Option<u32>],
    k: usize,
) -> Result<Evaluation, NotEnoughData> {
    let (train, held) = hold_out_last(baskets);
    if held.len() < 20 {
        return Err(NotEnoughData(format!(
            "{} customers with two or more orders; at least 20 are needed to evaluate",
            held.len()
        )));
    }
    let model = Model::fit(&train, category, brand);
    let tifu = Tifu::fit(&train, TifuSettings::default());
    let history = orders_by_customer(&train);
    let popular: Vec<u32> = model.popular.iter().take(LONG).copied().collect();
    let mut customers: Vec<(u32, usize)> = held.into_iter().collect();
    customers.sort_unstable();
    let stride = customers.len().div_ceil(EVAL_CUSTOMERS).max(1);
    let mut main: Vec<Tally> = (0..METHODS.len()).map(|_| Tally::default()).collect();
    let mut new: Vec<Tally> = (0..METHODS.len()).map(|_| Tally::default()).collect();
    for (c, n) in customers.into_iter().step_by(stride) {
        let target = &baskets[n];
        let truth: HashSet<u32> = target.items.iter().copied().collect();
        let past = Past::from_orders(history.get(&c).cloned().unwrap_or_default());
        let long = k.max(LONG) + past.counts().len();
        let lists: [Vec<u32>; 4] = [
            model
                .recommend(&past, target.day, long)
                .iter()
                .map(|r| r.item)
                .collect(),
            popular.clone(),
            top_frequency(&past, &popular, long),
            tifu.recommend(c, &popular, long),
        ];
        for (t, list) in main.iter_mut().zip(&lists) {
            t.add(list, &truth, k);
        }
        let fresh: HashSet<u32> = truth
            .iter()
            .copied()
            .filter(|i| past.times(*i) == 0)
            .collect();
        if !fresh.is_empty() {
            for (t, list) in new.iter_mut().zip(&lists) {
                let unseen: Vec<u32> = list
                    .iter()
                    .copied()
                    .filter(|i| past.times(*i) == 0)
                    .take(k)
                    .collect();
                t.add(&unseen, &fresh, k);
            }
        }
    }
    let n = main[0].hit.len();
    let flat = |t: &Tally| Metrics {
        hit_rate: mean(&t.hit),
        ndcg: mean(&t.ndcg),
        recall: mean(&t.recall),
        coverage: t.seen.len() as f64 / category.len().max(1) as f64,
    };
    Ok(Evaluation {
        customers: n,
        model: flat(&main[0]),
        popularity: flat(&main[1]),
        methods: scored(&main, category.len(), 7),
        new_items: NewItems {
            customers: new[0].hit.len(),
            methods: scored(&new, category.len(), 11),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(customer: u32, day: f64, items: &[u32]) -> Basket {
        Basket {
            customer,
            day,
            items: items.to_vec(),
        }
    }

    #[test]
    fn top_frequency_ranks_by_count_then_recency_then_popularity() {
        let orders: Vec<(f64, Vec<u32>)> =
            vec![(1.0, vec![1, 2]), (2.0, vec![1, 3]), (3.0, vec![2, 4])];
        let past = Past::from_orders(orders.iter().map(|(d, v)| (*d, v.as_slice())));
        // 2 and 1 twice each (2 more recently), then 4 (latest) and 3, then popular 9.
        assert_eq!(top_frequency(&past, &[1, 9, 8], 5), vec![2, 1, 4, 3, 9]);
        assert_eq!(top_frequency(&past, &[1, 9], 2), vec![2, 1]);
    }

    #[test]
    fn tifu_weighs_recent_baskets_and_borrows_from_neighbours() {
        let s = TifuSettings {
            group: 2,
            within: 0.5,
            across: 0.5,
            k: 1,
            alpha: 0.5,
        };
        // Three baskets: groups [b0] and [b1, b2] counted from the latest.
        let orders: Vec<(f64, Vec<u32>)> = vec![(0.0, vec![1]), (1.0, vec![2]), (2.0, vec![3])];
        let v = Tifu::vector(
            &orders
                .iter()
                .map(|(d, x)| (*d, x.as_slice()))
                .collect::<Vec<_>>(),
            &s,
        );
        let w = |i: u32| v.iter().find(|(j, _)| *j == i).map_or(0.0, |x| x.1);
        // Latest group weight 1/2, older 0.5/2; within the latest group b2 1/2, b1 0.5/2.
        assert!((w(3) - 0.25).abs() < 1e-12, "{v:?}");
        assert!((w(2) - 0.125).abs() < 1e-12, "{v:?}");
        assert!((w(1) - 0.25).abs() < 1e-12, "{v:?}");
        // Customer 0 buys 1 and 2; customer 1 (nearest) also 5; customer 2 is far.
        let baskets = vec![
            b(0, 0.0, &[1, 2]),
            b(1, 0.0, &[1, 2, 5]),
            b(2, 0.0, &[7, 8, 9]),
        ];
        let t = Tifu::fit(&baskets, s);
        let r = t.recommend(0, &[9], 4);
        assert_eq!(&r[..2], &[1, 2], "{r:?}");
        assert_eq!(r[2], 5, "the neighbour's item: {r:?}");
        assert_eq!(r[3], 9, "then popularity: {r:?}");
    }

    #[test]
    fn the_evaluation_has_every_method_with_intervals() {
        // Re-buyers of 0 with a rhythm, readers of a series, item 7 popular.
        let mut bs = vec![];
        for c in 0..60u32 {
            for o in 0..4u32 {
                let day = f64::from(o * 7 + c % 3);
                if c % 2 == 0 {
                    bs.push(b(c, day, &[0, if o == 0 { 7 } else { 1 }]));
                } else {
                    bs.push(b(c, day, &[2 + (c + o) % 5, 7]));
                }
            }
        }
        bs.sort_by(|a, b| a.day.total_cmp(&b.day));
        let cat = vec![0, 0, 1, 1, 1, 1, 1, 2];
        let e = evaluate(&bs, &cat, &[], 2).unwrap();
        assert_eq!(e.customers, 60);
        assert_eq!(
            e.methods.iter().map(|m| m.method).collect::<Vec<_>>(),
            METHODS.to_vec()
        );
        for m in &e.methods {
            for i in [m.hit_rate, m.ndcg, m.recall] {
                assert!(i.low <= i.value && i.value <= i.high, "{m:?}");
                assert!((0.0..=1.0).contains(&i.value), "{m:?}");
            }
        }
        let ours = e.method("sr360").unwrap();
        let pop = e.method("popularity").unwrap();
        assert!(ours.ndcg.value > pop.ndcg.value, "{e:?}");
        assert!(pop.sr360_minus.unwrap().ndcg.low > 0.0, "{e:?}");
        assert!(e.model.hit_rate == ours.hit_rate.value);
        // Readers' next book is new to them.
        assert!(e.new_items.customers >= 30, "{e:?}");
        assert!(
            evaluate(&bs[..30], &cat, &[], 2).is_err(),
            "too few customers"
        );
    }
}
