//! Customer segments: k-means on RFM and behaviour features (k chosen by silhouette between 3
//! and 8), DBSCAN for the customers who fit no group (outliers), and a name for every cluster
//! from where its centre sits in recency, frequency and value (champions, loyal, potential
//! loyalists, new, at risk, churn risk, hibernating, high value), with the rules that define
//! it and how much each feature matters to the assignment (permutation importance).

use linfa::DatasetBase;
use linfa::prelude::*;
use linfa_clustering::{Dbscan, KMeans};
use ndarray::{Array1, Array2, Axis};
use serde::Serialize;

/// One customer's features, in their own units.
#[derive(Debug, Clone, Serialize)]
pub struct Customer {
    pub key: String,
    pub recency_days: f64,
    pub frequency: f64,
    pub monetary: f64,
    pub tenure_days: f64,
    pub aov: f64,
    pub return_rate: f64,
}

pub const FEATURES: [&str; 6] = [
    "recency_days",
    "frequency",
    "monetary",
    "tenure_days",
    "aov",
    "return_rate",
];

fn raw(c: &Customer) -> [f64; 6] {
    [
        c.recency_days,
        c.frequency,
        c.monetary,
        c.tenure_days,
        c.aov,
        c.return_rate,
    ]
}

/// The model's view of a customer: skewed amounts on a log scale.
fn transformed(c: &Customer) -> [f64; 6] {
    let l = |v: f64| v.max(0.0).ln_1p();
    [
        l(c.recency_days),
        l(c.frequency),
        l(c.monetary),
        l(c.tenure_days),
        l(c.aov),
        c.return_rate.clamp(0.0, 1.0),
    ]
}

#[derive(Debug, Clone, Serialize)]
pub struct Segment {
    /// `champions`, `loyal`, `potential_loyalists`, `new`, `at_risk`, `churn_risk`,
    /// `hibernating`, `high_value`, or `outliers` (DBSCAN noise).
    pub name: &'static str,
    pub size: usize,
    /// Share of all customers' value (net revenue).
    pub value_share: f64,
    /// The centre in the features' own units (medians for outliers), in [`FEATURES`] order.
    pub centre: [f64; 6],
}

