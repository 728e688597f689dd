//! What a caller is told when something goes wrong: a stable code and words, never a path of
//! this machine, the engine's own message (DuckDB, SQLite, tantivy, serde), or a panic. Each
//! family of handlers is driven into its errors by a hostile or careless caller, as owner and
//! as viewer, and every answer and every stored upload error is read.

use crate::harness::{TestServer, shop_with_viewer, token, upload};
use reqwest::Method;

/// Words that betray internals: engine error classes, crates, panics, this machine's paths.
fn leaks(text: &str, data_dir: &str) -> Vec<String> {
    let engine = regex::Regex::new(
        r"(Catalog|Binder|Parser|Conversion|Invalid Input|IO|Internal|Out of Range|Constraint|Serialization|Dependency|Permission|Not implemented) Error|duckdb|rusqlite|sqlite|tantivy|panicked|unwrap\(\)|RUST_BACKTRACE",
    )
    .unwrap();
    let mut found: Vec<String> = engine
        .find_iter(text)
        .map(|m| m.as_str().to_string())
        .collect();
    for p in [
        data_dir,
        "/tmp/",
        "/root/",
        "/home/",
        "/work/",
        "/proc/",
        "target/debug",
    ] {
        if text.contains(p) {
            found.push(p.to_string());
        }
    }
    found
}

struct Audit {
    data_dir: String,
    seen: Vec<String>,
    bad: Vec<String>,
}

impl Audit {
    fn check(&mut self, what: &str, status: u16, body: &str) {
        let short: String = body.chars().take(600).collect();
        if status >= 500 {
            self.bad.push(format!("{what}: {status} {short}"));
        }
        let l = leaks(body, &self.data_dir);
        if !l.is_empty() {
            let at = l.first().and_then(|w| body.find(w.as_str())).unwrap_or(0);
            let chars_before = body[..at].chars().count();
            let around: String = body
                .chars()
                .skip(chars_before.saturating_sub(200))
                .take(400)
                .collect();
            self.bad.push(format!("{what} shows {l:?}: …{around}…"));
        }
        self.seen.push(what.to_string());
    }
}

