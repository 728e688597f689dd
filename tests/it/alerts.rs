//! Alerts through the server: a day with ten times the usual orders becomes an alert with a
//! stable id and link, worded in the caller's language, shown on the dashboard and the Model
//! status page, found by search, and seen by no other shop.

use crate::harness::{PW, TestServer, set_locale, settled, shop_with_viewer, token, upload};
use reqwest::Method;
use std::fmt::Write;

/// Twelve weeks of four to six orders a day, and one day near the end with forty.
fn orders() -> (String, String) {
    let start = time::macros::date!(2025 - 01 - 06);
    let spike = start + time::Duration::days(80);
    let mut csv = String::from(
        "order_id,order_date,sku,product_name,category,quantity,unit_price,customer_id\n",
    );
    let mut n = 0;
    for d in 0..84 {
        let day = start + time::Duration::days(d);
        let count = if day == spike { 40 } else { 4 + d % 3 };
        for k in 0..count {
            n += 1;
            let _ = writeln!(
                csv,
                "O{n},{day} 1{}:00:00,MUG,Stoneware Mug,Kitchen,1,10.00,C{}",
                k % 10,
                n % 30
            );
        }
    }
    (csv, spike.to_string())
}

#[tokio::test]
async fn an_unusual_day_becomes_an_alert_everyone_can_follow() {
    let s = TestServer::start().await;
    let (mut owner, _, tok) = shop_with_viewer(&s).await;
    let (csv, spike) = orders();
    upload(&s, &tok, "orders.csv", csv.as_bytes()).await;
    settled(&s, &tok).await;

    let id = format!("anomaly-orders-high-{spike}");
    let v = s
        .agent()
        .api(Method::GET, "/api/v1/alerts", Some(&tok), None)
        .await
        .json();
    let alerts = v["alerts"].as_array().cloned().unwrap_or_default();
    let a = alerts
        .iter()
        .find(|a| a["id"] == id.as_str())
        .unwrap_or_else(|| panic!("no alert {id}: {v}"));
    assert_eq!(a["day"], spike.as_str());
    assert_eq!(a["series"], "orders");
    assert_eq!(a["url"], format!("/models#{id}"));
    assert!(a["z"].as_f64().unwrap() > 3.5, "{a}");
    assert!(a["value"].as_f64().unwrap() >= 40.0, "{a}");
    let title = a["title"].as_str().unwrap();
    assert!(title.contains("Orders") && title.contains("high"), "{a}");
    assert!(a["text"].as_str().unwrap().contains("expected"), "{a}");
    // The most severe first; the window narrows them.
    let rank = |s: &str| ["high", "medium", "low"].iter().position(|x| *x == s);
    let ranks: Vec<_> = alerts
        .iter()
        .map(|a| rank(a["severity"].as_str().unwrap()))
        .collect();
    assert!(ranks.windows(2).all(|w| w[0] <= w[1]), "{v}");
    let narrow = s
        .agent()
        .api(Method::GET, "/api/v1/alerts?days=1", Some(&tok), None)
        .await
        .json();
    assert!(
        narrow["alerts"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["id"] != id.as_str()),
        "the spike is three days before the last day: {narrow}"
    );

    // In another language, the same alert in other words.
    let es = s
        .agent()
        .api(Method::GET, "/api/v1/alerts?lang=es", Some(&tok), None)
        .await
        .json();
    let a_es = es["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == id.as_str())
        .cloned()
        .unwrap();
    assert_ne!(a_es["title"], a["title"]);
    assert!(
        a_es["title"].as_str().unwrap().contains("inusualmente"),
        "{a_es}"
    );

    // The link lands on the alert's row; the dashboard links to it.
    let page = owner.get("/models").await;
    assert!(
        page.body.contains(&format!("id=\"{id}\"")),
        "no row for {id}"
    );
    let dash = owner.get("/dashboard").await;
    assert!(
        dash.body.contains(&format!("href=\"/models#{id}\"")),
        "{}",
        dash.body
    );

    // The end-of-run notification links to it, worded from its facts.
    let notes = owner.get("/notifications").await;
    assert!(
        notes.body.contains(&format!("href=\"/models#{id}\"")) && notes.body.contains(title),
        "{}",
        notes.body
    );
    // The run after the upload also says it is done, and from which day's data.
    assert!(
        notes.body.contains("Forecasts and segments are up to date")
            && notes.body.contains("From the data up to"),
        "{}",
        notes.body
    );

    // Search finds it by what happened; a reader in Spanish sees its title in Spanish.
    let alert_hit = |v: &serde_json::Value| {
        v["hits"]
            .as_array()
            .unwrap()
            .iter()
            .find(|h| h["kind"] == "alert" && h["url"] == format!("/models#{id}"))
            .cloned()
            .unwrap_or_else(|| panic!("{v}"))
    };
    let q = "/api/v1/search?q=orders+spike";
    let found = s.agent().api(Method::GET, q, Some(&tok), None).await.json();
    assert_eq!(alert_hit(&found)["title"], title);
    set_locale(&mut owner, "es").await;
    let found = s.agent().api(Method::GET, q, Some(&tok), None).await.json();
    assert_eq!(alert_hit(&found)["title"], a_es["title"]);

    // Another shop has no alerts and finds none of these.
    s.signup("Shop B", "b@example.com", PW).await;
    let tok_b = token(&s, "b@example.com").await;
    let other = s
        .agent()
        .api(Method::GET, "/api/v1/alerts", Some(&tok_b), None)
        .await;
    assert_eq!(other.status, 200);
    assert_eq!(
        other.json()["alerts"],
        serde_json::json!([]),
        "{}",
        other.body
    );
    let found_b = s
        .agent()
        .api(
            Method::GET,
            "/api/v1/search?q=orders+spike",
            Some(&tok_b),
            None,
        )
        .await
        .json();
    assert!(
        found_b["hits"]
            .as_array()
            .unwrap()
            .iter()
            .all(|h| h["kind"] != "alert"),
        "{found_b}"
    );
}
