//! SQL mode: an analyst's own read-only SQL over the shop's gold tables. The statement is
//! parsed (sqlparser, DuckDB dialect) and checked against an allow-list before DuckDB sees it:
//! one query; tables only from `gold` (or the query's own `WITH` names); no table functions
//! (they read files and the network: `read_csv`, `glob`, `parquet_scan`, …); no functions that
//! reveal the machine (`getenv`, `current_setting`, `duckdb_*`). It then runs on a reader
//! whose configuration is locked with external access off, inside a transaction that is
//! rolled back, with a row cap and a time limit (DuckDB's interrupt).

use crate::QueryError;
use crate::run::Value;
use duckdb::Connection;
use duckdb::types::Value as DbValue;
use sqlparser::ast::{Expr, ObjectName, Query, SetExpr, Statement, TableFactor, Visit, Visitor};
use sqlparser::dialect::DuckDbDialect;
use sqlparser::parser::Parser;
use std::collections::HashSet;
use std::ops::ControlFlow;
use std::time::{Duration, Instant};

/// Why a statement is refused; the words are shown to the analyst and audited.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("the SQL could not be read: {0}")]
    Syntax(String),
    #[error("one SELECT statement only")]
    NotOneQuery,
    #[error("only reading is allowed (SELECT … INTO writes)")]
    Writes,
    #[error("only the gold tables can be read; {0} is not one of them")]
    Table(String),
    #[error("table functions are not allowed ({0})")]
    TableFunction(String),
    #[error("the function {0} is not allowed")]
    Function(String),
    #[error("the query ran longer than {0} s and was stopped")]
    TooSlow(u64),
}

/// Functions that read files or the network, run other SQL, or tell about the machine and its
/// settings. Table functions are refused by position as well; these are refused anywhere.
const DENIED: [&str; 24] = [
    "read_csv",
    "read_csv_auto",
    "read_json",
    "read_json_auto",
    "read_json_objects",
    "read_ndjson",
    "read_parquet",
    "read_text",
    "read_blob",
    "read_xlsx",
    "parquet_scan",
    "parquet_metadata",
    "parquet_schema",
    "glob",
    "sniff_csv",
    "getenv",
    "current_setting",
    "query",
    "query_table",
    "iceberg_scan",
    "delta_scan",
    "sqlite_scan",
    "postgres_scan",
    "which_secret",
];

/// Prefixes of function families refused for the same reasons.
const DENIED_PREFIXES: [&str; 5] = ["read_", "duckdb_", "pragma_", "parquet_", "http"];

struct Check<'a> {
    gold: &'a HashSet<String>,
    ctes: HashSet<String>,
}

fn lower(name: &ObjectName) -> Vec<String> {
    name.0
        .iter()
        .map(|p| p.to_string().trim_matches('"').to_lowercase())
        .collect()
}

