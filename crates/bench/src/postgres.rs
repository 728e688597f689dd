//! The dashboard's queries on DuckDB and on PostgreSQL over the same data, in the same run
//! (`sr360-bench pages --postgres <conninfo>`; scripts/bench-postgres.sh starts a throwaway
//! PostgreSQL). The original design kept the warehouse in PostgreSQL; this is the evidence
//! for DuckDB.
//!
//! The gold tables are copied from the shop's warehouse file into PostgreSQL (CSV through
//! `COPY`, an index on the date key, `ANALYZE`). Each query is compiled once by the query
//! layer; PostgreSQL gets the same SQL with three mechanical dialect changes, listed in
//! [`for_postgres`]. Both sides run without sr360's answer cache: this measures the engines.

use anyhow::Context;
use sr360_analytics::{Comparison, Dimension, Grain, Metric, Query, TimeRange, compile};
use std::path::Path;
use std::time::Instant;

/// The SQL the query layer wrote, in PostgreSQL's dialect:
/// - `?` placeholders become `$n::text` (values are bound as text, as DuckDB gets them);
/// - `x / nullif(y, 0)` divides as floating point (DuckDB's `/` always does; PostgreSQL's
///   truncates integers);
/// - `any_value` (PostgreSQL 16+) becomes `min`.
pub fn for_postgres(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 64);
    let mut n = 0;
    for c in sql.chars() {
        if c == '?' {
            n += 1;
            out.push_str(&format!("${n}::text"));
        } else {
            out.push(c);
        }
    }
    let mut s = out.replace("any_value(", "min(");
    let needle = "/ nullif(";
    let mut from = 0;
    while let Some(i) = s[from..].find(needle).map(|i| i + from) {
        // Wrap the whole `nullif(...)` in a float cast.
        let open = i + needle.len() - 1;
        let mut depth = 0;
        let mut close = None;
        for (j, ch) in s[open..].char_indices() {
            match ch {
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth == 0 {
                        close = Some(open + j);
                        break;
                    }
                }
                _ => {}
            }
        }
        let Some(close) = close else { break };
        s.insert_str(close + 1, "::float8");
        from = close;
    }
    s
}

/// PostgreSQL's name for a DuckDB column type.
fn pg_type(duck: &str) -> String {
    let t = duck.to_ascii_uppercase();
    match t.as_str() {
        "VARCHAR" => "text".into(),
        "BOOLEAN" => "boolean".into(),
        "DATE" => "date".into(),
        "TIMESTAMP" => "timestamp".into(),
        "TIMESTAMP WITH TIME ZONE" => "timestamptz".into(),
        "DOUBLE" | "FLOAT" => "float8".into(),
        "TINYINT" | "SMALLINT" | "UTINYINT" => "smallint".into(),
        "INTEGER" | "USMALLINT" => "integer".into(),
        "BIGINT" | "UINTEGER" => "bigint".into(),
        "HUGEINT" | "UBIGINT" => "numeric".into(),
        _ if t.starts_with("DECIMAL") => t.replace("DECIMAL", "numeric"),
        _ => "text".into(),
    }
}

/// The dashboard's queries for the last `days` of data: the six key figures for the period
/// and the period before, and the same figures per day for the sparklines.
fn dashboard_queries(all: TimeRange, days: i64) -> Vec<(String, Query, TimeRange)> {
    let metrics = [
        Metric::Revenue,
        Metric::Orders,
        Metric::Aov,
        Metric::Customers,
        Metric::NewCustomers,
        Metric::ReturnRate,
    ];
    let range = all.last_days(days);
    let totals = Query::new(&metrics);
    let mut daily = Query::new(&metrics);
    daily.dimensions = vec![Dimension::Date(if days > 90 {
        Grain::Week
    } else {
        Grain::Day
    })];
    vec![
        (
            format!("key figures, last {days} days"),
            totals.clone(),
            range,
        ),
        (
            format!("key figures, the {days} days before"),
            totals,
            Comparison::PreviousPeriod.shift(range),
        ),
        (format!("daily figures, last {days} days"), daily, range),
    ]
}

