//! A file DuckDB could not read, said in the shop's words. DuckDB's messages carry the error
//! class, the SQL it ran and the stored object's name; the person who uploaded the file needs
//! what is wrong with it and where (line, record). The raw message goes to the log.

/// What is wrong with a file, from DuckDB's message about reading it.
pub fn worded(raw: &str) -> String {
    let lower = raw.to_lowercase();
    let line = after(raw, "Line: ")
        .map(|n| format!(" (line {n})"))
        .unwrap_or_default();
    if lower.contains("magic bytes") || lower.contains("parquet") {
        return "it is not a readable Parquet file (damaged, cut short, or another kind of file named .parquet)".into();
    }
    if lower.contains("json") {
        let at = match (after(raw, "in record/value "), after(raw, "at byte ")) {
            (Some(record), Some(byte)) => format!(" (record {record}, byte {byte})"),
            _ => String::new(),
        };
        return format!("it is not valid JSON{at}: a bracket, brace or quote is missing or extra");
    }
    if lower.contains("unterminated quote") {
        return format!("a quoted value is opened and never closed{line}");
    }
    if lower.contains("expected number of columns") || lower.contains("too many columns") {
        return format!("a row has more or fewer values than the header has columns{line}");
    }
    if lower.contains("unicode") || lower.contains("utf-8") || lower.contains("utf8") {
        return format!("the text is not in a readable encoding{line}; save the file as UTF-8");
    }
    if lower.contains("csv") {
        return format!("the rows could not be read as delimited text{line}");
    }
    "its contents could not be read".into()
}

/// The digits right after `marker` in `text`.
fn after(text: &str, marker: &str) -> Option<u64> {
    let rest = &text[text.find(marker)? + marker.len()..];
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::worded;

    #[test]
    fn duckdb_messages_become_words_without_sql_or_object_names() {
        for (raw, want) in [
            (
                "Invalid Input Error: No magic bytes found at end of file '742c44611eb5f14d'\n\nLINE 1: SELECT count(*) FROM read_parquet('raw/742c…')",
                "not a readable Parquet file",
            ),
            (
                "Invalid Input Error: Malformed JSON in file \"9eba386c\", at byte 19 in record/value 2: unexpected end of data.\n\nLINE 1: CREATE OR REPLACE TABLE bronze.upload_5 AS SELECT * FROM read_json('x')",
                "not valid JSON (record 2, byte 19)",
            ),
            (
                "Invalid Input Error: CSV Error on Line: 2\nOriginal Line: \"A1,2025-03-01\nValue with unterminated quote found.",
                "opened and never closed (line 2)",
            ),
            (
                "Invalid Input Error: CSV Error on Line: 7\nExpected Number of Columns: 3 Found: 5",
                "more or fewer values than the header has columns (line 7)",
            ),
            (
                "Invalid Input Error: Invalid unicode (byte sequence mismatch) detected in CSV file.",
                "save the file as UTF-8",
            ),
            (
                "IO Error: something else entirely",
                "its contents could not be read",
            ),
        ] {
            let w = worded(raw);
            assert!(w.contains(want), "{raw} → {w}");
            for bad in [
                "Error", "LINE 1", "SELECT", "bronze.", "read_", "742c", "9eba",
            ] {
                assert!(!w.contains(bad), "{w} shows {bad}");
            }
        }
    }
}
