//! The model runner: one queued model run (after each upload, on the daily schedule, or by
//! hand; `crate::workers` takes them from the queue) asks the query layer for the shop's daily series, fits the
//! forecasts with their backtests and scans for anomalies (crates/ml), and replaces the shop's
//! `ml.*` tables in one warehouse transaction. New medium or high anomalies become
//! notifications.

use super::Stores;
use sr360_analytics::{DailySeries, QueryError};
use sr360_meta::{ModelRun, RunOutcome};
use sr360_ml::anomaly::{self, Severity};
use sr360_ml::store::{self, Fitted};
use sr360_ml::{Backtest, ForecastError};
use std::time::Instant;

/// Forecasts reach this far; the page shows the horizon the merchant picks (7 to 30 days).
pub const MAX_HORIZON: usize = 30;
/// Horizons each model is backtested at.
pub const BACKTEST_HORIZONS: [usize; 3] = [7, 14, 30];
pub const LEVEL: f64 = 0.8;
const FOLDS: usize = 3;
/// Products forecast individually (best sellers of the last 90 days).
const TOP_PRODUCTS: u32 = 5;
/// How often every shop's models are refreshed without new data.
pub const SCHEDULE_SECS: i64 = 24 * 3600;

fn fit(s: DailySeries) -> Fitted {
    let result = sr360_ml::forecast(&s.values, 7, MAX_HORIZON, LEVEL).map(|p| {
        let tests = BACKTEST_HORIZONS
            .iter()
            .filter_map(|h| sr360_ml::backtest(&s.values, 7, *h, FOLDS, LEVEL).ok())
            .collect();
        (p, tests)
    });
    // Explanations only for series with a forecast.
    let drivers = if result.is_ok() {
        sr360_ml::drivers(&s.values, 7)
    } else {
        vec![]
    };
    Fitted {
        series: s,
        result,
        drivers,
    }
}

/// A run that ended in error, with the reason.
pub(crate) fn failed(msg: impl Into<String>) -> RunOutcome {
    RunOutcome {
        succeeded: false,
        error: Some(msg.into()),
        ..Default::default()
    }
}

/// A run that broke (not one that merely found too little data): the shop's members are told,
/// since forecasts and alerts stay as they were until a run succeeds.
pub(crate) fn broke(msg: &str) -> RunOutcome {
    RunOutcome {
        notices: vec![sr360_meta::Notice {
            kind: "model_run_failed".into(),
            title: "The models could not run".into(),
            body: msg.to_string(),
            link: "/models".into(),
            args: Some(serde_json::json!({})),
        }],
        ..failed(msg)
    }
}

