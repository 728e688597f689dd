//! Uploading exports, the upload history and one upload's validation report.

use super::{csrf_field, fmt_time};
use crate::{PageCtx, render_document};
use leptos::prelude::*;

#[derive(Debug, Clone, Default)]
pub struct UploadRowVm {
    pub id: i64,
    pub file_name: String,
    pub status: String,
    pub progress: f64,
    pub message: String,
    pub entity: String,
    pub rows_read: i64,
    pub rows_accepted: i64,
    pub rows_rejected: i64,
    pub error: String,
    pub created_at: i64,
    pub seconds: Option<i64>,
    pub bytes: i64,
}

fn status_badge(ctx: &PageCtx, status: &str) -> impl IntoView + use<> {
    let class = match status {
        "succeeded" => "badge ok",
        "failed" => "badge danger",
        "duplicate" => "badge",
        "pending" => "badge warn",
        _ => "badge warn",
    };
    view! { <span class=class data-status=status.to_string()>{ctx.t(&format!("upload.status_{status}"))}</span> }
}

pub fn upload(ctx: &PageCtx, max_bytes: u64) -> String {
    let action = format!("/upload?csrf={}", ctx.csrf);
    let body = view! {
        <h1>{ctx.t("nav.upload")}</h1>
        <p class="lede">{ctx.t("upload.lede")}</p>
        <div class="card">
            <form id="upload-form" method="post" action=action enctype="multipart/form-data" data-max-bytes=max_bytes.to_string() data-confirm-label=ctx.t("upload.confirm_link")>
                {csrf_field(&ctx.csrf)}
                <input type="hidden" name="confirm" value="manual"/>
                <div class="dropzone" id="dropzone">
                    <label for="files">{ctx.t("upload.choose")}</label>
                    <input id="files" name="file" type="file" multiple required/>
                    <p class="muted">{ctx.t("upload.drop")}</p>
                    <p class="hint">{ctx.t("upload.formats")}" "{format!("{} {} MB.", ctx.t("upload.max_size"), max_bytes >> 20)}</p>
                </div>
                <div class="actions"><button class="btn" type="submit">{ctx.t("upload.submit")}</button></div>
            </form>
            <ul id="upload-list" class="upload-list" aria-live="polite"></ul>
        </div>
        <p><a href="/uploads">{ctx.t("upload.history_title")}</a></p>
    };
    render_document(ctx, &ctx.t("nav.upload"), body)
}

pub fn upload_history(ctx: &PageCtx, rows: &[UploadRowVm]) -> String {
    let trs = rows
        .iter()
        .map(|r| {
            let dur = r.seconds.map(|s| format!("{s} s")).unwrap_or_else(|| "—".into());
            let href = format!("/uploads/{}", r.id);
            view! {
                <tr>
                    <td><a href=href>{r.file_name.clone()}</a></td>
                    <td>{status_badge(ctx, &r.status)}" "<small class="muted">{r.error.clone()}</small></td>
                    <td>{kind_label(ctx, &r.entity)}</td>
                    <td>{r.rows_read}</td><td>{r.rows_accepted}</td><td>{r.rows_rejected}</td>
                    <td>{fmt_time(ctx.locale, r.created_at)}</td><td>{dur}</td>
                </tr>
            }
        })
        .collect_view();
    let empty = rows.is_empty().then(|| view! { <p class="muted">{ctx.t("upload.empty")}" "<a href="/upload">{ctx.t("nav.upload")}</a></p> });
    let body = view! {
        <h1>{ctx.t("nav.upload_history")}</h1>
        <div class="card table-wrap">
            {empty}
            <table>
                <caption class="sr-only">{ctx.t("nav.upload_history")}</caption>
                <thead><tr>
                    <th scope="col">{ctx.t("upload.col_file")}</th><th scope="col">{ctx.t("upload.col_status")}</th><th scope="col">{ctx.t("upload.col_kind")}</th>
                    <th scope="col">{ctx.t("upload.col_rows")}</th><th scope="col">{ctx.t("upload.col_accepted")}</th><th scope="col">{ctx.t("upload.col_rejected")}</th>
                    <th scope="col">{ctx.t("common.time")}</th><th scope="col">{ctx.t("upload.col_duration")}</th>
                </tr></thead>
                <tbody>{trs}</tbody>
            </table>
        </div>
    };
    render_document(ctx, &ctx.t("nav.upload_history"), body)
}

