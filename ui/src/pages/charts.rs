//! The chart analysis page: the shared filter bar (a plain GET form, so every view has a
//! URL), then each chart with its text alternative and a table view of the same numbers.
//! Table cells link to drill-downs (a category opens its products).

use crate::{PageCtx, render_document};
use leptos::prelude::*;

#[derive(Debug, Clone, Default)]
pub struct CellVm {
    pub text: String,
    pub href: Option<String>,
    /// Right-aligned numbers.
    pub numeric: bool,
    /// The value in a plain, locale-free form (a number, an ISO date): what a CSV export
    /// writes instead of the text.
    pub plain: Option<String>,
}

impl CellVm {
    pub fn text(t: impl Into<String>) -> Self {
        Self {
            text: t.into(),
            ..Default::default()
        }
    }
    pub fn link(t: impl Into<String>, href: Option<String>) -> Self {
        Self {
            text: t.into(),
            href,
            ..Default::default()
        }
    }
    /// A number shown as `t`; `v` is `None` when there is none (shown as a dash).
    pub fn number(t: impl Into<String>, v: Option<f64>) -> Self {
        Self {
            text: t.into(),
            href: None,
            numeric: true,
            plain: v.filter(|x| x.is_finite()).map(plain_number),
        }
    }
    /// An amount of money shown as `t`, exported rounded to the currency's `places`.
    pub fn money(t: impl Into<String>, v: f64, places: u32) -> Self {
        let f = 10f64.powi(places as i32);
        Self::number(t, Some((v * f).round() / f))
    }
    pub fn date(t: impl Into<String>, d: time::Date) -> Self {
        Self {
            text: t.into(),
            plain: Some(d.to_string()),
            ..Default::default()
        }
    }
}

/// A number as plain text for a spreadsheet, without a float sum's last digits
/// (5224.609999999993 is 5224.61): ten significant digits, trailing zeros dropped.
pub fn plain_number(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        return "0".into();
    }
    let whole_digits = x.abs().log10().floor() as i32 + 1;
    let decimals = (10 - whole_digits).clamp(0, 12) as usize;
    let s = format!("{x:.decimals$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    if s == "-0" { "0".into() } else { s }
}

#[derive(Debug, Clone, Default)]
pub struct TableVm {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<CellVm>>,
}

#[derive(Debug, Clone, Default)]
pub struct ChartCardVm {
    /// Anchor and test hook: `trend`, `categories`, ...
    pub id: &'static str,
    pub title: String,
    /// What the chart draws (exports draw it again for print); `None` for a table.
    pub spec: Option<crate::charts::ChartSpec>,
    /// SVG for the light and the dark theme (both when the user follows the device).
    pub svg_light: Option<String>,
    pub svg_dark: Option<String>,
    /// One or two sentences saying what the chart shows (also for screen readers).
    pub summary: String,
    pub table: TableVm,
}

#[derive(Debug, Clone, Default)]
pub struct ChartFiltersVm {
    pub from: String,
    pub to: String,
    pub min: String,
    pub max: String,
    pub grain: String,
    pub compare: String,
    pub category: String,
    pub region: String,
    pub channel: String,
    pub categories: Vec<String>,
    pub regions: Vec<String>,
    pub channels: Vec<String>,
}

#[derive(Debug, Clone, Default)]
pub struct ChartsVm {
    pub filters: ChartFiltersVm,
    pub cards: Vec<ChartCardVm>,
    /// Shown instead of the charts (no data yet).
    pub empty: bool,
    /// Where the export forms post (None: the role may not export).
    pub export: Option<String>,
}

pub(super) fn select(
    ctx: &PageCtx,
    name: &'static str,
    current: &str,
    options: &[String],
) -> impl IntoView + use<> {
    let label = ctx.t(&format!("charts.{name}"));
    let opts = options
        .iter()
        .map(|o| {
            let sel = o == current;
            view! { <option value=o.clone() selected=sel>{crate::format::label(o)}</option> }
        })
        .collect_view();
    view! {
        <label class="field">
            <span>{label}</span>
            <select name=name id=format!("f-{name}")>
                <option value="">{ctx.t("charts.all")}</option>
                {opts}
            </select>
        </label>
    }
}

fn table(t: &TableVm) -> impl IntoView + use<> {
    let head = t
        .headers
        .iter()
        .map(|h| view! { <th scope="col">{h.clone()}</th> })
        .collect_view();
    let rows = t
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
    view! { <div class="table-wrap"><table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></div> }
}

/// The date fields of a filter bar.
pub(super) fn date_fields(
    ctx: &PageCtx,
    from: &str,
    to: &str,
    min: &str,
    max: &str,
) -> impl IntoView + use<> {
    // The browser draws a date field in its own language ("06/30/2026" on an Arabic page):
    // outside English the chosen day is also said in the page's words under it (app.js keeps
    // it current as the field changes).
    let words = |value: &str| {
        let fmt = time::macros::format_description!("[year]-[month]-[day]");
        (ctx.locale != "en")
            .then(|| time::Date::parse(value, fmt).ok())
            .flatten()
            .map(|d| view! { <small class="muted date-words" aria-hidden="true">{crate::format::date(ctx.locale, d)}</small> })
    };
    let field = |name: &'static str, value: &str| {
        view! { <label class="field"><span>{ctx.t(&format!("charts.{name}"))}</span><input type="date" name=name id=format!("f-{name}") value=value.to_string() min=min.to_string() max=max.to_string()/>{words(value)}</label> }
    };
    view! { {field("from", from)}{field("to", to)} }
}

