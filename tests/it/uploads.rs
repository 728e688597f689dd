//! Uploads over HTTP: the API (multipart, 202, progress, report, rejects CSV), duplicates,
//! limits, bad input, roles and tenants, the pages, and resuming after a stop.

use crate::harness::{Agent, PW, TestServer, wait_done};
use futures::StreamExt;
use reqwest::Method;
use reqwest::multipart::{Form, Part};

const ORDERS: &str = "Name,Email,Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem sku,Billing Country\n\
#1001,ann@example.com,2025-03-01 10:00:00 +0000,2,Mug,10.00,HOM-1,US\n\
#1001,ann@example.com,2025-03-01 10:00:00 +0000,1,=HYPERLINK(\"x\"),5.00,HOM-2,US\n\
#1002,bo@example.com,2025-03-02 11:00:00 +0000,1,Plate,7.50,HOM-3,DE\n\
#1003,cy@example.com,not a date,1,Plate,7.50,HOM-3,DE\n\
#1004,di@example.com,2025-03-03 09:00:00 +0000,3,Bowl,4.00,HOM-4,FR\n\
#1005,ed@example.com,2025-03-03 09:30:00 +0000,1,Bowl,4.00,HOM-4,FR\n\
#1006,fi@example.com,2025-03-04 09:30:00 +0000,1,Bowl,4.00,HOM-4,FR\n\
#1007,gu@example.com,2025-03-04 09:40:00 +0000,1,Bowl,4.00,HOM-4,FR\n\
#1008,ha@example.com,2025-03-05 09:40:00 +0000,2,Cup,3.00,HOM-5,FR\n\
#1009,ix@example.com,2025-03-05 09:50:00 +0000,1,Cup,3.00,HOM-5,FR\n\
#1010,jo@example.com,2025-03-06 09:50:00 +0000,1,Cup,3.00,HOM-5,FR\n";

async fn token(a: &mut Agent, email: &str) -> String {
    let r = a
        .api(
            Method::POST,
            "/api/v1/auth/token",
            None,
            Some(serde_json::json!({"email": email, "password": PW})),
        )
        .await;
    r.json()["token"].as_str().unwrap().to_string()
}

