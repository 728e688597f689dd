//! Charts drawn on the server as SVG with charts-rs: no JavaScript charting library, no CDN.
//! A [`ChartSpec`] is plain data (labels and series) built by the HTTP layer from query
//! results; this module turns it into an SVG in the light or dark theme, with hover tooltips
//! and an accessible name. Numbers in the SVG use the page's locale.

use charts_rs::{
    BarChart, ChartBase, Color, FunnelChart, HeatmapChart, HorizontalBarChart, LineChart, PieChart,
    Series, SeriesBand, Symbol, svg_with_accessibility,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChartKind {
    /// Values over time; a second series is the comparison period, drawn dashed.
    Line,
    /// Vertical bars; several series side by side, or stacked with `stacked`.
    Bar { stacked: bool },
    /// Horizontal bars, largest first (rankings).
    HBar,
    /// Shares of a whole.
    Pie,
    /// A grid of cells: `labels` across, `rows` down, `cells[row][column]`.
    Heatmap,
    /// Steps of a funnel, widest first (`labels` with the first series' values).
    Funnel,
}

#[derive(Debug, Clone)]
pub struct ChartSpec {
    pub kind: ChartKind,
    /// Accessible name of the chart.
    pub title: String,
    /// Category or time labels along the axis.
    pub labels: Vec<String>,
    /// (name, values) per series.
    pub series: Vec<(String, Vec<f64>)>,
    /// Heatmap rows (bottom to top).
    pub rows: Vec<String>,
    pub cells: Vec<Vec<f64>>,
    /// Line charts: where each series starts along the axis (a forecast after its history);
    /// missing entries start at 0.
    pub starts: Vec<usize>,
    /// Line charts: a shaded band (lower, upper) around a series, by series index (a
    /// prediction interval).
    pub bands: Vec<(usize, Vec<f64>, Vec<f64>)>,
    /// The values are shares (0.25 = 25 %): the value axis reads in per cent.
    pub percent: bool,
}

impl ChartSpec {
    pub fn new(kind: ChartKind, title: impl Into<String>) -> Self {
        Self {
            kind,
            title: title.into(),
            labels: vec![],
            series: vec![],
            rows: vec![],
            cells: vec![],
            starts: vec![],
            bands: vec![],
            percent: false,
        }
    }
}

/// A value axis a person reads at a glance: from 0 (or a round floor below the lowest value)
/// to a round top, in at most `ticks` steps of 1, 2, 2.5 or 5 times a power of ten.
/// Returns (min, max, steps).
pub fn nice_axis(lo: f64, hi: f64, ticks: usize) -> (f64, f64, usize) {
    let (lo, hi) = (lo.min(0.0), hi.max(0.0));
    let span = hi - lo;
    if !span.is_finite() || span <= 0.0 {
        return (0.0, 1.0, 1);
    }
    let raw = span / ticks.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw * (1.0 - 1e-9))
        .unwrap_or(10.0 * mag);
    let min = (lo / step).floor() * step;
    let max = (hi / step).ceil() * step;
    let steps = ((max - min) / step).round().max(1.0) as usize;
    (min, max, steps)
}

const WIDTH: f32 = 640.0;
/// charts-rs measures text with its bundled Roboto; the page serves that same file as
/// "SR360 Charts" (assets/fonts), so labels are drawn with the metrics they were laid out with.
/// Scripts Roboto lacks fall back to the system fonts.
const FONT: &str =
    "SR360 Charts, Roboto, Noto Sans, Noto Sans Arabic, Noto Sans CJK SC, sans-serif";
const HEIGHT: f32 = 320.0;
/// Points beyond which a line chart drops its per-point hover labels.
const LONG_SERIES: usize = 120;

fn series(spec: &ChartSpec) -> Vec<Series> {
    spec.series
        .iter()
        .enumerate()
        .map(|(i, (n, v))| {
            let mut s = Series::from((
                n.as_str(),
                v.iter().map(|x| *x as f32).collect::<Vec<f32>>(),
            ));
            s.start_index = spec.starts.get(i).copied().unwrap_or(0);
            // Long lines read better without a marker on every point.
            if v.len() > 40 {
                s.symbol = Some(Symbol::None);
            }
            if let Some((_, lo, hi)) = spec.bands.iter().find(|b| b.0 == i) {
                s.band = Some(SeriesBand::new(
                    lo.iter().map(|x| *x as f32).collect(),
                    hi.iter().map(|x| *x as f32).collect(),
                ));
            }
            s
        })
        .collect()
}

