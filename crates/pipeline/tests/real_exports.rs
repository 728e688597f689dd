//! Real public exports of eight origins through the whole pipeline (see
//! `tests/corpus/LICENSES.md`): each must land as the right kind with the counts and totals
//! that plain Python computed over the file (`tests/corpus/expected.json`), or be refused
//! with a message that says what is missing.
// Test code: a failed assumption is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(clippy::panic, clippy::unreachable)]

use serde_json::Value;
use sr360_pipeline::ingest::{IngestOptions, ingest};
use sr360_pipeline::mapping::Entity;
use sr360_warehouse::{HardenedDb, Limits};
use std::path::Path;

fn corpus() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")
}

fn db(dir: &Path) -> HardenedDb {
    HardenedDb::open(
        Some(&dir.join("warehouse.duckdb")),
        dir,
        &Limits {
            memory_limit: "1GB".into(),
            threads: 2,
        },
    )
    .unwrap()
}

fn one<T: duckdb::types::FromSql>(d: &HardenedDb, sql: &str) -> T {
    d.conn()
        .query_row(sql, [], |r| r.get(0))
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

fn check(name: &str, e: &Value) {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join(name);
    std::fs::copy(corpus().join(name), &src).unwrap();
    let d = db(dir.path());
    let r = ingest(
        d.conn(),
        &src,
        &dir.path().join("tmp"),
        &IngestOptions::default(),
    );
    if let Some(refused) = e["refused"].as_array() {
        let msg = match r {
            Err(ref e)
                if {
                    eprintln!("{name}: refused — {e}");
                    false
                } =>
            {
                unreachable!()
            }
            Ok(r) => panic!("{name} must be refused, was loaded as {:?}", r.mapping),
            Err(e) => e.to_string(),
        };
        for needle in refused {
            let needle = needle.as_str().unwrap();
            assert!(
                msg.contains(needle),
                "{name}: {msg:?} should name {needle:?}"
            );
        }
        let tables: i64 = one(
            &d,
            "SELECT count(*) FROM duckdb_tables() WHERE schema_name IN ('bronze', 'gold')",
        );
        assert_eq!(tables, 0, "{name}: nothing is kept of a refused file");
        return;
    }
    let r = r.unwrap_or_else(|err| panic!("{name}: {err}"));
    let kind = serde_json::to_value(r.mapping.entity).unwrap();
    assert_eq!(kind, e["kind"], "{name}: {:?}", r.mapping);
    assert!(r.mapping.certain().is_ok(), "{name}: {:?}", r.mapping);
    let s = &r.summary;
    eprintln!(
        "{name}: {} ({:.0}% sure) — {}",
        r.mapping.entity.label(),
        100.0 * r.mapping.confidence,
        s.text
    );
    let n = |k: &str| e[k].as_u64();
    assert_eq!(
        Some(s.rows),
        n("rows"),
        "{name}: rows; rejects {:?}",
        &r.rejects[..r.rejects.len().min(3)]
    );
    assert!(
        r.rejects.is_empty(),
        "{name}: {:?}",
        &r.rejects[..3.min(r.rejects.len())]
    );
    for (k, got) in [
        ("orders", s.orders),
        ("products", s.products),
        ("customers", s.customers),
        ("sessions", s.sessions),
    ] {
        if let Some(want) = n(k) {
            assert_eq!(got, Some(want), "{name}: {k} ({})", s.text);
        }
    }
    for k in ["from", "to"] {
        if let Some(want) = e[k].as_str() {
            let got = if k == "from" { &s.from } else { &s.to };
            assert_eq!(got.as_deref(), Some(want), "{name}: {k}");
        }
    }
    if let Some(unused) = e["unused"].as_array() {
        for u in unused {
            assert!(
                s.unused.iter().any(|c| c == u.as_str().unwrap()),
                "{name}: {:?}",
                s.unused
            );
            assert!(
                s.text.contains(&format!("`{}`", u.as_str().unwrap())),
                "{}",
                s.text
            );
        }
    }
    if let Some(want) = e["revenue"].as_f64() {
        // What every page reads: the gold fact.
        let got: f64 = one(&d, "SELECT coalesce(sum(revenue), 0) FROM gold.fact_sales");
        assert!((got - want).abs() < 0.05, "{name}: revenue {got} vs {want}");
    }
    if let Some(want) = n("units") {
        let got: i64 = one(
            &d,
            "SELECT coalesce(sum(quantity), 0) FROM gold.fact_sales WHERE NOT is_return",
        );
        assert_eq!(got as u64, want, "{name}: units");
    }
    if let Some(want) = e["orders_from"].as_str() {
        assert_eq!(serde_json::to_value(s.orders_from).unwrap(), want, "{name}");
        assert!(s.text.contains("no order numbers"), "{}", s.text);
    }
    if let Some(days) = n("period_days") {
        assert_eq!(s.period.and_then(|p| p.days), Some(days as i64), "{name}");
        let cats: i64 = one(
            &d,
            "SELECT count(DISTINCT category) FROM silver.period_sales",
        );
        assert_eq!(Some(cats as u64), n("categories"), "{name}");
        // Totals spread over their days: the dashboard and forecasts read a daily series.
        let (first, last): (String, String) = d
            .conn()
            .query_row("SELECT CAST(min(date_key) AS VARCHAR), CAST(max(date_key) AS VARCHAR) FROM gold.daily_sales", [], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap();
        assert_eq!(Some(first.as_str()), e["from"].as_str(), "{name}");
        let weeks_end: String = one(
            &d,
            &format!(
                "SELECT CAST(DATE '{}' + INTERVAL {} DAY AS DATE)::VARCHAR",
                e["to"].as_str().unwrap(),
                days - 1
            ),
        );
        assert_eq!(last, weeks_end, "{name}");
        let orders: i64 = one(&d, "SELECT count(DISTINCT order_id) FROM gold.fact_sales");
        assert_eq!(orders, 0, "totals name no orders");
        assert!(s.text.contains("weekly"), "{}", s.text);
    }
    if r.mapping.entity == Entity::WebEvents {
        let purchases: i64 = one(
            &d,
            "SELECT count(*) FROM silver.web_events WHERE event_type = 'purchase'",
        );
        assert_eq!(Some(purchases as u64), n("purchases"), "{name}");
        if let Some(want) = n("purchase_sessions") {
            let got: i64 = one(
                &d,
                "SELECT coalesce(sum(purchased), 0) FROM gold.session_funnel",
            );
            assert_eq!(
                got as u64, want,
                "{name}: sessions with a purchase in the funnel"
            );
        }
        let customers: i64 = one(&d, "SELECT count(*) FROM silver.customers");
        assert_eq!(customers, 0, "{name}: events never add customers");
    }
    if r.mapping.entity != Entity::Customers && r.mapping.entity != Entity::Sales {
        let customers: i64 = one(&d, "SELECT count(*) FROM silver.customers");
        assert_eq!(
            customers, 0,
            "{name}: only sales and customer lists add customers"
        );
    }
}

#[test]
fn every_real_export_lands_as_its_kind_or_is_refused() {
    let expected: Value =
        serde_json::from_str(&std::fs::read_to_string(corpus().join("expected.json")).unwrap())
            .unwrap();
    let files = expected.as_object().unwrap();
    assert!(files.len() >= 10);
    let mut failures = Vec::new();
    for (name, e) in files {
        if let Err(p) = std::panic::catch_unwind(|| check(name, e)) {
            let msg = p
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            failures.push(format!("{name}: {msg}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
