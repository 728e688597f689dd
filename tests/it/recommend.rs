//! Recommendations through the server: after an upload's model run a customer gets items
//! with reasons, a product its bought-together and similar items; unknown objects are 404,
//! a shop without a run says so, and nothing crosses shops.

use crate::harness::{PW, TestServer, settled, shop_with_viewer, token, upload};
use reqwest::Method;

const CUSTOMERS: &str = "customer_id,email,first_name,last_name,city,country\n\
C1,ann.lovelace@example.com,Ann,Lovelace,Leeds,GB\n\
C2,bo.zephyr@example.com,Bo,Zephyr,Bath,GB\n\
C3,cy.moss@example.com,Cy,Moss,York,GB\n\
C4,di.fern@example.com,Di,Fern,Hull,GB\n\
C5,ed.reed@example.com,Ed,Reed,Ely,GB\n";

/// Coffee is re-bought, filters go with coffee (two of its three buyers take them, two of
/// five customers overall; Di's filters went back), a kettle is bought once.
const ORDERS: &str = "order_id,order_date,sku,product_name,category,quantity,unit_price,customer_id,customer_email,channel\n\
A1,2025-03-01 10:00:00,COF,Dark Roast Coffee Beans,Grocery,1,12.00,C1,ann.lovelace@example.com,web\n\
A1,2025-03-01 10:00:00,FIL,Paper Coffee Filters,Grocery,1,3.00,C1,ann.lovelace@example.com,web\n\
A2,2025-03-08 10:00:00,COF,Dark Roast Coffee Beans,Grocery,1,12.00,C1,ann.lovelace@example.com,web\n\
A3,2025-03-02 11:00:00,COF,Dark Roast Coffee Beans,Grocery,1,12.00,C2,bo.zephyr@example.com,web\n\
A3,2025-03-02 11:00:00,FIL,Paper Coffee Filters,Grocery,1,3.00,C2,bo.zephyr@example.com,web\n\
A4,2025-03-09 11:00:00,COF,Dark Roast Coffee Beans,Grocery,1,12.00,C2,bo.zephyr@example.com,web\n\
A5,2025-03-03 12:00:00,KET,Electric Kettle,Kitchen,1,40.00,C3,cy.moss@example.com,web\n\
A6,2025-03-10 12:00:00,COF,Dark Roast Coffee Beans,Grocery,1,12.00,C3,cy.moss@example.com,web\n\
A7,2025-03-04 09:00:00,TEA,Green Tea,Grocery,1,6.00,C4,di.fern@example.com,web\n\
A7,2025-03-04 09:00:00,FIL,Paper Coffee Filters,Grocery,1,3.00,C4,di.fern@example.com,web\n\
R7,2025-03-06 09:00:00,FIL,Paper Coffee Filters,Grocery,-1,3.00,C4,di.fern@example.com,web\n\
A8,2025-03-05 09:00:00,TEA,Green Tea,Grocery,1,6.00,C5,ed.reed@example.com,web\n\
A8,2025-03-05 09:00:00,KET,Electric Kettle,Kitchen,1,40.00,C5,ed.reed@example.com,web\n";

async fn get(s: &TestServer, tok: &str, path: &str) -> (u16, serde_json::Value) {
    let r = s.agent().api(Method::GET, path, Some(tok), None).await;
    (r.status, r.json())
}

