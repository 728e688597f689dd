//! Answers: a plan run through the query layer (or the stored model results), worded in the
//! asker's language with every number taken from the result, plus the table it rests on, a
//! chart, the page to look further, the SQL the query layer ran, and follow-up questions.

use crate::plan::{Figures, Plan};
use serde::Serialize;
use sr360_analytics::{
    Dimension, Metric, Query, QueryError, QueryResult, Session, Sort, TimeRange, Unit, Value,
};
use sr360_ml::store::{AnomalyRow, ForecastView, SegmentModel, SeriesStatus};
use sr360_ui::format;
use sr360_ui::tr;

/// The shop an answer speaks about.
#[derive(Debug, Clone, Copy)]
pub struct Shop<'a> {
    pub currency: &'a str,
    pub timezone: &'a str,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Table {
    pub columns: Vec<String>,
    #[schema(value_type = Vec<Vec<Object>>)]
    pub rows: Vec<Vec<serde_json::Value>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Series {
    pub name: String,
    pub values: Vec<f64>,
}

/// What the page draws (the same chart kinds the pages use).
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Chart {
    /// `line`, `bar`, `hbar` or `funnel`.
    pub kind: &'static str,
    pub title: String,
    pub labels: Vec<String>,
    pub series: Vec<Series>,
    /// The values are shares (0.25 = 25 %).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub percent: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Source {
    pub kind: &'static str,
    pub title: String,
    pub url: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Confidence {
    High,
    Medium,
    Low,
}

/// How long an answer took.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Timings {
    pub first_token_ms: u64,
    pub total_ms: u64,
}

/// The copilot's answer as the API sends it (`POST /api/v1/copilot/ask`).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Answer {
    /// The answer in words; every number in it comes from `result`.
    pub answer: String,
    /// The figures the answer rests on; the first row is the direct answer.
    pub result: Option<Table>,
    pub chart: Option<Chart>,
    /// What was run.
    pub plan: Option<Plan>,
    /// The SQL the query layer ran, for figures.
    pub sql: Option<String>,
    pub sources: Vec<Source>,
    pub confidence: Confidence,
    pub followups: Vec<String>,
    pub conversation: String,
    /// The language model that helped, if any (the parser alone: none).
    pub model: Option<String>,
    pub timings: Timings,
    pub lang: String,
}

/// An answer before the conversation and timings are added.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reply {
    pub answer: String,
    pub result: Option<Table>,
    pub chart: Option<Chart>,
    pub sql: Option<String>,
    pub sources: Vec<Source>,
    pub confidence: Confidence,
    pub followups: Vec<String>,
}

/// The list separator of `lang`.
fn comma(lang: &str) -> &'static str {
    match lang {
        "ar" => "، ",
        "zh-CN" => "、",
        _ => ", ",
    }
}

pub fn metric_name(lang: &str, m: Metric) -> String {
    tr(lang, &format!("copilot.m_{}", m.name()))
}

/// A value in its metric's unit, in the asker's language.
pub fn value_text(lang: &str, shop: Shop<'_>, m: Metric, v: Option<f64>) -> String {
    match (m.unit(), v) {
        (_, None) => "—".into(),
        (Unit::Money, Some(v)) => format::money(lang, v, shop.currency),
        (Unit::Ratio, Some(v)) => format::percent(lang, v),
        (Unit::Count, Some(v)) => format::amount(lang, v),
    }
}

fn period_text(lang: &str, r: TimeRange, all: bool) -> String {
    tr(
        lang,
        if all {
            "copilot.period_all"
        } else {
            "copilot.period"
        },
    )
    .replace("{from}", &format::date(lang, r.from))
    .replace("{to}", &format::date(lang, r.to))
}

fn change_text(lang: &str, a: Option<f64>, b: Option<f64>) -> (String, Option<f64>) {
    match (a, b) {
        (Some(a), Some(b)) if b != 0.0 => {
            let c = (a - b) / b.abs();
            // The result keeps the change to 0.01 % (as shown), not a float's last digits.
            (
                format::signed_percent(lang, c),
                Some((c * 10_000.0).round() / 10_000.0),
            )
        }
        _ => (tr(lang, "copilot.no_change_base"), None),
    }
}

/// A result value as JSON (whole numbers stay whole).
fn json(v: Option<&Value>) -> serde_json::Value {
    match v {
        None | Some(Value::Null) => serde_json::Value::Null,
        Some(Value::Int(i)) => (*i).into(),
        Some(Value::Float(f)) => serde_json::Number::from_f64(*f)
            .map(serde_json::Value::Number)
            .unwrap_or(serde_json::Value::Null),
        Some(Value::Text(s)) => s.clone().into(),
    }
}

/// The label of a row of a split: the product's name for products, else the dimension value.
fn label(r: &QueryResult, row: &[Value], by: Dimension) -> String {
    let i = if by == Dimension::Product && r.columns.len() > 2 {
        1
    } else {
        0
    };
    let t = sr360_views::card::text(&row[i]);
    match by {
        Dimension::Category | Dimension::Channel => format::label(&t),
        Dimension::Hour => t.parse::<u8>().map(|h| format!("{h:02}:00")).unwrap_or(t),
        _ => t,
    }
}

/// A period as a follow-up question names it, in words the parser reads back: "Jun 2026",
/// "Q1 2026", "2025" (ISO months in Arabic, whose digits and marks do not survive folding);
/// other spans are left out (the whole data).
fn phrase(lang: &str, r: TimeRange) -> String {
    match crate::dates::unit_of(r) {
        crate::dates::Unit::Month if lang == "ar" => {
            format!("{}-{:02}", r.from.year(), u8::from(r.from.month()))
        }
        crate::dates::Unit::Month => format::month(lang, r.from),
        crate::dates::Unit::Quarter => {
            format!(
                "Q{} {}",
                (u8::from(r.from.month()) - 1) / 3 + 1,
                r.from.year()
            )
        }
        crate::dates::Unit::Year => r.from.year().to_string(),
        _ => String::new(),
    }
}

