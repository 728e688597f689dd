//! The demo shop's exports through the whole pipeline: every file recognised and mapped
//! without help, gold agreeing with the generator's own numbers, re-uploads merged, and a
//! failing upload changing nothing.
// Test code: a failed assumption is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(clippy::panic, clippy::unreachable)]

use sr360_pipeline::ingest::{IngestError, IngestOptions, SourceFile, ingest};
use sr360_pipeline::mapping::Entity;
use sr360_warehouse::{HardenedDb, Limits};
use std::path::Path;

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

fn q(db: &HardenedDb, sql: &str) -> f64 {
    db.conn()
        .query_row(sql, [], |r| r.get::<_, f64>(0))
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

#[test]
fn demo_shop_goes_in_and_adds_up() {
    let dir = tempfile::tempdir().unwrap();
    let shop = dir.path().join("objects/demo");
    let generated = sr360_demo::generate(
        &shop,
        &sr360_demo::DemoOptions {
            scale: 0.1,
            ..Default::default()
        },
    )
    .unwrap();
    let d = db(dir.path());
    let mut id = 0;
    let mut entities = vec![];
    for f in [
        "products.json",
        "customers.csv",
        "promotions.json",
        "orders.csv",
        "web_events.parquet",
    ] {
        id += 1;
        let o = IngestOptions {
            upload_id: id,
            ..Default::default()
        };
        let r = ingest(
            d.conn(),
            &shop.join(f),
            &dir.path().join(format!("tmp/{id}")),
            &o,
        )
        .unwrap_or_else(|e| panic!("{f}: {e}"));
        assert!(
            r.mapping.missing_required.is_empty(),
            "{f}: {:?}",
            r.mapping
        );
        assert!(
            r.rejects.is_empty(),
            "{f}: {:?}",
            &r.rejects[..r.rejects.len().min(3)]
        );
        entities.push(r.mapping.entity);
        if f == "products.json" {
            assert_eq!(
                r.mapping.fields.get("cost").map(String::as_str),
                Some("meta_data._wc_cog_cost"),
                "{:?}",
                r.mapping
            );
        }
        if f == "web_events.parquet" {
            assert!(
                r.enabled.funnel
                    && r.enabled.margins
                    && r.enabled.category_charts
                    && r.enabled.promotions,
                "{:?}",
                r.enabled
            );
        }
    }
    assert_eq!(
        entities,
        [
            Entity::Products,
            Entity::Customers,
            Entity::Promotions,
            Entity::Sales,
            Entity::WebEvents
        ]
    );
    let c = &generated.counts;
    assert_eq!(
        q(&d, "SELECT count(*)::DOUBLE FROM silver.orders"),
        c.orders as f64
    );
    assert_eq!(
        q(
            &d,
            "SELECT count(*)::DOUBLE FROM gold.fact_sales WHERE NOT is_return"
        ),
        c.order_lines as f64
    );
    assert_eq!(
        q(&d, "SELECT count(*)::DOUBLE FROM silver.products"),
        c.products as f64,
        "order lines name no unknown products"
    );
    assert_eq!(
        q(&d, "SELECT count(*)::DOUBLE FROM silver.web_events"),
        c.events as f64
    );
    assert_eq!(
        q(&d, "SELECT count(*)::DOUBLE FROM silver.customers"),
        c.customers as f64,
        "orders link to customers by e-mail"
    );
    // Revenue in gold equals the sum of the export's line amounts.
    let csv = std::fs::read_to_string(shop.join("orders.csv")).unwrap();
    let mut rdr = csv::Reader::from_reader(csv.as_bytes());
    let mut sum = 0.0;
    for rec in rdr.records() {
        let rec = rec.unwrap();
        sum += rec[10].parse::<f64>().unwrap() * rec[12].parse::<f64>().unwrap();
    }
    let gold = q(&d, "SELECT sum(revenue) FROM gold.fact_sales");
    assert!((gold - sum).abs() < 0.01, "gold {gold} vs export {sum}");
    assert!(
        q(
            &d,
            "SELECT count(*)::DOUBLE FROM gold.customer_features WHERE frequency > 1"
        ) > 10.0,
        "repeat buyers exist"
    );

    // Re-uploading the same orders changes nothing in silver.
    let before = q(&d, "SELECT count(*)::DOUBLE FROM silver.order_lines");
    let o = IngestOptions {
        upload_id: 99,
        ..Default::default()
    };
    ingest(
        d.conn(),
        &shop.join("orders.csv"),
        &dir.path().join("tmp/99"),
        &o,
    )
    .unwrap();
    assert_eq!(
        q(&d, "SELECT count(*)::DOUBLE FROM silver.order_lines"),
        before
    );
    assert!((q(&d, "SELECT sum(revenue) FROM gold.fact_sales") - sum).abs() < 0.01);

    // A file that is mostly bad changes nothing at all.
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "Name,Created at,Lineitem quantity,Lineitem price,Lineitem sku\n#1,2025-01-01,x,1.00,A\n#2,2025-01-01,y,1.00,B\n#3,2025-01-01,1,1.00,C\n").unwrap();
    let e = ingest(
        d.conn(),
        &bad,
        &dir.path().join("tmp/100"),
        &IngestOptions {
            upload_id: 100,
            ..Default::default()
        },
    )
    .unwrap_err();
    assert!(
        matches!(
            e,
            IngestError::TooManyRejects {
                rejected: 2,
                read: 3,
                ..
            }
        ),
        "{e}"
    );
    assert!(e.to_string().contains("line 2: not a whole number"), "{e}");
    assert_eq!(
        q(&d, "SELECT count(*)::DOUBLE FROM silver.order_lines"),
        before
    );
    assert_eq!(
        q(
            &d,
            "SELECT count(*)::DOUBLE FROM silver.orders WHERE order_id = '#3'"
        ),
        0.0
    );
}

