//! The chart analysis page: the filter bar's values become typed queries (one per chart, all
//! on one reader connection), and their results become chart specs, tables and summaries.

use super::AppState;
use super::ctx::Member;
use super::error::AppError;
use super::pages::page_ctx;
use axum::extract::{Query, State};
use axum::response::Html;
use serde::Deserialize;
use sr360_analytics::{
    Comparison, Dimension, Filters, Grain, Metric, Query as Q, QueryError, QueryResult, Sort,
    TimeRange, Value,
};
use sr360_core::Permission;
use sr360_meta::TenantScope;
use sr360_ui::charts::{ChartKind, ChartSpec};
use sr360_ui::pages::{self as ui, CellVm, ChartCardVm, TableVm};
use sr360_ui::{PageCtx, format};
use std::collections::HashMap;
use time::Date;

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct ChartsQuery {
    pub(super) from: Option<String>,
    pub(super) to: Option<String>,
    pub(super) grain: Option<String>,
    pub(super) compare: Option<String>,
    pub(super) category: Option<String>,
    pub(super) region: Option<String>,
    pub(super) channel: Option<String>,
}

impl ChartsQuery {
    /// The filters as a query string (empty ones left out), to carry a view into its exports.
    pub(super) fn to_query(&self) -> String {
        let pairs: Vec<(&str, &str)> = [
            ("from", &self.from),
            ("to", &self.to),
            ("grain", &self.grain),
            ("compare", &self.compare),
            ("category", &self.category),
            ("region", &self.region),
            ("channel", &self.channel),
        ]
        .into_iter()
        .filter_map(|(k, v)| some(v).map(|v| (k, v)))
        .collect();
        serde_urlencoded::to_string(pairs).unwrap_or_default()
    }
}

