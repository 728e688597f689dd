//! Tables as CSV that opens cleanly in a spreadsheet: UTF-8 with a byte-order mark (so Excel
//! reads Arabic and Chinese labels), numbers as plain numbers, and text that a spreadsheet
//! would run as a formula neutralised (merchant data may carry `=HYPERLINK(...)`).

use crate::{ExportError, Table};

/// A cell a spreadsheet would evaluate as a formula gets a leading apostrophe.
pub fn neutralize_formula(v: &str) -> String {
    if v.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{v}")
    } else {
        v.to_string()
    }
}

pub fn csv(t: &Table) -> Result<Vec<u8>, ExportError> {
    let mut w = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    w.write_record(t.headers.iter().map(|h| neutralize_formula(h)))?;
    for row in &t.rows {
        // A value this program produced is written as such (a negative number must stay a
        // number); everything else may come from the data and is neutralised.
        w.write_record(row.iter().map(|c| match &c.plain {
            Some(v) => v.clone(),
            None => neutralize_formula(&c.text),
        }))?;
    }
    w.into_inner()
        .map_err(|e| ExportError::Csv(e.into_error().into()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Cell;

    #[test]
    fn numbers_stay_numbers_and_formulas_are_neutralised() {
        let t = Table {
            headers: vec!["Product".into(), "Revenue".into()],
            rows: vec![
                vec![
                    Cell::text("=HYPERLINK(\"http://x\")"),
                    Cell::number("$1,234.50", 1234.5),
                ],
                vec![Cell::text("@SUM(A1)"), Cell::number("-$3.00", -3.0)],
                vec![
                    Cell::text("Tea, green \"fine\""),
                    Cell::number("—", f64::NAN),
                ],
            ],
        };
        let out = String::from_utf8(csv(&t).unwrap()).unwrap();
        assert_eq!(
            out,
            "\u{feff}Product,Revenue\n\"'=HYPERLINK(\"\"http://x\"\")\",1234.5\n'@SUM(A1),-3\n\"Tea, green \"\"fine\"\"\",—\n"
        );
    }
}