/// The reference of the first customer search finds for `q`.
async fn customer_id(s: &TestServer, tok: &str, q: &str) -> String {
    let (_, found) = get(s, tok, &format!("/api/v1/search?q={q}")).await;
    found["hits"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["kind"] == "customer")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn recommendations_with_reasons_for_customers_and_products() {
    let s = TestServer::start().await;
    let (mut owner, _, tok) = shop_with_viewer(&s).await;

    // Before any data: a clear "not yet".
    let (status, v) = get(&s, &tok, "/api/v1/recommendations/products/COF").await;
    assert_eq!(
        (status, v["error"]["code"].as_str()),
        (409, Some("no_data")),
        "{v}"
    );
    let page = owner.get("/recommendations").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("id=\"rec-notice\""), "{}", page.body);

    upload(&s, &tok, "customers.csv", CUSTOMERS.as_bytes()).await;
    upload(&s, &tok, "orders.csv", ORDERS.as_bytes()).await;
    settled(&s, &tok).await;

    // Cy bought a kettle and coffee: coffee again (people re-buy it), filters with it.
    let cy = customer_id(&s, &tok, "moss").await;
    let (status, v) = get(&s, &tok, &format!("/api/v1/recommendations/customers/{cy}")).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["bought"], 2);
    // The copilot gives the same list, in words, with the reasons.
    let ask = |q: String| {
        let s = &s;
        let tok = tok.clone();
        async move {
            s.agent()
                .api(
                    Method::POST,
                    "/api/v1/copilot/ask",
                    Some(&tok),
                    Some(serde_json::json!({"question": q, "lang": "en"})),
                )
                .await
                .json()
        }
    };
    let a = ask(format!("what should I recommend to customer {cy}")).await;
    assert_eq!(a["plan"]["kind"], "recommend", "{a}");
    let names: Vec<&str> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .take(5)
        .map(|i| i["name"].as_str().unwrap())
        .collect();
    let said: Vec<&str> = a["result"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r[0].as_str().unwrap())
        .collect();
    assert_eq!(said, names, "{a}");
    assert!(a["answer"].as_str().unwrap().contains(names[0]), "{a}");
    assert!(
        a["sources"][0]["url"]
            .as_str()
            .unwrap()
            .starts_with("/recommendations?customer="),
        "{a}"
    );
    let a = ask("what should I recommend to customer ZZ999".into()).await;
    assert!(
        a["result"].is_null() && a["answer"].as_str().unwrap().contains("ZZ999"),
        "{a}"
    );
    // Di returned the filters she bought: only her tea counts.
    let di = customer_id(&s, &tok, "fern").await;
    let (status, d) = get(&s, &tok, &format!("/api/v1/recommendations/customers/{di}")).await;
    assert_eq!((status, &d["bought"]), (200, &serde_json::json!(1)), "{d}");
    assert!(
        d["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["reason"]["kind"] != "buy_again" || i["sku"] == "TEA"),
        "{d}"
    );
    let items = v["items"].as_array().unwrap();
    let of = |sku: &str| items.iter().find(|i| i["sku"] == sku).cloned();
    assert_eq!(of("COF").unwrap()["reason"]["kind"], "buy_again", "{v}");
    let fil = of("FIL").unwrap_or_else(|| panic!("{v}"));
    assert_eq!(fil["reason"]["kind"], "bought_with", "{v}");
    assert_eq!(fil["reason"]["with"]["name"], "Dark Roast Coffee Beans");
    assert!(of("KET").is_none(), "a kettle is not bought twice: {v}");
    assert!(
        items
            .iter()
            .all(|i| i["name"].is_string() && i["reason"]["kind"].is_string()),
        "{v}"
    );

    // A product's company, unknown objects, other shops.
    let (status, v) = get(&s, &tok, "/api/v1/recommendations/products/COF").await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["name"], "Dark Roast Coffee Beans");
    assert_eq!(v["bought_together"][0]["sku"], "FIL", "{v}");
    assert!(v["similar"].is_array());
    for path in [
        "/api/v1/recommendations/products/NOPE".to_string(),
        "/api/v1/recommendations/customers/0000000000000000".to_string(),
    ] {
        assert_eq!(get(&s, &tok, &path).await.0, 404, "{path}");
    }
    s.signup("Shop B", "b@example.com", PW).await;
    let tok_b = token(&s, "b@example.com").await;
    for path in [
        format!("/api/v1/recommendations/customers/{cy}"),
        "/api/v1/recommendations/products/COF".to_string(),
    ] {
        let (status, v) = get(&s, &tok_b, &path).await;
        assert!(status == 404 || status == 409, "{path}: {status} {v}");
        assert!(!v.to_string().contains("Coffee"), "{v}");
    }

    // The page: popular items and starting customers; a customer's list with reasons.
    let page = owner.get("/recommendations").await.body;
    assert!(
        page.contains("id=\"popular\"") && page.contains("Ann Lovelace"),
        "{page}"
    );
    let page = owner
        .get(&format!("/recommendations?customer={cy}"))
        .await
        .body;
    assert!(
        page.contains("id=\"for-customer\"")
            && page.contains("Often bought with Dark Roast Coffee Beans"),
        "{page}"
    );
    let page = owner.get("/recommendations?customer=nobody").await.body;
    assert!(page.contains("id=\"rec-notice\""), "{page}");
    let page = owner.get("/recommendations?product=COF").await.body;
    assert!(
        page.contains("id=\"together\"") && page.contains("Paper Coffee Filters"),
        "{page}"
    );
    let mut viewer = s.agent();
    viewer.login("viewer@example.com", PW).await;
    let page = viewer.get("/recommendations").await.body;
    assert!(
        page.contains("id=\"starters\"") && !page.contains("Lovelace"),
        "{page}"
    );
}