fn some(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

pub(super) fn parse_date(s: &str) -> Result<Date, AppError> {
    Date::parse(s, time::macros::format_description!("[year]-[month]-[day]"))
        .map_err(|_| AppError::Invalid(format!("{s:?} is not a date like 2025-03-31")))
}

/// What the page asked for, checked.
pub(super) struct Ask {
    pub(super) range: Option<TimeRange>,
    grain: Option<Grain>,
    compare: Option<Comparison>,
    pub(super) filters: Filters,
}

pub(super) fn ask(q: &ChartsQuery) -> Result<Ask, AppError> {
    let range = match (some(&q.from), some(&q.to)) {
        (Some(a), Some(b)) => {
            let (a, b) = (parse_date(a)?, parse_date(b)?);
            Some(TimeRange {
                from: a.min(b),
                to: a.max(b),
            })
        }
        _ => None,
    };
    let grain = match some(&q.grain) {
        Some("day") => Some(Grain::Day),
        Some("week") => Some(Grain::Week),
        Some("month") => Some(Grain::Month),
        _ => None,
    };
    let compare = match some(&q.compare) {
        Some("none") => None,
        Some("previous_year") => Some(Comparison::PreviousYear),
        _ => Some(Comparison::PreviousPeriod),
    };
    let one = |v: &Option<String>| some(v).map(|s| vec![s.to_string()]).unwrap_or_default();
    Ok(Ask {
        range,
        grain,
        compare,
        filters: Filters {
            category: one(&q.category),
            region: one(&q.region),
            channel: one(&q.channel),
            ..Default::default()
        },
    })
}

/// Every query result the page needs.
struct Data {
    all: TimeRange,
    range: TimeRange,
    grain: Grain,
    trend: QueryResult,
    categories: QueryResult,
    products: QueryResult,
    regions: QueryResult,
    channels: QueryResult,
    customers: QueryResult,
    heatmap: QueryResult,
    returns: QueryResult,
    options: [Vec<String>; 3],
}

fn gather(c: &sr360_analytics::Session<'_>, a: &Ask) -> Result<Option<Data>, QueryError> {
    let Some(all) = c.data_range()? else {
        return Ok(None);
    };
    // Default: the last 90 days of data.
    let range = a.range.unwrap_or(all.last_days(90));
    let grain = a.grain.unwrap_or(match range.days() {
        0..=62 => Grain::Day,
        63..=370 => Grain::Week,
        _ => Grain::Month,
    });
    let q = |metrics: &[Metric], dims: Vec<Dimension>, limit: Option<u32>| {
        let mut q = Q::new(metrics);
        q.dimensions = dims;
        q.filters = a.filters.clone();
        q.range = Some(range);
        q.limit = limit;
        q
    };
    let mut trend = q(
        &[Metric::Revenue, Metric::Orders],
        vec![Dimension::Date(grain)],
        None,
    );
    trend.compare = a.compare;
    let mut returns = q(
        &[Metric::ReturnRate, Metric::ReturnedUnits],
        vec![Dimension::Category],
        Some(15),
    );
    returns.sort = Some(Sort {
        by: "return_rate".into(),
        desc: true,
    });
    let option = |d: Dimension| -> Result<Vec<String>, QueryError> {
        let mut q = Q::new(&[Metric::Orders]);
        q.dimensions = vec![d];
        let r = c.run(&q)?;
        let mut v: Vec<String> = r
            .rows
            .iter()
            .filter_map(|row| row[0].as_str().map(str::to_string))
            .collect();
        v.sort();
        Ok(v)
    };
    let run = |q: &Q| c.run(q);
    Ok(Some(Data {
        all,
        range,
        grain,
        trend: run(&trend)?,
        categories: run(&q(
            &[Metric::Revenue, Metric::Orders],
            vec![Dimension::Category],
            Some(15),
        ))?,
        products: run(&q(
            &[Metric::Revenue, Metric::Units],
            vec![Dimension::Product],
            Some(10),
        ))?,
        regions: run(&q(
            &[Metric::Revenue, Metric::Orders],
            vec![Dimension::Region],
            Some(12),
        ))?,
        channels: run(&q(&[Metric::Revenue], vec![Dimension::Channel], None))?,
        customers: run(&q(
            &[Metric::Customers],
            vec![Dimension::Date(grain), Dimension::CustomerType],
            None,
        ))?,
        heatmap: run(&q(
            &[Metric::Orders],
            vec![Dimension::Weekday, Dimension::Hour],
            None,
        ))?,
        returns: run(&returns)?,
        options: [
            option(Dimension::Category)?,
            option(Dimension::Region)?,
            option(Dimension::Channel)?,
        ],
    }))
}

/// The first day of each bucket from `r.from` to `r.to`.
pub(super) fn buckets(r: TimeRange, g: Grain) -> Vec<Date> {
    let mut d = match g {
        Grain::Day => r.from,
        Grain::Week => {
            r.from - time::Duration::days(i64::from(r.from.weekday().number_days_from_monday()))
        }
        Grain::Month => r.from.replace_day(1).unwrap_or(r.from),
    };
    let mut out = vec![];
    while d <= r.to && out.len() < 2000 {
        out.push(d);
        d = match g {
            Grain::Day => d + time::Duration::days(1),
            Grain::Week => d + time::Duration::days(7),
            Grain::Month => {
                let (y, m) = if d.month() == time::Month::December {
                    (d.year() + 1, time::Month::January)
                } else {
                    (d.year(), d.month().next())
                };
                Date::from_calendar_date(y, m, 1).unwrap_or(r.to + time::Duration::days(1))
            }
        };
    }
    out
}

pub(super) fn label(d: Date, g: Grain) -> String {
    match g {
        Grain::Month => format!("{}-{:02}", d.year(), u8::from(d.month())),
        _ => format!("{:02}-{:02}", u8::from(d.month()), d.day()),
    }
}

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or(0.0)
}

fn text(v: &Value) -> String {
    match v {
        Value::Text(s) => s.clone(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => f.to_string(),
        Value::Null => "—".into(),
    }
}

fn numeric(t: String, v: f64) -> CellVm {
    CellVm::number(t, Some(v))
}

/// The chart for the user's theme (both when the theme follows the device).
pub(super) fn chart_svgs(p: &PageCtx, spec: &ChartSpec) -> (Option<String>, Option<String>) {
    let draw = |dark: bool| sr360_ui::charts::svg(spec, dark).map(|s| sr360_ui::charts::inline(&s));
    match p.theme.as_str() {
        "light" => (draw(false), None),
        "dark" => (None, draw(true)),
        _ => (draw(false), draw(true)),
    }
}

fn card(
    p: &PageCtx,
    id: &'static str,
    spec: ChartSpec,
    summary: String,
    table: TableVm,
) -> ChartCardVm {
    let (svg_light, svg_dark) = chart_svgs(p, &spec);
    ChartCardVm {
        id,
        title: spec.title.clone(),
        svg_light,
        svg_dark,
        spec: Some(spec),
        summary,
        table,
    }
}

fn short(s: &str) -> String {
    if s.chars().count() > 30 {
        format!("{}…", s.chars().take(29).collect::<String>())
    } else {
        s.to_string()
    }
}

/// A ranking chart (horizontal bars) with its table.
struct Ranking<'a> {
    id: &'static str,
    result: &'a QueryResult,
    /// The column naming the bars, and the one giving their length.
    label_col: usize,
    value_col: usize,
    headers: Vec<String>,
    fmt: &'a dyn Fn(f64) -> String,
    /// Turns a label into a drill-down URL.
    link: Option<&'a dyn Fn(&str) -> String>,
}

