//! The upload pages: the history list, what a finished upload loaded (its report in the
//! reader's words), and the mapping page's fields, examples and evidence.

use sr360_meta::UploadRecord;
use sr360_pipeline::mapping::{Entity, FIELDS, Mapping};
use sr360_ui::pages as ui;
use std::collections::BTreeMap;

/// One upload in the history list and at the top of its page.
pub fn row(r: &UploadRecord) -> ui::UploadRowVm {
    ui::UploadRowVm {
        id: r.id,
        file_name: r.file_name.clone(),
        status: r.status.to_string(),
        progress: r.progress,
        message: r.message.clone(),
        entity: r.entity.clone().unwrap_or_default(),
        rows_read: r.rows_read.unwrap_or(0),
        rows_accepted: r.rows_accepted.unwrap_or(0),
        rows_rejected: r.rows_rejected.unwrap_or(0),
        error: r.error.clone().unwrap_or_default(),
        created_at: r.created_at,
        seconds: match (r.started_at, r.finished_at) {
            (Some(s), Some(f)) => Some(f - s),
            _ => None,
        },
        bytes: r.bytes,
    }
}

/// What a finished upload's stored report shows: the columns used, the first rejected rows,
/// the features the data enabled and the summary of what was loaded.
#[derive(Debug, Default)]
pub struct Detail {
    pub mapping: Vec<(String, String)>,
    pub rejects: Vec<(i64, String, String, String)>,
    pub enabled: Vec<(String, bool)>,
    pub loaded: Option<ui::LoadedVm>,
}

impl Detail {
    /// Read from the report JSON the upload stored (older or missing reports give less).
    pub fn from_report(report: Option<&str>) -> Detail {
        let report: serde_json::Value = report
            .and_then(|x| serde_json::from_str(x).ok())
            .unwrap_or_default();
        let mapping: Vec<(String, String)> = report["mapping"]["fields"]
            .as_object()
            .map(|o| {
                o.iter()
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_string()))
                    .collect()
            })
            .unwrap_or_default();
        let rejects: Vec<(i64, String, String, String)> = report["rejects"]
            .as_array()
            .into_iter()
            .flatten()
            .take(100)
            .map(|x| {
                (
                    x["line"].as_i64().unwrap_or(0),
                    x["column"].as_str().unwrap_or("").to_string(),
                    x["value"].as_str().unwrap_or("").to_string(),
                    x["reason"].as_str().unwrap_or("").to_string(),
                )
            })
            .collect();
        let enabled: Vec<(String, bool)> = report["enabled"]
            .as_object()
            .map(|o| {
                o.iter()
                    .map(|(k, v)| (k.clone(), v.as_bool().unwrap_or(false)))
                    .collect()
            })
            .unwrap_or_default();
        Detail {
            loaded: loaded(&report["summary"]),
            mapping,
            rejects,
            enabled,
        }
    }
}

/// The stored report's summary as the page's view model (None for older reports).
pub fn loaded(s: &serde_json::Value) -> Option<ui::LoadedVm> {
    let kind = s["kind"].as_str()?.to_string();
    let n = |k: &str| s[k].as_u64();
    let text = |k: &str| s[k].as_str().map(str::to_string);
    Some(ui::LoadedVm {
        kind,
        rows: n("rows").unwrap_or(0),
        orders: n("orders"),
        products: n("products"),
        customers: n("customers"),
        sessions: n("sessions"),
        from: text("from"),
        to: text("to"),
        statuses: s["statuses"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|p| Some((p[0].as_str()?.to_string(), p[1].as_u64()?)))
            .collect(),
        orders_from: text("orders_from").filter(|k| k != "column"),
        period_days: s["period"]["days"].as_i64(),
        monthly: s["period"].is_object() && s["period"]["days"].is_null(),
        dated_by_end: s["period"]["dated_by_end"].as_bool().unwrap_or(false),
        unused: s["unused"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|c| c.as_str().map(str::to_string))
            .collect(),
    })
}

