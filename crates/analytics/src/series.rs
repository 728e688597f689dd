//! Daily series for the models, asked of the same query layer as every chart: one value per
//! calendar day from the first to the last day of data (days without sales are zeros, days
//! without visits have no conversion rate).

use crate::{
    Dimension, Filters, Grain, Metric, Query, QueryError, Session, Sort, TimeRange, Value,
};
use serde::Serialize;
use std::collections::HashMap;
use time::Date;

/// What a series measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SeriesKind {
    Revenue,
    Orders,
    ReturnedUnits,
    Conversion,
}

#[derive(Debug, Clone, Serialize)]
pub struct DailySeries {
    /// Stable key: `revenue`, `category:<name>`, `product:<sku>`, `returns`, `orders`,
    /// `conversion`.
    pub key: String,
    /// The category or product name, empty for the shop as a whole.
    pub name: String,
    pub kind: SeriesKind,
    pub start: Date,
    pub values: Vec<f64>,
}

fn day_index(all: TimeRange) -> impl Fn(&str) -> Option<usize> {
    move |s: &str| {
        let d = Date::parse(s, time::macros::format_description!("[year]-[month]-[day]")).ok()?;
        usize::try_from((d - all.from).whole_days()).ok()
    }
}

fn days(all: TimeRange) -> usize {
    (all.to - all.from).whole_days().max(0) as usize + 1
}

/// One metric per day, split by `by` (None: the shop as a whole), for the keys in `only`
/// when given.
fn per_day(
    s: &Session<'_>,
    all: TimeRange,
    metric: Metric,
    by: Option<Dimension>,
    filters: Filters,
) -> Result<HashMap<String, Vec<f64>>, QueryError> {
    let mut q = Query::new(&[metric]);
    q.dimensions = std::iter::once(Dimension::Date(Grain::Day))
        .chain(by)
        .collect();
    q.filters = filters;
    q.range = Some(all);
    let r = s.run(&q)?;
    let idx = day_index(all);
    let n = days(all);
    let value_col = r
        .columns
        .iter()
        .position(|c| c.role == "metric")
        .unwrap_or(r.columns.len() - 1);
    let mut out: HashMap<String, Vec<f64>> = HashMap::new();
    for row in &r.rows {
        let Some(i) = row[0].as_str().and_then(&idx) else {
            continue;
        };
        let key = if by.is_some() {
            text(&row[1])
        } else {
            String::new()
        };
        let v = out.entry(key).or_insert_with(|| vec![0.0; n]);
        if let Some(slot) = v.get_mut(i) {
            *slot = row[value_col].as_f64().unwrap_or(0.0);
        }
    }
    Ok(out)
}

