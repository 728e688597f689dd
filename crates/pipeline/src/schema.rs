//! The warehouse's schema version. Each tenant's DuckDB file records the version of the
//! bronze/silver/gold layout it holds (`sr360.schema_version`); opening a file brings an older
//! layout up to date step by step and refuses a newer one, so a downgraded binary never
//! misreads a shop's data.

use duckdb::Connection;
use std::path::Path;

/// Steps from version N-1 to N (index 0 makes version 1). Each runs in its own transaction
/// with the version bump, so a crash never leaves a half-migrated file.
const MIGRATIONS: &[&str] = &[
    // 1: the silver tables (bronze and gold are written by ingests).
    "",
    // 2: model results (written by each model run, replaced as a whole).
    "CREATE SCHEMA ml;
     CREATE TABLE ml.runs (run_id BIGINT NOT NULL, finished_at TIMESTAMP NOT NULL, data_from DATE NOT NULL, data_to DATE NOT NULL);
     CREATE TABLE ml.series (series VARCHAR NOT NULL, name VARCHAR NOT NULL, kind VARCHAR NOT NULL, status VARCHAR NOT NULL,
                             reason VARCHAR, method VARCHAR, model VARCHAR, history_from DATE NOT NULL, history_to DATE NOT NULL);
     CREATE TABLE ml.history (series VARCHAR NOT NULL, day DATE NOT NULL, value DOUBLE);
     CREATE TABLE ml.forecasts (series VARCHAR NOT NULL, day DATE NOT NULL, point DOUBLE NOT NULL, lower DOUBLE NOT NULL,
                                upper DOUBLE NOT NULL, level DOUBLE NOT NULL);
     CREATE TABLE ml.backtests (series VARCHAR NOT NULL, horizon INTEGER NOT NULL, folds INTEGER NOT NULL, mase DOUBLE, smape DOUBLE,
                                naive_mase DOUBLE, naive_smape DOUBLE, coverage DOUBLE, level DOUBLE NOT NULL);
     CREATE TABLE ml.anomalies (series VARCHAR NOT NULL, day DATE NOT NULL, value DOUBLE, expected DOUBLE, z DOUBLE NOT NULL,
                                severity VARCHAR NOT NULL);",
    // 3: promotion uplift.
    "CREATE TABLE ml.uplift (code VARCHAR NOT NULL, name VARCHAR NOT NULL, category VARCHAR NOT NULL, starts_on DATE NOT NULL,
                             ends_on DATE NOT NULL, metric VARCHAR NOT NULL, estimate DOUBLE, low DOUBLE, high DOUBLE,
                             pre_days INTEGER, post_days INTEGER, controls VARCHAR NOT NULL, reason VARCHAR);",
    // 4: customer segments.
    "CREATE TABLE ml.segments (segment VARCHAR NOT NULL, size BIGINT NOT NULL, value_share DOUBLE NOT NULL, recency_days DOUBLE,
                               frequency DOUBLE, monetary DOUBLE, tenure_days DOUBLE, aov DOUBLE, return_rate DOUBLE, rank INTEGER NOT NULL);
     CREATE TABLE ml.customer_segments (customer_key VARCHAR NOT NULL, segment VARCHAR NOT NULL);
     CREATE TABLE ml.segment_model (k INTEGER, silhouette DOUBLE, customers BIGINT, reason VARCHAR, importance VARCHAR);",
    // 5: what drives each forecast series (decomposition strengths).
    "CREATE TABLE ml.drivers (series VARCHAR NOT NULL, driver VARCHAR NOT NULL, strength DOUBLE NOT NULL);",
    // 6: the recommender: per product its buyers, re-buy rate and co-purchases.
    "CREATE TABLE ml.rec_items (sku VARCHAR NOT NULL, category VARCHAR NOT NULL, buyers BIGINT NOT NULL, rebuy DOUBLE NOT NULL);
     CREATE TABLE ml.rec_neighbours (sku VARCHAR NOT NULL, other VARCHAR NOT NULL, share DOUBLE NOT NULL);
     CREATE TABLE ml.rec_model (customers BIGINT NOT NULL);",
    // 7: the recommender learns per shop how its signals add up, brand among them.
    "ALTER TABLE ml.rec_items ADD COLUMN brand VARCHAR;
     CREATE TABLE ml.rec_weights (feature VARCHAR NOT NULL, weight DOUBLE NOT NULL);",
    // 8: real exports: order status classes on lines (the words kept on orders), second
    // category levels, sales known only as totals per period.
    "ALTER TABLE silver.orders ADD COLUMN IF NOT EXISTS status_text VARCHAR;
     ALTER TABLE silver.order_lines ADD COLUMN IF NOT EXISTS status VARCHAR;
     ALTER TABLE silver.products ADD COLUMN IF NOT EXISTS subcategory VARCHAR;
     CREATE TABLE IF NOT EXISTS silver.period_sales (period_key VARCHAR NOT NULL, period_start DATE NOT NULL, days INTEGER NOT NULL,
        store VARCHAR, channel VARCHAR, region VARCHAR, category VARCHAR, amount DOUBLE, units DOUBLE, orders DOUBLE, upload_id BIGINT);",
    // 9: the recommender knows each product's usual days between two purchases.
    "ALTER TABLE ml.rec_items ADD COLUMN IF NOT EXISTS gap DOUBLE;",
    // 10: segments by rules read against the shop's rhythm: the lines they drew (JSON).
    "ALTER TABLE ml.segment_model ADD COLUMN IF NOT EXISTS rules VARCHAR;",
];

