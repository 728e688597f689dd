//! Customer segments a merchant can act on, whose names are true of every member and which
//! stay put when a few orders arrive.
//!
//! Each customer is placed by rules on recency, frequency and value, read against the shop's
//! own rhythm rather than fixed calendars: `gap` is the median number of days between two
//! orders of the shop's repeat customers, "recent" is within 1.5 gaps (at least two weeks),
//! "gone" is beyond 4 gaps (at least 90 days), "frequent" is 3 orders or more, and "top
//! value" is the top fifth of spending. The rules, first match wins:
//!
//! | segment | rule |
//! |---|---|
//! | champions | frequent, recent, top value |
//! | loyal | frequent, recent |
//! | at_risk | frequent, not recent |
//! | high_value | top value, not gone |
//! | new | one order, recent |
//! | potential_loyalists | two orders or more, recent |
//! | churn_risk | not recent, not gone |
//! | hibernating | gone |
//!
//! Clustering the same features (k-means with k by silhouette, DBSCAN for outliers) was the
//! first design; it named groups by where their centres sat among each other, so "at risk:
//! used to buy often" could hold customers with one order, the best customer could land
//! among the outliers, and eight new order lines moved a thousand customers between groups.
//! Rules make each name a promise, and only customers whose own figures cross a line (or who
//! sit on a line that moves a little) change segment.
//!
//! What decides the segments is measured as before: the share of customers who land in
//! another segment when one feature is shuffled across customers (permutation importance).

use serde::{Deserialize, Serialize};

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

#[derive(Debug, Clone, Serialize)]
pub struct Segment {
    /// One of [`NAMES`].
    pub name: &'static str,
    pub size: usize,
    /// Share of all customers' value (net revenue).
    pub value_share: f64,
    /// The typical member: medians in the features' own units, in [`FEATURES`] order.
    pub centre: [f64; 6],
}

/// The lines the rules draw for this shop.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Rules {
    /// Median days between two orders of a repeat customer.
    pub gap_days: f64,
    /// Last order at most this many days ago: recent.
    pub recent_days: f64,
    /// Last order more than this many days ago: gone.
    pub gone_days: f64,
    /// This many orders or more: frequent.
    pub frequent_orders: f64,
    /// Spent at least this much: top value.
    pub top_value: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Segmentation {
    /// Segments with members.
    pub k: usize,
    pub rules: Rules,
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
}

/// The fewest customers segments are made for.
pub const MIN_CUSTOMERS: usize = 50;

/// Every segment name, in the order the rules try them.
pub const NAMES: [&str; 8] = [
    "champions",
    "loyal",
    "at_risk",
    "high_value",
    "new",
    "potential_loyalists",
    "churn_risk",
    "hibernating",
];

/// The median of the finite values (0 without any).
pub(crate) fn median(mut v: Vec<f64>) -> f64 {
    v.retain(|x| x.is_finite());
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(f64::total_cmp);
    let m = v.len() / 2;
    if v.len() % 2 == 1 {
        v[m]
    } else {
        (v[m - 1] + v[m]) / 2.0
    }
}

fn quantile(mut v: Vec<f64>, q: f64) -> f64 {
    v.retain(|x| x.is_finite());
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(f64::total_cmp);
    v[((v.len() - 1) as f64 * q).round() as usize]
}

impl Rules {
    /// The shop's lines, from its customers.
    pub fn of(customers: &[Customer]) -> Rules {
        // A repeat customer's average gap: the days from first to last order over the gaps.
        let gaps: Vec<f64> = customers
            .iter()
            .filter(|c| c.frequency >= 2.0)
            .map(|c| (c.tenure_days - c.recency_days).max(0.0) / (c.frequency - 1.0))
            .collect();
        let gap_days = if gaps.is_empty() {
            30.0
        } else {
            median(gaps).clamp(7.0, 365.0)
        };
        Rules {
            gap_days,
            recent_days: (1.5 * gap_days).max(14.0),
            gone_days: (4.0 * gap_days).max(90.0),
            frequent_orders: 3.0,
            top_value: quantile(customers.iter().map(|c| c.monetary).collect(), 0.8),
        }
    }

    /// The segment of a customer with these figures.
    pub fn name(&self, recency: f64, frequency: f64, monetary: f64) -> &'static str {
        let recent = recency <= self.recent_days;
        let gone = recency > self.gone_days;
        let frequent = frequency >= self.frequent_orders;
        let top = monetary >= self.top_value && monetary > 0.0;
        if frequent && recent && top {
            "champions"
        } else if frequent && recent {
            "loyal"
        } else if frequent {
            "at_risk"
        } else if top && !gone {
            "high_value"
        } else if recent && frequency < 2.0 {
            "new"
        } else if recent {
            "potential_loyalists"
        } else if !gone {
            "churn_risk"
        } else {
            "hibernating"
        }
    }
}