/// What every chart shares: size, the page's fonts, a transparent background (the card's
/// colour shows through), hover tooltips.
fn frame(c: &mut ChartBase, height: f32) {
    c.width = WIDTH;
    c.height = height;
    c.font_family = FONT.into();
    // Room above the top tick, so its label is not cut by the chart's edge.
    c.margin.top = 14.0;
    c.background_color = Color::transparent();
    c.tooltip.show = true;
}

/// One series per label, from the first series' values (pie slices, funnel steps).
fn parts(spec: &ChartSpec) -> Vec<Series> {
    let values = spec
        .series
        .first()
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    spec.labels
        .iter()
        .zip(values)
        .map(|(l, v)| Series::from((l.as_str(), vec![v as f32])))
        .collect()
}

/// The chart as an SVG document, or None when there is nothing to draw.
pub fn svg(spec: &ChartSpec, dark: bool) -> Option<String> {
    let theme = if dark { "dark" } else { "light" };
    let empty = spec.series.iter().all(|(_, v)| v.is_empty()) && spec.cells.is_empty();
    if empty {
        return None;
    }
    // Shares are drawn in per cent; the value axis gets round ticks.
    let scaled;
    let spec = if spec.percent {
        let mut s = spec.clone();
        for (_, v) in &mut s.series {
            v.iter_mut().for_each(|x| *x *= 100.0);
        }
        for (_, lo, hi) in &mut s.bands {
            lo.iter_mut().chain(hi.iter_mut()).for_each(|x| *x *= 100.0);
        }
        scaled = s;
        &scaled
    } else {
        spec
    };
    let axis = |ys: &mut Vec<charts_rs::YAxisConfig>, stacked: bool| {
        let values = spec.series.iter().map(|(_, v)| v.clone()).chain(
            spec.bands
                .iter()
                .flat_map(|(_, lo, hi)| [lo.clone(), hi.clone()]),
        );
        let (mut lo, mut hi) = (0f64, 0f64);
        if stacked {
            let n = spec.labels.len();
            let mut up = vec![0f64; n];
            let mut down = vec![0f64; n];
            for (_, v) in &spec.series {
                for (i, x) in v.iter().enumerate().take(n) {
                    if *x >= 0.0 { up[i] += x } else { down[i] += x }
                }
            }
            hi = up.into_iter().fold(0.0, f64::max);
            lo = down.into_iter().fold(0.0, f64::min);
        } else {
            for x in values.flatten().filter(|x| x.is_finite()) {
                lo = lo.min(x);
                hi = hi.max(x);
            }
        }
        let (min, max, steps) = nice_axis(lo, hi, 5);
        if let Some(y) = ys.first_mut() {
            y.min = Some(min as f32);
            y.max = Some(max as f32);
            y.split_number = steps;
            if spec.percent {
                y.formatter = Some("{c}%".into());
            }
        }
    };
    let drawn = match spec.kind {
        ChartKind::Line => {
            let mut c = LineChart::new_with_theme(series(spec), spec.labels.clone(), theme);
            frame(&mut c, HEIGHT);
            axis(&mut c.y_axis_configs, false);
            // A hover label per point of two years of days is most of a megabyte; the table
            // view under the chart has every value.
            if spec.labels.len() > LONG_SERIES {
                c.tooltip.show = false;
            }
            if let Some(s) = c.series_list.get_mut(1) {
                s.stroke_dash_array = Some("4,4".into());
            }
            c.legend.show = Some(spec.series.len() > 1);
            c.svg()
        }
        ChartKind::Bar { stacked } => {
            let mut list = series(spec);
            if stacked {
                for s in &mut list {
                    s.stack = Some("total".into());
                }
            }
            let mut c = BarChart::new_with_theme(list, spec.labels.clone(), theme);
            frame(&mut c, HEIGHT);
            axis(&mut c.y_axis_configs, stacked);
            if spec.labels.len() > LONG_SERIES {
                c.tooltip.show = false;
            }
            c.legend.show = Some(spec.series.len() > 1);
            c.svg()
        }
        ChartKind::HBar => {
            // Largest at the top: the chart draws the first label at the bottom.
            let mut labels = spec.labels.clone();
            labels.reverse();
            let list: Vec<Series> = spec
                .series
                .iter()
                .map(|(n, v)| {
                    Series::from((
                        n.as_str(),
                        v.iter().rev().map(|x| *x as f32).collect::<Vec<f32>>(),
                    ))
                })
                .collect();
            let mut c = HorizontalBarChart::new_with_theme(list, labels, theme);
            frame(
                &mut c,
                (60.0 + 26.0 * spec.labels.len() as f32).clamp(160.0, 520.0),
            );
            axis(&mut c.y_axis_configs, false);
            c.legend.show = Some(false);
            c.svg()
        }
        ChartKind::Pie => {
            let mut c = PieChart::new_with_theme(parts(spec), theme);
            frame(&mut c, HEIGHT);
            // A true donut: each slice's angle is its share. charts-rs defaults to a rose,
            // where every slice gets the same angle and size shows as radius, so a 62 %
            // channel looks like a quarter.
            c.rose_type = Some(false);
            c.svg()
        }
        ChartKind::Funnel => {
            let mut c = FunnelChart::new_with_theme(parts(spec), theme);
            frame(&mut c, HEIGHT);
            c.svg()
        }
        ChartKind::Heatmap => {
            let cols = spec.labels.len();
            let mut data = Vec::new();
            let mut max = 0.0f64;
            for (i, row) in spec.cells.iter().enumerate() {
                for (j, v) in row.iter().enumerate().take(cols) {
                    data.push((i * cols + j, *v as f32));
                    max = max.max(*v);
                }
            }
            let mut c =
                HeatmapChart::new_with_theme(data, spec.labels.clone(), spec.rows.clone(), theme);
            frame(&mut c, HEIGHT);
            c.heatmap_series.min = 0.0;
            c.heatmap_series.max = max.max(1.0) as f32;
            c.svg()
        }
    };
    match drawn {
        Ok(s) => Some(svg_with_accessibility(&s, &spec.title, "")),
        Err(e) => {
            // A chart that cannot be drawn leaves its table view, which carries the same data.
            tracing::warn!(chart = %spec.title, error = ?e, "chart not drawn");
            None
        }
    }
}

