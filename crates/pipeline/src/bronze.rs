//! Bronze: an upload's raw rows as `bronze.<table>`, every column text, with the rows DuckDB
//! could not read kept aside as rejects (line, column, reason) instead of failing the whole
//! file. Types and meaning come later, in silver.
//!
//! The stored object already holds the raw rows, so when the reader can take it as it is
//! (plain delimited text, Parquet) `bronze.<table>` is a view over it: copying a million
//! rows into the database only to read them once more cost about as much as DuckDB loading
//! the file on its own (measured on the scale-50 demo shop). Other files are loaded into a
//! table from their prepared form.

use crate::prepare::Prepared;
use crate::sniff::Format;
use duckdb::Connection;
use serde::Serialize;
use std::path::Path;

#[derive(Debug, thiserror::Error)]
pub enum BronzeError {
    #[error("table name {0:?} is not a plain identifier")]
    BadName(String),
    #[error("path {0} cannot be used in SQL")]
    BadPath(std::path::PathBuf),
    #[error("the file could not be read: {0}")]
    Read(String),
    #[error("the file has no columns")]
    NoColumns,
    #[error(
        "the Parquet file holds {rows} rows in only {bytes} bytes — more rows per byte than any real export; refusing it as a likely decompression bomb"
    )]
    Expands { rows: u64, bytes: u64 },
}

/// Rows a Parquet file may hold per byte of file. Real exports need several bytes a row even
/// compressed (an order id alone differs on every row); 30 million identical rows fit in 44 KB
/// and would take a worker for a minute.
const MAX_PARQUET_ROWS_PER_BYTE: u64 = 4;
/// Below this many rows, no file is refused for its expansion.
const EXPANSION_FREE_ROWS: u64 = 100_000;

/// Refuse a Parquet file that expands like a bomb: its row count (from its metadata, without
/// reading the rows) against its size.
fn check_expansion(conn: &Connection, p: &Prepared) -> Result<(), BronzeError> {
    if !matches!(p.sniffed.format, Format::Parquet) {
        return Ok(());
    }
    let full = std::fs::canonicalize(&p.path).map_err(|_| BronzeError::BadPath(p.path.clone()))?;
    let path = sql_path(&full)?;
    let rows: i64 = conn
        .query_row(
            &format!("SELECT count(*) FROM read_parquet('{path}')"),
            [],
            |r| r.get(0),
        )
        .map_err(read_error)?;
    let rows = rows.max(0) as u64;
    if rows > EXPANSION_FREE_ROWS && rows > p.bytes.saturating_mul(MAX_PARQUET_ROWS_PER_BYTE) {
        return Err(BronzeError::Expands {
            rows,
            bytes: p.bytes,
        });
    }
    Ok(())
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Reject {
    /// 1-based line in the file (header included).
    pub line: u64,
    pub column: Option<String>,
    pub value: String,
    pub reason: String,
}

/// How an upload's raw rows are kept in the bronze schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kept {
    /// `bronze.<table>` is a view over the stored file, read where it lies: the raw rows
    /// exist once, in the object the upload stored.
    View,
    /// `bronze.<table>` holds a copy of the rows (a file the reader cannot take as stored,
    /// or one that is not kept).
    Table,
}

#[derive(Debug, Clone, Serialize)]
pub struct BronzeLoad {
    pub table: String,
    pub columns: Vec<String>,
    pub kept: Kept,
    /// Rows in the table; `None` for a view, whose rows the staging pass counts.
    pub rows: Option<u64>,
    /// Rows the reader could not read. For a view they are known once the staging pass has
    /// read [`BronzeLoad::source`]: see [`BronzeLoad::collect_rejects`].
    pub rejects: Vec<Reject>,
    /// What the staging pass reads: the table, or for a view the reader itself, recording
    /// the rows it cannot read.
    #[serde(skip)]
    pub source: String,
    #[serde(skip)]
    rejects_tables: Option<(String, String)>,
}

impl BronzeLoad {
    /// For a view: the rows the staging pass's reader could not read (a no-op for a table).
    pub fn collect_rejects(&mut self, conn: &Connection) -> Result<(), BronzeError> {
        if let Some((rej, scan)) = self.rejects_tables.take() {
            self.rejects = csv_rejects(conn, &rej, &scan)?;
        }
        Ok(())
    }
}

