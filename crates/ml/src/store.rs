//! The `ml.*` tables of a shop's warehouse: written whole by each model run (in one
//! transaction, so pages never see half a run), read by the forecast, model status and
//! dashboard pages through reader connections.

use crate::anomaly::Anomaly;
use crate::segments::Segmentation;
use crate::uplift::PromotionEffect;
use crate::{Backtest, ForecastError, Prediction};
use duckdb::Connection;
use serde::Serialize;
use sr360_analytics::baskets::Names;
use sr360_analytics::{DailySeries, SeriesKind};
use std::collections::HashMap;
use time::Date;

/// A series and what became of its forecast.
pub struct Fitted {
    pub series: DailySeries,
    pub result: Result<(Prediction, Vec<Backtest>), ForecastError>,
    /// Strength of trend and seasonal patterns ([`crate::forecast::drivers`]).
    pub drivers: Vec<(String, f64)>,
}

fn kind_str(k: SeriesKind) -> &'static str {
    match k {
        SeriesKind::Revenue => "revenue",
        SeriesKind::Orders => "orders",
        SeriesKind::ReturnedUnits => "returned_units",
        SeriesKind::Conversion => "conversion",
    }
}

fn date(s: &str) -> Option<Date> {
    Date::parse(s, time::macros::format_description!("[year]-[month]-[day]")).ok()
}

/// Segments of a run: the customers' keys (in the order of the assignment) and the result.
#[derive(Debug)]
pub struct SegmentsOutcome {
    pub keys: Vec<String>,
    pub result: Result<Segmentation, String>,
}

impl SegmentsOutcome {
    /// No segmentation in this run (tests of other models).
    pub fn none() -> Self {
        Self {
            keys: vec![],
            result: Err("not run".into()),
        }
    }
}

/// Everything one model run made.
pub struct RunResults<'a> {
    pub fitted: &'a [Fitted],
    pub anomalies: &'a [(String, Date, Anomaly)],
    pub effects: &'a [PromotionEffect],
    pub segments: &'a SegmentsOutcome,
    pub recommender: Option<&'a Recommender>,
}

