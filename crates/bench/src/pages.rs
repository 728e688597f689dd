//! `sr360-bench pages`: page render times and concurrent load on the demo shop. Loads the
//! demo shop at the given scale into a fresh data directory (a child `sr360 demo` process),
//! starts the real server in this process on 127.0.0.1:0, signs a user in, then
//! - renders each analytics page sequentially after warm-up and reports p50 / p99, and
//! - runs 32 concurrent clients against the dashboard for 30 s: requests per second, p99,
//!   errors.
//!
//! The client is plain HTTP/1.1 over blocking sockets on their own threads, so it does not
//! share the server's runtime.

use anyhow::Context;
use smartretail360::app::App;
use sr360_core::config::SecretBackend;
use sr360_core::{Config, OsEntropy, SystemClock};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

pub struct PagesArgs {
    pub out: PathBuf,
    pub demo_scale: f64,
    pub concurrency: usize,
    pub seconds: u64,
    /// Also compare the dashboard's queries with PostgreSQL (libpq conninfo).
    pub postgres: Option<String>,
}

/// One GET with the session cookie; (status, milliseconds).
pub(crate) fn get(addr: SocketAddr, path: &str, cookie: &str) -> anyhow::Result<(u16, f64)> {
    let head = format!(
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {cookie}\r\nConnection: close\r\n\r\n"
    );
    let (status, _, ms) = crate::http(addr, &head, b"", Duration::from_secs(30))?;
    Ok((status, ms))
}