/// The file line of the `record`-th row a reader returned (1-based), given the lines before
/// the first record and the sorted lines it skipped as unreadable.
pub fn line_of(record: u64, header_lines: u64, skipped: &[u64]) -> u64 {
    let mut line = record + header_lines;
    for &s in skipped {
        if s <= line {
            line += 1;
        } else {
            break;
        }
    }
    line
}

/// Largest line the CSV reader accepts (a 10 MB field must fit).
pub const MAX_LINE_BYTES: u64 = 32 << 20;
/// Largest JSON object (one record) accepted.
pub const MAX_OBJECT_BYTES: u64 = 16 << 20;

fn ident(name: &str) -> Result<&str, BronzeError> {
    let ok = !name.is_empty()
        && name.len() <= 63
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        && !name.as_bytes()[0].is_ascii_digit();
    if ok {
        Ok(name)
    } else {
        Err(BronzeError::BadName(name.to_string()))
    }
}

fn read_error(e: duckdb::Error) -> BronzeError {
    // DuckDB's message names the SQL and the stored object: the log gets it, the shop
    // gets what is wrong with the file.
    let raw = e.to_string();
    tracing::warn!(error = %raw, "a file could not be read");
    BronzeError::Read(crate::read_errors::worded(&raw))
}

/// Where raw rows are loaded: the bronze schema, or a connection's own temp table (a preview
/// that must not write to the shared database, so it can run on a reader connection).
#[derive(Debug, Clone, Copy)]
pub enum Target<'a> {
    Bronze(&'a str),
    Temp(&'a str),
}

/// What a reader does with a row it cannot read.
enum Unreadable<'a> {
    /// Skip it (a view: the ingest recorded it).
    Skip,
    /// Skip it and record it in these temp tables (rejects, scans).
    Record(&'a str, &'a str),
}

/// The table function reading `path` as `p` was sniffed.
fn reader(p: &Prepared, path: &str, unreadable: Unreadable<'_>) -> String {
    match &p.sniffed.format {
        Format::Delimited {
            delimiter, header, ..
        } => {
            let buf = MAX_LINE_BYTES * 2;
            let d = if *delimiter == b'\t' {
                "\\t".to_string()
            } else {
                (*delimiter as char).to_string()
            };
            let errors = match unreadable {
                Unreadable::Skip => "ignore_errors = true".to_string(),
                Unreadable::Record(rej, scan) => format!(
                    "store_rejects = true, rejects_table = '{rej}', rejects_scan = '{scan}'"
                ),
            };
            format!(
                "read_csv('{path}', delim = E'{d}', quote = '\"', escape = '\"', header = {header}, all_varchar = true, null_padding = false, \
                 max_line_size = {MAX_LINE_BYTES}, buffer_size = {buf}, {errors}, auto_detect = true, sample_size = 20480)"
            )
        }
        Format::Json => format!(
            "read_json('{path}', format = 'auto', records = 'true', maximum_depth = 8, maximum_object_size = {MAX_OBJECT_BYTES})"
        ),
        Format::NdJson => format!(
            "read_json('{path}', format = 'newline_delimited', records = 'true', maximum_depth = 8, maximum_object_size = {MAX_OBJECT_BYTES})"
        ),
        Format::Parquet => format!("read_parquet('{path}')"),
    }
}

fn sql_path(path: &Path) -> Result<&str, BronzeError> {
    path.to_str()
        .filter(|s| !s.contains('\'') && !s.contains('\0'))
        .ok_or_else(|| BronzeError::BadPath(path.to_path_buf()))
}

/// Drop `bronze.<table>`, view or table.
pub fn drop(conn: &Connection, table: &str) -> Result<(), BronzeError> {
    let t = ident(table)?;
    let is_view: i64 = conn
        .query_row(
            "SELECT count(*) FROM duckdb_views() WHERE database_name = current_database() AND schema_name = 'bronze' AND view_name = ?",
            [t],
            |r| r.get(0),
        )
        .map_err(read_error)?;
    let kind = if is_view > 0 { "VIEW" } else { "TABLE" };
    conn.execute_batch(&format!("DROP {kind} IF EXISTS bronze.{t}"))
        .map_err(read_error)
}

