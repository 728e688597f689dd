//! The query layer on the demo shop, checked against figures computed here straight from the
//! generated orders file (not through DuckDB): revenue, orders, units, customers, new
//! customers and returns by month and by channel, a comparison period, filters, and the
//! limit.
// Test code: a failed assumption is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(clippy::panic, clippy::unreachable)]

use sr360_analytics::{
    Comparison, Dimension, Grain, Metric, Query, QueryError, TimeRange, Value, execute,
};
use sr360_pipeline::ingest::{IngestOptions, ingest};
use sr360_warehouse::{HardenedDb, Limits};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use time::macros::date;

#[derive(Default, Debug)]
struct Expect {
    revenue: f64,
    orders: BTreeSet<String>,
    units: i64,
    customers: BTreeSet<String>,
    new_customers: BTreeSet<String>,
    returned: i64,
}

type Line = (String, String, String, i64, f64, String);

type Cohorts = BTreeMap<String, BTreeMap<String, BTreeSet<String>>>;

/// Customers by first-purchase month, and the months each of them bought in.
fn cohorts_from(lines: &[Line]) -> Cohorts {
    let mut first: HashMap<&str, &str> = HashMap::new();
    for (_, e, day, q, _, _) in lines {
        if *q > 0 {
            let m = &day[..7];
            let f = first.entry(e.as_str()).or_insert(m);
            if m < *f {
                *f = m;
            }
        }
    }
    let mut out: Cohorts = BTreeMap::new();
    for (_, e, day, q, _, _) in lines {
        if *q > 0 {
            out.entry(first[e.as_str()].to_string())
                .or_default()
                .entry(day[..7].to_string())
                .or_default()
                .insert(e.clone());
        }
    }
    out
}

fn setup() -> (
    tempfile::TempDir,
    HardenedDb,
    BTreeMap<String, Expect>,
    BTreeMap<String, Expect>,
) {
    let (dir, d, m, c, _) = setup_all();
    (dir, d, m, c)
}

fn setup_all() -> (
    tempfile::TempDir,
    HardenedDb,
    BTreeMap<String, Expect>,
    BTreeMap<String, Expect>,
    Cohorts,
) {
    let dir = tempfile::tempdir().unwrap();
    let shop = dir.path().join("objects/demo");
    sr360_demo::generate(
        &shop,
        &sr360_demo::DemoOptions {
            scale: 0.1,
            ..Default::default()
        },
    )
    .unwrap();
    let d = HardenedDb::open(
        Some(&dir.path().join("w.duckdb")),
        dir.path(),
        &Limits {
            memory_limit: "1GB".into(),
            threads: 2,
        },
    )
    .unwrap();
    let before = execute(d.conn(), &Query::new(&[Metric::Revenue]));
    assert!(
        matches!(before, Err(QueryError::NoData)),
        "before any upload: {before:?}"
    );
    for (i, f) in [
        "products.json",
        "customers.csv",
        "orders.csv",
        "web_events.parquet",
    ]
    .iter()
    .enumerate()
    {
        let o = IngestOptions {
            upload_id: i as i64 + 1,
            ..Default::default()
        };
        ingest(
            d.conn(),
            &shop.join(f),
            &dir.path().join(format!("tmp/{i}")),
            &o,
        )
        .unwrap();
    }
    // Independent figures from the CSV: (order, e-mail, day, quantity, price, source).
    let mut rdr = csv::Reader::from_path(shop.join("orders.csv")).unwrap();
    let h = rdr.headers().unwrap().clone();
    let col = |n: &str| h.iter().position(|x| x == n).unwrap();
    let (id, email, created, qty, price, source) = (
        col("Name"),
        col("Email"),
        col("Created at"),
        col("Lineitem quantity"),
        col("Lineitem price"),
        col("Source"),
    );
    let mut lines: Vec<Line> = vec![];
    for r in rdr.records() {
        let r = r.unwrap();
        lines.push((
            r[id].to_string(),
            r[email].to_lowercase(),
            r[created][..10].to_string(),
            r[qty].parse().unwrap(),
            r[price].parse().unwrap(),
            r[source].to_lowercase(),
        ));
    }
    // A customer's first order: the earliest order with a sold line.
    let mut first: HashMap<String, (String, String)> = HashMap::new();
    for (o, e, day, q, _, _) in &lines {
        if *q > 0 {
            let cur = first.entry(e.clone()).or_insert((day.clone(), o.clone()));
            if (day, o) < (&cur.0, &cur.1) {
                *cur = (day.clone(), o.clone());
            }
        }
    }
    let mut by_month: BTreeMap<String, Expect> = BTreeMap::new();
    let mut by_channel: BTreeMap<String, Expect> = BTreeMap::new();
    for (o, e, day, q, p, src) in &lines {
        for x in [
            by_month.entry(format!("{}-01", &day[..7])).or_default(),
            by_channel.entry(src.clone()).or_default(),
        ] {
            x.revenue += *q as f64 * p;
            if *q > 0 {
                x.orders.insert(o.clone());
                x.units += q;
                x.customers.insert(e.clone());
                if first.get(e).is_some_and(|f| &f.1 == o) {
                    x.new_customers.insert(e.clone());
                }
            } else {
                x.returned -= q;
            }
        }
    }
    let cohorts = cohorts_from(&lines);
    (dir, d, by_month, by_channel, cohorts)
}

