//! Shop administration: members and roles, the audit log, and the operator's list of shops.

use super::{csrf_field, fmt_time};
use crate::{PageCtx, render_document};
use leptos::prelude::*;

#[derive(Debug, Clone)]
pub struct MemberVm {
    pub user_id: i64,
    pub email: String,
    pub display_name: String,
    pub role: String,
}

#[derive(Debug, Clone)]
pub struct AuditRowVm {
    pub at: i64,
    pub actor: String,
    /// The action in words, and its stable code.
    pub action: String,
    pub code: String,
    pub target: String,
    pub ip: String,
}

#[derive(Debug, Clone)]
pub struct TenantRowVm {
    pub id: String,
    pub name: String,
    pub members: i64,
    pub created_at: i64,
}

/// `grantable` are the roles the viewer may assign; empty means read-only.
pub fn permissions(
    ctx: &PageCtx,
    members: &[MemberVm],
    grantable: &[&'static str],
    can_see_email: bool,
) -> String {
    let rows = members
        .iter()
        .map(|m| {
            let who = if can_see_email { format!("{} <{}>", m.display_name, m.email) } else { m.display_name.clone() };
            let role_cell = if grantable.is_empty() {
                view! { <span class="badge">{ctx.t(&format!("role.{}", m.role))}</span> }.into_any()
            } else {
                let action = format!("/permissions/{}/role", m.user_id);
                let sel_id = format!("role-{}", m.user_id);
                let opts = grantable
                    .iter()
                    .map(|r| {
                        let sel = m.role == *r;
                        view! { <option value=*r selected=sel>{ctx.t(&format!("role.{r}"))}</option> }
                    })
                    .collect_view();
                view! {
                    <form method="post" action=action class="inline">
                        {csrf_field(&ctx.csrf)}
                        <label class="sr-only" for=sel_id.clone()>{format!("{} {}", ctx.t("perm.role_of"), m.display_name)}</label>
                        <select id=sel_id name="role">{opts}</select>
                        " "<button class="btn secondary" type="submit">{ctx.t("common.save")}</button>
                    </form>
                }
                .into_any()
            };
            view! { <tr><td>{who}</td><td>{role_cell}</td></tr> }
        })
        .collect_view();
    let legend = ["owner", "admin", "analyst", "viewer"]
        .iter()
        .map(|r| view! { <li><strong>{ctx.t(&format!("role.{r}"))}</strong>": "{ctx.t(&format!("perm.desc_{r}"))}</li> })
        .collect_view();
    let body = view! {
        <h1>{ctx.t("nav.permissions")}</h1>
        <p class="lede">{ctx.t("perm.lede")}</p>
        <div class="card table-wrap">
            <table>
                <caption class="sr-only">{ctx.t("perm.members")}</caption>
                <thead><tr><th scope="col">{ctx.t("perm.member")}</th><th scope="col">{ctx.t("perm.role")}</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        <div class="card"><h2>{ctx.t("perm.roles_title")}</h2><ul>{legend}</ul></div>
    };
    render_document(ctx, &ctx.t("nav.permissions"), body)
}

pub fn audit_log(ctx: &PageCtx, rows: &[AuditRowVm], next_before: Option<i64>) -> String {
    let trs = rows
        .iter()
        .map(|r| view! { <tr><td>{fmt_time(ctx.locale, r.at)}</td><td>{r.actor.clone()}</td><td>{r.action.clone()}<br/><small class="muted mono">{r.code.clone()}</small></td><td class="wrap">{r.target.clone()}</td><td class="mono">{r.ip.clone()}</td></tr> })
        .collect_view();
    let more = next_before.map(|b| view! { <div class="actions"><a class="btn secondary" href=format!("/audit?before={b}")>{ctx.t("common.older")}</a></div> });
    let body = view! {
        <h1>{ctx.t("nav.audit")}</h1>
        <p class="lede">{ctx.t("audit.lede")}</p>
        <div class="card table-wrap">
            <table>
                <caption class="sr-only">{ctx.t("nav.audit")}</caption>
                <thead><tr>
                    <th scope="col">{ctx.t("common.time")}</th><th scope="col">{ctx.t("audit.actor")}</th><th scope="col">{ctx.t("audit.action")}</th>
                    <th scope="col">{ctx.t("audit.target")}</th><th scope="col">"IP"</th>
                </tr></thead>
                <tbody>{trs}</tbody>
            </table>
        </div>
        {more}
    };
    render_document(ctx, &ctx.t("nav.audit"), body)
}

pub fn admin_tenants(ctx: &PageCtx, rows: &[TenantRowVm]) -> String {
    let trs = rows
        .iter()
        .map(|r| view! { <tr><td class="mono">{r.id.clone()}</td><td>{r.name.clone()}</td><td>{r.members}</td><td>{fmt_time(ctx.locale, r.created_at)}</td></tr> })
        .collect_view();
    let body = view! {
        <h1>{ctx.t("admin.tenants")}</h1>
        <div class="card table-wrap">
            <table>
                <thead><tr><th scope="col">"ID"</th><th scope="col">{ctx.t("auth.shop_name")}</th><th scope="col">{ctx.t("perm.members")}</th><th scope="col">{ctx.t("settings.created")}</th></tr></thead>
                <tbody>{trs}</tbody>
            </table>
        </div>
    };
    render_document(ctx, &ctx.t("admin.tenants"), body)
}
