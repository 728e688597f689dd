//! Files that are not text exports: spreadsheets are read into CSV (the first sheet that
//! holds a table, through `calamine`: xlsx, xlsm, xlsb, xls, ods), and images, PDFs, Word
//! or PowerPoint documents and archives are named and refused before anything else reads
//! them, so the merchant learns what was uploaded instead of "binary content at byte 3".

use crate::prepare::PrepareError;
use calamine::{Data, Reader, open_workbook_auto_from_rs};
use std::io::Read;
use std::path::Path;

/// What the first bytes of a file say it is, when it is not text, JSON or Parquet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Binary {
    /// An Excel or OpenDocument workbook (or an old Office file that may be one).
    Workbook,
    /// A file that holds no table: the words say what it is.
    NotData(&'static str),
}

/// Recognise `head`, the first bytes of a file (a few kilobytes).
pub fn recognise(head: &[u8]) -> Option<Binary> {
    let has = |needle: &[u8]| head.windows(needle.len()).any(|w| w == needle);
    if head.starts_with(b"PK\x03\x04") {
        return Some(
            if has(b"xl/") || has(b"content.xml") && has(b"spreadsheet") {
                Binary::Workbook
            } else if has(b"word/") {
                Binary::NotData("a Word document")
            } else if has(b"ppt/") {
                Binary::NotData("a PowerPoint presentation")
            } else if has(b"[Content_Types].xml") && !has(b"xl/") {
                // Office files list their parts first; a workbook's come a little later.
                Binary::Workbook
            } else {
                Binary::NotData("a zip archive (unpack it and upload the files inside)")
            },
        );
    }
    if head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Some(Binary::Workbook);
    }
    let image = |what| Some(Binary::NotData(what));
    if head.starts_with(b"\x89PNG") {
        return image("an image (PNG)");
    }
    if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return image("an image (JPEG)");
    }
    if head.starts_with(b"GIF8") {
        return image("an image (GIF)");
    }
    if head.starts_with(b"RIFF") && head.get(8..12) == Some(b"WEBP") {
        return image("an image (WebP)");
    }
    if head.starts_with(b"BM") && head.len() > 14 && head[6..10] == [0, 0, 0, 0] {
        return image("an image (BMP)");
    }
    if head.starts_with(b"II*\x00") || head.starts_with(b"MM\x00*") {
        return image("an image (TIFF)");
    }
    if head.starts_with(b"%PDF") {
        return image("a PDF document");
    }
    if head.starts_with(b"{\\rtf") {
        return image("a rich-text document");
    }
    None
}

/// One cell as CSV text: whole numbers without ".0", dates as ISO text.
fn cell(d: &Data) -> String {
    match d {
        Data::Empty | Data::Error(_) => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(t) if t.is_datetime() => {
            let (y, mo, d, h, mi, s, _) = t.to_ymd_hms_milli();
            if (h, mi, s) == (0, 0, 0) {
                format!("{y:04}-{mo:02}-{d:02}")
            } else {
                format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}")
            }
        }
        Data::DateTime(t) => t.as_f64().to_string(),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
    }
}

/// Write the first sheet of the workbook `src` that holds a table (two rows or more) to
/// `dst` as CSV. At most `max_bytes` of workbook are read.
pub fn to_csv(src: &Path, dst: &Path, max_bytes: u64) -> Result<(), PrepareError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| PrepareError::Io { path, source }
    };
    let mut bytes = Vec::new();
    std::fs::File::open(src)
        .map_err(io(src))?
        .take(max_bytes + 1)
        .read_to_end(&mut bytes)
        .map_err(io(src))?;
    if bytes.len() as u64 > max_bytes {
        return Err(PrepareError::TooLarge { limit: max_bytes });
    }
    let mut book = open_workbook_auto_from_rs(std::io::Cursor::new(&bytes[..])).map_err(|_| {
        PrepareError::NotData("an Office file that is not a readable workbook".into())
    })?;
    let mut table = None;
    for name in book.sheet_names() {
        let Ok(range) = book.worksheet_range(&name) else {
            continue;
        };
        let filled = range
            .rows()
            .filter(|r| r.iter().any(|c| !matches!(c, Data::Empty)))
            .count();
        if filled >= 2 {
            table = Some(range);
            break;
        }
    }
    let Some(range) = table else {
        return Err(PrepareError::NotData(
            "a workbook without a table (no sheet has a header and a row)".into(),
        ));
    };
    let mut w = csv::Writer::from_path(dst).map_err(|e| PrepareError::Io {
        path: dst.to_path_buf(),
        source: std::io::Error::other(e),
    })?;
    for row in range.rows() {
        if row.iter().all(|c| matches!(c, Data::Empty)) {
            continue;
        }
        w.write_record(row.iter().map(cell))
            .map_err(|e| PrepareError::Io {
                path: dst.to_path_buf(),
                source: std::io::Error::other(e),
            })?;
    }
    w.flush().map_err(io(dst))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_what_is_not_data() {
        assert_eq!(
            recognise(b"\x89PNG\r\n\x1a\n...."),
            Some(Binary::NotData("an image (PNG)"))
        );
        assert_eq!(
            recognise(b"%PDF-1.7"),
            Some(Binary::NotData("a PDF document"))
        );
        assert_eq!(
            recognise(b"PK\x03\x04....word/document.xml"),
            Some(Binary::NotData("a Word document"))
        );
        assert_eq!(
            recognise(b"PK\x03\x04....xl/workbook.xml"),
            Some(Binary::Workbook)
        );
        assert_eq!(recognise(b"order,sku\n1,A\n"), None);
    }
}