#[test]
fn invoice_layout_with_day_first_dates_and_returns() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("invoices.csv");
    std::fs::write(
        &f,
        "InvoiceNo;StockCode;Description;Quantity;InvoiceDate;UnitPrice;CustomerID;Country\n\
         536365;85123A;WHITE HANGING HEART;6;13/12/2010 08:26;2,55;17850;United Kingdom\n\
         536365;71053;WHITE METAL LANTERN;6;13/12/2010 08:26;3,39;17850;United Kingdom\n\
         C536379;85123A;WHITE HANGING HEART;-1;14/12/2010 09:41;2,55;17850;United Kingdom\n",
    )
    .unwrap();
    let d = db(dir.path());
    let r = ingest(
        d.conn(),
        &f,
        &dir.path().join("tmp"),
        &IngestOptions {
            tz: "Europe/London".into(),
            currency: "GBP".into(),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!((r.rows_read, r.accepted), (3, 3), "{:?}", r.rejects);
    assert!(
        (q(&d, "SELECT sum(revenue) FROM gold.fact_sales") - (6.0 * 2.55 + 6.0 * 3.39 - 2.55))
            .abs()
            < 1e-9
    );
    assert_eq!(
        q(
            &d,
            "SELECT count(*)::DOUBLE FROM gold.fact_sales WHERE is_return"
        ),
        1.0
    );
    let day: String = d
        .conn()
        .query_row(
            "SELECT strftime(min(date_key), '%Y-%m-%d') FROM gold.fact_sales",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(day, "2010-12-13");
    let cur: String = d
        .conn()
        .query_row("SELECT any_value(currency) FROM silver.orders", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(cur, "GBP");
}

#[test]
fn parquet_with_wrong_types_is_reported_not_loaded() {
    let dir = tempfile::tempdir().unwrap();
    let d = db(dir.path());
    let f = dir.path().join("objects/bad.parquet");
    std::fs::create_dir_all(f.parent().unwrap()).unwrap();
    d.conn()
        .execute_batch(&format!(
            "COPY (SELECT 'A-' || i AS \"Name\", i AS \"Created at\", CASE WHEN i % 2 = 0 THEN 'two' ELSE '1' END AS \"Lineitem quantity\",
                          [1.5, 2.5] AS \"Lineitem price\", 'SKU' || i AS \"Lineitem sku\" FROM range(10) t(i))
             TO '{}' (FORMAT parquet)",
            f.display()
        ))
        .unwrap();
    // Loaded into a table, and read in place as the stored object (a view): the same.
    for source in [SourceFile::Foreign, SourceFile::Stored] {
        let e = ingest(
            d.conn(),
            &f,
            &dir.path().join("tmp"),
            &IngestOptions {
                source,
                ..Default::default()
            },
        )
        .unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.contains("could not be read") && msg.contains("nothing was changed"),
            "{msg}"
        );
        let n: i64 = d
            .conn()
            .query_row("SELECT count(*) FROM silver.order_lines", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 0, "silver untouched");
        let left: Vec<String> = d
        .conn()
        .prepare("SELECT schema_name || '.' || table_name FROM duckdb_tables() WHERE schema_name IN ('bronze', 'silver', 'gold') AND (suffix(table_name, '__next') OR schema_name = 'bronze')
                  UNION ALL SELECT schema_name || '.' || view_name FROM duckdb_views() WHERE schema_name = 'bronze'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
        assert!(
            left.is_empty(),
            "a failed ingest leaves no tables behind: {left:?}"
        );
    }
}

#[test]
fn line_numbers_hold_in_large_files() {
    // Line 1,001 cannot be read at all (a column too many); line 250,003 has a bad
    // quantity. Loaded into a table, and read in place as the stored object.
    let mut s = String::from("order_id,order_date,sku,quantity,unit_price\n");
    for i in 0..300_000u32 {
        if i == 999 {
            s.push_str("X,2025-01-01 10:00:00,SKU1,1,2.50,EXTRA\n");
        }
        let qty = if i == 250_000 {
            "many".to_string()
        } else {
            "1".to_string()
        };
        s.push_str(&format!(
            "O{i},2025-01-01 10:00:00,SKU{},{qty},2.50\n",
            i % 50
        ));
    }
    for source in [SourceFile::Foreign, SourceFile::Stored] {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("big.csv");
        std::fs::write(&f, &s).unwrap();
        let d = db(dir.path());
        let r = ingest(
            d.conn(),
            &f,
            &dir.path().join("tmp"),
            &IngestOptions {
                source,
                ..Default::default()
            },
        )
        .unwrap();
        let lines: Vec<(u64, &str)> = r
            .rejects
            .iter()
            .map(|r| (r.line, r.value.as_str()))
            .collect();
        assert_eq!(lines.len(), 2, "{source:?}: {lines:?}");
        assert_eq!(lines[0].0, 1_001, "{source:?}");
        assert_eq!(lines[1], (250_003, "many"), "{source:?}");
        assert_eq!(r.rows_read, 300_001, "{source:?}");
        let kept: i64 = d
            .conn()
            .query_row(
                "SELECT count(*) FROM duckdb_views() WHERE schema_name = 'bronze' AND view_name = 'upload_1'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(kept == 1, source == SourceFile::Stored, "{source:?}");
    }
}

#[test]
fn a_customers_first_order_is_their_first_with_a_sale() {
    // a@x returns something (from an order loaded earlier elsewhere) before buying twice,
    // naming S2 twice in O2; b@x buys and returns within one order.
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("lines.csv");
    std::fs::write(
        &f,
        "order_id,order_date,email,sku,quantity,unit_price\n\
         R1,2025-01-01 10:00:00,a@x.org,S1,-1,5.00\n\
         O1,2025-01-02 10:00:00,a@x.org,S1,1,5.00\n\
         O1,2025-01-02 10:00:00,a@x.org,S2,1,7.00\n\
         O2,2025-01-03 10:00:00,a@x.org,S2,2,7.00\n\
         O2,2025-01-03 10:00:00,a@x.org,S2,1,4.00\n\
         B1,2025-01-04 10:00:00,b@x.org,S1,2,5.00\n\
         B1,2025-01-05 10:00:00,b@x.org,S1,-1,5.00\n",
    )
    .unwrap();
    let d = db(dir.path());
    ingest(
        d.conn(),
        &f,
        &dir.path().join("tmp"),
        &IngestOptions::default(),
    )
    .unwrap();
    let first: Vec<(String, bool)> = d
        .conn()
        .prepare("SELECT order_id, bool_and(is_first_order) FROM gold.fact_sales GROUP BY order_id ORDER BY order_id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        first,
        [
            ("B1".to_string(), true),
            ("O1".to_string(), true),
            ("O2".to_string(), false),
            ("R1".to_string(), false)
        ]
    );
    let (lines, qty, price): (i64, i64, f64) = d
        .conn()
        .query_row(
            "SELECT (SELECT count(*) FROM silver.order_lines), quantity, unit_price FROM silver.order_lines WHERE order_id = 'O2'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(
        (lines, qty),
        (6, 3),
        "one line of S2 in O2, the return its own line"
    );
    assert!((price - 6.0).abs() < 1e-9, "{price}");
}