/// The same warehouse file, opened through the registry (the analytics API takes a handle).
fn warehouse(
    dir: &std::path::Path,
    d: HardenedDb,
) -> (
    sr360_warehouse::Warehouses,
    std::sync::Arc<sr360_warehouse::Warehouse>,
) {
    drop(d);
    let meta = sr360_meta::MetaStore::open(
        &dir.join("meta.sqlite"),
        std::sync::Arc::new(sr360_core::ManualClock::new(
            time::OffsetDateTime::UNIX_EPOCH,
        )),
    )
    .unwrap();
    let t = sr360_core::TenantId::parse("shop").unwrap();
    meta.create_tenant(&t, "Shop", &sr360_meta::AuditEvent::cli())
        .unwrap();
    let tenant_dir = dir.join("tenants/shop");
    std::fs::create_dir_all(&tenant_dir).unwrap();
    std::fs::rename(dir.join("w.duckdb"), tenant_dir.join("warehouse.duckdb")).unwrap();
    let whs = sr360_warehouse::Warehouses::new(
        dir,
        Limits {
            memory_limit: "1GB".into(),
            threads: 2,
        },
    );
    let wh = whs.open(&meta.system_scope(&t).unwrap()).unwrap();
    (whs, wh)
}

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or(f64::NAN)
}

#[test]
fn metrics_by_month_and_channel_match_the_file() {
    let (_dir, d, by_month, by_channel) = setup();
    let metrics = [
        Metric::Revenue,
        Metric::Orders,
        Metric::Units,
        Metric::Customers,
        Metric::NewCustomers,
        Metric::ReturningCustomers,
        Metric::ReturnedUnits,
        Metric::Aov,
    ];
    let mut q = Query::new(&metrics);
    q.dimensions = vec![Dimension::Date(Grain::Month)];
    let r = execute(d.conn(), &q).unwrap();
    assert_eq!(r.rows.len(), by_month.len());
    for row in &r.rows {
        let month = row[0].as_str().unwrap();
        let e = &by_month[month];
        assert!(
            (num(&row[1]) - e.revenue).abs() < 0.01,
            "{month} revenue {} vs {}",
            num(&row[1]),
            e.revenue
        );
        assert_eq!(num(&row[2]) as usize, e.orders.len(), "{month} orders");
        assert_eq!(num(&row[3]) as i64, e.units, "{month} units");
        assert_eq!(
            num(&row[4]) as usize,
            e.customers.len(),
            "{month} customers"
        );
        assert_eq!(
            num(&row[5]) as usize,
            e.new_customers.len(),
            "{month} new customers"
        );
        assert_eq!(
            num(&row[6]) as usize,
            e.customers.len() - e.new_customers.len(),
            "{month} returning"
        );
        assert_eq!(num(&row[7]) as i64, e.returned, "{month} returned units");
    }
    assert!(
        r.rows
            .windows(2)
            .all(|w| w[0][0].as_str() < w[1][0].as_str()),
        "months in order"
    );

    q.dimensions = vec![Dimension::Channel];
    let r = execute(d.conn(), &q).unwrap();
    assert_eq!(r.rows.len(), by_channel.len());
    for row in &r.rows {
        let e = &by_channel[row[0].as_str().unwrap()];
        assert!((num(&row[1]) - e.revenue).abs() < 0.01);
        assert_eq!(num(&row[2]) as usize, e.orders.len());
    }
    assert!(
        r.rows.windows(2).all(|w| num(&w[0][1]) >= num(&w[1][1])),
        "biggest channel first by default"
    );
}

