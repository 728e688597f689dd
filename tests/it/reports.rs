//! Report export end to end: CSV (numbers as numbers, formulas neutralised), PNG and PDF
//! files that open as images, versioned names, the management page, the audit log, who may
//! export, and shops kept apart.

use crate::harness::{Agent, PW, TestServer, shop_with_viewer, token, upload};
use reqwest::Method;

const ORDERS: &str = "order_id,order_date,sku,product_name,category,quantity,unit_price,customer_email,channel\n\
A1,2025-03-01 10:00:00,S1,Mug,Kitchen,2,10.00,ann@example.com,web\n\
A2,2025-03-02 11:00:00,S2,\"=HYPERLINK(\"\"http://evil\"\")\",Kitchen,1,7.50,bo@example.com,web\n\
A3,2025-04-02 12:00:00,S3,Scarf,Apparel,1,30.00,ann@example.com,mobile_app\n\
A4,2025-04-03 12:00:00,S1,Mug,Kitchen,1,10.00,cy@example.com,web\n";

async fn load(s: &TestServer, tok: &str) {
    assert_eq!(
        upload(s, tok, "orders.csv", ORDERS.as_bytes()).await["status"],
        "succeeded"
    );
}

const VIEW: &str = "page=charts&from=2025-03-01&to=2025-04-30&grain=month";

async fn export(a: &mut Agent, item: &str, format: &str) -> crate::harness::Resp {
    a.submit(
        &format!("/charts?{}", &VIEW[12..]),
        &format!("/reports/export?{VIEW}"),
        &[("item", item), ("format", format)],
    )
    .await
}

fn file_name(r: &crate::harness::Resp) -> String {
    let d = r.header("content-disposition").unwrap_or_default();
    d.split("filename=\"")
        .nth(1)
        .unwrap_or("")
        .trim_end_matches('"')
        .to_string()
}

fn decode_png(bytes: &[u8]) -> (u32, u32, Vec<u8>) {
    let mut reader = png::Decoder::new(std::io::Cursor::new(bytes))
        .read_info()
        .expect("a PNG");
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    buf.truncate(info.buffer_size());
    (info.width, info.height, buf)
}

