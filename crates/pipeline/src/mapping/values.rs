//! What a single value looks like: missing-value markers, and whether a value can be of a
//! kind. Used on samples to check a column against the field its header suggests.

use super::Kind;

/// Cells that mean "no value" in exports: empty, `NA`, `N/A`, `null`, `-`, `#N/A`, `nan`.
/// The same list is used by silver's typed expressions ([`crate::sqlexpr::MISSING`]).
pub fn is_missing(v: &str) -> bool {
    let t = v.trim();
    t.is_empty()
        || crate::sqlexpr::MISSING
            .iter()
            .any(|m| t.eq_ignore_ascii_case(m))
}

/// A compact date `yyyymmdd` with a plausible year, month and day.
pub fn compact_date(v: &str) -> bool {
    let b = v.as_bytes();
    if b.len() != 8 || !b.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let n = |r: std::ops::Range<usize>| v[r].parse::<u32>().unwrap_or(0);
    (1900..=2100).contains(&n(0..4)) && (1..=12).contains(&n(4..6)) && (1..=31).contains(&n(6..8))
}

pub fn value_fits(kind: Kind, v: &str) -> bool {
    let v = v.trim();
    if is_missing(v) {
        return true;
    }
    match kind {
        Kind::Text | Kind::Id => true,
        Kind::Key => v.chars().any(|c| c.is_ascii_digit()),
        Kind::Integer => {
            let t: String = v.chars().filter(|c| !matches!(c, ',' | ' ')).collect();
            let t = t.trim_start_matches(['-', '+']);
            let t = t.strip_suffix(".0").unwrap_or(t);
            !t.is_empty() && t.chars().all(|c| c.is_ascii_digit())
        }
        Kind::Number | Kind::Money => {
            let t: String = v
                .chars()
                .filter(|c| {
                    !matches!(
                        c,
                        '$' | '€' | '£' | '¥' | '₹' | ' ' | '\u{a0}' | '%' | '(' | ')'
                    )
                })
                .collect();
            let t = t
                .trim_start_matches(|c: char| c.is_ascii_alphabetic())
                .trim_end_matches(|c: char| c.is_ascii_alphabetic());
            let plain = t.replace(',', "");
            plain.parse::<f64>().is_ok_and(f64::is_finite)
                || t.replace('.', "")
                    .replace(',', ".")
                    .parse::<f64>()
                    .is_ok_and(f64::is_finite)
        }
        Kind::Timestamp => {
            if compact_date(v) {
                return true;
            }
            let digits = v.chars().filter(|c| c.is_ascii_digit()).count();
            digits >= 6
                && (v.contains('-')
                    || v.contains('/')
                    || v.contains('.')
                    || v.contains('T')
                    || digits >= 10)
        }
        Kind::Email => v.contains('@') && v.contains('.'),
        Kind::Flag => matches!(
            v.to_ascii_lowercase().as_str(),
            "0" | "1" | "true" | "false" | "yes" | "no" | "y" | "n" | "t" | "f"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_markers() {
        for m in [
            "", " ", "NA", "n/a", "null", "NULL", "-", "#N/A", "NaN", "None",
        ] {
            assert!(is_missing(m), "{m:?}");
        }
        for v in ["0", "Nancy", "--5", "na-1"] {
            assert!(!is_missing(v), "{v:?}");
        }
    }

    #[test]
    fn kinds_of_values() {
        assert!(value_fits(Kind::Timestamp, "19970101"));
        assert!(!value_fits(Kind::Timestamp, "12345678"));
        assert!(value_fits(Kind::Money, "$1,234.50"));
        assert!(value_fits(Kind::Money, "1.234,50 €"));
        assert!(value_fits(Kind::Money, "USD 12.00"));
        assert!(!value_fits(Kind::Money, "twelve"));
        assert!(value_fits(Kind::Integer, "1,200"));
        assert!(value_fits(Kind::Integer, "3.0"));
        assert!(!value_fits(Kind::Integer, "2.5"));
        assert!(value_fits(Kind::Key, "#1001"));
        assert!(!value_fits(Kind::Key, "hawaiian"));
        assert!(value_fits(Kind::Flag, "TRUE"));
        assert!(!value_fits(Kind::Flag, "2"));
    }
}
