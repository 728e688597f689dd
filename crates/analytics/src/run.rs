//! Running a query on a shop's warehouse: on a reader connection of its own (never waiting
//! for an ingest), with the comparison period as a second run of the same SQL.

use crate::QueryError;
use crate::compile::{MAX_ROWS, compile};
use crate::model::{Metric, Query, TimeRange, Unit};
use duckdb::Connection;
use duckdb::types::Value as DbValue;
use serde::Serialize;
use sr360_warehouse::Warehouse;
use time::Date;

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum Value {
    Null,
    Int(i64),
    Float(f64),
    Text(String),
}

impl Value {
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Int(i) => Some(*i as f64),
            Value::Float(f) => Some(*f),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Text(s) => Some(s),
            _ => None,
        }
    }

    pub(crate) fn from_db(v: DbValue) -> Self {
        match v {
            DbValue::Null => Value::Null,
            DbValue::Boolean(b) => Value::Int(i64::from(b)),
            DbValue::TinyInt(i) => Value::Int(i.into()),
            DbValue::SmallInt(i) => Value::Int(i.into()),
            DbValue::Int(i) => Value::Int(i.into()),
            DbValue::BigInt(i) => Value::Int(i),
            DbValue::HugeInt(i) => i64::try_from(i)
                .map(Value::Int)
                .unwrap_or(Value::Float(i as f64)),
            DbValue::UTinyInt(i) => Value::Int(i.into()),
            DbValue::USmallInt(i) => Value::Int(i.into()),
            DbValue::UInt(i) => Value::Int(i.into()),
            DbValue::UBigInt(i) => i64::try_from(i)
                .map(Value::Int)
                .unwrap_or(Value::Float(i as f64)),
            DbValue::Float(f) => Value::Float(f.into()),
            DbValue::Double(f) => Value::Float(f),
            DbValue::Decimal(d) => d
                .to_string()
                .parse()
                .map(Value::Float)
                .unwrap_or(Value::Null),
            DbValue::Text(s) => Value::Text(s),
            DbValue::Date32(days) => Value::Text(
                epoch_day(days.into())
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
            ),
            other => Value::Text(format!("{other:?}")),
        }
    }
}

