//! The query layer over HTTP: results for the caller's own shop only, clear errors for bad
//! queries and for shops without data, the catalog, and the OpenAPI document.

use crate::harness::{PW, TestServer, token, upload};
use reqwest::Method;
use sr360_core::Role;

const ORDERS: &str = "order_id,order_date,sku,product_name,category,quantity,unit_price,customer_email,channel\n\
A1,2025-03-01 10:00:00,S1,Mug,Kitchen,2,10.00,ann@example.com,web\n\
A2,2025-03-02 11:00:00,S2,Plate,Kitchen,1,7.50,bo@example.com,web\n\
A3,2025-04-02 12:00:00,S3,Scarf,Apparel,1,30.00,ann@example.com,mobile_app\n\
A4,2025-04-03 12:00:00,S1,Mug,Kitchen,1,10.00,cy@example.com,web\n";

async fn query(
    s: &TestServer,
    tok: Option<&str>,
    q: serde_json::Value,
) -> (u16, serde_json::Value) {
    let mut a = s.agent();
    let r = a.api(Method::POST, "/api/v1/query", tok, Some(q)).await;
    (r.status, r.json())
}

#[tokio::test]
async fn queries_answer_for_the_callers_shop_only() {
    let s = TestServer::start().await;
    s.signup("Shop A", "a@example.com", PW).await;
    s.signup("Shop B", "b@example.com", PW).await;
    let a = s.tenant_of("a@example.com");
    s.add_member(&a, "viewer@example.com", PW, Role::Viewer)
        .await;
    let tok_a = token(&s, "a@example.com").await;
    let q =
        serde_json::json!({"metrics": ["revenue", "orders"], "dimensions": [{"date": "month"}]});
    // Before any upload: a clear "no data" answer.
    let (st, body) = query(&s, Some(&tok_a), q.clone()).await;
    assert_eq!(
        (st, body["error"]["code"].as_str()),
        (409, Some("no_data")),
        "{body}"
    );

    let v = upload(&s, &tok_a, "orders.csv", ORDERS.as_bytes()).await;
    assert_eq!(v["status"], "succeeded", "{v}");

    let tok_v = token(&s, "viewer@example.com").await;
    let (st, body) = query(&s, Some(&tok_v), q.clone()).await;
    assert_eq!(st, 200, "{body}");
    // An absurd range is a clear 422, never a crash (a comparison period of ten thousand
    // years used to overflow the date arithmetic).
    let (st2, bad) = query(
        &s,
        Some(&tok_v),
        serde_json::json!({"metrics": ["revenue"], "range": {"from": "0000-01-01", "to": "9999-12-31"}, "compare": "previous_period"}),
    )
    .await;
    assert_eq!(
        (st2, bad["error"]["code"].as_str()),
        (422, Some("invalid_input")),
        "{bad}"
    );
    assert!(
        bad["error"]["message"]
            .as_str()
            .unwrap()
            .contains("1900-01-01"),
        "{bad}"
    );
    assert_eq!(
        body["columns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["date", "revenue", "orders"]
    );
    assert_eq!(
        body["rows"],
        serde_json::json!([["2025-03-01", 27.5, 2], ["2025-04-01", 40.0, 2]])
    );
    assert_eq!(
        body["range"],
        serde_json::json!({"from": "2025-03-01", "to": "2025-04-03"})
    );

    // Category ranking with a filter and a comparison period.
    let (st, body) = query(&s, Some(&tok_v), serde_json::json!({
        "metrics": ["revenue", "new_customers"], "dimensions": ["category"], "filters": {"channel": ["web"]},
        "range": {"from": "2025-04-01", "to": "2025-04-30"}, "compare": "previous_period"})).await;
    assert_eq!(st, 200, "{body}");
    assert_eq!(body["rows"], serde_json::json!([["kitchen", 10.0, 1]]));
    assert_eq!(
        body["previous_range"],
        serde_json::json!({"from": "2025-03-02", "to": "2025-03-31"})
    );
    assert_eq!(body["previous"], serde_json::json!([["kitchen", 7.5, 1]]));

    // The dashboard's cards come from the same layer: the last 30 days of data (4 Mar – 3 Apr)
    // against the 30 days before, and the whole 90 days on request.
    let mut viewer = s.agent();
    assert_eq!(viewer.login("viewer@example.com", PW).await.status, 303);
    let page = viewer.get("/dashboard").await.body;
    assert!(
        page.contains("$40.00") && page.contains("▲ +45.5%"),
        "{}",
        &page[page.find("kpi-h").unwrap_or(0)..]
            [..2000.min(page.len() - page.find("kpi-h").unwrap_or(0))]
    );
    assert!(page.contains("5 Mar 2025 – 3 Apr 2025"), "period shown");
    let page = viewer.get("/dashboard?days=90").await.body;
    assert!(page.contains("$67.50"));

    // Cohorts: March (ann, bo; ann buys again in April) and April (cy).
    let mut ag = s.agent();
    let c = ag
        .api(
            Method::GET,
            "/api/v1/cohorts?cohorts=12&months=3",
            Some(&tok_v),
            None,
        )
        .await
        .json();
    assert_eq!(c["cohorts"][0]["month"], "2025-03-01", "{c}");
    assert_eq!(c["cohorts"][0]["customers"], 2);
    assert_eq!(
        c["cohorts"][0]["retention"],
        serde_json::json!([1.0, 0.5, null])
    );
    assert_eq!(
        c["cohorts"][0]["ltv"],
        serde_json::json!([13.75, 28.75, null])
    );
    assert_eq!(c["cohorts"][1]["customers"], 1);
    let page = viewer.get("/cohorts").await.body;
    assert!(
        page.contains("50.0%") && page.contains("$28.75"),
        "cohort table on the page"
    );

    // No web events in this shop: the funnel says so.
    let r = ag
        .api(Method::GET, "/api/v1/funnel", Some(&tok_v), None)
        .await;
    assert_eq!(
        (r.status, r.json()["error"]["code"].as_str()),
        (409, Some("no_data"))
    );
    assert!(
        viewer
            .get("/funnel")
            .await
            .body
            .contains("The funnel needs web events")
    );

    // The same through GraphQL.
    let gql = |q: &str| serde_json::json!({"query": q});
    let r = ag.api(Method::POST, "/api/v1/graphql", Some(&tok_v), Some(gql("{ analytics(query: {metrics: [REVENUE, ORDERS], dimensions: [MONTH]}) { columns { name unit } rows truncated } }"))).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let v = r.json();
    assert_eq!(
        v["data"]["analytics"]["rows"],
        serde_json::json!([["2025-03-01", 27.5, 2], ["2025-04-01", 40.0, 2]]),
        "{v}"
    );
    assert_eq!(
        v["data"]["analytics"]["columns"][1],
        serde_json::json!({"name": "revenue", "unit": "money"})
    );
    let v = ag
        .api(
            Method::POST,
            "/api/v1/graphql",
            Some(&tok_v),
            Some(gql("{ cohorts(months: 2) { month customers retention } }")),
        )
        .await
        .json();
    assert_eq!(
        v["data"]["cohorts"][0],
        serde_json::json!({"month": "2025-03-01", "customers": 2, "retention": [1.0, 0.5]})
    );
    // Errors carry the REST codes; names outside the schema are refused by the parser.
    let v = ag
        .api(
            Method::POST,
            "/api/v1/graphql",
            Some(&tok_v),
            Some(gql("{ analytics(query: {metrics: []}) { truncated } }")),
        )
        .await
        .json();
    assert_eq!(v["errors"][0]["extensions"]["code"], "invalid_input", "{v}");
    let v = ag
        .api(
            Method::POST,
            "/api/v1/graphql",
            Some(&tok_v),
            Some(gql(
                "{ analytics(query: {metrics: [PROFIT]}) { truncated } }",
            )),
        )
        .await
        .json();
    assert!(
        v["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("PROFIT"),
        "{v}"
    );
    let v = ag
        .api(
            Method::POST,
            "/api/v1/graphql",
            Some(&tok_v),
            Some(gql("{ funnel { views } }")),
        )
        .await
        .json();
    assert_eq!(v["errors"][0]["extensions"]["code"], "no_data", "{v}");
    // One request cannot ask for everything: 150 aliased fields are refused before any runs
    // (they used to take 45 s and 230 MB), eight are fine.
    let field = |i: usize| {
        format!("a{i}: analytics(query: {{metrics: [REVENUE], dimensions: [DAY]}}) {{ truncated }}")
    };
    let many: Vec<String> = (0..150).map(field).collect();
    let v = ag
        .api(
            Method::POST,
            "/api/v1/graphql",
            Some(&tok_v),
            Some(gql(&format!("{{ {} }}", many.join(" ")))),
        )
        .await
        .json();
    assert!(
        v["data"].is_null()
            && v["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("complex"),
        "{v}"
    );
    let eight: Vec<String> = (0..8).map(field).collect();
    let v = ag
        .api(
            Method::POST,
            "/api/v1/graphql",
            Some(&tok_v),
            Some(gql(&format!("{{ {} }}", eight.join(" ")))),
        )
        .await
        .json();
    assert_eq!(v["data"]["a7"]["truncated"], false, "{v}");

    // Customers: viewers see figures, not personal data; the owner sees e-mails.
    let list = viewer.get("/customers").await.body;
    assert!(
        list.contains("hidden for your role") && !list.contains("ann@example.com"),
        "viewer list masked"
    );
    let at = list.find("/customers/").expect("a customer link") + "/customers/".len();
    let reference = list[at..at + 16].to_string();
    assert!(
        reference.bytes().all(|b| b.is_ascii_hexdigit()),
        "opaque reference, not an e-mail: {reference}"
    );
    let mut owner = s.agent();
    assert_eq!(owner.login("a@example.com", PW).await.status, 303);
    assert!(
        owner
            .get("/customers")
            .await
            .body
            .contains("ann@example.com")
    );
    let page = viewer.get(&format!("/customers/{reference}")).await.body;
    assert!(
        page.contains("A3") && page.contains("A1") && !page.contains("ann@example.com"),
        "ann's orders, masked"
    );
    assert!(
        owner
            .get(&format!("/customers/{reference}"))
            .await
            .body
            .contains("ann@example.com")
    );
    assert_eq!(viewer.get("/customers/0000000000000000").await.status, 404);
    assert_eq!(viewer.get("/customers/not-a-reference").await.status, 404);
    let mut b_owner = s.agent();
    assert_eq!(b_owner.login("b@example.com", PW).await.status, 303);
    assert_eq!(
        b_owner.get(&format!("/customers/{reference}")).await.status,
        404,
        "another shop's customer does not exist here"
    );

    // A new upload is seen at once: cached answers belong to the data version they came from.
    let (_, before) = query(&s, Some(&tok_v), q.clone()).await;
    let more = "order_id,order_date,sku,product_name,category,quantity,unit_price,customer_email,channel\nA9,2025-04-20 10:00:00,S1,Mug,Kitchen,5,10.00,dee@example.com,web\n";
    let v = upload(&s, &tok_a, "more.csv", more.as_bytes()).await;
    assert_eq!(v["status"], "succeeded", "{v}");
    let (_, after) = query(&s, Some(&tok_v), q.clone()).await;
    assert_eq!(
        before["rows"][1],
        serde_json::json!(["2025-04-01", 40.0, 2])
    );
    assert_eq!(
        after["rows"][1],
        serde_json::json!(["2025-04-01", 90.0, 3]),
        "{after}"
    );

    // Shop B sees none of it.
    let tok_b = token(&s, "b@example.com").await;
    let (st, body) = query(&s, Some(&tok_b), q.clone()).await;
    assert_eq!((st, body["error"]["code"].as_str()), (409, Some("no_data")));
    let v = ag
        .api(
            Method::POST,
            "/api/v1/graphql",
            Some(&tok_b),
            Some(gql("{ analytics(query: {metrics: [REVENUE]}) { rows } }")),
        )
        .await
        .json();
    assert_eq!(
        v["errors"][0]["extensions"]["code"], "no_data",
        "shop B has no data of its own: {v}"
    );

    // Bad queries are explained; unknown names are refused, never passed on.
    for (bad, needle) in [
        (serde_json::json!({"metrics": []}), "at least one metric"),
        (
            serde_json::json!({"metrics": ["revenue; DROP TABLE x"]}),
            "unknown variant",
        ),
        (
            serde_json::json!({"metrics": ["revenue"], "dimensions": ["category"], "sort": {"by": "profit"}}),
            "cannot sort by",
        ),
        (
            serde_json::json!({"metrics": ["revenue"], "range": {"from": "2025-05-01", "to": "2025-04-01"}}),
            "ends before it starts",
        ),
        (
            serde_json::json!({"metrics": ["revenue"], "limit": 0}),
            "limit",
        ),
    ] {
        let (st, body) = query(&s, Some(&tok_a), bad.clone()).await;
        assert_eq!(st, 422, "{bad}: {body}");
        assert_eq!(body["error"]["code"], "invalid_input");
        assert!(
            body["error"]["message"].as_str().unwrap().contains(needle),
            "{bad}: {body}"
        );
    }
    // No credentials: refused before anything runs (the CSRF guard sees a cookie-less POST).
    let (st, body) = query(&s, None, q).await;
    assert_eq!(
        (st, body["error"]["code"].as_str()),
        (403, Some("csrf_failed"))
    );
}

#[tokio::test]
async fn catalog_and_openapi() {
    let s = TestServer::start().await;
    s.signup("Shop A", "a@example.com", PW).await;
    let tok = token(&s, "a@example.com").await;
    let mut a = s.agent();
    let c = a
        .api(Method::GET, "/api/v1/query/catalog", Some(&tok), None)
        .await
        .json();
    let metrics: Vec<&str> = c["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    for m in [
        "revenue",
        "orders",
        "units",
        "aov",
        "customers",
        "new_customers",
        "returning_customers",
        "repeat_purchase_rate",
        "return_rate",
        "gross_margin",
    ] {
        assert!(metrics.contains(&m), "{m}");
    }
    let doc = a.get("/api/v1/openapi.json").await.json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    assert!(doc["paths"]["/api/v1/query"]["post"].is_object(), "{doc}");
    assert!(doc["components"]["schemas"]["Query"].is_object());
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
}