/// A row's label as the answer writes it (weekdays by name).
fn row_label(lang: &str, r: &QueryResult, row: &[Value], by: Dimension) -> String {
    let l = label(r, row, by);
    match by {
        Dimension::Weekday => weekday(lang, &l),
        // "new" / "returning" as the charts page says them.
        Dimension::CustomerType if matches!(l.as_str(), "new" | "returning") => {
            tr(lang, &format!("copilot.m_{l}_customers"))
        }
        _ => l,
    }
}

/// A weekday number (1 = Monday) as its name in `lang`.
fn weekday(lang: &str, t: &str) -> String {
    match t.parse::<u8>() {
        Ok(n @ 1..=7) => tr(lang, &format!("charts.wd_{n}")),
        _ => t.to_string(),
    }
}

/// A metric's value as JSON, rounded as it is shown: money to the currency's decimals
/// (cents, whole yen), shares to 0.01 %.
fn rounded(m: Metric, v: Option<&Value>, money_places: u32) -> serde_json::Value {
    let round = |x: f64, places: i32| {
        let p = 10f64.powi(places);
        (x * p).round() / p
    };
    match (m.unit(), v) {
        (Unit::Money, Some(Value::Float(x))) => {
            json(Some(&Value::Float(round(*x, money_places as i32))))
        }
        (Unit::Ratio, Some(Value::Float(x))) => json(Some(&Value::Float(round(*x, 4)))),
        _ => json(v),
    }
}

/// Units a product must have sold before a rate of it (returns, margin) is ranked.
const MIN_UNITS_FOR_A_RATE: f64 = 10.0;

fn query(f: &Figures, range: TimeRange) -> Query {
    let mut q = Query::new(&[f.metric]);
    q.filters = f.filters.clone();
    q.range = Some(range);
    if let Some(d) = f.by {
        q.dimensions = vec![d];
        // Periods are drawn in time order, unless ranked ("which month had the most").
        if !matches!(d, Dimension::Date(_)) || f.top.is_some() {
            q.sort = Some(Sort {
                by: f.metric.name().into(),
                desc: f.desc,
            });
            // A split without "top N" shows every value up to a chart's worth (a shop has a
            // dozen or two categories, countries or channels).
            q.limit = Some(f.top.unwrap_or(25));
        }
    }
    q
}

fn page_link(f: &Figures, range: TimeRange) -> String {
    let mut pairs = vec![
        ("from", range.from.to_string()),
        ("to", range.to.to_string()),
    ];
    for (k, v) in [
        ("category", f.filters.category.first()),
        ("region", f.filters.region.first()),
        ("channel", f.filters.channel.first()),
    ] {
        if let Some(v) = v {
            pairs.push((k, v.clone()));
        }
    }
    format!(
        "/charts?{}",
        serde_urlencoded::to_string(&pairs).unwrap_or_default()
    )
}