fn epoch_day(days: i64) -> Option<Date> {
    Date::from_julian_day(
        Date::from_calendar_date(1970, time::Month::January, 1)
            .ok()?
            .to_julian_day()
            + i32::try_from(days).ok()?,
    )
    .ok()
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Column {
    pub name: String,
    /// `dimension` or `metric`.
    pub role: &'static str,
    /// For metrics: `money`, `count` or `ratio`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<Unit>,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct QueryResult {
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Value>>,
    /// More rows matched than the limit allowed.
    pub truncated: bool,
    pub range: TimeRange,
    /// The comparison period's rows (same columns), when one was asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous: Option<Vec<Vec<Value>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_range: Option<TimeRange>,
}

impl QueryResult {
    /// Values as a reader means them: money to the currency's decimals (`money_places`),
    /// ratios to 0.01 % — not a float sum's last digits (5224.609999999993).
    pub fn rounded(mut self, money_places: u32) -> Self {
        let places: Vec<Option<i32>> = self
            .columns
            .iter()
            .map(|c| match c.unit {
                Some(Unit::Money) => Some(money_places as i32),
                Some(Unit::Ratio) => Some(4),
                _ => None,
            })
            .collect();
        let round = |rows: &mut Vec<Vec<Value>>| {
            for row in rows {
                for (v, p) in row.iter_mut().zip(&places) {
                    if let (Value::Float(x), Some(p)) = (&*v, p) {
                        let f = 10f64.powi(*p);
                        *v = Value::Float((x * f).round() / f);
                    }
                }
            }
        };
        round(&mut self.rows);
        if let Some(prev) = self.previous.as_mut() {
            round(prev);
        }
        self
    }
}

/// Decimals of a currency's minor unit (ISO 4217): 0 for the yen or the won, 3 for the dinars
/// of Bahrain, Kuwait, Oman, Jordan, Iraq, Libya and Tunisia, else 2.
pub fn currency_places(code: &str) -> u32 {
    match code.to_ascii_uppercase().as_str() {
        "JPY" | "KRW" | "VND" | "CLP" | "ISK" | "UGX" | "PYG" | "XOF" | "XAF" | "KMF" | "GNF"
        | "RWF" | "DJF" | "VUV" | "XPF" | "BIF" => 0,
        "BHD" | "KWD" | "OMR" | "JOD" | "IQD" | "LYD" | "TND" => 3,
        _ => 2,
    }
}

/// First and last day with sales, or None before any are loaded.
pub fn data_range(conn: &Connection) -> Result<Option<TimeRange>, QueryError> {
    let n: i64 = conn.query_row("SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'gold' AND table_name = 'fact_sales'", [], |r| r.get(0))?;
    if n == 0 {
        return Ok(None);
    }
    let (a, b): (Option<i32>, Option<i32>) =
        conn.query_row("SELECT CAST(min(date_key) - DATE '1970-01-01' AS INTEGER), CAST(max(date_key) - DATE '1970-01-01' AS INTEGER) FROM gold.fact_sales", [], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(
        match (
            a.and_then(|d| epoch_day(d.into())),
            b.and_then(|d| epoch_day(d.into())),
        ) {
            (Some(from), Some(to)) => Some(TimeRange { from, to }),
            _ => None,
        },
    )
}

/// Are the shop's sales known only as totals per period (no order lines)? Pages about
/// customers, cohorts, segments and baskets cannot work from totals and say so.
pub fn totals_only(conn: &Connection) -> Result<bool, QueryError> {
    let n: i64 = conn.query_row("SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'gold' AND table_name = 'fact_sales'", [], |r| r.get(0))?;
    if n == 0 {
        return Ok(false);
    }
    Ok(conn.query_row(
        "SELECT count(*) > 0 AND count(order_id) = 0 FROM gold.fact_sales",
        [],
        |r| r.get(0),
    )?)
}

fn rows(
    conn: &Connection,
    sql: &str,
    params: &[String],
    width: usize,
) -> Result<Vec<Vec<Value>>, QueryError> {
    let mut st = conn.prepare(sql)?;
    let mut out = Vec::new();
    let mut rs = st.query(duckdb::params_from_iter(params.iter()))?;
    while let Some(r) = rs.next()? {
        let mut row = Vec::with_capacity(width);
        for i in 0..width {
            row.push(Value::from_db(r.get::<_, DbValue>(i)?));
        }
        out.push(row);
    }
    Ok(out)
}

/// Run `q` on `conn` (a reader of one shop's warehouse).
pub fn execute(conn: &Connection, q: &Query) -> Result<QueryResult, QueryError> {
    let t = std::time::Instant::now();
    let Some(all) = data_range(conn)? else {
        return Err(QueryError::NoData);
    };
    let range = q.range.unwrap_or(all);
    let c = compile(q, range)?;
    let limit = q.limit.unwrap_or(MAX_ROWS) as usize;
    let mut current = rows(conn, &c.sql, &c.params, c.columns.len())?;
    let truncated = current.len() > limit;
    current.truncate(limit);
    let (previous, previous_range) = match q.compare {
        Some(cmp) => {
            let pr = cmp.shift(range);
            let mut p = c.params.clone();
            p[0] = pr.from.to_string();
            p[1] = pr.to.to_string();
            let mut prev = rows(conn, &c.sql, &p, c.columns.len())?;
            prev.truncate(limit);
            (Some(prev), Some(pr))
        }
        None => (None, None),
    };
    let columns = c
        .columns
        .iter()
        .map(|name| match Metric::ALL.iter().find(|m| m.name() == name) {
            Some(m) => Column {
                name: name.clone(),
                role: "metric",
                unit: Some(m.unit()),
            },
            None => Column {
                name: name.clone(),
                role: "dimension",
                unit: None,
            },
        })
        .collect();
    tracing::debug!(
        ms = t.elapsed().as_millis() as u64,
        rows = current.len(),
        "analytics query"
    );
    Ok(QueryResult {
        columns,
        rows: current,
        truncated,
        range,
        previous,
        previous_range,
    })
}

/// Run `q` on the shop's warehouse, through the same cache as the pages. The handle is the
/// authorisation: it can only have been opened with that shop's scope.
pub fn run(wh: &Warehouse, q: &Query) -> Result<QueryResult, QueryError> {
    session(wh, |s| s.run(q))
}

/// Several queries on one reader connection of a shop's warehouse (a page's worth), all
/// seeing the same committed state. Answers are cached per shop and data version.
pub struct Session<'a> {
    conn: &'a Connection,
    /// `<shop>/<data version>/`: the prefix of every cache key of this session.
    scope: String,
}

impl Session<'_> {
    pub fn data_range(&self) -> Result<Option<TimeRange>, QueryError> {
        self.cached("range", || data_range(self.conn))
    }

    pub fn totals_only(&self) -> Result<bool, QueryError> {
        self.cached("totals_only", || totals_only(self.conn))
    }

    pub fn run(&self, q: &Query) -> Result<QueryResult, QueryError> {
        let key = serde_json::to_string(q).map_err(|e| QueryError::Invalid(e.to_string()))?;
        self.cached(&format!("q/{key}"), || execute(self.conn, q))
    }

    pub(crate) fn conn(&self) -> &Connection {
        self.conn
    }

    /// The answer to `question` from the cache, or computed (and kept when it succeeds).
    pub(crate) fn cached<T: Clone + Send + Sync + serde::Serialize + 'static>(
        &self,
        question: &str,
        f: impl FnOnce() -> Result<T, QueryError>,
    ) -> Result<T, QueryError> {
        let key = format!("{}{question}", self.scope);
        if let Some(v) = crate::cache::get::<T>(&key) {
            return Ok(v);
        }
        let v = f()?;
        crate::cache::put(key, &v);
        Ok(v)
    }
}

