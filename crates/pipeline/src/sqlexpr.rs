//! SQL expressions that turn a bronze text column into a typed silver value, chosen from a
//! sample of the column's values: decimal comma or point, day- or month-first dates, explicit
//! offsets or the shop's time zone. Identifiers and literals are quoted here and only here.

/// `"name"` with embedded quotes doubled.
pub fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// `'text'` with embedded quotes doubled.
pub fn lit(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// Cells that mean "no value" in exports (compared without regard to case).
pub const MISSING: &[&str] = &[
    "NA", "N/A", "NULL", "-", "--", "#N/A", "#NA", "NAN", "NONE", "NIL",
];

/// The column as trimmed text, empty as NULL. DuckDB's `trim` also removes Unicode spaces,
/// which makes it slow (0.13 s per million values on two cores): an all-ASCII value with
/// no space at either end is taken as it is, with the same result ten times faster.
/// Numbers and dates parsed from it need no missing-value markers ("NA" is no number);
/// text fields whose sample shows them use [`text_or_missing`].
pub fn text(col: &str) -> String {
    text_of(&format!("CAST({} AS VARCHAR)", ident(col)), false)
}

/// [`text`], with the markers of [`MISSING`] ("NA", "N/A", "null", "-") as NULL too.
pub fn text_or_missing(col: &str) -> String {
    text_of(&format!("CAST({} AS VARCHAR)", ident(col)), true)
}

fn text_of(c: &str, markers: bool) -> String {
    let missing = if markers {
        let list = MISSING
            .iter()
            .map(|m| lit(m))
            .collect::<Vec<_>>()
            .join(", ");
        format!("WHEN strlen({c}) <= 6 AND upper(trim({c})) IN ({list}) THEN NULL ")
    } else {
        String::new()
    };
    format!(
        "(CASE {missing}WHEN strlen({c}) = length({c}) AND NOT starts_with({c}, ' ') AND NOT ends_with({c}, ' ') \
         THEN NULLIF({c}, '') ELSE NULLIF(trim({c}), '') END)"
    )
}

/// Yes or no from 1/0, true/false, yes/no, y/n (NULL for anything else).
pub fn flag(col: &str) -> String {
    let t = format!("lower({})", text(col));
    format!(
        "(CASE WHEN {t} IN ('1', 'true', 'yes', 'y', 't', '1.0') THEN true WHEN {t} IN ('0', 'false', 'no', 'n', 'f', '0.0') THEN false END)"
    )
}

/// Does the sample write decimals with a comma ("3,50", "1.234,56")?
pub fn decimal_comma(sample: &[String]) -> bool {
    let mut comma = 0;
    let mut point = 0;
    for v in sample {
        let t: String = v
            .chars()
            .filter(|c| c.is_ascii_digit() || *c == ',' || *c == '.')
            .collect();
        match (t.rfind(','), t.rfind('.')) {
            (Some(c), Some(p)) if c > p => comma += 1,
            (Some(_), Some(_)) => point += 1,
            (Some(c), None) if t.len() - c - 1 != 3 => comma += 1,
            (None, Some(_)) => point += 1,
            _ => {}
        }
    }
    comma > point
}

/// A number from text with currency signs, spaces and thousands separators.
/// Accounting notation "(4.50)" is negative.
pub fn number(col: &str, decimal_comma: bool) -> String {
    number_of(&text(col), decimal_comma)
}

/// [`number`] of a text expression.
pub fn number_of(t: &str, decimal_comma: bool) -> String {
    let cleaned = format!("regexp_replace({t}, '[^0-9,.+-]', '', 'g')");
    let normal = if decimal_comma {
        format!("replace(replace({cleaned}, '.', ''), ',', '.')")
    } else {
        format!("replace({cleaned}, ',', '')")
    };
    let general = format!(
        "(CASE WHEN starts_with({t}, '(') AND ends_with({t}, ')') THEN -1 ELSE 1 END * TRY_CAST(NULLIF({normal}, '') AS DOUBLE))"
    );
    if decimal_comma {
        return general;
    }
    // A plain number ("12", "-3.50", Excel's "1.5E+05") is cast directly, without the
    // regular expression; not "inf" or "nan", which the cast would take. What the cast
    // refuses ("1,234", "$5", "(4.50)") takes the general path.
    format!(
        "COALESCE(CASE WHEN NOT contains({t}, 'n') AND NOT contains({t}, 'N') THEN TRY_CAST({t} AS DOUBLE) END, {general})"
    )
}

/// A whole number (quantities): numbers with a zero fraction are accepted.
pub fn integer(col: &str, decimal_comma: bool) -> String {
    let n = number(col, decimal_comma);
    format!("CASE WHEN {n} = round({n}) THEN CAST({n} AS BIGINT) END")
}

/// For dates like "03/04/2024" that no value of the sample decides (no part above 12):
/// the separator, so the caller can decide from the whole column with [`date_order_sql`].
pub fn undecided_dates(sample: &[String]) -> Option<char> {
    let mut sep = None;
    for v in sample {
        let v = v.trim();
        if v.len() >= 4 && v.as_bytes()[..4].iter().all(u8::is_ascii_digit) {
            continue;
        }
        let Some(s) = v.chars().find(|c| matches!(c, '/' | '.' | '-')) else {
            continue;
        };
        let parts: Vec<u32> = v
            .split_whitespace()
            .next()
            .unwrap_or("")
            .split(s)
            .take(2)
            .map(|x| x.trim().parse().unwrap_or(0))
            .collect();
        if parts.len() == 2 && (parts[0] > 12 || parts[1] > 12) {
            return None;
        }
        sep = Some(s);
    }
    sep
}

/// A query over `table` giving the largest first and second parts of the dates in `col`
/// (written with `sep`): a first part above 12 means day first, a second above 12 month first.
pub fn date_order_sql(col: &str, table: &str, sep: char) -> String {
    let sep = regex_escape(sep);
    let re = format!("^\\s*([0-9]{{1,2}}){sep}([0-9]{{1,2}}){sep}");
    format!(
        "SELECT max(TRY_CAST(regexp_extract(CAST({c} AS VARCHAR), '{re}', 1) AS INTEGER)), max(TRY_CAST(regexp_extract(CAST({c} AS VARCHAR), '{re}', 2) AS INTEGER)) FROM {table}",
        c = ident(col)
    )
}

fn regex_escape(c: char) -> String {
    if c.is_ascii_alphanumeric() {
        c.to_string()
    } else {
        format!("\\{c}")
    }
}

/// strptime formats for dates that are not ISO, day-first or month-first; `day_first_given`
/// is the order the whole column decided, when the sample could not.
pub fn date_formats(sample: &[String], day_first_given: Option<bool>) -> Vec<String> {
    let mut day_first = false;
    let mut sep = '/';
    for v in sample {
        let v = v.trim();
        if v.len() >= 4 && v.as_bytes()[..4].iter().all(u8::is_ascii_digit) {
            continue; // ISO-like, handled by a cast
        }
        if let Some(s) = v.chars().find(|c| matches!(c, '/' | '.' | '-')) {
            sep = s;
            let first: u32 = v
                .split(s)
                .next()
                .and_then(|x| x.trim().parse().ok())
                .unwrap_or(0);
            if first > 12 {
                day_first = true;
            }
        }
    }
    if let Some(d) = day_first_given {
        day_first = d;
    }
    let base: &[&str] = match (day_first, sep) {
        (true, '.') => &[
            "%d.%m.%Y %H:%M:%S",
            "%d.%m.%Y %H:%M",
            "%d.%m.%Y",
            "%d.%m.%y",
        ],
        (true, '-') => &["%d-%m-%Y %H:%M:%S", "%d-%m-%Y %H:%M", "%d-%m-%Y"],
        (true, _) => &[
            "%d/%m/%Y %H:%M:%S",
            "%d/%m/%Y %H:%M",
            "%d/%m/%Y",
            "%d/%m/%y",
        ],
        (false, '.') => &["%m.%d.%Y %H:%M:%S", "%m.%d.%Y %H:%M", "%m.%d.%Y"],
        (false, '-') => &["%m-%d-%Y %H:%M:%S", "%m-%d-%Y %H:%M", "%m-%d-%Y"],
        (false, _) => &[
            "%m/%d/%Y %H:%M:%S",
            "%m/%d/%Y %H:%M",
            "%m/%d/%Y",
            "%m/%d/%y",
        ],
    };
    // Two-digit years ("11/02/25"): %Y would read them as the year 25.
    let short_year = sample.iter().any(|v| {
        let date = v.split_whitespace().next().unwrap_or("");
        let parts: Vec<&str> = date.split(sep).collect();
        parts.len() == 3 && parts[2].len() == 2 && parts[0].len() <= 2
    });
    base.iter()
        .map(|f| {
            if short_year {
                f.replace("%Y", "%y")
            } else {
                f.to_string()
            }
        })
        .collect()
}

/// An instant (TIMESTAMPTZ): explicit offsets are honoured, naive times are read in `tz`;
/// `day_first` is the order of day and month the whole column decided, when known.
pub fn timestamp(col: &str, sample: &[String], tz: &str, day_first: Option<bool>) -> String {
    timestamp_of(&text(col), sample, tz, day_first)
}

/// A date column and a time-of-day column read as one timestamp.
pub fn date_and_time(
    date_col: &str,
    time_col: &str,
    sample: &[String],
    tz: &str,
    day_first: Option<bool>,
) -> String {
    let t = format!(
        "NULLIF(concat_ws(' ', {}, {}), '')",
        text(date_col),
        text(time_col)
    );
    timestamp_of(&t, sample, tz, day_first)
}

/// Is `v` written "2025-01-02 10:00:00 +0000" (Shopify's export; the offset may also be
/// "+00:00")?
fn iso_with_offset(v: &str) -> bool {
    let b = v.trim().as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    (b.len() == 25 || b.len() == 26)
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && b[10] == b' '
        && digits(11..13)
        && b[13] == b':'
        && digits(14..16)
        && b[16] == b':'
        && digits(17..19)
        && b[19] == b' '
        && matches!(b[20], b'+' | b'-')
        && digits(21..23)
        && (if b.len() == 25 {
            digits(23..25)
        } else {
            b[23] == b':' && digits(24..26)
        })
}

/// [`timestamp`] of a text expression.
/// Seconds, milliseconds or microseconds since 1970 (event exports of analytics tools):
/// the power of ten to divide by, when every value of the sample is one.
fn epoch_scale(sample: &[String]) -> Option<u32> {
    let mut scale = None;
    for v in sample.iter().map(|v| v.trim()).filter(|v| !v.is_empty()) {
        if !v.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let s = match v.len() {
            10 => 0,
            13 => 3,
            16 => 6,
            _ => return None,
        };
        if scale.is_some_and(|x| x != s) {
            return None;
        }
        scale = Some(s);
    }
    scale
}

pub fn timestamp_of(t: &str, sample: &[String], tz: &str, day_first: Option<bool>) -> String {
    if let Some(k) = epoch_scale(sample) {
        return format!("to_timestamp(TRY_CAST({t} AS DOUBLE) / {})", 10u64.pow(k));
    }
    let general = timestamp_general(t, sample, tz, day_first);
    // Compact dates ("19970101", transaction logs and ERP exports).
    if sample
        .iter()
        .any(|v| crate::mapping::values::compact_date(v.trim()))
    {
        return format!(
            "COALESCE(CASE WHEN strlen({t}) = 8 THEN timezone({}, try_strptime({t}, '%Y%m%d')) END, {general})",
            lit(tz)
        );
    }
    // The common export shape is parsed directly (the general path's regular expressions
    // cost three times as much); anything else falls through to it.
    if sample.iter().any(|v| iso_with_offset(v)) {
        return format!("COALESCE(try_strptime({t}, '%Y-%m-%d %H:%M:%S %z'), {general})");
    }
    general
}

fn timestamp_general(t: &str, sample: &[String], tz: &str, day_first: Option<bool>) -> String {
    let t = t.to_string();
    let fmts = date_formats(sample, day_first)
        .iter()
        .map(|f| lit(f))
        .collect::<Vec<_>>()
        .join(", ");
    let tzl = lit(tz);
    // "+0000" is not understood by the cast; make it "+00:00".
    let fixed = format!("regexp_replace({t}, '\\s*([+-][0-9]{{2}}):?([0-9]{{2}})$', '\\1:\\2')");
    format!(
        "CASE WHEN regexp_matches({t}, '(Z|[+-][0-9]{{2}}:?[0-9]{{2}})$') THEN TRY_CAST({fixed} AS TIMESTAMPTZ) \
         ELSE timezone({tzl}, COALESCE(CASE WHEN regexp_matches({t}, '^[0-9]{{4}}[-/.]') THEN TRY_CAST({t} AS TIMESTAMP) END, try_strptime({t}, [{fmts}]))) END"
    )
}

/// Category names: trimmed, inner spaces folded, case-folded to a title form.
pub fn category(col: &str) -> String {
    category_of(&text(col))
}

/// [`category`] with the missing-value markers as NULL.
pub fn category_or_missing(col: &str) -> String {
    category_of(&text_or_missing(col))
}

fn category_of(t: &str) -> String {
    format!("NULLIF(trim(regexp_replace(lower({t}), '\\s+', ' ', 'g')), '')")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn quoting() {
        assert_eq!(ident("a\"b"), "\"a\"\"b\"");
        assert_eq!(lit("it's"), "'it''s'");
    }

    #[test]
    fn decimal_separators() {
        assert!(decimal_comma(&s(&["3,50", "1.234,56", "12"])));
        assert!(!decimal_comma(&s(&["3.50", "1,234.56", "12"])));
        assert!(
            !decimal_comma(&s(&["1,234", "2,500"])),
            "a comma before three digits is a thousands separator"
        );
    }

    #[test]
    fn date_order() {
        assert_eq!(
            date_formats(&s(&["12/1/2010 8:26", "1/13/2011 9:00"]), None)[0],
            "%m/%d/%Y %H:%M:%S"
        );
        assert_eq!(
            date_formats(&s(&["13/01/2011 9:00"]), None)[0],
            "%d/%m/%Y %H:%M:%S"
        );
        assert_eq!(
            date_formats(&s(&["31.12.2024"]), None)[0],
            "%d.%m.%Y %H:%M:%S"
        );
        assert_eq!(
            date_formats(&s(&["11/02/25"]), None)[0],
            "%m/%d/%y %H:%M:%S",
            "two-digit years"
        );
    }
}

#[cfg(test)]
mod db_tests {
    use super::*;
    use sr360_warehouse::{HardenedDb, Limits};

    fn eval(values: &[&str], f: impl Fn(&str) -> String) -> Vec<Option<String>> {
        let dir = tempfile::tempdir().unwrap();
        let db = HardenedDb::open(
            None,
            dir.path(),
            &Limits {
                memory_limit: "256MB".into(),
                threads: 1,
            },
        )
        .unwrap();
        let c = db.conn();
        c.execute_batch("CREATE TABLE t (i INTEGER, v VARCHAR)")
            .unwrap();
        for (i, v) in values.iter().enumerate() {
            c.execute("INSERT INTO t VALUES (?, ?)", duckdb::params![i as i64, v])
                .unwrap();
        }
        let mut st = c
            .prepare(&format!(
                "SELECT CAST({} AS VARCHAR) FROM t ORDER BY i",
                f("v")
            ))
            .unwrap();
        st.query_map([], |r| r.get::<_, Option<String>>(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    }

    #[test]
    fn timestamps_in_many_shapes() {
        let vals = [
            "2025-01-02 10:00:00 +0000",
            "2025-01-02T10:00:00Z",
            "2025-01-02 10:00:00+02:00",
            "2025-01-02 10:00:00",
            "2025-01-02",
            "12/1/2010 8:26",
            "garbage",
        ];
        let sample: Vec<String> = vals.iter().map(|s| s.to_string()).collect();
        let out = eval(&vals, |c| {
            format!(
                "timezone('UTC', {})",
                timestamp(c, &sample, "Europe/Berlin", None)
            )
        });
        assert_eq!(out[0].as_deref(), Some("2025-01-02 10:00:00"));
        assert_eq!(out[1].as_deref(), Some("2025-01-02 10:00:00"));
        assert_eq!(out[2].as_deref(), Some("2025-01-02 08:00:00"));
        assert_eq!(
            out[3].as_deref(),
            Some("2025-01-02 09:00:00"),
            "naive times are shop-local (Berlin, UTC+1 in winter)"
        );
        assert_eq!(out[4].as_deref(), Some("2025-01-01 23:00:00"));
        assert_eq!(out[5].as_deref(), Some("2010-12-01 07:26:00"));
        assert_eq!(out[6], None);
    }

    #[test]
    fn the_export_shape_takes_the_short_path_with_the_same_result() {
        let vals = [
            "2025-01-02 10:00:00 +0000",
            "2025-01-02 10:00:00 +02:00",
            "2025-01-02 10:00:00 -0530",
            "2025-01-02 10:00:00",
            " 2025-01-02 10:00:00 +0100 ",
            "12/1/2010 8:26",
            "2025-13-02 10:00:00 +0000",
        ];
        let sample: Vec<String> = vals.iter().map(|s| s.to_string()).collect();
        assert!(iso_with_offset(&sample[0]) && iso_with_offset(&sample[1]));
        assert!(!iso_with_offset(&sample[3]) && !iso_with_offset(&sample[5]));
        let fast = timestamp("v", &sample, "Europe/Berlin", None);
        assert!(fast.contains("try_strptime"), "{fast}");
        let slow = timestamp("v", &sample[3..4], "Europe/Berlin", None);
        assert!(!slow.starts_with("COALESCE(try_strptime"), "{slow}");
        let utc = |e: String| format!("timezone('UTC', {e})");
        let a = eval(&vals, |c| utc(timestamp(c, &sample, "Europe/Berlin", None)));
        let b = eval(&vals, |c| {
            utc(timestamp_general(&text(c), &sample, "Europe/Berlin", None))
        });
        assert_eq!(a, b);
        assert_eq!(a[0].as_deref(), Some("2025-01-02 10:00:00"));
        assert_eq!(a[2].as_deref(), Some("2025-01-02 15:30:00"));
        assert_eq!(a[6], None, "month 13");
    }

    #[test]
    fn missing_markers_compact_dates_and_flags() {
        let out = eval(
            &["NA", "n/a", "-", "null", "#N/A", "Nancy", "12"],
            text_or_missing,
        );
        assert_eq!(
            out,
            [
                None,
                None,
                None,
                None,
                None,
                Some("Nancy".into()),
                Some("12".into())
            ]
        );
        assert_eq!(eval(&["NA"], text), [Some("NA".into())], "Namibia");
        assert_eq!(
            eval(&["1,234", "NA", "$5"], |c| number(c, false)),
            [Some("1234.0".into()), None, Some("5.0".into())]
        );
        let sample: Vec<String> = vec!["19970101".into(), "19971231".into()];
        assert_eq!(
            eval(&["19970101", "19971231", "NA"], |c| format!(
                "CAST({} AS DATE)",
                timestamp(c, &sample, "UTC", None)
            )),
            [Some("1997-01-01".into()), Some("1997-12-31".into()), None]
        );
        // "03/04/2024" is 3 April when the whole column says day first.
        let sample: Vec<String> = vec!["03/04/2024".into()];
        assert_eq!(undecided_dates(&sample), Some('/'));
        assert_eq!(undecided_dates(&["13/04/2024".to_string()]), None);
        assert_eq!(
            eval(&["03/04/2024"], |c| format!(
                "CAST({} AS DATE)",
                timestamp(c, &sample, "UTC", Some(true))
            )),
            [Some("2024-04-03".into())]
        );
        let sample: Vec<String> = vec!["1704067200000000".into()];
        assert_eq!(
            eval(&["1704067200000000"], |c| format!(
                "timezone('UTC', {})",
                timestamp(c, &sample, "UTC", None)
            )),
            [Some("2024-01-01 00:00:00".into())],
            "microseconds since 1970"
        );
        assert_eq!(
            eval(&["1704067200"], |c| format!(
                "timezone('UTC', {})",
                timestamp(c, &["1704067200".to_string()], "UTC", None)
            )),
            [Some("2024-01-01 00:00:00".into())]
        );
        assert_eq!(
            eval(&["1", "0", "yes", "FALSE", "maybe"], flag),
            [
                Some("true".into()),
                Some("false".into()),
                Some("true".into()),
                Some("false".into()),
                None
            ]
        );
    }

    #[test]
    fn text_is_trimmed_of_ascii_and_unicode_spaces() {
        let out = eval(
            &[
                "plain",
                " lead",
                "trail ",
                "\u{a0}nbsp\u{a0}",
                "caf\u{e9} ",
                "",
                "   ",
                "\tTab",
            ],
            text,
        );
        assert_eq!(
            out,
            [
                Some("plain".into()),
                Some("lead".into()),
                Some("trail".into()),
                Some("nbsp".into()),
                Some("caf\u{e9}".into()),
                None,
                None,
                Some("\tTab".into()),
            ]
        );
    }

    #[test]
    fn numbers_and_integers() {
        let out = eval(
            &[
                "$1,234.50",
                " 12 ",
                "-3",
                "abc",
                "",
                "1.5E+05",
                "inf",
                "(4.50)",
                "+7.25",
                "1 000",
            ],
            |c| number(c, false),
        );
        assert_eq!(
            out,
            [
                Some("1234.5".into()),
                Some("12.0".into()),
                Some("-3.0".into()),
                None,
                None,
                Some("150000.0".into()),
                None,
                Some("-4.5".into()),
                Some("7.25".into()),
                Some("1000.0".into()),
            ]
        );
        let out = eval(&["1.234,50", "3,5"], |c| number(c, true));
        assert_eq!(out, [Some("1234.5".into()), Some("3.5".into())]);
        let out = eval(&["2", "2.0", "2.5", "x"], |c| integer(c, false));
        assert_eq!(out, [Some("2".into()), Some("2".into()), None, None]);
    }
}
