//! The copilot's answer as the page shows it: the words, the chart drawn by the same card the
//! pages use (`sr360_views::card`), the result as a table with values in the shop's units, and
//! the plan, SQL, sources and follow-ups.

use crate::answer::{Answer, Shop, value_text};
use crate::plan::Plan;
use sr360_ui::charts::{ChartKind, ChartSpec};
use sr360_ui::pages::{CellVm, CopilotAnswerVm, TableVm};
use sr360_ui::{PageCtx, format};

fn cell(
    p: &PageCtx,
    shop: Shop<'_>,
    plan: Option<&Plan>,
    column: &str,
    v: &serde_json::Value,
) -> CellVm {
    let metric = match plan {
        Some(Plan::Figures(f)) => Some(f.metric),
        _ => None,
    };
    match v {
        serde_json::Value::Number(n) => {
            let x = n.as_f64();
            let text = match (column, metric) {
                ("change", _) => x
                    .map(|c| format::signed_percent(p.locale, c))
                    .unwrap_or_default(),
                ("share" | "of_previous", _) => {
                    x.map(|c| format::percent(p.locale, c)).unwrap_or_default()
                }
                (c, Some(m))
                    if c == m.name()
                        || c == format!("{}_before", m.name())
                        || c == format!("{}_total", m.name()) =>
                {
                    value_text(p.locale, shop, m, x)
                }
                ("revenue" | "lower" | "upper", _) => x
                    .map(|v| format::money(p.locale, v, shop.currency))
                    .unwrap_or_default(),
                _ => x.map(|v| format::amount(p.locale, v)).unwrap_or_default(),
            };
            CellVm::number(text, x)
        }
        serde_json::Value::String(s) => CellVm::text(s.clone()),
        serde_json::Value::Null => CellVm::text("—"),
        other => CellVm::text(other.to_string()),
    }
}

/// The page's view of an answer; follow-ups link back to the page in the same conversation.
pub fn page(p: &PageCtx, a: &Answer, shop: Shop<'_>) -> CopilotAnswerVm {
    let ask = |q: &str| {
        format!(
            "/copilot?{}",
            serde_urlencoded::to_string([("q", q), ("c", a.conversation.as_str())])
                .unwrap_or_default()
        )
    };
    let table = a.result.as_ref().map(|r| TableVm {
        headers: r.columns.clone(),
        rows: r
            .rows
            .iter()
            .map(|row| {
                row.iter()
                    .zip(&r.columns)
                    .map(|(v, c)| cell(p, shop, a.plan.as_ref(), c, v))
                    .collect()
            })
            .collect(),
    });
    let card = match (&a.chart, table) {
        (Some(c), table) => {
            let kind = match c.kind {
                "line" => ChartKind::Line,
                "hbar" => ChartKind::HBar,
                "funnel" => ChartKind::Funnel,
                _ => ChartKind::Bar { stacked: false },
            };
            let mut spec = ChartSpec::new(kind, c.title.clone());
            spec.percent = c.percent;
            spec.labels = c
                .labels
                .iter()
                .map(|l| sr360_views::card::short(l))
                .collect();
            spec.series = c
                .series
                .iter()
                .map(|s| (s.name.clone(), s.values.clone()))
                .collect();
            Some(sr360_views::card::card(
                p,
                "copilot-chart",
                spec,
                String::new(),
                table.unwrap_or_default(),
            ))
        }
        (None, Some(t)) if !t.rows.is_empty() => Some(sr360_views::card::table_card(
            "copilot-table",
            String::new(),
            String::new(),
            t,
        )),
        _ => None,
    };
    CopilotAnswerVm {
        text: a.answer.clone(),
        card,
        sources: a
            .sources
            .iter()
            .map(|s| (s.title.clone(), s.url.clone()))
            .collect(),
        followups: a.followups.iter().map(|q| (q.clone(), ask(q))).collect(),
        plan: a
            .plan
            .as_ref()
            .and_then(|p| serde_json::to_string_pretty(p).ok())
            .unwrap_or_default(),
        sql: a.sql.clone(),
        confidence: serde_json::to_value(a.confidence)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default(),
        export: None,
    }
}

/// Example questions in the reader's language, as links.
pub fn examples(p: &PageCtx) -> Vec<(String, String)> {
    (1..=5)
        .map(|i| {
            let q = p.t(&format!("copilot.ex{i}"));
            let url = format!(
                "/copilot?{}",
                serde_urlencoded::to_string([("q", q.as_str())]).unwrap_or_default()
            );
            (q, url)
        })
        .collect()
}