/// Answer a figures plan on one analytics session of the caller's shop.
pub fn figures(
    s: &Session<'_>,
    f: &Figures,
    lang: &str,
    shop: Shop<'_>,
    confidence: Confidence,
) -> Result<Reply, QueryError> {
    let all = s.data_range()?.ok_or(QueryError::NoData)?;
    let range = f.range.unwrap_or(all);
    let period = period_text(lang, range, f.range.is_none());
    let m = f.metric;
    let places = sr360_analytics::currency_places(shop.currency);
    // Products are named, not shown as SKUs.
    let products: Vec<String> = if f.filters.sku.is_empty() {
        vec![]
    } else {
        let mut q = Query::new(&[Metric::Orders]);
        q.dimensions = vec![Dimension::Product];
        q.filters.sku = f.filters.sku.clone();
        let names: Vec<String> = s
            .run(&q)?
            .rows
            .iter()
            .filter_map(|r| r.get(1)?.as_str().map(str::to_string))
            .collect();
        // A kind of product may be many: the three most ordered are named, the rest counted.
        if names.len() > 3 {
            let mut v = names[..3].to_vec();
            v.push(
                tr(lang, "copilot.n_more")
                    .replace("{n}", &format::amount(lang, (names.len() - 3) as f64)),
            );
            v
        } else {
            names
        }
    };
    // What the figure is limited to, in its words: "Revenue (Footwear, DE)".
    let only: Vec<String> = f
        .filters
        .category
        .iter()
        .chain(&f.filters.channel)
        .map(|v| format::label(v))
        .chain(f.filters.region.iter().chain(&f.filters.country).cloned())
        .chain(products)
        .collect();
    let with_names = |metric: String| {
        if only.is_empty() {
            metric
        } else {
            format!("{metric} ({})", only.join(comma(lang)))
        }
    };
    let mname = with_names(metric_name(lang, m));
    // Inside a sentence the metric is in lower case, the names as the shop writes them (a
    // follow-up must read "TX" back as a code).
    let mname_lc = if matches!(lang, "en" | "es") {
        with_names(metric_name(lang, m).to_lowercase())
    } else {
        mname.clone()
    };
    let val = |v: Option<f64>| value_text(lang, shop, m, v);
    if !f.absent.is_empty() {
        return absent(s, f, lang, shop, confidence);
    }
    // A name the shop does not have is left out of the figure: said, and not sure.
    let confidence = if f.unmatched.is_empty() {
        confidence
    } else {
        Confidence::Low
    };
    // The whole a share is taken of: the figure without the filters, or without the split.
    let whole = if f.share && f.versus.is_none() {
        let mut w = f.clone();
        match f.by {
            Some(_) => w.by = None,
            None => w.filters = sr360_analytics::Filters::default(),
        }
        let r = s.run(&query(&w, range))?;
        r.rows.first().and_then(|row| row.last()).cloned()
    } else {
        None
    };
    let whole_json = rounded(m, whole.as_ref(), places);
    let whole = whole.as_ref().and_then(Value::as_f64);
    let share_of = |v: Option<f64>| match (v, whole) {
        (Some(v), Some(t)) if t != 0.0 => Some(v / t),
        _ => None,
    };
    let share_json = |v: Option<f64>| {
        share_of(v)
            .map(|x| serde_json::Value::from((x * 10_000.0).round() / 10_000.0))
            .unwrap_or_default()
    };
    let mut q = query(f, range);
    if m == Metric::RepeatPurchaseRate && f.by.is_none() && f.versus.is_none() {
        // "How many customers ordered more than once": the count behind the share.
        q.metrics = vec![Metric::Customers, Metric::RepeatPurchaseRate];
    }
    // A rate ranked by product counts only products sold often enough for the rate to mean
    // something: one unit sold and returned is not "the highest return rate, 100 %".
    let thin = m.unit() == Unit::Ratio && f.by == Some(Dimension::Product);
    if thin {
        q.limit = Some(10_000);
    }
    let mut r = s.run(&q)?;
    let mut sentences = vec![];
    let mut thin_note = None;
    if thin {
        let mut uq = query(f, range);
        uq.metrics = vec![Metric::Units];
        uq.sort = None;
        uq.limit = Some(10_000);
        let units: std::collections::HashMap<String, f64> = s
            .run(&uq)?
            .rows
            .iter()
            .filter_map(|row| Some((row.first()?.as_str()?.to_string(), row.last()?.as_f64()?)))
            .collect();
        let enough = |row: &Vec<Value>| {
            row.first()
                .and_then(Value::as_str)
                .and_then(|k| units.get(k))
                .is_some_and(|u| *u >= MIN_UNITS_FOR_A_RATE)
        };
        let before = r.rows.len();
        r.rows.retain(enough);
        let left_out = r.rows.len() < before;
        r.rows.truncate(f.top.unwrap_or(25) as usize);
        if left_out {
            thin_note = Some(
                tr(lang, "copilot.min_units")
                    .replace("{n}", &format::amount(lang, MIN_UNITS_FOR_A_RATE)),
            );
        }
    }
    let last = r.columns.len().saturating_sub(1);
    let mut chart = None;
    let result;
    match (f.by, f.versus) {
        (None, None) if m == Metric::RepeatPurchaseRate => {
            let row = r.rows.first();
            let customers = row.and_then(|r| r[0].as_f64()).unwrap_or(0.0);
            let rate = row.and_then(|r| r[1].as_f64());
            let repeat = rate.map(|x| (x * customers).round());
            sentences.push(
                tr(lang, "copilot.repeat")
                    .replace(
                        "{repeat}",
                        &repeat
                            .map(|n| format::amount(lang, n))
                            .unwrap_or_else(|| "—".into()),
                    )
                    .replace("{customers}", &format::amount(lang, customers))
                    .replace("{rate}", &val(rate))
                    .replace("{period}", &period),
            );
            result = Table {
                columns: vec![
                    "repeat_customers".into(),
                    "customers".into(),
                    m.name().into(),
                ],
                rows: vec![vec![
                    repeat
                        .map(|n| serde_json::Value::from(n as i64))
                        .unwrap_or_default(),
                    serde_json::Value::from(customers as i64),
                    rounded(m, row.map(|r| &r[1]), places),
                ]],
            };
        }
        (None, None) if whole.is_some() => {
            let v = r.rows.first().and_then(|row| row[last].as_f64());
            sentences.push(
                tr(lang, "copilot.share")
                    .replace("{part}", &only.join(comma(lang)))
                    .replace(
                        "{share}",
                        &share_of(v)
                            .map(|x| format::percent(lang, x))
                            .unwrap_or_else(|| "—".into()),
                    )
                    .replace("{metric}", &metric_name(lang, m).to_lowercase())
                    .replace("{period}", &period)
                    .replace("{value}", &val(v))
                    .replace("{total}", &val(whole)),
            );
            result = Table {
                columns: vec![
                    m.name().into(),
                    format!("{}_total", m.name()),
                    "share".into(),
                ],
                rows: vec![vec![
                    rounded(m, r.rows.first().map(|row| &row[last]), places),
                    whole_json.clone(),
                    share_json(v),
                ]],
            };
        }
        (None, None) => {
            let v = r.rows.first().and_then(|row| row[last].as_f64());
            sentences.push(
                tr(lang, "copilot.total")
                    .replace("{metric}", &mname)
                    .replace("{period}", &period)
                    .replace("{value}", &val(v)),
            );
            result = Table {
                columns: vec![m.name().into()],
                rows: vec![vec![rounded(
                    m,
                    r.rows.first().map(|row| &row[last]),
                    places,
                )]],
            };
        }
        (None, Some(before)) => {
            let r2 = s.run(&query(f, before))?;
            let a = r.rows.first().and_then(|row| row[last].as_f64());
            let b = r2.rows.first().and_then(|row| row[last].as_f64());
            let (change, c) = change_text(lang, a, b);
            sentences.push(
                tr(lang, "copilot.compare")
                    .replace("{metric}", &mname)
                    .replace("{period}", &period)
                    .replace("{value}", &val(a))
                    .replace("{before}", &val(b))
                    .replace("{period_before}", &period_text(lang, before, false))
                    .replace("{change}", &change),
            );
            result = Table {
                columns: vec![
                    m.name().into(),
                    format!("{}_before", m.name()),
                    "change".into(),
                ],
                rows: vec![vec![
                    rounded(m, r.rows.first().map(|row| &row[last]), places),
                    rounded(m, r2.rows.first().map(|row| &row[last]), places),
                    c.map(serde_json::Value::from).unwrap_or_default(),
                ]],
            };
            chart = Some(Chart {
                percent: m.unit() == Unit::Ratio,
                kind: "bar",
                title: mname.clone(),
                labels: vec![period_text(lang, before, false), period.clone()],
                series: vec![Series {
                    name: mname.clone(),
                    values: vec![b.unwrap_or(0.0), a.unwrap_or(0.0)],
                }],
            });
        }
        (Some(by), versus) => {
            let before = match versus {
                Some(v) => Some(s.run(&query(f, v))?),
                None => None,
            };
            let prior_value = |l: &str| -> Option<&Value> {
                let b = before.as_ref()?;
                b.rows
                    .iter()
                    .find(|row| row_label(lang, b, row, by) == l)
                    .map(|row| &row[b.columns.len() - 1])
            };
            let prior = |l: &str| prior_value(l).and_then(Value::as_f64);
            let ranked_dates = matches!(by, Dimension::Date(_)) && f.top.is_some();
            let labels: Vec<String> = r
                .rows
                .iter()
                .map(|row| row_label(lang, &r, row, by))
                .map(|l| match by {
                    Dimension::Date(g) if ranked_dates => date_label(lang, g, &l),
                    _ => l,
                })
                .collect();
            let values: Vec<Option<f64>> = r.rows.iter().map(|row| row[last].as_f64()).collect();
            // "Which region grew the most": rows by their change, the largest rise (or fall)
            // first; rows without a base to compare with last.
            let mut order: Vec<usize> = (0..labels.len()).collect();
            let growth = f.by_change && before.is_some();
            if growth {
                let change = |i: usize| change_text(lang, values[i], prior(&labels[i])).1;
                order.sort_by(|a, b| match (change(*a), change(*b)) {
                    (Some(x), Some(y)) if f.desc => y.total_cmp(&x),
                    (Some(x), Some(y)) => x.total_cmp(&y),
                    (Some(_), None) => std::cmp::Ordering::Less,
                    (None, Some(_)) => std::cmp::Ordering::Greater,
                    (None, None) => std::cmp::Ordering::Equal,
                });
            }
            let labels: Vec<String> = order.iter().map(|i| labels[*i].clone()).collect();
            let values: Vec<Option<f64>> = order.iter().map(|i| values[*i]).collect();
            let raw_rows: Vec<&Vec<Value>> = order.iter().map(|i| &r.rows[*i]).collect();
            let by_name = if by == Dimension::Product {
                "product"
            } else {
                by.name()
            };
            let mut columns = vec![by_name.to_string(), m.name().into()];
            if before.is_some() {
                columns.push(format!("{}_before", m.name()));
                columns.push("change".into());
            }
            if whole.is_some() {
                columns.push(format!("{}_total", m.name()));
                columns.push("share".into());
            }
            let rows = labels
                .iter()
                .zip(&values)
                .zip(&raw_rows)
                .map(|((l, v), raw)| {
                    let mut row = vec![
                        serde_json::Value::from(l.clone()),
                        rounded(m, Some(&raw[last]), places),
                    ];
                    if before.is_some() {
                        let b = prior(l);
                        row.push(rounded(m, prior_value(l), places));
                        row.push(
                            change_text(lang, *v, b)
                                .1
                                .map(serde_json::Value::from)
                                .unwrap_or_default(),
                        );
                    }
                    if whole.is_some() {
                        row.push(whole_json.clone());
                        row.push(share_json(*v));
                    }
                    row
                })
                .collect();
            result = Table { columns, rows };
            if let Dimension::Date(g) = by
                && !ranked_dates
            {
                // "Revenue by month from … to …: from $3,660 (Jan 2026) to $6,189 (Jun 2026);
                // highest $7,012 (Apr 2026)."
                let when = |l: &str| {
                    sr360_views::iso_date(l)
                        .map(|d| match g {
                            sr360_analytics::Grain::Month => format::month(lang, d),
                            _ => format::date(lang, d),
                        })
                        .unwrap_or_else(|| l.to_string())
                };
                let points: Vec<(usize, f64)> = values
                    .iter()
                    .enumerate()
                    .filter_map(|(i, v)| v.map(|v| (i, v)))
                    .collect();
                if let (Some(a), Some(b), Some(top)) = (
                    points.first(),
                    points.last(),
                    points.iter().max_by(|x, y| x.1.total_cmp(&y.1)),
                ) {
                    let grain = match g {
                        sr360_analytics::Grain::Month => "copilot.g_month",
                        sr360_analytics::Grain::Week => "copilot.g_week",
                        sr360_analytics::Grain::Day => "copilot.g_day",
                    };
                    sentences.push(
                        tr(lang, "copilot.series")
                            .replace("{metric}", &mname)
                            .replace("{grain}", &tr(lang, grain))
                            .replace("{period}", &period)
                            .replace("{first}", &val(Some(a.1)))
                            .replace("{first_at}", &when(&labels[a.0]))
                            .replace("{last}", &val(Some(b.1)))
                            .replace("{last_at}", &when(&labels[b.0]))
                            .replace("{max}", &val(Some(top.1)))
                            .replace("{max_at}", &when(&labels[top.0])),
                    );
                }
            } else if growth && let (Some(first), Some(v)) = (labels.first(), values.first()) {
                let b = prior(first);
                // Said as it is: when nothing fell, the smallest rise is not a fall.
                let moved = change_text(lang, *v, b).1.unwrap_or(0.0);
                let key = match (f.desc, moved > 0.0, moved < 0.0) {
                    (true, true, _) => "copilot.grew_most",
                    (true, false, _) => "copilot.none_grew",
                    (false, _, true) => "copilot.fell_most",
                    (false, _, false) => "copilot.none_fell",
                };
                sentences.push(
                    tr(lang, key)
                        .replace("{first}", first)
                        .replace("{metric}", &mname_lc)
                        .replace("{before}", &val(b))
                        .replace("{now}", &val(*v))
                        .replace("{change}", &change_text(lang, *v, b).0)
                        .replace("{period}", &period)
                        .replace(
                            "{period_before}",
                            &f.versus
                                .map(|p| period_text(lang, p, false))
                                .unwrap_or_default(),
                        ),
                );
                let rest: Vec<String> = labels
                    .iter()
                    .zip(&values)
                    .skip(1)
                    .take(4)
                    .map(|(l, v)| format!("{l} ({})", change_text(lang, *v, prior(l)).0))
                    .collect();
                if !rest.is_empty() {
                    sentences
                        .push(tr(lang, "copilot.rest").replace("{rest}", &rest.join(comma(lang))));
                }
            } else if let (Some(first), Some(v)) = (labels.first(), values.first()) {
                sentences.push(
                    tr(
                        lang,
                        if f.desc {
                            "copilot.leader"
                        } else {
                            "copilot.leader_low"
                        },
                    )
                    .replace("{first}", first)
                    .replace("{metric}", &mname_lc)
                    .replace("{period}", &period)
                    .replace("{value}", &val(*v)),
                );
                let rest: Vec<String> = labels
                    .iter()
                    .zip(&values)
                    .skip(1)
                    .take(4)
                    .map(|(l, v)| format!("{l} ({})", val(*v)))
                    .collect();
                if let Some(x) = share_of(*v) {
                    sentences.push(
                        tr(lang, "copilot.share_first")
                            .replace("{share}", &format::percent(lang, x))
                            .replace("{total}", &val(whole)),
                    );
                }
                if !rest.is_empty() {
                    sentences
                        .push(tr(lang, "copilot.rest").replace("{rest}", &rest.join(comma(lang))));
                }
                if let (Some(_), Some(b)) = (&before, prior(first)) {
                    sentences.push(format!(
                        "{}: {} → {} ({}).",
                        first,
                        val(Some(b)),
                        val(*v),
                        change_text(lang, *v, Some(b)).0
                    ));
                }
            }
            chart = Some(Chart {
                percent: m.unit() == Unit::Ratio,
                kind: if matches!(by, Dimension::Date(_)) && !ranked_dates {
                    "line"
                } else {
                    "hbar"
                },
                title: mname.clone(),
                labels,
                series: vec![Series {
                    name: mname.clone(),
                    values: values.iter().map(|v| v.unwrap_or(0.0)).collect(),
                }],
            });
        }
    }
    if result.rows.is_empty() || result.rows.iter().all(|r| r.iter().all(|v| v.is_null())) {
        sentences = vec![tr(lang, "copilot.nothing").replace("{period}", &period)];
    }
    sentences.extend(thin_note);
    sentences.push(
        tr(
            lang,
            if matches!(
                m,
                Metric::Revenue | Metric::Aov | Metric::RevenuePerCustomer
            ) {
                "copilot.counted_revenue"
            } else {
                "copilot.counted"
            },
        )
        .replace("{tz}", shop.timezone),
    );
    if !f.unmatched.is_empty() {
        let quoted: Vec<String> = f.unmatched.iter().map(|n| format!("“{n}”")).collect();
        sentences.push(tr(lang, "copilot.unmatched").replace("{names}", &quoted.join(comma(lang))));
    }
    let outside = |x: TimeRange| x.from < all.from || x.to > all.to;
    if f.range.is_some_and(outside) || f.versus.is_some_and(outside) {
        sentences.push(
            tr(lang, "copilot.data_ends")
                .replace("{from}", &format::date(lang, all.from))
                .replace("{to}", &format::date(lang, all.to)),
        );
    }
    let sql = sr360_analytics::compile(&q, range).ok().map(|c| c.sql);
    // Follow-ups name the period so the parser reads it back: a month, a quarter or a year.
    let short_period = f.range.map(|r| phrase(lang, r)).unwrap_or_default();
    let lower = mname_lc.clone();
    let fill = |k: &str| {
        tr(lang, k)
            .replace("{metric_lc}", &lower)
            .replace("{metric}", &mname)
            .replace("{period}", &short_period)
            .trim()
            .to_string()
    };
    let mut followups = vec![];
    // A period after the data's end: offer the data's last month instead.
    if f.range.is_some_and(|r| r.from > all.to) {
        let latest = if lang == "ar" {
            format!("{}-{:02}", all.to.year(), u8::from(all.to.month()))
        } else {
            format::month(lang, all.to)
        };
        let key = match f.by {
            Some(Dimension::Category) => "copilot.f_by_category",
            Some(Dimension::Channel) => "copilot.f_by_channel",
            _ => "copilot.f_total",
        };
        followups.push(
            tr(lang, key)
                .replace("{metric_lc}", &lower)
                .replace("{metric}", &metric_name(lang, m))
                .replace("{period}", &latest)
                .trim()
                .to_string(),
        );
    }
    if f.by.is_none() {
        followups.push(fill("copilot.f_by_category"));
        followups.push(fill("copilot.f_by_month"));
    } else {
        followups.push(fill("copilot.f_by_channel"));
        followups.push(fill("copilot.f_top_products"));
    }
    if f.range.is_some() && f.versus.is_none() {
        followups.push(tr(lang, "copilot.f_before"));
    }
    Ok(Reply {
        answer: sentences.join(if lang == "zh-CN" { "" } else { " " }),
        result: Some(result),
        chart,
        sql,
        sources: vec![Source {
            kind: "page",
            title: tr(lang, "nav.charts"),
            url: page_link(f, range),
        }],
        confidence,
        followups,
    })
}