#[tokio::test]
async fn errors_say_what_went_wrong_in_words_without_internals() {
    let s = TestServer::start().await;
    let (mut owner, _tenant, tok) = shop_with_viewer(&s).await;
    let viewer_tok = token(&s, "viewer@example.com").await;
    let mut audit = Audit {
        data_dir: s.dir.path().display().to_string(),
        seen: vec![],
        bad: vec![],
    };
    let loaded = upload(
        &s,
        &tok,
        "orders.csv",
        b"order_id,order_date,customer_id,sku,quantity,unit_price\nA1,2025-03-01,C1,S1,1,10\nA2,2025-03-02,C2,S2,2,5\n",
    )
    .await;
    assert_eq!(loaded["status"], "succeeded", "{loaded}");

    // JSON and query APIs.
    let raw_json = |path: &str, body: &str, tok: &str| {
        reqwest::Client::new()
            .post(format!("{}{path}", s.url))
            .bearer_auth(tok)
            .header("content-type", "application/json")
            .body(body.to_string())
    };
    for (path, body) in [
        ("/api/v1/query", "{"),
        ("/api/v1/query", "[1,2]"),
        (
            "/api/v1/query",
            r#"{"metrics": ["revenue"], "range": {"from": "2025-13-45", "to": "2025-01-01"}}"#,
        ),
        ("/api/v1/query", r#"{"metrics": ["nope"]}"#),
        (
            "/api/v1/query",
            r#"{"metrics": ["revenue"], "dimensions": ["x'; DROP TABLE orders; --"]}"#,
        ),
        (
            "/api/v1/query",
            r#"{"metrics": ["revenue"], "range": {"from": "0000-01-01", "to": "9999-12-31"}, "compare": "previous_period"}"#,
        ),
        (
            "/api/v1/query",
            r#"{"metrics": ["revenue"], "filters": [{"field": "../../etc/passwd", "op": "eq", "value": 1}]}"#,
        ),
        (
            "/api/v1/query",
            r#"{"metrics": ["revenue"], "sort": [{"by": "1; SELECT 1", "desc": true}], "limit": -1}"#,
        ),
        ("/api/v1/copilot/ask", "{"),
        ("/api/v1/copilot/ask", r#"{"question": ""}"#),
        (
            "/api/v1/copilot/sql",
            r#"{"sql": "SELECT * FROM no_such_table"}"#,
        ),
        ("/api/v1/copilot/sql", r#"{"sql": "SELEC 1"}"#),
        (
            "/api/v1/copilot/sql",
            r#"{"sql": "SELECT * FROM read_csv('/etc/passwd')"}"#,
        ),
        (
            "/api/v1/copilot/sql",
            r#"{"sql": "SELECT no_such_column FROM gold.daily_sales"}"#,
        ),
        (
            "/api/v1/copilot/sql",
            r#"{"sql": "SELECT CAST('x' AS INTEGER)"}"#,
        ),
        (
            "/api/v1/copilot/sql",
            r#"{"sql": "ATTACH '/tmp/x.duckdb' AS x"}"#,
        ),
        ("/api/v1/reports", r#"{"kind": "nope", "format": "exe"}"#),
        ("/api/v1/reports", "not json"),
        ("/api/v1/auth/token", r#"{"email": 5}"#),
        ("/api/v1/graphql", r#"{"query": "{ nope }"}"#),
        (
            "/api/v1/graphql",
            r#"{"query": "{ analytics(metric: \"revenue\", from: \"x\") { total } }"}"#,
        ),
        ("/api/v1/graphql", r#"{"query": "{"}"#),
        ("/api/v1/graphql", "{"),
    ] {
        for (who, t) in [("owner", &tok), ("viewer", &viewer_tok)] {
            let r = owner.send(raw_json(path, body, t)).await;
            audit.check(&format!("POST {path} {body} as {who}"), r.status, &r.body);
            if r.status >= 400 {
                assert!(r.json()["error"]["code"].is_string(), "{path}: {}", r.body);
            }
        }
    }
    for path in [
        "/api/v1/uploads/abc",
        "/api/v1/uploads/999999",
        "/api/v1/uploads/-1/rejects.csv",
        "/api/v1/reports/abc/file",
        "/api/v1/reports/999/file",
        "/api/v1/search?q=%22%5C%2A%3A%2A%28",
        "/api/v1/search?q=",
        "/api/v1/search/suggest?q=%00%FF",
        "/api/v1/forecasts?horizon=-5",
        "/api/v1/cohorts?grain=century",
        "/api/v1/funnel?from=yesterday",
        "/api/v1/recommendations/customers/..%2F..%2Fetc",
        "/api/v1/recommendations/products/%27%3B--",
        "/api/v1/segments?k=abc",
        "/api/v1/query/catalog?x=%ZZ",
    ] {
        for (who, t) in [("owner", &tok), ("viewer", &viewer_tok)] {
            let r = owner.api(Method::GET, path, Some(t), None).await;
            audit.check(&format!("GET {path} as {who}"), r.status, &r.body);
            if r.status >= 400 {
                assert!(r.json()["error"]["code"].is_string(), "{path}: {}", r.body);
            }
        }
    }

    // Pages, with the browser session.
    for path in [
        "/charts?from=2025-99-01&grain=eon",
        "/charts?metric=%27%3B--&compare=nope",
        "/customers/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "/customers?q=%22%5C",
        "/search?q=%28%28%28",
        "/uploads/abc",
        "/uploads/999999",
        "/reports/999/file",
        "/forecasts?category=%00",
        "/funnel?from=0000-01-01&to=9999-12-31",
        "/cohorts?from=9999-12-31&to=0000-01-01",
        "/segments?sort=%27",
        "/dashboard?from=2025-01-01&to=2024-01-01&compare=previous_period",
        "/copilot?q=%00",
    ] {
        let r = owner.get(path).await;
        audit.check(&format!("page {path}"), r.status, &r.body);
    }

    // Files the pipeline cannot read: the stored error is in words too.
    for (name, bytes) in [
        (
            "orders.parquet",
            b"PAR1 this is not parquet at all".to_vec(),
        ),
        (
            "orders.csv",
            vec![0xff, 0xfe, 0x00, 0x00, 0x01, 0x02, b'\n', 0x80, 0x81],
        ),
        ("orders.xlsx", b"PK\x03\x04 not really a workbook".to_vec()),
        ("orders.json", b"{\"order_id\": [1, 2".to_vec()),
        (
            "orders.csv",
            b"order_id,order_date\n\"A1,2025-03-01\n".to_vec(),
        ),
        (
            "orders.csv",
            b"order_id,order_date,sku,quantity,unit_price\nA1,not a date,S1,x,y\n".to_vec(),
        ),
    ] {
        let form = reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()),
        );
        let req = reqwest::Client::new()
            .post(format!("{}/api/v1/uploads", s.url))
            .bearer_auth(&tok)
            .multipart(form);
        let r = owner.send(req).await;
        audit.check(&format!("upload {name}"), r.status, &r.body);
        if r.status == 202 {
            let id = r.json()["uploads"][0]["id"].as_i64().unwrap();
            let done = crate::harness::wait_done(&mut s.agent(), &tok, id).await;
            audit.check(&format!("stored error of {name}"), 200, &done.to_string());
            let page = owner.get(&format!("/uploads/{id}")).await;
            audit.check(&format!("page of upload {name}"), page.status, &page.body);
        }
    }
    let history = owner.get("/uploads").await;
    audit.check("upload history", history.status, &history.body);
    // A multipart body cut short.
    let req = reqwest::Client::new()
        .post(format!("{}/api/v1/uploads", s.url))
        .bearer_auth(&tok)
        .header("content-type", "multipart/form-data; boundary=XyZ")
        .body(
            "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"o.csv\"\r\n\r\nabc",
        );
    let r = owner.send(req).await;
    audit.check("truncated multipart", r.status, &r.body);
    let r = s
        .agent()
        .login("a@example.com", "wrong password entirely")
        .await;
    audit.check("wrong password", r.status, &r.body);
    assert!(audit.bad.is_empty(), "{}", audit.bad.join("\n\n"));
    assert!(audit.seen.len() > 100, "{}", audit.seen.len());
}