/// The mapping form's fields for `entity`, with the column chosen for each.
pub fn mapping_fields(
    entity: Entity,
    chosen: &BTreeMap<String, String>,
) -> Vec<ui::MappingFieldVm> {
    FIELDS
        .iter()
        .filter(|f| f.entity == entity)
        .map(|f| ui::MappingFieldVm {
            name: f.name.to_string(),
            required: f.needed(),
            chosen: chosen.get(f.name).cloned().unwrap_or_default(),
        })
        .collect()
}

/// Each column of the file with up to three example values.
pub fn samples(columns: &[String], sample: &[Vec<String>]) -> Vec<(String, String)> {
    columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            (
                c.clone(),
                sample
                    .iter()
                    .filter_map(|row| row.get(i))
                    .filter(|v| !v.is_empty())
                    .take(3)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(" · "),
            )
        })
        .collect()
}

/// The suggestion's confidence, its evidence and the other kinds it weighed, for the page.
pub fn evidence(m: &Mapping) -> ui::MappingEvidenceVm {
    ui::MappingEvidenceVm {
        confidence: m.confidence,
        why: m
            .met
            .iter()
            .map(|n| (n.need.clone(), n.columns.clone()))
            .collect(),
        others: m
            .candidates
            .iter()
            .map(|c| (c.entity.key().to_string(), c.confidence, c.lacks.clone()))
            .collect(),
    }
}

#[cfg(test)]
mod field_words {
    use super::*;

    #[test]
    fn every_field_has_words_in_every_language() {
        for (lang, _, _) in sr360_ui::LOCALES {
            let p = sr360_ui::PageCtx::anonymous(lang, String::new(), "/upload");
            for f in FIELDS {
                let w = sr360_ui::pages::field_label(&p, f.name);
                assert!(w != f.name && !w.contains('_'), "{lang} {}: {w}", f.name);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_report_gives_its_columns_rejects_and_summary_and_none_gives_nothing() {
        let report = serde_json::json!({
            "mapping": {"fields": {"order_id": "Order", "order_date": "Date"}},
            "rejects": [{"line": 7, "column": "Date", "value": "31/02", "reason": "not a date"}],
            "enabled": {"funnel": false, "dashboard": true},
            "summary": {"kind": "sales", "rows": 12, "orders": 5, "statuses": [["paid", 11]],
                        "orders_from": "column", "unused": ["Notes"]},
        })
        .to_string();
        let d = Detail::from_report(Some(&report));
        assert_eq!(d.mapping.len(), 2);
        assert_eq!(d.rejects[0].0, 7);
        assert!(d.enabled.contains(&("dashboard".into(), true)));
        let l = d.loaded.expect("a summary");
        assert_eq!((l.kind.as_str(), l.rows, l.orders), ("sales", 12, Some(5)));
        assert_eq!(
            l.orders_from, None,
            "orders read from a column need no sentence"
        );
        assert_eq!(l.statuses, vec![("paid".to_string(), 11)]);
        assert_eq!(l.unused, vec!["Notes".to_string()]);
        let none = Detail::from_report(None);
        assert!(none.mapping.is_empty() && none.loaded.is_none());
        assert!(Detail::from_report(Some("{broken")).loaded.is_none());
    }

    #[test]
    fn samples_skip_empty_values_and_keep_three() {
        let cols = vec!["a".to_string(), "b".to_string()];
        let rows: Vec<Vec<String>> = (0..5)
            .map(|i| {
                vec![
                    i.to_string(),
                    if i % 2 == 0 {
                        String::new()
                    } else {
                        "x".into()
                    },
                ]
            })
            .collect();
        let s = samples(&cols, &rows);
        assert_eq!(s[0], ("a".to_string(), "0 · 1 · 2".to_string()));
        assert_eq!(s[1], ("b".to_string(), "x · x".to_string()));
    }
}