pub const VERSION: i64 = MIGRATIONS.len() as i64;

pub fn version(conn: &Connection) -> Result<i64, duckdb::Error> {
    conn.execute_batch("CREATE SCHEMA IF NOT EXISTS sr360; CREATE TABLE IF NOT EXISTS sr360.schema_version (version BIGINT NOT NULL);")?;
    conn.query_row(
        "SELECT coalesce(max(version), 0) FROM sr360.schema_version",
        [],
        |r| r.get(0),
    )
}

/// Bring `conn`'s warehouse, opened in directory `root`, to [`VERSION`], or refuse one from
/// a newer build; raw tables over stored files follow a moved directory.
pub fn ensure(conn: &Connection, root: &Path) -> Result<(), String> {
    let found = version(conn).map_err(|e| e.to_string())?;
    if found > VERSION {
        return Err(format!(
            "this shop's data was written by a newer sr360 (warehouse schema {found}, this build knows {VERSION}); upgrade sr360"
        ));
    }
    for v in found + 1..=VERSION {
        let step = (|| {
            conn.execute_batch("BEGIN TRANSACTION")?;
            if v == 1 {
                crate::silver::create(conn)?;
            }
            conn.execute_batch(MIGRATIONS[(v - 1) as usize])?;
            conn.execute_batch(&format!("DELETE FROM sr360.schema_version; INSERT INTO sr360.schema_version VALUES ({v}); COMMIT"))
        })();
        if let Err(e) = step {
            let _ = conn.execute_batch("ROLLBACK");
            return Err(format!("migrating the warehouse to schema {v}: {e}"));
        }
    }
    crate::bronze::repoint(conn, root).map_err(|e| format!("raw tables: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn creates_then_keeps_then_refuses_newer() {
        let c = Connection::open_in_memory().unwrap();
        ensure(&c, Path::new("/srv/sr360/tenants/t")).unwrap();
        assert_eq!(version(&c).unwrap(), VERSION);
        let n: i64 = c
            .query_row(
                "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'silver'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(n, crate::silver::TABLES.len() as i64);
        ensure(&c, Path::new("/srv/sr360/tenants/t")).unwrap();
        c.execute_batch(&format!(
            "UPDATE sr360.schema_version SET version = {}",
            VERSION + 1
        ))
        .unwrap();
        let e = ensure(&c, Path::new("/srv/sr360/tenants/t")).unwrap_err();
        assert!(e.contains("newer sr360"), "{e}");
    }
}
