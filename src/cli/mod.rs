//! The command line. Every subcommand that touches data takes `--data DIR`; configuration
//! comes from `--config FILE` (or `SR360_CONFIG`, or `<data>/sr360.toml`) and `SR360_*`.

mod accounts;
pub mod demo;
mod ingest;
mod models;

use crate::app::App;
use anyhow::Context;
use clap::{Parser, Subcommand};
use sr360_core::config::Overrides;
use sr360_core::{Config, OsEntropy, SystemClock};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

#[derive(Debug, Parser)]
#[command(
    name = "sr360",
    version,
    about = "SmartRetail360: retail analytics for your shop, on your machine"
)]
pub struct Cli {
    /// Configuration file (TOML). Default: $SR360_CONFIG, else <data>/sr360.toml if present.
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Data directory (meta.sqlite, tenants/, secrets/). Default: ./data
    #[arg(long, global = true, value_name = "DIR")]
    data: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the web interface and API.
    Serve {
        /// Address to listen on. Default 127.0.0.1:8360.
        #[arg(long)]
        addr: Option<SocketAddr>,
    },
    /// Generate the demo shop, create its owner, print the login, and serve.
    Demo(demo::DemoArgs),
    /// Load export files into a shop (bronze → silver → gold).
    Ingest(ingest::IngestArgs),
    /// Manage shops (tenants).
    #[command(subcommand)]
    Tenant(accounts::TenantCmd),
    /// Manage user accounts.
    #[command(subcommand)]
    User(accounts::UserCmd),
    /// Check the data directory, schema, models and disk.
    Doctor,
    /// Fetch models from the Hugging Face Hub (online machines only).
    #[command(subcommand)]
    Models(models::ModelsCmd),
    /// Bring a shop's search index up to date with its data, or rebuild it from scratch.
    SearchIndex {
        /// The shop (tenant id).
        #[arg(long)]
        tenant: String,
        /// Delete the index and build it anew.
        #[arg(long)]
        rebuild: bool,
    },
}

pub fn load_config(
    cli_config: Option<&PathBuf>,
    data: Option<&PathBuf>,
    addr: Option<SocketAddr>,
) -> anyhow::Result<Config> {
    let o = Overrides {
        data_dir: data.cloned(),
        addr,
    };
    Ok(Config::load(cli_config.map(|p| p.as_path()), &o)?)
}

pub fn open_app(cfg: Config) -> anyhow::Result<Arc<App>> {
    App::open(cfg, Arc::new(SystemClock), Arc::new(OsEntropy))
}

/// Open the app for work only one process may do on a data directory at a time (serving,
/// loading files, building indexes): the directory's lock first, held as long as the result.
pub fn open_app_alone(cfg: Config) -> anyhow::Result<(Arc<App>, crate::data_lock::DataDirLock)> {
    let lock = crate::data_lock::lock(&cfg.data_dir)?;
    Ok((open_app(cfg)?, lock))
}

/// Stop the runtime without waiting for blocking work still running (a load, a model run):
/// its job stays `running` and is queued again at the next start, and a load is all or
/// nothing, so stopping mid-way loses nothing. A stop is bounded instead of lingering for
/// minutes.
fn stop(rt: tokio::runtime::Runtime) {
    rt.shutdown_timeout(std::time::Duration::from_secs(5));
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Serve { addr } => {
            let cfg = load_config(cli.config.as_ref(), cli.data.as_ref(), addr)?;
            crate::telemetry::init(&cfg.log);
            let rt = runtime()?;
            let (app, _lock) = open_app_alone(cfg)?;
            let served = rt.block_on(async move {
                let addr = app.config.server.addr;
                let listener = tokio::net::TcpListener::bind(addr)
                    .await
                    .with_context(|| format!("cannot listen on {addr}"))?;
                crate::server::serve(app, listener, crate::server::shutdown_signal()).await
            });
            stop(rt);
            served?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo(args) => demo::run(cli.config.as_ref(), cli.data.as_ref(), args),
        Command::Ingest(args) => {
            let cfg = load_config(cli.config.as_ref(), cli.data.as_ref(), None)?;
            crate::telemetry::init(&cfg.log);
            let (app, _lock) = open_app_alone(cfg)?;
            runtime()?.block_on(ingest::run(app, args))
        }
        Command::Tenant(cmd) => {
            let cfg = load_config(cli.config.as_ref(), cli.data.as_ref(), None)?;
            accounts::tenant(open_app(cfg)?, cmd)
        }
        Command::User(cmd) => {
            let cfg = load_config(cli.config.as_ref(), cli.data.as_ref(), None)?;
            let app = open_app(cfg)?;
            runtime()?.block_on(accounts::user(app, cmd))
        }
        Command::Models(cmd) => {
            let cfg = load_config(cli.config.as_ref(), cli.data.as_ref(), None)?;
            runtime()?.block_on(models::run(&cfg, cmd))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Doctor => {
            let cfg = load_config(cli.config.as_ref(), cli.data.as_ref(), None)?;
            Ok(crate::doctor::run(&cfg))
        }
        Command::SearchIndex { tenant, rebuild } => {
            let cfg = load_config(cli.config.as_ref(), cli.data.as_ref(), None)?;
            let (app, _lock) = open_app_alone(cfg)?;
            let tid = sr360_core::TenantId::parse(&tenant)
                .map_err(|e| anyhow::anyhow!("{tenant:?}: {e}"))?;
            let scope = app
                .meta
                .system_scope(&tid)
                .with_context(|| format!("no shop {tid}"))?;
            let started = std::time::Instant::now();
            let s = if rebuild {
                crate::services::shop_search::rebuild(&app.searches, app.stores(), &scope)?
            } else {
                crate::services::shop_search::refresh(&app.searches, app.stores(), &scope)?
            };
            println!(
                "search index of {tid}: {} documents ({} added, {} changed, {} removed), {} vectors ({} computed now){} in {:.1} s",
                s.documents,
                s.added,
                s.changed,
                s.removed,
                s.vectors,
                s.embedded,
                match app.searches.missing_model() {
                    Some(_) => "; keyword search only: no embedding model",
                    None => "",
                },
                started.elapsed().as_secs_f64()
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}