/// The chart's text in the page's digits: Arabic-Indic in Arabic (axis ticks, labels and hover
/// values, as the sentences around them), unchanged elsewhere. Only text between tags
/// changes; coordinates in attributes stay ASCII.
pub fn localize_digits(svg: &str, locale: &str) -> String {
    if locale != "ar" {
        return svg.to_string();
    }
    let mut out = String::with_capacity(svg.len() + svg.len() / 4);
    let mut in_tag = false;
    for c in svg.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            _ => {}
        }
        let local = match (in_tag, c) {
            (false, '0'..='9') => char::from_u32(0x0660 + (c as u32 - '0' as u32)),
            (false, '.') => Some('\u{066B}'),
            _ => None,
        };
        out.push(local.unwrap_or(c));
    }
    out
}

/// The SVG as a page embeds it: without its `<style>` block ([`inline`]), in the page's
/// digits ([`localize_digits`]), and without what only a standalone file needs or nothing
/// draws: each label's font (app.css sets it once), bars of zero height, and charts-rs's
/// `data-*` attributes (no script reads them). Two years of days were 180 kB a chart.
pub fn for_page(svg: &str, locale: &str) -> String {
    localize_digits(&compact(&inline(svg)), locale)
}

fn compact(svg: &str) -> String {
    let mut out = String::with_capacity(svg.len());
    let mut rest = svg;
    while let Some(at) = rest.find('<') {
        out.push_str(&rest[..at]);
        let Some(len) = rest[at..].find('>') else {
            out.push_str(&rest[at..]);
            return out;
        };
        let tag = &rest[at..at + len + 1];
        rest = &rest[at + len + 1..];
        let empty_rect = tag.starts_with("<rect ")
            && tag.ends_with("/>")
            && (tag.contains(" height=\"0\"") || tag.contains(" width=\"0\""));
        if empty_rect {
            rest = rest.strip_prefix('\n').unwrap_or(rest);
            continue;
        }
        if tag.starts_with("<text") || tag.starts_with("<rect") || tag.starts_with("<g") {
            out.push_str(&without_attrs(
                tag,
                &[
                    "font-family",
                    "data-series",
                    "data-category",
                    "data-value",
                    "data-index",
                    "data-x",
                    "data-y",
                ],
            ));
        } else {
            out.push_str(tag);
        }
    }
    out.push_str(rest);
    out
}

/// `tag` without the attributes named (`name="…"`, values without quotes inside).
fn without_attrs(tag: &str, names: &[&str]) -> String {
    let mut t = tag.to_string();
    for n in names {
        let key = format!(" {n}=\"");
        while let Some(a) = t.find(&key) {
            match t[a + key.len()..].find('"') {
                Some(b) => t.replace_range(a..a + key.len() + b + 1, ""),
                None => break,
            }
        }
    }
    t
}