/// Keep `p` as `bronze.<table>` (replacing it). When `stored` says `p` is the upload's own
/// stored object, kept as long as the upload, and the reader can take it as it is (plain
/// delimited text or Parquet), the raw table is a view over it: the file is not copied
/// into the database, and the staging pass reads it once. Otherwise the rows are loaded.
pub fn load(
    conn: &Connection,
    p: &Prepared,
    table: &str,
    stored: bool,
) -> Result<BronzeLoad, BronzeError> {
    check_expansion(conn, p)?;
    let viewable =
        stored && p.as_is && matches!(p.sniffed.format, Format::Delimited { .. } | Format::Parquet);
    if viewable && let Some(l) = view(conn, p, table)? {
        return Ok(l);
    }
    load_limited(conn, p, Target::Bronze(table), None)
}

/// `bronze.<table>` as a view over `p` (by its full path; [`repoint`] follows a moved data
/// directory). `None` when no row of the file can be read: the loaded path then reports
/// what is wrong with it.
fn view(conn: &Connection, p: &Prepared, table: &str) -> Result<Option<BronzeLoad>, BronzeError> {
    let t = ident(table)?;
    let full = std::fs::canonicalize(&p.path).map_err(|_| BronzeError::BadPath(p.path.clone()))?;
    let path = sql_path(&full)?;
    drop(conn, t)?;
    conn.execute_batch(&format!(
        "CREATE SCHEMA IF NOT EXISTS bronze; CREATE VIEW bronze.{t} AS SELECT * FROM {}",
        reader(p, path, Unreadable::Skip)
    ))
    .map_err(read_error)?;
    let any: i64 = conn
        .query_row(
            &format!("SELECT count(*) FROM (SELECT 1 FROM bronze.{t} LIMIT 1)"),
            [],
            |r| r.get(0),
        )
        .map_err(read_error)?;
    if any == 0 {
        drop(conn, t)?;
        return Ok(None);
    }
    let columns = describe(conn, &format!("bronze.{t}"))?;
    let (rej, scan) = (format!("rejects_{t}"), format!("rejscan_{t}"));
    let source = reader(p, path, Unreadable::Record(&rej, &scan));
    let rejects_tables =
        matches!(p.sniffed.format, Format::Delimited { .. }).then_some((rej, scan));
    Ok(Some(BronzeLoad {
        table: t.to_string(),
        columns,
        kept: Kept::View,
        rows: None,
        rejects: vec![],
        source,
        rejects_tables,
    }))
}

/// Raw-table views name their stored file by its full path. When the warehouse is opened
/// in another directory than last time (a data directory moved or restored elsewhere),
/// point them at the same files below `root`, all in one transaction.
pub fn repoint(conn: &Connection, root: &Path) -> Result<(), duckdb::Error> {
    let Some(now) = root.to_str().filter(|s| !s.contains('\'')) else {
        return Ok(());
    };
    conn.execute_batch(
        "CREATE SCHEMA IF NOT EXISTS sr360; CREATE TABLE IF NOT EXISTS sr360.location (root VARCHAR NOT NULL);",
    )?;
    let before: Option<String> =
        conn.query_row("SELECT any_value(root) FROM sr360.location", [], |r| {
            r.get(0)
        })?;
    if before.as_deref() == Some(now) {
        return Ok(());
    }
    let mut st = conn.prepare(
        "SELECT view_name, sql FROM duckdb_views() WHERE database_name = current_database() AND schema_name = 'bronze' AND NOT internal",
    )?;
    let views: Vec<(String, String)> = st
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let mut sql = String::from("BEGIN TRANSACTION;");
    if let Some(old) = &before {
        for (name, def) in views {
            let moved = def.replace(&format!("'{old}/"), &format!("'{now}/"));
            if moved != def {
                sql.push_str(&format!(
                    "DROP VIEW bronze.{}; {moved}",
                    crate::sqlexpr::ident(&name)
                ));
                if !moved.trim_end().ends_with(';') {
                    sql.push(';');
                }
            }
        }
    }
    sql.push_str(&format!(
        "DELETE FROM sr360.location; INSERT INTO sr360.location VALUES ({}); COMMIT;",
        crate::sqlexpr::lit(now)
    ));
    if let Err(e) = conn.execute_batch(&sql) {
        let _ = conn.execute_batch("ROLLBACK");
        return Err(e);
    }
    Ok(())
}