async fn upload(s: &TestServer, tok: &str, name: &str, bytes: Vec<u8>) -> reqwest::Response {
    let form = Form::new().part("file", Part::bytes(bytes).file_name(name.to_string()));
    reqwest::Client::new()
        .post(format!("{}/api/v1/uploads", s.url))
        .bearer_auth(tok)
        .multipart(form)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn upload_process_report_and_duplicates() {
    let s = TestServer::start().await;
    let mut owner = s.signup("Shop A", "a@example.com", PW).await;
    let tok = token(&mut owner, "a@example.com").await;
    let r = upload(&s, &tok, "../../orders.csv", ORDERS.as_bytes().to_vec()).await;
    assert_eq!(r.status(), 202);
    let body: serde_json::Value = r.json().await.unwrap();
    let u = &body["uploads"][0];
    assert_eq!(
        u["file_name"], "orders.csv",
        "directories stripped from the name"
    );
    let id = u["id"].as_i64().unwrap();
    // Progress over Server-Sent Events ends with a `done` event.
    let sse = reqwest::Client::new()
        .get(format!("{}/api/v1/uploads/{id}/events", s.url))
        .bearer_auth(&tok)
        .send()
        .await
        .unwrap();
    assert!(
        sse.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );
    let text = tokio::time::timeout(std::time::Duration::from_secs(30), sse.text())
        .await
        .expect("stream ends")
        .unwrap();
    assert!(text.contains("event: done"), "{text}");
    let v = wait_done(&mut owner, &tok, id).await;
    assert_eq!(v["status"], "succeeded", "{v}");
    assert_eq!(
        (
            v["rows_read"].as_i64(),
            v["rows_accepted"].as_i64(),
            v["rows_rejected"].as_i64()
        ),
        (Some(11), Some(10), Some(1))
    );
    assert_eq!(v["entity"], "sales");
    assert_eq!(v["report"]["rejects"][0]["line"], 5);
    assert_eq!(v["report"]["rejects"][0]["reason"], "not a date and time");
    // The validation report as CSV, formulas neutralised.
    let csv = owner
        .api(
            Method::GET,
            &format!("/api/v1/uploads/{id}/rejects.csv"),
            Some(&tok),
            None,
        )
        .await;
    assert_eq!(csv.status, 200);
    assert!(
        csv.body
            .starts_with("line,column,value,reason\n5,Created at,not a date,not a date and time"),
        "{}",
        csv.body
    );
    // The same bytes again: nothing to do.
    let r = upload(&s, &tok, "orders-again.csv", ORDERS.as_bytes().to_vec()).await;
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["uploads"][0]["status"], "duplicate");
    // Gold is queryable: the dashboard shows the figures.
    let dash = owner.get("/dashboard").await.body;
    assert!(dash.contains("10") && dash.contains("orders.csv"), "{dash}");
    let hist = owner.get("/uploads").await.body;
    assert!(hist.contains("orders.csv") && hist.contains("data-status=\"duplicate\""));
    let detail = owner.get(&format!("/uploads/{id}")).await.body;
    assert!(detail.contains("Lineitem quantity") && detail.contains("not a date and time"));
    // Notified: the sidebar counts it, live too, and the notification centre lists it once
    // as new.
    let dash = owner.get("/dashboard").await.body;
    let badge = dash
        .split("<span")
        .find(|t| t.contains("id=\"unread-count\""))
        .and_then(|t| t.split('>').next())
        .unwrap_or_else(|| panic!("{dash}"));
    assert!(!badge.contains("hidden"), "{badge}");
    let ev = owner.first_event("/notifications/events").await;
    assert!(
        ev.contains("event: unread") && !ev.contains("data: 0"),
        "{ev}"
    );
    let page = owner.get("/notifications").await.body;
    assert!(
        page.contains("orders.csv loaded") && page.contains("10 rows loaded, 1 rejected"),
        "{page}"
    );
    assert!(page.contains("badge warn"));
    assert!(
        !owner
            .get("/notifications")
            .await
            .body
            .contains("badge warn"),
        "read after the first view"
    );
    let ev = owner.first_event("/notifications/events").await;
    assert!(ev.contains("data: 0"), "{ev}");
    let dash = owner.get("/dashboard").await.body;
    assert!(
        dash.split("<span")
            .find(|t| t.contains("id=\"unread-count\""))
            .and_then(|t| t.split('>').next())
            .is_some_and(|b| b.contains("hidden")),
        "no count once read"
    );
    // Audited.
    let actions: Vec<String> = s
        .app
        .meta
        .audit_all(100)
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert!(
        actions.contains(&"upload_received".to_string())
            && actions.contains(&"upload_succeeded".to_string())
    );
}

#[tokio::test]
async fn bad_files_fail_cleanly_and_limits_hold() {
    let s = TestServer::start_with(|c| c.pipeline.max_upload_bytes = 64 * 1024).await;
    let mut owner = s.signup("Shop A", "a@example.com", PW).await;
    let tok = token(&mut owner, "a@example.com").await;
    // Announced too large: 413 before the body is read.
    let r = upload(&s, &tok, "big.csv", vec![b'a'; 100 * 1024]).await;
    assert_eq!(r.status(), 413);
    let r = upload(&s, &tok, "empty.csv", vec![]).await;
    assert_eq!(r.status(), 422);
    for (name, bytes, want) in [
        (
            "garbage.bin",
            (0..4000u32)
                .map(|i| (i * 7919 % 251) as u8)
                .collect::<Vec<u8>>(),
            "does not look like text",
        ),
        (
            "header.csv",
            b"order_id,sku,qty\n".to_vec(),
            "only a header row",
        ),
        (
            "deep.json",
            format!("{}{}", "[".repeat(20_000), "]".repeat(20_000)).into_bytes(),
            "nested more than",
        ),
    ] {
        let r = upload(&s, &tok, name, bytes).await;
        assert_eq!(r.status(), 202, "{name}");
        let id = r.json::<serde_json::Value>().await.unwrap()["uploads"][0]["id"]
            .as_i64()
            .unwrap();
        let v = wait_done(&mut owner, &tok, id).await;
        assert_eq!(v["status"], "failed", "{name}: {v}");
        assert!(v["error"].as_str().unwrap().contains(want), "{name}: {v}");
    }
    // Failures are listed with their reason.
    assert!(
        owner
            .get("/uploads")
            .await
            .body
            .contains("nested more than")
    );
}

