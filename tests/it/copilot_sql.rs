//! SQL mode over a real server: analysts read the gold tables of their own shop; every
//! statement outside the allow-list is a 422 with its reason and an audit row; viewers may
//! not use it; long queries are stopped and long answers capped.

use crate::harness::{PW, TestServer, token, upload};
use reqwest::Method;
use sr360_core::Role;

const ORDERS: &str = "order_id,order_date,sku,product_name,category,quantity,unit_price,customer_email\n\
A1,2025-03-01 10:00:00,S1,Mug,Kitchen,2,10.00,ann@example.com\n\
A2,2025-03-02 11:00:00,S2,Plate,Kitchen,1,7.50,bo@example.com\n\
A3,2025-03-20 12:00:00,S3,Scarf,Apparel,1,30.00,ann@example.com\n\
A4,2025-04-03 12:00:00,S1,Mug,Kitchen,5,10.00,cy@example.com\n\
A5,2025-04-05 09:00:00,S3,Scarf,Apparel,3,30.00,dee@example.com\n";

async fn sql(s: &TestServer, tok: &str, q: &str) -> (u16, serde_json::Value) {
    let r = s
        .agent()
        .api(
            Method::POST,
            "/api/v1/copilot/sql",
            Some(tok),
            Some(serde_json::json!({ "sql": q })),
        )
        .await;
    (r.status, r.json())
}

#[tokio::test]
async fn analysts_read_gold_and_everything_else_is_refused_and_audited() {
    let s = TestServer::start_with(|c| c.copilot.sql_time_limit_secs = 1).await;
    s.signup("Shop A", "a@example.com", PW).await;
    s.signup("Shop B", "b@example.com", PW).await;
    let a = s.tenant_of("a@example.com");
    s.add_member(&a, "viewer@example.com", PW, Role::Viewer)
        .await;
    s.add_member(&a, "analyst@example.com", PW, Role::Analyst)
        .await;
    let owner = token(&s, "a@example.com").await;
    let tok_b = token(&s, "b@example.com").await;
    let v = upload(&s, &owner, "orders.csv", ORDERS.as_bytes()).await;
    assert_eq!(v["status"], "succeeded", "{v}");
    let analyst = token(&s, "analyst@example.com").await;
    let viewer = token(&s, "viewer@example.com").await;

    // 2×10 + 7.50 + 30 + 5×10 + 3×30 = 197.50, by category: Kitchen 77.50, Apparel 120.
    let (st, r) = sql(
        &s,
        &analyst,
        "SELECT f.category, sum(f.revenue) AS revenue FROM gold.fact_sales f \
         JOIN gold.dim_product p USING (sku) GROUP BY 1 ORDER BY 2 DESC",
    )
    .await;
    assert_eq!(st, 200, "{r}");
    assert_eq!(r["columns"], serde_json::json!(["category", "revenue"]));
    assert_eq!(r["rows"][0][0], "apparel", "{r}");
    assert_eq!(r["rows"][0][1].as_f64(), Some(120.0), "{r}");
    assert_eq!(r["rows"][1][1].as_f64(), Some(77.5), "{r}");
    // Shop B's analyst-level owner sees Shop B's (empty) warehouse, never A's rows.
    let (st, r) = sql(&s, &tok_b, "SELECT count(*) FROM gold.fact_sales").await;
    assert!(st == 422 || st == 409 || r["rows"][0][0] == 0, "{st} {r}");

    // Viewers do not get SQL mode at all.
    let (st, r) = sql(&s, &viewer, "SELECT 1").await;
    assert_eq!((st, r["error"]["code"].as_str()), (403, Some("forbidden")));

    let attacks = [
        "COPY gold.fact_sales TO 'x.csv'",
        "ATTACH 'other.duckdb' AS o",
        "DETACH o",
        "INSTALL httpfs",
        "LOAD httpfs",
        "PRAGMA database_list",
        "SET enable_external_access = true",
        "CREATE TABLE gold.x AS SELECT 1",
        "EXPORT DATABASE 'dump'",
        "CALL duckdb_settings()",
        "DELETE FROM gold.fact_sales",
        "SELECT * FROM read_csv('/etc/passwd')",
        "SELECT * FROM read_json('x.json')",
        "SELECT * FROM read_parquet('x.parquet')",
        "SELECT * FROM read_text('/etc/hostname')",
        "SELECT * FROM read_blob('/etc/hostname')",
        "SELECT * FROM glob('*')",
        "SELECT * FROM sniff_csv('/etc/passwd')",
        "SELECT * FROM parquet_scan('x.parquet')",
        "SELECT getenv('HOME')",
        "SELECT * FROM duckdb_settings()",
        "SELECT * FROM duckdb_secrets()",
        "SELECT * FROM bronze.upload_1",
        "SELECT * FROM silver.orders",
        "SELECT * FROM information_schema.tables",
        "SELECT 1; SELECT 2",
    ];
    for q in attacks {
        let (st, r) = sql(&s, &analyst, q).await;
        assert_eq!(
            (st, r["error"]["code"].as_str()),
            (422, Some("sql_refused")),
            "{q}: {r}"
        );
        assert!(!r["error"]["message"].as_str().unwrap().is_empty());
    }
    // The data is untouched.
    let (_, r) = sql(&s, &analyst, "SELECT count(*) FROM gold.fact_sales").await;
    assert_eq!(r["rows"][0][0], 5, "{r}");

    // Long answers are capped; a query past the time limit is stopped with a reason.
    let (st, r) = sql(
        &s,
        &analyst,
        "SELECT a.sku FROM gold.fact_sales a, gold.fact_sales b, gold.fact_sales c, gold.fact_sales d, gold.fact_sales e",
    )
    .await;
    assert_eq!(st, 200, "{r}");
    assert_eq!(
        (r["rows"].as_array().unwrap().len(), &r["truncated"]),
        (1000, &serde_json::json!(true))
    );
    let slow = format!(
        "SELECT sum(hash(a.sku || b.sku || c.sku || d.sku || e.sku || f.sku || g.sku || h.sku || i.sku || j.sku || k.sku)) FROM {}",
        ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k"]
            .map(|x| format!("gold.fact_sales {x}"))
            .join(", ")
    );
    let t = std::time::Instant::now();
    let (st, r) = sql(&s, &analyst, &slow).await;
    assert_eq!(
        (st, r["error"]["code"].as_str()),
        (422, Some("sql_refused")),
        "{r}"
    );
    assert!(t.elapsed().as_secs() < 10, "stopped near its limit");

    // A mistake of the analyst's is a 422 that names it.
    let (st, r) = sql(&s, &analyst, "SELECT no_such_column FROM gold.fact_sales").await;
    assert_eq!(st, 422, "{r}");
    assert!(
        r["error"]["message"]
            .as_str()
            .unwrap()
            .contains("no_such_column"),
        "{r}"
    );

    // Every run and every refusal left an audit row.
    let audit = s
        .agent()
        .api(Method::GET, "/api/v1/audit?limit=200", Some(&owner), None)
        .await
        .json();
    let rows = audit
        .as_array()
        .or(audit["entries"].as_array())
        .expect("audit rows")
        .clone();
    let count = |action: &str| rows.iter().filter(|e| e["action"] == action).count();
    assert_eq!(count("sql_refused"), attacks.len() + 1, "{audit}");
    assert!(count("sql_run") >= 4, "{audit}");
}