/// A period's label as the answer writes it: a month by name, else the day.
fn date_label(lang: &str, g: sr360_analytics::Grain, l: &str) -> String {
    sr360_views::iso_date(l)
        .map(|d| match g {
            sr360_analytics::Grain::Month => format::month(lang, d),
            _ => format::date(lang, d),
        })
        .unwrap_or_else(|| l.to_string())
}

/// A figure for countries the shop never sold to: zero for a count (nothing to add up),
/// none for a rate, said in words with the countries the data does have. A shop whose data
/// records no country at all is told that instead.
fn absent(
    s: &Session<'_>,
    f: &Figures,
    lang: &str,
    shop: Shop<'_>,
    confidence: Confidence,
) -> Result<Reply, QueryError> {
    let mut q = Query::new(&[Metric::Orders]);
    q.dimensions = vec![Dimension::Country];
    q.limit = Some(12);
    let present: Vec<String> = s
        .run(&q)?
        .rows
        .iter()
        .filter_map(|r| r.first()?.as_str().map(str::to_string))
        // The query layer's word for "no country recorded".
        .filter(|c| c != "unknown")
        .collect();
    let names = f.absent.join(comma(lang));
    let m = f.metric;
    if present.is_empty() {
        return Ok(Reply {
            answer: tr(lang, "copilot.no_countries").replace("{names}", &names),
            result: None,
            chart: None,
            sql: None,
            sources: vec![],
            confidence: Confidence::Low,
            followups: vec![
                tr(lang, "copilot.f_by_category")
                    .replace("{metric_lc}", &metric_name(lang, m).to_lowercase())
                    .replace("{metric}", &metric_name(lang, m))
                    .replace("{period}", "")
                    .trim()
                    .to_string(),
            ],
        });
    }
    let zero = m.is_additive().then_some(0.0);
    Ok(Reply {
        answer: tr(lang, "copilot.absent")
            .replace("{names}", &names)
            .replace("{metric}", &metric_name(lang, m).to_lowercase())
            .replace("{value}", &value_text(lang, shop, m, zero))
            .replace("{present}", &present.join(comma(lang))),
        result: Some(Table {
            columns: vec![m.name().into()],
            rows: vec![vec![zero.map(serde_json::Value::from).unwrap_or_default()]],
        }),
        chart: None,
        sql: None,
        sources: vec![],
        confidence,
        followups: vec![
            tr(lang, "copilot.f_by_country")
                .replace("{metric_lc}", &metric_name(lang, m).to_lowercase())
                .replace("{metric}", &metric_name(lang, m))
                .replace("{period}", "")
                .trim()
                .to_string(),
        ],
    })
}

