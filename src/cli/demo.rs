//! `sr360 demo`: generate the demo shop into the `demo` tenant, create (or reset) its owner
//! with a fresh one-time password, print the login, and serve. With `--generate-only DIR`
//! it only writes the export files.

use crate::app::App;
use anyhow::Context;
use clap::Args;
use sr360_core::{Role, TenantId};
use sr360_demo::{DemoOptions, generate};
use sr360_meta::{AuditAction, AuditEvent};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Only write the demo shop's export files into DIR, then exit.
    #[arg(long, value_name = "DIR")]
    generate_only: Option<PathBuf>,
    /// Random seed: the same seed and scale give the same bytes.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Volume multiplier: 1 is about 20k order lines, 50 about 1M.
    #[arg(long, default_value_t = 1.0)]
    scale: f64,
    /// Address to serve on. Default 127.0.0.1:8360.
    #[arg(long)]
    addr: Option<SocketAddr>,
    /// Prepare the demo shop and account, print the login, but do not serve.
    #[arg(long)]
    no_serve: bool,
}

pub const DEMO_TENANT: &str = "demo";
pub const DEMO_EMAIL: &str = "owner@demo.local";

fn print_summary(dir: &Path, s: &sr360_demo::DemoSummary) {
    let c = &s.counts;
    println!(
        "demo shop in {}: {} products, {} customers, {} orders, {} order lines, {} returns, {} web events, {} promotions ({:.1} s)",
        dir.display(),
        c.products,
        c.customers,
        c.orders,
        c.order_lines,
        c.return_lines,
        c.events,
        c.promotions,
        s.seconds
    );
    for f in &s.files {
        println!("  {:<22} {:>12} bytes", f.name, f.bytes);
    }
}

/// The demo shop and its owner; returns the one-time password.
pub async fn prepare(app: &Arc<App>, opts: &DemoOptions) -> anyhow::Result<String> {
    let tid = TenantId::parse(DEMO_TENANT).map_err(|e| anyhow::anyhow!("{e}"))?;
    if app.meta.tenant(&tid)?.is_none() {
        app.meta
            .create_tenant(&tid, "Demo Outdoor & Home", &AuditEvent::cli())?;
    }
    let scope = app.meta.system_scope(&tid)?;
    let wh = app.warehouses.provision(&scope)?;
    let dir = wh.root().join("objects").join("demo-shop");
    let stamp = dir.join(".generated-with");
    let want = format!("seed={} scale={}", opts.seed, opts.scale);
    if std::fs::read_to_string(&stamp).ok().as_deref() != Some(want.as_str()) {
        let gen_dir = dir.clone();
        let o = opts.clone();
        let s = tokio::task::spawn_blocking(move || generate(&gen_dir, &o))
            .await
            .context("demo generator")??;
        print_summary(&dir, &s);
        std::fs::write(&stamp, &want).with_context(|| format!("writing {}", stamp.display()))?;
    }
    // Load the exports like a merchant would; files loaded before are recognised by their
    // content hash and skipped.
    let mut loaded = 0;
    for f in [
        "products.json",
        "customers.csv",
        "promotions.json",
        "orders.csv",
        "web_events.parquet",
    ] {
        let file = tokio::fs::File::open(dir.join(f))
            .await
            .with_context(|| format!("opening {f}"))?;
        let rec = crate::services::upload_jobs::receive(
            &app.intake(),
            &scope,
            f,
            file,
            u64::MAX,
            None,
            crate::services::upload_jobs::Confirm::Auto,
            &AuditEvent::cli(),
        )
        .await?;
        if rec.status == sr360_meta::UploadStatus::Queued {
            loaded += 1;
        }
    }
    if loaded > 0 {
        let t = std::time::Instant::now();
        crate::workers::drain_uploads(app).await?;
        for u in app.meta.uploads(&scope, 5)?.iter().rev() {
            match u.status {
                sr360_meta::UploadStatus::Succeeded => println!(
                    "  loaded {:<20} {:>9} rows",
                    u.file_name,
                    u.rows_accepted.unwrap_or(0)
                ),
                other => println!(
                    "  {other} {}: {}",
                    u.file_name,
                    u.error.clone().unwrap_or_default()
                ),
            }
        }
        println!("  demo shop loaded in {:.1} s", t.elapsed().as_secs_f64());
        // Forecasts and anomaly checks, so the demo shows them at once.
        let t = std::time::Instant::now();
        crate::workers::drain_model_runs(app).await?;
        println!("  models trained in {:.1} s", t.elapsed().as_secs_f64());
    }
    let password = super::accounts::generate_password(app);
    match app.meta.user_by_email(DEMO_EMAIL)? {
        Some(u) => {
            app.auth
                .reset_password(u.id, &password, &AuditEvent::cli())
                .await?;
            if app.meta.scope_for(u.id, &tid)?.is_none() {
                app.meta
                    .add_member(&scope, u.id, Role::Owner, &AuditEvent::cli())?;
            }
        }
        None => {
            let hash = app.auth.hash_password(&password).await?;
            app.meta.create_user(
                DEMO_EMAIL,
                "Demo Owner",
                &hash,
                false,
                Some((&scope, Role::Owner)),
                &AuditEvent::cli().action(AuditAction::UserCreated),
            )?;
        }
    }
    Ok(password)
}

pub fn run(
    config: Option<&PathBuf>,
    data: Option<&PathBuf>,
    args: DemoArgs,
) -> anyhow::Result<ExitCode> {
    let opts = DemoOptions {
        seed: args.seed,
        scale: args.scale,
        ..Default::default()
    };
    if let Some(dir) = &args.generate_only {
        let s = generate(dir, &opts)?;
        print_summary(dir, &s);
        return Ok(ExitCode::SUCCESS);
    }
    let cfg = super::load_config(config, data, args.addr)?;
    crate::telemetry::init(&cfg.log);
    let rt = super::runtime()?;
    let addr = cfg.server.addr;
    let (app, _lock) = super::open_app_alone(cfg)?;
    let served = rt.block_on(async move {
        let password = prepare(&app, &opts).await?;
        let host = if addr.ip().is_unspecified() { "127.0.0.1".to_string() } else { addr.ip().to_string() };
        let host = if host.contains(':') { format!("[{host}]") } else { host };
        println!();
        println!("  SmartRetail360 demo shop is ready.");
        println!("  Open:      http://{host}:{}/login", addr.port());
        println!("  E-mail:    {DEMO_EMAIL}");
        println!("  Password:  {password}   (new on every `sr360 demo`; change it under Settings → Security)");
        println!();
        if args.no_serve {
            return Ok(());
        }
        let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| format!("cannot listen on {addr}"))?;
        crate::server::serve(app, listener, crate::server::shutdown_signal()).await
    });
    super::stop(rt);
    served?;
    Ok(ExitCode::SUCCESS)
}
