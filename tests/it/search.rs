//! Search through the server: an upload fills the shop's index (products, customers, orders
//! beside the pages, charts and help), typos and other words find products, completion
//! answers as one types, personal data follows the role, and no shop ever sees another's.

use crate::harness::{PW, TestServer, set_locale, settled, shop_with_viewer, token, upload};
use reqwest::Method;

const ORDERS: &str = "order_id,order_date,sku,product_name,category,quantity,unit_price,customer_id,customer_email,channel\n\
A1,2025-03-01 10:00:00,S1,Trailhead Waterproof Hiking Boots,Footwear,1,120.00,C1,ann.lovelace@example.com,web\n\
A2,2025-03-02 11:00:00,S2,Copperleaf Stainless Frying Pan,Kitchen,1,35.00,C2,bo.zephyr@example.com,web\n\
A3,2025-03-05 12:00:00,S3,Pawsome Salmon Cat Food,Pets,2,12.50,C1,ann.lovelace@example.com,mobile_app\n";

const CUSTOMERS: &str = "customer_id,email,first_name,last_name,city,country\n\
C1,ann.lovelace@example.com,Ann,Lovelace,Leeds,GB\n\
C2,bo.zephyr@example.com,Bo,Zephyr,Bath,GB\n\
C3,cy.nobuy@example.com,Cy,Nobuy,York,GB\n";

async fn get(s: &TestServer, tok: &str, path: &str) -> serde_json::Value {
    let r = s.agent().api(Method::GET, path, Some(tok), None).await;
    assert_eq!(r.status, 200, "{path}: {}", r.body);
    r.json()
}