/// Segment `customers`; `seed` makes the importance's shuffles repeatable.
pub fn segment(customers: &[Customer], seed: u64) -> Result<Segmentation, SegmentError> {
    let n = customers.len();
    if n < MIN_CUSTOMERS {
        return Err(SegmentError::NotEnoughData(format!(
            "{n} customers; segments need at least {MIN_CUSTOMERS}"
        )));
    }
    let rules = Rules::of(customers);
    let place = |r: &[f64; 6]| rules.name(r[0], r[1], r[2]);
    let rows: Vec<[f64; 6]> = customers.iter().map(raw).collect();
    let assignment: Vec<&'static str> = rows.iter().map(place).collect();
    if assignment.iter().all(|a| *a == assignment[0]) && rows.iter().all(|r| r[..3] == rows[0][..3])
    {
        return Err(SegmentError::NotEnoughData(
            "every customer looks the same".into(),
        ));
    }
    let total: f64 = customers
        .iter()
        .map(|c| c.monetary.max(0.0))
        .sum::<f64>()
        .max(1e-9);
    let mut segments: Vec<Segment> = NAMES
        .iter()
        .filter_map(|name| {
            let idx: Vec<usize> = (0..n).filter(|i| assignment[*i] == *name).collect();
            (!idx.is_empty()).then(|| Segment {
                name,
                size: idx.len(),
                value_share: idx
                    .iter()
                    .map(|i| customers[*i].monetary.max(0.0))
                    .sum::<f64>()
                    / total,
                centre: std::array::from_fn(|j| median(idx.iter().map(|i| rows[*i][j]).collect())),
            })
        })
        .collect();
    segments.sort_by(|a, b| b.value_share.total_cmp(&a.value_share));

    // Permutation importance: shuffle one feature across customers (a seeded permutation) and
    // count the customers who land in another segment.
    let mut rng = <rand_chacha::ChaCha8Rng as rand::SeedableRng>::seed_from_u64(seed);
    let importance: [f64; 6] = std::array::from_fn(|j| {
        let mut order: Vec<usize> = (0..n).collect();
        rand::seq::SliceRandom::shuffle(order.as_mut_slice(), &mut rng);
        let moved = (0..n)
            .filter(|&i| {
                let mut row = rows[i];
                row[j] = rows[order[i]][j];
                place(&row) != assignment[i]
            })
            .count();
        moved as f64 / n as f64
    });
    Ok(Segmentation {
        k: segments.len(),
        rules,
        segments,
        assignment,
        importance,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A shop of 900 customers: every mix of recency, orders and spending, deterministic.
    fn shop() -> Vec<Customer> {
        (0..900)
            .map(|i| {
                let u = |k: u64| ((i as u64 * k + 7) % 1000) as f64 / 1000.0;
                let frequency = (1.0 + (u(37) * u(37) * 12.0).floor()).min(12.0);
                let recency = (u(53) * 700.0).round();
                let monetary = 20.0 + 90.0 * frequency * (0.5 + u(71));
                Customer {
                    key: format!("c{i}"),
                    recency_days: recency,
                    frequency,
                    monetary,
                    tenure_days: recency + 35.0 * (frequency - 1.0),
                    aov: monetary / frequency,
                    return_rate: 0.1 * u(11),
                }
            })
            .collect()
    }

    /// Every name is true of its members' medians, read against the shop's lines.
    fn check_names(s: &Segmentation) {
        let r = &s.rules;
        for g in &s.segments {
            let [recency, orders, spent, ..] = g.centre;
            let ok = match g.name {
                "champions" => {
                    orders >= r.frequent_orders && recency <= r.recent_days && spent >= r.top_value
                }
                "loyal" => orders >= r.frequent_orders && recency <= r.recent_days,
                "at_risk" => orders >= r.frequent_orders && recency > r.recent_days,
                "high_value" => spent >= r.top_value && recency <= r.gone_days,
                "new" => orders == 1.0 && recency <= r.recent_days,
                "potential_loyalists" => {
                    orders >= 2.0 && orders < r.frequent_orders && recency <= r.recent_days
                }
                "churn_risk" => recency > r.recent_days && recency <= r.gone_days,
                "hibernating" => recency > r.gone_days,
                _ => false,
            };
            assert!(ok, "{} does not hold: {g:?} with {r:?}", g.name);
        }
    }

    #[test]
    fn names_hold_for_their_members() {
        let c = shop();
        let s = segment(&c, 42).unwrap();
        assert!(s.k >= 6, "{:?}", s.segments);
        check_names(&s);
        // Every member, not only the median one.
        for (cust, name) in c.iter().zip(&s.assignment) {
            if *name == "at_risk" {
                assert!(cust.frequency >= 3.0 && cust.recency_days > s.rules.recent_days);
            }
            if *name == "new" {
                assert_eq!(cust.frequency, 1.0);
            }
        }
        // The best customer is a champion when recent, never an outlier.
        let best = c
            .iter()
            .enumerate()
            .filter(|(_, x)| x.recency_days <= s.rules.recent_days)
            .max_by(|a, b| a.1.monetary.total_cmp(&b.1.monetary))
            .unwrap()
            .0;
        assert_eq!(s.assignment[best], "champions");
        assert!((s.segments.iter().map(|g| g.value_share).sum::<f64>() - 1.0).abs() < 1e-9);
        // Recency and orders decide; the return rate and tenure never do.
        assert!(
            s.importance[0] > 0.1 && s.importance[1] > 0.05,
            "{:?}",
            s.importance
        );
        assert_eq!(s.importance[5], 0.0);
        assert_eq!(
            segment(&c, 42).unwrap().assignment,
            s.assignment,
            "repeatable"
        );
    }

    #[test]
    fn a_few_new_orders_move_a_few_customers() {
        let c = shop();
        let before = segment(&c, 42).unwrap();
        // Eight customers order again today.
        let mut after = c.clone();
        for x in after.iter_mut().step_by(97).take(8) {
            x.frequency += 1.0;
            x.monetary += 60.0;
            x.recency_days = 0.0;
        }
        let s = segment(&after, 42).unwrap();
        let moved = before
            .assignment
            .iter()
            .zip(&s.assignment)
            .filter(|(a, b)| a != b)
            .count();
        eprintln!("{moved} of {} customers moved", c.len());
        assert!(moved <= 20, "{moved} of {} customers moved", c.len());
        for (a, b) in before.segments.iter().zip(&s.segments) {
            assert!(
                (a.size as i64 - b.size as i64).abs() <= 12,
                "{} {} → {}",
                a.name,
                a.size,
                b.size
            );
        }
        check_names(&s);
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
