//! Model runs through the server: queued by an upload and run by the background worker,
//! listed on the model status page, "not enough data" shown for a tiny shop, run by hand by
//! those allowed to, and kept to their own shop.

use crate::harness::{PW, TestServer, settled, shop_with_viewer, token, upload};
use reqwest::Method;

const ORDERS: &str = "order_id,order_date,sku,product_name,category,quantity,unit_price,customer_email,channel\n\
A1,2025-03-01 10:00:00,S1,Mug,Kitchen,2,10.00,ann@example.com,web\n\
A2,2025-03-02 11:00:00,S2,Plate,Kitchen,1,7.50,bo@example.com,web\n\
A3,2025-04-02 12:00:00,S3,Scarf,Apparel,1,30.00,ann@example.com,mobile_app\n";

#[tokio::test]
async fn uploads_queue_model_runs_and_small_shops_get_a_reason() {
    let s = TestServer::start().await;
    let (mut owner, a, tok) = shop_with_viewer(&s).await;
    // Before any data: an empty state, no run.
    assert!(
        owner
            .get("/forecasts")
            .await
            .body
            .contains("No forecast yet")
    );
    assert!(owner.get("/models").await.body.contains("No model run yet"));

    assert_eq!(
        upload(&s, &tok, "orders.csv", ORDERS.as_bytes()).await["status"],
        "succeeded"
    );

    // The upload queued a run; the worker ran it.
    let v = settled(&s, &tok).await;
    let run = &v["runs"][0];
    assert_eq!(
        (run["trigger"].as_str(), run["status"].as_str()),
        (Some("ingest"), Some("succeeded")),
        "{v}"
    );
    assert_eq!(
        (run["data_from"].as_str(), run["data_to"].as_str()),
        (Some("2025-03-01"), Some("2025-04-02"))
    );
    // Three orders in a month: every series is refused with its reason, nothing is invented.
    let series = v["series"].as_array().unwrap();
    assert!(!series.is_empty());
    assert!(
        series.iter().all(|s| s["status"] == "not_enough_data"
            && s["reason"].as_str().is_some_and(|r| !r.is_empty())),
        "{v}"
    );
    assert_eq!(run["summary"]["forecasts"]["fitted"], 0);
    // A run that made nothing (too little data) does not announce itself as done.
    assert!(
        !owner
            .get("/notifications")
            .await
            .body
            .contains("up to date")
    );
    assert!(
        run["summary"]["recommendations"]["reason"]
            .as_str()
            .is_some_and(|r| r.contains("at least 20")),
        "{run}"
    );
    let page = owner.get("/forecasts").await.body;
    assert!(
        page.contains("Not enough data for this forecast") && page.contains("have no sales"),
        "{page}"
    );
    assert!(
        !page.contains("id=\"forecast\""),
        "no chart without a forecast"
    );
    let r = owner
        .api(
            Method::GET,
            "/api/v1/forecasts?series=nope",
            Some(&tok),
            None,
        )
        .await;
    assert_eq!(r.status, 404);

    // The status page lists the run; a viewer sees it but may not start one.
    let mut viewer = s.agent();
    viewer.login("viewer@example.com", PW).await;
    let page = viewer.get("/models").await.body;
    assert!(
        page.contains("after an upload")
            && page.contains("Done")
            && page.contains("1 Mar 2025 – 2 Apr 2025"),
        "{page}"
    );
    assert!(!page.contains("run-models"), "no run button for viewers");
    assert!(
        page.contains("No promotions loaded"),
        "no promotions, no uplift"
    );
    let page = viewer.get("/segments").await.body;
    assert!(
        page.contains("Not enough data for segments") && page.contains("at least 50"),
        "{page}"
    );
    assert_eq!(
        viewer.submit("/models", "/models/run", &[]).await.status,
        403
    );
    let r = owner.submit("/models", "/models/run", &[]).await;
    assert_eq!(
        (r.status, r.location()),
        (303, "/models?m=models_queued".to_string())
    );
    let v = settled(&s, &tok).await;
    assert_eq!(v["runs"].as_array().unwrap().len(), 2);
    assert_eq!(v["runs"][0]["trigger"], "manual");
    let scope = s
        .app
        .meta
        .system_scope(&sr360_core::TenantId::parse(&a).unwrap())
        .unwrap();
    assert!(
        s.app
            .meta
            .audit_for_tenant(&scope, None, 50)
            .unwrap()
            .iter()
            .any(|e| e.action == "models_requested")
    );

    // Another shop sees none of it.
    s.signup("Shop B", "b@example.com", PW).await;
    let tok_b = token(&s, "b@example.com").await;
    let v = s
        .agent()
        .api(Method::GET, "/api/v1/models", Some(&tok_b), None)
        .await
        .json();
    assert_eq!(
        (
            v["runs"].as_array().map(Vec::len),
            v["series"].as_array().map(Vec::len)
        ),
        (Some(0), Some(0)),
        "{v}"
    );
}
