//! The model status page: every model run with its results in sentences, the unusual days
//! the last run found, and each promotion's measured effect.

use sr360_meta::ModelRun;
use sr360_ml::store::{self, AnomalyRow};
use sr360_ui::pages as ui;
use sr360_ui::{PageCtx, format};

pub fn anomaly_label(p: &PageCtx, key: &str) -> String {
    match key {
        "revenue" | "orders" | "returns" | "conversion" => p.t(&format!("models.s_{key}")),
        other => other.to_string(),
    }
}

/// The model runs, newest first.
pub fn runs(p: &PageCtx, runs: Vec<ModelRun>) -> Vec<ui::RunRowVm> {
    runs.into_iter()
        .map(|r| ui::RunRowVm {
            id: r.id,
            window: match (&r.data_from, &r.data_to) {
                (Some(a), Some(b)) => format!("{} – {}", day(p, a), day(p, b)),
                _ => "—".into(),
            },
            metrics: metrics(p, r.summary.as_deref()),
            duration: match (r.started_at, r.finished_at) {
                (Some(a), Some(b)) => format!("{} s", (b - a).max(0)),
                _ => "—".into(),
            },
            trigger: r.trigger,
            status: r.status.to_string(),
            error: r.error.unwrap_or_default(),
            created_at: r.created_at,
        })
        .collect()
}

/// A stored ISO day in the reader's words ("2025-03-01" → "1 Mar 2025", "١ مارس ٢٠٢٥").
fn day(p: &PageCtx, iso: &str) -> String {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(iso.get(..10).unwrap_or(iso), fmt)
        .map(|d| format::date(p.locale, d))
        .unwrap_or_else(|_| iso.to_string())
}

/// The unusual days the last run found, each with its anchor id (what alerts link to).
pub fn anomalies(p: &PageCtx, rows: &[AnomalyRow], currency: &str) -> Vec<ui::AnomalyVm> {
    rows.iter()
        .map(|a| {
            let fmt = |x: f64| match a.series.as_str() {
                "revenue" => format::money(p.locale, x, currency),
                "conversion" => format::percent(p.locale, x),
                _ => format::amount(p.locale, x),
            };
            ui::AnomalyVm {
                id: a.id(),
                what: anomaly_label(p, &a.series),
                day: format::date(p.locale, a.day),
                value: fmt(a.value),
                expected: fmt(a.expected),
                z: format::number(p.locale, a.z, 1),
                severity: a.severity.clone(),
                low: a.z < 0.0,
            }
        })
        .collect()
}

/// A run's results in sentences (from the summary JSON the run stored).
pub fn metrics(p: &PageCtx, summary: Option<&str>) -> Vec<String> {
    let Some(s) = summary.and_then(|s| serde_json::from_str::<serde_json::Value>(s).ok()) else {
        return vec![];
    };
    let f = &s["forecasts"];
    let n = |v: &serde_json::Value| {
        v.as_f64()
            .map(|x| format::number(p.locale, x, 2))
            .unwrap_or_else(|| "—".into())
    };
    let mut out = vec![
        p.t("models.m_forecasts")
            .replace("{fitted}", &f["fitted"].to_string())
            .replace("{series}", &f["series"].to_string())
            .replace("{not_enough}", &f["not_enough_data"].to_string()),
    ];
    let b = &f["horizon_14"];
    if b["mase"].is_number() {
        out.push(
            p.t("models.m_accuracy")
                .replace("{mase}", &n(&b["mase"]))
                .replace("{naive}", &n(&b["naive_mase"]))
                .replace(
                    "{coverage}",
                    &b["coverage"]
                        .as_f64()
                        .map(|x| format::percent(p.locale, x))
                        .unwrap_or_default(),
                ),
        );
    }
    if s["uplift"]["promotions"].as_u64().unwrap_or(0) > 0 {
        out.push(
            p.t("models.m_uplift")
                .replace("{estimated}", &s["uplift"]["estimated"].to_string())
                .replace("{promotions}", &s["uplift"]["promotions"].to_string()),
        );
    }
    let r = &s["recommendations"];
    if r["model"]["hit_rate"].is_number() {
        let pct = |v: &serde_json::Value| {
            v.as_f64()
                .map(|x| format::percent(p.locale, x))
                .unwrap_or_default()
        };
        out.push(
            p.t("models.m_recommend")
                .replace("{hr}", &pct(&r["model"]["hit_rate"]))
                .replace("{pop}", &pct(&r["popularity"]["hit_rate"]))
                .replace("{ndcg}", &n(&r["model"]["ndcg"]))
                .replace("{pop_ndcg}", &n(&r["popularity"]["ndcg"]))
                .replace("{coverage}", &pct(&r["model"]["coverage"]))
                .replace("{customers}", &r["customers"].to_string()),
        );
    }
    let a = &s["anomalies"];
    out.push(
        p.t("models.m_anomalies")
            .replace("{found}", &a["found"].to_string())
            .replace("{series}", &a["series"].to_string())
            .replace("{recent}", &a["last_7_days"].to_string()),
    );
    out
}