impl Visitor for Check<'_> {
    type Break = Refusal;

    fn pre_visit_query(&mut self, q: &Query) -> ControlFlow<Refusal> {
        if let Some(with) = &q.with {
            for cte in &with.cte_tables {
                self.ctes.insert(cte.alias.name.value.to_lowercase());
            }
        }
        if let SetExpr::Select(s) = q.body.as_ref()
            && s.into.is_some()
        {
            return ControlFlow::Break(Refusal::Writes);
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_table_factor(&mut self, t: &TableFactor) -> ControlFlow<Refusal> {
        match t {
            TableFactor::Table { name, args, .. } => {
                let parts = lower(name);
                let shown = parts.join(".");
                if args.is_some() {
                    return ControlFlow::Break(Refusal::TableFunction(shown));
                }
                let allowed = match parts.as_slice() {
                    [t] => self.ctes.contains(t) || self.gold.contains(t),
                    [s, t] => s == "gold" && self.gold.contains(t),
                    _ => false,
                };
                if allowed {
                    ControlFlow::Continue(())
                } else {
                    ControlFlow::Break(Refusal::Table(shown))
                }
            }
            TableFactor::Derived { .. } | TableFactor::NestedJoin { .. } => {
                ControlFlow::Continue(())
            }
            other => {
                let text = other.to_string();
                let head: String = text.chars().take(40).collect();
                ControlFlow::Break(Refusal::TableFunction(head))
            }
        }
    }

    fn pre_visit_expr(&mut self, e: &Expr) -> ControlFlow<Refusal> {
        if let Expr::Function(f) = e {
            let parts = lower(&f.name);
            let shown = parts.join(".");
            let Some(name) = parts.last() else {
                return ControlFlow::Continue(());
            };
            if parts.len() > 1
                || DENIED.contains(&name.as_str())
                || DENIED_PREFIXES.iter().any(|p| name.starts_with(p))
            {
                return ControlFlow::Break(Refusal::Function(shown));
            }
        }
        ControlFlow::Continue(())
    }
}

/// Check `sql` against the allow-list; `gold` holds the shop's gold table names (lower case).
/// Returns the statement as DuckDB will run it.
pub fn check(sql: &str, gold: &HashSet<String>) -> Result<String, Refusal> {
    let statements = Parser::parse_sql(&DuckDbDialect {}, sql).map_err(|e| {
        let mut why = e.to_string();
        why.truncate(200);
        Refusal::Syntax(why)
    })?;
    let [Statement::Query(q)] = statements.as_slice() else {
        return Err(Refusal::NotOneQuery);
    };
    let mut check = Check {
        gold,
        ctes: HashSet::new(),
    };
    if let ControlFlow::Break(r) = q.visit(&mut check) {
        return Err(r);
    }
    Ok(q.to_string())
}

/// The gold tables and views of the shop's warehouse (lower case).
pub fn gold_tables(conn: &Connection) -> Result<HashSet<String>, QueryError> {
    let mut st = conn.prepare(
        "SELECT lower(table_name) FROM information_schema.tables WHERE table_schema = 'gold'",
    )?;
    let names = st
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<Result<HashSet<_>, _>>()?;
    Ok(names)
}

/// Column names, rows, and whether rows were left out.
type Table = (Vec<String>, Vec<Vec<Value>>, bool);

/// What an analyst's query returned.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct SqlResult {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Value>>,
    /// More rows than the cap: only the first `cap` are here.
    pub truncated: bool,
    /// The statement as it ran (normalised by the parser).
    pub sql: String,
    pub ms: u64,
}

