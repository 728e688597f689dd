//! The segments page: the customer groups of the last model run in the shop's words (size,
//! share of value, the typical customer), what sets them apart, and a group's members.

use crate::card::card;
use sr360_analytics::CustomerSummary;
use sr360_ml::store::SegmentModel;
use sr360_ui::charts::{ChartKind, ChartSpec};
use sr360_ui::pages::{self as ui, CellVm, TableVm};
use sr360_ui::{PageCtx, format};

/// A segment name the models give (anything else in a URL is ignored).
pub fn known(name: &str) -> bool {
    matches!(
        name,
        "champions"
            | "loyal"
            | "potential_loyalists"
            | "new"
            | "at_risk"
            | "churn_risk"
            | "hibernating"
            | "high_value"
            | "outliers"
    )
}

/// Fill the page with the model's groups, its quality in words and what sets the groups apart;
/// `selected` is the group whose members are listed (empty: none).
pub fn describe(
    p: &PageCtx,
    model: &SegmentModel,
    selected: &str,
    currency: &str,
    vm: &mut ui::SegmentsVm,
) {
    let money = |v: f64| format::money(p.locale, v, currency);
    vm.segments = model
        .segments
        .iter()
        .map(|g| ui::SegmentVm {
            key: g.name.clone(),
            name: p.t(&format!("segments.name_{}", g.name)),
            explain: p.t(&format!("segments.explain_{}", g.name)),
            size: format::amount(p.locale, g.size as f64),
            share: format::percent(p.locale, g.value_share),
            centre: p
                .t("segments.centre_text")
                .replace("{recency}", &format::amount(p.locale, g.centre[0].round()))
                .replace("{orders}", &format::number(p.locale, g.centre[1], 0))
                .replace("{spent}", &money(g.centre[2]))
                .replace("{aov}", &money(g.centre[4])),
            selected: g.name == selected,
        })
        .collect();
    // The lines the rules drew for this shop (a run from before the rules has none to show).
    let days = |d: f64| format::amount(p.locale, d.round());
    vm.model = match &model.rules {
        Some(r) => p
            .t("segments.model")
            .replace("{k}", &model.k.unwrap_or(0).to_string())
            .replace(
                "{customers}",
                &format::amount(p.locale, model.customers as f64),
            )
            .replace("{gap}", &days(r.gap_days))
            .replace("{recent}", &days(r.recent_days))
            .replace("{gone}", &days(r.gone_days))
            .replace("{top}", &money(r.top_value)),
        None => String::new(),
    };
    let mut spec = ChartSpec::new(ChartKind::HBar, p.t("segments.importance_title"));
    spec.percent = true;
    let mut imp = model.importance.clone();
    imp.sort_by(|a, b| b.1.total_cmp(&a.1));
    spec.labels = imp
        .iter()
        .map(|(f, _)| p.t(&format!("segments.f_{f}")))
        .collect();
    spec.series = vec![(
        p.t("segments.importance"),
        imp.iter().map(|(_, v)| *v).collect(),
    )];
    let rows = imp
        .iter()
        .map(|(f, v)| {
            vec![
                CellVm::text(p.t(&format!("segments.f_{f}"))),
                CellVm::number(format::percent(p.locale, *v), Some(*v)),
            ]
        })
        .collect();
    vm.importance = Some(card(
        p,
        "importance",
        spec,
        p.t("segments.importance_explain"),
        TableVm {
            headers: vec![p.t("segments.feature"), p.t("segments.importance")],
            rows,
        },
    ));
}

/// Customers of a segment, one row each (name and e-mail only when `pii`).
pub fn members(p: &PageCtx, rows: &[CustomerSummary], currency: &str, pii: bool) -> TableVm {
    let mut headers = vec![p.t("segments.customer")];
    if pii {
        headers.push(p.t("customers.email"));
    }
    headers.extend(
        [
            "segments.orders",
            "segments.spent",
            "segments.last_order_days",
        ]
        .iter()
        .map(|k| p.t(k)),
    );
    let rows = rows
        .iter()
        .map(|c| {
            let mut r = vec![CellVm::link(
                c.name.clone().unwrap_or_else(|| c.reference.clone()),
                Some(format!("/customers/{}", c.reference)),
            )];
            if pii {
                r.push(CellVm::text(c.email.clone().unwrap_or_default()));
            }
            r.push(CellVm::number(
                format::amount(p.locale, c.orders as f64),
                Some(c.orders as f64),
            ));
            r.push(CellVm::number(
                format::money(p.locale, c.revenue, currency),
                Some(c.revenue),
            ));
            r.push(CellVm::number(
                c.recency_days.map(|d| d.to_string()).unwrap_or_default(),
                c.recency_days.map(|d| d as f64),
            ));
            r
        })
        .collect();
    TableVm { headers, rows }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_models_segment_names_are_known() {
        assert!(known("champions") && known("at_risk"));
        assert!(!known("../etc") && !known(""));
    }
}
