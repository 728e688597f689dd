//! The query layer on the demo shop, checked against figures computed here straight from the
//! generated orders file (not through DuckDB): revenue, orders, units, customers, new
//! customers and returns by month and by channel, a comparison period, filters, and the
//! limit.

use sr360_analytics::{Comparison, Dimension, Grain, Metric, Query, QueryError, TimeRange, Value, execute};
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

fn setup() -> (tempfile::TempDir, HardenedDb, BTreeMap<String, Expect>, BTreeMap<String, Expect>) {
    let dir = tempfile::tempdir().unwrap();
    let shop = dir.path().join("objects/demo");
    sr360_demo::generate(&shop, &sr360_demo::DemoOptions { scale: 0.1, ..Default::default() }).unwrap();
    let d = HardenedDb::open(Some(&dir.path().join("w.duckdb")), dir.path(), &Limits { memory_limit: "1GB".into(), threads: 2 }).unwrap();
    let before = execute(d.conn(), &Query::new(&[Metric::Revenue]));
    assert!(matches!(before, Err(QueryError::NoData)), "before any upload: {before:?}");
    for (i, f) in ["products.json", "customers.csv", "orders.csv"].iter().enumerate() {
        let o = IngestOptions { upload_id: i as i64 + 1, ..Default::default() };
        ingest(d.conn(), &shop.join(f), &dir.path().join(format!("tmp/{i}")), &o).unwrap();
    }
    // Independent figures from the CSV: (order, e-mail, day, quantity, price, source).
    let mut rdr = csv::Reader::from_path(shop.join("orders.csv")).unwrap();
    let h = rdr.headers().unwrap().clone();
    let col = |n: &str| h.iter().position(|x| x == n).unwrap();
    let (id, email, created, qty, price, source) = (col("Name"), col("Email"), col("Created at"), col("Lineitem quantity"), col("Lineitem price"), col("Source"));
    let mut lines: Vec<Line> = vec![];
    for r in rdr.records() {
        let r = r.unwrap();
        lines.push((r[id].to_string(), r[email].to_lowercase(), r[created][..10].to_string(), r[qty].parse().unwrap(), r[price].parse().unwrap(), r[source].to_lowercase()));
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
        for x in [by_month.entry(format!("{}-01", &day[..7])).or_default(), by_channel.entry(src.clone()).or_default()] {
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
    (dir, d, by_month, by_channel)
}

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or(f64::NAN)
}

#[test]
fn metrics_by_month_and_channel_match_the_file() {
    let (_dir, d, by_month, by_channel) = setup();
    let metrics = [Metric::Revenue, Metric::Orders, Metric::Units, Metric::Customers, Metric::NewCustomers, Metric::ReturningCustomers, Metric::ReturnedUnits, Metric::Aov];
    let mut q = Query::new(&metrics);
    q.dimensions = vec![Dimension::Date(Grain::Month)];
    let r = execute(d.conn(), &q).unwrap();
    assert_eq!(r.rows.len(), by_month.len());
    for row in &r.rows {
        let month = row[0].as_str().unwrap();
        let e = &by_month[month];
        assert!((num(&row[1]) - e.revenue).abs() < 0.01, "{month} revenue {} vs {}", num(&row[1]), e.revenue);
        assert_eq!(num(&row[2]) as usize, e.orders.len(), "{month} orders");
        assert_eq!(num(&row[3]) as i64, e.units, "{month} units");
        assert_eq!(num(&row[4]) as usize, e.customers.len(), "{month} customers");
        assert_eq!(num(&row[5]) as usize, e.new_customers.len(), "{month} new customers");
        assert_eq!(num(&row[6]) as usize, e.customers.len() - e.new_customers.len(), "{month} returning");
        assert_eq!(num(&row[7]) as i64, e.returned, "{month} returned units");
    }
    assert!(r.rows.windows(2).all(|w| w[0][0].as_str() < w[1][0].as_str()), "months in order");

    q.dimensions = vec![Dimension::Channel];
    let r = execute(d.conn(), &q).unwrap();
    assert_eq!(r.rows.len(), by_channel.len());
    for row in &r.rows {
        let e = &by_channel[row[0].as_str().unwrap()];
        assert!((num(&row[1]) - e.revenue).abs() < 0.01);
        assert_eq!(num(&row[2]) as usize, e.orders.len());
    }
    assert!(r.rows.windows(2).all(|w| num(&w[0][1]) >= num(&w[1][1])), "biggest channel first by default");
}

#[test]
fn ranges_comparisons_filters_and_limits() {
    let (_dir, d, by_month, by_channel) = setup();
    let mut q = Query::new(&[Metric::Revenue, Metric::Orders]);
    q.range = Some(TimeRange { from: date!(2025 - 03 - 01), to: date!(2025 - 03 - 31) });
    q.compare = Some(Comparison::PreviousPeriod);
    let r = execute(d.conn(), &q).unwrap();
    assert!((num(&r.rows[0][0]) - by_month["2025-03-01"].revenue).abs() < 0.01);
    let pr = r.previous_range.unwrap();
    assert_eq!((pr.from, pr.to), (date!(2025 - 01 - 29), date!(2025 - 02 - 28)), "31 days before");
    q.range = Some(TimeRange { from: date!(2025 - 07 - 01), to: date!(2025 - 07 - 31) });
    q.compare = Some(Comparison::PreviousYear);
    let r = execute(d.conn(), &q).unwrap();
    let prev = r.previous.unwrap();
    assert!((num(&prev[0][0]) - by_month["2024-07-01"].revenue).abs() < 0.01, "July a year before");

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
    assert_eq!(r.columns.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), ["sku", "product_name", "revenue"]);
    assert!(r.rows[0][1].as_str().is_some_and(|n| !n.is_empty()), "names come with the SKUs");
    assert!(num(&r.rows[0][2]) >= num(&r.rows[1][2]));

    // Rates are shares between 0 and 1; margins are known (the demo has costs).
    let q = Query::new(&[Metric::RepeatPurchaseRate, Metric::ReturnRate, Metric::GrossMargin]);
    let r = execute(d.conn(), &q).unwrap();
    for v in &r.rows[0] {
        let x = num(v);
        assert!(x > 0.0 && x < 1.0, "{:?}", r.rows[0]);
    }
    // Weekday × hour: at most 7 × 24 cells.
    let mut q = Query::new(&[Metric::Orders]);
    q.dimensions = vec![Dimension::Weekday, Dimension::Hour];
    let r = execute(d.conn(), &q).unwrap();
    assert!(r.rows.len() <= 168 && r.rows.len() > 100, "{}", r.rows.len());
    // Repeat purchases per month sit between 0 and 1 too, on the month's own customers.
    let mut q = Query::new(&[Metric::Customers, Metric::RepeatPurchaseRate]);
    q.dimensions = vec![Dimension::Date(Grain::Month), Dimension::CustomerType];
    let r = execute(d.conn(), &q).unwrap();
    assert!(r.rows.iter().all(|row| (0.0..=1.0).contains(&num(&row[3]))));
}