pub fn run(a: PagesArgs) -> anyhow::Result<()> {
    let work = std::env::temp_dir().join(format!("sr360-bench-pages-{}", std::process::id()));
    let data = work.join("data");
    std::fs::create_dir_all(&work)?;
    // The demo shop, generated and loaded by the real CLI in a child process.
    let t = Instant::now();
    crate::load_demo(&data, a.demo_scale)?;
    let load_secs = t.elapsed().as_secs_f64();
    // Before the server opens the warehouse: the engines side by side on its gold tables.
    let versus = match &a.postgres {
        Some(conninfo) => {
            let wh = data
                .join("tenants")
                .join(smartretail360::cli::demo::DEMO_TENANT)
                .join("warehouse.duckdb");
            Some(crate::postgres::compare(&wh, &work, conninfo, 20)?)
        }
        None => None,
    };

    let mut cfg = Config {
        data_dir: data.clone(),
        ..Default::default()
    };
    cfg.secrets.backend = SecretBackend::File;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let (addr, cookie, stop) = rt.block_on(async {
        let app = App::open(cfg, Arc::new(SystemClock), Arc::new(OsEntropy))?;
        crate::demo_owner(&app, "pages@example.com", "bench password 1234").await?;
        let token = match app
            .auth
            .login(
                "pages@example.com",
                "bench password 1234",
                std::net::IpAddr::from([127, 0, 0, 1]),
                "bench",
            )
            .await?
        {
            sr360_auth::LoginResult::Active { token, .. } => token,
            sr360_auth::LoginResult::MfaRequired { .. } => {
                anyhow::bail!("no second factor expected")
            }
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(smartretail360::server::serve(app, listener, async move {
            let _ = rx.await;
        }));
        anyhow::Ok((addr, format!("__Host-sr360_session={token}"), tx))
    })?;

    let mut rows: Vec<(String, String)> = vec![(
        format!(
            "demo shop at scale {} generated and loaded (orders, customers, products, events)",
            a.demo_scale
        ),
        format!("{load_secs:.0} s"),
    )];
    let pages = ["/dashboard", "/charts", "/cohorts", "/funnel", "/customers"];
    for p in pages {
        for _ in 0..3 {
            let (status, _) = get(addr, p, &cookie)?;
            anyhow::ensure!(status == 200, "{p} answered {status}");
        }
        let mut ms: Vec<f64> = (0..40)
            .map(|_| get(addr, p, &cookie).map(|r| r.1))
            .collect::<Result<_, _>>()?;
        rows.push((
            format!("`GET {p}`, sequential, warm (40 requests)"),
            format!(
                "p50 {:.0} ms, p99 {:.0} ms",
                crate::pct(&mut ms, 0.5),
                crate::pct(&mut ms, 0.99)
            ),
        ));
    }

    // Search end to end: different queries in turn (typos, other words, completion), so
    // nothing answers from a cache.
    let searches = [
        "/search?q=hiking%20boots",
        "/search?q=something%20to%20cook%20eggs%20in",
        "/search?q=waterprof%20jaket",
        "/search?q=dinner%20for%20my%20cat",
        "/search?q=gift%20for%20a%20runner",
        "/api/v1/search?q=wool%20sweater",
        "/api/v1/search?q=how%20do%20I%20upload%20orders",
        "/api/v1/search?q=chelsea%20boot",
        "/api/v1/search/suggest?q=hik",
        "/api/v1/search/suggest?q=cof",
    ];
    let mut ms = vec![];
    for i in 0..110 {
        let p = searches[i % searches.len()];
        let (status, t) = get(addr, p, &cookie)?;
        anyhow::ensure!(status == 200, "{p} answered {status}");
        if i >= 10 {
            ms.push(t);
        }
    }
    rows.push((
        format!(
            "search end to end: `GET /search`, `/api/v1/search`, `/api/v1/search/suggest`, {} different queries in turn (100 requests after 10)",
            searches.len()
        ),
        format!(
            "p50 {:.0} ms, p99 {:.0} ms",
            crate::pct(&mut ms, 0.5),
            crate::pct(&mut ms, 0.99)
        ),
    ));

    // Concurrent clients on the dashboard.
    let deadline = Instant::now() + Duration::from_secs(a.seconds);
    let start = Instant::now();
    let handles: Vec<_> = (0..a.concurrency)
        .map(|_| {
            let cookie = cookie.clone();
            std::thread::spawn(move || {
                let (mut ok, mut errors, mut lat) = (0u64, 0u64, Vec::new());
                while Instant::now() < deadline {
                    match get(addr, "/dashboard", &cookie) {
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
    let (mut ok, mut errors, mut lat) = (0u64, 0u64, Vec::new());
    for h in handles {
        let (o, e, l) = h
            .join()
            .map_err(|_| anyhow::anyhow!("client thread panicked"))?;
        ok += o;
        errors += e;
        lat.extend(l);
    }
    let secs = start.elapsed().as_secs_f64();
    rows.push((
        format!(
            "{} concurrent clients on `/dashboard` for {} s",
            a.concurrency, a.seconds
        ),
        format!(
            "{:.0} req/s, p50 {:.0} ms, p99 {:.0} ms, {errors} errors of {}",
            ok as f64 / secs,
            crate::pct(&mut lat, 0.5),
            crate::pct(&mut lat, 0.99),
            ok + errors
        ),
    ));
    let _ = stop.send(());
    drop(rt);
    let _ = std::fs::remove_dir_all(&work);

    let mut md = crate::measured_on();
    md.push_str("| measurement | result |\n|---|---|\n");
    for (k, v) in &rows {
        md.push_str(&format!("| {k} | {v} |\n"));
    }
    if let Some((qs, duck, pg)) = &versus {
        let pg_version = a
            .postgres
            .as_deref()
            .and_then(|c| postgres::Client::connect(c, postgres::NoTls).ok())
            .and_then(|mut c| c.query_one("SHOW server_version", &[]).ok())
            .map(|r| r.get::<_, String>(0))
            .unwrap_or_default();
        md.push_str(&format!(
            "\nThe dashboard's queries on the same gold tables, DuckDB (the warehouse file, no answer cache) against PostgreSQL {pg_version} (Debian package, index on the date key, `ANALYZE`d); median of 20 runs each after a warm-up:\n\n| query | DuckDB | PostgreSQL | PostgreSQL / DuckDB |\n|---|---|---|---|\n"
        ));
        for [q, d, p, r] in qs {
            md.push_str(&format!("| {q} | {d} | {p} | {r} |\n"));
        }
        md.push_str(&format!(
            "| **all six, summed medians** | **{duck:.1} ms** | **{pg:.1} ms** | **{:.1}×** |\n",
            pg / duck
        ));
    }
    if let Some(d) = a.out.parent() {
        std::fs::create_dir_all(d).with_context(|| format!("creating {}", d.display()))?;
    }
    std::fs::write(&a.out, &md).with_context(|| format!("writing {}", a.out.display()))?;
    print!("{md}");
    Ok(())
}
