//! Cohort retention and lifetime value: customers grouped by the month of their first
//! purchase, followed month by month. A typed question like the others (no user SQL), but its
//! shape — cohort × months since first purchase — is not a metric × dimension table.

use crate::QueryError;
use crate::run::Session;
use serde::Serialize;
use utoipa::ToSchema;

/// One acquisition month, followed for up to `months` months.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Cohort {
    /// First day of the acquisition month, `2025-03-01`.
    pub month: String,
    /// Customers whose first purchase fell in that month.
    pub customers: i64,
    /// Share of the cohort buying again k months later (index 0 is 1.0); null where the data
    /// ends before that month.
    pub retention: Vec<Option<f64>>,
    /// Net revenue per customer of the cohort up to and including month k.
    pub ltv: Vec<Option<f64>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct CohortTable {
    pub cohorts: Vec<Cohort>,
    pub months: usize,
}

pub const MAX_MONTHS: usize = 24;

/// The last `cohorts` acquisition months, each followed for `months` months (≤ 24).
pub fn cohorts(s: &Session<'_>, cohorts: usize, months: usize) -> Result<CohortTable, QueryError> {
    s.cached(&format!("cohorts/{cohorts}/{months}"), || {
        compute(s, cohorts, months)
    })
}

fn compute(s: &Session<'_>, cohorts: usize, months: usize) -> Result<CohortTable, QueryError> {
    if cohorts == 0 || cohorts > 60 || months == 0 || months > MAX_MONTHS {
        return Err(QueryError::Invalid(format!(
            "between 1 and 60 cohorts and 1 and {MAX_MONTHS} months"
        )));
    }
    let Some(all) = s.data_range()? else {
        return Err(QueryError::NoData);
    };
    let last_month = (all.to.year(), u8::from(all.to.month()) as i32);
    let mut st = s.conn().prepare(
        "WITH first AS (
            SELECT customer_key, CAST(date_trunc('month', min(date_key)) AS DATE) AS cohort
            FROM gold.fact_sales WHERE customer_key IS NOT NULL AND NOT is_return GROUP BY customer_key),
         act AS (
            SELECT fi.cohort, CAST(date_diff('month', fi.cohort, CAST(date_trunc('month', f.date_key) AS DATE)) AS INTEGER) AS k,
                   count(DISTINCT f.customer_key) FILTER (WHERE NOT f.is_return) AS active, coalesce(sum(f.revenue), 0) AS revenue
            FROM gold.fact_sales f JOIN first fi USING (customer_key)
            GROUP BY 1, 2),
         picked AS (SELECT DISTINCT cohort FROM first ORDER BY cohort DESC LIMIT ?)
         SELECT CAST(cohort AS VARCHAR), k, active, revenue FROM act WHERE cohort IN (SELECT cohort FROM picked) AND k < ? ORDER BY 1, 2",
    )?;
    let rows = st
        .query_map(duckdb::params![cohorts as i64, months as i64], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i32>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, f64>(3)?,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let mut out: Vec<Cohort> = Vec::new();
    for (month, k, active, revenue) in rows {
        if out.last().is_none_or(|c| c.month != month) {
            // Months that exist in the data for this cohort: up to the data's last month.
            let y: i32 = month.get(..4).and_then(|x| x.parse().ok()).unwrap_or(0);
            let m: i32 = month.get(5..7).and_then(|x| x.parse().ok()).unwrap_or(1);
            let observable =
                ((last_month.0 - y) * 12 + (last_month.1 - m) + 1).clamp(0, months as i32) as usize;
            let mut c = Cohort {
                month: month.clone(),
                customers: 0,
                retention: vec![None; months],
                ltv: vec![None; months],
            };
            for i in 0..observable {
                c.retention[i] = Some(0.0);
                c.ltv[i] = Some(0.0);
            }
            out.push(c);
        }
        let Some(c) = out.last_mut() else { continue };
        let k = k.max(0) as usize;
        if k == 0 {
            c.customers = active;
        }
        if k < months && c.retention[k].is_some() {
            c.retention[k] = Some(active as f64);
            c.ltv[k] = Some(revenue);
        }
    }
    // Counts → shares, revenue → cumulative revenue per customer.
    for c in &mut out {
        let n = c.customers.max(1) as f64;
        let mut cum = 0.0;
        for k in 0..months {
            if let Some(a) = c.retention[k] {
                c.retention[k] = Some(a / n);
            }
            if let Some(r) = c.ltv[k] {
                cum += r;
                c.ltv[k] = Some(cum / n);
            }
        }
    }
    Ok(CohortTable {
        cohorts: out,
        months,
    })
}