fn describe(conn: &Connection, qualified: &str) -> Result<Vec<String>, BronzeError> {
    let mut st = conn
        .prepare(&format!("SELECT column_name FROM (DESCRIBE {qualified})"))
        .map_err(read_error)?;
    let columns: Vec<String> = st
        .query_map([], |r| r.get(0))
        .map_err(read_error)?
        .collect::<Result<_, _>>()
        .map_err(read_error)?;
    if columns.is_empty() {
        return Err(BronzeError::NoColumns);
    }
    Ok(columns)
}

/// The rows a CSV reader recorded as unreadable, one per line, by line; the temp tables are
/// dropped.
fn csv_rejects(conn: &Connection, rej: &str, scan: &str) -> Result<Vec<Reject>, BronzeError> {
    let mut st = conn
        .prepare(&format!("SELECT line, column_name, coalesce(csv_line, ''), error_type::VARCHAR || ': ' || error_message FROM {rej} ORDER BY line LIMIT 10000"))
        .map_err(read_error)?;
    let mut v: Vec<Reject> = st
        .query_map([], |r| {
            Ok(Reject {
                line: r.get::<_, i64>(0)? as u64,
                column: r.get(1)?,
                value: r.get::<_, String>(2)?.chars().take(200).collect(),
                reason: r
                    .get::<_, String>(3)?
                    .lines()
                    .next()
                    .unwrap_or("")
                    .to_string(),
            })
        })
        .map_err(read_error)?
        .collect::<Result<_, _>>()
        .map_err(read_error)?;
    conn.execute_batch(&format!(
        "DROP TABLE IF EXISTS {rej}; DROP TABLE IF EXISTS {scan};"
    ))
    .map_err(read_error)?;
    // DuckDB may report one line several times as it reads further; keep the last word.
    v.reverse();
    v.dedup_by_key(|r| r.line);
    v.reverse();
    Ok(v)
}

/// Load at most `limit` rows of `p` into `target`.
pub fn load_limited(
    conn: &Connection,
    p: &Prepared,
    target: Target<'_>,
    limit: Option<u64>,
) -> Result<BronzeLoad, BronzeError> {
    let (table, qualified, create) = match target {
        Target::Bronze(t) => {
            let t = ident(t)?;
            conn.execute_batch("CREATE SCHEMA IF NOT EXISTS bronze")
                .map_err(read_error)?;
            drop(conn, t)?;
            (
                t,
                format!("bronze.{t}"),
                format!("CREATE OR REPLACE TABLE bronze.{t}"),
            )
        }
        Target::Temp(t) => {
            let t = ident(t)?;
            (
                t,
                format!("temp.{t}"),
                format!("CREATE OR REPLACE TEMP TABLE {t}"),
            )
        }
    };
    let path = sql_path(&p.path)?;
    let rej = format!("rejects_{table}");
    let scan = format!("rejscan_{table}");
    let source = reader(p, path, Unreadable::Record(&rej, &scan));
    // Rows keep the file's order (DuckDB preserves insertion order), so a row's `rowid` + 1 is
    // its record number among the rows read, for the validation report.
    let lim = limit.map(|n| format!(" LIMIT {n}")).unwrap_or_default();
    conn.execute_batch(&format!("{create} AS SELECT * FROM {source}{lim}"))
        .map_err(read_error)?;
    if matches!(p.sniffed.format, Format::Json | Format::NdJson) {
        flatten(conn, &qualified, &create).map_err(read_error)?;
    }
    let columns = describe(conn, &qualified)?;
    let rows: u64 = conn
        .query_row(&format!("SELECT count(*) FROM {qualified}"), [], |r| {
            r.get::<_, i64>(0)
        })
        .map_err(read_error)? as u64;
    let rejects = if matches!(p.sniffed.format, Format::Delimited { .. }) {
        csv_rejects(conn, &rej, &scan)?
    } else {
        vec![]
    };
    Ok(BronzeLoad {
        table: table.to_string(),
        columns,
        kept: Kept::Table,
        rows: Some(rows),
        rejects,
        source: qualified,
        rejects_tables: None,
    })
}

