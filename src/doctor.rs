//! `sr360 doctor`: checks an installation without changing it — data directory, schema
//! version, signing key store, DuckDB, models and free disk — and says what to do.

use crate::app::meta_path;
use sr360_core::Config;
use sr360_meta::{MetaStore, SCHEMA_VERSION};
use sr360_warehouse::{HardenedDb, Limits};
use std::path::Path;
use std::process::ExitCode;

enum Level {
    Ok,
    Warn,
    Fail,
}

fn line(level: Level, what: &str, detail: String) -> bool {
    let tag = match level {
        Level::Ok => "ok  ",
        Level::Warn => "warn",
        Level::Fail => "FAIL",
    };
    println!("[{tag}] {what:<14} {detail}");
    !matches!(level, Level::Fail)
}

fn free_bytes(p: &Path) -> Option<u64> {
    let c = std::ffi::CString::new(p.as_os_str().as_encoded_bytes()).ok()?;
    let mut s: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: `c` is a valid NUL-terminated path and `s` a properly sized out-parameter.
    let rc = unsafe { libc::statvfs(c.as_ptr(), &mut s) };
    (rc == 0).then(|| s.f_bavail as u64 * s.f_frsize as u64)
}

pub fn run(cfg: &Config) -> ExitCode {
    let mut ok = true;
    let data = &cfg.data_dir;
    println!(
        "sr360 {} doctor — data directory {}",
        env!("CARGO_PKG_VERSION"),
        data.display()
    );
    if !data.is_dir() {
        ok &= line(
            Level::Warn,
            "data dir",
            "does not exist yet; `sr360 serve` or `sr360 demo` creates it".into(),
        );
    } else {
        let probe = data.join(".doctor-write-test");
        match std::fs::write(&probe, b"x").and_then(|_| std::fs::remove_file(&probe)) {
            Ok(()) => ok &= line(Level::Ok, "data dir", "exists and is writable".into()),
            Err(e) => ok &= line(Level::Fail, "data dir", format!("not writable: {e}")),
        }
        let mp = meta_path(data);
        if mp.exists() {
            match MetaStore::schema_version_of(&mp) {
                Ok(v) if v == SCHEMA_VERSION => {
                    ok &= line(Level::Ok, "schema", format!("meta.sqlite at version {v}"))
                }
                Ok(v) if v < SCHEMA_VERSION => {
                    ok &= line(
                        Level::Warn,
                        "schema",
                        format!("version {v}; the next start migrates it to {SCHEMA_VERSION}"),
                    )
                }
                Ok(v) => {
                    ok &= line(
                        Level::Fail,
                        "schema",
                        format!(
                            "version {v} is newer than this build ({SCHEMA_VERSION}); upgrade sr360"
                        ),
                    )
                }
                Err(e) => {
                    ok &= line(
                        Level::Fail,
                        "schema",
                        format!("cannot read meta.sqlite: {e}"),
                    )
                }
            }
        } else {
            ok &= line(Level::Warn, "schema", "no meta.sqlite yet".into());
        }
        let key = data.join("secrets/signing.key");
        if key.exists() {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&key)
                .map(|m| m.permissions().mode() & 0o777)
                .unwrap_or(0);
            if mode & 0o077 == 0 {
                ok &= line(
                    Level::Ok,
                    "signing key",
                    "file secrets/signing.key, mode 0600".into(),
                );
            } else {
                ok &= line(
                    Level::Fail,
                    "signing key",
                    format!("secrets/signing.key has mode {mode:o}; run chmod 600 on it"),
                );
            }
        } else if cfg.auth.signing_key.is_some() {
            ok &= line(
                Level::Ok,
                "signing key",
                "given in the configuration".into(),
            );
        } else {
            ok &= line(
                Level::Ok,
                "signing key",
                "in the OS keyring, or created at first start".into(),
            );
        }
        let tenants = std::fs::read_dir(data.join("tenants"))
            .map(|d| d.count())
            .unwrap_or(0);
        ok &= line(Level::Ok, "shops", format!("{tenants} tenant directories"));
    }
    let scratch = std::env::temp_dir().join(format!("sr360-doctor-{}", std::process::id()));
    match HardenedDb::open(
        None,
        &scratch,
        &Limits {
            memory_limit: "256MB".into(),
            threads: 1,
        },
    )
    .and_then(|db| {
        Ok(db
            .conn()
            .query_row("SELECT version()", [], |r| r.get::<_, String>(0))?)
    }) {
        Ok(v) => {
            ok &= line(
                Level::Ok,
                "duckdb",
                format!("{v}, hardened connection opens"),
            )
        }
        Err(e) => ok &= line(Level::Fail, "duckdb", format!("{e}")),
    }
    let _ = std::fs::remove_dir_all(&scratch);
    let llm = cfg.model_path(&cfg.models.llm);
    if llm.is_file() {
        ok &= line(Level::Ok, "llm model", llm.display().to_string());
    } else {
        ok &= line(
            Level::Warn,
            "llm model",
            format!(
                "{} missing; run scripts/fetch-models.sh (the copilot needs it)",
                llm.display()
            ),
        );
    }
    let emb = cfg.model_path(&cfg.models.embeddings);
    if ["config.json", "tokenizer.json", "model.safetensors"]
        .iter()
        .all(|f| emb.join(f).is_file())
    {
        ok &= line(Level::Ok, "embeddings", emb.display().to_string());
    } else {
        ok &= line(
            Level::Warn,
            "embeddings",
            format!(
                "{} incomplete; run scripts/fetch-models.sh (semantic search needs it)",
                emb.display()
            ),
        );
    }
    ok &= mail(cfg);
    let probe_dir = if data.is_dir() {
        data.as_path()
    } else {
        Path::new(".")
    };
    match free_bytes(probe_dir) {
        Some(b) if b < 1 << 30 => {
            ok &= line(Level::Fail, "disk", format!("only {} MiB free", b >> 20))
        }
        Some(b) if b < 5 << 30 => {
            ok &= line(
                Level::Warn,
                "disk",
                format!("{} MiB free; uploads need room", b >> 20),
            )
        }
        Some(b) => ok &= line(Level::Ok, "disk", format!("{} GiB free", b >> 30)),
        None => ok &= line(Level::Warn, "disk", "cannot tell free space".into()),
    }
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// The sign-up policy, and whether the mail server answers when one is set up.
fn mail(cfg: &Config) -> bool {
    use sr360_core::SignupPolicy;
    let policy = match cfg.auth.signup {
        SignupPolicy::FirstShop => "first shop only",
        SignupPolicy::Confirmed => "anyone, confirmed by e-mail",
        SignupPolicy::Open => "anyone, at once (tells whether an e-mail has an account)",
        SignupPolicy::Closed => "closed",
    };
    let mut ok = line(
        if cfg.auth.signup == SignupPolicy::Open {
            Level::Warn
        } else {
            Level::Ok
        },
        "sign-up",
        policy.into(),
    );
    let mailer = match crate::services::mail::Mailer::from_config(&cfg.mail) {
        Ok(m) => m,
        Err(e) => return ok & line(Level::Fail, "mail", e.to_string()),
    };
    if !mailer.is_configured() {
        return ok & line(Level::Ok, "mail", "not set up (no e-mail is sent)".into());
    }
    let answered = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())
        .and_then(|rt| {
            rt.block_on(async {
                tokio::time::timeout(std::time::Duration::from_secs(10), mailer.check())
                    .await
                    .map_err(|_| "no answer within 10 s".to_string())?
                    .map_err(|e| e.to_string())
            })
        });
    ok &= match answered {
        Ok(()) => line(Level::Ok, "mail", "the SMTP server answers".into()),
        Err(e) => line(
            Level::Fail,
            "mail",
            format!("the SMTP server does not answer: {e}"),
        ),
    };
    ok
}