/// Check and run `sql` on `conn` (a reader of one shop's warehouse): at most `cap` rows,
/// interrupted after `limit`. Refusals are `Err(Ok(refusal))`; failures while running are
/// `Err(Err(error))`.
pub fn run(
    conn: &Connection,
    sql: &str,
    cap: usize,
    limit: Duration,
) -> Result<SqlResult, Result<Refusal, QueryError>> {
    let started = Instant::now();
    let gold = gold_tables(conn).map_err(Err)?;
    let checked = check(sql, &gold).map_err(Ok)?;
    // The timer interrupts the query if it runs past the limit; dropping `done` stops it.
    let handle = conn.interrupt_handle();
    let (done, stop) = std::sync::mpsc::channel::<()>();
    let timer = std::thread::spawn(move || {
        if let Err(std::sync::mpsc::RecvTimeoutError::Timeout) = stop.recv_timeout(limit) {
            handle.interrupt();
        }
    });
    let result = (|| -> Result<Table, QueryError> {
        conn.execute_batch("BEGIN TRANSACTION")?;
        let out = (|| {
            let wrapped = format!("SELECT * FROM ({checked}) AS q LIMIT {}", cap + 1);
            let mut st = conn.prepare(&wrapped)?;
            let mut rows = vec![];
            let mut rs = st.query([])?;
            while let Some(r) = rs.next()? {
                let width = r.as_ref().column_count();
                let mut row = Vec::with_capacity(width);
                for i in 0..width {
                    row.push(Value::from_db(r.get::<_, DbValue>(i)?));
                }
                rows.push(row);
            }
            drop(rs);
            let columns = st.column_names();
            let truncated = rows.len() > cap;
            rows.truncate(cap);
            Ok((columns, rows, truncated))
        })();
        conn.execute_batch("ROLLBACK")?;
        out
    })();
    drop(done);
    let _ = timer.join();
    let (columns, rows, truncated) = result.map_err(|e| match e {
        QueryError::Db(ref d) if d.to_string().to_lowercase().contains("interrupt") => {
            Ok(Refusal::TooSlow(limit.as_secs()))
        }
        e => Err(e),
    })?;
    Ok(SqlResult {
        columns,
        rows,
        truncated,
        sql: checked,
        ms: started.elapsed().as_millis() as u64,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gold() -> HashSet<String> {
        ["fact_sales", "dim_product", "daily_sales"]
            .map(String::from)
            .into()
    }

    fn refused(sql: &str) -> Refusal {
        match check(sql, &gold()) {
            Err(r) => r,
            Ok(s) => panic!("allowed: {s}"),
        }
    }

    #[test]
    fn plain_queries_over_gold_are_allowed() {
        for sql in [
            "SELECT sum(net_revenue) FROM gold.fact_sales",
            "select category, count(*) from fact_sales f join gold.dim_product p using (sku) group by 1 order by 2 desc",
            "WITH t AS (SELECT * FROM gold.daily_sales) SELECT max(revenue) FROM t",
            "SELECT * FROM (SELECT 1 AS x) s",
            "SELECT \"order_id\" FROM \"gold\".\"fact_sales\" WHERE date_key >= DATE '2024-01-01'",
        ] {
            assert!(
                check(sql, &gold()).is_ok(),
                "{sql}: {:?}",
                check(sql, &gold())
            );
        }
    }

    #[test]
    fn every_listed_attack_is_refused() {
        // Statements other than one SELECT.
        for sql in [
            "COPY gold.fact_sales TO '/tmp/x.csv'",
            "ATTACH '/tmp/other.duckdb' AS o",
            "DETACH o",
            "INSTALL httpfs",
            "LOAD httpfs",
            "PRAGMA database_list",
            "SET enable_external_access = true",
            "CREATE TABLE gold.x AS SELECT 1",
            "EXPORT DATABASE '/tmp/dump'",
            "CALL duckdb_settings()",
            "DELETE FROM gold.fact_sales",
            "UPDATE gold.fact_sales SET qty = 0",
            "DROP TABLE gold.fact_sales",
            "SELECT 1; SELECT 2",
            "SELECT 1; DROP TABLE gold.fact_sales",
        ] {
            let r = refused(sql);
            assert!(
                matches!(r, Refusal::NotOneQuery | Refusal::Syntax(_)),
                "{sql}: {r:?}"
            );
        }
        // Table functions that read files or the network, in any position.
        for sql in [
            "SELECT * FROM read_csv('/etc/passwd')",
            "SELECT * FROM read_csv_auto('x.csv')",
            "SELECT * FROM read_json('x.json')",
            "SELECT * FROM read_parquet('s3://b/x.parquet')",
            "SELECT * FROM read_text('/etc/hostname')",
            "SELECT * FROM read_blob('/etc/hostname')",
            "SELECT * FROM glob('/*')",
            "SELECT * FROM sniff_csv('/etc/passwd')",
            "SELECT * FROM parquet_scan('x.parquet')",
            "SELECT * FROM 'data.csv'",
            "SELECT * FROM duckdb_settings()",
            "SELECT * FROM duckdb_secrets()",
            "SELECT * FROM gold.fact_sales WHERE sku IN (SELECT column0 FROM read_csv('/etc/passwd'))",
            "WITH x AS (SELECT * FROM glob('*')) SELECT * FROM x",
        ] {
            let r = refused(sql);
            assert!(
                matches!(
                    r,
                    Refusal::TableFunction(_) | Refusal::Table(_) | Refusal::Syntax(_)
                ),
                "{sql}: {r:?}"
            );
        }
        // Functions that tell about the machine, wherever they stand.
        for sql in [
            "SELECT getenv('HOME')",
            "SELECT current_setting('allowed_directories')",
            "SELECT (SELECT count(*) FROM duckdb_secrets())",
            "SELECT duckdb_settings()",
        ] {
            let r = refused(sql);
            assert!(
                matches!(r, Refusal::Function(_) | Refusal::TableFunction(_)),
                "{sql}: {r:?}"
            );
        }
        // Other schemas, catalogs and the engine's own tables.
        for sql in [
            "SELECT * FROM bronze.upload_1",
            "SELECT * FROM silver.orders",
            "SELECT * FROM ml.forecasts",
            "SELECT * FROM sr360.data_version",
            "SELECT * FROM information_schema.tables",
            "SELECT * FROM pg_catalog.pg_tables",
            "SELECT * FROM duckdb_tables",
            "SELECT * FROM main.gold_copy",
            "SELECT * FROM warehouse.gold.fact_sales",
            "SELECT * FROM other_table",
        ] {
            assert!(matches!(refused(sql), Refusal::Table(_)), "{sql}");
        }
        assert_eq!(
            refused("SELECT * INTO new_table FROM gold.fact_sales"),
            Refusal::Writes
        );
    }
}
