//! Shadow tables: an ingest writes the next version of each silver and gold table it changes
//! as `<table>__next`, committed step by step, and [`Shadow::publish`] swaps them all in with
//! one short transaction (drop + rename, catalogue changes only).
//!
//! Why not one long transaction around the whole pipeline: DuckDB reads and writes a
//! transaction's own uncommitted million-row tables two to three times slower than committed
//! ones (measured on the scale-50 demo shop: the sales fact took 4.1 s from uncommitted silver
//! and 1.7 s from committed). Readers never see `__next` tables (pages name the plain
//! tables), a failed ingest drops them, and a killed one leaves them for [`clear`] to drop on
//! the next run: silver and gold change all at once or not at all.

use duckdb::Connection;

pub const SUFFIX: &str = "__next";

/// Drop every leftover `__next` table (of a failed or killed ingest).
pub fn clear(conn: &Connection) -> Result<(), duckdb::Error> {
    let mut st = conn.prepare(
        "SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = current_database()
         AND schema_name IN ('silver', 'gold') AND NOT temporary AND suffix(table_name, '__next')",
    )?;
    let names: Vec<(String, String)> = st
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    for (s, t) in names {
        conn.execute_batch(&format!("DROP TABLE IF EXISTS {s}.{t}"))?;
    }
    Ok(())
}

/// The tables an ingest has written next versions of, as `schema.table`.
#[derive(Debug, Default)]
pub struct Shadow {
    pending: std::cell::RefCell<Vec<String>>,
}

impl Shadow {
    /// Where the next version of `table` (`schema.name`) is written; remembered for publish.
    pub fn next(&self, table: &str) -> String {
        let mut p = self.pending.borrow_mut();
        if !p.iter().any(|t| t == table) {
            p.push(table.to_string());
        }
        format!("{table}{SUFFIX}")
    }

    /// The newest version of `table`: its next version when this ingest wrote one.
    pub fn current(&self, table: &str) -> String {
        if self.pending.borrow().iter().any(|t| t == table) {
            format!("{table}{SUFFIX}")
        } else {
            table.to_string()
        }
    }

    /// Swap every next version in, all in one transaction, and bump the shop's data version
    /// (`sr360.data_version`, which keys the analytics answers cached for this shop).
    pub fn publish(&self, conn: &Connection) -> Result<(), duckdb::Error> {
        conn.execute_batch("CREATE SCHEMA IF NOT EXISTS sr360; CREATE TABLE IF NOT EXISTS sr360.data_version (v BIGINT NOT NULL);")?;
        let mut sql = String::from(
            "BEGIN TRANSACTION;
             INSERT INTO sr360.data_version SELECT coalesce(max(v), 0) + 1 FROM sr360.data_version;
             DELETE FROM sr360.data_version WHERE v < (SELECT max(v) FROM sr360.data_version);",
        );
        for t in self.pending.borrow().iter() {
            let name = t.rsplit('.').next().unwrap_or(t);
            sql.push_str(&format!(
                "DROP TABLE IF EXISTS {t}; ALTER TABLE {t}{SUFFIX} RENAME TO {name};"
            ));
        }
        sql.push_str("COMMIT;");
        if let Err(e) = conn.execute_batch(&sql) {
            let _ = conn.execute_batch("ROLLBACK");
            return Err(e);
        }
        self.pending.borrow_mut().clear();
        Ok(())
    }

    /// Drop the next versions written so far (a failed ingest).
    pub fn discard(&self, conn: &Connection) -> Result<(), duckdb::Error> {
        for t in self.pending.borrow_mut().drain(..) {
            conn.execute_batch(&format!("DROP TABLE IF EXISTS {t}{SUFFIX}"))?;
        }
        Ok(())
    }
}
