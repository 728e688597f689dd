//! Format detection from content. Works on the first bytes of the (decompressed) file.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Encoding {
    Utf8,
    /// UTF-8 with a byte-order mark to drop.
    Utf8Bom,
    /// Not valid UTF-8: read as ISO-8859-1 / Windows-1252 text.
    Latin1,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Format {
    /// Delimited text. `delimiter` is `b' '` for runs of whitespace.
    Delimited {
        delimiter: u8,
        quote: Option<u8>,
        header: bool,
    },
    /// A JSON array of objects (or an object holding one).
    Json,
    /// One JSON object per line.
    NdJson,
    Parquet,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Sniffed {
    pub encoding: Encoding,
    pub format: Format,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SniffError {
    #[error("the file is empty")]
    Empty,
    #[error("the file holds only a header row and no data")]
    HeaderOnly,
    #[error("the file does not look like text, JSON or Parquet (binary content at byte {0})")]
    Binary(usize),
    #[error("no consistent column delimiter was found in the first lines")]
    NoDelimiter,
}

pub const PARQUET_MAGIC: &[u8] = b"PAR1";

/// Is this text? NUL or other control bytes (except tab, CR, LF, FF) mean binary.
fn first_binary_byte(b: &[u8]) -> Option<usize> {
    b.iter()
        .position(|&c| c == 0 || (c < 0x20 && !matches!(c, b'\t' | b'\n' | b'\r' | 0x0c)))
}

fn encoding_of(head: &[u8]) -> Encoding {
    if head.starts_with(&[0xEF, 0xBB, 0xBF]) {
        return Encoding::Utf8Bom;
    }
    match std::str::from_utf8(head) {
        Ok(_) => Encoding::Utf8,
        // A multi-byte character cut off at the end of the sample is still UTF-8.
        Err(e) if e.error_len().is_none() => Encoding::Utf8,
        Err(_) => Encoding::Latin1,
    }
}

/// Split a line into fields for delimiter scoring (quote-aware).
fn count_fields(line: &str, delim: u8, quote: Option<u8>) -> usize {
    if delim == b' ' {
        return line.split_whitespace().count();
    }
    let mut n = 1;
    let mut in_q = false;
    for b in line.bytes() {
        if Some(b) == quote {
            in_q = !in_q;
        } else if b == delim && !in_q {
            n += 1;
        }
    }
    n
}

/// Lines of the sample that are complete (the last one may be cut off).
fn sample_lines(text: &str, complete: bool) -> Vec<&str> {
    let mut lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    if !complete && lines.len() > 1 {
        lines.pop();
    }
    lines.truncate(200);
    lines
}

fn looks_numeric_or_date(s: &str) -> bool {
    let t = s.trim().trim_matches('"');
    if t.is_empty() {
        return false;
    }
    let digits = t.chars().filter(|c| c.is_ascii_digit()).count();
    digits * 2 >= t.chars().count()
}

fn detect_delimited(text: &str, complete: bool) -> Result<Format, SniffError> {
    let lines = sample_lines(text, complete);
    if lines.is_empty() {
        return Err(SniffError::Empty);
    }
    let quote = text.contains('"').then_some(b'"');
    // Score each candidate: many fields, same count on (almost) every line.
    let mut best: Option<(u8, usize, f64)> = None;
    for d in [b',', b';', b'\t', b'|', b' '] {
        let counts: Vec<usize> = lines.iter().map(|l| count_fields(l, d, quote)).collect();
        let first = counts[0];
        if first < 2 {
            continue;
        }
        let same = counts.iter().filter(|c| **c == first).count() as f64 / counts.len() as f64;
        // Whitespace is the last resort: it also splits values that merely contain spaces.
        let penalty = if d == b' ' { 0.8 } else { 1.0 };
        let score = same * penalty * (first as f64).ln_1p();
        // Ragged exports exist: half the lines agreeing with the header is enough here;
        // the loader reports the others as rejects.
        let needed = if counts.len() >= 4 { 0.5 } else { 0.8 };
        if same >= needed && best.is_none_or(|(_, _, s)| score > s) {
            best = Some((d, first, score));
        }
    }
    let (delimiter, _, _) = best.ok_or(SniffError::NoDelimiter)?;
    let split = |l: &str| -> Vec<String> {
        if delimiter == b' ' {
            l.split_whitespace().map(str::to_string).collect()
        } else {
            l.split(delimiter as char)
                .map(|f| f.trim().trim_matches('"').to_string())
                .collect()
        }
    };
    let first = split(lines[0]);
    // A header row: no numeric or date-like cells, no empty cells, all distinct. The first
    // cell may be empty: data tools write their row index as a nameless first column.
    let mut distinct = first.clone();
    distinct.sort();
    distinct.dedup();
    let header =
        first.iter().enumerate().all(|(i, f)| {
            (!f.is_empty() || (i == 0 && first.len() > 2)) && !looks_numeric_or_date(f)
        }) && distinct.len() == first.len();
    if header && lines.len() == 1 && complete {
        return Err(SniffError::HeaderOnly);
    }
    Ok(Format::Delimited {
        delimiter,
        quote,
        header,
    })
}

/// Recognise `head`, the first bytes of the decompressed content. `complete` says whether
/// `head` is the whole file.
pub fn sniff(head: &[u8], complete: bool) -> Result<Sniffed, SniffError> {
    if head.starts_with(PARQUET_MAGIC) {
        return Ok(Sniffed {
            encoding: Encoding::Utf8,
            format: Format::Parquet,
        });
    }
    let encoding = encoding_of(head);
    let body = if encoding == Encoding::Utf8Bom {
        &head[3..]
    } else {
        head
    };
    if body.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(SniffError::Empty);
    }
    if let Some(at) = first_binary_byte(body) {
        return Err(SniffError::Binary(at));
    }
    let text: std::borrow::Cow<'_, str> = match encoding {
        Encoding::Latin1 => body.iter().map(|&b| b as char).collect::<String>().into(),
        _ => String::from_utf8_lossy(body),
    };
    let trimmed = text.trim_start();
    if trimmed.starts_with('[') {
        return Ok(Sniffed {
            encoding,
            format: Format::Json,
        });
    }
    if trimmed.starts_with('{') {
        let objects_per_line = sample_lines(trimmed, complete).iter().take(20).all(|l| {
            let l = l.trim();
            l.starts_with('{') && l.ends_with('}')
        });
        let lines = trimmed.lines().filter(|l| !l.trim().is_empty()).count();
        let format = if objects_per_line && lines > 1 {
            Format::NdJson
        } else {
            Format::Json
        };
        return Ok(Sniffed { encoding, format });
    }
    Ok(Sniffed {
        encoding,
        format: detect_delimited(&text, complete)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fmt(s: &str) -> Format {
        sniff(s.as_bytes(), true).unwrap().format
    }

    #[test]
    fn delimiters_quotes_and_headers() {
        assert_eq!(
            fmt("a,b,c\n1,2,3\n4,5,6\n"),
            Format::Delimited {
                delimiter: b',',
                quote: None,
                header: true
            }
        );
        assert_eq!(
            fmt("Name;Price\n\"Mug; large\";3,50\nCup;2\n"),
            Format::Delimited {
                delimiter: b';',
                quote: Some(b'"'),
                header: true
            }
        );
        assert_eq!(
            fmt("InvoiceNo\tStockCode\tQuantity\n536365\t85123A\t6\n"),
            Format::Delimited {
                delimiter: b'\t',
                quote: None,
                header: true
            }
        );
        assert_eq!(
            fmt("sku qty price\nA1   2  3.5\nB2   1  10\n"),
            Format::Delimited {
                delimiter: b' ',
                quote: None,
                header: true
            }
        );
        assert_eq!(
            fmt(",order_id,sku\n0,A1,X\n1,A2,Y\n"),
            Format::Delimited {
                delimiter: b',',
                quote: None,
                header: true
            },
            "an index column without a name"
        );
        assert_eq!(
            fmt("1,2,3\n4,5,6\n"),
            Format::Delimited {
                delimiter: b',',
                quote: None,
                header: false
            }
        );
    }

    #[test]
    fn json_ndjson_parquet() {
        assert_eq!(fmt("  [{\"a\":1}]"), Format::Json);
        assert_eq!(fmt("{\"a\":1}\n{\"a\":2}\n"), Format::NdJson);
        assert_eq!(fmt("{\"orders\": [{\"a\": 1}]}"), Format::Json);
        assert_eq!(
            sniff(b"PAR1\x15\x00", false).unwrap().format,
            Format::Parquet
        );
    }

    #[test]
    fn encodings() {
        assert_eq!(
            sniff(b"\xEF\xBB\xBFa,b\n1,2\n", true).unwrap().encoding,
            Encoding::Utf8Bom
        );
        assert_eq!(
            sniff(b"name,city\nJos\xE9,M\xE1laga\n", true)
                .unwrap()
                .encoding,
            Encoding::Latin1
        );
        assert_eq!(
            sniff("name,city\nJosé,Málaga\n".as_bytes(), true)
                .unwrap()
                .encoding,
            Encoding::Utf8
        );
        // A character cut at the end of a sample is not a reason to call it Latin-1.
        let s = "a,b\n1,é".as_bytes();
        assert_eq!(
            sniff(&s[..s.len() - 1], false).unwrap().encoding,
            Encoding::Utf8
        );
    }

    #[test]
    fn bad_input_is_named() {
        assert_eq!(sniff(b"", true), Err(SniffError::Empty));
        assert_eq!(sniff(b"  \n\n", true), Err(SniffError::Empty));
        assert_eq!(
            sniff(b"order_id,sku,qty\n", true),
            Err(SniffError::HeaderOnly)
        );
        assert!(matches!(
            sniff(b"\x7fELF\x02\x01\x01\x00\x00", true),
            Err(SniffError::Binary(_))
        ));
        assert_eq!(
            sniff(b"just one word per line\nno\n", true),
            Err(SniffError::NoDelimiter)
        );
    }

    #[test]
    fn never_panics_on_arbitrary_bytes() {
        let mut x: u64 = 0x9E3779B97F4A7C15;
        for n in 0..2000 {
            let len = (n * 7) % 300;
            let bytes: Vec<u8> = (0..len)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    (x % 256) as u8
                })
                .collect();
            let _ = sniff(&bytes, n % 2 == 0);
        }
    }
}