/// Replace the shop's model results with this run's.
pub fn write(
    c: &Connection,
    run_id: i64,
    results: &RunResults<'_>,
    range: (Date, Date),
) -> Result<(), duckdb::Error> {
    let RunResults {
        fitted,
        anomalies,
        effects,
        segments,
        recommender,
    } = *results;
    c.execute_batch("BEGIN TRANSACTION; DELETE FROM ml.rec_items; DELETE FROM ml.rec_neighbours; DELETE FROM ml.rec_model; DELETE FROM ml.rec_weights; DELETE FROM ml.runs; DELETE FROM ml.series; DELETE FROM ml.history; DELETE FROM ml.forecasts; DELETE FROM ml.backtests; DELETE FROM ml.anomalies; DELETE FROM ml.uplift; DELETE FROM ml.segments; DELETE FROM ml.customer_segments; DELETE FROM ml.segment_model; DELETE FROM ml.drivers;")?;
    let body = (|| {
        c.execute(
            "INSERT INTO ml.runs VALUES (?, now()::TIMESTAMP, CAST(? AS DATE), CAST(? AS DATE))",
            duckdb::params![run_id, range.0.to_string(), range.1.to_string()],
        )?;
        let mut series = c.prepare(
            "INSERT INTO ml.series VALUES (?, ?, ?, ?, ?, ?, ?, CAST(? AS DATE), CAST(? AS DATE))",
        )?;
        let mut hist = c.prepare("INSERT INTO ml.history VALUES (?, CAST(? AS DATE), ?)")?;
        let mut fc =
            c.prepare("INSERT INTO ml.forecasts VALUES (?, CAST(? AS DATE), ?, ?, ?, ?)")?;
        let mut bt = c.prepare("INSERT INTO ml.backtests VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")?;
        for f in fitted {
            let s = &f.series;
            let to = s.start + time::Duration::days(s.values.len() as i64 - 1);
            let (status, reason, method, model) = match &f.result {
                Ok((p, _)) => (
                    SeriesStatus::Ok,
                    None,
                    Some(p.method.label()),
                    Some(p.model.clone()),
                ),
                Err(ForecastError::NotEnoughData(r)) => {
                    (SeriesStatus::NotEnoughData, Some(r.clone()), None, None)
                }
                Err(e) => (SeriesStatus::Failed, Some(e.to_string()), None, None),
            };
            series.execute(duckdb::params![
                s.key,
                s.name,
                kind_str(s.kind),
                status.as_str(),
                reason,
                method,
                model,
                s.start.to_string(),
                to.to_string()
            ])?;
            for (driver, strength) in &f.drivers {
                c.execute(
                    "INSERT INTO ml.drivers VALUES (?, ?, ?)",
                    duckdb::params![s.key, driver, strength],
                )?;
            }
            // The last 400 days are enough for every chart (a year and a comparison).
            let skip = s.values.len().saturating_sub(400);
            for (i, v) in s.values.iter().enumerate().skip(skip) {
                hist.execute(duckdb::params![
                    s.key,
                    (s.start + time::Duration::days(i as i64)).to_string(),
                    v
                ])?;
            }
            if let Ok((p, tests)) = &f.result {
                for i in 0..p.point.len() {
                    let day = to + time::Duration::days(i as i64 + 1);
                    fc.execute(duckdb::params![
                        s.key,
                        day.to_string(),
                        p.point[i],
                        p.lower[i],
                        p.upper[i],
                        p.level
                    ])?;
                }
                for b in tests {
                    bt.execute(duckdb::params![
                        s.key,
                        b.horizon as i64,
                        b.folds as i64,
                        b.model.mase,
                        b.model.smape,
                        b.naive.mase,
                        b.naive.smape,
                        b.coverage,
                        b.level
                    ])?;
                }
            }
        }
        let mut an =
            c.prepare("INSERT INTO ml.anomalies VALUES (?, CAST(? AS DATE), ?, ?, ?, ?)")?;
        for (key, day, a) in anomalies {
            an.execute(duckdb::params![
                key,
                day.to_string(),
                a.value,
                a.expected,
                a.z,
                a.severity.as_str()
            ])?;
        }
        let mut up = c.prepare("INSERT INTO ml.uplift VALUES (?, ?, ?, CAST(? AS DATE), CAST(? AS DATE), ?, ?, ?, ?, ?, ?, ?, ?)")?;
        for e in effects {
            let (u, reason) = match &e.result {
                Ok(u) => (Some(u), None),
                Err(r) => (None, Some(r.clone())),
            };
            up.execute(duckdb::params![
                e.code,
                e.name,
                e.category,
                e.starts_on.to_string(),
                e.ends_on.to_string(),
                e.metric,
                u.map(|u| u.estimate),
                u.map(|u| u.low),
                u.map(|u| u.high),
                u.map(|u| u.pre_days as i64),
                u.map(|u| u.post_days as i64),
                e.controls.join(", "),
                reason
            ])?;
        }
        match &segments.result {
            Ok(seg) => {
                for (rank, g) in seg.segments.iter().enumerate() {
                    c.execute(
                        "INSERT INTO ml.segments VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        duckdb::params![
                            g.name,
                            g.size as i64,
                            g.value_share,
                            g.centre[0],
                            g.centre[1],
                            g.centre[2],
                            g.centre[3],
                            g.centre[4],
                            g.centre[5],
                            rank as i64
                        ],
                    )?;
                }
                let mut app = c.appender_to_db("customer_segments", "ml")?;
                for (key, name) in segments.keys.iter().zip(&seg.assignment) {
                    app.append_row(duckdb::params![key, name])?;
                }
                app.flush()?;
                let importance = crate::segments::FEATURES
                    .iter()
                    .zip(seg.importance)
                    .map(|(f, v)| format!("{f}={v}"))
                    .collect::<Vec<_>>()
                    .join(";");
                c.execute(
                    "INSERT INTO ml.segment_model (k, silhouette, customers, reason, importance, rules) VALUES (?, NULL, ?, NULL, ?, ?)",
                    duckdb::params![
                        seg.k as i64,
                        segments.keys.len() as i64,
                        importance,
                        serde_json::to_string(&seg.rules).ok()
                    ],
                )?;
            }
            Err(reason) => {
                c.execute(
                    "INSERT INTO ml.segment_model (k, silhouette, customers, reason, importance) VALUES (NULL, NULL, ?, ?, NULL)",
                    duckdb::params![segments.keys.len() as i64, reason],
                )?;
            }
        }
        if let Some(r) = recommender {
            write_recommender(c, r)?;
        }
        Ok(())
    })();
    match body {
        Ok(()) => c.execute_batch("COMMIT"),
        Err(e) => {
            let _ = c.execute_batch("ROLLBACK");
            Err(e)
        }
    }
}

