//! `sr360 tenant …` and `sr360 user …`: the operator's tools on this machine. Actions are
//! audited with the local user as the actor.

use crate::app::App;
use anyhow::{Context, bail};
use base64::Engine;
use clap::Subcommand;
use sr360_core::entropy::random_bytes;
use sr360_core::{Role, TenantId};
use sr360_meta::AuditEvent;
use std::io::Read;
use std::process::ExitCode;
use std::sync::Arc;

#[derive(Debug, Subcommand)]
pub enum TenantCmd {
    /// Create a shop.
    Create {
        /// Display name of the shop.
        name: String,
        /// Id (a-z, 0-9, dashes); derived from the name when omitted.
        #[arg(long)]
        id: Option<String>,
    },
    /// List shops.
    List,
}

#[derive(Debug, Subcommand)]
pub enum UserCmd {
    /// Create an account; prints a generated password unless --password-stdin.
    Add {
        email: String,
        #[arg(long)]
        name: String,
        /// Make the account a member of this shop.
        #[arg(long)]
        tenant: Option<String>,
        /// Role in --tenant: owner, admin, analyst or viewer.
        #[arg(long, default_value = "viewer")]
        role: String,
        /// Platform operator (sees every shop in /admin/tenants).
        #[arg(long)]
        operator: bool,
        /// Read the password from standard input instead of generating one.
        #[arg(long)]
        password_stdin: bool,
    },
    /// List accounts.
    List,
    /// Set a member's role in a shop (adds the membership if missing).
    SetRole {
        email: String,
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        role: String,
    },
    /// Set a new password; ends the account's sessions and revokes its tokens.
    ResetPassword {
        email: String,
        #[arg(long)]
        password_stdin: bool,
    },
}

/// A readable random password (about 120 bits).
pub fn generate_password(app: &App) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(random_bytes::<15>(&*app.entropy))
}

fn read_password_stdin() -> anyhow::Result<String> {
    let mut s = String::new();
    std::io::stdin()
        .take(1024)
        .read_to_string(&mut s)
        .context("reading the password from standard input")?;
    let p = s.trim_end_matches(['\r', '\n']).to_string();
    if p.is_empty() {
        bail!("no password on standard input");
    }
    Ok(p)
}

fn tenant_id(s: &str) -> anyhow::Result<TenantId> {
    TenantId::parse(s).map_err(|e| anyhow::anyhow!("{s:?}: {e}"))
}

pub fn tenant(app: Arc<App>, cmd: TenantCmd) -> anyhow::Result<ExitCode> {
    match cmd {
        TenantCmd::Create { name, id } => {
            let id = match id {
                Some(i) => tenant_id(&i)?,
                None => TenantId::slugify(&name).map_err(|e| {
                    anyhow::anyhow!("cannot derive an id from {name:?}: {e}; pass --id")
                })?,
            };
            let t = app.meta.create_tenant(&id, &name, &AuditEvent::cli())?;
            let scope = app.meta.system_scope(&t.id)?;
            app.warehouses.provision(&scope)?;
            println!("created shop {} ({})", t.id, t.name);
        }
        TenantCmd::List => {
            println!("{:<24} {:>7}  name", "id", "members");
            for t in app.meta.list_tenants()? {
                println!(
                    "{:<24} {:>7}  {}",
                    t.id.as_str(),
                    app.meta.tenant_member_count(&t.id)?,
                    t.name
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn user(app: Arc<App>, cmd: UserCmd) -> anyhow::Result<ExitCode> {
    match cmd {
        UserCmd::Add {
            email,
            name,
            tenant,
            role,
            operator,
            password_stdin,
        } => {
            let (password, generated) = if password_stdin {
                (read_password_stdin()?, false)
            } else {
                (generate_password(&app), true)
            };
            sr360_auth::check_password_policy(&password, &email)?;
            let role = Role::parse(&role).with_context(|| format!("unknown role {role:?}"))?;
            let scope = match &tenant {
                Some(t) => Some(app.meta.system_scope(&tenant_id(t)?)?),
                None => None,
            };
            let hash = app.auth.hash_password(&password).await?;
            let uid = app.meta.create_user(
                &email,
                &name,
                &hash,
                operator,
                scope.as_ref().map(|s| (s, role)),
                &AuditEvent::cli(),
            )?;
            println!("created user {uid} <{email}>");
            if generated {
                println!("password: {password}");
            }
        }
        UserCmd::List => {
            println!(
                "{:>5}  {:<32} {:<4} {:<9} shops",
                "id", "email", "mfa", "operator"
            );
            for u in app.meta.list_users()? {
                let shops: Vec<String> = app
                    .meta
                    .memberships_of(u.id)?
                    .into_iter()
                    .map(|m| format!("{}:{}", m.tenant_id, m.role.as_str()))
                    .collect();
                let mfa = if u.mfa == sr360_meta::MfaState::On {
                    "on"
                } else {
                    "off"
                };
                println!(
                    "{:>5}  {:<32} {:<4} {:<9} {}",
                    u.id.0,
                    u.email,
                    mfa,
                    if u.is_operator { "yes" } else { "" },
                    shops.join(", ")
                );
            }
        }
        UserCmd::SetRole {
            email,
            tenant,
            role,
        } => {
            let role = Role::parse(&role).with_context(|| format!("unknown role {role:?}"))?;
            let scope = app.meta.system_scope(&tenant_id(&tenant)?)?;
            let user = app
                .meta
                .user_by_email(&email)?
                .with_context(|| format!("no account {email}"))?;
            match app.meta.set_role(&scope, user.id, role, &AuditEvent::cli()) {
                Ok(prev) => println!(
                    "{email}: {} -> {} in {tenant}",
                    prev.as_str(),
                    role.as_str()
                ),
                Err(sr360_meta::MetaError::NotFound(_)) => {
                    app.meta
                        .add_member(&scope, user.id, role, &AuditEvent::cli())?;
                    println!("{email}: added to {tenant} as {}", role.as_str());
                }
                Err(e) => return Err(e.into()),
            }
        }
        UserCmd::ResetPassword {
            email,
            password_stdin,
        } => {
            let user = app
                .meta
                .user_by_email(&email)?
                .with_context(|| format!("no account {email}"))?;
            let (password, generated) = if password_stdin {
                (read_password_stdin()?, false)
            } else {
                (generate_password(&app), true)
            };
            app.auth
                .reset_password(user.id, &password, &AuditEvent::cli())
                .await?;
            println!("password of {email} reset; their sessions and tokens ended");
            if generated {
                println!("password: {password}");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
