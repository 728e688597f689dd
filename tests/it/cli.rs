//! The `sr360` binary itself: account and shop commands, doctor, the demo generator, and a
//! real `serve` process stopped by SIGTERM.

use std::io::Write;
use std::process::{Command, Stdio};

fn sr360(data: &std::path::Path, args: &[&str], stdin: Option<&str>) -> (bool, String, String) {
    let mut c = Command::new(env!("CARGO_BIN_EXE_sr360"));
    c.arg("--data")
        .arg(data)
        .args(args)
        .env("SR360_SECRETS__BACKEND", "file")
        .env("SR360_AUTH__ARGON2_MEMORY_KIB", "8192")
        .env("SR360_AUTH__ARGON2_ITERATIONS", "1");
    c.stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    })
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let mut child = c.spawn().expect("spawn sr360");
    if let Some(s) = stdin {
        child.stdin.take().unwrap().write_all(s.as_bytes()).unwrap();
    }
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn tenant_and_user_commands() {
    let d = tempfile::tempdir().unwrap();
    let (ok, out, err) = sr360(d.path(), &["tenant", "create", "Corner Shop"], None);
    assert!(ok, "{err}");
    assert!(out.contains("created shop corner-shop"));
    assert!(
        d.path()
            .join("tenants/corner-shop/warehouse.duckdb")
            .exists()
    );
    let (ok, _, err) = sr360(
        d.path(),
        &["tenant", "create", "Other", "--id", "../etc"],
        None,
    );
    assert!(!ok && err.contains("tenant id"), "{err}");
    let (ok, out, err) = sr360(
        d.path(),
        &[
            "user",
            "add",
            "ana@example.com",
            "--name",
            "Ana",
            "--tenant",
            "corner-shop",
            "--role",
            "admin",
        ],
        None,
    );
    assert!(ok, "{err}");
    let generated = out
        .lines()
        .find_map(|l| l.strip_prefix("password: "))
        .expect("generated password printed")
        .to_string();
    assert!(generated.len() >= 20);
    let (ok, _, err) = sr360(
        d.path(),
        &[
            "user",
            "add",
            "bo@example.com",
            "--name",
            "Bo",
            "--password-stdin",
        ],
        Some("short\n"),
    );
    assert!(!ok && err.contains("at least 10"), "{err}");
    let (ok, out, _) = sr360(
        d.path(),
        &[
            "user",
            "add",
            "bo@example.com",
            "--name",
            "Bo",
            "--password-stdin",
        ],
        Some("a long enough password\n"),
    );
    assert!(ok && !out.contains("password:"));
    let (ok, out, err) = sr360(
        d.path(),
        &[
            "user",
            "set-role",
            "bo@example.com",
            "--tenant",
            "corner-shop",
            "--role",
            "viewer",
        ],
        None,
    );
    assert!(
        ok && out.contains("added to corner-shop as viewer"),
        "{out}{err}"
    );
    let (ok, out, _) = sr360(
        d.path(),
        &[
            "user",
            "set-role",
            "bo@example.com",
            "--tenant",
            "corner-shop",
            "--role",
            "analyst",
        ],
        None,
    );
    assert!(ok && out.contains("viewer -> analyst"), "{out}");
    let (ok, out, _) = sr360(d.path(), &["user", "list"], None);
    assert!(
        ok && out.contains("ana@example.com") && out.contains("corner-shop:analyst"),
        "{out}"
    );
    let (ok, out, _) = sr360(
        d.path(),
        &["user", "reset-password", "ana@example.com"],
        None,
    );
    assert!(ok && out.contains("password: ") && !out.contains(&generated));
    let (ok, _, err) = sr360(
        d.path(),
        &["user", "reset-password", "nobody@example.com"],
        None,
    );
    assert!(!ok && err.contains("no account"));
    let (ok, out, _) = sr360(d.path(), &["tenant", "list"], None);
    assert!(ok && out.contains("corner-shop") && out.contains("Corner Shop"));
    let (ok, out, err) = sr360(d.path(), &["doctor"], None);
    assert!(ok, "{out}{err}");
    assert!(
        out.contains("[ok  ] schema") && out.contains("[ok  ] duckdb") && out.contains("mode 0600"),
        "{out}"
    );
    // Invalid configuration is a clear error.
    let mut c = Command::new(env!("CARGO_BIN_EXE_sr360"));
    let out = c
        .arg("--data")
        .arg(d.path())
        .arg("doctor")
        .env("SR360_AUTH__SIGNING_KEY", "changeme")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("signing_key"));
}

