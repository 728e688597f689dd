//! The building blocks every page (and the copilot) draws with: a chart card (spec, SVG in
//! the reader's theme, one-sentence summary, the same numbers as a table), a ranking card, and
//! the small conversions from query-layer values to text.

use sr360_analytics::{Grain, QueryResult, Unit, Value};
use sr360_ui::charts::{ChartKind, ChartSpec};
use sr360_ui::pages::{CellVm, ChartCardVm, TableVm};
use sr360_ui::{PageCtx, format};
use time::Date;

/// A bucket's axis label: `2025-03` for months, `03-31` for days and weeks.
pub fn bucket_label(d: Date, g: Grain) -> String {
    match g {
        Grain::Month => format!("{}-{:02}", d.year(), u8::from(d.month())),
        _ => format!("{:02}-{:02}", u8::from(d.month()), d.day()),
    }
}

/// A value as a number (missing is 0, as a chart draws it).
pub fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or(0.0)
}

/// A value as text (missing is a dash).
pub fn text(v: &Value) -> String {
    match v {
        Value::Text(s) => s.clone(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => f.to_string(),
        Value::Null => "—".into(),
    }
}

/// A number cell: the text shown and the value it sorts by.
pub fn numeric(t: String, v: f64) -> CellVm {
    CellVm::number(t, Some(v))
}

/// A chart label short enough for an axis (30 characters).
pub fn short(s: &str) -> String {
    if s.chars().count() > 30 {
        format!("{}…", s.chars().take(29).collect::<String>())
    } else {
        s.to_string()
    }
}

/// The chart for the user's theme. A theme that follows the device gets the light drawing,
/// whose colours app.css turns dark when the device is (one drawing instead of two: a page of
/// long charts was twice its size).
pub fn chart_svgs(p: &PageCtx, spec: &ChartSpec) -> (Option<String>, Option<String>) {
    let draw = |dark: bool| {
        sr360_ui::charts::svg(spec, dark).map(|s| sr360_ui::charts::for_page(&s, p.locale))
    };
    match p.theme.as_str() {
        "dark" => (None, draw(true)),
        _ => (draw(false), None),
    }
}

/// A chart card: the spec drawn for the reader's theme, its summary and its table.
pub fn card(
    p: &PageCtx,
    id: &'static str,
    spec: ChartSpec,
    summary: String,
    table: TableVm,
) -> ChartCardVm {
    let (svg_light, svg_dark) = chart_svgs(p, &spec);
    ChartCardVm {
        id,
        title: spec.title.clone(),
        svg_light,
        svg_dark,
        spec: Some(spec),
        summary,
        table,
    }
}

/// A table-only card.
pub fn table_card(id: &'static str, title: String, summary: String, table: TableVm) -> ChartCardVm {
    ChartCardVm {
        id,
        title,
        summary,
        table,
        ..Default::default()
    }
}

/// A metric value in the unit the query layer gives its column.
pub fn fmt_metric(
    p: &PageCtx,
    r: &QueryResult,
    i: usize,
    v: &Value,
    money: &dyn Fn(f64) -> String,
) -> String {
    match r.columns[i].unit {
        Some(Unit::Money) => money(num(v)),
        Some(Unit::Ratio) => v
            .as_f64()
            .map(|x| format::percent(p.locale, x))
            .unwrap_or_else(|| "—".into()),
        _ => format::amount(p.locale, num(v)),
    }
}

/// A ranking chart (horizontal bars) with its table.
pub struct Ranking<'a> {
    pub id: &'static str,
    /// The chart's title.
    pub title: String,
    pub result: &'a QueryResult,
    /// The column naming the bars, and the one giving their length.
    pub label_col: usize,
    pub value_col: usize,
    pub headers: Vec<String>,
    pub fmt: &'a dyn Fn(f64) -> String,
    /// Turns a label into a drill-down URL.
    pub link: Option<&'a dyn Fn(&str) -> String>,
}