/// The shop's data version: bumped by every publish of an ingest.
fn data_version(conn: &Connection) -> Result<i64, QueryError> {
    let n: i64 = conn.query_row("SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'sr360' AND table_name = 'data_version'", [], |r| r.get(0))?;
    if n == 0 {
        return Ok(0);
    }
    Ok(conn.query_row(
        "SELECT coalesce(max(v), 0) FROM sr360.data_version",
        [],
        |r| r.get(0),
    )?)
}

/// Run `f` with a [`Session`] on the shop's warehouse (the handle is the authorisation).
pub fn session<T>(
    wh: &Warehouse,
    f: impl FnOnce(&Session<'_>) -> Result<T, QueryError>,
) -> Result<T, QueryError> {
    // The warehouse's own directory names it uniquely (two data directories in one process
    // may both have a shop called "demo").
    let shop = format!("{}:{}", wh.tenant(), wh.root().display());
    wh.with_reader(|conn| {
        Ok((|| {
            let scope = format!("{shop}/{}/", data_version(conn)?);
            f(&Session { conn, scope })
        })())
    })?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_round_money_to_the_currency_and_ratios_to_a_hundredth_of_a_percent() {
        let column = |name: &str, unit| Column {
            name: name.into(),
            role: "metric",
            unit: Some(unit),
        };
        let r = QueryResult {
            columns: vec![
                column("revenue", Unit::Money),
                column("return_rate", Unit::Ratio),
                column("orders", Unit::Count),
            ],
            rows: vec![vec![
                Value::Float(5224.609999999993),
                Value::Float(0.123456),
                Value::Int(7),
            ]],
            truncated: false,
            range: TimeRange {
                from: time::macros::date!(2025 - 01 - 01),
                to: time::macros::date!(2025 - 01 - 31),
            },
            previous: None,
            previous_range: None,
        };
        let usd = r.clone().rounded(currency_places("USD"));
        assert_eq!(
            usd.rows[0],
            vec![Value::Float(5224.61), Value::Float(0.1235), Value::Int(7)]
        );
        assert_eq!(
            r.rounded(currency_places("JPY")).rows[0][0],
            Value::Float(5225.0)
        );
        assert_eq!(currency_places("kwd"), 3);
    }
}