#[tokio::test]
async fn roles_and_tenants_guard_uploads() {
    let s = TestServer::start().await;
    let mut a = s.signup("Shop A", "a@example.com", PW).await;
    let mut b = s.signup("Shop B", "b@example.com", PW).await;
    let ta = token(&mut a, "a@example.com").await;
    let tb = token(&mut b, "b@example.com").await;
    s.add_member(
        &s.tenant_of("a@example.com"),
        "viewer@example.com",
        PW,
        sr360_core::Role::Viewer,
    )
    .await;
    let mut v = s.agent();
    let tv = token(&mut v, "viewer@example.com").await;
    assert_eq!(
        upload(&s, &tv, "o.csv", ORDERS.as_bytes().to_vec())
            .await
            .status(),
        403,
        "viewers do not upload"
    );
    let r = upload(&s, &ta, "o.csv", ORDERS.as_bytes().to_vec()).await;
    let id = r.json::<serde_json::Value>().await.unwrap()["uploads"][0]["id"]
        .as_i64()
        .unwrap();
    wait_done(&mut a, &ta, id).await;
    for path in [
        format!("/api/v1/uploads/{id}"),
        format!("/api/v1/uploads/{id}/rejects.csv"),
        format!("/api/v1/uploads/{id}/events"),
    ] {
        assert_eq!(
            b.api(Method::GET, &path, Some(&tb), None).await.status,
            404,
            "{path}"
        );
    }
    assert_eq!(b.get(&format!("/uploads/{id}")).await.status, 404);
    assert!(
        b.api(Method::GET, "/api/v1/uploads", Some(&tb), None)
            .await
            .json()["uploads"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    // The form fallback needs its CSRF token in the action URL.
    let form = Form::new().part(
        "file",
        Part::bytes(ORDERS.as_bytes().to_vec()).file_name("o.csv"),
    );
    let req = reqwest::Client::new()
        .post(format!("{}/upload", s.url))
        .multipart(form);
    assert_eq!(a.send(req).await.status, 403);
    let page = a.get("/upload").await;
    assert_eq!(page.status, 200);
    let csrf = page.csrf();
    let form = Form::new().part(
        "file",
        Part::bytes(b"sku,name\nA1,Mug\n".to_vec()).file_name("p.csv"),
    );
    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let req = no_redirects
        .post(format!("{}/upload?csrf={csrf}", s.url))
        .multipart(form);
    let r = a.send(req).await;
    assert_eq!((r.status, r.location()), (303, "/uploads".to_string()));
    assert!(a.get("/uploads").await.body.contains("p.csv"));
}

#[tokio::test]
async fn interrupted_uploads_are_resumed() {
    let s = TestServer::start().await;
    let mut a = s.signup("Shop A", "a@example.com", PW).await;
    let ta = token(&mut a, "a@example.com").await;
    let scope = s
        .app
        .meta
        .system_scope(&sr360_core::TenantId::parse(&s.tenant_of("a@example.com")).unwrap())
        .unwrap();
    // Receive without waking the worker, claim it as a crashed worker would have.
    let rec = smartretail360::services::upload_jobs::receive(
        &s.app.intake(),
        &scope,
        "o.csv",
        ORDERS.as_bytes(),
        1 << 20,
        None,
        smartretail360::services::upload_jobs::Confirm::Auto,
        &sr360_meta::AuditEvent::cli(),
    )
    .await
    .unwrap();
    let claimed = s.app.meta.claim_upload().unwrap().unwrap();
    assert_eq!((claimed.id, claimed.status.as_str()), (rec.id, "running"));
    // A restart puts it back in the queue and the worker finishes it.
    assert_eq!(s.app.meta.requeue_interrupted_uploads(None).unwrap(), 1);
    s.app.upload_notify.notify_one();
    let v = wait_done(&mut a, &ta, rec.id).await;
    assert_eq!(v["status"], "succeeded", "{v}");
}

#[tokio::test]
async fn mappings_are_confirmed_then_remembered() {
    let s = TestServer::start().await;
    let mut a = s.signup("Shop A", "a@example.com", PW).await;
    let tok = token(&mut a, "a@example.com").await;
    let file = "Ref;When;Item;Units;Each\nA-1;2025-01-02;MUG;2;9.5\nA-2;2025-01-03;CUP;1;4\n";
    let send = |bytes: Vec<u8>| {
        let form = Form::new()
            .text("confirm", "manual")
            .part("file", Part::bytes(bytes).file_name("odd.csv"));
        reqwest::Client::new()
            .post(format!("{}/api/v1/uploads", s.url))
            .bearer_auth(tok.clone())
            .multipart(form)
            .send()
    };
    let r: serde_json::Value = send(file.as_bytes().to_vec())
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let u = &r["uploads"][0];
    assert_eq!(u["status"], "pending", "{u}");
    let id = u["id"].as_i64().unwrap();
    // The page shows the suggestion; a mapping without the required fields is refused.
    let page = a.get(&format!("/uploads/{id}/mapping")).await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("name=\"f.order_id\"") && page.body.contains("MUG"),
        "{}",
        page.body
    );
    assert_eq!(
        a.get(&format!("/uploads/{id}")).await.location(),
        format!("/uploads/{id}/mapping")
    );
    let csrf = page.csrf();
    let r = a
        .post_form(
            &format!("/uploads/{id}/mapping"),
            &[("csrf", &csrf), ("entity", "sales"), ("f.order_id", "Ref")],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("choose a column for"), "{}", r.body);
    let r = a
        .post_form(
            &format!("/uploads/{id}/mapping"),
            &[
                ("csrf", &csrf),
                ("entity", "sales"),
                ("f.order_id", "Ref"),
                ("f.order_date", "When"),
                ("f.sku", "Item"),
                ("f.quantity", "Units"),
                ("f.unit_price", "Each"),
            ],
        )
        .await;
    assert_eq!((r.status, r.location()), (303, format!("/uploads/{id}")));
    let v = wait_done(&mut a, &tok, id).await;
    assert_eq!(
        (v["status"].as_str(), v["rows_accepted"].as_i64()),
        (Some("succeeded"), Some(2)),
        "{v}"
    );
    // The next file of the same shape goes straight in with the remembered mapping.
    let r: serde_json::Value =
        send(b"Ref;When;Item;Units;Each\nA-3;2025-01-04;MUG;1;9.5\n".to_vec())
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    assert_eq!(r["uploads"][0]["status"], "queued", "{r}");
    let v = wait_done(&mut a, &tok, r["uploads"][0]["id"].as_i64().unwrap()).await;
    assert_eq!(v["status"], "succeeded");
    // The API confirms too, and refuses columns the file does not have.
    let r: serde_json::Value = send(b"Other;Cols\n1;2\n".to_vec())
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = r["uploads"][0]["id"].as_i64().unwrap();
    let bad = serde_json::json!({"entity": "products", "fields": {"sku": "Nope", "name": "Cols"}, "unmapped": [], "missing_required": [], "confidence": 1.0});
    let r = a
        .api(
            Method::PUT,
            &format!("/api/v1/uploads/{id}/mapping"),
            Some(&tok),
            Some(bad),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    let good = serde_json::json!({"entity": "products", "fields": {"sku": "Other", "name": "Cols"}, "unmapped": [], "missing_required": [], "confidence": 1.0});
    let r = a
        .api(
            Method::PUT,
            &format!("/api/v1/uploads/{id}/mapping"),
            Some(&tok),
            Some(good.clone()),
        )
        .await;
    assert_eq!(r.status, 202, "{}", r.body);
    assert_eq!(wait_done(&mut a, &tok, id).await["status"], "succeeded");
    assert_eq!(
        a.api(
            Method::PUT,
            &format!("/api/v1/uploads/{id}/mapping"),
            Some(&tok),
            Some(good)
        )
        .await
        .status,
        409,
        "only pending uploads"
    );
    // A pending file can be discarded instead, from its page or the API; a loaded one cannot.
    let pending = |r: serde_json::Value| r["uploads"][0]["id"].as_i64().unwrap();
    let gone = pending(
        send(b"Odd;Cols\n1;2\n".to_vec())
            .await
            .unwrap()
            .json()
            .await
            .unwrap(),
    );
    let page = a.get(&format!("/uploads/{gone}/mapping")).await;
    assert!(page.body.contains("id=\"discard-upload\""), "{}", page.body);
    let r = a
        .post_form(
            &format!("/uploads/{gone}/discard"),
            &[("csrf", &page.csrf())],
        )
        .await;
    assert_eq!(
        (r.status, r.location()),
        (303, "/uploads?m=upload_discarded".to_string())
    );
    assert!(
        a.get("/uploads?m=upload_discarded")
            .await
            .body
            .contains("nothing was loaded")
    );
    let r = a
        .api(
            Method::GET,
            &format!("/api/v1/uploads/{gone}"),
            Some(&tok),
            None,
        )
        .await;
    assert_eq!(r.status, 404, "{}", r.body);
    let other = pending(
        send(b"Odd;Cols\n3;4\n".to_vec())
            .await
            .unwrap()
            .json()
            .await
            .unwrap(),
    );
    for (upload, status) in [(other, 204), (id, 404)] {
        let r = a
            .api(
                Method::DELETE,
                &format!("/api/v1/uploads/{upload}"),
                Some(&tok),
                None,
            )
            .await;
        assert_eq!(r.status, status, "a loaded upload stays: {}", r.body);
    }
    let audit = a.get("/audit").await.body;
    assert!(audit.contains("upload_discarded"), "{audit}");
}

/// Real exports through the API without a mapping: weekly store totals load as totals (the
/// dashboard's figures come from them, the customers page says why it is empty); a file that
/// is no kind of shop data fails with what it lacks, and adds nothing.
#[tokio::test]
async fn totals_load_as_totals_and_unclear_files_are_refused() {
    let s = TestServer::start().await;
    let mut a = s.signup("Shop T", "t@example.com", PW).await;
    let tok = token(&mut a, "t@example.com").await;
    let corpus =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("crates/pipeline/tests/corpus");
    let send = |name: &'static str| {
        let bytes = std::fs::read(corpus.join(name)).unwrap();
        upload(&s, &tok, name, bytes)
    };
    let r: serde_json::Value = send("walmart_sales_weekly.csv").await.json().await.unwrap();
    let id = r["uploads"][0]["id"].as_i64().unwrap();
    let v = wait_done(&mut a, &tok, id).await;
    assert_eq!(v["status"], "succeeded", "{v}");
    assert_eq!(v["entity"], "period_sales", "{v}");
    let report = a
        .api(
            Method::GET,
            &format!("/api/v1/uploads/{id}"),
            Some(&tok),
            None,
        )
        .await
        .json();
    assert_eq!(report["report"]["summary"]["period"]["days"], 7, "{report}");
    let page = a.get(&format!("/uploads/{id}")).await;
    assert!(
        page.body.contains("rows of sales totals per week"),
        "{}",
        page.body
    );
    // The query layer's revenue is the file's total.
    let q = a
        .api(
            Method::POST,
            "/api/v1/query",
            Some(&tok),
            Some(serde_json::json!({"metrics": ["revenue"], "range": {"from": "2010-01-01", "to": "2013-01-01"}})),
        )
        .await
        .json();
    let revenue = q["rows"][0][0].as_f64().unwrap_or_else(|| panic!("{q}"));
    assert!((revenue - 54_700_990.09).abs() < 1.0, "{q}");
    let page = a.get("/customers").await;
    assert!(
        page.body.contains("loaded as totals per period"),
        "{}",
        page.body
    );
    for page in ["/cohorts", "/segments", "/recommendations"] {
        let body = a.get(page).await.body;
        assert!(
            body.contains("loaded as totals per period"),
            "{page}: {body}"
        );
    }
    // The models run on the daily series the totals make: a revenue forecast exists.
    crate::harness::settled(&s, &tok).await;
    let f = a
        .api(
            Method::GET,
            "/api/v1/forecasts?series=revenue",
            Some(&tok),
            None,
        )
        .await;
    assert_eq!(f.status, 200, "{}", f.body);
    let f = f.json();
    assert_eq!(f["info"]["status"], "ok", "{}", f["info"]);
    assert!(!f["forecast"].as_array().unwrap().is_empty());
    // Weather measurements: refused with what is missing; no tables change.
    let r: serde_json::Value = send("seattle_weather.csv").await.json().await.unwrap();
    let v = wait_done(&mut a, &tok, r["uploads"][0]["id"].as_i64().unwrap()).await;
    assert_eq!(v["status"], "failed", "{v}");
    let err = v["error"].as_str().unwrap();
    assert!(
        err.contains("no kind of data fits") && err.contains("a price or an amount per row"),
        "{err}"
    );
}

#[tokio::test]
async fn partial_uploads_left_by_a_killed_process_are_removed_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let incoming = dir.path().join("tenants/shop-a/objects/incoming");
    std::fs::create_dir_all(&incoming).unwrap();
    let stale = incoming.join("abandoned#1");
    let fresh = incoming.join("uploading#1");
    for f in [&stale, &fresh] {
        std::fs::write(f, b"half an upload").unwrap();
    }
    let an_hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    std::fs::File::options()
        .write(true)
        .open(&stale)
        .unwrap()
        .set_modified(an_hour_ago)
        .unwrap();
    let s = TestServer::start_in(dir, |_| {}).await;
    for _ in 0..50 {
        if !stale.exists() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(
        !stale.exists(),
        "the abandoned partial file is removed at start"
    );
    assert!(fresh.exists(), "a file still being written is left alone");
    s.stop().await;
}

#[tokio::test]
async fn a_slow_upload_is_not_cut_by_the_request_timeout_but_a_stalled_one_is() {
    let s = TestServer::start_with(|c| c.server.request_timeout_secs = 1).await;
    s.signup("Shop A", "a@example.com", PW).await;
    let tok = crate::harness::token(&s, "a@example.com").await;
    let chunks = |gap_ms: u64| {
        let lines = [
            "order_id,order_date,sku,quantity,unit_price\n",
            "A1,2025-03-01,S1,1,10.00\n",
            "A2,2025-03-02,S2,2,5.00\n",
            "A3,2025-03-03,S1,1,10.00\n",
        ];
        futures::stream::iter(lines).then(move |l| async move {
            tokio::time::sleep(std::time::Duration::from_millis(gap_ms)).await;
            Ok::<_, std::io::Error>(l.as_bytes().to_vec())
        })
    };
    let send = |gap_ms: u64| {
        let form = Form::new().part(
            "file",
            Part::stream(reqwest::Body::wrap_stream(chunks(gap_ms))).file_name("orders.csv"),
        );
        reqwest::Client::new()
            .post(format!("{}/api/v1/uploads", s.url))
            .bearer_auth(&tok)
            .multipart(form)
            .send()
    };
    // Four chunks 600 ms apart: 2.4 s in all, longer than the 1 s request timeout.
    let r = send(600).await.unwrap();
    assert_eq!(r.status(), 202, "{}", r.text().await.unwrap());
    // A client that stops sending for longer than the timeout loses the upload, and nothing
    // of it is kept.
    let r = send(1500).await.unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("the upload stalled"));
    let list = s
        .agent()
        .api(Method::GET, "/api/v1/uploads", Some(&tok), None)
        .await
        .json();
    assert_eq!(list["uploads"].as_array().unwrap().len(), 1, "{list}");
}

#[tokio::test]
async fn an_oversized_mapping_part_is_refused_without_reading_it_whole() {
    let s = TestServer::start().await;
    s.signup("Shop A", "a@example.com", PW).await;
    let tok = crate::harness::token(&s, "a@example.com").await;
    let form = Form::new()
        .part("mapping", Part::bytes(vec![b' '; 5 << 20]))
        .part(
            "file",
            Part::bytes(
                b"order_id,order_date,sku,quantity,unit_price\nA1,2025-03-01,S1,1,10\n".to_vec(),
            )
            .file_name("orders.csv"),
        );
    let r = reqwest::Client::new()
        .post(format!("{}/api/v1/uploads", s.url))
        .bearer_auth(&tok)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("the mapping part is larger than 256 KB")
    );
    let list = s
        .agent()
        .api(Method::GET, "/api/v1/uploads", Some(&tok), None)
        .await
        .json();
    assert_eq!(list["uploads"], serde_json::json!([]), "{list}");
}
