//! Customer segments: each named group with its size, share of value and the centre that
//! defines it, what decides a customer's group (feature importance), and the members of one
//! group (names and e-mails only for roles allowed to see them) with a CSV export.

use super::charts::{ChartCardVm, TableVm, chart_card};
use super::csrf_field;
use crate::{PageCtx, render_document};
use leptos::prelude::*;

#[derive(Debug, Clone, Default)]
pub struct SegmentVm {
    pub key: String,
    pub name: String,
    pub explain: String,
    pub size: String,
    pub share: String,
    pub centre: String,
    pub selected: bool,
}

#[derive(Debug, Clone, Default)]
pub struct SegmentsVm {
    pub segments: Vec<SegmentVm>,
    pub importance: Option<ChartCardVm>,
    pub model: String,
    pub members_title: String,
    pub members: TableVm,
    pub selected: String,
    /// Why there are no segments.
    pub not_enough: Option<String>,
    /// No model run yet.
    pub empty: bool,
    pub can_export: bool,
}

pub fn segments(ctx: &PageCtx, vm: &SegmentsVm) -> String {
    let rows = vm
        .segments
        .iter()
        .map(|g| {
            let href = format!("/segments?segment={}#members", g.key);
            let class = if g.selected { "selected" } else { "" };
            view! {
                <tr class=class>
                    <td><a href=href><strong>{g.name.clone()}</strong></a><br/><small class="muted">{g.explain.clone()}</small></td>
                    <td class="num">{g.size.clone()}</td>
                    <td class="num">{g.share.clone()}</td>
                    <td><small>{g.centre.clone()}</small></td>
                </tr>
            }
        })
        .collect_view();
    let members = vm
        .members
        .rows
        .iter()
        .map(|r| {
            let cells = r
                .iter()
                .map(|c| {
                    let class = if c.numeric { "num" } else { "" };
                    match &c.href {
                        Some(h) => {
                            view! { <td class=class><a href=h.clone()>{c.text.clone()}</a></td> }
                                .into_any()
                        }
                        None => view! { <td class=class>{c.text.clone()}</td> }.into_any(),
                    }
                })
                .collect_view();
            view! { <tr>{cells}</tr> }
        })
        .collect_view();
    let head = vm
        .members
        .headers
        .iter()
        .map(|h| view! { <th scope="col">{h.clone()}</th> })
        .collect_view();
    let export = (vm.can_export && !vm.selected.is_empty()).then(|| {
        view! {
            <form method="post" action=format!("/segments/export?segment={}", vm.selected) class="export">
                {csrf_field(&ctx.csrf)}
                <button class="btn small secondary" type="submit" id="export-members">{ctx.t("segments.export_csv")}</button>
            </form>
        }
    });
    let body = view! {
        <h1>{ctx.t("nav.segments")}</h1>
        <p class="lede">{ctx.t("segments.lede")}</p>
        {vm.empty.then(|| view! { <div class="card empty"><h2>{ctx.t("segments.empty_title")}</h2><p class="muted">{ctx.t("forecast.empty_text")}</p></div> })}
        {vm.not_enough.clone().map(|r| view! { <div class="card empty" id="not-enough"><h2>{ctx.t("segments.not_enough")}</h2><p class="muted">{r}</p></div> })}
        {(!vm.segments.is_empty()).then(|| view! {
            <section class="card table-wrap" id="segments">
                <table>
                    <thead><tr>
                        <th scope="col">{ctx.t("segments.segment")}</th><th scope="col" class="num">{ctx.t("segments.customers")}</th>
                        <th scope="col" class="num">{ctx.t("segments.value_share")}</th><th scope="col">{ctx.t("segments.centre")}</th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
                <p class="muted">{vm.model.clone()}</p>
            </section>
        })}
        {vm.importance.as_ref().map(|c| chart_card(ctx, c, false, None))}
        {(!vm.selected.is_empty()).then(|| view! {
            <section class="card table-wrap" id="members">
                <h2>{vm.members_title.clone()}</h2>
                <table><thead><tr>{head}</tr></thead><tbody>{members}</tbody></table>
                {export}
            </section>
        })}
    };
    render_document(ctx, &ctx.t("nav.segments"), body)
}
