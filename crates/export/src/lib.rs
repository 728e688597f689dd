//! Reports as files a merchant can keep or send: CSV for a table, PNG and PDF for charts and
//! tables. The input is plain data (titles, chart SVGs, table cells) built by the same code
//! that draws the pages, so a file always shows what the page showed.
//!
//! PNG and PDF are drawn from one SVG layout ([`layout`]): a header (title, filters, time of
//! generation) and one block per item. resvg rasterises it; krilla writes it as a PDF with
//! real, selectable text, a block never split across pages.

mod csv_out;
mod layout;
mod render;

pub use csv_out::{csv, neutralize_formula};
pub use render::Renderer;

/// One cell of a table: the text the page shows and, for numbers and dates, the plain value
/// this program produced (written to CSV as is, so a spreadsheet can sum and sort it whatever
/// the page's locale).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Cell {
    pub text: String,
    pub plain: Option<String>,
    /// Right-aligned when drawn.
    pub numeric: bool,
}

impl Cell {
    pub fn text(t: impl Into<String>) -> Self {
        Self {
            text: t.into(),
            ..Default::default()
        }
    }
    pub fn number(t: impl Into<String>, v: f64) -> Self {
        Self {
            text: t.into(),
            plain: v.is_finite().then(|| v.to_string()),
            numeric: true,
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

/// A chart or a table of a page.
#[derive(Debug, Clone, Default)]
pub struct Item {
    pub title: String,
    /// The chart as a standalone SVG document (light theme); `None` for a table.
    pub svg: Option<String>,
    /// What the chart shows, in a sentence or two.
    pub summary: String,
    pub table: Table,
}

#[derive(Debug, Clone, Default)]
pub struct Report {
    pub title: String,
    /// Lines under the title: the filters, when it was generated and by whom.
    pub lines: Vec<String>,
    pub items: Vec<Item>,
    /// Said under a drawn table that has more rows than fit (`{n}`: how many more).
    pub more_rows: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("nothing to export")]
    Empty,
    #[error("the report could not be drawn: {0}")]
    Draw(String),
    #[error("CSV: {0}")]
    Csv(#[from] csv::Error),
}
