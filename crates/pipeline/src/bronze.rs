//! Bronze: a prepared file loaded as it is into `bronze.<table>`, every column text, with
//! the rows DuckDB could not read kept aside as rejects (line, column, reason) instead of
//! failing the whole file. Types and meaning come later, in silver.

use crate::prepare::Prepared;
use crate::sniff::Format;
use duckdb::Connection;
use serde::Serialize;

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
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Reject {
    /// 1-based line in the file (header included).
    pub line: u64,
    pub column: Option<String>,
    pub value: String,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct BronzeLoad {
    pub table: String,
    pub columns: Vec<String>,
    pub rows: u64,
    pub rejects: Vec<Reject>,
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
    // DuckDB's messages name the line and the problem; keep the first line of it.
    let msg = e.to_string();
    BronzeError::Read(
        msg.lines()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
            .chars()
            .take(500)
            .collect(),
    )
}

/// Where raw rows are loaded: the bronze schema, or a connection's own temp table (a preview
/// that must not write to the shared database, so it can run on a reader connection).
#[derive(Debug, Clone, Copy)]
pub enum Target<'a> {
    Bronze(&'a str),
    Temp(&'a str),
}

/// Load `p` into `bronze.<table>` (replacing it).
pub fn load(conn: &Connection, p: &Prepared, table: &str) -> Result<BronzeLoad, BronzeError> {
    load_limited(conn, p, Target::Bronze(table), None)
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
    let path = p
        .path
        .to_str()
        .filter(|s| !s.contains('\''))
        .ok_or_else(|| BronzeError::BadPath(p.path.clone()))?;
    let rej = format!("rejects_{table}");
    let scan = format!("rejscan_{table}");
    let source = match &p.sniffed.format {
        Format::Delimited {
            delimiter, header, ..
        } => {
            let buf = MAX_LINE_BYTES * 2;
            let d = if *delimiter == b'\t' {
                "\\t".to_string()
            } else {
                (*delimiter as char).to_string()
            };
            format!(
                "read_csv('{path}', delim = E'{d}', quote = '\"', escape = '\"', header = {header}, all_varchar = true, null_padding = false, \
                 max_line_size = {MAX_LINE_BYTES}, buffer_size = {buf}, store_rejects = true, rejects_table = '{rej}', rejects_scan = '{scan}', auto_detect = true, sample_size = 20480)"
            )
        }
        Format::Json => format!(
            "read_json('{path}', format = 'auto', records = 'true', maximum_depth = 8, maximum_object_size = {MAX_OBJECT_BYTES})"
        ),
        Format::NdJson => format!(
            "read_json('{path}', format = 'newline_delimited', records = 'true', maximum_depth = 8, maximum_object_size = {MAX_OBJECT_BYTES})"
        ),
        Format::Parquet => format!("read_parquet('{path}')"),
    };
    // Rows keep the file's order (DuckDB preserves insertion order), so a row's `rowid` + 1 is
    // its record number in the file, for the validation report — no numbering pass needed.
    let lim = limit.map(|n| format!(" LIMIT {n}")).unwrap_or_default();
    conn.execute_batch(&format!("{create} AS SELECT * FROM {source}{lim}"))
        .map_err(read_error)?;
    if matches!(p.sniffed.format, Format::Json | Format::NdJson) {
        flatten(conn, &qualified, &create).map_err(read_error)?;
    }
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
    let rows: u64 = conn
        .query_row(&format!("SELECT count(*) FROM {qualified}"), [], |r| {
            r.get::<_, i64>(0)
        })
        .map_err(read_error)? as u64;
    let rejects = if matches!(p.sniffed.format, Format::Delimited { .. }) {
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
        v
    } else {
        vec![]
    };
    Ok(BronzeLoad {
        table: table.to_string(),
        columns,
        rows,
        rejects,
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
        load(d.conn(), &p, "upload_1")
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
        assert_eq!(l.rows, 2, "short and long rows rejected: {l:?}");
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
        assert_eq!(l.rows, 4, "{:?}", l.rejects);
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
        assert_eq!((l.rows, l.columns.len()), (2, 2));
        let l = load_bytes(
            dir.path(),
            "e.ndjson",
            b"{\"t\": \"view\", \"sku\": \"A\"}\n{\"t\": \"buy\", \"sku\": \"B\"}\n",
        )
        .unwrap();
        assert_eq!(l.rows, 2);
        let l = load_bytes(dir.path(), "w.txt", b"sku qty\nA 1\nB 2\n").unwrap();
        assert_eq!(
            (l.rows, l.columns.clone()),
            (2, vec!["sku".to_string(), "qty".to_string()])
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
    fn names_are_checked() {
        assert!(ident("upload_1").is_ok());
        for bad in ["", "1x", "a;drop", "A", "a b", &"x".repeat(64)] {
            assert!(ident(bad).is_err(), "{bad}");
        }
    }
}
