//! The report management page: every exported file of the shop, newest first, with its
//! versioned name, what it shows and for which filters, who made it and when; download it
//! again, reopen the view it came from, or delete it.

use super::{csrf_field, fmt_time};
use crate::{PageCtx, render_document};
use leptos::prelude::*;

#[derive(Debug, Clone, Default)]
pub struct ReportRowVm {
    pub id: i64,
    /// `<report>-<yyyy-mm-dd>-v<N>.<format>`
    pub file_name: String,
    pub title: String,
    pub filters: String,
    pub format: String,
    pub size: String,
    pub created_by: String,
    pub created_at: i64,
    /// The page and filters it was exported from.
    pub source: String,
}

#[derive(Debug, Clone, Default)]
pub struct ReportsVm {
    pub rows: Vec<ReportRowVm>,
    /// Export and delete (the role may).
    pub can_edit: bool,
}

pub fn reports(ctx: &PageCtx, vm: &ReportsVm) -> String {
    let trs = vm
        .rows
        .iter()
        .map(|r| {
            let file = format!("/reports/{}/file", r.id);
            let delete = vm.can_edit.then(|| {
                view! {
                    <form method="post" action=format!("/reports/{}/delete", r.id) class="inline">
                        {csrf_field(&ctx.csrf)}
                        <button class="btn small danger" type="submit" aria-label=format!("{} {}", ctx.t("reports.delete"), r.file_name)>{ctx.t("reports.delete")}</button>
                    </form>
                }
            });
            view! {
                <tr>
                    <td class="nowrap"><a href=file.clone() download=r.file_name.clone() class="mono">{r.file_name.clone()}</a></td>
                    <td>{r.title.clone()}<br/><small class="muted">{r.filters.clone()}</small></td>
                    <td><span class="badge">{r.format.clone()}</span></td>
                    <td class="num">{r.size.clone()}</td>
                    <td>{r.created_by.clone()}<br/><small class="muted">{fmt_time(ctx.locale, r.created_at)}</small></td>
                    <td class="actions-cell">
                        <a class="btn small secondary" href=file download=r.file_name.clone()>{ctx.t("reports.download")}</a>" "
                        <a class="btn small secondary" href=r.source.clone()>{ctx.t("reports.open_view")}</a>" "
                        {delete}
                    </td>
                </tr>
            }
        })
        .collect_view();
    let empty = vm.rows.is_empty().then(|| {
        view! {
            <div class="empty">
                <p class="muted">{ctx.t("reports.empty")}</p>
                <p><a class="btn" href="/charts">{ctx.t("nav.charts")}</a>" "<a class="btn secondary" href="/funnel">{ctx.t("nav.funnel")}</a>" "<a class="btn secondary" href="/cohorts">{ctx.t("nav.cohorts")}</a></p>
            </div>
        }
    });
    let table = (!vm.rows.is_empty()).then(|| {
        view! {
            <table id="reports">
                <caption class="sr-only">{ctx.t("nav.reports")}</caption>
                <thead><tr>
                    <th scope="col">{ctx.t("reports.file")}</th><th scope="col">{ctx.t("reports.report")}</th><th scope="col">{ctx.t("reports.format")}</th>
                    <th scope="col" class="num">{ctx.t("reports.size")}</th><th scope="col">{ctx.t("reports.by")}</th><th scope="col"><span class="sr-only">{ctx.t("reports.actions")}</span></th>
                </tr></thead>
                <tbody>{trs}</tbody>
            </table>
        }
    });
    let body = view! {
        <h1>{ctx.t("nav.reports")}</h1>
        <p class="lede">{ctx.t("reports.lede")}</p>
        <div class="card table-wrap">{empty}{table}</div>
    };
    render_document(ctx, &ctx.t("nav.reports"), body)
}
