//! The cohorts page: customers grouped by the month of their first order, the share still
//! buying each month after (a shaded retention table) and what each cohort has spent per
//! customer so far (lifetime value, the last six cohorts as lines).

use crate::card::{bucket_label, chart_svgs};
use sr360_analytics::{CohortTable, Grain};
use sr360_ui::charts::{ChartKind, ChartSpec};
use sr360_ui::pages as ui;
use sr360_ui::{PageCtx, format};

/// The page's view and the same as report items (the retention table with each cohort's
/// lifetime value, and the LTV chart); `None`: no sales yet.
pub fn page(
    p: &PageCtx,
    table: Option<&CohortTable>,
    months: usize,
    currency: &str,
) -> (ui::CohortsVm, Vec<ui::ChartCardVm>) {
    let Some(table) = table else {
        return (
            ui::CohortsVm {
                empty: true,
                ..Default::default()
            },
            vec![],
        );
    };
    let rows: Vec<ui::CohortRowVm> = table
        .cohorts
        .iter()
        .filter_map(|c| {
            Some(ui::CohortRowVm {
                month: crate::iso_date(&c.month)?,
                customers: c.customers,
                retention: c.retention.clone(),
                ltv: c.ltv.clone(),
            })
        })
        .collect();
    let mut spec = ChartSpec::new(ChartKind::Line, p.t("cohorts.ltv_title"));
    spec.labels = (0..months).map(|k| format!("+{k}")).collect();
    spec.series = rows
        .iter()
        .rev()
        .take(6)
        .rev()
        .map(|r| {
            (
                bucket_label(r.month, Grain::Month),
                r.ltv
                    .iter()
                    .map(|v| v.unwrap_or(f64::NAN))
                    .collect::<Vec<f64>>(),
            )
        })
        .collect();
    // Months after the data's end are gaps, not zeros.
    for (_, v) in &mut spec.series {
        while v.last().is_some_and(|x| x.is_nan()) {
            v.pop();
        }
    }
    let (ltv_svg_light, ltv_svg_dark) = chart_svgs(p, &spec);
    let money = |v: f64| format::money(p.locale, v, currency);
    let mut headers = vec![p.t("cohorts.cohort"), p.t("cohorts.customers")];
    headers.extend((0..months).map(|k| format!("+{k}")));
    headers.push(p.t("cohorts.ltv"));
    let table_rows = rows
        .iter()
        .map(|r| {
            let mut cells = vec![
                ui::CellVm::date(format::month(p.locale, r.month), r.month),
                ui::CellVm::number(
                    format::amount(p.locale, r.customers as f64),
                    Some(r.customers as f64),
                ),
            ];
            cells.extend(r.retention.iter().map(|v| {
                ui::CellVm::number(
                    v.map(|x| format::percent(p.locale, x)).unwrap_or_default(),
                    *v,
                )
            }));
            let ltv = r.ltv.iter().rev().find_map(|v| *v);
            cells.push(ui::CellVm::number(ltv.map(money).unwrap_or_default(), ltv));
            cells
        })
        .collect();
    let cards = vec![
        ui::ChartCardVm {
            id: "retention",
            title: p.t("cohorts.retention"),
            table: ui::TableVm {
                headers,
                rows: table_rows,
            },
            ..Default::default()
        },
        ui::ChartCardVm {
            id: "ltv",
            title: spec.title.clone(),
            summary: p.t("cohorts.ltv_explain"),
            spec: Some(spec),
            ..Default::default()
        },
    ];
    (
        ui::CohortsVm {
            rows,
            months,
            currency: currency.to_string(),
            ltv_svg_light,
            ltv_svg_dark,
            empty: false,
            export: None,
        },
        cards,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use sr360_analytics::Cohort;

    #[test]
    fn months_after_the_data_are_gaps_and_each_cohort_shows_its_latest_value() {
        let p = PageCtx::anonymous("en", String::new(), "/cohorts");
        let t = CohortTable {
            cohorts: vec![
                Cohort {
                    month: "2025-01-01".into(),
                    customers: 10,
                    retention: vec![Some(1.0), Some(0.3), Some(0.2)],
                    ltv: vec![Some(50.0), Some(60.0), Some(70.0)],
                },
                Cohort {
                    month: "2025-02-01".into(),
                    customers: 4,
                    retention: vec![Some(1.0), Some(0.25), None],
                    ltv: vec![Some(40.0), Some(45.0), None],
                },
                Cohort {
                    month: "not a date".into(),
                    customers: 1,
                    retention: vec![],
                    ltv: vec![],
                },
            ],
            months: 3,
        };
        let (vm, cards) = page(&p, Some(&t), 3, "EUR");
        assert_eq!(vm.rows.len(), 2, "a cohort without a month is left out");
        let ltv = cards[1].spec.as_ref().expect("the LTV chart");
        assert_eq!(
            ltv.series[1].1,
            vec![40.0, 45.0],
            "no trailing gap drawn as a value"
        );
        let last = cards[0].table.rows[1].last().expect("an LTV cell");
        assert_eq!(last.text, format::money("en", 45.0, "EUR"));
        let (empty, none) = page(&p, None, 3, "EUR");
        assert!(empty.empty && none.is_empty());
    }
}