/// One line per promotion: its effect on orders and on revenue, each with its interval.
pub fn uplift(p: &PageCtx, rows: &[store::UpliftRow]) -> Vec<ui::UpliftVm> {
    let pct = |x: f64| format::signed_percent(p.locale, x);
    let cell = |r: Option<&store::UpliftRow>| match r {
        Some(store::UpliftRow {
            estimate: Some(e),
            low: Some(l),
            high: Some(h),
            ..
        }) => p
            .t("models.uplift_cell")
            .replace("{estimate}", &pct(*e))
            .replace("{low}", &pct(*l))
            .replace("{high}", &pct(*h)),
        Some(r) => r.reason.clone().unwrap_or_default(),
        None => "—".into(),
    };
    let mut out: Vec<ui::UpliftVm> = vec![];
    let mut seen = std::collections::HashSet::new();
    for r in rows {
        if !seen.insert(r.code.clone()) {
            continue;
        }
        let orders = rows
            .iter()
            .find(|x| x.code == r.code && x.metric == "orders");
        let revenue = rows
            .iter()
            .find(|x| x.code == r.code && x.metric == "revenue");
        out.push(ui::UpliftVm {
            promotion: format!("{} ({})", r.name, r.code),
            category: format::label(&r.category),
            dates: format!(
                "{} – {}",
                format::date(p.locale, r.starts_on),
                format::date(p.locale, r.ends_on)
            ),
            orders: cell(orders),
            revenue: cell(revenue),
            clear_gain: orders.and_then(|o| o.low).is_some_and(|l| l > 0.0),
            compared_with: orders
                .map(|o| {
                    o.controls
                        .split(", ")
                        .map(|c| match c.strip_suffix(" (52 weeks earlier)") {
                            // The promoted category itself, a year before.
                            Some(own) => p
                                .t("models.year_earlier")
                                .replace("{category}", &format::label(own)),
                            None => format::label(c),
                        })
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .unwrap_or_default(),
        });
    }
    out
}

/// The recommendations' evaluation of the latest run that made one: every method's figures
/// with their intervals, and sr360 against each in words.
pub fn recommendations(p: &PageCtx, runs: &[ModelRun]) -> Option<ui::RecEvalVm> {
    let e: serde_json::Value = runs
        .iter()
        .filter_map(|r| r.summary.as_deref())
        .filter_map(|s| serde_json::from_str::<serde_json::Value>(s).ok())
        .map(|s| s["recommendations"].clone())
        .find(|r| r["methods"].is_array())?;
    let n = |v: &serde_json::Value| format::number(p.locale, v.as_f64().unwrap_or(0.0), 3);
    let cell = |i: &serde_json::Value| {
        p.t("models.rec_cell")
            .replace("{value}", &n(&i["value"]))
            .replace("{low}", &n(&i["low"]))
            .replace("{high}", &n(&i["high"]))
    };
    let rows = |methods: &serde_json::Value| -> Vec<ui::RecRowVm> {
        methods
            .as_array()
            .map(|ms| {
                ms.iter()
                    .map(|m| {
                        let name = m["method"].as_str().unwrap_or_default();
                        let d = &m["sr360_minus"]["ndcg"];
                        let verdict = if !d.is_object() {
                            String::new()
                        } else {
                            let diff = d["value"].as_f64().unwrap_or(0.0);
                            let signed = format!(
                                "{}{}",
                                if diff >= 0.0 { "+" } else { "−" },
                                format::number(p.locale, diff.abs(), 3)
                            );
                            let key = if d["low"].as_f64().is_some_and(|x| x > 0.0) {
                                "models.rec_better"
                            } else if d["high"].as_f64().is_some_and(|x| x < 0.0) {
                                "models.rec_worse"
                            } else {
                                "models.rec_tied"
                            };
                            p.t(key).replace("{diff}", &signed)
                        };
                        ui::RecRowVm {
                            method: p.t(&format!("models.rec_{name}")),
                            ours: name == "sr360",
                            hit_rate: cell(&m["hit_rate"]),
                            ndcg: cell(&m["ndcg"]),
                            recall: cell(&m["recall"]),
                            coverage: m["coverage"]
                                .as_f64()
                                .map(|x| format::percent(p.locale, x))
                                .unwrap_or_default(),
                            verdict,
                        }
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let count = |v: &serde_json::Value| format::amount(p.locale, v.as_f64().unwrap_or(0.0));
    Some(ui::RecEvalVm {
        customers: count(&e["customers"]),
        rows: rows(&e["methods"]),
        new_customers: count(&e["new_items"]["customers"]),
        new_rows: rows(&e["new_items"]["methods"]),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn uplift_row(metric: &str, est: Option<f64>, low: Option<f64>) -> store::UpliftRow {
        store::UpliftRow {
            code: "SPRING".into(),
            name: "Spring sale".into(),
            category: "footwear".into(),
            starts_on: date!(2025 - 03 - 01),
            ends_on: date!(2025 - 03 - 14),
            metric: metric.into(),
            estimate: est,
            low,
            high: est.map(|e| e + 0.1),
            controls: "bags, hats".into(),
            reason: est.is_none().then(|| "too few days".to_string()),
        }
    }

    #[test]
    fn a_run_window_reads_as_dates_in_the_readers_language() {
        let en = PageCtx::anonymous("en", String::new(), "/models");
        assert_eq!(
            day(&en, "2025-03-01"),
            format::date("en", date!(2025 - 03 - 01))
        );
        assert!(!day(&en, "2025-03-01").contains("2025-03"));
        let ar = PageCtx::anonymous("ar", String::new(), "/models");
        assert!(
            !day(&ar, "2025-03-01").contains("2025"),
            "{}",
            day(&ar, "2025-03-01")
        );
        assert_eq!(day(&en, "not a day"), "not a day");
    }

    #[test]
    fn one_line_per_promotion_with_a_clear_gain_only_when_the_interval_is_above_zero() {
        let p = PageCtx::anonymous("en", String::new(), "/models");
        let rows = vec![
            uplift_row("orders", Some(0.2), Some(0.05)),
            uplift_row("revenue", None, None),
        ];
        let v = uplift(&p, &rows);
        assert_eq!(v.len(), 1);
        assert!(v[0].clear_gain);
        assert_eq!(v[0].revenue, "too few days");
        assert!(v[0].orders.contains("+20"), "{}", v[0].orders);
        assert_eq!(v[0].compared_with, "Bags, Hats");
        let mut year = uplift_row("orders", Some(0.2), Some(0.05));
        year.controls = "shoes (52 weeks earlier), bags".into();
        let ar = PageCtx::anonymous("ar", String::new(), "/models");
        let said = &uplift(&ar, &[year])[0].compared_with;
        assert!(!said.contains("weeks") && said.contains("Shoes"), "{said}");
        let weak = vec![uplift_row("orders", Some(0.2), Some(-0.05))];
        assert!(!uplift(&p, &weak)[0].clear_gain);
    }

    #[test]
    fn anomalies_carry_their_stable_id_and_unit() {
        let p = PageCtx::anonymous("en", String::new(), "/models");
        let a = AnomalyRow {
            series: "revenue".into(),
            day: date!(2025 - 03 - 02),
            value: 10.0,
            expected: 100.0,
            z: -4.0,
            severity: "high".into(),
        };
        let v = anomalies(&p, std::slice::from_ref(&a), "EUR");
        assert_eq!(v[0].id, "anomaly-revenue-low-2025-03-02");
        assert!(v[0].low);
        assert_eq!(v[0].value, format::money("en", 10.0, "EUR"));
        assert!(metrics(&p, None).is_empty());
        assert!(metrics(&p, Some("not json")).is_empty());
    }
}