fn poppler(cmd: &str, args: &[&str]) -> String {
    let out = std::process::Command::new(cmd)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{cmd}: {e} (scripts/install-deps.sh installs poppler-utils)"));
    assert!(
        out.status.success(),
        "{cmd}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[tokio::test]
async fn charts_export_as_csv_png_and_pdf_with_versions_audit_and_roles() {
    let s = TestServer::start().await;
    let (mut owner, a, tok) = shop_with_viewer(&s).await;
    load(&s, &tok).await;
    let day = jiff::Zoned::now()
        .with_time_zone(jiff::tz::TimeZone::UTC)
        .strftime("%Y-%m-%d")
        .to_string();

    // The page offers exports to those who may export.
    let page = owner.get(&format!("/charts?{}", &VIEW[12..])).await.body;
    assert!(
        page.contains(r#"data-export="products""#) && page.contains(r#"data-export="all""#),
        "export forms on the charts page"
    );

    // CSV: a byte-order mark, plain numbers, the formula neutralised, a versioned name.
    let r = export(&mut owner, "products", "csv").await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        r.header("content-type").as_deref(),
        Some("text/csv; charset=utf-8")
    );
    assert_eq!(file_name(&r), format!("charts-products-{day}-v1.csv"));
    assert!(r.bytes.starts_with(b"\xEF\xBB\xBF"));
    assert!(
        r.body.contains("'=HYPERLINK"),
        "formula neutralised: {}",
        r.body
    );
    assert!(
        r.body.contains("Mug,30,3"),
        "numbers as numbers: {}",
        r.body
    );
    let again = export(&mut owner, "products", "csv").await;
    assert_eq!(
        file_name(&again),
        format!("charts-products-{day}-v2.csv"),
        "next version the same day"
    );

    // PNG of one chart: an image with the chart's ink on a white ground.
    let r = export(&mut owner, "categories", "png").await;
    assert_eq!(
        (r.status, r.header("content-type").as_deref()),
        (200, Some("image/png")),
        "{}",
        r.body
    );
    let (w, h, px) = decode_png(&r.bytes);
    assert_eq!(w, 1440);
    assert!(h > 400, "{h}");
    assert_eq!(&px[..3], &[255, 255, 255], "white ground");
    assert!(
        px.chunks(4)
            .filter(|p| p[0] < 100 && p[1] < 100 && p[2] < 140)
            .count()
            > 500,
        "text and bars drawn"
    );

    // PDF of the whole page: A4 pages with the title, filters, every chart, generation time.
    let r = export(&mut owner, "all", "pdf").await;
    assert_eq!(
        (r.status, r.header("content-type").as_deref()),
        (200, Some("application/pdf")),
        "{}",
        r.body
    );
    assert_eq!(file_name(&r), format!("charts-{day}-v1.pdf"));
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("charts.pdf");
    let pdf_bytes = r.bytes.clone();
    std::fs::write(&pdf, &pdf_bytes).unwrap();
    let p = pdf.to_str().unwrap();
    let info = poppler("pdfinfo", &[p]);
    let pages: u32 = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert!((3..=8).contains(&pages), "{info}");
    let text = poppler("pdftotext", &["-layout", p, "-"]);
    for want in [
        "Charts",
        "Shop A",
        "1 Mar 2025",
        "Generated",
        "a@example.com",
        "Sales trend",
        "Top products",
        "Returns by category",
        &format!("1 / {pages}"),
    ] {
        assert!(text.contains(want), "{want:?} not in the PDF:\n{text}");
    }
    poppler(
        "pdftoppm",
        &[
            "-png",
            "-r",
            "50",
            "-f",
            "1",
            "-l",
            "1",
            p,
            dir.path().join("page").to_str().unwrap(),
        ],
    );
    let first = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(Result::ok)
        .find(|e| e.file_name().to_string_lossy().starts_with("page"))
        .unwrap();
    let (pw, ph, _) = decode_png(&std::fs::read(first.path()).unwrap());
    assert!(ph > pw, "portrait page drawn: {pw}×{ph}");

    // Bad requests: clear messages, nothing recorded.
    for (item, format, want) in [
        ("products", "xls", "not an export format"),
        ("nope", "pdf", "no chart or table \"nope\""),
        ("all", "csv", "one table"),
    ] {
        let r = export(&mut owner, item, format).await;
        assert_eq!(r.status, 422, "{item} {format}: {}", r.body);
        assert!(r.body.contains(want), "{}", r.body);
    }
    let r = owner
        .submit(
            "/charts",
            "/reports/export?page=customers",
            &[("item", "all"), ("format", "pdf")],
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);

    // The management page lists the four files, newest first.
    let list = owner.get("/reports").await.body;
    let names = [
        format!("charts-{day}-v1.pdf"),
        format!("charts-categories-{day}-v1.png"),
        format!("charts-products-{day}-v2.csv"),
        format!("charts-products-{day}-v1.csv"),
    ];
    let at: Vec<usize> = names
        .iter()
        .map(|n| {
            list.find(n.as_str())
                .unwrap_or_else(|| panic!("{n} not listed"))
        })
        .collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "newest first");
    // Audited, one row per export.
    let scope = s
        .app
        .meta
        .system_scope(&sr360_core::TenantId::parse(&a).unwrap())
        .unwrap();
    let audit = s.app.meta.audit_for_tenant(&scope, None, 100).unwrap();
    assert_eq!(
        audit
            .iter()
            .filter(|e| e.action == "report_exported")
            .count(),
        4
    );
    assert!(audit.iter().any(
        |e| e.action == "report_exported" && e.detail.contains(&format!("charts-{day}-v1.pdf"))
    ));

    // A viewer sees and downloads reports but may not export or delete.
    let mut viewer = s.agent();
    viewer.login("viewer@example.com", PW).await;
    assert!(
        !viewer.get("/charts").await.body.contains("data-export"),
        "no export buttons for viewers"
    );
    assert_eq!(export(&mut viewer, "products", "csv").await.status, 403);
    let reports = viewer
        .api(
            Method::GET,
            "/api/v1/reports",
            Some(&token(&s, "viewer@example.com").await),
            None,
        )
        .await
        .json();
    let pdf_id = reports["reports"][0]["id"].as_i64().unwrap();
    assert_eq!(
        reports["reports"][0]["file_name"],
        format!("charts-{day}-v1.pdf")
    );
    let got = viewer.get(&format!("/reports/{pdf_id}/file")).await;
    assert!(
        got.bytes == pdf_bytes,
        "the stored file is the exported one"
    );
    assert!(
        !viewer.get("/reports").await.body.contains("/delete"),
        "no delete for viewers"
    );
    assert_eq!(
        viewer
            .submit("/reports", &format!("/reports/{pdf_id}/delete"), &[])
            .await
            .status,
        403
    );

    // Another shop neither lists nor opens them.
    let mut b = s.signup("Shop B", "b@example.com", PW).await;
    assert_eq!(b.get(&format!("/reports/{pdf_id}/file")).await.status, 404);
    assert!(!b.get("/reports").await.body.contains("charts-"));
    let tok_b = token(&s, "b@example.com").await;
    assert_eq!(
        b.api(Method::GET, "/api/v1/reports", Some(&tok_b), None)
            .await
            .json()["reports"],
        serde_json::json!([])
    );
    assert_eq!(
        b.api(
            Method::GET,
            &format!("/api/v1/reports/{pdf_id}/file"),
            Some(&tok_b),
            None
        )
        .await
        .status,
        404
    );
    assert_eq!(
        b.submit("/reports", &format!("/reports/{pdf_id}/delete"), &[])
            .await
            .status,
        404
    );

    // Deleting removes the record and the file, with an audit row.
    let r = owner
        .submit("/reports", &format!("/reports/{pdf_id}/delete"), &[])
        .await;
    assert_eq!((r.status, r.location()), (303, "/reports".to_string()));
    assert_eq!(
        owner.get(&format!("/reports/{pdf_id}/file")).await.status,
        404
    );
    let audit = s.app.meta.audit_for_tenant(&scope, None, 100).unwrap();
    assert_eq!(
        audit
            .iter()
            .filter(|e| e.action == "report_deleted")
            .count(),
        1
    );
}

#[tokio::test]
async fn scripts_export_through_the_api() {
    let s = TestServer::start().await;
    s.signup("Shop A", "a@example.com", PW).await;
    let tok = token(&s, "a@example.com").await;
    let mut a = s.agent();
    // No data yet: a clear answer, nothing stored.
    let r = a
        .api(
            Method::POST,
            "/api/v1/reports",
            Some(&tok),
            Some(serde_json::json!({"page": "cohorts", "item": "retention", "format": "csv"})),
        )
        .await;
    assert_eq!(
        (r.status, r.json()["error"]["code"].as_str()),
        (409, Some("no_data")),
        "{}",
        r.body
    );
    load(&s, &tok).await;
    let r = a
        .api(
            Method::POST,
            "/api/v1/reports",
            Some(&tok),
            Some(serde_json::json!({"page": "cohorts", "item": "retention", "format": "csv"})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let rec = r.json();
    assert!(
        rec["file_name"]
            .as_str()
            .unwrap()
            .starts_with("cohorts-retention-"),
        "{rec}"
    );
    let csv = a
        .api(Method::GET, rec["url"].as_str().unwrap(), Some(&tok), None)
        .await
        .body;
    // Two cohorts (March: ann and bo; April: cy), with ISO months and plain shares.
    let lines: Vec<&str> = csv.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(lines.len(), 3, "{csv}");
    assert!(lines[1].starts_with("2025-03-01,2,1,"), "{csv}");
    assert!(lines[2].starts_with("2025-04-01,1,1"), "{csv}");
    // A funnel without web events: no data.
    let r = a
        .api(
            Method::POST,
            "/api/v1/reports",
            Some(&tok),
            Some(serde_json::json!({"page": "funnel", "item": "all", "format": "pdf"})),
        )
        .await;
    assert_eq!(r.status, 409, "{}", r.body);
}