/// Whether a series was forecast (sent as `ok`, `not_enough_data` or `failed`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SeriesStatus {
    Ok,
    NotEnoughData,
    Failed,
}

impl SeriesStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SeriesStatus::Ok => "ok",
            SeriesStatus::NotEnoughData => "not_enough_data",
            SeriesStatus::Failed => "failed",
        }
    }

    /// A stored word (anything unknown reads as failed).
    pub fn parse(s: &str) -> Self {
        match s {
            "ok" => SeriesStatus::Ok,
            "not_enough_data" => SeriesStatus::NotEnoughData,
            _ => SeriesStatus::Failed,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct SeriesInfo {
    pub key: String,
    pub name: String,
    pub kind: String,
    pub status: SeriesStatus,
    pub reason: Option<String>,
    pub method: Option<String>,
    pub model: Option<String>,
    pub history_from: Date,
    pub history_to: Date,
}

#[derive(Debug, Clone, Serialize)]
pub struct BacktestRow {
    pub horizon: i64,
    pub folds: i64,
    pub mase: f64,
    pub smape: f64,
    pub naive_mase: f64,
    pub naive_smape: f64,
    pub coverage: f64,
    pub level: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct ForecastPoint {
    pub day: Date,
    pub point: f64,
    pub lower: f64,
    pub upper: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct ForecastView {
    pub info: SeriesInfo,
    /// (driver, strength 0–1): `trend`, `p7`, `p12`, `p365`.
    pub drivers: Vec<(String, f64)>,
    pub history: Vec<(Date, f64)>,
    pub forecast: Vec<ForecastPoint>,
    pub level: f64,
    pub backtests: Vec<BacktestRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AnomalyRow {
    pub series: String,
    pub day: Date,
    pub value: f64,
    pub expected: f64,
    pub z: f64,
    pub severity: String,
}

impl AnomalyRow {
    /// A stable id for the unusual day (the model page's anchor, the alert's id).
    pub fn id(&self) -> String {
        let dir = if self.z < 0.0 { "low" } else { "high" };
        format!("anomaly-{}-{dir}-{}", self.series, self.day)
    }
}

fn has_results(c: &Connection) -> Result<bool, duckdb::Error> {
    let n: i64 = c.query_row(
        "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'ml' AND table_name = 'runs'",
        [],
        |r| r.get(0),
    )?;
    Ok(n > 0 && c.query_row("SELECT count(*) > 0 FROM ml.runs", [], |r| r.get(0))?)
}

/// Every series of the last run, best first (shop, categories, products, returns); empty
/// before the first run.
pub fn series(c: &Connection) -> Result<Vec<SeriesInfo>, duckdb::Error> {
    if !has_results(c)? {
        return Ok(vec![]);
    }
    let mut st = c.prepare("SELECT series, name, kind, status, reason, method, model, strftime(history_from, '%Y-%m-%d'), strftime(history_to, '%Y-%m-%d') FROM ml.series")?;
    let rows = st.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, Option<String>>(4)?,
            r.get::<_, Option<String>>(5)?,
            r.get::<_, Option<String>>(6)?,
            r.get::<_, String>(7)?,
            r.get::<_, String>(8)?,
        ))
    })?;
    let mut out = vec![];
    for row in rows {
        let (key, name, kind, status, reason, method, model, from, to) = row?;
        if let (Some(history_from), Some(history_to)) = (date(&from), date(&to)) {
            out.push(SeriesInfo {
                key,
                name,
                kind,
                status: SeriesStatus::parse(&status),
                reason,
                method,
                model,
                history_from,
                history_to,
            });
        }
    }
    Ok(out)
}

/// One series' last `history_days` days, its forecast and its backtests.
pub fn forecast(
    c: &Connection,
    key: &str,
    history_days: i64,
) -> Result<Option<ForecastView>, duckdb::Error> {
    let Some(info) = series(c)?.into_iter().find(|s| s.key == key) else {
        return Ok(None);
    };
    let since = (info.history_to - time::Duration::days(history_days - 1)).to_string();
    let mut st = c.prepare("SELECT strftime(day, '%Y-%m-%d'), value FROM ml.history WHERE series = ? AND day >= CAST(? AS DATE) ORDER BY day")?;
    let history = st
        .query_map(duckdb::params![key, since], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, f64>(1)?))
        })?
        .filter_map(|r| r.ok())
        .filter_map(|(d, v)| Some((date(&d)?, v)))
        .collect();
    let mut st = c.prepare("SELECT strftime(day, '%Y-%m-%d'), point, lower, upper, level FROM ml.forecasts WHERE series = ? ORDER BY day")?;
    let mut level = 0.0;
    let forecast = st
        .query_map([key], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, f64>(1)?,
                r.get::<_, f64>(2)?,
                r.get::<_, f64>(3)?,
                r.get::<_, f64>(4)?,
            ))
        })?
        .filter_map(|r| r.ok())
        .filter_map(|(d, point, lower, upper, l)| {
            level = l;
            Some(ForecastPoint {
                day: date(&d)?,
                point,
                lower,
                upper,
            })
        })
        .collect();
    let mut st = c.prepare("SELECT horizon, folds, mase, smape, naive_mase, naive_smape, coverage, level FROM ml.backtests WHERE series = ? ORDER BY horizon")?;
    let backtests = st
        .query_map([key], |r| {
            Ok(BacktestRow {
                horizon: r.get(0)?,
                folds: r.get(1)?,
                mase: r.get(2)?,
                smape: r.get(3)?,
                naive_mase: r.get(4)?,
                naive_smape: r.get(5)?,
                coverage: r.get(6)?,
                level: r.get(7)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    let mut st =
        c.prepare("SELECT driver, strength FROM ml.drivers WHERE series = ? ORDER BY driver")?;
    let drivers = st
        .query_map([key], |r| Ok((r.get::<_, String>(0)?, r.get::<_, f64>(1)?)))?
        .collect::<Result<_, _>>()?;
    Ok(Some(ForecastView {
        info,
        drivers,
        history,
        forecast,
        level,
        backtests,
    }))
}

/// The days of data the last run saw (first, last), if a run stored results.
pub fn data_window(c: &Connection) -> Result<Option<(Date, Date)>, duckdb::Error> {
    if !has_results(c)? {
        return Ok(None);
    }
    let (a, b): (String, String) = c.query_row(
        "SELECT strftime(max(data_from), '%Y-%m-%d'), strftime(max(data_to), '%Y-%m-%d') FROM ml.runs",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    Ok(date(&a).zip(date(&b)))
}

/// The anomalies of the last run, newest first.
pub fn anomalies(c: &Connection, limit: usize) -> Result<Vec<AnomalyRow>, duckdb::Error> {
    if !has_results(c)? {
        return Ok(vec![]);
    }
    let mut st = c.prepare("SELECT series, strftime(day, '%Y-%m-%d'), value, expected, z, severity FROM ml.anomalies ORDER BY day DESC, abs(z) DESC LIMIT ?")?;
    let v = st
        .query_map([limit as i64], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, f64>(2)?,
                r.get::<_, f64>(3)?,
                r.get::<_, f64>(4)?,
                r.get::<_, String>(5)?,
            ))
        })?
        .filter_map(|r| r.ok())
        .filter_map(|(series, d, value, expected, z, severity)| {
            Some(AnomalyRow {
                series,
                day: date(&d)?,
                value,
                expected,
                z,
                severity,
            })
        })
        .collect();
    Ok(v)
}

/// A promotion's estimated effect on one figure, as stored.
#[derive(Debug, Clone, Serialize)]
pub struct UpliftRow {
    pub code: String,
    pub name: String,
    pub category: String,
    pub starts_on: Date,
    pub ends_on: Date,
    pub metric: String,
    pub estimate: Option<f64>,
    pub low: Option<f64>,
    pub high: Option<f64>,
    pub controls: String,
    pub reason: Option<String>,
}

type UpliftTuple = (
    String,
    String,
    String,
    String,
    String,
    String,
    Option<f64>,
    Option<f64>,
    Option<f64>,
    String,
    Option<String>,
);

/// The promotions of the last run, newest first, orders before revenue.
pub fn uplift(c: &Connection) -> Result<Vec<UpliftRow>, duckdb::Error> {
    if !has_results(c)? {
        return Ok(vec![]);
    }
    let mut st = c.prepare(
        "SELECT code, name, category, strftime(starts_on, '%Y-%m-%d'), strftime(ends_on, '%Y-%m-%d'), metric, estimate, low, high, controls, reason
         FROM ml.uplift ORDER BY starts_on DESC, code, metric",
    )?;
    let rows = st.query_map([], |r| -> duckdb::Result<UpliftTuple> {
        Ok((
            r.get(0)?,
            r.get(1)?,
            r.get(2)?,
            r.get(3)?,
            r.get(4)?,
            r.get(5)?,
            r.get(6)?,
            r.get(7)?,
            r.get(8)?,
            r.get(9)?,
            r.get(10)?,
        ))
    })?;
    let mut out = vec![];
    for row in rows {
        let (code, name, category, a, b, metric, estimate, low, high, controls, reason) = row?;
        if let (Some(starts_on), Some(ends_on)) = (date(&a), date(&b)) {
            out.push(UpliftRow {
                code,
                name,
                category,
                starts_on,
                ends_on,
                metric,
                estimate,
                low,
                high,
                controls,
                reason,
            });
        }
    }
    Ok(out)
}

#[derive(Debug, Clone, Serialize)]
pub struct SegmentRow {
    pub name: String,
    pub size: i64,
    pub value_share: f64,
    /// In [`crate::segments::FEATURES`] order.
    pub centre: [f64; 6],
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct SegmentModel {
    pub k: Option<i64>,
    /// Runs before segments by rules clustered, and measured their fit.
    pub silhouette: Option<f64>,
    /// The lines the rules drew (runs before them have none).
    pub rules: Option<crate::segments::Rules>,
    pub customers: i64,
    /// Why there are no segments.
    pub reason: Option<String>,
    /// (feature, importance) in [`crate::segments::FEATURES`] order.
    pub importance: Vec<(String, f64)>,
    /// Largest value share first.
    pub segments: Vec<SegmentRow>,
}

/// The segments of the last run (None before the first run).
pub fn segments(c: &Connection) -> Result<Option<SegmentModel>, duckdb::Error> {
    if !has_results(c)? {
        return Ok(None);
    }
    let mut st = c.prepare(
        "SELECT k, silhouette, customers, reason, importance, rules FROM ml.segment_model",
    )?;
    let Some(mut m) = st
        .query_map([], |r| {
            let imp: Option<String> = r.get(4)?;
            let rules: Option<String> = r.get(5)?;
            Ok(SegmentModel {
                k: r.get(0)?,
                silhouette: r.get(1)?,
                rules: rules.and_then(|j| serde_json::from_str(&j).ok()),
                customers: r.get(2)?,
                reason: r.get(3)?,
                importance: imp
                    .unwrap_or_default()
                    .split(';')
                    .filter_map(|kv| {
                        kv.split_once('=')
                            .and_then(|(k, v)| Some((k.to_string(), v.parse().ok()?)))
                    })
                    .collect(),
                segments: vec![],
            })
        })?
        .next()
        .transpose()?
    else {
        return Ok(None);
    };
    let mut st = c.prepare("SELECT segment, size, value_share, recency_days, frequency, monetary, tenure_days, aov, return_rate FROM ml.segments ORDER BY rank")?;
    m.segments = st
        .query_map([], |r| {
            Ok(SegmentRow {
                name: r.get(0)?,
                size: r.get(1)?,
                value_share: r.get(2)?,
                centre: [
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                    r.get(7)?,
                    r.get(8)?,
                ],
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(Some(m))
}

/// A fitted recommender with the names of its items and categories.
#[derive(Debug, Clone)]
pub struct Recommender {
    pub skus: Vec<String>,
    pub categories: Vec<String>,
    /// Brand names; the model's `brand` indexes into them.
    pub brands: Vec<String>,
    pub model: crate::recommend::Model,
}

fn write_recommender(c: &Connection, r: &Recommender) -> Result<(), duckdb::Error> {
    let m = &r.model;
    let mut items = c.prepare(
        "INSERT INTO ml.rec_items (sku, category, buyers, rebuy, brand, gap) VALUES (?, ?, ?, ?, ?, ?)",
    )?;
    let mut near = c.prepare("INSERT INTO ml.rec_neighbours VALUES (?, ?, ?)")?;
    for (i, sku) in r.skus.iter().enumerate() {
        let cat = r
            .categories
            .get(m.category[i] as usize)
            .map_or("uncategorised", String::as_str);
        let brand = m
            .brand
            .get(i)
            .and_then(|b| r.brands.get(*b as usize))
            .map(String::as_str);
        items.execute(duckdb::params![
            sku,
            cat,
            i64::from(m.buyers[i]),
            m.rebuy[i],
            brand,
            m.gap.get(i).copied().unwrap_or(0.0)
        ])?;
        for (j, share) in &m.neighbours[i] {
            if let Some(other) = r.skus.get(*j as usize) {
                near.execute(duckdb::params![sku, other, share])?;
            }
        }
    }
    c.execute(
        "INSERT INTO ml.rec_model VALUES (?)",
        duckdb::params![i64::from(m.customers)],
    )?;
    let mut weight = c.prepare("INSERT INTO ml.rec_weights VALUES (?, ?)")?;
    weight.execute(duckdb::params!["bias", m.weights.bias])?;
    for (name, w) in crate::recommend::FEATURES.iter().zip(m.weights.w) {
        weight.execute(duckdb::params![name, w])?;
    }
    Ok(())
}

/// A stored item of the recommender: sku, category, buyers, re-buy rate, brand, usual gap.
type ItemRow = (String, String, i64, f64, Option<String>, Option<f64>);

/// The recommender of the last run, if it made one.
pub fn recommender(c: &Connection) -> Result<Option<Recommender>, duckdb::Error> {
    let n: i64 = c.query_row(
        "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'ml' AND table_name = 'rec_model'",
        [],
        |r| r.get(0),
    )?;
    if n == 0 {
        return Ok(None);
    }
    let customers: Option<i64> =
        c.query_row("SELECT max(customers) FROM ml.rec_model", [], |r| r.get(0))?;
    let Some(customers) = customers else {
        return Ok(None);
    };
    let mut st = c.prepare(
        "SELECT sku, category, buyers, rebuy, brand, gap FROM ml.rec_items ORDER BY sku",
    )?;
    let rows: Vec<ItemRow> = st
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        })?
        .collect::<Result<_, _>>()?;
    let (mut brands, mut categories) = (Names::default(), Names::default());
    let mut brand = vec![];
    let mut index: HashMap<String, u32> = HashMap::new();
    let mut category = vec![];
    let mut buyers = vec![];
    let mut rebuy = vec![];
    let mut gap = vec![];
    let mut skus = vec![];
    for (i, (sku, cat, b, r, name, g)) in rows.into_iter().enumerate() {
        gap.push(g.unwrap_or(0.0));
        brand.push(name.map_or(crate::recommend::NO_BRAND, |n| brands.id(n)));
        let ci = categories.id(cat);
        index.insert(sku.clone(), i as u32);
        skus.push(sku);
        category.push(ci);
        buyers.push(u32::try_from(b).unwrap_or(u32::MAX));
        rebuy.push(r);
    }
    let mut neighbours: Vec<Vec<(u32, f64)>> = vec![vec![]; skus.len()];
    let mut st = c.prepare(
        "SELECT sku, other, share FROM ml.rec_neighbours ORDER BY sku, share DESC, other",
    )?;
    for row in st.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, f64>(2)?,
        ))
    })? {
        let (a, b, share) = row?;
        if let (Some(i), Some(j)) = (index.get(&a), index.get(&b)) {
            neighbours[*i as usize].push((*j, share));
        }
    }
    // Weights by feature name; a feature the run did not store keeps its prior.
    let mut weights = crate::recommend::PRIOR;
    let mut st = c.prepare("SELECT feature, weight FROM ml.rec_weights")?;
    for row in st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, f64>(1)?)))? {
        let (name, w) = row?;
        if name == "bias" {
            weights.bias = w;
        } else if let Some(k) = crate::recommend::FEATURES.iter().position(|f| *f == name) {
            weights.w[k] = w;
        }
    }
    let model = crate::recommend::Model::from_parts(
        category,
        brand,
        buyers,
        rebuy,
        gap,
        neighbours,
        u32::try_from(customers).unwrap_or(u32::MAX),
        weights,
    );
    Ok(Some(Recommender {
        skus,
        categories: categories.list,
        brands: brands.list,
        model,
    }))
}
