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
        }
    }
}

const WIDTH: f32 = 640.0;
/// charts-rs measures text with its bundled Roboto; the page serves that same file as
/// "SR360 Charts" (assets/fonts), so labels are drawn with the metrics they were laid out with.
/// Scripts Roboto lacks fall back to the system fonts.
const FONT: &str =
    "SR360 Charts, Roboto, Noto Sans, Noto Sans Arabic, Noto Sans CJK SC, sans-serif";
const HEIGHT: f32 = 320.0;

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
    let drawn = match spec.kind {
        ChartKind::Line => {
            let mut c = LineChart::new_with_theme(series(spec), spec.labels.clone(), theme);
            frame(&mut c, HEIGHT);
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
            c.legend.show = Some(false);
            c.svg()
        }
        ChartKind::Pie => {
            let mut c = PieChart::new_with_theme(parts(spec), theme);
            frame(&mut c, HEIGHT);
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
    }
}