pub fn upload_detail(
    ctx: &PageCtx,
    r: &UploadRowVm,
    mapping: &[(String, String)],
    rejects: &[(i64, String, String, String)],
    enabled: &[(String, bool)],
    loaded: Option<&LoadedVm>,
) -> String {
    let summary = loaded.map(|l| {
        let lines = loaded_words(ctx, l).into_iter().map(|t| view! { <li>{t}</li> }).collect_view();
        view! { <div class="card" id="upload-summary"><h2>{ctx.t("upload.loaded_as")}</h2><ul>{lines}</ul></div> }
    });
    let map_rows = mapping
        .iter()
        .map(|(f, c)| view! { <tr><td>{field_label(ctx, f)}" "<small class="muted mono">{f.clone()}</small></td><td>{c.clone()}</td></tr> })
        .collect_view();
    let rej_rows = rejects.iter().map(|(l, c, v, why)| view! { <tr><td>{*l}</td><td>{c.clone()}</td><td class="mono">{v.clone()}</td><td>{why.clone()}</td></tr> }).collect_view();
    let feats = enabled
        .iter()
        .map(|(k, on)| {
            let cls = if *on { "badge ok" } else { "badge" };
            let mark = if *on { "✓ " } else { "✗ " };
            view! { <li><span class=cls>{mark}{ctx.t(&format!("upload.enabled_{k}"))}</span></li> }
        })
        .collect_view();
    let csv = format!("/api/v1/uploads/{}/rejects.csv", r.id);
    let error = (!r.error.is_empty())
        .then(|| view! { <div class="alert error" role="alert">{r.error.clone()}</div> });
    let body = view! {
        <h1>{r.file_name.clone()}</h1>
        <p class="lede">{status_badge(ctx, &r.status)}" "{format!("{} · {} {} · {} {} · {} {}", fmt_time(ctx.locale, r.created_at), r.rows_read, ctx.t("upload.col_rows"), r.rows_accepted, ctx.t("upload.col_accepted"), r.rows_rejected, ctx.t("upload.col_rejected"))}</p>
        {error}
        {summary}
        <div class="card">
            <h2>{ctx.t("upload.detail_enabled")}</h2>
            <ul class="feature-list">{feats}</ul>
        </div>
        <div class="card table-wrap">
            <h2>{ctx.t("upload.detail_mapping")}</h2>
            <table><thead><tr><th scope="col">{ctx.t("upload.field")}</th><th scope="col">{ctx.t("upload.column")}</th></tr></thead><tbody>{map_rows}</tbody></table>
        </div>
        <div class="card table-wrap">
            <h2>{ctx.t("upload.detail_rejects")}</h2>
            <p><a class="btn secondary" href=csv>{ctx.t("upload.download_rejects")}</a></p>
            <table><thead><tr><th scope="col">{ctx.t("upload.line")}</th><th scope="col">{ctx.t("upload.column")}</th><th scope="col">{ctx.t("upload.value")}</th><th scope="col">{ctx.t("upload.reason")}</th></tr></thead><tbody>{rej_rows}</tbody></table>
        </div>
    };
    render_document(ctx, &r.file_name, body)
}

#[derive(Debug, Clone)]
pub struct MappingFieldVm {
    pub name: String,
    pub required: bool,
    /// The chosen column, "" for none.
    pub chosen: String,
}

/// A canonical field in the reader's words ("Order date"), or its name if it has none.
pub fn field_label(ctx: &PageCtx, name: &str) -> String {
    let key = format!("upload.fl_{name}");
    let w = ctx.t(&key);
    if w == key { name.to_string() } else { w }
}

/// Confirm or edit the column mapping of a pending upload.
/// The kind an upload was loaded as, in the reader's language (older rows wrote
/// "webevents").
fn kind_label(ctx: &PageCtx, entity: &str) -> String {
    match entity {
        "" => String::new(),
        "webevents" => ctx.t("upload.kind_web_events"),
        "periodsales" => ctx.t("upload.kind_period_sales"),
        k => ctx.t(&format!("upload.kind_{k}")),
    }
}

