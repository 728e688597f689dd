//! The printed layout of a report as SVG: a header, then one block per item (title, chart or
//! table, summary). Blocks are laid out on A4 pages for the PDF, or stacked on one long
//! canvas for the PNG. Text widths are estimated from the font size (the layout only needs to
//! know where to wrap and truncate, not exact glyph advances).

use crate::{Item, Report, Table};
use std::fmt::Write;

/// Page width in SVG units; A4 keeps its 595 × 842 pt proportions.
pub const WIDTH: f32 = 720.0;
pub const PAGE_HEIGHT: f32 = WIDTH * 842.0 / 595.0;
const MARGIN: f32 = 40.0;
const CONTENT: f32 = WIDTH - 2.0 * MARGIN;
/// Rows of a table drawn in a PNG or PDF; the CSV has them all.
pub const MAX_ROWS: usize = 40;
const FONT: &str = "Roboto, Noto Sans, Noto Sans Arabic, Noto Sans CJK SC, DejaVu Sans, sans-serif";
const INK: &str = "#1f2937";
const MUTED: &str = "#6b7280";
const RULE: &str = "#d1d5db";

pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            // Control characters are not allowed in XML.
            c if (c as u32) < 0x20 && c != '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Roughly how many characters of `size` fit in `width`.
fn fits(width: f32, size: f32) -> usize {
    (width / (size * 0.56)).max(1.0) as usize
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!(
            "{}…",
            s.chars().take(n.saturating_sub(1)).collect::<String>()
        )
    }
}

/// Greedy word wrap by estimated width; words longer than a line (or scripts without spaces)
/// are cut.
fn wrap(s: &str, n: usize) -> Vec<String> {
    let mut lines = vec![];
    let mut cur = String::new();
    for word in s.split_whitespace() {
        let mut word = word.to_string();
        while word.chars().count() > n {
            if !cur.is_empty() {
                lines.push(std::mem::take(&mut cur));
            }
            lines.push(word.chars().take(n).collect());
            word = word.chars().skip(n).collect();
        }
        if !cur.is_empty() && cur.chars().count() + 1 + word.chars().count() > n {
            lines.push(std::mem::take(&mut cur));
        }
        if !cur.is_empty() {
            cur.push(' ');
        }
        cur.push_str(&word);
    }
    if !cur.is_empty() {
        lines.push(cur);
    }
    lines
}

/// How a line of text is set.
#[derive(Clone, Copy)]
struct Style {
    size: f32,
    fill: &'static str,
    weight: &'static str,
    anchor: &'static str,
}

const fn style(size: f32, fill: &'static str, weight: &'static str, anchor: &'static str) -> Style {
    Style {
        size,
        fill,
        weight,
        anchor,
    }
}

fn text(out: &mut String, x: f32, y: f32, st: Style, s: &str) {
    let Style {
        size,
        fill,
        weight,
        anchor,
    } = st;
    let _ = write!(
        out,
        r#"<text x="{x:.1}" y="{y:.1}" font-size="{size}" fill="{fill}" font-weight="{weight}" text-anchor="{anchor}">{}</text>"#,
        esc(s)
    );
}

/// A piece of the layout with its height; drawn with its top at y = 0.
pub struct Block {
    pub height: f32,
    pub svg: String,
}

pub fn header(r: &Report) -> Block {
    let mut svg = String::new();
    let mut y = 24.0;
    for line in wrap(&r.title, fits(CONTENT, 22.0)) {
        text(
            &mut svg,
            MARGIN,
            y,
            style(22.0, INK, "bold", "start"),
            &line,
        );
        y += 28.0;
    }
    for l in &r.lines {
        for line in wrap(l, fits(CONTENT, 11.0)) {
            text(
                &mut svg,
                MARGIN,
                y,
                style(11.0, MUTED, "normal", "start"),
                &line,
            );
            y += 16.0;
        }
    }
    y += 4.0;
    let _ = write!(
        svg,
        r#"<line x1="{MARGIN}" y1="{y}" x2="{}" y2="{y}" stroke="{RULE}" stroke-width="1"/>"#,
        WIDTH - MARGIN
    );
    Block {
        height: y + 16.0,
        svg,
    }
}

