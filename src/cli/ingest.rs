//! `sr360 ingest FILE... --tenant T`: load exports from the command line, with the suggested
//! (or saved) column mapping shown for confirmation, a progress bar, and the validation
//! report. `--yes` accepts the suggestion in scripts; `--mapping FILE` applies a saved one.

use crate::app::App;
use anyhow::{Context, bail};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use sr360_core::TenantId;
use sr360_meta::AuditEvent;
use sr360_pipeline::ingest::preview;
use sr360_pipeline::mapping::{Mapping, shape_key};
use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

#[derive(Debug, Args)]
pub struct IngestArgs {
    /// Files to load (CSV, TSV, text, JSON, NDJSON, Parquet; gzip of any).
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// The shop to load into.
    #[arg(long)]
    tenant: String,
    /// Accept the suggested mapping without asking.
    #[arg(long)]
    yes: bool,
    /// Apply this mapping (JSON, as printed by --print-mapping).
    #[arg(long, value_name = "FILE")]
    mapping: Option<PathBuf>,
    /// Print the suggested mapping as JSON and load nothing.
    #[arg(long)]
    print_mapping: bool,
    /// Largest file accepted, in bytes.
    #[arg(long, default_value_t = 8 << 30)]
    max_bytes: u64,
}

fn show(m: &Mapping) {
    println!(
        "  recognised as: {} ({:.0}% sure)",
        m.entity.label(),
        100.0 * m.confidence
    );
    for w in &m.why {
        println!("    because: {w}");
    }
    for (field, col) in &m.fields {
        println!("    {field:<18} <- {col}");
    }
    if !m.unmapped.is_empty() {
        println!("    (not used: {})", m.unmapped.join(", "));
    }
    if !m.missing_required.is_empty() {
        println!(
            "    MISSING required fields: {}",
            m.missing_required.join(", ")
        );
    }
}

fn confirm() -> anyhow::Result<bool> {
    print!("  Load with this mapping? [Y/n] ");
    std::io::stdout().flush()?;
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(!matches!(
        line.trim().to_ascii_lowercase().as_str(),
        "n" | "no"
    ))
}

pub async fn run(app: Arc<App>, a: IngestArgs) -> anyhow::Result<ExitCode> {
    let tid = TenantId::parse(&a.tenant).map_err(|e| anyhow::anyhow!("{:?}: {e}", a.tenant))?;
    let scope = app
        .meta
        .system_scope(&tid)
        .with_context(|| format!("no shop {tid}"))?;
    let wh = app.warehouses.provision(&scope)?;
    // A stopped run (crash, kill) left its upload `running`; queue it again, it is safe.
    app.meta.requeue_interrupted_uploads(Some(&tid))?;
    let given: Option<Mapping> = match &a.mapping {
        Some(p) => Some(
            serde_json::from_str(
                &std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?,
            )
            .with_context(|| format!("{} is not a mapping", p.display()))?,
        ),
        None => None,
    };
    let mut failures = 0;
    for file in &a.files {
        println!("{}", file.display());
        let work = wh
            .root()
            .join("tmp")
            .join(format!("preview-{}", std::process::id()));
        let pv = {
            let (file, work, limits) = (
                file.clone(),
                work.clone(),
                sr360_pipeline::Limits::default(),
            );
            let wh = wh.clone();
            tokio::task::spawn_blocking(move || {
                wh.with_reader(|c| Ok(preview(c, &file, &work, &limits)))
            })
            .await?
        };
        let _ = std::fs::remove_dir_all(&work);
        let sr360_pipeline::ingest::Preview {
            suggested, columns, ..
        } = match pv? {
            Ok(v) => v,
            Err(e) => {
                println!("  cannot load: {e}");
                failures += 1;
                continue;
            }
        };
        let saved: Option<Mapping> = app
            .meta
            .saved_mapping(&scope, &shape_key(&columns))?
            .and_then(|j| serde_json::from_str(&j).ok());
        let suggested_only = given.is_none() && saved.is_none();
        let m = given.clone().or(saved).unwrap_or(suggested);
        if a.print_mapping {
            println!("{}", serde_json::to_string_pretty(&m)?);
            continue;
        }
        show(&m);
        // A suggestion is loaded unasked only when the evidence is clear.
        if suggested_only
            && a.yes
            && let Err(why) = m.certain()
        {
            println!("  {why}");
            failures += 1;
            continue;
        }
        if !a.yes && a.mapping.is_none() {
            if !std::io::stdin().is_terminal() {
                bail!("not a terminal: pass --yes to accept suggested mappings, or --mapping FILE");
            }
            if !confirm()? {
                println!(
                    "  skipped; write a mapping with --print-mapping, edit it, and pass --mapping FILE"
                );
                continue;
            }
        }
        let f = tokio::fs::File::open(file)
            .await
            .with_context(|| format!("opening {}", file.display()))?;
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let rec = crate::services::upload_jobs::receive(
            &app.intake(),
            &scope,
            &name,
            f,
            a.max_bytes,
            Some(&m),
            crate::services::upload_jobs::Confirm::Auto,
            &AuditEvent::cli(),
        )
        .await?;
        if rec.status == sr360_meta::UploadStatus::Duplicate {
            println!("  {}", rec.message);
            continue;
        }
        let bar = ProgressBar::new(100);
        bar.set_style(
            ProgressStyle::with_template("  [{bar:30}] {percent:>3}% {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        let app2 = app.clone();
        let id = rec.id;
        let task = tokio::spawn(async move { crate::workers::run_upload(&app2, id).await });
        while !task.is_finished() {
            if let Ok(Some(r)) = app.meta.upload(&scope, rec.id) {
                bar.set_position((r.progress * 100.0) as u64);
                bar.set_message(r.message);
            }
            tokio::time::sleep(std::time::Duration::from_millis(150)).await;
        }
        task.await??;
        bar.finish_and_clear();
        let done = app
            .meta
            .upload(&scope, rec.id)?
            .context("upload vanished")?;
        if done.status == sr360_meta::UploadStatus::Succeeded {
            println!(
                "  loaded: {} rows read, {} accepted, {} rejected",
                done.rows_read.unwrap_or(0),
                done.rows_accepted.unwrap_or(0),
                done.rows_rejected.unwrap_or(0)
            );
            if let Some(rep) = done
                .report
                .as_deref()
                .and_then(|r| serde_json::from_str::<serde_json::Value>(r).ok())
            {
                if let Some(t) = rep["summary"]["text"].as_str() {
                    println!("  {t}");
                }
                for r in rep["rejects"].as_array().into_iter().flatten().take(5) {
                    println!(
                        "    line {}: {} ({}: {:?})",
                        r["line"],
                        r["reason"].as_str().unwrap_or(""),
                        r["column"].as_str().unwrap_or("-"),
                        r["value"].as_str().unwrap_or("")
                    );
                }
            }
        } else {
            failures += 1;
            println!("  FAILED: {}", done.error.unwrap_or_default());
        }
    }
    Ok(if failures == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