/// What to say when no plan could be made: what was understood, and questions that work.
pub fn not_understood(lang: &str, understood: &[String]) -> Reply {
    let mut s = vec![tr(lang, "copilot.not_understood")];
    if !understood.is_empty() {
        s.push(tr(lang, "copilot.understood").replace("{what}", &understood.join(comma(lang))));
    }
    s.push(tr(lang, "copilot.try").replace("{examples}", &tr(lang, "copilot.examples")));
    Reply {
        answer: s.join(" "),
        result: None,
        chart: None,
        sql: None,
        sources: vec![],
        confidence: Confidence::Low,
        followups: vec![],
    }
}

/// A help answer: the words and the page (uploading is the one topic so far).
pub fn help(lang: &str) -> Reply {
    let (key, url, page) = ("copilot.help_upload", "/upload", "nav.upload");
    Reply {
        answer: tr(lang, key),
        result: None,
        chart: None,
        sql: None,
        sources: vec![Source {
            kind: "help",
            title: tr(lang, page),
            url: url.into(),
        }],
        confidence: Confidence::High,
        followups: vec![],
    }
}

fn simple(
    lang: &str,
    answer: String,
    result: Option<Table>,
    kind: &'static str,
    page: &str,
    url: &str,
) -> Reply {
    Reply {
        answer,
        result,
        chart: None,
        sql: None,
        sources: vec![Source {
            kind,
            title: tr(lang, page),
            url: url.into(),
        }],
        confidence: Confidence::High,
        followups: vec![],
    }
}