/// Width and height of a standalone SVG document, from its root element.
fn size_of(svg: &str) -> (f32, f32) {
    let root = svg
        .find("<svg")
        .and_then(|a| svg[a..].find('>').map(|b| &svg[a..a + b]))
        .unwrap_or("");
    let attr = |name: &str| {
        let key = format!(" {name}=\"");
        let a = root.find(&key)? + key.len();
        let b = root[a..].find('"')?;
        root[a..a + b]
            .trim_end_matches("px")
            .parse::<f32>()
            .ok()
            .filter(|v| *v > 0.0)
    };
    (
        attr("width").unwrap_or(640.0),
        attr("height").unwrap_or(320.0),
    )
}

/// The chart placed at (x, y), scaled to the content width.
fn nested(svg: &str, y: f32) -> (String, f32) {
    let (w, h) = size_of(svg);
    let body = match svg.find("<svg") {
        Some(a) => &svg[a..],
        None => svg,
    };
    let scale = CONTENT / w;
    let out = format!(r#"<g transform="translate({MARGIN} {y}) scale({scale})">{body}</g>"#);
    (out, h * scale)
}

fn table(out: &mut String, t: &Table, mut y: f32) -> f32 {
    let cols = t
        .headers
        .len()
        .max(t.rows.iter().map(Vec::len).max().unwrap_or(0))
        .max(1);
    let size: f32 = if cols <= 8 {
        10.0
    } else {
        (CONTENT / cols as f32 / 4.2).clamp(6.0, 10.0)
    };
    let row_h = size * 1.8;
    // The first column (names, dates) gets twice the room of the others.
    let unit = CONTENT / (cols as f32 + 1.0);
    let width = |i: usize| if i == 0 { 2.0 * unit } else { unit };
    let left = |i: usize| MARGIN + if i == 0 { 0.0 } else { unit * (i as f32 + 1.0) };
    let numeric: Vec<bool> = (0..cols)
        .map(|i| t.rows.iter().any(|r| r.get(i).is_some_and(|c| c.numeric)))
        .collect();
    let cell =
        |out: &mut String, i: usize, y: f32, s: &str, weight: &'static str, fill: &'static str| {
            let s = truncate(s, fits(width(i) - 6.0, size));
            if numeric[i] {
                text(
                    out,
                    left(i) + width(i) - 4.0,
                    y,
                    style(size, fill, weight, "end"),
                    &s,
                );
            } else {
                text(
                    out,
                    left(i) + 2.0,
                    y,
                    style(size, fill, weight, "start"),
                    &s,
                );
            }
        };
    y += size;
    for (i, h) in t.headers.iter().enumerate().take(cols) {
        cell(out, i, y, h, "bold", INK);
    }
    y += size * 0.8;
    let _ = write!(
        out,
        r#"<line x1="{MARGIN}" y1="{y:.1}" x2="{}" y2="{y:.1}" stroke="{RULE}" stroke-width="1"/>"#,
        WIDTH - MARGIN
    );
    for (n, row) in t.rows.iter().take(MAX_ROWS).enumerate() {
        if n % 2 == 1 {
            let _ = write!(
                out,
                r##"<rect x="{MARGIN}" y="{:.1}" width="{CONTENT}" height="{row_h:.1}" fill="#f3f4f6"/>"##,
                y
            );
        }
        for (i, c) in row.iter().enumerate().take(cols) {
            cell(out, i, y + row_h * 0.68, &c.text, "normal", INK);
        }
        y += row_h;
    }
    y
}

/// Table rows left out of a drawn table.
pub fn hidden_rows(t: &Table) -> usize {
    t.rows.len().saturating_sub(MAX_ROWS)
}

pub fn item(it: &Item, more_rows: &str) -> Block {
    let mut svg = String::new();
    let mut y = 16.0;
    for line in wrap(&it.title, fits(CONTENT, 15.0)) {
        text(
            &mut svg,
            MARGIN,
            y,
            style(15.0, INK, "bold", "start"),
            &line,
        );
        y += 20.0;
    }
    y += 4.0;
    match &it.svg {
        Some(chart) => {
            let (g, h) = nested(chart, y);
            svg.push_str(&g);
            y += h + 6.0;
        }
        None => {
            y = table(&mut svg, &it.table, y) + 6.0;
            if hidden_rows(&it.table) > 0 {
                y += 12.0;
                text(
                    &mut svg,
                    MARGIN,
                    y,
                    style(10.0, MUTED, "normal", "start"),
                    &more_rows.replace("{n}", &hidden_rows(&it.table).to_string()),
                );
                y += 6.0;
            }
        }
    }
    for line in wrap(&it.summary, fits(CONTENT, 11.0)) {
        y += 15.0;
        text(
            &mut svg,
            MARGIN,
            y,
            style(11.0, MUTED, "normal", "start"),
            &line,
        );
    }
    Block {
        height: y + 24.0,
        svg,
    }
}

fn document(height: f32, body: &str) -> String {
    format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height:.0}" viewBox="0 0 {WIDTH} {height:.0}" font-family="{FONT}"><rect width="100%" height="100%" fill="white"/>{body}</svg>"#
    )
}