#[test]
fn per_order_and_per_customer_figures_are_the_ratios_of_their_parts() {
    let (_dir, d, _, _) = setup();
    let q = Query::new(&[
        Metric::Units,
        Metric::Orders,
        Metric::UnitsPerOrder,
        Metric::Revenue,
        Metric::Customers,
        Metric::RevenuePerCustomer,
        Metric::ReturnedUnits,
        Metric::ReturnedOrders,
    ]);
    let r = execute(d.conn(), &q).unwrap();
    let v: Vec<f64> = r.rows[0].iter().map(num).collect();
    assert!((v[2] - v[0] / v[1]).abs() < 1e-9, "{v:?}");
    assert!((v[5] - v[3] / v[4]).abs() < 1e-6, "{v:?}");
    // Some orders have a return, never more than there are orders or returned units.
    assert!(v[7] > 0.0 && v[7] <= v[1] && v[7] <= v[6], "{v:?}");
}

#[test]
fn ranges_comparisons_filters_and_limits() {
    let (_dir, d, by_month, by_channel) = setup();
    let mut q = Query::new(&[Metric::Revenue, Metric::Orders]);
    q.range = Some(TimeRange {
        from: date!(2025 - 03 - 01),
        to: date!(2025 - 03 - 31),
    });
    q.compare = Some(Comparison::PreviousPeriod);
    let r = execute(d.conn(), &q).unwrap();
    assert!((num(&r.rows[0][0]) - by_month["2025-03-01"].revenue).abs() < 0.01);
    let pr = r.previous_range.unwrap();
    assert_eq!(
        (pr.from, pr.to),
        (date!(2025 - 01 - 29), date!(2025 - 02 - 28)),
        "31 days before"
    );
    q.range = Some(TimeRange {
        from: date!(2025 - 07 - 01),
        to: date!(2025 - 07 - 31),
    });
    q.compare = Some(Comparison::PreviousYear);
    let r = execute(d.conn(), &q).unwrap();
    let prev = r.previous.unwrap();
    assert!(
        (num(&prev[0][0]) - by_month["2024-07-01"].revenue).abs() < 0.01,
        "July a year before"
    );

    // A filter on one channel equals that channel's own figures.
    let (ch, e) = by_channel.iter().next().unwrap();
    let mut q = Query::new(&[Metric::Revenue]);
    q.filters.channel = vec![ch.clone()];
    let r = execute(d.conn(), &q).unwrap();
    assert!((num(&r.rows[0][0]) - e.revenue).abs() < 0.01);

    // Top three products, and the cut is reported.
    let mut q = Query::new(&[Metric::Revenue]);
    q.dimensions = vec![Dimension::Product];
    q.limit = Some(3);
    let r = execute(d.conn(), &q).unwrap();
    assert_eq!(r.rows.len(), 3);
    assert!(r.truncated);
    assert_eq!(
        r.columns
            .iter()
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>(),
        ["sku", "product_name", "revenue"]
    );
    assert!(
        r.rows[0][1].as_str().is_some_and(|n| !n.is_empty()),
        "names come with the SKUs"
    );
    assert!(num(&r.rows[0][2]) >= num(&r.rows[1][2]));

    // Rates are shares between 0 and 1; margins are known (the demo has costs).
    let q = Query::new(&[
        Metric::RepeatPurchaseRate,
        Metric::ReturnRate,
        Metric::GrossMargin,
    ]);
    let r = execute(d.conn(), &q).unwrap();
    for v in &r.rows[0] {
        let x = num(v);
        assert!(x > 0.0 && x < 1.0, "{:?}", r.rows[0]);
    }
    // Weekday × hour: at most 7 × 24 cells.
    let mut q = Query::new(&[Metric::Orders]);
    q.dimensions = vec![Dimension::Weekday, Dimension::Hour];
    let r = execute(d.conn(), &q).unwrap();
    assert!(
        r.rows.len() <= 168 && r.rows.len() > 100,
        "{}",
        r.rows.len()
    );
    // Repeat purchases per month sit between 0 and 1 too, on the month's own customers.
    let mut q = Query::new(&[Metric::Customers, Metric::RepeatPurchaseRate]);
    q.dimensions = vec![Dimension::Date(Grain::Month), Dimension::CustomerType];
    let r = execute(d.conn(), &q).unwrap();
    assert!(r.rows.iter().all(|row| (0.0..=1.0).contains(&num(&row[3]))));
}