#[derive(Debug, Clone, Serialize)]
pub struct Segmentation {
    pub k: usize,
    pub silhouette: f64,
    /// Largest value share first.
    pub segments: Vec<Segment>,
    /// Segment name of each customer, in the input order.
    pub assignment: Vec<&'static str>,
    /// Share of customers whose segment changes when a feature is shuffled, in [`FEATURES`]
    /// order.
    pub importance: [f64; 6],
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum SegmentError {
    #[error("not enough data: {0}")]
    NotEnoughData(String),
    #[error("clustering failed: {0}")]
    Model(String),
}

/// The fewest customers segments are made for.
pub const MIN_CUSTOMERS: usize = 50;

fn standardise(x: &mut Array2<f64>) -> (Array1<f64>, Array1<f64>) {
    let mean = x
        .mean_axis(Axis(0))
        .unwrap_or_else(|| Array1::zeros(x.ncols()));
    let sd = x
        .std_axis(Axis(0), 0.0)
        .mapv(|s| if s > 1e-12 { s } else { 1.0 });
    for mut row in x.rows_mut() {
        row -= &mean;
        row /= &sd;
    }
    (mean, sd)
}

fn nearest(centroids: &Array2<f64>, row: ndarray::ArrayView1<'_, f64>) -> usize {
    let mut best = (0, f64::INFINITY);
    for (j, c) in centroids.rows().into_iter().enumerate() {
        let d: f64 = c
            .iter()
            .zip(row.iter())
            .map(|(a, b)| (a - b) * (a - b))
            .sum();
        if d < best.1 {
            best = (j, d);
        }
    }
    best.0
}

/// The name that best fits a centre, by where its recency, frequency, value and tenure sit
/// among the clusters' centres (0 lowest, 1 highest; recency: high is long ago).
fn score(name: &str, r: f64, f: f64, m: f64, t: f64) -> f64 {
    let near = |x: f64, want: f64| 1.0 - (x - want).abs();
    match name {
        "champions" => near(r, 0.1) + near(f, 0.95) + near(m, 0.95),
        "loyal" => near(r, 0.35) + near(f, 0.8) + near(m, 0.7),
        "potential_loyalists" => near(r, 0.2) + near(f, 0.55) + near(m, 0.5),
        "new" => near(r, 0.1) + near(f, 0.2) + near(t, 0.05),
        "at_risk" => near(r, 0.7) + near(f, 0.75) + near(m, 0.75),
        "churn_risk" => near(r, 0.65) + near(f, 0.35) + near(m, 0.35),
        "hibernating" => near(r, 0.95) + near(f, 0.1) + near(m, 0.1),
        "high_value" => near(m, 1.0) * 2.0 + near(f, 0.6),
        _ => f64::NEG_INFINITY,
    }
}

const NAMES: [&str; 8] = [
    "champions",
    "loyal",
    "potential_loyalists",
    "new",
    "at_risk",
    "churn_risk",
    "hibernating",
    "high_value",
];

/// Segment `customers`. `seed` makes k-means repeatable.
pub fn segment(customers: &[Customer], seed: u64) -> Result<Segmentation, SegmentError> {
    let n = customers.len();
    if n < MIN_CUSTOMERS {
        return Err(SegmentError::NotEnoughData(format!(
            "{n} customers; segments need at least {MIN_CUSTOMERS}"
        )));
    }
    let mut x = Array2::from_shape_fn((n, 6), |(i, j)| transformed(&customers[i])[j]);
    standardise(&mut x);
    if x.std_axis(Axis(0), 0.0).iter().all(|s| *s < 1e-9) {
        return Err(SegmentError::NotEnoughData(
            "every customer looks the same".into(),
        ));
    }
    // Silhouette is quadratic in the customers: judged on a fixed sample of at most 2,000.
    let step = n.div_ceil(2000).max(1);
    let sample: Vec<usize> = (0..n).step_by(step).collect();
    let xs = x.select(Axis(0), &sample);
    let mut best: Option<(f64, usize, Array2<f64>)> = None;
    for k in 3..=8usize.min(n / 10).max(3) {
        let rng =
            <rand_xoshiro::Xoshiro256Plus as rand_xoshiro::rand_core::SeedableRng>::seed_from_u64(
                seed,
            );
        let data = DatasetBase::from(x.clone());
        let model = KMeans::params_with_rng(k, rng)
            .n_runs(3)
            .max_n_iterations(200)
            .tolerance(1e-4)
            .fit(&data)
            .map_err(|e| SegmentError::Model(e.to_string()))?;
        let labels: Array1<usize> = xs
            .rows()
            .into_iter()
            .map(|r| nearest(model.centroids(), r))
            .collect();
        let s = DatasetBase::from(xs.clone())
            .with_targets(labels)
            .silhouette_score()
            .map_err(|e| SegmentError::Model(e.to_string()))?;
        if best.as_ref().is_none_or(|b| s > b.0) {
            best = Some((s, k, model.centroids().clone()));
        }
    }
    let (silhouette, k, centroids) =
        best.ok_or_else(|| SegmentError::Model("no clustering".into()))?;
    let cluster: Vec<usize> = x
        .rows()
        .into_iter()
        .map(|r| nearest(&centroids, r))
        .collect();

    // DBSCAN on the same scaled features: customers in no dense region are outliers. The
    // radius is the 95th percentile of the distance to the 5th neighbour (on the sample).
    let mut kdist: Vec<f64> = xs
        .rows()
        .into_iter()
        .map(|a| {
            let mut d: Vec<f64> = xs
                .rows()
                .into_iter()
                .map(|b| {
                    a.iter()
                        .zip(b.iter())
                        .map(|(p, q)| (p - q) * (p - q))
                        .sum::<f64>()
                        .sqrt()
                })
                .collect();
            d.sort_by(|p, q| p.total_cmp(q));
            d.get(5).copied().unwrap_or(0.0)
        })
        .collect();
    kdist.sort_by(|a, b| a.total_cmp(b));
    let eps = kdist[((kdist.len() - 1) as f64 * 0.95) as usize].max(1e-6);
    let noise: Vec<bool> = Dbscan::params(5)
        .tolerance(eps)
        .transform(&x)
        .map_err(|e| SegmentError::Model(e.to_string()))?
        .iter()
        .map(Option::is_none)
        .collect();

    // Names for the clusters, greedily: the best-fitting (cluster, name) pair first.
    let median_of = |idx: &[usize], j: usize| -> f64 {
        let mut v: Vec<f64> = idx.iter().map(|i| raw(&customers[*i])[j]).collect();
        v.sort_by(|a, b| a.total_cmp(b));
        v.get(v.len() / 2).copied().unwrap_or(0.0)
    };
    let members: Vec<Vec<usize>> = (0..k)
        .map(|c| (0..n).filter(|i| cluster[*i] == c && !noise[*i]).collect())
        .collect();
    // Where each cluster's centre sits among the clusters, 0 (lowest) to 1 (highest), on
    // recency, frequency, value and tenure.
    let centres: Vec<[f64; 4]> = members
        .iter()
        .map(|idx| std::array::from_fn(|j| median_of(idx, j)))
        .collect();
    let position = |c: usize, j: usize| {
        let vals: Vec<f64> = centres
            .iter()
            .zip(&members)
            .filter(|(_, m)| !m.is_empty())
            .map(|(v, _)| v[j])
            .collect();
        let (lo, hi) = vals
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
                (a.min(*v), b.max(*v))
            });
        if hi - lo > 1e-12 {
            (centres[c][j] - lo) / (hi - lo)
        } else {
            0.5
        }
    };
    let mut pairs: Vec<(f64, usize, &'static str)> = vec![];
    for (c, idx) in members.iter().enumerate() {
        if idx.is_empty() {
            continue;
        }
        let (r, f, m, t) = (
            position(c, 0),
            position(c, 1),
            position(c, 2),
            position(c, 3),
        );
        pairs.extend(NAMES.iter().map(|name| (score(name, r, f, m, t), c, *name)));
    }
    pairs.sort_by(|a, b| b.0.total_cmp(&a.0));
    let mut named: Vec<Option<&'static str>> = vec![None; k];
    let mut used = std::collections::HashSet::new();
    for (_, c, name) in pairs {
        if named[c].is_none() && !used.contains(name) {
            named[c] = Some(name);
            used.insert(name);
        }
    }
    let assignment: Vec<&'static str> = (0..n)
        .map(|i| {
            if noise[i] {
                "outliers"
            } else {
                named[cluster[i]].unwrap_or("outliers")
            }
        })
        .collect();

    let total: f64 = customers
        .iter()
        .map(|c| c.monetary.max(0.0))
        .sum::<f64>()
        .max(1e-9);
    let mut segments: Vec<Segment> = named
        .iter()
        .flatten()
        .copied()
        .chain(std::iter::once("outliers"))
        .filter_map(|name| {
            let idx: Vec<usize> = (0..n).filter(|i| assignment[*i] == name).collect();
            (!idx.is_empty()).then(|| Segment {
                name,
                size: idx.len(),
                value_share: idx
                    .iter()
                    .map(|i| customers[*i].monetary.max(0.0))
                    .sum::<f64>()
                    / total,
                centre: std::array::from_fn(|j| median_of(&idx, j)),
            })
        })
        .collect();
    segments.sort_by(|a, b| b.value_share.total_cmp(&a.value_share));

    // Permutation importance: shuffle one feature across customers (a seeded permutation) and
    // count the customers who land in another cluster.
    let mut rng = <rand_chacha::ChaCha8Rng as rand::SeedableRng>::seed_from_u64(seed);
    let importance: [f64; 6] = std::array::from_fn(|j| {
        let mut order: Vec<usize> = (0..n).collect();
        rand::seq::SliceRandom::shuffle(order.as_mut_slice(), &mut rng);
        let moved = (0..n)
            .filter(|&i| {
                let mut row = x.row(i).to_owned();
                row[j] = x[[order[i], j]];
                nearest(&centroids, row.view()) != cluster[i]
            })
            .count();
        moved as f64 / n as f64
    });
    Ok(Segmentation {
        k,
        silhouette,
        segments,
        assignment,
        importance,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Three kinds of customers with known profiles, plus a few extreme spenders.
    fn shop() -> Vec<Customer> {
        let mut out = vec![];
        for i in 0..600 {
            let j = (i * 37 % 100) as f64 / 100.0;
            let (r, f, m) = match i % 3 {
                0 => (5.0 + 20.0 * j, 12.0 + 6.0 * j, 1500.0 + 800.0 * j), // frequent, recent, big
                1 => (10.0 + 20.0 * j, 1.0, 40.0 + 30.0 * j),              // one recent order
                _ => (400.0 + 200.0 * j, 1.0 + (j * 2.0).floor(), 50.0 + 60.0 * j), // long gone
            };
            out.push(Customer {
                key: format!("c{i}"),
                recency_days: r,
                frequency: f,
                monetary: m,
                tenure_days: r + 30.0 * f,
                aov: m / f,
                return_rate: 0.05 * j,
            });
        }
        for i in 0..3 {
            out.push(Customer {
                key: format!("whale{i}"),
                recency_days: 2.0,
                frequency: 200.0,
                monetary: 250_000.0,
                tenure_days: 700.0,
                aov: 1250.0,
                return_rate: 0.9,
            });
        }
        out
    }

    #[test]
    fn finds_the_groups_names_them_and_flags_outliers() {
        let c = shop();
        let s = segment(&c, 42).unwrap();
        assert!((3..=5).contains(&s.k), "{:?}", s.segments);
        assert!(s.silhouette > 0.5);
        let of = |key: &str| s.assignment[c.iter().position(|x| x.key == key).unwrap()];
        assert_eq!(of("c0"), "champions");
        assert_eq!(of("c1"), "new");
        assert_eq!(of("c2"), "hibernating");
        assert_eq!(of("whale0"), "outliers");
        // Ordered by value: the three extreme spenders first, then the champions.
        let names: Vec<&str> = s.segments.iter().map(|g| g.name).collect();
        assert_eq!(&names[..2], ["outliers", "champions"], "{names:?}");
        assert!((s.segments.iter().map(|g| g.value_share).sum::<f64>() - 1.0).abs() < 1e-9);
        // Recency and tenure separate these groups; the return rate hardly matters. (Frequency
        // and value move together, so shuffling one alone moves few customers.)
        assert!(
            s.importance[0] > s.importance[5] && s.importance[3] > s.importance[5],
            "{:?}",
            s.importance
        );
        assert_eq!(
            segment(&c, 42).unwrap().assignment,
            s.assignment,
            "repeatable"
        );
    }

    #[test]
    fn too_few_or_identical_customers_are_refused() {
        assert!(matches!(
            segment(&shop()[..10], 1),
            Err(SegmentError::NotEnoughData(_))
        ));
        let same: Vec<Customer> = (0..100)
            .map(|i| Customer {
                key: i.to_string(),
                recency_days: 3.0,
                frequency: 1.0,
                monetary: 10.0,
                tenure_days: 3.0,
                aov: 10.0,
                return_rate: 0.0,
            })
            .collect();
        assert!(matches!(
            segment(&same, 1),
            Err(SegmentError::NotEnoughData(_))
        ));
    }
}