fn place(out: &mut String, b: &Block, y: f32) {
    let _ = write!(out, r#"<g transform="translate(0 {y:.1})">{}</g>"#, b.svg);
}

/// Everything on one canvas, top to bottom (the PNG).
pub fn canvas(blocks: &[Block]) -> String {
    let mut body = String::new();
    let mut y = MARGIN / 2.0;
    for b in blocks {
        place(&mut body, b, y);
        y += b.height;
    }
    document(y + MARGIN / 2.0, &body)
}

/// A4 pages; a block that does not fit on the rest of a page starts the next one. `footer`
/// gets the page number and the page count.
pub fn pages(blocks: &[Block], footer: &dyn Fn(usize, usize) -> String) -> Vec<String> {
    let bottom = PAGE_HEIGHT - MARGIN;
    let mut pages: Vec<Vec<(f32, &Block)>> = vec![vec![]];
    let mut y = MARGIN;
    for b in blocks {
        let has_content = pages.last().is_some_and(|p| !p.is_empty());
        if has_content && y + b.height > bottom {
            pages.push(vec![]);
            y = MARGIN;
        }
        if let Some(p) = pages.last_mut() {
            p.push((y, b));
        }
        y += b.height;
    }
    let n = pages.len();
    pages
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let mut body = String::new();
            for (y, b) in p {
                place(&mut body, b, *y);
            }
            text(
                &mut body,
                WIDTH / 2.0,
                PAGE_HEIGHT - MARGIN / 2.0,
                style(9.0, MUTED, "normal", "middle"),
                &footer(i + 1, n),
            );
            document(PAGE_HEIGHT, &body)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_and_truncates_without_losing_words() {
        assert_eq!(
            wrap("one two three four", 9),
            vec!["one two", "three", "four"]
        );
        assert_eq!(wrap("abcdefghij", 4), vec!["abcd", "efgh", "ij"]);
        assert_eq!(truncate("Home & Kitchen", 6), "Home …");
        assert_eq!(esc("<a & \"b\">\u{1}"), "&lt;a &amp; &quot;b&quot;&gt; ");
        assert_eq!(
            size_of(r#"<svg width="640" height="200px" viewBox="0 0 640 200">"#),
            (640.0, 200.0)
        );
    }

    #[test]
    fn blocks_never_split_across_pages() {
        let blocks: Vec<Block> = (0..7)
            .map(|_| Block {
                height: 400.0,
                svg: String::new(),
            })
            .collect();
        let pages = pages(&blocks, &|i, n| format!("{i}/{n}"));
        // Two 400-unit blocks fit in the 938 units of a page, three do not.
        assert_eq!(pages.len(), 4);
        assert!(pages[3].contains(">4/4</text>"));
    }
}
