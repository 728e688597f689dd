//! `sr360-bench load`: the server under a busy shop's traffic and under attack. The demo shop
//! is loaded, the real server started in this process, then for each client count: clients
//! cycle over the dashboard, the query API and search for the given seconds while an upload
//! after another is loaded — once clean, once with hostile traffic beside them (GraphQL
//! requests of 150 aliases, hundreds of half-open connections, absurd date ranges, a Parquet
//! bomb upload). Errors, p50 and p99 of the normal clients, and the process's peak memory.

use smartretail360::app::App;
use sr360_core::config::SecretBackend;
use sr360_core::{Config, OsEntropy, SystemClock};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

pub struct LoadArgs {
    pub out: PathBuf,
    pub demo_scale: f64,
    pub clients: Vec<usize>,
    pub seconds: u64,
}

/// One request (HTTP/1.1, connection closed after); (status, milliseconds).
fn request(addr: SocketAddr, head: &str, body: &[u8]) -> anyhow::Result<(u16, f64)> {
    let (status, _, ms) = crate::http(addr, head, body, Duration::from_secs(60))?;
    Ok((status, ms))
}

use crate::pages::get;

fn post_json(addr: SocketAddr, path: &str, token: &str, body: &str) -> anyhow::Result<(u16, f64)> {
    request(
        addr,
        &format!(
            "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        ),
        body.as_bytes(),
    )
}

fn post_file(
    addr: SocketAddr,
    token: &str,
    name: &str,
    bytes: &[u8],
) -> anyhow::Result<(u16, f64)> {
    let boundary = "sr360benchboundary";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    request(
        addr,
        &format!(
            "POST /api/v1/uploads HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\nContent-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        ),
        &body,
    )
}

struct Run {
    clients: usize,
    hostile: bool,
    ok: u64,
    errors: u64,
    lat: Vec<f64>,
    uploads: u64,
    hostile_requests: u64,
    hostile_5xx: u64,
    peak: f64,
}

#[allow(clippy::too_many_arguments)]
fn one_run(
    addr: SocketAddr,
    cookie: &str,
    token: &str,
    orders: &[u8],
    bomb: &[u8],
    clients: usize,
    seconds: u64,
    hostile: bool,
) -> anyhow::Result<Run> {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let stop = Arc::new(AtomicBool::new(false));
    let searches = [
        "hiking%20boots",
        "something%20to%20cook%20eggs%20in",
        "wool%20sweater",
        "gift%20for%20a%20runner",
    ];
    let query = r#"{"metrics": ["revenue", "orders"], "dimensions": ["category"], "range": {"from": "2025-01-01", "to": "2025-12-31"}}"#;
    let workers: Vec<_> = (0..clients)
        .map(|i| {
            let (cookie, token) = (cookie.to_string(), token.to_string());
            std::thread::spawn(move || {
                let (mut ok, mut errors, mut lat) = (0u64, 0u64, Vec::new());
                let mut k = i;
                while Instant::now() < deadline {
                    let r = match k % 3 {
                        0 => get(addr, "/dashboard", &cookie),
                        1 => post_json(addr, "/api/v1/query", &token, query),
                        _ => get(
                            addr,
                            &format!("/api/v1/search?q={}", searches[k % searches.len()]),
                            &cookie,
                        ),
                    };
                    k += 1;
                    match r {
                        Ok((200, ms)) => {
                            ok += 1;
                            lat.push(ms);
                        }
                        _ => errors += 1,
                    }
                }
                (ok, errors, lat)
            })
        })
        .collect();
    // An upload after another: the orders export with one line changed each time (a new file,
    // not a duplicate), loaded by the worker while the clients run.
    let uploads = Arc::new(AtomicU64::new(0));
    let uploader = {
        let (token, orders, uploads, stop) = (
            token.to_string(),
            orders.to_vec(),
            uploads.clone(),
            stop.clone(),
        );
        std::thread::spawn(move || {
            let mut n = 0u64;
            while !stop.load(Ordering::SeqCst) {
                // Blank lines at the end (skipped by the reader) make each a new file.
                let mut f = orders.clone();
                f.extend(std::iter::repeat_n(b'\n', n as usize + 1));
                n += 1;
                if let Ok((202, _)) = post_file(addr, &token, "orders.csv", &f) {
                    uploads.fetch_add(1, Ordering::SeqCst);
                }
                std::thread::sleep(Duration::from_secs(5));
            }
        })
    };
    let hostile_requests = Arc::new(AtomicU64::new(0));
    let hostile_5xx = Arc::new(AtomicU64::new(0));
    let mut attackers = vec![];
    if hostile {
        let aliases: Vec<String> = (0..150)
            .map(|i| format!("a{i}: analytics(query: {{metrics: [REVENUE], dimensions: [DAY]}}) {{ truncated }}"))
            .collect();
        let gql = serde_json::json!({"query": format!("{{ {} }}", aliases.join(" "))}).to_string();
        let absurd = r#"{"metrics": ["revenue"], "range": {"from": "0000-01-01", "to": "9999-12-31"}, "compare": "previous_period"}"#;
        for who in 0..3 {
            let (token, gql, bomb, stop, n, bad) = (
                token.to_string(),
                gql.clone(),
                bomb.to_vec(),
                stop.clone(),
                hostile_requests.clone(),
                hostile_5xx.clone(),
            );
            attackers.push(std::thread::spawn(move || {
                let mut bombed = false;
                while !stop.load(Ordering::SeqCst) {
                    let r = match who {
                        0 => post_json(addr, "/api/v1/graphql", &token, &gql),
                        1 => post_json(addr, "/api/v1/query", &token, absurd),
                        _ if !bombed => {
                            bombed = true;
                            post_file(addr, &token, "events.parquet", &bomb)
                        }
                        _ => {
                            std::thread::sleep(Duration::from_millis(200));
                            continue;
                        }
                    };
                    n.fetch_add(1, Ordering::SeqCst);
                    if let Ok((s, _)) = r
                        && s >= 500
                    {
                        bad.fetch_add(1, Ordering::SeqCst);
                    }
                    std::thread::sleep(Duration::from_millis(100));
                }
            }));
        }
        // Half-open connections: 300 sockets that send half a request and wait, reopened as
        // the server cuts them off.
        let stop2 = stop.clone();
        attackers.push(std::thread::spawn(move || {
            let mut held: Vec<TcpStream> = vec![];
            while !stop2.load(Ordering::SeqCst) {
                held.retain(|s| {
                    let mut b = [0u8; 1];
                    s.set_nonblocking(true).ok();
                    !matches!((&*s).read(&mut b), Ok(0))
                });
                while held.len() < 300 {
                    match TcpStream::connect_timeout(&addr, Duration::from_millis(200)) {
                        Ok(mut s) => {
                            let _ = s.write_all(
                                b"GET /dashboard HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ",
                            );
                            held.push(s);
                        }
                        Err(_) => break,
                    }
                }
                std::thread::sleep(Duration::from_millis(500));
            }
        }));
    }
    let (mut ok, mut errors, mut lat) = (0u64, 0u64, Vec::new());
    for h in workers {
        let (o, e, l) = h
            .join()
            .map_err(|_| anyhow::anyhow!("client thread panicked"))?;
        ok += o;
        errors += e;
        lat.extend(l);
    }
    stop.store(true, Ordering::SeqCst);
    let _ = uploader.join();
    for a in attackers {
        let _ = a.join();
    }
    Ok(Run {
        clients,
        hostile,
        ok,
        errors,
        lat,
        uploads: uploads.load(Ordering::SeqCst),
        hostile_requests: hostile_requests.load(Ordering::SeqCst),
        hostile_5xx: hostile_5xx.load(Ordering::SeqCst),
        peak: crate::proc_mib("VmHWM"),
    })
}

pub fn run(a: LoadArgs) -> anyhow::Result<()> {
    let work = std::env::temp_dir().join(format!("sr360-bench-load-{}", std::process::id()));
    let data = work.join("data");
    std::fs::create_dir_all(&work)?;
    crate::load_demo(&data, a.demo_scale)?;
    let files = data
        .join("tenants")
        .join(smartretail360::cli::demo::DEMO_TENANT)
        .join("objects")
        .join("demo-shop");
    let orders = std::fs::read(files.join("orders.csv"))?;
    // The bomb: 30 million identical rows in a few kilobytes of Parquet.
    let bomb_path = work.join("bomb.parquet");
    duckdb::Connection::open_in_memory()?.execute_batch(&format!(
        "COPY (SELECT 'A1' AS order_id, 'S1' AS sku, 1 AS qty FROM range(30000000)) TO '{}' (FORMAT parquet)",
        bomb_path.display()
    ))?;
    let bomb = std::fs::read(&bomb_path)?;

    let mut cfg = Config {
        data_dir: data.clone(),
        ..Default::default()
    };
    cfg.secrets.backend = SecretBackend::File;
    cfg.auth.attempts_per_minute_per_ip = 100_000;
    cfg.auth.attempts_per_minute_per_account = 100_000;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let (addr, cookie, token, stop) = rt.block_on(async {
        let app = App::open(cfg, Arc::new(SystemClock), Arc::new(OsEntropy))?;
        crate::demo_owner(&app, "load@example.com", "bench password 1234").await?;
        let ip = std::net::IpAddr::from([127, 0, 0, 1]);
        let session = match app
            .auth
            .login("load@example.com", "bench password 1234", ip, "bench")
            .await?
        {
            sr360_auth::LoginResult::Active { token, .. } => token,
            sr360_auth::LoginResult::MfaRequired { .. } => {
                anyhow::bail!("no second factor expected")
            }
        };
        let (api, _) = app
            .auth
            .issue_api_token(
                "load@example.com",
                "bench password 1234",
                None,
                None,
                "bench",
                None,
                ip,
                "bench",
            )
            .await?;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(smartretail360::server::serve(app, listener, async move {
            let _ = rx.await;
        }));
        anyhow::Ok((addr, format!("__Host-sr360_session={session}"), api, tx))
    })?;
    // Warm: every kind of request once.
    get(addr, "/dashboard", &cookie)?;

    let mut runs = vec![];
    for &c in &a.clients {
        for hostile in [false, true] {
            eprintln!(
                "load bench: {c} clients{} …",
                if hostile { " with hostile traffic" } else { "" }
            );
            runs.push(one_run(
                addr, &cookie, &token, &orders, &bomb, c, a.seconds, hostile,
            )?);
        }
    }
    let _ = stop.send(());
    drop(rt);
    let _ = std::fs::remove_dir_all(&work);

    let mut md = String::from("# Load: a busy shop, then under attack\n\n");
    md.push_str(&crate::measured_on());
    md.push_str(&format!(
        "Demo shop at scale {}; each client cycles over `GET /dashboard`, `POST /api/v1/query` and `GET /api/v1/search` for {} s (connection closed after each request) while the orders export is uploaded again every 5 s and loaded by the worker. \"Hostile\": beside them, a GraphQL request of 150 aliased `analytics` fields, a query with the range 0000-01-01 to 9999-12-31 and a previous-period comparison, each sent again 100 ms after its answer, 300 half-open connections kept open, and a Parquet file of 30 million identical rows uploaded. Server and clients in one process on the same 2 cores; peak memory is that process's.\n\n",
        a.demo_scale, a.seconds
    ));
    md.push_str("| clients | traffic | requests | errors | p50 | p99 | uploads accepted | hostile requests (5xx) | peak memory |\n|---:|---|---:|---:|---:|---:|---:|---:|---:|\n");
    for r in &mut runs {
        md.push_str(&format!(
            "| {} | {} | {} | {} | {:.0} ms | {:.0} ms | {} | {} ({}) | {:.0} MiB |\n",
            r.clients,
            if r.hostile { "with hostile" } else { "clean" },
            r.ok + r.errors,
            r.errors,
            crate::pct(&mut r.lat, 0.5),
            crate::pct(&mut r.lat, 0.99),
            r.uploads,
            r.hostile_requests,
            r.hostile_5xx,
            r.peak
        ));
    }
    std::fs::write(&a.out, &md)?;
    print!("{md}");
    Ok(())
}
