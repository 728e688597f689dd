//! Exports from other shop systems, in the shapes they really have, through the whole
//! pipeline: Etsy's sold-order-items CSV (two-digit years, buyer names, a unit price and a
//! line total) and Square's item-sales CSV (date and time in separate columns, no unit price
//! but gross sales, accounting-style negatives for refunds).
// Test code: a failed assumption is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(clippy::panic, clippy::unreachable)]

use sr360_pipeline::ingest::{IngestOptions, ingest};
use sr360_pipeline::mapping::Entity;
use sr360_warehouse::{HardenedDb, Limits};
use std::path::Path;

fn db(dir: &Path) -> HardenedDb {
    HardenedDb::open(
        Some(&dir.join("warehouse.duckdb")),
        dir,
        &Limits {
            memory_limit: "512MB".into(),
            threads: 1,
        },
    )
    .unwrap()
}

fn load(d: &HardenedDb, dir: &Path, id: i64, name: &str) -> sr360_pipeline::ingest::IngestReport {
    let src = dir.join(name);
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name),
        &src,
    )
    .unwrap();
    let o = IngestOptions {
        upload_id: id,
        tz: "America/Los_Angeles".into(),
        ..Default::default()
    };
    ingest(d.conn(), &src, &dir.join(format!("tmp/{id}")), &o)
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn rows(d: &HardenedDb, sql: &str) -> Vec<String> {
    let mut st = d.conn().prepare(sql).unwrap();
    st.query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[test]
fn etsy_sold_order_items() {
    let dir = tempfile::tempdir().unwrap();
    let d = db(dir.path());
    let r = load(&d, dir.path(), 1, "etsy.csv");
    assert_eq!(r.mapping.entity, Entity::Sales);
    assert_eq!((r.rows_read, r.accepted), (3, 3), "{:?}", r.rejects);
    for (f, c) in [
        ("order_date", "Sale Date"),
        ("order_id", "Order ID"),
        ("unit_price", "Price"),
        ("customer_id", "Buyer"),
        ("country", "Ship Country"),
        ("sku", "SKU"),
    ] {
        assert_eq!(
            r.mapping.fields.get(f).map(String::as_str),
            Some(c),
            "{f}: {:?}",
            r.mapping
        );
    }
    // "11/02/25" is 2 November 2025 (month first, two-digit year), in the shop's time zone.
    assert_eq!(
        rows(
            &d,
            "SELECT strftime(timezone('America/Los_Angeles', line_ts), '%Y-%m-%d %H:%M') || ' ' || sku FROM silver.order_lines ORDER BY 1"
        ),
        [
            "2025-11-02 00:00 MUG-BLUE",
            "2025-11-03 00:00 MUG-GREEN",
            "2025-11-03 00:00 NAP-LIN-4"
        ]
    );
    assert_eq!(
        rows(
            &d,
            "SELECT order_id || ' ' || customer_key || ' ' || coalesce(discount_code, '-') FROM silver.orders ORDER BY 1"
        ),
        ["2911112222 jdoe88 -", "2911112223 amyk FALL10"]
    );
    assert_eq!(
        rows(
            &d,
            "SELECT CAST(sum(revenue) AS VARCHAR) FROM gold.fact_sales"
        ),
        ["104.5"]
    );
}

#[test]
fn square_item_sales() {
    let dir = tempfile::tempdir().unwrap();
    let d = db(dir.path());
    let r = load(&d, dir.path(), 1, "square.csv");
    assert_eq!(r.mapping.entity, Entity::Sales, "{:?}", r.mapping);
    assert_eq!((r.rows_read, r.accepted), (3, 3), "{:?}", r.rejects);
    for (f, c) in [
        ("order_date", "Date"),
        ("order_time", "Time"),
        ("line_total", "Gross Sales"),
        ("quantity", "Qty"),
        ("product_name", "Item"),
        ("sku", "SKU"),
        ("order_id", "Transaction ID"),
    ] {
        assert_eq!(
            r.mapping.fields.get(f).map(String::as_str),
            Some(c),
            "{f}: {:?}",
            r.mapping
        );
    }
    assert!(
        r.mapping.missing_required.is_empty(),
        "a line total stands in for the unit price"
    );
    // Date and time joined and read in the shop's zone; unit price = gross / quantity; the
    // refund "($4.50)" for -1 is a return of one latte at 4.50.
    assert_eq!(
        rows(
            &d,
            "SELECT strftime(timezone('America/Los_Angeles', line_ts), '%Y-%m-%d %H:%M:%S') || ' ' || sku || ' ' || quantity || ' ' || unit_price || ' ' || is_return FROM silver.order_lines ORDER BY 1"
        ),
        [
            "2025-10-04 09:15:02 LAT-R 2 4.5 false",
            "2025-10-04 09:20:40 CRO-1 1 3.75 false",
            "2025-10-05 14:02:11 LAT-R -1 4.5 true"
        ]
    );
    assert_eq!(
        rows(
            &d,
            "SELECT CAST(sum(revenue) AS VARCHAR) FROM gold.fact_sales"
        ),
        ["8.25"]
    );
}

#[test]
fn woocommerce_orders_with_statuses_and_line_totals() {
    // A line total without a unit price; statuses in WooCommerce's words (and one in
    // PrestaShop's); a partial refund amount on a completed order.
    let dir = tempfile::tempdir().unwrap();
    let d = db(dir.path());
    let r = load(&d, dir.path(), 1, "woocommerce_orders.csv");
    assert_eq!(r.mapping.entity, Entity::Sales);
    for (f, c) in [
        ("order_id", "order_number"),
        ("order_date", "date_created"),
        ("customer_email", "billing_email"),
        ("product_name", "product_name"),
        ("line_total", "line_total"),
        ("status", "status"),
        ("refund_amount", "refund_amount"),
    ] {
        assert_eq!(
            r.mapping.fields.get(f).map(String::as_str),
            Some(c),
            "{f}: {:?}",
            r.mapping
        );
    }
    assert!(r.mapping.certain().is_ok(), "{:?}", r.mapping);
    // Counted: 1001 (42), 1002 (24), 1008 (48 less the 12 refunded), 1009 (9); 1005 is sold
    // and returned whole; on hold, pending, cancelled and failed orders are not sales.
    let net: f64 = d
        .conn()
        .query_row("SELECT sum(revenue) FROM gold.fact_sales", [], |r| r.get(0))
        .unwrap();
    assert!((net - (42.0 + 24.0 + 36.0 + 9.0)).abs() < 1e-6, "{net}");
    let orders: Vec<String> = rows(
        &d,
        "SELECT DISTINCT order_id FROM gold.fact_sales WHERE NOT is_return ORDER BY 1",
    );
    assert_eq!(orders, ["1001", "1002", "1005", "1008", "1009"]);
    let returned: f64 = d
        .conn()
        .query_row(
            "SELECT -sum(revenue) FROM gold.fact_sales WHERE is_return",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!((returned - 30.0).abs() < 1e-6, "{returned}");
    // The words are kept; the report counts rows per class.
    assert_eq!(
        rows(
            &d,
            "SELECT status || ' ' || status_text FROM silver.orders WHERE order_id = '1003'"
        ),
        ["pending wc-on-hold"]
    );
    let classes: Vec<(String, u64)> = r.summary.statuses.clone();
    assert_eq!(
        classes,
        [
            ("paid".to_string(), 5),
            ("pending".to_string(), 2),
            ("cancelled".to_string(), 2),
            ("refunded".to_string(), 1)
        ]
    );
    assert!(
        r.summary.text.contains("not counted until paid"),
        "{}",
        r.summary.text
    );
}

#[test]
fn day_first_dates_are_decided_from_the_whole_column() {
    // The first 600 dates could be either order; one far below says day first.
    let dir = tempfile::tempdir().unwrap();
    let mut csv = String::from("order_id,date,sku,qty,price\n");
    for i in 0..600 {
        csv.push_str(&format!("A{i},03/04/2024,S1,1,2.50\n"));
    }
    csv.push_str("B1,25/04/2024,S1,1,2.50\n");
    std::fs::write(dir.path().join("days.csv"), csv).unwrap();
    let d = db(dir.path());
    let r = ingest(
        d.conn(),
        &dir.path().join("days.csv"),
        &dir.path().join("tmp"),
        &IngestOptions::default(),
    )
    .unwrap();
    assert_eq!(r.accepted, 601, "{:?}", r.rejects.first());
    assert_eq!(
        rows(
            &d,
            "SELECT DISTINCT CAST(CAST(line_ts AS DATE) AS VARCHAR) FROM silver.order_lines ORDER BY 1"
        ),
        ["2024-04-03", "2024-04-25"]
    );
}

#[test]
fn a_status_on_the_first_row_only_covers_the_whole_order() {
    // Shopify writes an order's financial status on its first row only.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("shopify.csv"),
        "Name,Email,Financial Status,Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem sku\n\
         #1,a@x.org,paid,2025-01-02 10:00:00 +0000,1,Mug,10.00,M1\n\
         #1,a@x.org,,2025-01-02 10:00:00 +0000,2,Cup,4.00,C1\n\
         #2,b@x.org,pending,2025-01-03 10:00:00 +0000,1,Mug,10.00,M1\n\
         #2,b@x.org,,2025-01-03 10:00:00 +0000,3,Cup,4.00,C1\n",
    )
    .unwrap();
    let d = db(dir.path());
    let r = ingest(
        d.conn(),
        &dir.path().join("shopify.csv"),
        &dir.path().join("tmp"),
        &IngestOptions::default(),
    )
    .unwrap();
    let net: f64 = d
        .conn()
        .query_row("SELECT sum(revenue) FROM gold.fact_sales", [], |r| r.get(0))
        .unwrap();
    assert!((net - 18.0).abs() < 1e-9, "only #1 counts: {net}");
    assert_eq!(
        r.summary.statuses,
        [("paid".to_string(), 2), ("pending".to_string(), 2)]
    );
}