/// How visitors became buyers: the funnel's four steps over `range` (`None`: all the events),
/// in the funnel page's words; `None` row: the shop has no web events.
pub fn conversion(
    lang: &str,
    range: Option<TimeRange>,
    filters: &sr360_analytics::Filters,
    row: Option<&sr360_analytics::FunnelRow>,
) -> Reply {
    let Some(o) = row else {
        return simple(
            lang,
            tr(lang, "funnel.empty_text"),
            None,
            "page",
            "nav.funnel",
            "/funnel",
        );
    };
    if o.views == 0 {
        let mut names: Vec<String> = filters
            .channel
            .iter()
            .chain(&filters.category)
            .map(|v| format::label(v))
            .collect();
        if let Some(r) = range {
            names.push(period_text(lang, r, false));
        }
        return simple(
            lang,
            tr(lang, "copilot.conv_none").replace("{what}", &names.join(comma(lang))),
            None,
            "page",
            "nav.funnel",
            "/funnel",
        );
    }
    let rates = o.rates();
    let page =
        sr360_ui::PageCtx::anonymous(sr360_ui::normalize_locale(lang), String::new(), "/copilot");
    let mut text = sr360_views::funnel::summary(&page, o);
    if let Some(r) = range {
        let period = period_text(lang, r, false);
        let mut c = period.chars();
        let period: String = c
            .next()
            .map(|f| f.to_uppercase().chain(c).collect())
            .unwrap_or_default();
        text = format!("{period}: {text}");
    }
    let names = [
        "funnel.views",
        "funnel.carts",
        "funnel.checkouts",
        "funnel.purchases",
    ]
    .map(|k| tr(lang, k));
    let counts = [o.views, o.carts, o.checkouts, o.purchases];
    let rows = (0..4)
        .map(|i| {
            vec![
                serde_json::Value::from(names[i].clone()),
                counts[i].into(),
                if i == 0 {
                    serde_json::Value::Null
                } else {
                    rates[i - 1].map_or(serde_json::Value::Null, |r| {
                        ((r * 10_000.0).round() / 10_000.0).into()
                    })
                },
            ]
        })
        .collect();
    let mut r = simple(
        lang,
        text,
        Some(Table {
            columns: vec!["step".into(), "sessions".into(), "of_previous".into()],
            rows,
        }),
        "page",
        "nav.funnel",
        "/funnel",
    );
    r.chart = Some(Chart {
        kind: "funnel",
        title: tr(lang, "funnel.overall"),
        labels: names.to_vec(),
        series: vec![Series {
            name: tr(lang, "funnel.sessions"),
            values: counts.iter().map(|c| *c as f64).collect(),
        }],
        percent: false,
    });
    r
}

