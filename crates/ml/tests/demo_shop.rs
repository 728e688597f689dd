//! The models on the demo shop, loaded through the real pipeline and asked through the query
//! layer: forecasts beat seasonal naive on held-out weeks and their 80 % intervals cover about
//! 80 % of the held-out days; the anomaly detector's false-alarm rate on two years of ordinary
//! trading is low; the results round-trip through the `ml.*` tables.
// Test code: a failed assumption is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(clippy::panic, clippy::unreachable)]

use sr360_analytics::{
    Metric, anomaly_series, category_series, forecast_series, promotions, session,
};
use sr360_meta::{AuditEvent, MetaStore};
use sr360_ml::anomaly::{Settings, detect};
use sr360_ml::recommend::Past;
use sr360_ml::store::{self, Fitted};
use sr360_pipeline::ingest::{IngestOptions, ingest};
use sr360_warehouse::{Limits, Warehouses};
use std::sync::Arc;

#[test]
fn demo_shop_forecasts_backtests_and_anomalies() {
    let dir = tempfile::tempdir().unwrap();
    let meta = MetaStore::open(
        &dir.path().join("meta.sqlite"),
        Arc::new(sr360_core::SystemClock),
    )
    .unwrap();
    let tid = sr360_core::TenantId::parse("demo").unwrap();
    meta.create_tenant(&tid, "Demo", &AuditEvent::cli())
        .unwrap();
    let scope = meta.system_scope(&tid).unwrap();
    let whs = Warehouses::new(
        dir.path(),
        Limits {
            memory_limit: "2GB".into(),
            threads: 2,
        },
    )
    .with_schema(sr360_pipeline::schema::ensure);
    let wh = whs.open(&scope).unwrap();
    // The warehouse reads files inside its own directory only.
    let files = wh.root().join("objects/demo");
    sr360_demo::generate(
        &files,
        &sr360_demo::DemoOptions {
            scale: 1.0,
            ..Default::default()
        },
    )
    .unwrap();
    for (i, f) in [
        "products.json",
        "customers.csv",
        "promotions.json",
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
        let work = wh.root().join(format!("tmp/{i}"));
        wh.with_conn(|c| Ok(ingest(c, &files.join(f), &work, &o).unwrap()))
            .unwrap();
    }
    let (series, watched) =
        session(&wh, |s| Ok((forecast_series(s, 5)?, anomaly_series(s)?))).unwrap();
    let keys: Vec<&str> = series.iter().map(|s| s.key.as_str()).collect();
    assert_eq!(keys[0], "revenue");
    assert!(
        keys.iter().filter(|k| k.starts_with("category:")).count() >= 10,
        "{keys:?}"
    );
    assert_eq!(*keys.last().unwrap(), "returns");

    // The shop's revenue: better than seasonal naive on held-out weeks, honest intervals.
    let revenue = &series[0];
    assert_eq!(revenue.values.len(), 730, "two years of days");
    let b = sr360_ml::backtest(&revenue.values, 7, 14, 6, 0.8).unwrap();
    assert!(b.model.mase < b.naive.mase, "{b:?}");
    assert!(
        (0.65..=0.95).contains(&b.coverage),
        "80 % intervals cover {:.0} % of held-out days",
        b.coverage * 100.0
    );
    // Categories too, on average.
    let cats: Vec<_> = series
        .iter()
        .filter(|s| s.key.starts_with("category:"))
        .filter_map(|s| sr360_ml::backtest(&s.values, 7, 14, 3, 0.8).ok())
        .collect();
    let mean = |f: &dyn Fn(&sr360_ml::Backtest) -> f64| {
        cats.iter().map(f).sum::<f64>() / cats.len() as f64
    };
    assert!(
        mean(&|b| b.model.mase) < mean(&|b| b.naive.mase),
        "categories: {:.3} vs naive {:.3}",
        mean(&|b| b.model.mase),
        mean(&|b| b.naive.mase)
    );
    let cov = mean(&|b| b.coverage);
    assert!((0.65..=0.95).contains(&cov), "category coverage {cov:.2}");

    // Anomalies: the demo has no outages, only holidays and promotions; few days are flagged.
    let days: usize = watched.iter().map(|s| s.values.len()).sum();
    let flagged: usize = watched
        .iter()
        .map(|s| {
            detect(
                &s.values,
                &if s.key == "orders" || s.key == "returns" {
                    Settings::for_counts()
                } else {
                    Settings::default()
                },
            )
            .len()
        })
        .sum();
    eprintln!("anomalies: {flagged} of {days} series-days flagged");
    assert!(
        (flagged as f64) / (days as f64) < 0.02,
        "{flagged} of {days} series-days flagged"
    );

    // Stored and read back.
    let fitted: Vec<Fitted> = series
        .into_iter()
        .map(|s| Fitted {
            result: sr360_ml::forecast(&s.values, 7, 30, 0.8).map(|p| (p, vec![b.clone()])),
            drivers: sr360_ml::drivers(&s.values, 7),
            series: s,
        })
        .collect();
    let range = (
        fitted[0].series.start,
        fitted[0].series.start + time::Duration::days(729),
    );
    wh.with_conn(|c| {
        store::write(
            c,
            1,
            &store::RunResults {
                fitted: &fitted,
                anomalies: &[],
                effects: &[],
                segments: &store::SegmentsOutcome::none(),
                recommender: None,
            },
            range,
        )
        .unwrap();
        Ok(())
    })
    .unwrap();
    let view = wh
        .with_reader(|c| Ok(store::forecast(c, "revenue", 90).unwrap()))
        .unwrap()
        .unwrap();
    assert_eq!(
        (
            view.history.len(),
            view.forecast.len(),
            view.info.status.as_str()
        ),
        (90, 30, "ok")
    );
    assert_eq!(
        view.forecast[0].day,
        range.1 + time::Duration::days(1),
        "the forecast starts the day after the data"
    );
    let strength = |k: &str| {
        view.drivers
            .iter()
            .find(|(d, _)| d == k)
            .map(|(_, v)| *v)
            .unwrap_or_else(|| panic!("{k} in {:?}", view.drivers))
    };
    // Two years of days: the yearly season (holidays, summer) drives the demo shop's revenue more than its weekly pattern.
    assert!(
        strength("p365") > 0.3 && strength("p365") > strength("p7") && strength("trend") > 0.0,
        "{:?}",
        view.drivers
    );
    for f in &view.forecast {
        assert!(
            f.lower <= f.point && f.point <= f.upper && f.lower >= 0.0,
            "{f:?}"
        );
    }

    // Promotion uplift against the generator's truth.
    let truth: serde_json::Value =
        serde_json::from_slice(&std::fs::read(files.join("ground_truth.json")).unwrap()).unwrap();
    let (start, orders, revenue, promos) = session(&wh, |s| {
        let (start, orders) = category_series(s, Metric::Orders)?;
        let (_, revenue) = category_series(s, Metric::Revenue)?;
        Ok((start, orders, revenue, promotions(s)?))
    })
    .unwrap();
    assert!(promos.len() >= 6, "{promos:?}");
    let effects = sr360_ml::uplift::promotion_effects(
        &promos,
        start,
        &[("orders", &orders), ("revenue", &revenue)],
    );
    let mut inside = 0;
    let mut errors = vec![];
    for e in &effects {
        let field = match e.metric {
            "orders" => "true_uplift_orders_pct",
            _ => "true_uplift_revenue_pct",
        };
        let want = truth["promotions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["code"] == e.code.as_str())
            .unwrap()[field]
            .as_f64()
            .unwrap()
            / 100.0;
        let u = match &e.result {
            Ok(u) => u,
            Err(r) => {
                // A winter category selling on fewer than half of the days is refused.
                eprintln!("uplift {} {}: {r}", e.code, e.metric);
                continue;
            }
        };
        eprintln!(
            "uplift {} {}: true {:+.0} %, estimated {:+.0} % [{:+.0} %, {:+.0} %]",
            e.code,
            e.metric,
            want * 100.0,
            u.estimate * 100.0,
            u.low * 100.0,
            u.high * 100.0
        );
        inside += usize::from(u.low <= want && want <= u.high);
        errors.push((u.estimate - want).abs());
        assert!(
            !e.controls.contains(&e.category),
            "the promoted category is not its own control"
        );
    }
    let n = errors.len();
    assert!(
        n >= 12,
        "estimates for {n} of the demo's promotions and metrics"
    );
    assert!(
        inside * 4 >= n * 3,
        "the truth inside the 95 % interval for {inside} of {n} estimates"
    );
    let mae = errors.iter().sum::<f64>() / n as f64;
    eprintln!(
        "uplift: truth inside the interval for {inside} of {n}; mean absolute error {:.1} points",
        mae * 100.0
    );
    // About three orders a day per category at this scale: single promotions are noisy, the
    // intervals say so, and the average error stays bounded.
    assert!(mae < 0.5, "mean absolute error {mae:.3}");
    assert!(
        effects
            .iter()
            .any(|e| e.metric == "revenue" && e.result.is_ok())
    );
    // Recommendations: each customer's last order held out.
    let bought = session(&wh, sr360_analytics::baskets::purchases).unwrap();
    let baskets: Vec<sr360_ml::recommend::Basket> = bought
        .baskets
        .iter()
        .map(|(c, day, items)| sr360_ml::recommend::Basket {
            customer: *c,
            day: *day,
            items: items.clone(),
        })
        .collect();
    let brand = &bought.catalogue.brand_of;
    let category = &bought.catalogue.category_of;
    let e = sr360_ml::rec_eval::evaluate(&baskets, category, brand, 10).unwrap();
    eprintln!("recommendations: {e:?}");
    assert!(e.customers > 500, "{e:?}");
    // Never worse than the customer's own most bought items beyond chance, far ahead of
    // popularity (figures in docs/benchmarks.md).
    let top = e.method("top_frequency").unwrap();
    assert!(
        !top.sr360_minus.unwrap().significantly_worse(),
        "worse than personal top-frequency: {top:?} vs {:?}",
        e.method("sr360")
    );
    assert!(
        e.model.hit_rate >= 1.5 * e.popularity.hit_rate,
        "HR@10 {:.3} against popularity's {:.3}",
        e.model.hit_rate,
        e.popularity.hit_rate
    );
    assert!(e.model.ndcg > e.popularity.ndcg && e.model.coverage > e.popularity.coverage);
    assert!(e.new_items.customers > 0 && e.new_items.methods.len() == 4);

    // Stored with the run and read back for the model status page.
    wh.with_conn(|c| {
        store::write(
            c,
            2,
            &store::RunResults {
                fitted: &fitted,
                anomalies: &[],
                effects: &effects,
                segments: &store::SegmentsOutcome::none(),
                recommender: Some(&store::Recommender {
                    model: sr360_ml::recommend::Model::fit(&baskets, category, brand),
                    skus: bought.catalogue.skus.clone(),
                    categories: bought.catalogue.categories.clone(),
                    brands: bought.catalogue.brands.clone(),
                }),
            },
            range,
        )
        .unwrap();
        Ok(())
    })
    .unwrap();
    // The recommender reads back as it was written.
    let back = wh
        .with_reader(|c| Ok(store::recommender(c).unwrap()))
        .unwrap()
        .unwrap();
    let fitted_model = sr360_ml::recommend::Model::fit(&baskets, category, brand);
    eprintln!("ranker weights: {:?}", fitted_model.weights);
    let index: std::collections::HashMap<&str, u32> = back
        .skus
        .iter()
        .enumerate()
        .map(|(i, s)| (s.as_str(), i as u32))
        .collect();
    // Someone's orders so far, and the day after the last one.
    let someone = baskets[baskets.len() / 2].customer;
    let theirs: Vec<&sr360_ml::recommend::Basket> =
        baskets.iter().filter(|b| b.customer == someone).collect();
    let now = theirs.last().unwrap().day + 30.0;
    let past = Past::from_orders(theirs.iter().map(|b| (b.day, b.items.as_slice())));
    let mapped: Vec<(f64, Vec<u32>)> = theirs
        .iter()
        .map(|b| {
            let items = b
                .items
                .iter()
                .map(|i| index[bought.catalogue.skus[*i as usize].as_str()])
                .collect();
            (b.day, items)
        })
        .collect();
    let past_back = Past::from_orders(mapped.iter().map(|(d, v)| (*d, v.as_slice())));
    let a: Vec<&str> = fitted_model
        .recommend(&past, now, 10)
        .iter()
        .map(|r| bought.catalogue.skus[r.item as usize].as_str())
        .collect();
    let b: Vec<&str> = back
        .model
        .recommend(&past_back, now, 10)
        .iter()
        .map(|r| back.skus[r.item as usize].as_str())
        .collect();
    assert_eq!(a, b, "stored recommender recommends the same");
    // Durable goods are not offered again: every "buy again" is of an item its buyers
    // re-buy, and the novels and durables customers own (re-bought by fewer than 2 in 100)
    // never come back.
    let mut by_customer: std::collections::BTreeMap<u32, Vec<&sr360_ml::recommend::Basket>> =
        Default::default();
    for b in &baskets {
        by_customer.entry(b.customer).or_default().push(b);
    }
    let (mut again, mut durable_owned) = (0, 0);
    for orders in by_customer.values().take(400) {
        let past = Past::from_orders(orders.iter().map(|b| (b.day, b.items.as_slice())));
        let now = orders.last().unwrap().day + 14.0;
        for (i, _) in past.counts() {
            durable_owned += usize::from(!fitted_model.rebought(i));
        }
        for r in fitted_model.recommend(&past, now, 10) {
            if let sr360_ml::recommend::Reason::BuyAgain { .. } = r.reason {
                again += 1;
                assert!(
                    fitted_model.rebuy[r.item as usize] >= sr360_ml::recommend::MIN_REBUY,
                    "{} offered again",
                    bought.catalogue.names[r.item as usize]
                );
            }
        }
    }
    assert!(again > 0 && durable_owned > 0, "{again} {durable_owned}");
    let rows = wh.with_reader(|c| Ok(store::uplift(c).unwrap())).unwrap();
    assert_eq!(rows.len(), effects.len());
    for r in &rows {
        match (r.estimate, r.low, r.high) {
            (Some(e), Some(l), Some(h)) => assert!(l <= e && e <= h, "{r:?}"),
            _ => assert!(
                r.reason.as_deref().is_some_and(|x| !x.is_empty()),
                "a refused estimate says why: {r:?}"
            ),
        }
    }
}