/// What an upload loaded, as the validation report counted it (worded per reader).
#[derive(Debug, Clone, Default)]
pub struct LoadedVm {
    /// The kind's key (`sales`, `period_sales`, ...).
    pub kind: String,
    pub rows: u64,
    pub orders: Option<u64>,
    pub products: Option<u64>,
    pub customers: Option<u64>,
    pub sessions: Option<u64>,
    pub from: Option<String>,
    pub to: Option<String>,
    /// (status class, rows)
    pub statuses: Vec<(String, u64)>,
    /// How rows became orders when the file has no order numbers.
    pub orders_from: Option<String>,
    /// Totals: the period's length in days (`None` with `monthly`).
    pub period_days: Option<i64>,
    pub monthly: bool,
    pub dated_by_end: bool,
    pub unused: Vec<String>,
}

/// The report's sentences in the reader's language.
fn loaded_words(ctx: &PageCtx, l: &LoadedVm) -> Vec<String> {
    let n = |v: u64| crate::format::number(ctx.locale, v as f64, 0);
    let t = |k: &str| ctx.t(&format!("upload.sum_{k}"));
    let dates = match (&l.from, &l.to) {
        (Some(f), Some(to)) if f == to => t("on").replace("{date}", f),
        (Some(f), Some(to)) => t("dates").replace("{from}", f).replace("{to}", to),
        _ => String::new(),
    };
    let mut out = Vec::new();
    let count = |k: &str, v: Option<u64>, none: &str| match v {
        Some(x) if x > 0 => t(k).replace("{n}", &n(x)),
        _ => t(none),
    };
    match l.kind.as_str() {
        "sales" => {
            out.push(format!(
                "{} {dates}",
                t("sales")
                    .replace("{rows}", &n(l.rows))
                    .replace("{orders}", &n(l.orders.unwrap_or(0)))
            ));
            out.push(format!(
                "{} · {}",
                count("products", l.products, "no_products"),
                count("customers", l.customers, "no_customers")
            ));
        }
        "period_sales" => {
            let period = match (l.monthly, l.period_days) {
                (true, _) => t("per_month"),
                (_, Some(1)) => t("per_day"),
                (_, Some(7)) => t("per_week"),
                (_, Some(d)) => t("per_days").replace("{n}", &n(d.max(0) as u64)),
                _ => String::new(),
            };
            out.push(format!(
                "{} {dates}",
                t("totals")
                    .replace("{rows}", &n(l.rows))
                    .replace("{period}", &period)
            ));
            out.push(t(if l.dated_by_end {
                "spread_end"
            } else {
                "spread_start"
            }));
        }
        "products" => out.push(t("products").replace("{n}", &n(l.products.unwrap_or(l.rows)))),
        "customers" => out.push(t("customers").replace("{n}", &n(l.customers.unwrap_or(l.rows)))),
        "web_events" => out.push(format!(
            "{} {dates}",
            t("events")
                .replace("{rows}", &n(l.rows))
                .replace("{sessions}", &n(l.sessions.unwrap_or(0)))
                .replace("{visitors}", &n(l.customers.unwrap_or(0)))
        )),
        _ => out.push(t("rows").replace("{n}", &n(l.rows))),
    }
    if let Some(k) = &l.orders_from {
        out.push(t(&format!("orders_from_{k}")));
    }
    if !l.statuses.is_empty() {
        let parts: Vec<String> = l
            .statuses
            .iter()
            .map(|(c, v)| {
                format!(
                    "{} {} ({})",
                    n(*v),
                    t(&format!("status_{c}")),
                    t(&format!("counts_{c}"))
                )
            })
            .collect();
        out.push(format!("{} {}", t("statuses"), parts.join(" · ")));
    }
    if !l.unused.is_empty() {
        out.push(format!("{} {}", t("unused"), l.unused.join(", ")));
    }
    out
}

/// How sure the suggestion is of the kind, and why (the evidence found in the file), with the
/// other kinds considered and what each lacks.
#[derive(Debug, Clone, Default)]
pub struct MappingEvidenceVm {
    pub confidence: f64,
    /// (need key, the columns that meet it)
    pub why: Vec<(String, Vec<String>)>,
    /// (kind, confidence, keys of what it lacks)
    pub others: Vec<(String, f64, Vec<String>)>,
}