/// The SVG for embedding in a page: without its `<style>` block, whose rules (the hover
/// tooltips) live in app.css, because the page's Content-Security-Policy allows no inline
/// styles.
pub fn inline(svg: &str) -> String {
    let mut out = svg.to_string();
    while let Some(a) = out.find("<style>") {
        match out[a..].find("</style>") {
            Some(b) => out.replace_range(a..a + b + "</style>".len(), ""),
            None => break,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_axes_have_round_ticks_and_shares_read_in_per_cent() {
        assert_eq!(nice_axis(0.0, 12_400.0, 5), (0.0, 12_500.0, 5));
        assert_eq!(nice_axis(0.0, 0.18, 5), (0.0, 0.2, 4));
        assert_eq!(nice_axis(-3.0, 9.0, 5), (-5.0, 10.0, 6));
        assert_eq!(nice_axis(0.0, 0.0, 5), (0.0, 1.0, 1));
        let (_, max, steps) = nice_axis(0.0, 980.0, 5);
        assert_eq!((max, steps), (1000.0, 5));
        let mut s = ChartSpec::new(ChartKind::HBar, "Conversion by channel");
        s.labels = vec!["web".into(), "app".into()];
        s.series = vec![("conversion".into(), vec![0.12, 0.18])];
        s.percent = true;
        let drawn = svg(&s, false).unwrap();
        let labels: Vec<&str> = drawn.lines().map(str::trim).collect();
        assert!(labels.contains(&"20%") && labels.contains(&"5%"), "{drawn}");
        assert!(!labels.contains(&"0.1"), "{drawn}");
        let mut r = ChartSpec::new(ChartKind::HBar, "Revenue by category");
        r.labels = vec!["a".into(), "b".into()];
        r.series = vec![("revenue".into(), vec![12_400.0, 3_000.0])];
        let drawn = svg(&r, false).unwrap();
        assert!(
            !drawn.contains("4.2k") && !drawn.contains("8.3k"),
            "{drawn}"
        );
    }

    #[test]
    fn a_page_drawing_keeps_what_is_drawn_and_drops_what_is_not() {
        let mut s = ChartSpec::new(ChartKind::Bar { stacked: true }, "New vs returning");
        s.labels = (0..730)
            .map(|d| format!("{:02}-{:02}", 1 + d % 12, 1 + d % 28))
            .collect();
        s.series = vec![
            (
                "New".into(),
                (0..730).map(|d| f64::from(d % 3 / 2)).collect(),
            ),
            (
                "Returning".into(),
                (0..730).map(|d| f64::from(d % 5 / 4)).collect(),
            ),
        ];
        let full = svg(&s, false).unwrap();
        let page = for_page(&full, "en");
        assert!(
            page.len() * 3 < full.len(),
            "{} of {} bytes",
            page.len(),
            full.len()
        );
        assert!(page.len() < 60_000, "{} bytes", page.len());
        assert!(!page.contains("font-family") && !page.contains("data-category"));
        assert!(!page.contains(" height=\"0\""));
        let bars = |x: &str| x.matches("<rect").count();
        let drawn = full
            .split("<rect")
            .skip(1)
            .filter(|r| !r.split('>').next().unwrap_or("").contains(" height=\"0\""))
            .count();
        assert_eq!(bars(&page), drawn, "every bar with a height stays");
        assert_eq!(page.matches("<text").count(), full.matches("<text").count());
        // The stylesheet gives chart text the font charts-rs measured it with.
        let css = crate::assets::get("app.css").unwrap();
        let css = String::from_utf8_lossy(&css.body);
        let quoted: Vec<String> = FONT
            .split(", ")
            .map(|f| {
                if f.contains(' ') {
                    format!("\"{f}\"")
                } else {
                    f.to_string()
                }
            })
            .collect();
        assert!(
            css.contains(&format!(
                ".chart svg text {{ font-family: {}; }}",
                quoted.join(", ")
            )),
            "app.css and FONT differ"
        );
    }

    #[test]
    fn two_years_of_days_stay_a_small_drawing() {
        let mut s = ChartSpec::new(ChartKind::Line, "Revenue by day");
        s.labels = (0..730)
            .map(|d| format!("{:02}-{:02}", 1 + d % 12, 1 + d % 28))
            .collect();
        s.series = vec![
            (
                "now".into(),
                (0..730).map(|d| 1000.0 + f64::from(d % 97)).collect(),
            ),
            (
                "before".into(),
                (0..730).map(|d| 900.0 + f64::from(d % 89)).collect(),
            ),
        ];
        // 600 kB with a hover label per point.
        let drawn = svg(&s, false).unwrap();
        assert!(drawn.len() < 60_000, "{} bytes", drawn.len());
    }

    #[test]
    fn arabic_charts_use_arabic_digits_in_their_text_only() {
        let svg =
            r#"<svg width="640"><text x="2.5" y="41">2.5k</text><text>Web: 52.9%</text></svg>"#;
        let ar = localize_digits(svg, "ar");
        assert_eq!(
            ar,
            "<svg width=\"640\"><text x=\"2.5\" y=\"41\">٢٫٥k</text><text>Web: ٥٢٫٩%</text></svg>"
        );
        assert_eq!(localize_digits(svg, "es"), svg);
    }

    #[test]
    fn a_pie_gives_each_slice_the_angle_of_its_share() {
        let mut s = ChartSpec::new(ChartKind::Pie, "Channels");
        s.labels = vec!["web".into(), "app".into(), "store".into()];
        s.series = vec![("orders".into(), vec![62.5, 25.0, 12.5])];
        let drawn = svg(&s, false).unwrap();
        // A rose draws every slice with the same angle and a radius per value; a pie's
        // slices share one outer radius (beside the hole's and the rounded corners').
        let radii: std::collections::BTreeSet<&str> = drawn
            .split(" A")
            .skip(1)
            .filter_map(|a| a.split(' ').next())
            .filter(|r| r.parse::<f64>().is_ok())
            .collect();
        assert!(
            !radii.is_empty() && radii.len() <= 3,
            "one outer radius: {radii:?}"
        );
    }

    #[test]
    fn every_kind_draws_an_accessible_svg() {
        let mut specs = vec![];
        for kind in [
            ChartKind::Line,
            ChartKind::Bar { stacked: true },
            ChartKind::HBar,
            ChartKind::Pie,
            ChartKind::Funnel,
        ] {
            let mut s = ChartSpec::new(kind, "Revenue by day");
            s.labels = vec!["a".into(), "b".into(), "c".into()];
            s.series = vec![
                ("now".into(), vec![1.0, 3.0, 2.0]),
                ("before".into(), vec![2.0, 1.0, 2.0]),
            ];
            specs.push(s);
        }
        let mut h = ChartSpec::new(ChartKind::Heatmap, "Orders by weekday and hour");
        h.labels = (0..24).map(|x| x.to_string()).collect();
        h.rows = vec!["Mon".into(), "Tue".into()];
        h.cells = vec![vec![1.0; 24], vec![2.0; 24]];
        specs.push(h);
        for s in &specs {
            for dark in [false, true] {
                let svg = svg(s, dark).unwrap_or_else(|| panic!("{:?}", s.kind));
                assert!(
                    svg.starts_with("<svg") && svg.contains("role=\"img\""),
                    "{:?}",
                    s.kind
                );
                assert!(svg.contains(&format!("<title>{}</title>", s.title)));
            }
        }
        assert!(
            svg(&ChartSpec::new(ChartKind::Line, "x"), false).is_none(),
            "nothing to draw"
        );
        let page = inline(&svg(&specs[0], false).unwrap());
        assert!(
            !page.contains("<style") && page.contains("ct-tip"),
            "tooltips styled by app.css"
        );
        // A device-following theme shows the light drawing; on a dark device app.css must
        // turn every colour the dark drawing has differently (legend markers may stay hollow).
        let css = crate::assets::get("app.css").unwrap();
        let css = String::from_utf8_lossy(&css.body).into_owned();
        let tags = |x: &str| -> Vec<String> {
            x.split('<')
                .skip(1)
                .map(|t| t.split('>').next().unwrap_or("").to_string())
                .collect()
        };
        let attr = |tag: &str, name: &str| -> Option<String> {
            let key = format!(" {name}=\"");
            let at = tag.find(&key)? + key.len();
            Some(tag[at..].split('"').next().unwrap_or("").to_string())
        };
        for s in &specs {
            let (light, dark) = (svg(s, false).unwrap(), svg(s, true).unwrap());
            let (lt, dt) = (tags(&light), tags(&dark));
            assert_eq!(
                lt.len(),
                dt.len(),
                "{:?}: same drawing in both themes",
                s.kind
            );
            for (l, d) in lt.iter().zip(&dt) {
                // Legend markers: hollow in the light drawing, filled in the dark one.
                if l.starts_with("circle") {
                    continue;
                }
                for name in ["fill", "stroke"] {
                    let (a, b) = (attr(l, name), attr(d, name));
                    if let (Some(a), Some(b)) = (a, b)
                        && a != b
                    {
                        let rule = format!("[{name}=\"{a}\"] {{ {name}: {b}; }}");
                        assert!(css.contains(&rule), "{:?}: app.css lacks {rule}", s.kind);
                    }
                }
            }
        }
    }
}