#[test]
fn demo_generate_only_writes_the_export_files() {
    let d = tempfile::tempdir().unwrap();
    let out_dir = d.path().join("shop");
    let (ok, out, err) = sr360(
        d.path(),
        &[
            "demo",
            "--generate-only",
            out_dir.to_str().unwrap(),
            "--scale",
            "0.05",
            "--seed",
            "3",
        ],
        None,
    );
    assert!(ok, "{err}");
    assert!(out.contains("orders"), "{out}");
    for f in [
        "orders.csv",
        "customers.csv",
        "products.json",
        "promotions.json",
        "web_events.parquet",
        "ground_truth.json",
    ] {
        assert!(out_dir.join(f).is_file(), "{f}");
    }
    let (ok, _, err) = sr360(
        d.path(),
        &[
            "demo",
            "--generate-only",
            out_dir.to_str().unwrap(),
            "--scale",
            "0",
        ],
        None,
    );
    assert!(!ok && err.contains("scale"), "{err}");
}

#[test]
fn demo_prepares_shop_and_login() {
    let d = tempfile::tempdir().unwrap();
    let (ok, out, err) = sr360(d.path(), &["demo", "--no-serve", "--scale", "0.05"], None);
    assert!(ok, "{err}");
    assert!(out.contains("E-mail:    owner@demo.local"), "{out}");
    let pw1 = out
        .lines()
        .find_map(|l| l.trim().strip_prefix("Password:"))
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_string();
    assert!(
        d.path()
            .join("tenants/demo/objects/demo-shop/orders.csv")
            .is_file()
    );
    // A second run keeps the shop and gives a new password.
    let (ok, out, _) = sr360(d.path(), &["demo", "--no-serve", "--scale", "0.05"], None);
    assert!(
        ok && !out.contains("demo shop in"),
        "generated only once: {out}"
    );
    let pw2 = out
        .lines()
        .find_map(|l| l.trim().strip_prefix("Password:"))
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_string();
    assert_ne!(pw1, pw2);
    // The demo's model run filled the search index; the CLI brings it up to date (nothing
    // to do) or rebuilds it, and names a shop that does not exist.
    assert!(d.path().join("tenants/demo/search/state.tsv").is_file());
    let (ok, out, err) = sr360(d.path(), &["search-index", "--tenant", "demo"], None);
    assert!(
        ok && out.contains("(0 added, 0 changed, 0 removed)"),
        "{out}{err}"
    );
    let (ok, out, err) = sr360(
        d.path(),
        &["search-index", "--tenant", "demo", "--rebuild"],
        None,
    );
    assert!(
        ok && out.contains("0 changed") && !out.contains(" 0 documents"),
        "{out}{err}"
    );
    let (ok, _, err) = sr360(d.path(), &["search-index", "--tenant", "nope"], None);
    assert!(!ok && err.contains("no shop"), "{err}");
}