fn titles(v: &serde_json::Value) -> Vec<String> {
    v.as_array()
        .or_else(|| v["hits"].as_array())
        .unwrap()
        .iter()
        .map(|h| h["title"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn search_finds_the_shops_objects_by_words_typos_and_meaning_and_nothing_else() {
    let s = TestServer::start().await;
    let (mut owner, _, tok) = shop_with_viewer(&s).await;
    let u = upload(&s, &tok, "customers.csv", CUSTOMERS.as_bytes()).await;
    assert_eq!(u["status"], "succeeded", "{u}");
    upload(&s, &tok, "orders.csv", ORDERS.as_bytes()).await;
    settled(&s, &tok).await;

    // A typo, and a description in other words.
    let v = get(&s, &tok, "/api/v1/search?q=hikng%20bots").await;
    assert_eq!(titles(&v)[0], "Trailhead Waterproof Hiking Boots", "{v}");
    let v = get(
        &s,
        &tok,
        "/api/v1/search?q=something%20to%20cook%20eggs%20in",
    )
    .await;
    assert_eq!(v["semantic"], true, "{v}");
    let first = &v["hits"][0];
    assert_eq!(
        (first["title"].as_str(), first["kind"].as_str()),
        (Some("Copperleaf Stainless Frying Pan"), Some("product")),
        "{v}"
    );
    assert!(
        first["url"]
            .as_str()
            .unwrap()
            .starts_with("/charts?category=")
    );
    // Pages, charts and help are found too.
    let v = get(&s, &tok, "/api/v1/search?q=busiest%20hours").await;
    assert!(
        v["hits"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["kind"] == "chart"),
        "{v}"
    );
    // Completion as one types.
    let v = get(&s, &tok, "/api/v1/search/suggest?q=copperl").await;
    assert_eq!(titles(&v)[0], "Copperleaf Stainless Frying Pan", "{v}");
    // A shorter prefix also offers the app's own page of that name.
    let v = get(&s, &tok, "/api/v1/search/suggest?q=cop").await;
    let t = titles(&v);
    assert!(
        t.contains(&"Copperleaf Stainless Frying Pan".to_string())
            && t.contains(&"Copilot".to_string()),
        "{v}"
    );
    let v = get(&s, &tok, "/api/v1/search/suggest?q=").await;
    assert_eq!(v, serde_json::json!([]));
    // The top bar and the search page agree: the same first results, in the same order.
    let keys = |hits: &serde_json::Value| -> Vec<String> {
        hits.as_array()
            .unwrap()
            .iter()
            .map(|h| format!("{}:{}", h["kind"], h["id"]))
            .collect()
    };
    for q in [
        "hikng bots",
        "forcast",
        "export",
        "boots",
        "frying pan",
        "cook eggs",
        "revenue drop",
        "cop",
    ] {
        let q = q.replace(' ', "%20");
        let top = get(&s, &tok, &format!("/api/v1/search/suggest?q={q}&limit=5")).await;
        let page = get(&s, &tok, &format!("/api/v1/search?q={q}&limit=5")).await;
        assert_eq!(keys(&top), keys(&page["hits"]), "{q}: {top} vs {page}");
    }
    let found = |v: &serde_json::Value, kind: &str, id: &str| {
        v["hits"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["kind"] == kind && h["id"] == id)
    };
    let v = get(&s, &tok, "/api/v1/search?q=hikng%20bots").await;
    assert_eq!(titles(&v)[0], "Trailhead Waterproof Hiking Boots", "{v}");
    let v = get(&s, &tok, "/api/v1/search?q=forcast").await;
    assert!(found(&v, "page", "forecasts"), "{v}");
    let v = get(&s, &tok, "/api/v1/search?q=export").await;
    assert!(found(&v, "page", "reports"), "{v}");

    // Personal data: the owner finds the customer by name and sees it; a viewer neither.
    let v = get(&s, &tok, "/api/v1/search?q=lovelace").await;
    let c = v["hits"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["kind"] == "customer")
        .cloned()
        .unwrap_or_else(|| panic!("{v}"));
    assert_eq!(c["title"], "Ann Lovelace");
    // What tells two people of one name apart comes with it.
    let sub = c["subtitle"].as_str().unwrap_or("");
    assert!(
        sub.starts_with("ann.lovelace@example.com · Leeds · Customer ")
            && sub.ends_with("2 orders"),
        "{c}"
    );
    // A customer who has not ordered yet is found, and their page opens (it used to be 404).
    let v = get(&s, &tok, "/api/v1/search?q=nobuy").await;
    let url = v["hits"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["kind"] == "customer")
        .and_then(|h| h["url"].as_str())
        .unwrap_or_else(|| panic!("{v}"))
        .to_string();
    let page = owner.get(&url).await;
    assert_eq!(page.status, 200, "{url}");
    assert!(page.body.contains("Cy Nobuy"), "{}", page.body);
    let viewer = token(&s, "viewer@example.com").await;
    for q in ["lovelace", "ann", "leeds", "example.com"] {
        for path in [
            format!("/api/v1/search?q={q}"),
            format!("/api/v1/search/suggest?q={q}"),
        ] {
            let body = get(&s, &viewer, &path).await.to_string();
            assert!(
                !body.contains("Lovelace")
                    && !body.contains("Leeds")
                    && !body.contains("ann.lovelace"),
                "{path}: {body}"
            );
        }
    }
    let v = get(&s, &viewer, "/api/v1/search?q=hiking").await;
    assert_eq!(titles(&v)[0], "Trailhead Waterproof Hiking Boots");

    // The results page groups by kind and links to the objects.
    let page = owner.get("/search?q=boots").await.body;
    assert!(
        page.contains("id=\"group-product\"") && page.contains("Trailhead Waterproof Hiking Boots"),
        "{page}"
    );
    let page = owner.get("/search?q=zzzzqqq").await.body;
    assert!(page.contains("id=\"search-empty\""), "{page}");

    // The app's own pages and help are found in the merchant's language and shown in it.
    set_locale(&mut owner, "es").await;
    let v = get(&s, &tok, "/api/v1/search?q=previsiones").await;
    let page_hit = v["hits"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["kind"] == "page" && h["url"] == "/forecasts")
        .cloned()
        .unwrap_or_else(|| panic!("{v}"));
    assert_eq!(page_hit["title"], "Previsiones", "{v}");
    let v = get(&s, &tok, "/api/v1/search?q=alerta").await;
    let help = v["hits"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["kind"] == "help")
        .cloned()
        .unwrap_or_else(|| panic!("{v}"));
    assert_eq!(help["url"], "/help#q_alerts", "{v}");
    assert_eq!(help["title"], "¿Qué es una alerta?", "{v}");
    let help_page = owner.get("/help").await.body;
    assert!(help_page.contains("id=\"q_alerts\""), "{help_page}");

    // Another shop finds none of it.
    s.signup("Shop B", "b@example.com", PW).await;
    let tok_b = token(&s, "b@example.com").await;
    for q in ["boots", "hikng", "lovelace", "A1", "frying", "cook eggs"] {
        for path in [
            format!("/api/v1/search?q={}", q.replace(' ', "%20")),
            format!("/api/v1/search/suggest?q={}", q.replace(' ', "%20")),
        ] {
            let v = get(&s, &tok_b, &path).await;
            let kinds: Vec<&str> = v
                .as_array()
                .or_else(|| v["hits"].as_array())
                .unwrap()
                .iter()
                .map(|h| h["kind"].as_str().unwrap())
                .collect();
            assert!(
                kinds
                    .iter()
                    .all(|k| matches!(*k, "page" | "chart" | "help")),
                "{path}: {v}"
            );
        }
    }
    let r = s
        .agent()
        .api(Method::GET, "/api/v1/search?q=boots", None, None)
        .await;
    assert_eq!(r.status, 401);
}

#[tokio::test]
async fn without_the_embedding_model_search_uses_words_and_says_so() {
    let s = TestServer::start_with(|c| c.models.embeddings = "/nonexistent/model".into()).await;
    let mut owner = s.signup("Shop A", "a@example.com", PW).await;
    let tok = token(&s, "a@example.com").await;
    upload(&s, &tok, "orders.csv", ORDERS.as_bytes()).await;
    settled(&s, &tok).await;
    let v = get(&s, &tok, "/api/v1/search?q=waterprof").await;
    assert_eq!(v["semantic"], false);
    assert_eq!(titles(&v)[0], "Trailhead Waterproof Hiking Boots");
    let page = owner.get("/search?q=boots").await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("id=\"search-notice\"") && page.body.contains("Trailhead"),
        "{}",
        page.body
    );
}