#[test]
fn cohorts_match_the_file() {
    let (dir, d, _, _, expect) = setup_all();
    let (_whs, wh) = warehouse(dir.path(), d);
    let table = sr360_analytics::session(&wh, |s| sr360_analytics::cohorts(s, 6, 4)).unwrap();
    assert_eq!(table.cohorts.len(), 6);
    let last = expect.keys().last().unwrap().clone();
    for c in &table.cohorts {
        let month = &c.month[..7];
        let months = &expect[month];
        let size = months[month].len();
        assert_eq!(c.customers as usize, size, "{month} size");
        assert_eq!(c.retention[0], Some(1.0));
        // Month k: the share of the cohort buying in the k-th month after the first.
        let (y, m): (i32, i32) = (month[..4].parse().unwrap(), month[5..].parse().unwrap());
        for k in 1..4 {
            let (yy, mm) = (y + (m - 1 + k) / 12, (m - 1 + k) % 12 + 1);
            let key = format!("{yy}-{mm:02}");
            if key > last {
                assert_eq!(
                    c.retention[k as usize], None,
                    "{month}+{k} is after the data"
                );
                continue;
            }
            let active = months.get(&key).map_or(0, |s| s.len());
            let got = c.retention[k as usize].unwrap();
            assert!(
                (got - active as f64 / size as f64).abs() < 1e-9,
                "{month}+{k}: {got} vs {active}/{size}"
            );
        }
        assert!(c.ltv[0].is_some_and(|v| v > 0.0), "{:?}", c.ltv);
    }
    assert!(matches!(
        sr360_analytics::session(&wh, |s| sr360_analytics::cohorts(s, 0, 4)),
        Err(QueryError::Invalid(_))
    ));
}

#[test]
fn funnel_steps_and_the_products_built_to_convert_badly() {
    let (dir, d, _, _, _) = setup_all();
    let truth: serde_json::Value = serde_json::from_slice(
        &std::fs::read(dir.path().join("objects/demo/ground_truth.json")).unwrap(),
    )
    .unwrap();
    let (_whs, wh) = warehouse(dir.path(), d);
    use sr360_analytics::{FunnelBy, funnel, underperformers};
    let all = sr360_analytics::session(&wh, |s| {
        funnel(
            s,
            FunnelBy::Overall,
            None,
            &sr360_analytics::Filters::default(),
            10,
        )
    })
    .unwrap();
    let o = &all[0];
    assert!(
        o.views >= o.carts
            && o.carts >= o.checkouts
            && o.checkouts >= o.purchases
            && o.purchases > 0,
        "{o:?}"
    );
    // Every order came from a purchasing session in the demo.
    let orders = truth["counts"]["orders"].as_i64().unwrap();
    assert_eq!(o.purchases, orders, "{o:?}");
    let by_channel = sr360_analytics::session(&wh, |s| {
        funnel(
            s,
            FunnelBy::Channel,
            None,
            &sr360_analytics::Filters::default(),
            10,
        )
    })
    .unwrap();
    assert_eq!(
        by_channel.iter().map(|r| r.views).sum::<i64>(),
        o.views,
        "channels add up"
    );
    let products = sr360_analytics::session(&wh, |s| {
        funnel(
            s,
            FunnelBy::Product,
            None,
            &sr360_analytics::Filters::default(),
            10_000,
        )
    })
    .unwrap();
    assert!(
        products
            .iter()
            .all(|p| p.views >= p.carts && p.name.is_some())
    );
    // The generator's underperformers (3x the views, a quarter of the add-to-cart rate).
    let want: BTreeSet<String> = truth["underperforming_skus"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    let flagged = sr360_analytics::session(&wh, |s| underperformers(s, None, 30)).unwrap();
    let got: BTreeSet<String> = flagged.iter().map(|u| u.sku.clone()).collect();
    let hits = got.intersection(&want).count();
    let views: Vec<(String, i64)> = want
        .iter()
        .map(|w| {
            (
                w.clone(),
                products.iter().find(|p| &p.key == w).map_or(0, |p| p.views),
            )
        })
        .collect();
    // Enough views to tell a quarter of the category's rate from chance (z < -3 needs about 80).
    let eligible: BTreeSet<String> = views
        .iter()
        .filter(|(_, v)| *v >= 80)
        .map(|(w, _)| w.clone())
        .collect();
    assert!(
        eligible.len() >= 5,
        "enough well-observed underperformers to judge: {views:?}"
    );
    let found = got.intersection(&eligible).count();
    assert!(
        found * 10 >= eligible.len() * 8,
        "found {found} of {} eligible ({views:?}): {got:?}",
        eligible.len()
    );
    assert!(
        got.len() <= hits + 2,
        "few false alarms: {:?}",
        got.difference(&want).collect::<Vec<_>>()
    );
    assert!(
        flagged
            .iter()
            .all(|u| u.z < -3.0 && u.rate < 0.6 * u.category_rate)
    );
}