/// `sr360 serve` on a free port of this machine, logging to a pipe; its address.
fn serve_process(data: &std::path::Path) -> (std::process::Child, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr = format!("127.0.0.1:{port}");
    let child = Command::new(env!("CARGO_BIN_EXE_sr360"))
        .arg("--data")
        .arg(data)
        .args(["serve", "--addr", &addr])
        .env("SR360_SECRETS__BACKEND", "file")
        .env("SR360_AUTH__ARGON2_MEMORY_KIB", "8192")
        .env("SR360_AUTH__ARGON2_ITERATIONS", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    (child, addr)
}

/// Whether `/healthz` at `addr` answered 200 within 10 s.
async fn came_up(addr: &str) -> bool {
    for _ in 0..100 {
        if reqwest::get(format!("http://{addr}/healthz"))
            .await
            .is_ok_and(|r| r.status() == 200)
        {
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    false
}

#[test]
fn serve_stops_cleanly_on_sigterm() {
    let d = tempfile::tempdir().unwrap();
    let (child, addr) = serve_process(d.path());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let up = rt.block_on(came_up(&addr));
    assert!(up, "server came up");
    // One process works on a data directory: a second server and a command-line load are
    // refused with the first one's PID (they used to take over its queued work); commands
    // that only touch accounts still work beside it.
    let pid = format!("pid {}", child.id());
    let (ok, _, err) = sr360(d.path(), &["serve", "--addr", "127.0.0.1:0"], None);
    assert!(!ok && err.contains(&pid), "{err}");
    let csv = d.path().join("orders.csv");
    std::fs::write(
        &csv,
        "order_id,order_date,sku,quantity,unit_price\nA1,2025-03-01,S1,1,10\n",
    )
    .unwrap();
    let (ok, _, err) = sr360(
        d.path(),
        &["ingest", csv.to_str().unwrap(), "--tenant", "x", "--yes"],
        None,
    );
    assert!(
        !ok && err.contains(&pid) && err.contains("/api/v1/uploads"),
        "{err}"
    );
    let (ok, _, err) = sr360(d.path(), &["tenant", "create", "Beside"], None);
    assert!(ok, "{err}");
    let rc = unsafe { libc_kill(child.id() as i32, 15) };
    assert_eq!(rc, 0);
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "exit after SIGTERM: {:?}", out.status);
    let log = String::from_utf8_lossy(&out.stderr);
    let first = log.lines().next().unwrap_or("");
    let v: serde_json::Value =
        serde_json::from_str(first).unwrap_or_else(|e| panic!("JSON log line ({e}): {first}"));
    assert!(v.get("level").is_some() && v.get("timestamp").is_some());
    assert!(log.contains("stopped"));
    // Every request is one JSON line carrying its request id.
    let req_line = log
        .lines()
        .find(|l| l.contains("finished processing request"))
        .unwrap_or_else(|| panic!("no request log line: {log}"));
    let v: serde_json::Value = serde_json::from_str(req_line).unwrap();
    assert!(
        v["span"]["request_id"]
            .as_str()
            .is_some_and(|id| id.len() >= 32),
        "{req_line}"
    );
}

unsafe extern "C" {
    #[link_name = "kill"]
    fn libc_kill(pid: i32, sig: i32) -> i32;
}

/// kill -9 in the middle of an ingest leaves silver and gold exactly as they were, and the
/// next run completes.
#[test]
fn killed_ingest_changes_nothing_and_reruns() {
    let d = tempfile::tempdir().unwrap();
    let shop = d.path().join("shop");
    let (ok, _, err) = sr360(
        d.path(),
        &[
            "demo",
            "--generate-only",
            shop.to_str().unwrap(),
            "--scale",
            "4",
        ],
        None,
    );
    assert!(ok, "{err}");
    assert!(
        sr360(
            d.path(),
            &["tenant", "create", "Kill Test", "--id", "kt"],
            None
        )
        .0
    );
    let (ok, out, err) = sr360(
        d.path(),
        &[
            "ingest",
            shop.join("products.json").to_str().unwrap(),
            "--tenant",
            "kt",
            "--yes",
        ],
        None,
    );
    assert!(ok, "{out}{err}");

    let count = |sql: &str| -> i64 {
        let db = sr360_warehouse::HardenedDb::open(
            Some(&d.path().join("tenants/kt/warehouse.duckdb")),
            &d.path().join("tenants/kt"),
            &sr360_warehouse::Limits {
                memory_limit: "512MB".into(),
                threads: 1,
            },
        )
        .unwrap();
        db.conn().query_row(sql, [], |r| r.get(0)).unwrap()
    };
    // Kill it hard in each stage: loading bronze, merging silver, rebuilding gold.
    let meta = d.path().join("meta.sqlite");
    for stage in [0.2, 0.45, 0.75] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_sr360"))
            .arg("--data")
            .arg(d.path())
            .args([
                "ingest",
                shop.join("orders.csv").to_str().unwrap(),
                "--tenant",
                "kt",
                "--yes",
            ])
            .env("SR360_SECRETS__BACKEND", "file")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut killed_inside = false;
        for _ in 0..1500 {
            let p = Command::new("python3")
                .arg("-c")
                .arg(format!("import sqlite3; c=sqlite3.connect('file:{}?mode=ro', uri=True); r=c.execute(\"select coalesce(max(progress),0) from uploads where status='running'\").fetchone(); print(r[0])", meta.display()))
                .output()
                .unwrap();
            let progress: f64 = String::from_utf8_lossy(&p.stdout)
                .trim()
                .parse()
                .unwrap_or(0.0);
            if progress >= stage {
                unsafe { libc_kill(child.id() as i32, 9) };
                killed_inside = true;
                break;
            }
            if child.try_wait().unwrap().is_some() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        let _ = child.wait();
        assert!(
            killed_inside,
            "the ingest was killed while running (stage {stage})"
        );
        assert_eq!(
            count("SELECT count(*) FROM silver.order_lines"),
            0,
            "nothing of the killed run is visible (stage {stage})"
        );
        assert_eq!(count("SELECT count(*) FROM silver.products"), 502);
        assert_eq!(
            count(
                "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'gold' AND NOT suffix(table_name, '__next') AND table_name = 'fact_sales'"
            ),
            1,
            "gold of the products file still there"
        );
        assert_eq!(count("SELECT count(*) FROM gold.fact_sales"), 0);
    }
    // The rerun (which also resumes the interrupted upload) completes.
    let (ok, out, err) = sr360(
        d.path(),
        &[
            "ingest",
            shop.join("orders.csv").to_str().unwrap(),
            "--tenant",
            "kt",
            "--yes",
        ],
        None,
    );
    assert!(ok, "{out}{err}");
    let gt: serde_json::Value =
        serde_json::from_slice(&std::fs::read(shop.join("ground_truth.json")).unwrap()).unwrap();
    let lines = gt["counts"]["order_lines"].as_i64().unwrap();
    assert_eq!(
        count("SELECT count(*) FROM silver.order_lines WHERE NOT is_return"),
        lines
    );
    assert_eq!(
        count("SELECT count(*) FROM duckdb_tables() WHERE suffix(table_name, '__next')"),
        0,
        "leftovers of the killed runs are gone"
    );
}

/// A merchant's nightly script: `--yes` loads real exports whose kind is clear, says in words
/// what was loaded, and refuses, loading nothing, a file that is no kind of shop data.
#[test]
fn ingest_yes_loads_clear_exports_and_refuses_the_rest() {
    let d = tempfile::tempdir().unwrap();
    assert!(sr360(d.path(), &["tenant", "create", "Bikes", "--id", "bk"], None).0);
    let corpus =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("crates/pipeline/tests/corpus");
    let file = |n: &str| corpus.join(n).to_str().unwrap().to_string();
    let (ok, out, err) = sr360(
        d.path(),
        &["ingest", &file("bike_sales.csv"), "--tenant", "bk", "--yes"],
        None,
    );
    assert!(ok, "{out}{err}");
    assert!(out.contains("recognised as: sales"), "{out}");
    assert!(
        out.contains("2,466 order lines in 322 orders") && out.contains("`frame_material`"),
        "{out}"
    );
    let (ok, out, _) = sr360(
        d.path(),
        &[
            "ingest",
            &file("seattle_weather.csv"),
            "--tenant",
            "bk",
            "--yes",
        ],
        None,
    );
    assert!(!ok, "{out}");
    assert!(
        out.contains("no kind of data fits this file")
            && out.contains("a price or an amount per row")
            && out.contains("--mapping"),
        "{out}"
    );
    let (ok, out, _) = sr360(
        d.path(),
        &[
            "ingest",
            &file("purchase_dates.csv"),
            "--tenant",
            "bk",
            "--yes",
        ],
        None,
    );
    assert!(!ok && out.contains("customer details"), "{out}");
    // Nothing of the refused files reached the shop: the bike shops are its only customers.
    let (ok, out, err) = sr360(
        d.path(),
        &[
            "ingest",
            &file("product_photo.png"),
            "--tenant",
            "bk",
            "--yes",
        ],
        None,
    );
    assert!(!ok && out.contains("an image (PNG)"), "{out}{err}");
    let db = duckdb::Connection::open(d.path().join("tenants/bk/warehouse.duckdb")).unwrap();
    let customers: i64 = db
        .query_row("SELECT count(*) FROM silver.customers", [], |r| r.get(0))
        .unwrap();
    assert_eq!(customers, 30);
}

#[test]
fn models_pull_fails_clearly_when_the_hub_cannot_be_reached() {
    let d = tempfile::tempdir().unwrap();
    let models = d.path().join("models");
    let out = Command::new(env!("CARGO_BIN_EXE_sr360"))
        .arg("--data")
        .arg(d.path().join("data"))
        .args([
            "models",
            "pull",
            "HuggingFaceTB/SmolLM2-135M-Instruct-GGUF",
            "model.gguf",
        ])
        .env("SR360_SECRETS__BACKEND", "file")
        .env("SR360_MODELS__DIR", &models)
        // A closed port on this machine: no test ever reaches the internet.
        .env("HF_ENDPOINT", "http://127.0.0.1:9")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(err.contains("is the machine online"), "{err}");
    assert!(!models.join("model.gguf").exists());
    // A path out of the models directory is refused before anything is fetched.
    let out = Command::new(env!("CARGO_BIN_EXE_sr360"))
        .arg("--data")
        .arg(d.path().join("data"))
        .args(["models", "pull", "a/b", "../../etc/passwd"])
        .env("SR360_SECRETS__BACKEND", "file")
        .env("SR360_MODELS__DIR", &models)
        .env("HF_ENDPOINT", "http://127.0.0.1:9")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("a file name inside the repository"));
}

/// A stop is bounded: an open event stream ends at once, a request that never finishes (an
/// upload stalled mid-body) gets the 20 s grace and no more, then the process exits (the
/// runtime waits 5 s at most for blocking work).
#[test]
fn a_stop_ends_streams_at_once_and_waits_for_stalled_requests_only_the_grace_time() {
    use crate::harness::{Agent, PW};
    use futures::StreamExt;
    use std::time::{Duration, Instant};
    use tokio::io::AsyncWriteExt;
    let d = tempfile::tempdir().unwrap();
    let (child, addr) = serve_process(d.path());
    let base = format!("http://{addr}");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let (stream_ended, stall) = rt.block_on(async {
        assert!(came_up(&addr).await, "server came up");
        // The first shop (the default sign-up policy), a browser session and an API token.
        let mut a = Agent::new(&base);
        let csrf = a.get("/signup").await.csrf();
        let r = a
            .post_form(
                "/signup",
                &[
                    ("csrf", &csrf),
                    ("shop", "Stop Shop"),
                    ("name", "Sam"),
                    ("email", "sam@example.com"),
                    ("password", PW),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        let tok = a
            .api(
                reqwest::Method::POST,
                "/api/v1/auth/token",
                None,
                Some(serde_json::json!({"email": "sam@example.com", "password": PW})),
            )
            .await
            .json()["token"]
            .as_str()
            .unwrap()
            .to_string();
        // An open tab's unread-count stream.
        let cookie = a
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        let sse = reqwest::Client::new()
            .get(format!("{base}/notifications/events"))
            .header("cookie", cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(sse.status(), 200);
        let mut body = sse.bytes_stream();
        body.next().await.unwrap().unwrap();
        let stream_ended = tokio::spawn(async move {
            while let Some(Ok(_)) = body.next().await {}
            Instant::now()
        });
        // An upload that sends its headers and a first part, then nothing more.
        let mut stall = tokio::net::TcpStream::connect(&addr).await.unwrap();
        let head = format!(
            "POST /api/v1/uploads HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {tok}\r\n\
             Content-Type: multipart/form-data; boundary=XyZ\r\nContent-Length: 10000000\r\n\r\n\
             --XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"orders.csv\"\r\n\
             Content-Type: text/csv\r\n\r\norder_id,order_date,sku,quantity,unit_price\r\n"
        );
        stall.write_all(head.as_bytes()).await.unwrap();
        stall.flush().await.unwrap();
        tokio::time::sleep(Duration::from_millis(500)).await;
        (stream_ended, stall)
    });
    let asked = Instant::now();
    assert_eq!(unsafe { libc_kill(child.id() as i32, 15) }, 0);
    let out = child.wait_with_output().unwrap();
    let took = asked.elapsed();
    drop(stall);
    let ended = rt.block_on(stream_ended).unwrap();
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{:?}: {log}", out.status);
    assert!(
        ended.saturating_duration_since(asked) < Duration::from_secs(3),
        "the event stream ended {:?} after the stop was asked",
        ended.saturating_duration_since(asked)
    );
    assert!(
        took >= Duration::from_secs(18) && took < Duration::from_secs(30),
        "stopped after {took:?}: {log}"
    );
    assert!(
        log.contains("requests still open after the grace time"),
        "{log}"
    );
    assert!(log.contains("stopped"));
}
