//! The demo shop: a deterministic generator of two years of a small online shop's exports,
//! in the shapes merchants really download (Shopify-style order lines and customers as CSV,
//! a WooCommerce-style product JSON, web events as Parquet, promotions as JSON), plus a
//! ground-truth file with what the generator knows and analytics must recover: the true
//! uplift of every promotion and the products that convert badly.
//!
//! Same seed and scale, same bytes. Scale 1 is about 20k order lines; scale 50 about 1M.

mod calendar;
mod catalog;
mod people;
mod write;

use calendar::{Day, HOURS};
use catalog::{CATEGORIES, Product};
use people::{CHANNELS, Customer, REGIONS};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Poisson};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;
use time::Date;

pub use write::FileInfo;

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("scale must be between 0.01 and 500, got {0}")]
    BadScale(f64),
    #[error("i/o on {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("csv: {0}")]
    Csv(#[from] csv::Error),
    #[error("json: {0}")]
    Json(#[from] serde_json::Error),
    #[error("parquet conversion: {0}")]
    Parquet(#[from] sr360_warehouse::WarehouseError),
}

impl DemoError {
    pub(crate) fn io(path: &Path) -> impl FnOnce(std::io::Error) -> DemoError + '_ {
        move |source| DemoError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

#[derive(Debug, Clone)]
pub struct DemoOptions {
    pub seed: u64,
    pub scale: f64,
    pub start: Date,
    pub days: u32,
}

impl Default for DemoOptions {
    fn default() -> Self {
        Self {
            seed: 42,
            scale: 1.0,
            start: time::macros::date!(2024 - 07 - 01),
            days: 730,
        }
    }
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Counts {
    pub products: usize,
    pub customers: usize,
    pub orders: usize,
    pub order_lines: usize,
    pub return_lines: usize,
    pub events: usize,
    pub promotions: usize,
}

#[derive(Debug, Clone)]
pub struct DemoSummary {
    pub counts: Counts,
    pub files: Vec<FileInfo>,
    pub seconds: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Promotion {
    pub code: String,
    pub name: String,
    pub category: &'static str,
    pub discount_percent: u32,
    pub starts_at: String,
    pub ends_at: String,
    #[serde(skip)]
    pub cat: usize,
    #[serde(skip)]
    pub first_day: u32,
    #[serde(skip)]
    pub last_day: u32,
    #[serde(skip)]
    pub multiplier: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct PromotionTruth {
    pub code: String,
    pub category: &'static str,
    pub starts_at: String,
    pub ends_at: String,
    /// The generator's knob: orders placed *for* the category arrive this much faster.
    pub order_rate_lift_pct: f64,
    /// Relative increase of the orders that contain the category (what a shop can see and an
    /// estimator can measure): the lifted orders among the unchanged ones that pick up one of
    /// the category's products on the side.
    pub true_uplift_orders_pct: f64,
    /// Relative change of the category's revenue: more lines, each at the promotion price.
    pub true_uplift_revenue_pct: f64,
    pub expected_category_orders_without: f64,
    pub expected_category_orders_with: f64,
    pub expected_incremental_orders: f64,
    /// Expected extra revenue from the extra orders' promoted lines, at promotion prices.
    pub expected_incremental_revenue: f64,
    /// Expected orders placed for the category over the window, without and with it.
    #[serde(skip)]
    base_orders: f64,
    #[serde(skip)]
    lifted_orders: f64,
    /// Orders placed for the category and their category revenue at full price.
    #[serde(skip)]
    anchored_orders: f64,
    #[serde(skip)]
    anchored_revenue: f64,
    /// Other orders holding a line of the category, and those lines' full-price revenue.
    #[serde(skip)]
    side_orders: f64,
    #[serde(skip)]
    side_revenue: f64,
    #[serde(skip)]
    discount: f64,
}

pub(crate) struct OrderLine {
    pub product: usize,
    pub qty: i32,
    pub unit_price: f64,
}

pub(crate) struct Order {
    pub secs: u32,
    pub customer: usize,
    pub lines: Vec<OrderLine>,
    pub discount_code: Option<String>,
    pub discount_amount: f64,
    pub source: &'static str,
    pub name: String,
}

pub(crate) struct ReturnRow {
    pub order_name: String,
    pub customer: usize,
    pub product: usize,
    pub qty: i32,
    pub unit_price: f64,
    pub secs: u32,
    pub source: &'static str,
}

const SOURCES: &[(&str, f64)] = &[
    ("web", 62.0),
    ("mobile_app", 25.0),
    ("marketplace", 8.0),
    ("pos", 5.0),
];
const TARGET_ORDERS_PER_SCALE: f64 = 9_000.0;
/// Mean number of lines an order adds beside the one for the category it was placed for.
const EXTRA_LINES: f64 = 1.2;
/// Share of those side lines that go with the first line (same category), not picked at
/// random across the shop.
const COMPLEMENT_SHARE: f64 = 0.3;
/// Share of the remaining side lines from one of the customer's favourite categories.
const FAVOURITE_SIDE: f64 = 0.5;
/// How much more readily a returning customer orders in a favourite category, and in others.
const FAVOURITE_PULL: f64 = 6.0;
const OTHER_PULL: f64 = 0.25;
/// Chance that a returning customer buys something that goes with what they have.
const COMPLETE_THE_SET: f64 = 0.25;
/// Chance that a returning customer picks from a brand they bought in the category before.
const BRAND_LOYALTY: f64 = 0.6;

fn pick_weighted(rng: &mut ChaCha8Rng, cum: &[f64]) -> usize {
    let total = cum.last().copied().unwrap_or(0.0);
    let x = rng.random::<f64>() * total;
    cum.partition_point(|c| *c < x)
        .min(cum.len().saturating_sub(1))
}

fn cumulative(w: impl Iterator<Item = f64>) -> Vec<f64> {
    let mut acc = 0.0;
    w.map(|x| {
        acc += x;
        acc
    })
    .collect()
}

fn promotions(rng: &mut ChaCha8Rng, days: &[Day]) -> Vec<Promotion> {
    let names = [
        "Spring Sale",
        "Summer Deals",
        "Flash Sale",
        "Weekend Special",
        "Member Week",
        "Clearance",
        "Back to Routine",
        "Fresh Start",
    ];
    let mut out: Vec<Promotion> = Vec::new();
    let n = days.len() as u32;
    let mut tries = 0;
    while out.len() < 8 && tries < 1000 {
        tries += 1;
        let cat = rng.random_range(0..CATEGORIES.len());
        let len = rng.random_range(7..=14);
        let first = rng.random_range(45..n.saturating_sub(30));
        let last = first + len - 1;
        // Keep holiday season and other promotions of the same category out of the window,
        // so the effect is identifiable against comparable categories.
        let clash_holiday = (first..=last).any(|d| {
            let m = days[d as usize].date.month();
            m == time::Month::November || m == time::Month::December
        });
        let clash_other = out
            .iter()
            .any(|p| p.first_day <= last + 28 && first <= p.last_day + 28);
        if clash_holiday || clash_other {
            continue;
        }
        let discount = [10, 15, 20, 25, 30][rng.random_range(0..5)];
        let uplift = rng.random_range(0.2..0.5);
        let cname = CATEGORIES[cat].name;
        let code = format!(
            "{}{}",
            cname
                .split([' ', '&'])
                .next()
                .unwrap_or("SHOP")
                .to_uppercase(),
            discount
        );
        let code = if out.iter().any(|p| p.code == code) {
            format!("{code}B")
        } else {
            code
        };
        out.push(Promotion {
            name: format!("{cname} {}", names[out.len() % names.len()]),
            code,
            category: cname,
            discount_percent: discount,
            starts_at: days[first as usize].ymd.clone(),
            ends_at: days[last as usize].ymd.clone(),
            cat,
            first_day: first,
            last_day: last,
            multiplier: 1.0 + uplift,
        });
    }
    out.sort_by_key(|p| p.first_day);
    out
}

/// Generate the demo shop into `dir` (created if missing). Files appear only when complete:
/// they are written under a temporary name and renamed into place.
pub fn generate(dir: &Path, opts: &DemoOptions) -> Result<DemoSummary, DemoError> {
    if !(0.01..=500.0).contains(&opts.scale) || opts.scale.is_nan() {
        return Err(DemoError::BadScale(opts.scale));
    }
    let t0 = Instant::now();
    std::fs::create_dir_all(dir).map_err(DemoError::io(dir))?;
    let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
    let days = calendar::days(opts.start, opts.days);
    let products = catalog::products(&mut rng, opts.days, 500);
    let n_customers = (20_000.0 * opts.scale.sqrt()).round().max(50.0) as usize;
    let customers = people::customers(&mut rng, n_customers, opts.days);
    let promos = promotions(&mut rng, &days);

    let mut w = write::Writers::create(dir)?;
    let mut counts = Counts {
        products: products.len(),
        customers: customers.len(),
        promotions: promos.len(),
        ..Default::default()
    };

    // Category demand and the calibration to the target number of orders.
    let share_total: f64 = CATEGORIES.iter().map(|c| c.weight).sum();
    let raw = |d: &Day, c: usize| {
        d.base * CATEGORIES[c].weight / share_total * CATEGORIES[c].season[d.month0]
    };
    let raw_sum: f64 = days
        .iter()
        .map(|d| (0..CATEGORIES.len()).map(|c| raw(d, c)).sum::<f64>())
        .sum();
    let b = TARGET_ORDERS_PER_SCALE * opts.scale / raw_sum;

    // Products by category with popularity.
    let by_cat: Vec<Vec<usize>> = (0..CATEGORIES.len())
        .map(|c| {
            products
                .iter()
                .enumerate()
                .filter(|(_, p)| p.category == c)
                .map(|(i, _)| i)
                .collect()
        })
        .collect();
    let pop_cum: Vec<Vec<f64>> = by_cat
        .iter()
        .map(|ids| cumulative(ids.iter().map(|i| products[*i].popularity)))
        .collect();
    let view_cum = cumulative(products.iter().map(|p| p.popularity * p.attractiveness));
    let hour_cum = cumulative(HOURS.iter().copied());
    let source_cum = cumulative(SOURCES.iter().map(|s| s.1));

    let mut truth: Vec<PromotionTruth> = promos
        .iter()
        .map(|p| PromotionTruth {
            code: p.code.clone(),
            category: p.category,
            starts_at: p.starts_at.clone(),
            ends_at: p.ends_at.clone(),
            order_rate_lift_pct: ((p.multiplier - 1.0) * 1000.0).round() / 10.0,
            true_uplift_orders_pct: 0.0,
            true_uplift_revenue_pct: 0.0,
            expected_category_orders_without: 0.0,
            expected_category_orders_with: 0.0,
            expected_incremental_orders: 0.0,
            expected_incremental_revenue: 0.0,
            base_orders: 0.0,
            lifted_orders: 0.0,
            anchored_orders: 0.0,
            anchored_revenue: 0.0,
            side_orders: 0.0,
            side_revenue: 0.0,
            discount: f64::from(p.discount_percent) / 100.0,
        })
        .collect();
    // What each customer bought so far (their taste), and what goes with each product.
    let mut history: Vec<Vec<usize>> = vec![Vec::new(); customers.len()];
    let complements = complements(&mut rng, &products, &by_cat, &pop_cum);
    let shelf = Shelf {
        products: &products,
        by_cat: &by_cat,
        pop_cum: &pop_cum,
        complements: &complements,
    };
    let mut next_new = 0usize;
    let mut buyers: Vec<usize> = Vec::new();
    let mut pending_returns: BTreeMap<u32, Vec<ReturnRow>> = BTreeMap::new();
    let mut order_no = 1000u64;
    let mut session_no = 0u64;

    for (di, day) in days.iter().enumerate() {
        let di = di as u32;
        let active_promo = |c: usize| {
            promos
                .iter()
                .find(|p| p.cat == c && p.first_day <= di && di <= p.last_day)
        };
        let mut orders: Vec<Order> = Vec::new();
        #[allow(clippy::needless_range_loop)] // c indexes several parallel tables
        for c in 0..CATEGORIES.len() {
            let base = b * raw(day, c);
            let promo = active_promo(c);
            let lambda = base * promo.map_or(1.0, |p| p.multiplier);
            if let Some(p) = promo
                && let Some(t) = truth.iter_mut().find(|t| t.code == p.code)
            {
                t.base_orders += base;
                t.lifted_orders += lambda;
            }
            let n = if lambda > 0.0 {
                Poisson::new(lambda)
                    .map(|d| d.sample(&mut rng) as u32)
                    .unwrap_or(0)
            } else {
                0
            };
            for _ in 0..n {
                let hour = pick_weighted(&mut rng, &hour_cum) as u32;
                let secs = hour * 3600 + rng.random_range(0..3600);
                let customer =
                    pick_customer(&mut rng, &customers, &mut next_new, &mut buyers, di, c);
                let mut lines: Vec<OrderLine> = Vec::new();
                let extra = Poisson::new(EXTRA_LINES)
                    .map(|d| d.sample(&mut rng) as usize)
                    .unwrap_or(0)
                    .min(7);
                for k in 0..=extra {
                    // A side line is often something that goes with the first one.
                    let complement = lines
                        .first()
                        .filter(|_| k > 0 && rng.random_bool(COMPLEMENT_SHARE))
                        .and_then(|l| {
                            let ids = &complements[l.product];
                            let pi = *ids.get(rng.random_range(0..ids.len().max(1)))?;
                            (products[pi].launch_day <= di).then_some(pi)
                        });
                    let picked = match complement {
                        Some(pi) => Some(pi),
                        None => {
                            let favourites = &customers[customer].favourites;
                            let cat = if k == 0 {
                                c
                            } else if rng.random_bool(FAVOURITE_SIDE) {
                                favourites[rng.random_range(0..favourites.len())]
                            } else {
                                let cum = cumulative((0..CATEGORIES.len()).map(|x| raw(day, x)));
                                pick_weighted(&mut rng, &cum)
                            };
                            pick_for(&mut rng, &shelf, &history[customer], cat, di)
                        }
                    };
                    let Some(pi) = picked else {
                        continue;
                    };
                    if lines.iter().any(|l| l.product == pi) {
                        continue;
                    }
                    let qty = match rng.random::<f64>() {
                        x if x < 0.8 => 1,
                        x if x < 0.95 => 2,
                        _ => rng.random_range(3..6),
                    };
                    let disc = active_promo(products[pi].category)
                        .map_or(0.0, |p| f64::from(p.discount_percent) / 100.0);
                    let unit_price = ((products[pi].price * (1.0 - disc)) * 100.0).round() / 100.0;
                    lines.push(OrderLine {
                        product: pi,
                        qty,
                        unit_price,
                    });
                }
                if lines.is_empty() {
                    continue;
                }
                let mut code = None;
                let mut discount_amount = 0.0;
                for l in &lines {
                    if let Some(p) = active_promo(products[l.product].category) {
                        code = Some(p.code.clone());
                        discount_amount +=
                            (products[l.product].price - l.unit_price) * f64::from(l.qty);
                    }
                }
                // What the promotion's truth needs: the category's lines at full price in
                // the orders placed for it, and in the others (which it does not change).
                if let Some(p) = promos
                    .iter()
                    .find(|p| p.first_day <= di && di <= p.last_day)
                    && let Some(t) = truth.iter_mut().find(|t| t.code == p.code)
                {
                    let full: f64 = lines
                        .iter()
                        .filter(|l| products[l.product].category == p.cat)
                        .map(|l| products[l.product].price * f64::from(l.qty))
                        .sum();
                    if c == p.cat {
                        t.anchored_orders += 1.0;
                        t.anchored_revenue += full;
                    } else if full > 0.0 {
                        t.side_orders += 1.0;
                        t.side_revenue += full;
                    }
                }
                for l in &lines {
                    if !history[customer].contains(&l.product) {
                        history[customer].push(l.product);
                    }
                }
                let source = SOURCES[pick_weighted(&mut rng, &source_cum)].0;
                orders.push(Order {
                    secs,
                    customer,
                    lines,
                    discount_code: code,
                    discount_amount,
                    source,
                    name: String::new(),
                });
            }
        }
        orders.sort_by_key(|o| o.secs);
        for o in &mut orders {
            order_no += 1;
            o.name = format!("#{order_no}");
            for l in &o.lines {
                let p = &products[l.product];
                let rate =
                    CATEGORIES[p.category].return_rate * if p.quality < 0.5 { 1.8 } else { 1.0 };
                if rng.random_bool(rate.min(0.9)) {
                    let rd = di + rng.random_range(3..30);
                    if rd < opts.days {
                        let qty = rng.random_range(1..=l.qty);
                        pending_returns.entry(rd).or_default().push(ReturnRow {
                            order_name: o.name.clone(),
                            customer: o.customer,
                            product: l.product,
                            qty,
                            unit_price: l.unit_price,
                            secs: rng.random_range(8 * 3600..20 * 3600),
                            source: o.source,
                        });
                    }
                }
            }
        }
        counts.orders += orders.len();
        counts.order_lines += orders.iter().map(|o| o.lines.len()).sum::<usize>();
        w.orders(day, &orders, &products, &customers)?;
        if let Some(mut rets) = pending_returns.remove(&di) {
            rets.sort_by_key(|r| r.secs);
            counts.return_lines += rets.len();
            w.returns(day, &rets, &products, &customers)?;
        }
        counts.events += w.events(
            &mut rng,
            day,
            &orders,
            &products,
            &customers,
            &view_cum,
            &mut session_no,
        )?;
    }

    let files = w.finish(dir, &products, &customers, &promos, &days)?;
    let under: Vec<&str> = products
        .iter()
        .filter(|p| p.quality < 0.5)
        .map(|p| p.sku.as_str())
        .collect();
    let pct = |with: f64, without: f64| {
        if without > 0.0 {
            ((with / without - 1.0) * 1000.0).round() / 10.0
        } else {
            0.0
        }
    };
    for t in &mut truth {
        // The promotion adds orders placed for the category (each like the others placed for
        // it) and prices every line of the category down; orders placed for other categories
        // that pick up its products on the side are unchanged, so their realised count and
        // revenue stand for their expectation.
        let per_order = if t.anchored_orders > 0.0 {
            t.anchored_revenue / t.anchored_orders
        } else {
            0.0
        };
        let price = 1.0 - t.discount;
        t.expected_category_orders_without = t.base_orders + t.side_orders;
        t.expected_category_orders_with = t.lifted_orders + t.side_orders;
        t.expected_incremental_orders = t.lifted_orders - t.base_orders;
        t.expected_incremental_revenue = t.expected_incremental_orders * per_order * price;
        let revenue_without = t.base_orders * per_order + t.side_revenue;
        let revenue_with = (t.lifted_orders * per_order + t.side_revenue) * price;
        t.true_uplift_orders_pct = pct(
            t.expected_category_orders_with,
            t.expected_category_orders_without,
        );
        t.true_uplift_revenue_pct = pct(revenue_with, revenue_without);
        for v in [
            &mut t.expected_category_orders_without,
            &mut t.expected_category_orders_with,
            &mut t.expected_incremental_orders,
            &mut t.expected_incremental_revenue,
        ] {
            *v = (*v * 100.0).round() / 100.0;
        }
    }
    let gt = serde_json::json!({
        "generator": { "name": "sr360-demo", "version": 2, "seed": opts.seed, "scale": opts.scale, "first_day": days.first().map(|d| d.ymd.clone()), "last_day": days.last().map(|d| d.ymd.clone()), "time_zone": "UTC" },
        "counts": counts,
        "promotions": truth,
        "underperforming_skus": under,
        "notes": "Promotions multiply the rate of orders placed for the promoted category by 1 + order_rate_lift_pct for the window, and price its lines down by the discount; other categories are untouched, so they are valid controls. Orders placed for other categories also pick up the promoted category's products on the side, unchanged, so the uplift a shop can see in the orders that contain the category (true_uplift_orders_pct) is smaller than the rate lift, and the revenue uplift (true_uplift_revenue_pct) nets the discount off. Underperforming products get about three times the views of comparable products and a quarter of the add-to-cart rate.",
    });
    let mut files = files;
    files.push(write::atomic_json(dir, "ground_truth.json", &gt)?);
    files.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(DemoSummary {
        counts,
        files,
        seconds: t0.elapsed().as_secs_f64(),
    })
}

/// A customer for an order placed for category `cat`: a new one about 45 % of the time,
/// else a returning one, more readily one who likes the category.
fn pick_customer(
    rng: &mut ChaCha8Rng,
    customers: &[Customer],
    next_new: &mut usize,
    buyers: &mut Vec<usize>,
    day: u32,
    cat: usize,
) -> usize {
    let want_new = buyers.is_empty() || rng.random_bool(0.45);
    if want_new && *next_new < customers.len() && customers[*next_new].signup_day <= day {
        let c = *next_new;
        *next_new += 1;
        buyers.push(c);
        return c;
    }
    for _ in 0..40 {
        if buyers.is_empty() {
            break;
        }
        let i = rng.random_range(0..buyers.len());
        let c = buyers[i];
        if customers[c].churn_day < day {
            buyers.swap_remove(i);
            continue;
        }
        let taste = if customers[c].favourites.contains(&cat) {
            FAVOURITE_PULL
        } else {
            OTHER_PULL
        };
        if rng.random_bool((customers[c].propensity / 2.5 * taste).clamp(0.02, 1.0)) {
            return c;
        }
    }
    if *next_new < customers.len() {
        let c = *next_new;
        *next_new += 1;
        buyers.push(c);
        return c;
    }
    rng.random_range(0..customers.len())
}

fn pick_product(
    rng: &mut ChaCha8Rng,
    ids: &[usize],
    cum: &[f64],
    products: &[Product],
    day: u32,
) -> Option<usize> {
    for _ in 0..20 {
        let pi = ids[pick_weighted(rng, cum)];
        if products[pi].launch_day <= day {
            return Some(pi);
        }
    }
    None
}

/// A product of category `cat` for a customer who bought `owned` before: one of the same
/// products again (consumables), one that goes with one they have, one of a brand they
/// bought in the category, or by popularity.
/// The catalogue as the order loop picks from it.
struct Shelf<'a> {
    products: &'a [Product],
    by_cat: &'a [Vec<usize>],
    pop_cum: &'a [Vec<f64>],
    complements: &'a [Vec<usize>],
}

fn pick_for(
    rng: &mut ChaCha8Rng,
    shelf: &Shelf<'_>,
    owned: &[usize],
    cat: usize,
    day: u32,
) -> Option<usize> {
    let (products, complements) = (shelf.products, shelf.complements);
    let (ids, cum) = (&shelf.by_cat[cat], &shelf.pop_cum[cat]);
    let mine: Vec<usize> = owned
        .iter()
        .copied()
        .filter(|p| products[*p].category == cat)
        .collect();
    if !mine.is_empty() {
        if rng.random_bool(CATEGORIES[cat].repeat_rate) {
            return Some(mine[rng.random_range(0..mine.len())]);
        }
        if rng.random_bool(COMPLETE_THE_SET) {
            let ids = &complements[mine[rng.random_range(0..mine.len())]];
            if let Some(pi) = ids.get(rng.random_range(0..ids.len().max(1)))
                && products[*pi].launch_day <= day
            {
                return Some(*pi);
            }
        }
        if rng.random_bool(BRAND_LOYALTY) {
            let brand = products[mine[rng.random_range(0..mine.len())]].brand;
            for _ in 0..30 {
                let pi = ids[pick_weighted(rng, cum)];
                if products[pi].brand == brand && products[pi].launch_day <= day {
                    return Some(pi);
                }
            }
        }
    }
    pick_product(rng, ids, cum, products, day)
}

/// Two or three products of the same category with another noun that go with each product
/// (a case for a phone, a leash for a collar), drawn by popularity.
fn complements(
    rng: &mut ChaCha8Rng,
    products: &[Product],
    by_cat: &[Vec<usize>],
    pop_cum: &[Vec<f64>],
) -> Vec<Vec<usize>> {
    let noun = |p: &Product| p.name.split(' ').next_back().map(str::to_owned);
    products
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let want = rng.random_range(2..=3);
            let mut out = Vec::new();
            for _ in 0..30 {
                if out.len() == want {
                    break;
                }
                let j = by_cat[p.category][pick_weighted(rng, &pop_cum[p.category])];
                if j != i && !out.contains(&j) && noun(&products[j]) != noun(p) {
                    out.push(j);
                }
            }
            out
        })
        .collect()
}

pub(crate) fn region_of(c: &Customer) -> (&'static str, &'static str, &'static str) {
    let r = REGIONS[c.region];
    (r.0, r.1, r.2)
}

pub(crate) fn channel_of(c: &Customer) -> &'static str {
    CHANNELS[c.channel].0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digest(dir: &Path) -> Vec<(String, String)> {
        let mut v: Vec<(String, String)> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                let bytes = std::fs::read(e.path()).unwrap();
                (
                    e.file_name().to_string_lossy().into_owned(),
                    hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&bytes)),
                )
            })
            .collect();
        v.sort();
        v
    }

    #[test]
    fn same_seed_same_bytes_other_seed_other_bytes() {
        let (a, b, c) = (
            tempfile::tempdir().unwrap(),
            tempfile::tempdir().unwrap(),
            tempfile::tempdir().unwrap(),
        );
        let o = DemoOptions {
            scale: 0.05,
            ..Default::default()
        };
        let s = generate(a.path(), &o).unwrap();
        generate(b.path(), &o).unwrap();
        generate(
            c.path(),
            &DemoOptions {
                seed: 7,
                ..o.clone()
            },
        )
        .unwrap();
        assert_eq!(digest(a.path()), digest(b.path()));
        assert_ne!(digest(a.path()), digest(c.path()));
        let names: Vec<String> = digest(a.path()).into_iter().map(|x| x.0).collect();
        assert_eq!(
            names,
            [
                "customers.csv",
                "ground_truth.json",
                "orders.csv",
                "products.json",
                "promotions.json",
                "web_events.parquet"
            ]
        );
        assert!(
            s.counts.orders > 200 && s.counts.events > s.counts.orders * 5,
            "{:?}",
            s.counts
        );
    }

    #[test]
    fn realistic_shape_at_scale_one() {
        let d = tempfile::tempdir().unwrap();
        let s = generate(d.path(), &DemoOptions::default()).unwrap();
        let c = &s.counts;
        assert!((450..=560).contains(&c.products), "{c:?}");
        assert!((19_000..=21_000).contains(&c.customers), "{c:?}");
        assert!((16_000..=24_000).contains(&c.order_lines), "{c:?}");
        assert!(
            c.return_lines > c.order_lines / 30 && c.return_lines < c.order_lines / 5,
            "{c:?}"
        );
        assert!(c.promotions >= 6, "{c:?}");
        let gt: serde_json::Value =
            serde_json::from_slice(&std::fs::read(d.path().join("ground_truth.json")).unwrap())
                .unwrap();
        for p in gt["promotions"].as_array().unwrap() {
            let rate = p["order_rate_lift_pct"].as_f64().unwrap();
            assert!((20.0..=50.0).contains(&rate), "{p}");
            // Side purchases dilute the visible uplift; the discount eats into revenue.
            let orders = p["true_uplift_orders_pct"].as_f64().unwrap();
            assert!(orders > 5.0 && orders < rate, "{p}");
            let revenue = p["true_uplift_revenue_pct"].as_f64().unwrap();
            assert!(revenue < orders, "{p}");
        }
        // Weekly and yearly seasonality show in the orders file: December beats February.
        let orders = std::fs::read_to_string(d.path().join("orders.csv")).unwrap();
        let count = |m: &str| {
            orders
                .lines()
                .filter(|l| l.contains(&format!(",2025-{m}-")))
                .count()
        };
        assert!(
            count("12") as f64 > count("02") as f64 * 1.3,
            "dec {} feb {}",
            count("12"),
            count("02")
        );
    }

    #[test]
    fn bad_scale_is_refused() {
        let d = tempfile::tempdir().unwrap();
        assert!(matches!(
            generate(
                d.path(),
                &DemoOptions {
                    scale: 0.0,
                    ..Default::default()
                }
            ),
            Err(DemoError::BadScale(_))
        ));
        assert!(matches!(
            generate(
                d.path(),
                &DemoOptions {
                    scale: f64::NAN,
                    ..Default::default()
                }
            ),
            Err(DemoError::BadScale(_))
        ));
    }
}