/// A list of customers as an answer's table rows (name, orders, revenue to the cent) and its
/// first three as sources linking to their pages, each named by `label`.
fn customer_list(
    members: &[sr360_analytics::CustomerSummary],
    label: impl Fn(&sr360_analytics::CustomerSummary) -> String,
) -> (Vec<Vec<serde_json::Value>>, Vec<Source>) {
    let rows = members
        .iter()
        .map(|c| {
            vec![
                serde_json::Value::from(label(c)),
                c.orders.into(),
                ((c.revenue * 100.0).round() / 100.0).into(),
            ]
        })
        .collect();
    let sources = members
        .iter()
        .take(3)
        .map(|c| Source {
            kind: "customer",
            title: label(c),
            url: format!("/customers/{}", c.reference),
        })
        .collect();
    (rows, sources)
}

/// The customers with the most net revenue: names for roles that may see them, references
/// otherwise (the list comes already masked).
pub fn top_customers(
    lang: &str,
    shop: Shop<'_>,
    list: &[sr360_analytics::CustomerSummary],
) -> Reply {
    if list.is_empty() {
        return simple(
            lang,
            tr(lang, "copilot.top_customers_none"),
            None,
            "page",
            "nav.customers",
            "/customers",
        );
    }
    let who = |c: &sr360_analytics::CustomerSummary| {
        c.name
            .clone()
            .or_else(|| c.email.clone())
            .unwrap_or_else(|| c.reference.clone())
    };
    let names: Vec<String> = list
        .iter()
        .map(|c| {
            format!(
                "{} ({}, {})",
                who(c),
                format::money(lang, c.revenue, shop.currency),
                if c.orders == 1 {
                    tr(lang, "copilot.one_order")
                } else {
                    tr(lang, "copilot.n_orders")
                        .replace("{n}", &format::amount(lang, c.orders as f64))
                }
            )
        })
        .collect();
    let text = tr(lang, "copilot.top_customers")
        .replace("{n}", &format::amount(lang, list.len() as f64))
        .replace("{list}", &names.join(comma(lang)));
    let (rows, sources) = customer_list(list, who);
    let mut r = simple(
        lang,
        text,
        Some(Table {
            columns: vec!["customers".into(), "orders".into(), "revenue".into()],
            rows,
        }),
        "page",
        "nav.customers",
        "/customers",
    );
    r.sources.extend(sources);
    r
}

/// What to offer a customer next: the recommender's list with each item's reason (`None`:
/// no such customer; `Err`: no recommender yet).
pub fn recommend(
    lang: &str,
    customer: &str,
    list: Result<Option<&sr360_ml::suggestions::ForCustomer>, ()>,
) -> Reply {
    let url = format!(
        "/recommendations?{}",
        serde_urlencoded::to_string([("customer", customer)]).unwrap_or_default()
    );
    let list = match list {
        Err(()) => {
            return simple(
                lang,
                tr(lang, "rec.not_ready"),
                None,
                "page",
                "nav.recommendations",
                "/recommendations",
            );
        }
        Ok(None) => {
            let text = tr(lang, "copilot.recommend_none").replace("{customer}", customer);
            return simple(
                lang,
                text,
                None,
                "page",
                "nav.recommendations",
                "/recommendations",
            );
        }
        Ok(Some(l)) => l,
    };
    let items: Vec<_> = list.items.iter().take(5).collect();
    let named: Vec<String> = items
        .iter()
        .map(|i| {
            format!(
                "{} ({})",
                i.name,
                sr360_views::recommend::why(lang, &i.reason)
            )
        })
        .collect();
    let answer = if named.is_empty() {
        tr(lang, "rec.none")
    } else {
        tr(lang, "copilot.recommend")
            .replace("{customer}", customer)
            .replace("{list}", &named.join(comma(lang)))
    };
    let rows = items
        .iter()
        .map(|i| {
            vec![
                serde_json::Value::from(i.name.clone()),
                serde_json::Value::from(i.category.clone()),
                serde_json::Value::from(sr360_views::recommend::why(lang, &i.reason)),
            ]
        })
        .collect();
    simple(
        lang,
        answer,
        Some(Table {
            columns: vec!["product".into(), "category".into(), "why".into()],
            rows,
        }),
        "page",
        "nav.recommendations",
        &url,
    )
}