/// Copy the gold tables into PostgreSQL, run each dashboard query `runs` times on both, and
/// return the Markdown rows (query, DuckDB, PostgreSQL, ratio) and the overall ratio.
pub fn compare(
    warehouse: &Path,
    work: &Path,
    conninfo: &str,
    runs: usize,
) -> anyhow::Result<(Vec<[String; 4]>, f64, f64)> {
    let duck = duckdb::Connection::open_with_flags(
        warehouse,
        duckdb::Config::default().access_mode(duckdb::AccessMode::ReadOnly)?,
    )?;
    let mut pg = postgres::Client::connect(conninfo, postgres::NoTls)
        .with_context(|| format!("connecting to PostgreSQL ({conninfo})"))?;
    pg.batch_execute("DROP SCHEMA IF EXISTS gold CASCADE; CREATE SCHEMA gold;")?;
    let t = Instant::now();
    for table in ["fact_sales", "dim_product"] {
        let cols: Vec<(String, String)> = duck
            .prepare(&format!("SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'gold' AND table_name = '{table}' ORDER BY ordinal_position"))?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        anyhow::ensure!(
            !cols.is_empty(),
            "gold.{table} not found in {}",
            warehouse.display()
        );
        let ddl = cols
            .iter()
            .map(|(n, t)| format!("\"{n}\" {}", pg_type(t)))
            .collect::<Vec<_>>()
            .join(", ");
        pg.batch_execute(&format!("CREATE TABLE gold.{table} ({ddl})"))?;
        let csv = work.join(format!("{table}.csv"));
        duck.execute_batch(&format!(
            "COPY (SELECT * FROM gold.{table}) TO '{}' (HEADER, DELIMITER ',')",
            csv.display()
        ))?;
        let mut w = pg.copy_in(&format!(
            "COPY gold.{table} FROM STDIN WITH (FORMAT csv, HEADER)"
        ))?;
        std::io::copy(&mut std::fs::File::open(&csv)?, &mut w)?;
        w.finish()?;
        std::fs::remove_file(&csv)?;
    }
    pg.batch_execute("CREATE INDEX ON gold.fact_sales (date_key); CREATE INDEX ON gold.dim_product (sku); ANALYZE;")?;
    tracing::info!(
        seconds = t.elapsed().as_secs_f64(),
        "gold tables copied into PostgreSQL"
    );

    let all = sr360_analytics::data_range(&duck)?.context("no sales in the warehouse")?;
    let mut rows = vec![];
    let (mut duck_total, mut pg_total) = (0.0, 0.0);
    for days in [30, 365] {
        for (name, q, range) in dashboard_queries(all, days) {
            let c = compile(&q, range)?;
            let pg_sql = for_postgres(&c.sql);
            let params: Vec<&(dyn postgres::types::ToSql + Sync)> = c
                .params
                .iter()
                .map(|p| p as &(dyn postgres::types::ToSql + Sync))
                .collect();
            let mut stmt = duck.prepare(&c.sql)?;
            let pg_stmt = pg
                .prepare(&pg_sql)
                .with_context(|| format!("PostgreSQL refused:\n{pg_sql}"))?;
            // Same answers on both (row counts), then the timings after one warm-up run.
            let duck_rows = stmt
                .query(duckdb::params_from_iter(c.params.iter()))?
                .mapped(|_| Ok(()))
                .count();
            let pg_rows = pg.query(&pg_stmt, &params)?.len();
            anyhow::ensure!(
                duck_rows == pg_rows,
                "{name}: DuckDB returned {duck_rows} rows, PostgreSQL {pg_rows}"
            );
            let (mut d, mut p) = (vec![], vec![]);
            for _ in 0..runs {
                let t = Instant::now();
                let _ = stmt
                    .query(duckdb::params_from_iter(c.params.iter()))?
                    .mapped(|_| Ok(()))
                    .count();
                d.push(t.elapsed().as_secs_f64() * 1000.0);
                let t = Instant::now();
                let _ = pg.query(&pg_stmt, &params)?;
                p.push(t.elapsed().as_secs_f64() * 1000.0);
            }
            let (dm, pm) = (crate::pct(&mut d, 0.5), crate::pct(&mut p, 0.5));
            duck_total += dm;
            pg_total += pm;
            rows.push([
                name,
                format!("{dm:.1} ms (p99 {:.1})", crate::pct(&mut d, 0.99)),
                format!("{pm:.1} ms (p99 {:.1})", crate::pct(&mut p, 0.99)),
                format!("{:.1}×", pm / dm),
            ]);
        }
    }
    Ok((rows, duck_total, pg_total))
}

#[cfg(test)]
mod tests {
    use super::for_postgres;

    #[test]
    fn dialect_changes_are_mechanical() {
        let sql = "SELECT coalesce(sum(-quantity) FILTER (WHERE is_return), 0) / nullif(sum(quantity) FILTER (WHERE NOT is_return), 0) AS r, any_value(p) FROM f WHERE d BETWEEN CAST(? AS DATE) AND CAST(? AS DATE) AND c IN (?)";
        assert_eq!(
            for_postgres(sql),
            "SELECT coalesce(sum(-quantity) FILTER (WHERE is_return), 0) / nullif(sum(quantity) FILTER (WHERE NOT is_return), 0)::float8 AS r, min(p) FROM f WHERE d BETWEEN CAST($1::text AS DATE) AND CAST($2::text AS DATE) AND c IN ($3::text)"
        );
    }
}
