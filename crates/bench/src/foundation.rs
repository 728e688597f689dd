//! `sr360-bench foundation`: the foundation's performance figures, measured on this machine and written
//! as a Markdown table (docs/benchmarks.md embeds it). Benchmarks, not tests: they report,
//! they do not pass or fail.
//!
//! - start-up to healthy on an existing data dir (a real `sr360 serve` process, polled)
//! - idle resident memory of that process after start-up and a few requests
//! - logins per second with the configured argon2id cost (in process, all cores)
//! - demo generator wall time and peak memory at a given scale (a child process)

use anyhow::Context;
use smartretail360::app::App;
use sr360_core::config::SecretBackend;
use sr360_core::{Config, OsEntropy, SystemClock};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub struct BenchArgs {
    pub out: PathBuf,
    pub demo_scale: f64,
    pub login_seconds: u64,
    /// Also time the whole pipeline on the generated orders.csv against a bare DuckDB load.
    pub pipeline: bool,
}

/// Rounds of the pipeline comparison.
const PIPELINE_ROUNDS: usize = 3;

/// The median wall time of `runs` and the largest peak memory among them.
fn median_run(runs: &[(f64, i64, bool)]) -> (f64, i64) {
    let mut walls: Vec<f64> = runs.iter().map(|r| r.0).collect();
    walls.sort_by(f64::total_cmp);
    let peak = runs.iter().map(|r| r.1).max().unwrap_or(0);
    (walls.get(walls.len() / 2).copied().unwrap_or(0.0), peak)
}

/// Run `sr360` with `args` in a child process (`bare-load`: this binary); (wall seconds, peak
/// RSS in KiB, success).
fn child(args: &[&std::ffi::OsStr], env: &[(&str, &str)]) -> anyhow::Result<(f64, i64, bool)> {
    let t = Instant::now();
    let exe = if args.first().is_some_and(|a| *a == "bare-load") {
        std::env::current_exe()?
    } else {
        crate::sr360()?
    };
    let mut cmd = Command::new(exe);
    cmd.args(args).stdout(Stdio::null()).stderr(Stdio::null());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let c = cmd.spawn()?;
    let mut status = 0;
    // SAFETY: waiting for our own child; rusage is plain data we own.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    let rc = unsafe { libc::wait4(c.id() as i32, &mut status, 0, &mut ru) };
    anyhow::ensure!(rc > 0, "wait4 failed");
    Ok((
        t.elapsed().as_secs_f64(),
        ru.ru_maxrss,
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
    ))
}

/// The baseline: DuckDB alone loading the same CSV into a table (hardened the same way).
pub fn bare_load(file: &Path, dir: &Path) -> anyhow::Result<()> {
    let db = sr360_warehouse::HardenedDb::open(
        Some(&dir.join("bare.duckdb")),
        dir,
        &sr360_warehouse::Limits {
            memory_limit: "2GB".into(),
            threads: 2,
        },
    )?;
    let f = file.to_str().context("path")?;
    db.conn()
        .execute_batch(&format!("CREATE TABLE t AS SELECT * FROM read_csv('{f}')"))?;
    Ok(())
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

fn healthy(port: u16) -> bool {
    let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_millis(500)));
    if s.write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        .is_err()
    {
        return false;
    }
    let mut buf = [0u8; 64];
    matches!(s.read(&mut buf), Ok(n) if n >= 12 && &buf[9..12] == b"200")
}