/// Apply and reset buttons of a filter bar.
pub(super) fn form_actions(ctx: &PageCtx, reset: &'static str) -> impl IntoView + use<> {
    view! { <div class="actions"><button class="btn" type="submit">{ctx.t("charts.apply")}</button>" "<a class="btn secondary" href=reset>{ctx.t("charts.reset")}</a></div> }
}

/// CSV / PNG / PDF buttons for one item of a page (`all`: the whole page, PNG and PDF).
pub(super) fn export_buttons(
    ctx: &PageCtx,
    action: &str,
    item: &'static str,
    csv: bool,
) -> impl IntoView + use<> {
    let label = if item == "all" {
        ctx.t("reports.export_page")
    } else {
        ctx.t("reports.export")
    };
    view! {
        <form class="export" method="post" action=action.to_string() data-export=item>
            {super::csrf_field(&ctx.csrf)}
            <input type="hidden" name="item" value=item/>
            <span class="muted">{label}</span>
            {csv.then(|| view! { <button class="btn small secondary" type="submit" name="format" value="csv">"CSV"</button> })}
            <button class="btn small secondary" type="submit" name="format" value="png">"PNG"</button>
            <button class="btn small secondary" type="submit" name="format" value="pdf">"PDF"</button>
        </form>
    }
}

/// A chart card: title, the SVG(s), the summary, and the table (folded away unless `open`),
/// with export buttons when `export` is the form action.
pub(super) fn chart_card(
    ctx: &PageCtx,
    c: &ChartCardVm,
    open: bool,
    export: Option<&str>,
) -> impl IntoView + use<> {
    let light = c
        .svg_light
        .clone()
        .map(|s| view! { <div class="chart chart-light" inner_html=s></div> });
    let dark = c
        .svg_dark
        .clone()
        .map(|s| view! { <div class="chart chart-dark" inner_html=s></div> });
    let none = (light.is_none() && dark.is_none() && !open)
        .then(|| view! { <p class="muted">{ctx.t("charts.nothing")}</p> });
    let table_view = if open {
        table(&c.table).into_any()
    } else {
        view! { <details><summary>{ctx.t("charts.table_view")}</summary>{table(&c.table)}</details> }.into_any()
    };
    view! {
        <figure class="card chart-card" id=c.id>
            <h2>{c.title.clone()}</h2>
            {light}
            {dark}
            {none}
            <figcaption class="summary">{c.summary.clone()}</figcaption>
            {table_view}
            {export.map(|a| export_buttons(ctx, a, c.id, !c.table.rows.is_empty()))}
        </figure>
    }
}

pub fn charts(ctx: &PageCtx, vm: &ChartsVm) -> String {
    let f = &vm.filters;
    // Fixed choices, labelled by translation key `charts.<prefix>_<value>`.
    let choices = |prefix: &str, values: &[&'static str], current: &str| {
        values
            .iter()
            .map(|v| {
                let sel = *v == current;
                view! { <option value=*v selected=sel>{ctx.t(&format!("charts.{prefix}_{v}"))}</option> }
            })
            .collect_view()
    };
    let grains = choices("grain", &["day", "week", "month"], &f.grain);
    let compares = choices(
        "compare",
        &["previous_period", "previous_year", "none"],
        &f.compare,
    );
    let filter_bar = view! {
        <form class="card filters" method="get" action="/charts" aria-label=ctx.t("charts.filters")>
            {date_fields(ctx, &f.from, &f.to, &f.min, &f.max)}
            <label class="field"><span>{ctx.t("charts.grain")}</span><select name="grain" id="f-grain">{grains}</select></label>
            <label class="field"><span>{ctx.t("charts.compare")}</span><select name="compare" id="f-compare">{compares}</select></label>
            {select(ctx, "category", &f.category, &f.categories)}
            {select(ctx, "region", &f.region, &f.regions)}
            {select(ctx, "channel", &f.channel, &f.channels)}
            {form_actions(ctx, "/charts")}
        </form>
    };
    let cards = vm
        .cards
        .iter()
        .map(|c| chart_card(ctx, c, false, vm.export.as_deref()))
        .collect_view();
    let body = view! {
        <div class="page-head"><h1>{ctx.t("nav.charts")}</h1>{vm.export.as_deref().filter(|_| !vm.empty).map(|a| export_buttons(ctx, a, "all", false))}</div>
        {filter_bar}
        {vm.empty.then(|| view! {
            <div class="card empty"><h2>{ctx.t("dash.empty_title")}</h2><p class="muted">{ctx.t("dash.empty_text")}</p><p><a class="btn" href="/upload">{ctx.t("nav.upload")}</a></p></div>
        })}
        <div class="chart-grid">{cards}</div>
    };
    render_document(ctx, &ctx.t("nav.charts"), body)
}

#[cfg(test)]
mod plain_tests {
    use super::*;

    #[test]
    fn exported_numbers_lose_float_noise_not_precision() {
        assert_eq!(plain_number(5224.609999999993), "5224.61");
        assert_eq!(plain_number(-3.0), "-3");
        assert_eq!(plain_number(0.1234567891234), "0.1234567891");
        assert_eq!(plain_number(1234567.5), "1234567.5");
        assert_eq!(plain_number(-0.00000000000001), "0");
        assert_eq!(
            CellVm::money("¥5,225", 5224.61, 0).plain.as_deref(),
            Some("5225")
        );
        assert_eq!(
            CellVm::money("$5,224.61", 5224.609999, 2).plain.as_deref(),
            Some("5224.61")
        );
    }
}