pub fn upload_mapping(
    ctx: &PageCtx,
    id: i64,
    file_name: &str,
    entity: &str,
    fields: &[MappingFieldVm],
    samples: &[(String, String)],
    evidence: &MappingEvidenceVm,
) -> String {
    let pct = |c: f64| format!("{:.0}", 100.0 * c);
    let kind_name = |k: &str| ctx.t(&format!("upload.kind_{k}"));
    let sure = ctx
        .t("upload.sure")
        .replace("{kind}", &kind_name(entity))
        .replace("{pct}", &pct(evidence.confidence));
    let weak = evidence.confidence < 0.5;
    let need = |k: &str| ctx.t(&format!("upload.need_{k}"));
    let why = evidence
        .why
        .iter()
        .map(|(k, cols)| view! { <li>{format!("{}: {}", need(k), cols.join(", "))}</li> })
        .collect_view();
    let others = evidence
        .others
        .iter()
        .map(|(k, c, lacks)| {
            let text = if lacks.is_empty() {
                format!("{} ({}%)", kind_name(k), pct(*c))
            } else {
                format!(
                    "{} — {}: {}",
                    kind_name(k),
                    ctx.t("upload.lacks"),
                    lacks.iter().map(|l| need(l)).collect::<Vec<_>>().join("; ")
                )
            };
            view! { <li>{text}</li> }
        })
        .collect_view();
    let evidence_card = view! {
        <section class="card" id="mapping-evidence">
            <p class=if weak { "badge warn" } else { "badge" }>{sure}</p>
            <h2>{ctx.t("upload.why")}</h2>
            <ul>{why}</ul>
            <h2>{ctx.t("upload.also_considered")}</h2>
            <ul class="muted">{others}</ul>
        </section>
    };
    let kinds = [
        "sales",
        "period_sales",
        "products",
        "customers",
        "web_events",
        "promotions",
    ]
    .iter()
    .map(|k| {
        let sel = *k == entity;
        view! { <option value=*k selected=sel>{ctx.t(&format!("upload.kind_{k}"))}</option> }
    })
    .collect_view();
    let rows = fields
        .iter()
        .map(|f| {
            let id_attr = format!("f-{}", f.name);
            let name_attr = format!("f.{}", f.name);
            let opts = std::iter::once((String::new(), ctx.t("upload.none")))
                .chain(samples.iter().map(|(c, _)| (c.clone(), c.clone())))
                .map(|(v, label)| {
                    let sel = v == f.chosen;
                    view! { <option value=v selected=sel>{label}</option> }
                })
                .collect_view();
            let req = f
                .required
                .then(|| view! { " " <span class="badge warn">{ctx.t("upload.required")}</span> });
            view! {
                <tr>
                    <td><label for=id_attr.clone()>{field_label(ctx, &f.name)}" "<small class="muted mono">{f.name.clone()}</small></label>{req}</td>
                    <td><select id=id_attr name=name_attr>{opts}</select></td>
                </tr>
            }
        })
        .collect_view();
    let cols = samples
        .iter()
        .map(|(c, s)| view! { <tr><td>{c.clone()}</td><td class="mono">{s.clone()}</td></tr> })
        .collect_view();
    let action = format!("/uploads/{id}/mapping");
    let title = format!("{} — {}", ctx.t("upload.confirm_title"), file_name);
    let body = view! {
        <h1>{title.clone()}</h1>
        <p class="lede">{ctx.t("upload.confirm_lede")}</p>
        {evidence_card}
        <form class="card" method="get" action=action.clone()>
            <label for="entity">{ctx.t("upload.kind")}</label>
            <select id="entity" name="entity">{kinds}</select>
            <div class="actions"><button class="btn secondary" type="submit">{ctx.t("upload.change")}</button></div>
        </form>
        <form class="card table-wrap" method="post" action=action>
            {csrf_field(&ctx.csrf)}
            <input type="hidden" name="entity" value=entity.to_string()/>
            <table>
                <thead><tr><th scope="col">{ctx.t("upload.field")}</th><th scope="col">{ctx.t("upload.column")}</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
            <div class="actions"><button class="btn" type="submit">{ctx.t("upload.load")}</button></div>
        </form>
        <form class="card" method="post" action=format!("/uploads/{id}/discard")>
            {csrf_field(&ctx.csrf)}
            <p class="muted">{ctx.t("upload.discard_text")}</p>
            <div class="actions"><button class="btn secondary" type="submit" id="discard-upload">{ctx.t("upload.discard")}</button></div>
        </form>
        <div class="card table-wrap">
            <h2>{ctx.t("upload.columns_title")}</h2>
            <table><tbody>{cols}</tbody></table>
        </div>
    };
    render_document(ctx, &title, body)
}