fn spawn_server(data: &Path, port: u16) -> anyhow::Result<Child> {
    Ok(Command::new(crate::sr360()?)
        .arg("--data")
        .arg(data)
        .args(["serve", "--addr", &format!("127.0.0.1:{port}")])
        .env("SR360_SECRETS__BACKEND", "file")
        .env("SR360_LOG__FILTER", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?)
}

fn stop(mut c: Child) {
    // SAFETY: sending SIGTERM to our own child process.
    unsafe {
        libc::kill(c.id() as i32, libc::SIGTERM);
    }
    let _ = c.wait();
}

fn rss_kib(pid: u32) -> Option<u64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    s.lines()
        .find(|l| l.starts_with("VmRSS:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

pub fn run(args: BenchArgs) -> anyhow::Result<()> {
    let work = tempfile_dir()?;
    let data = work.join("data");
    let mut rows: Vec<(String, String, String)> = Vec::new();

    // Start-up: the first start creates the data dir; the next ones open an existing one.
    let port = free_port()?;
    let first = spawn_server(&data, port)?;
    wait_healthy(port, Duration::from_secs(30))?;
    stop(first);
    let mut times = Vec::new();
    let mut rss = 0;
    for i in 0..7 {
        let port = free_port()?;
        let t = Instant::now();
        let c = spawn_server(&data, port)?;
        wait_healthy(port, Duration::from_secs(30))?;
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        if i == 6 {
            for _ in 0..20 {
                healthy(port);
            }
            std::thread::sleep(Duration::from_secs(1));
            rss = rss_kib(c.id()).unwrap_or(0);
        }
        stop(c);
    }
    rows.push((
        "start-up to healthy, existing data dir (median of 7)".into(),
        format!("{:.0} ms", median(times)),
        "< 1 s".into(),
    ));
    rows.push((
        "idle resident memory after start-up".into(),
        format!("{:.1} MB", rss as f64 / 1024.0),
        "< 150 MB".into(),
    ));

    // Logins per second with the default argon2id cost, every core busy.
    let mut cfg = Config {
        data_dir: work.join("login-data"),
        ..Default::default()
    };
    cfg.secrets.backend = SecretBackend::File;
    cfg.auth.attempts_per_minute_per_ip = 1_000_000;
    cfg.auth.attempts_per_minute_per_account = 1_000_000;
    let (m, t, p) = (
        cfg.auth.argon2_memory_kib,
        cfg.auth.argon2_iterations,
        cfg.auth.argon2_lanes,
    );
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let (n, secs) = rt.block_on(async {
        let app = App::open(cfg, Arc::new(SystemClock), Arc::new(OsEntropy))?;
        let hash = app.auth.hash_password("bench password 1234").await?;
        app.meta.create_user(
            "bench@example.com",
            "Bench",
            &hash,
            false,
            None,
            &sr360_meta::AuditEvent::cli(),
        )?;
        let workers = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2)
            * 2;
        let deadline = Instant::now() + Duration::from_secs(args.login_seconds);
        let start = Instant::now();
        let mut handles = Vec::new();
        for _ in 0..workers {
            let app = app.clone();
            handles.push(tokio::spawn(async move {
                let mut n = 0u64;
                while Instant::now() < deadline {
                    if app
                        .auth
                        .login(
                            "bench@example.com",
                            "bench password 1234",
                            "127.0.0.1"
                                .parse()
                                .unwrap_or(std::net::IpAddr::from([127, 0, 0, 1])),
                            "bench",
                        )
                        .await
                        .is_ok()
                    {
                        n += 1;
                    }
                }
                n
            }));
        }
        let mut total = 0;
        for h in handles {
            total += h.await?;
        }
        anyhow::Ok((total, start.elapsed().as_secs_f64()))
    })?;
    rows.push((format!("logins per second (argon2id m={} MiB, t={t}, p={p}; full login incl. session and audit rows)", m / 1024), format!("{:.1} /s", n as f64 / secs), "—".into()));

    // Demo generator in a child process, so its peak memory is its own.
    let out = work.join("demo");
    let scale = args.demo_scale.to_string();
    let a: Vec<std::ffi::OsString> = vec![
        "demo".into(),
        "--generate-only".into(),
        out.clone().into_os_string(),
        "--scale".into(),
        scale.into(),
    ];
    let (wall, peak, ok) = child(&a.iter().map(|x| x.as_os_str()).collect::<Vec<_>>(), &[])?;
    anyhow::ensure!(ok, "demo generator failed");
    let lines = std::fs::read_to_string(out.join("orders.csv"))
        .map(|s| s.lines().count().saturating_sub(1))
        .unwrap_or(0);
    rows.push((
        format!(
            "demo generator at scale {} ({} order rows incl. returns)",
            args.demo_scale, lines
        ),
        format!("{wall:.1} s, peak {:.0} MB", peak as f64 / 1024.0),
        "< 60 s at scale 50".into(),
    ));

    if args.pipeline {
        let orders = out.join("orders.csv");
        let os = |s: &str| std::ffi::OsString::from(s);
        let env = [
            ("SR360_SECRETS__BACKEND", "file"),
            ("SR360_LOG__FILTER", "warn"),
        ];
        let run = |a: &[std::ffi::OsString]| {
            child(&a.iter().map(|x| x.as_os_str()).collect::<Vec<_>>(), &env)
        };
        let bare_dir = work.join("bare");
        std::fs::create_dir_all(&bare_dir)?;
        std::fs::copy(&orders, bare_dir.join("orders.csv"))?;
        // Rounds alternate the two loads, each on fresh files, so a slow spell of this
        // shared machine hits both; the medians are reported.
        let (mut bare, mut pipe) = (Vec::new(), Vec::new());
        for round in 0..PIPELINE_ROUNDS {
            let _ = std::fs::remove_file(bare_dir.join("bare.duckdb"));
            let r = run(&[
                os("bare-load"),
                bare_dir.join("orders.csv").into_os_string(),
                bare_dir.clone().into_os_string(),
            ])?;
            anyhow::ensure!(r.2, "bare load failed");
            bare.push(r);
            let pdata = work.join(format!("pipeline-data-{round}"));
            let t = run(&[
                os("--data"),
                pdata.clone().into_os_string(),
                os("tenant"),
                os("create"),
                os("Bench"),
                os("--id"),
                os("bench"),
            ])?;
            anyhow::ensure!(t.2, "tenant create failed");
            let r = run(&[
                os("--data"),
                pdata.clone().into_os_string(),
                os("ingest"),
                orders.clone().into_os_string(),
                os("--tenant"),
                os("bench"),
                os("--yes"),
            ])?;
            anyhow::ensure!(r.2, "pipeline ingest failed");
            pipe.push(r);
            let _ = std::fs::remove_dir_all(&pdata);
        }
        let (bw, bm) = median_run(&bare);
        let (pw, pm) = median_run(&pipe);
        let ratios: Vec<f64> = bare.iter().zip(&pipe).map(|(b, p)| p.0 / b.0).collect();
        let lo = ratios.iter().cloned().fold(f64::INFINITY, f64::min);
        let hi = ratios.iter().cloned().fold(0.0, f64::max);
        rows.push((
            format!("bare DuckDB load of orders.csv ({lines} rows) into a table (median of {PIPELINE_ROUNDS})"),
            format!("{bw:.1} s, peak {:.0} MB", bm as f64 / 1024.0),
            "baseline".into(),
        ));
        rows.push((format!("whole pipeline on the same file: store, sniff, prepare, bronze, mapping, validation, silver merge, gold rebuild (median of {PIPELINE_ROUNDS})"), format!("{pw:.1} s, peak {:.0} MB ({:.2}× the bare load; rounds {lo:.2}–{hi:.2}×)", pm as f64 / 1024.0, pw / bw), "within 2× of the bare load".into()));
    }

    let _ = std::fs::remove_dir_all(&work);
    let mut md = crate::measured_on();
    md.push_str("| measurement | result | goal |\n|---|---|---|\n");
    for (a, b, c) in &rows {
        md.push_str(&format!("| {a} | {b} | {c} |\n"));
    }
    if let Some(dir) = args.out.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&args.out, &md).with_context(|| format!("writing {}", args.out.display()))?;
    print!("{md}");
    Ok(())
}

fn wait_healthy(port: u16, limit: Duration) -> anyhow::Result<()> {
    let t = Instant::now();
    while t.elapsed() < limit {
        if healthy(port) {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    anyhow::bail!("server on port {port} did not become healthy")
}

fn tempfile_dir() -> anyhow::Result<PathBuf> {
    let d = std::env::temp_dir().join(format!("sr360-bench-{}", std::process::id()));
    std::fs::create_dir_all(&d)?;
    Ok(d)
}