/// The revenue forecast for the next `days` days, from the last model run.
pub fn forecast(lang: &str, shop: Shop<'_>, view: Option<&ForecastView>, days: u32) -> Reply {
    let ok = view.filter(|v| v.info.status == SeriesStatus::Ok && !v.forecast.is_empty());
    let Some(v) = ok else {
        return simple(
            lang,
            tr(lang, "copilot.forecast_none"),
            None,
            "page",
            "nav.forecasts",
            "/forecasts",
        );
    };
    let next: Vec<_> = v.forecast.iter().take(days as usize).collect();
    let sum = |f: &dyn Fn(&&sr360_ml::store::ForecastPoint) -> f64| next.iter().map(f).sum::<f64>();
    let (total, lower, upper) = (
        sum(&|p| p.point),
        sum(&|p| p.lower).max(0.0),
        sum(&|p| p.upper),
    );
    let money = |x: f64| format::money(lang, x, shop.currency);
    let answer = tr(lang, "copilot.forecast")
        .replace("{days}", &next.len().to_string())
        .replace("{total}", &money(total))
        .replace("{lower}", &money(lower))
        .replace("{upper}", &money(upper));
    let mut rows = vec![vec![total.into(), lower.into(), upper.into()]];
    rows.extend(next.iter().map(|p| {
        vec![
            serde_json::Value::from(p.point),
            serde_json::Value::from(p.lower.max(0.0)),
            serde_json::Value::from(p.upper),
        ]
    }));
    let mut r = simple(
        lang,
        answer,
        Some(Table {
            columns: vec!["revenue".into(), "lower".into(), "upper".into()],
            rows,
        }),
        "page",
        "nav.forecasts",
        "/forecasts",
    );
    r.chart = Some(Chart {
        percent: false,
        kind: "line",
        title: tr(lang, "copilot.m_revenue"),
        labels: next.iter().map(|p| p.day.to_string()).collect(),
        series: vec![Series {
            name: tr(lang, "copilot.m_revenue"),
            values: next.iter().map(|p| p.point).collect(),
        }],
    });
    r
}

/// The unusual days of the last run within a week of the data's last day, most severe first.
pub fn alerts(lang: &str, rows: &[AnomalyRow], last_day: Option<time::Date>) -> Reply {
    let recent = sr360_views::alerts::recent(rows, last_day, 7);
    if recent.is_empty() {
        return simple(
            lang,
            tr(lang, "copilot.alerts_none"),
            None,
            "page",
            "nav.model_status",
            "/models",
        );
    }
    let titles: Vec<String> = recent.iter().take(5).map(|a| a.title(lang)).collect();
    let table = Table {
        columns: vec![
            "day".into(),
            "series".into(),
            "value".into(),
            "expected".into(),
        ],
        rows: recent
            .iter()
            .take(5)
            .map(|a| {
                vec![
                    a.day.to_string().into(),
                    a.series.clone().into(),
                    a.value.into(),
                    a.expected.into(),
                ]
            })
            .collect(),
    };
    let mut r = simple(
        lang,
        tr(lang, "copilot.alerts").replace("{list}", &titles.join("; ")),
        Some(table),
        "page",
        "nav.model_status",
        "/models",
    );
    r.sources = recent
        .iter()
        .take(5)
        .map(|a| Source {
            kind: "alert",
            title: a.title(lang),
            url: a.url.clone(),
        })
        .collect();
    r
}

/// How many customers the last segmentation puts at risk of leaving, and the most valuable
/// of them (names only where the caller's role shows them; the query layer masks them).
pub fn churn(
    lang: &str,
    shop: Shop<'_>,
    model: Option<&SegmentModel>,
    members: &[sr360_analytics::CustomerSummary],
) -> Reply {
    let n = model.and_then(|m| {
        m.segments
            .iter()
            .find(|s| s.name == "churn_risk")
            .map(|s| s.size)
    });
    let Some(n) = n else {
        return simple(
            lang,
            tr(lang, "copilot.churn_none"),
            None,
            "page",
            "nav.segments",
            "/segments",
        );
    };
    let who = |c: &sr360_analytics::CustomerSummary| {
        c.name.clone().unwrap_or_else(|| c.reference.clone())
    };
    let (listed, sources) = customer_list(members, who);
    let rows = std::iter::once(vec![
        serde_json::Value::from(n),
        serde_json::Value::Null,
        serde_json::Value::Null,
    ])
    .chain(listed)
    .collect();
    let mut text = tr(lang, "copilot.churn").replace("{n}", &format::amount(lang, n as f64));
    let names: Vec<String> = members
        .iter()
        .take(3)
        .map(|c| {
            format!(
                "{} ({})",
                who(c),
                format::money(lang, c.revenue, shop.currency)
            )
        })
        .collect();
    if !names.is_empty() {
        text.push(' ');
        text.push_str(&tr(lang, "copilot.churn_top").replace("{list}", &names.join(comma(lang))));
    }
    let mut r = simple(
        lang,
        text,
        Some(Table {
            columns: vec!["customers".into(), "orders".into(), "revenue".into()],
            rows,
        }),
        "page",
        "nav.segments",
        "/segments?segment=churn_risk",
    );
    r.sources.extend(sources);
    r
}