/// JSON exports nest: WooCommerce writes `categories: [{"name": ...}]` and
/// `meta_data: [{"key": ..., "value": ...}]`. Turn such columns into flat text columns —
/// lists of named things into "a, b", key/value lists into one column per key
/// (`meta_data._wc_cog_cost`), anything else nested into its JSON text.
/// Nested JSON values become flat text columns: key/value lists one column per key, lists of
/// names joined, anything else as JSON text. `create` is the CREATE OR REPLACE clause of `table`.
fn flatten(conn: &Connection, table: &str, create: &str) -> Result<(), duckdb::Error> {
    use crate::sqlexpr::{ident, lit};
    let mut st = conn.prepare(&format!(
        "SELECT column_name, column_type FROM (DESCRIBE {table})"
    ))?;
    let cols: Vec<(String, String)> = st
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let mut exprs: Vec<String> = Vec::new();
    for (name, ty) in &cols {
        let c = ident(name);
        let is_list_of_struct = ty.starts_with("STRUCT(") && ty.ends_with("[]");
        if ty == "VARCHAR" {
            exprs.push(c);
        } else if is_list_of_struct && (ty.contains("\"key\" ") || ty.contains("key VARCHAR")) {
            let mut ks = conn.prepare(&format!("SELECT DISTINCT k FROM (SELECT unnest(list_transform({c}, x -> CAST(x.key AS VARCHAR))) AS k FROM {table}) WHERE k IS NOT NULL ORDER BY k LIMIT 50"))?;
            let keys: Vec<String> = ks.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?;
            for k in keys {
                exprs.push(format!("CAST(list_filter({c}, x -> CAST(x.key AS VARCHAR) = {})[1].value AS VARCHAR) AS {}", lit(&k), ident(&format!("{name}.{k}"))));
            }
        } else if is_list_of_struct && (ty.contains("name VARCHAR") || ty.contains("\"name\" ")) {
            exprs.push(format!(
                "array_to_string(list_transform({c}, x -> CAST(x.name AS VARCHAR)), ', ') AS {c}"
            ));
        } else if ty.ends_with("[]") && !ty.starts_with("STRUCT(") {
            exprs.push(format!(
                "array_to_string(list_transform({c}, x -> CAST(x AS VARCHAR)), ', ') AS {c}"
            ));
        } else if ty.starts_with("STRUCT(") || ty.ends_with("[]") || ty.starts_with("MAP(") {
            exprs.push(format!("CAST(to_json({c}) AS VARCHAR) AS {c}"));
        } else {
            exprs.push(format!("CAST({c} AS VARCHAR) AS {c}"));
        }
    }
    conn.execute_batch(&format!(
        "{create} AS SELECT {} FROM {table}",
        exprs.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prepare::{Limits, prepare};
    use sr360_warehouse::{HardenedDb, Limits as DbLimits};

    fn db(dir: &std::path::Path) -> HardenedDb {
        HardenedDb::open(
            Some(&dir.join("w.duckdb")),
            dir,
            &DbLimits {
                memory_limit: "512MB".into(),
                threads: 1,
            },
        )
        .unwrap()
    }

    fn load_bytes(
        dir: &std::path::Path,
        name: &str,
        bytes: &[u8],
    ) -> Result<BronzeLoad, BronzeError> {
        let src = dir.join(name);
        std::fs::write(&src, bytes).unwrap();
        let p = prepare(&src, &dir.join(format!("work-{name}")), &Limits::default()).unwrap();
        let d = db(dir);
        load(d.conn(), &p, "upload_1", false)
    }

    #[test]
    fn csv_with_ragged_rows_keeps_good_rows_and_names_bad_ones() {
        let dir = tempfile::tempdir().unwrap();
        let l = load_bytes(
            dir.path(),
            "a.csv",
            b"order,sku,qty\n1,A,2\n2,B\n3,C,1,EXTRA,MORE\n4,\"D, large\",5\n",
        )
        .unwrap();
        assert_eq!(l.columns, ["order", "sku", "qty"]);
        assert_eq!(l.rows, Some(2), "short and long rows rejected: {l:?}");
        assert_eq!(
            l.rejects.iter().map(|r| r.line).collect::<Vec<_>>(),
            [3, 4],
            "{l:?}"
        );
        assert!(
            l.rejects
                .iter()
                .all(|r| r.reason.to_lowercase().contains("column")),
            "{:?}",
            l.rejects
        );
    }

    #[test]
    fn formula_cells_and_huge_fields_are_kept_as_data() {
        let dir = tempfile::tempdir().unwrap();
        let big = "x".repeat(10 << 20);
        let csv = format!("sku,note\nA,=HYPERLINK(\"http://evil\")\nB,+1+2\nC,@SUM(A1)\nD,{big}\n");
        let l = load_bytes(dir.path(), "f.csv", csv.as_bytes()).unwrap();
        assert_eq!(l.rows, Some(4), "{:?}", l.rejects);
        let d = db(dir.path());
        let first: String = d
            .conn()
            .query_row(
                "SELECT note FROM bronze.upload_1 WHERE sku = 'A'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(first, "=HYPERLINK(\"http://evil\")");
        let len: i64 = d
            .conn()
            .query_row(
                "SELECT length(note) FROM bronze.upload_1 WHERE sku = 'D'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(len, 10 << 20);
    }

    #[test]
    fn json_ndjson_and_tab_separated() {
        let dir = tempfile::tempdir().unwrap();
        let l = load_bytes(
            dir.path(),
            "p.json",
            br#"[{"sku": "A", "price": "9.99"}, {"sku": "B", "price": "1.00"}]"#,
        )
        .unwrap();
        assert_eq!((l.rows, l.columns.len()), (Some(2), 2));
        let l = load_bytes(
            dir.path(),
            "e.ndjson",
            b"{\"t\": \"view\", \"sku\": \"A\"}\n{\"t\": \"buy\", \"sku\": \"B\"}\n",
        )
        .unwrap();
        assert_eq!(l.rows, Some(2));
        let l = load_bytes(dir.path(), "w.txt", b"sku qty\nA 1\nB 2\n").unwrap();
        assert_eq!(
            (l.rows, l.columns.clone()),
            (Some(2), vec!["sku".to_string(), "qty".to_string()])
        );
    }

    #[test]
    fn nested_json_is_flattened() {
        let dir = tempfile::tempdir().unwrap();
        let json = br#"[{"sku": "A", "categories": [{"name": "Home"}, {"name": "Kitchen"}], "tags": ["x", "y"],
                         "meta_data": [{"key": "_wc_cog_cost", "value": "4.10"}], "dims": {"w": 1}}]"#;
        let l = load_bytes(dir.path(), "n.json", json).unwrap();
        assert_eq!(
            l.columns,
            [
                "sku",
                "categories",
                "tags",
                "meta_data._wc_cog_cost",
                "dims"
            ]
        );
        let d = db(dir.path());
        let (cat, cost): (String, String) = d
            .conn()
            .query_row(
                "SELECT categories, \"meta_data._wc_cog_cost\" FROM bronze.upload_1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!((cat.as_str(), cost.as_str()), ("Home, Kitchen", "4.10"));
    }

    #[test]
    fn a_stored_plain_file_is_a_view_whose_rejects_come_from_the_staging_read() {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("objects").join("o1");
        std::fs::create_dir_all(src.parent().unwrap()).unwrap();
        std::fs::write(&src, b"order,sku,qty\n1,A,2\n2,B\n3,C,1\n").unwrap();
        let p = crate::prepare::prepare_in_place(&src, &dir.path().join("w"), &Limits::default())
            .unwrap();
        assert!(p.as_is, "plain UTF-8 is read where it lies");
        let d = db(dir.path());
        let mut l = load(d.conn(), &p, "upload_1", true).unwrap();
        assert_eq!((l.kept, l.rows), (Kept::View, None));
        assert_eq!(l.columns, ["order", "sku", "qty"]);
        assert!(!dir.path().join("w").exists(), "nothing copied");
        // The view skips the unreadable line; a staging read of the source records it.
        let n: i64 = d
            .conn()
            .query_row("SELECT count(*) FROM bronze.upload_1", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 2);
        let m: i64 = d
            .conn()
            .query_row(&format!("SELECT count(*) FROM {}", l.source), [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(m, 2);
        l.collect_rejects(d.conn()).unwrap();
        assert_eq!(l.rejects.iter().map(|r| r.line).collect::<Vec<_>>(), [3]);
        // Not stored (or not plain): a table, as before.
        let t = load(d.conn(), &p, "upload_2", false).unwrap();
        assert_eq!((t.kept, t.rows), (Kept::Table, Some(2)));
        // Replacing a view by a table and dropping either works.
        load(d.conn(), &p, "upload_1", false).unwrap();
        drop(d.conn(), "upload_1").unwrap();
        drop(d.conn(), "upload_2").unwrap();
    }

    #[test]
    fn a_parquet_file_of_millions_of_identical_rows_is_refused_before_reading_them() {
        let dir = tempfile::tempdir().unwrap();
        let d = db(dir.path());
        let bomb = dir.path().join("bomb.parquet");
        d.conn()
            .execute_batch(&format!(
                "COPY (SELECT 'A1' AS order_id, 'S1' AS sku, 1 AS qty FROM range(3000000)) TO '{}' (FORMAT parquet)",
                bomb.display()
            ))
            .unwrap();
        let p = crate::prepare::prepare_in_place(&bomb, &dir.path().join("w"), &Limits::default())
            .unwrap();
        assert!(p.bytes < 100_000, "{} bytes", p.bytes);
        for stored in [true, false] {
            match load(d.conn(), &p, "upload_1", stored) {
                Err(BronzeError::Expands { rows, .. }) => assert_eq!(rows, 3_000_000),
                other => panic!("{other:?}"),
            }
        }
        // A real-looking file of the same length passes.
        let real = dir.path().join("real.parquet");
        d.conn()
            .execute_batch(&format!(
                "COPY (SELECT 'A' || i AS order_id, 'S' || (i % 97) AS sku, i % 5 + 1 AS qty FROM range(200000) t(i)) TO '{}' (FORMAT parquet)",
                real.display()
            ))
            .unwrap();
        let p = crate::prepare::prepare_in_place(&real, &dir.path().join("w2"), &Limits::default())
            .unwrap();
        assert!(load(d.conn(), &p, "upload_2", false).is_ok());
    }

    #[test]
    fn a_file_the_reader_refuses_fails_alike_as_view_or_table() {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("o2");
        std::fs::write(&src, b"order,sku,qty\n1,\"a\"b,3\n2,\"c\"d,4\n").unwrap();
        let p = crate::prepare::prepare_in_place(&src, &dir.path().join("w"), &Limits::default())
            .unwrap();
        let d = db(dir.path());
        for stored in [true, false] {
            let e = load(d.conn(), &p, "upload_1", stored).unwrap_err();
            assert!(matches!(e, BronzeError::Read(_)), "{e:?}");
        }
    }

    #[test]
    fn views_follow_a_moved_data_directory() {
        let top = tempfile::tempdir().unwrap();
        let a = top.path().join("a");
        std::fs::create_dir_all(a.join("objects")).unwrap();
        std::fs::write(a.join("objects").join("o1"), b"sku,qty\nA,1\nB,2\n").unwrap();
        {
            let d = db(&a);
            repoint(d.conn(), d.root()).unwrap();
            let p = crate::prepare::prepare_in_place(
                &a.join("objects").join("o1"),
                &a.join("w"),
                &Limits::default(),
            )
            .unwrap();
            assert_eq!(
                load(d.conn(), &p, "upload_1", true).unwrap().kept,
                Kept::View
            );
        }
        let b = top.path().join("b");
        std::fs::rename(&a, &b).unwrap();
        let d = db(&b);
        assert!(
            d.conn()
                .query_row("SELECT count(*) FROM bronze.upload_1", [], |r| r
                    .get::<_, i64>(0))
                .is_err(),
            "the old path is gone"
        );
        repoint(d.conn(), d.root()).unwrap();
        let n: i64 = d
            .conn()
            .query_row("SELECT count(*) FROM bronze.upload_1", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 2);
        repoint(d.conn(), d.root()).unwrap();
    }

    #[test]
    fn record_numbers_step_over_skipped_lines() {
        // Header on line 1; lines 3 and 5 were unreadable.
        assert_eq!(line_of(1, 1, &[3, 5]), 2);
        assert_eq!(line_of(2, 1, &[3, 5]), 4);
        assert_eq!(line_of(3, 1, &[3, 5]), 6);
        assert_eq!(line_of(4, 0, &[]), 4);
    }

    #[test]
    fn names_are_checked() {
        assert!(ident("upload_1").is_ok());
        for bad in ["", "1x", "a;drop", "A", "a b", &"x".repeat(64)] {
            assert!(ident(bad).is_err(), "{bad}");
        }
    }
}