fn text(v: &Value) -> String {
    match v {
        Value::Text(s) => s.clone(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => f.to_string(),
        Value::Null => String::new(),
    }
}

/// The series the forecasts are made for: revenue of the shop, of each category and of the
/// `top` products by revenue over the last 90 days, and returned units.
pub fn forecast_series(s: &Session<'_>, top: u32) -> Result<Vec<DailySeries>, QueryError> {
    let Some(all) = s.data_range()? else {
        return Err(QueryError::NoData);
    };
    let mut out = vec![];
    let one = |m: Metric| {
        per_day(s, all, m, None, Filters::default())
            .map(|mut v| v.remove("").unwrap_or_else(|| vec![0.0; days(all)]))
    };
    out.push(DailySeries {
        key: "revenue".into(),
        name: String::new(),
        kind: SeriesKind::Revenue,
        start: all.from,
        values: one(Metric::Revenue)?,
    });
    let mut cats: Vec<(String, Vec<f64>)> = per_day(
        s,
        all,
        Metric::Revenue,
        Some(Dimension::Category),
        Filters::default(),
    )?
    .into_iter()
    .collect();
    cats.sort_by(|a, b| b.1.iter().sum::<f64>().total_cmp(&a.1.iter().sum::<f64>()));
    out.extend(cats.into_iter().map(|(c, v)| DailySeries {
        key: format!("category:{c}"),
        name: c,
        kind: SeriesKind::Revenue,
        start: all.from,
        values: v,
    }));
    let mut best = Query::new(&[Metric::Revenue]);
    best.dimensions = vec![Dimension::Product];
    best.range = Some(all.last_days(90));
    best.sort = Some(Sort {
        by: "revenue".into(),
        desc: true,
    });
    best.limit = Some(top.max(1));
    let best = s.run(&best)?;
    let skus: Vec<(String, String)> = best
        .rows
        .iter()
        .map(|r| (text(&r[0]), text(&r[1])))
        .collect();
    if !skus.is_empty() {
        let filters = Filters {
            sku: skus.iter().map(|(k, _)| k.clone()).collect(),
            ..Default::default()
        };
        let mut by = per_day(s, all, Metric::Revenue, Some(Dimension::Product), filters)?;
        for (sku, name) in skus {
            if let Some(v) = by.remove(&sku) {
                out.push(DailySeries {
                    key: format!("product:{sku}"),
                    name: if name.is_empty() { sku } else { name },
                    kind: SeriesKind::Revenue,
                    start: all.from,
                    values: v,
                });
            }
        }
    }
    out.push(DailySeries {
        key: "returns".into(),
        name: String::new(),
        kind: SeriesKind::ReturnedUnits,
        start: all.from,
        values: one(Metric::ReturnedUnits)?,
    });
    Ok(out)
}

/// The series watched for anomalies: revenue, orders, returned units and, with web events,
/// the share of sessions that bought (NaN on days without sessions).
pub fn anomaly_series(s: &Session<'_>) -> Result<Vec<DailySeries>, QueryError> {
    let Some(all) = s.data_range()? else {
        return Err(QueryError::NoData);
    };
    let one = |m: Metric| {
        per_day(s, all, m, None, Filters::default())
            .map(|mut v| v.remove("").unwrap_or_else(|| vec![0.0; days(all)]))
    };
    let mut out = vec![
        DailySeries {
            key: "revenue".into(),
            name: String::new(),
            kind: SeriesKind::Revenue,
            start: all.from,
            values: one(Metric::Revenue)?,
        },
        DailySeries {
            key: "orders".into(),
            name: String::new(),
            kind: SeriesKind::Orders,
            start: all.from,
            values: one(Metric::Orders)?,
        },
        DailySeries {
            key: "returns".into(),
            name: String::new(),
            kind: SeriesKind::ReturnedUnits,
            start: all.from,
            values: one(Metric::ReturnedUnits)?,
        },
    ];
    if crate::funnel::has_events(s)? {
        let mut v = vec![f64::NAN; days(all)];
        let idx = day_index(all);
        let mut st = s.conn().prepare(
            "SELECT strftime(date_key, '%Y-%m-%d'), sum(purchased)::DOUBLE / nullif(sum(sessions), 0) FROM gold.session_funnel
             WHERE date_key BETWEEN CAST(? AS DATE) AND CAST(? AS DATE) GROUP BY 1",
        )?;
        let rows = st.query_map([all.from.to_string(), all.to.to_string()], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, Option<f64>>(1)?))
        })?;
        for row in rows {
            let (d, rate) = row?;
            if let (Some(i), Some(rate)) = (idx(&d), rate) {
                v[i] = rate;
            }
        }
        out.push(DailySeries {
            key: "conversion".into(),
            name: String::new(),
            kind: SeriesKind::Conversion,
            start: all.from,
            values: v,
        });
    }
    Ok(out)
}

/// A promotion as loaded (silver): its category and its days in the shop's calendar.
#[derive(Debug, Clone, Serialize)]
pub struct PromotionInfo {
    pub code: String,
    pub name: String,
    pub category: String,
    pub starts_on: Date,
    pub ends_on: Date,
}

/// The shop's promotions with a category and dates, oldest first (none without a
/// promotions export).
pub fn promotions(s: &Session<'_>) -> Result<Vec<PromotionInfo>, QueryError> {
    let n: i64 = s.conn().query_row("SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'silver' AND table_name = 'promotions'", [], |r| r.get(0))?;
    if n == 0 {
        return Ok(vec![]);
    }
    let mut st = s.conn().prepare(
        "SELECT code, coalesce(name, code), lower(trim(category)), strftime(starts_on, '%Y-%m-%d'), strftime(ends_on, '%Y-%m-%d') FROM silver.promotions
         WHERE category IS NOT NULL AND starts_on IS NOT NULL AND ends_on IS NOT NULL AND ends_on >= starts_on ORDER BY starts_on, code",
    )?;
    let rows = st.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, String>(4)?,
        ))
    })?;
    let parse =
        |d: &str| Date::parse(d, time::macros::format_description!("[year]-[month]-[day]")).ok();
    let mut out = vec![];
    for row in rows {
        let (code, name, category, a, b) = row?;
        if let (Some(starts_on), Some(ends_on)) = (parse(&a), parse(&b)) {
            out.push(PromotionInfo {
                code,
                name,
                category,
                starts_on,
                ends_on,
            });
        }
    }
    Ok(out)
}

/// One metric per day for every category (lower-cased names), from the first day of data.
pub fn category_series(
    s: &Session<'_>,
    metric: Metric,
) -> Result<(Date, HashMap<String, Vec<f64>>), QueryError> {
    let Some(all) = s.data_range()? else {
        return Err(QueryError::NoData);
    };
    let by = per_day(
        s,
        all,
        metric,
        Some(Dimension::Category),
        Filters::default(),
    )?;
    Ok((
        all.from,
        by.into_iter().map(|(k, v)| (k.to_lowercase(), v)).collect(),
    ))
}