/// One run, start to end (blocking: call on the blocking pool).
pub fn run(stores: Stores<'_>, rec: &ModelRun) -> RunOutcome {
    let started = Instant::now();
    let Ok(tid) = sr360_core::TenantId::parse(&rec.tenant_id) else {
        return failed("unknown shop");
    };
    let Ok(scope) = stores.meta.system_scope(&tid) else {
        return failed("unknown shop");
    };
    let currency = match stores.meta.tenant(&tid) {
        Ok(Some(t)) => t.currency,
        _ => return failed("unknown shop"),
    };
    let wh = match stores.warehouses.open(&scope) {
        Ok(w) => w,
        Err(e) => {
            tracing::error!(run = rec.id, error = %e, "cannot open the warehouse for a model run");
            return broke("the shop's data could not be opened (the server's log has the details)");
        }
    };
    let series = sr360_analytics::session(&wh, |s| {
        let (start, orders) = sr360_analytics::category_series(s, sr360_analytics::Metric::Orders)?;
        let (_, revenue) = sr360_analytics::category_series(s, sr360_analytics::Metric::Revenue)?;
        let promos = sr360_analytics::promotions(s)?;
        Ok((
            sr360_analytics::forecast_series(s, TOP_PRODUCTS)?,
            sr360_analytics::anomaly_series(s)?,
            sr360_ml::uplift::promotion_effects(
                &promos,
                start,
                &[("orders", &orders), ("revenue", &revenue)],
            ),
            sr360_analytics::customer_features(s)?,
            sr360_analytics::baskets::purchases(s)?,
        ))
    });
    let (fseries, aseries, effects, features, bought) = match series {
        Ok(v) => v,
        Err(QueryError::NoData) => {
            return failed("no sales data yet: upload an orders export first");
        }
        Err(e) => {
            tracing::error!(run = rec.id, error = %e, "cannot read the shop's series for a model run");
            return broke("the shop's data could not be read (the server's log has the details)");
        }
    };
    let Some(first) = fseries.first() else {
        return failed("no sales data yet");
    };
    let range = (
        first.start,
        first.start + time::Duration::days(first.values.len() as i64 - 1),
    );

    let fitted: Vec<Fitted> = fseries.into_iter().map(fit).collect();
    let settings = anomaly::Settings::default();
    let mut anomalies = vec![];
    for s in &aseries {
        let counts = matches!(
            s.kind,
            sr360_analytics::SeriesKind::Orders | sr360_analytics::SeriesKind::ReturnedUnits
        );
        for a in anomaly::detect(
            &s.values,
            &if counts {
                anomaly::Settings::for_counts()
            } else {
                settings
            },
        ) {
            anomalies.push((
                s.key.clone(),
                s.start + time::Duration::days(a.index as i64),
                a,
            ));
        }
    }
    let customers: Vec<sr360_ml::segments::Customer> = features
        .into_iter()
        .map(
            |(key, recency_days, frequency, monetary, tenure_days, aov, return_rate)| {
                sr360_ml::segments::Customer {
                    key,
                    recency_days,
                    frequency,
                    monetary,
                    tenure_days,
                    aov,
                    return_rate,
                }
            },
        )
        .collect();
    let segments = store::SegmentsOutcome {
        keys: customers.iter().map(|c| c.key.clone()).collect(),
        result: sr360_ml::segments::segment(&customers, 42).map_err(|e| e.to_string()),
    };
    let baskets: Vec<sr360_ml::recommend::Basket> = bought
        .baskets
        .into_iter()
        .map(|(customer, day, items)| sr360_ml::recommend::Basket {
            customer,
            day,
            items,
        })
        .collect();
    let brand = &bought.catalogue.brand_of;
    let category = &bought.catalogue.category_of;
    let recommendations = sr360_ml::rec_eval::evaluate(&baskets, category, brand, 10);
    let recommender = store::Recommender {
        model: sr360_ml::recommend::Model::fit(&baskets, category, brand),
        skus: bought.catalogue.skus,
        categories: bought.catalogue.categories,
        brands: bought.catalogue.brands,
    };
    // Anomalies already known from the previous run are not announced again.
    let known: std::collections::HashSet<(String, String)> = wh
        .with_reader(|c| {
            let mut st = c.prepare("SELECT series, strftime(day, '%Y-%m-%d') FROM ml.anomalies")?;
            let v = st
                .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?
                .collect::<Result<_, _>>()?;
            Ok(v)
        })
        .unwrap_or_default();
    if let Err(e) = wh.with_conn(|c| {
        Ok(store::write(
            c,
            rec.id,
            &store::RunResults {
                fitted: &fitted,
                anomalies: &anomalies,
                effects: &effects,
                segments: &segments,
                recommender: Some(&recommender),
            },
            range,
        )?)
    }) {
        tracing::error!(run = rec.id, error = %e, "cannot store a model run's results");
        return broke("the results could not be stored (the server's log has the details)");
    }
    let recent = range.1 - time::Duration::days(7);
    let notices = anomalies
        .iter()
        .filter(|(k, d, a)| {
            *d > recent
                && a.severity >= Severity::Medium
                && !known.contains(&(k.clone(), d.to_string()))
        })
        .take(5)
        .map(|(k, d, a)| {
            let alert = crate::services::alerts::Alert::from_row(&sr360_ml::store::AnomalyRow {
                series: k.clone(),
                day: *d,
                value: a.value,
                expected: a.expected,
                z: a.z,
                severity: a.severity.as_str().to_string(),
            });
            // The English wording is stored too; each reader gets it in their language
            // from the facts.
            let w = alert.worded("en", &currency);
            sr360_meta::Notice {
                kind: "anomaly".into(),
                title: w.title,
                body: w.text,
                link: alert.url.clone(),
                args: serde_json::to_value(&alert).ok(),
            }
        })
        .collect();

    let ok: Vec<&Fitted> = fitted.iter().filter(|f| f.result.is_ok()).collect();
    // A run someone waits for (after their upload, or started by hand) says it is done when it
    // made something; the daily refresh, and a run that found too little data (Model status
    // says why), stay quiet.
    let mut notices: Vec<sr360_meta::Notice> = notices;
    let segments_named = segments.result.as_ref().map_or(0, |s| s.segments.len());
    if rec.trigger != "schedule" && (!ok.is_empty() || segments_named > 0) {
        let unusual = anomalies.iter().filter(|(_, d, _)| *d > recent).count();
        notices.push(sr360_meta::Notice {
            kind: "model_run_done".into(),
            title: "Forecasts and segments are up to date".into(),
            body: format!(
                "From the data up to {}: {} forecasts, {segments_named} customer segments, {unusual} unusual days in the last week.",
                range.1,
                ok.len()
            ),
            link: "/models".into(),
            args: Some(serde_json::json!({
                "to": range.1.to_string(),
                "forecasts": ok.len(),
                "segments": segments_named,
                "unusual": unusual,
            })),
        });
    }
    let tests: Vec<&Backtest> = ok
        .iter()
        .filter_map(|f| f.result.as_ref().ok())
        .flat_map(|(_, t)| t.iter().filter(|b| b.horizon == 14))
        .collect();
    let mean = |f: &dyn Fn(&Backtest) -> f64| {
        if tests.is_empty() {
            None
        } else {
            Some(tests.iter().map(|b| f(b)).sum::<f64>() / tests.len() as f64)
        }
    };
    let summary = serde_json::json!({
        "forecasts": {
            "series": fitted.len(),
            "fitted": ok.len(),
            "not_enough_data": fitted.iter().filter(|f| matches!(f.result, Err(ForecastError::NotEnoughData(_)))).count(),
            "horizon_14": { "mase": mean(&|b| b.model.mase), "naive_mase": mean(&|b| b.naive.mase), "smape": mean(&|b| b.model.smape), "naive_smape": mean(&|b| b.naive.smape), "coverage": mean(&|b| b.coverage), "level": LEVEL },
        },
        "anomalies": { "series": aseries.len(), "found": anomalies.len(), "last_7_days": anomalies.iter().filter(|(_, d, _)| *d > recent).count(), "threshold": settings.threshold },
        "segments": match &segments.result {
            Ok(sg) => serde_json::json!({ "customers": customers.len(), "k": sg.k, "rules": sg.rules, "named": sg.segments.iter().map(|g| g.name).collect::<Vec<_>>() }),
            Err(reason) => serde_json::json!({ "customers": customers.len(), "reason": reason }),
        },
        "recommendations": match &recommendations {
            Ok(e) => serde_json::json!(e),
            Err(reason) => serde_json::json!({ "reason": reason.to_string() }),
        },
        "uplift": { "promotions": effects.iter().filter(|e| e.metric == "orders").count(), "estimated": effects.iter().filter(|e| e.metric == "orders" && e.result.is_ok()).count() },
        "seconds": started.elapsed().as_secs_f64(),
    });
    RunOutcome {
        succeeded: true,
        data_from: Some(range.0.to_string()),
        data_to: Some(range.1.to_string()),
        summary: Some(summary.to_string()),
        error: None,
        notices,
    }
}
