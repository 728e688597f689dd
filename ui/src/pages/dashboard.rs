//! The dashboard. Until the shop has data it is an onboarding checklist that says what each
//! step unlocks; KPI cards show their empty state rather than made-up numbers.

use crate::icons::svg;
use crate::{PageCtx, render_document};
use leptos::prelude::*;

#[derive(Debug, Clone, Default)]
pub struct DashboardVm {
    pub shop_name: String,
    pub member_count: i64,
    pub mfa_on: bool,
    pub has_data: bool,
    pub demo_files: Vec<String>,
    /// Formatted headline figures in card order (revenue, orders, AOV, customers).
    pub kpis: Option<[String; 4]>,
    /// Recent uploads: (id, file, status key).
    pub recent_uploads: Vec<(i64, String, String)>,
}

pub fn dashboard(ctx: &PageCtx, vm: &DashboardVm) -> String {
    let kpis = ["kpi.revenue", "kpi.orders", "kpi.aov", "kpi.customers"]
        .iter()
        .enumerate()
        .map(|(i, k)| {
            if let Some(values) = &vm.kpis {
                return view! {
                    <div class="card kpi">
                        <span class="label">{ctx.t(k)}</span>
                        <span class="value">{values[i].clone()}</span>
                        <span class="muted">{ctx.t("dash.all_time")}</span>
                    </div>
                }
                .into_any();
            }
            view! {
                <div class="card kpi">
                    <span class="label">{ctx.t(k)}</span>
                    <span class="value empty" aria-label=ctx.t("dash.no_data_yet")>"—"</span>
                    <span class="muted">{ctx.t("dash.no_data_yet")}</span>
                </div>
            }
            .into_any()
        })
        .collect_view();
    let uploads = (!vm.recent_uploads.is_empty()).then(|| {
        let items = vm
            .recent_uploads
            .iter()
            .map(|(id, f, st)| view! { <li><a href=format!("/uploads/{id}")>{f.clone()}</a>" "<span class="badge">{ctx.t(&format!("upload.status_{st}"))}</span></li> })
            .collect_view();
        view! { <div class="card"><h2>{ctx.t("dash.recent_uploads")}</h2><ul>{items}</ul><p><a href="/uploads">{ctx.t("upload.history_title")}</a></p></div> }
    });
    let step = |done: bool, title: &str, text: &str, href: &'static str| {
        let cls = if done { "done" } else { "" };
        view! { <li class=cls><div><strong><a href=href>{ctx.t(title)}</a></strong><span class="muted">{ctx.t(text)}</span></div></li> }
    };
    let demo = (!vm.demo_files.is_empty()).then(|| {
        let files = vm.demo_files.iter().map(|f| view! { <li><code>{f.clone()}</code></li> }).collect_view();
        view! {
            <div class="card">
                <h2>{ctx.t("dash.demo_files_title")}</h2>
                <p class="muted">{ctx.t("dash.demo_files_text")}</p>
                <ul>{files}</ul>
            </div>
        }
    });
    let body = view! {
        <h1>{ctx.t("nav.dashboard")}</h1>
        <p class="lede">{vm.shop_name.clone()}</p>
        <section aria-labelledby="kpi-h">
            <h2 id="kpi-h" class="sr-only">{ctx.t("dash.kpis")}</h2>
            <div class="grid">{kpis}</div>
        </section>
        <div class="card">
            <h2>{ctx.t("dash.get_started")}</h2>
            <ol class="steps">
                {step(true, "dash.step_account", "dash.step_account_text", "/settings")}
                {step(vm.mfa_on, "dash.step_mfa", "dash.step_mfa_text", "/settings/security")}
                {step(vm.member_count > 1, "dash.step_team", "dash.step_team_text", "/permissions")}
                {step(vm.has_data, "dash.step_upload", "dash.step_upload_text", "/upload")}
            </ol>
        </div>
        {uploads}
        {demo}
        {(!vm.has_data).then(|| view! {
            <div class="card empty">
                <span inner_html=svg("charts", "")></span>
                <h2>{ctx.t("dash.empty_title")}</h2>
                <p class="muted">{ctx.t("dash.empty_text")}</p>
            </div>
        })}
    };
    render_document(ctx, &ctx.t("nav.dashboard"), body)
}