fn ranking(p: &PageCtx, k: Ranking<'_>) -> ChartCardVm {
    let Ranking {
        id,
        result: r,
        label_col,
        value_col,
        headers,
        fmt,
        link,
    } = k;
    let mut spec = ChartSpec::new(ChartKind::HBar, p.t(&format!("charts.{id}")));
    spec.labels = r
        .rows
        .iter()
        .map(|row| short(&format::label(&text(&row[label_col]))))
        .collect();
    spec.series = vec![(
        headers.get(1).cloned().unwrap_or_default(),
        r.rows.iter().map(|row| num(&row[value_col])).collect(),
    )];
    let rows: Vec<Vec<CellVm>> = r
        .rows
        .iter()
        .map(|row| {
            let name = text(&row[label_col]);
            let mut cells = vec![CellVm::link(format::label(&name), link.map(|l| l(&name)))];
            for (i, v) in row.iter().enumerate() {
                if i == label_col || r.columns[i].role == "dimension" {
                    continue;
                }
                cells.push(CellVm::number(fmt_metric(p, r, i, v, fmt), v.as_f64()));
            }
            cells
        })
        .collect();
    let summary = match r.rows.as_slice() {
        [] => p.t("charts.nothing"),
        [first, rest @ ..] => p
            .t("charts.sum_rank")
            .replace("{first}", &format::label(&text(&first[label_col])))
            .replace("{first_value}", &fmt(num(&first[value_col])))
            .replace(
                "{rest}",
                &rest
                    .iter()
                    .take(3)
                    .map(|row| {
                        format!(
                            "{} ({})",
                            format::label(&text(&row[label_col])),
                            fmt(num(&row[value_col]))
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
    };
    card(p, id, spec, summary, TableVm { headers, rows })
}

fn fmt_metric(
    p: &PageCtx,
    r: &QueryResult,
    i: usize,
    v: &Value,
    money: &dyn Fn(f64) -> String,
) -> String {
    match r.columns[i].unit {
        Some(sr360_analytics::Unit::Money) => money(num(v)),
        Some(sr360_analytics::Unit::Ratio) => v
            .as_f64()
            .map(|x| format::percent(p.locale, x))
            .unwrap_or_else(|| "—".into()),
        _ => format::amount(p.locale, num(v)),
    }
}

fn build(
    p: &PageCtx,
    d: &Data,
    currency: &str,
    link_base: &dyn Fn(&str, &str) -> String,
) -> Vec<ChartCardVm> {
    let money = |v: f64| format::money(p.locale, v, currency);
    let mut cards = vec![];

    // 1. Sales trend with the comparison period, bucket by bucket.
    let by: HashMap<&str, f64> = d
        .trend
        .rows
        .iter()
        .filter_map(|r| Some((r[0].as_str()?, num(&r[1]))))
        .collect();
    let now = buckets(d.range, d.grain);
    let mut spec = ChartSpec::new(ChartKind::Line, p.t("charts.trend"));
    spec.labels = now.iter().map(|b| label(*b, d.grain)).collect();
    let values: Vec<f64> = now
        .iter()
        .map(|b| by.get(b.to_string().as_str()).copied().unwrap_or(0.0))
        .collect();
    spec.series = vec![(p.t("charts.this_period"), values.clone())];
    let mut headers = vec![p.t("charts.period_col"), p.t("charts.revenue")];
    let mut prev_values = vec![];
    if let (Some(prev), Some(pr)) = (&d.trend.previous, d.trend.previous_range) {
        let pby: HashMap<&str, f64> = prev
            .iter()
            .filter_map(|r| Some((r[0].as_str()?, num(&r[1]))))
            .collect();
        prev_values = buckets(pr, d.grain)
            .iter()
            .map(|b| pby.get(b.to_string().as_str()).copied().unwrap_or(0.0))
            .collect();
        prev_values.resize(values.len(), 0.0);
        spec.series
            .push((p.t("charts.previous"), prev_values.clone()));
        headers.push(p.t("charts.previous"));
    }
    let rows = now
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let mut r = vec![
                CellVm::date(format::date(p.locale, *b), *b),
                numeric(money(values[i]), values[i]),
            ];
            if let Some(v) = prev_values.get(i) {
                r.push(numeric(money(*v), *v));
            }
            r
        })
        .collect();
    let total: f64 = values.iter().sum();
    let prev_total: f64 = prev_values.iter().sum();
    let change = if prev_total > 0.0 {
        p.t("charts.sum_change").replace(
            "{change}",
            &format!(
                "{}{}",
                if total >= prev_total { "+" } else { "" },
                format::percent(p.locale, (total - prev_total) / prev_total)
            ),
        )
    } else {
        String::new()
    };
    let best = values
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(b.1))
        .map(|(i, v)| (now[i], *v));
    let summary = match best {
        Some((b, v)) if total != 0.0 => p
            .t("charts.sum_trend")
            .replace("{total}", &money(total))
            .replace("{from}", &format::date(p.locale, d.range.from))
            .replace("{to}", &format::date(p.locale, d.range.to))
            .replace("{change}", &change)
            .replace(
                "{grain}",
                &p.t(&format!(
                    "charts.grain_{}",
                    match d.grain {
                        Grain::Day => "day",
                        Grain::Week => "week",
                        Grain::Month => "month",
                    }
                ))
                .to_lowercase(),
            )
            .replace("{best}", &format::date(p.locale, b))
            .replace("{best_value}", &money(v)),
        _ => p.t("charts.nothing"),
    };
    cards.push(card(p, "trend", spec, summary, TableVm { headers, rows }));

    // 2–4. Rankings; a category opens its products.
    let to_category = |c: &str| link_base("category", c);
    let cols = |keys: [&str; 3]| {
        keys.iter()
            .map(|k| p.t(&format!("charts.{k}")))
            .collect::<Vec<_>>()
    };
    cards.push(ranking(
        p,
        Ranking {
            id: "categories",
            result: &d.categories,
            label_col: 0,
            value_col: 1,
            headers: cols(["category", "revenue", "orders"]),
            fmt: &money,
            link: Some(&to_category),
        },
    ));
    cards.push(ranking(
        p,
        Ranking {
            id: "products",
            result: &d.products,
            label_col: 1,
            value_col: 2,
            headers: cols(["product", "revenue", "units"]),
            fmt: &money,
            link: None,
        },
    ));
    let to_region = |r: &str| link_base("region", r);
    let mut regions = ranking(
        p,
        Ranking {
            id: "regions",
            result: &d.regions,
            label_col: 0,
            value_col: 1,
            headers: cols(["region", "revenue", "orders"]),
            fmt: &money,
            link: Some(&to_region),
        },
    );
    let mut spec = ChartSpec::new(ChartKind::Bar { stacked: false }, p.t("charts.regions"));
    spec.labels = d
        .regions
        .rows
        .iter()
        .map(|r| short(&format::label(&text(&r[0]))))
        .collect();
    spec.series = vec![(
        p.t("charts.revenue"),
        d.regions.rows.iter().map(|r| num(&r[1])).collect(),
    )];
    (regions.svg_light, regions.svg_dark) = chart_svgs(p, &spec);
    regions.spec = Some(spec);
    cards.push(regions);

    // 5. Channel mix.
    let total: f64 = d.channels.rows.iter().map(|r| num(&r[1])).sum();
    let mut spec = ChartSpec::new(ChartKind::Pie, p.t("charts.channels"));
    spec.labels = d
        .channels
        .rows
        .iter()
        .map(|r| format::label(&text(&r[0])))
        .collect();
    spec.series = vec![(
        p.t("charts.revenue"),
        d.channels
            .rows
            .iter()
            .map(|r| num(&r[1]).max(0.0))
            .collect(),
    )];
    let share = |v: f64| {
        if total > 0.0 {
            format::percent(p.locale, v / total)
        } else {
            "—".into()
        }
    };
    let rows = d
        .channels
        .rows
        .iter()
        .map(|r| {
            vec![
                CellVm::link(
                    format::label(&text(&r[0])),
                    Some(link_base("channel", &text(&r[0]))),
                ),
                numeric(money(num(&r[1])), num(&r[1])),
                CellVm::number(share(num(&r[1])), (total > 0.0).then(|| num(&r[1]) / total)),
            ]
        })
        .collect();
    let parts = d
        .channels
        .rows
        .iter()
        .map(|r| format!("{} {}", format::label(&text(&r[0])), share(num(&r[1]))))
        .collect::<Vec<_>>()
        .join(", ");
    cards.push(card(
        p,
        "channels",
        spec,
        if parts.is_empty() {
            p.t("charts.nothing")
        } else {
            p.t("charts.sum_pie").replace("{parts}", &parts)
        },
        TableVm {
            headers: vec![
                p.t("charts.channel"),
                p.t("charts.revenue"),
                p.t("charts.share"),
            ],
            rows,
        },
    ));

    // 6. New vs returning customers per bucket.
    let mut per: HashMap<(String, String), f64> = HashMap::new();
    for r in &d.customers.rows {
        per.insert((text(&r[0]), text(&r[1])), num(&r[2]));
    }
    let get = |b: &Date, t: &str| {
        per.get(&(b.to_string(), t.to_string()))
            .copied()
            .unwrap_or(0.0)
    };
    let mut spec = ChartSpec::new(ChartKind::Bar { stacked: true }, p.t("charts.customers"));
    spec.labels = now.iter().map(|b| label(*b, d.grain)).collect();
    spec.series = vec![
        (
            p.t("charts.new"),
            now.iter().map(|b| get(b, "new")).collect(),
        ),
        (
            p.t("charts.returning"),
            now.iter().map(|b| get(b, "returning")).collect(),
        ),
    ];
    let rows = now
        .iter()
        .map(|b| {
            vec![
                CellVm::date(format::date(p.locale, *b), *b),
                numeric(format::amount(p.locale, get(b, "new")), get(b, "new")),
                numeric(
                    format::amount(p.locale, get(b, "returning")),
                    get(b, "returning"),
                ),
            ]
        })
        .collect();
    let (n, r): (f64, f64) = (
        now.iter().map(|b| get(b, "new")).sum(),
        now.iter().map(|b| get(b, "returning")).sum(),
    );
    let summary = p
        .t("charts.sum_customers")
        .replace("{new}", &format::amount(p.locale, n))
        .replace("{returning}", &format::amount(p.locale, r));
    cards.push(card(
        p,
        "customers",
        spec,
        summary,
        TableVm {
            headers: vec![
                p.t("charts.period_col"),
                p.t("charts.new"),
                p.t("charts.returning"),
            ],
            rows,
        },
    ));

    // 7. Weekday × hour.
    let mut grid = vec![vec![0.0; 24]; 7];
    for r in &d.heatmap.rows {
        let (wd, h) = (num(&r[0]) as usize, num(&r[1]) as usize);
        if (1..=7).contains(&wd) && h < 24 {
            grid[wd - 1][h] = num(&r[2]);
        }
    }
    let wd = |i: usize| p.t(&format!("charts.wd_{}", i + 1));
    let mut spec = ChartSpec::new(ChartKind::Heatmap, p.t("charts.heatmap"));
    spec.labels = (0..24).map(|h| h.to_string()).collect();
    // Rows are drawn bottom-up: Sunday at the bottom, Monday on top.
    spec.rows = (0..7).rev().map(wd).collect();
    spec.cells = (0..7).rev().map(|i| grid[i].clone()).collect();
    let mut cells: Vec<(usize, usize, f64)> = (0..7)
        .flat_map(|i| (0..24).map(move |h| (i, h)))
        .map(|(i, h)| (i, h, grid[i][h]))
        .collect();
    cells.sort_by(|a, b| b.2.total_cmp(&a.2));
    let summary = match (cells.first(), cells.last()) {
        (Some(b), Some(q)) if b.2 > 0.0 => p
            .t("charts.sum_heatmap")
            .replace("{busy}", &format!("{} {:02}:00", wd(b.0), b.1))
            .replace("{busy_n}", &format::amount(p.locale, b.2))
            .replace("{quiet}", &format!("{} {:02}:00", wd(q.0), q.1))
            .replace("{quiet_n}", &format::amount(p.locale, q.2)),
        _ => p.t("charts.nothing"),
    };
    let mut headers = vec![p.t("charts.weekday")];
    headers.extend((0..24).map(|h| format!("{h:02}")));
    let rows = (0..7)
        .map(|i| {
            std::iter::once(CellVm::text(wd(i)))
                .chain(
                    grid[i]
                        .iter()
                        .map(|v| numeric(format::amount(p.locale, *v), *v)),
                )
                .collect()
        })
        .collect();
    cards.push(card(p, "heatmap", spec, summary, TableVm { headers, rows }));

    // 8. Returns by category, highest rate first.
    let pct = |v: f64| format::percent(p.locale, v);
    let mut c = ranking(
        p,
        Ranking {
            id: "returns",
            result: &d.returns,
            label_col: 0,
            value_col: 1,
            headers: cols(["category", "return_rate", "returned_units"]),
            fmt: &pct,
            link: Some(&to_category),
        },
    );
    c.summary = match d.returns.rows.first() {
        Some(f) => p
            .t("charts.sum_returns")
            .replace("{first}", &format::label(&text(&f[0])))
            .replace("{first_value}", &pct(num(&f[1]))),
        None => p.t("charts.nothing"),
    };
    cards.push(c);
    let _ = d.all;
    cards
}

pub async fn charts(
    State(state): State<AppState>,
    m: Member,
    Query(q): Query<ChartsQuery>,
) -> Result<Html<String>, AppError> {
    m.require(Permission::ViewAnalytics)?;
    let p = page_ctx(&state, m.ctx(), None);
    let mut vm = charts_view(&state, &m.scope, &p, &q).await?;
    vm.export = super::reports::export_action(&m.scope, "charts", &q.to_query());
    Ok(Html(ui::charts(&p, &vm)))
}

/// Everything the charts page shows (also what its exports print).
pub(super) async fn charts_view(
    state: &AppState,
    scope: &TenantScope,
    p: &PageCtx,
    q: &ChartsQuery,
) -> Result<ui::ChartsVm, AppError> {
    let tenant = super::ctx::shop_of(state, scope)?;
    let a = ask(q)?;
    let wh = state.warehouses.open(scope).map_err(AppError::internal)?;
    let filters = a.filters.clone();
    let data =
        tokio::task::spawn_blocking(move || sr360_analytics::session(&wh, |s| gather(s, &a)))
            .await
            .map_err(AppError::internal)??;
    let Some(d) = data else {
        return Ok(ui::ChartsVm {
            empty: true,
            ..Default::default()
        });
    };
    // Links keep the current view and change one filter (drill-down).
    let base: Vec<(String, String)> = [
        ("from", d.range.from.to_string()),
        ("to", d.range.to.to_string()),
        ("grain", some(&q.grain).unwrap_or("").to_string()),
        ("compare", some(&q.compare).unwrap_or("").to_string()),
        (
            "category",
            filters.category.first().cloned().unwrap_or_default(),
        ),
        (
            "region",
            filters.region.first().cloned().unwrap_or_default(),
        ),
        (
            "channel",
            filters.channel.first().cloned().unwrap_or_default(),
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    let link = |key: &str, value: &str| {
        let pairs: Vec<(String, String)> = base
            .iter()
            .map(|(k, v)| {
                (
                    k.clone(),
                    if k == key {
                        value.to_string()
                    } else {
                        v.clone()
                    },
                )
            })
            .filter(|(_, v)| !v.is_empty())
            .collect();
        format!(
            "/charts?{}",
            serde_urlencoded::to_string(&pairs).unwrap_or_default()
        )
    };
    let cards = build(p, &d, &tenant.currency, &link);
    let grain = match d.grain {
        Grain::Day => "day",
        Grain::Week => "week",
        Grain::Month => "month",
    };
    let vm = ui::ChartsVm {
        filters: ui::ChartFiltersVm {
            from: d.range.from.to_string(),
            to: d.range.to.to_string(),
            min: d.all.from.to_string(),
            max: d.all.to.to_string(),
            grain: grain.into(),
            compare: some(&q.compare).unwrap_or("previous_period").into(),
            category: filters.category.first().cloned().unwrap_or_default(),
            region: filters.region.first().cloned().unwrap_or_default(),
            channel: filters.channel.first().cloned().unwrap_or_default(),
            categories: d.options[0].clone(),
            regions: d.options[1].clone(),
            channels: d.options[2].clone(),
        },
        cards,
        empty: false,
        export: None,
    };
    Ok(vm)
}