pub fn ranking(p: &PageCtx, k: Ranking<'_>) -> ChartCardVm {
    let Ranking {
        id,
        title,
        result: r,
        label_col,
        value_col,
        headers,
        fmt,
        link,
    } = k;
    let mut spec = ChartSpec::new(ChartKind::HBar, title);
    spec.labels = r
        .rows
        .iter()
        .map(|row| short(&format::label(&text(&row[label_col]))))
        .collect();
    spec.series = vec![(
        headers.get(1).cloned().unwrap_or_default(),
        r.rows.iter().map(|row| num(&row[value_col])).collect(),
    )];
    let rows: Vec<Vec<CellVm>> = r
        .rows
        .iter()
        .map(|row| {
            let name = text(&row[label_col]);
            let mut cells = vec![CellVm::link(format::label(&name), link.map(|l| l(&name)))];
            for (i, v) in row.iter().enumerate() {
                if i == label_col || r.columns[i].role == "dimension" {
                    continue;
                }
                cells.push(CellVm::number(fmt_metric(p, r, i, v, fmt), v.as_f64()));
            }
            cells
        })
        .collect();
    let summary = match r.rows.as_slice() {
        [] => p.t("charts.nothing"),
        // One value alone: no "then" with nothing after it.
        [only] => p
            .t("charts.sum_only")
            .replace("{first}", &format::label(&text(&only[label_col])))
            .replace("{first_value}", &fmt(num(&only[value_col]))),
        [first, rest @ ..] => p
            .t("charts.sum_rank")
            .replace("{first}", &format::label(&text(&first[label_col])))
            .replace("{first_value}", &fmt(num(&first[value_col])))
            .replace(
                "{rest}",
                &rest
                    .iter()
                    .take(3)
                    .map(|row| {
                        format!(
                            "{} ({})",
                            format::label(&text(&row[label_col])),
                            fmt(num(&row[value_col]))
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
    };
    card(p, id, spec, summary, TableVm { headers, rows })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn labels_are_short_and_buckets_read_as_months_or_days() {
        assert_eq!(short("short"), "short");
        let long = "x".repeat(40);
        assert_eq!(short(&long).chars().count(), 30);
        assert_eq!(bucket_label(date!(2025 - 03 - 31), Grain::Month), "2025-03");
        assert_eq!(bucket_label(date!(2025 - 03 - 31), Grain::Week), "03-31");
        assert_eq!(text(&Value::Null), "—");
        assert_eq!(num(&Value::Null), 0.0);
    }

    #[test]
    fn the_theme_decides_which_svgs_are_drawn() {
        let mut p = PageCtx::anonymous("en", String::new(), "/");
        let mut spec = ChartSpec::new(ChartKind::HBar, "t");
        spec.labels = vec!["a".into(), "b".into()];
        spec.series = vec![("s".into(), vec![1.0, 2.0])];
        // A theme that follows the device: one drawing, turned dark by app.css.
        assert!(matches!(chart_svgs(&p, &spec), (Some(_), None)));
        p.theme = "dark".into();
        assert!(matches!(chart_svgs(&p, &spec), (None, Some(_))));
        p.theme = "light".into();
        assert!(matches!(chart_svgs(&p, &spec), (Some(_), None)));
    }

    #[test]
    fn one_ranked_value_reads_as_a_whole_sentence() {
        let p = PageCtx::anonymous("en", String::new(), "/charts");
        let r = QueryResult {
            columns: vec![
                sr360_analytics::Column {
                    name: "category".into(),
                    role: "dimension",
                    unit: None,
                },
                sr360_analytics::Column {
                    name: "revenue".into(),
                    role: "metric",
                    unit: Some(sr360_analytics::Unit::Money),
                },
            ],
            rows: vec![vec![Value::Text("Footwear".into()), Value::Float(14809.0)]],
            truncated: false,
            range: sr360_analytics::TimeRange {
                from: time::macros::date!(2025 - 03 - 01),
                to: time::macros::date!(2025 - 03 - 31),
            },
            previous: None,
            previous_range: None,
        };
        let fmt = |v: f64| format!("${v:.0}");
        let c = ranking(
            &p,
            Ranking {
                id: "categories",
                title: "Revenue by category".into(),
                result: &r,
                label_col: 0,
                value_col: 1,
                headers: vec!["Category".into(), "Revenue".into()],
                fmt: &fmt,
                link: None,
            },
        );
        assert_eq!(c.summary, "Footwear is the only one, with $14809.");
    }
}
