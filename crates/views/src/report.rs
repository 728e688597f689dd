//! Pages as reports: the cards a page shows become report items (chart, summary, table)
//! with the page's title and its filters in words, for `sr360-export` to print as CSV, PNG or
//! PDF. An export is what the screen showed, never a separate computation.

use sr360_export::{Cell, Item, Table};
use sr360_ui::pages::{self as ui, ChartCardVm, TableVm};
use sr360_ui::{PageCtx, format};

const SEP: &str = " · ";

/// What a page shows, as report items, with its title and its filters in words.
pub struct PageReport {
    pub title: String,
    pub filters: String,
    pub cards: Vec<ChartCardVm>,
}

/// A page table as a report table.
pub fn table(t: &TableVm) -> Table {
    Table {
        headers: t.headers.clone(),
        rows: t
            .rows
            .iter()
            .map(|r| {
                r.iter()
                    .map(|c| Cell {
                        text: c.text.clone(),
                        plain: c.plain.clone(),
                        numeric: c.numeric,
                    })
                    .collect()
            })
            .collect(),
    }
}

/// A chart card as a report item (the chart drawn again in the light theme, for print).
pub fn item(c: &ChartCardVm) -> Item {
    Item {
        title: c.title.clone(),
        svg: c
            .spec
            .as_ref()
            .and_then(|s| sr360_ui::charts::svg(s, false)),
        summary: c.summary.clone(),
        table: table(&c.table),
    }
}

fn either(p: &PageCtx, v: &str) -> String {
    if v.is_empty() {
        p.t("charts.all")
    } else {
        format::label(v)
    }
}

fn period(p: &PageCtx, from: &str, to: &str) -> String {
    let d = |s: &str| {
        crate::iso_date(s)
            .map(|d| format::date(p.locale, d))
            .unwrap_or_else(|| s.to_string())
    };
    format!("{} – {}", d(from), d(to))
}

/// The charts page as a report: every card, and the filter bar in words.
pub fn charts(p: &PageCtx, vm: ui::ChartsVm) -> PageReport {
    let f = &vm.filters;
    let filters = [
        period(p, &f.from, &f.to),
        format!(
            "{}: {}",
            p.t("charts.compare"),
            p.t(&format!("charts.compare_{}", f.compare))
        ),
        format!("{}: {}", p.t("charts.category"), either(p, &f.category)),
        format!("{}: {}", p.t("charts.region"), either(p, &f.region)),
        format!("{}: {}", p.t("charts.channel"), either(p, &f.channel)),
    ]
    .join(SEP);
    PageReport {
        title: p.t("nav.charts"),
        filters,
        cards: vm.cards,
    }
}

/// The funnel page as a report: the overall funnel, its tables and the flagged products.
pub fn funnel(p: &PageCtx, vm: ui::FunnelVm) -> PageReport {
    let filters = [
        period(p, &vm.from, &vm.to),
        format!("{}: {}", p.t("charts.category"), either(p, &vm.category)),
        format!("{}: {}", p.t("charts.channel"), either(p, &vm.channel)),
    ]
    .join(SEP);
    let mut cards: Vec<ChartCardVm> = vm.chart.into_iter().chain(vm.tables).collect();
    if !vm.flags.is_empty() {
        let headers = [
            "reports.col_product",
            "reports.col_category",
            "reports.col_evidence",
            "reports.col_suggestion",
        ]
        .iter()
        .map(|k| p.t(k))
        .collect();
        let rows = vm
            .flags
            .iter()
            .map(|f| {
                vec![
                    ui::CellVm::text(f.name.clone()),
                    ui::CellVm::text(f.category.clone()),
                    ui::CellVm::text(f.evidence.clone()),
                    ui::CellVm::text(f.suggestion.clone()),
                ]
            })
            .collect();
        cards.push(ChartCardVm {
            id: "flags",
            title: p.t("funnel.flags_title"),
            table: TableVm { headers, rows },
            ..Default::default()
        });
    }
    PageReport {
        title: p.t("nav.funnel"),
        filters,
        cards,
    }
}

/// The cohorts page as a report: its cards, and its size in words.
pub fn cohorts(p: &PageCtx, vm: &ui::CohortsVm, cards: Vec<ChartCardVm>) -> PageReport {
    let filters = p
        .t("reports.cohort_filters")
        .replace("{cohorts}", &vm.rows.len().to_string())
        .replace("{months}", &vm.months.to_string());
    PageReport {
        title: p.t("nav.cohorts"),
        filters,
        cards,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_tables_keep_the_plain_values_and_periods_read_as_dates() {
        let t = TableVm {
            headers: vec!["a".into()],
            rows: vec![vec![ui::CellVm::number("1,234", Some(1234.0))]],
        };
        let r = table(&t);
        assert_eq!(r.rows[0][0].text, "1,234");
        assert!(r.rows[0][0].numeric);
        assert_eq!(r.rows[0][0].plain.as_deref(), Some("1234"));
        let p = PageCtx::anonymous("en", String::new(), "/");
        let d = |s| format::date("en", crate::iso_date(s).expect("a date"));
        assert_eq!(
            period(&p, "2025-01-01", "2025-01-31"),
            format!("{} – {}", d("2025-01-01"), d("2025-01-31"))
        );
        assert_eq!(period(&p, "soon", "later"), "soon – later");
        assert_eq!(either(&p, ""), p.t("charts.all"));
    }
}
