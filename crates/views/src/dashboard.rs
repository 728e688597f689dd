//! The dashboard's key figures: six numbers for the last days of data against the days
//! before (revenue, orders, order value, customers, new customers, return rate), each with its
//! daily or weekly line; and the card of the last model run.

use sr360_analytics::{
    Comparison, Dimension, Grain, Metric, Query as Q, QueryError, QueryResult, Session, TimeRange,
};
use sr360_meta::ModelRun;
use sr360_ml::store::{AnomalyRow, ForecastView, SeriesStatus};
use sr360_ui::pages as ui;
use sr360_ui::{PageCtx, format};
use time::Date;

const CARDS: [(Metric, &str, ui::KpiUnit, bool); 6] = [
    (Metric::Revenue, "kpi.revenue", ui::KpiUnit::Money, true),
    (Metric::Orders, "kpi.orders", ui::KpiUnit::Count, true),
    (Metric::Aov, "kpi.aov", ui::KpiUnit::Money, true),
    (Metric::Customers, "kpi.customers", ui::KpiUnit::Count, true),
    (
        Metric::NewCustomers,
        "kpi.new_customers",
        ui::KpiUnit::Count,
        true,
    ),
    (
        Metric::ReturnRate,
        "kpi.return_rate",
        ui::KpiUnit::Ratio,
        false,
    ),
];

/// What the key figures are computed from.
pub struct KeyFigures {
    pub range: TimeRange,
    pub grain: Grain,
    pub totals: QueryResult,
    pub daily: QueryResult,
}

/// The figures of the last `days` days of data (weekly lines beyond 90 days); `None`: no sales.
pub fn gather(s: &Session<'_>, days: u32) -> Result<Option<KeyFigures>, QueryError> {
    let grain = if days > 90 { Grain::Week } else { Grain::Day };
    let Some(all) = s.data_range()? else {
        return Ok(None);
    };
    let range = all.last_days(i64::from(days));
    let metrics: Vec<Metric> = CARDS.iter().map(|c| c.0).collect();
    let mut totals = Q::new(&metrics);
    totals.range = Some(range);
    totals.compare = Some(Comparison::PreviousPeriod);
    let totals = s.run(&totals)?;
    let mut daily = Q::new(&metrics);
    daily.range = Some(range);
    daily.dimensions = vec![Dimension::Date(grain)];
    let daily = s.run(&daily)?;
    Ok(Some(KeyFigures {
        range,
        grain,
        totals,
        daily,
    }))
}

/// The key figure cards and the period they cover.
pub fn key_figures(data: Option<&KeyFigures>, days: u32) -> (Vec<ui::KpiVm>, Option<ui::PeriodVm>) {
    let Some(KeyFigures {
        range,
        grain,
        totals,
        daily,
    }) = data
    else {
        return (vec![], None);
    };
    let (range, grain) = (*range, *grain);
    let prev_range = totals.previous_range.unwrap_or(range);
    // Every day (or week) of the period, so days without sales show as zero in the lines.
    let by_date: std::collections::HashMap<&str, &Vec<sr360_analytics::Value>> = daily
        .rows
        .iter()
        .filter_map(|r| Some((r[0].as_str()?, r)))
        .collect();
    let buckets: Vec<String> = range.buckets(grain).iter().map(|d| d.to_string()).collect();
    let kpis = CARDS
        .iter()
        .enumerate()
        .map(|(i, (_, key, unit, up_is_good))| ui::KpiVm {
            key,
            unit: *unit,
            value: totals.rows.first().and_then(|r| r[i].as_f64()),
            previous: totals
                .previous
                .as_ref()
                .and_then(|p| p.first())
                .and_then(|r| r[i].as_f64()),
            up_is_good: *up_is_good,
            series: buckets
                .iter()
                .map(|b| {
                    by_date
                        .get(b.as_str())
                        .and_then(|r| r[i + 1].as_f64())
                        .unwrap_or(0.0)
                })
                .collect(),
        })
        .collect();
    let period = ui::PeriodVm {
        days,
        from: range.from,
        to: range.to,
        previous_from: prev_range.from,
        previous_to: prev_range.to,
    };
    (kpis, Some(period))
}

/// The dashboard's model card: the last run, the shop's revenue forecast for the next 14 days
/// and the unusual days in the last week of the data the stored results came from.
pub fn models_card(
    p: &PageCtx,
    run: &ModelRun,
    view: Option<&ForecastView>,
    anomalies: &[AnomalyRow],
    window: Option<(Date, Date)>,
    currency: &str,
) -> ui::ModelsCardVm {
    let money = |v: f64| format::money(p.locale, v, currency);
    let forecast = view.filter(|v| v.info.status == SeriesStatus::Ok).map(|v| {
        let next: Vec<_> = v.forecast.iter().take(14).collect();
        p.t("dash.forecast_line")
            .replace("{total}", &money(next.iter().map(|f| f.point).sum()))
            // A shop whose daily net revenue can dip below zero (returns on a quiet day)
            // has negative daily bounds; two weeks of them summed are not a plausible total.
            .replace(
                "{lower}",
                &money(next.iter().map(|f| f.lower).sum::<f64>().max(0.0)),
            )
            .replace("{upper}", &money(next.iter().map(|f| f.upper).sum()))
    });
    // The last week of the data the stored results came from (the latest run may have
    // failed or still be running, with another window or none).
    let alerts = crate::alerts::recent(anomalies, window.map(|w| w.1), 7)
        .into_iter()
        .take(3)
        .map(|a| {
            let text = p
                .t("dash.alert_line")
                .replace("{title}", &a.title(p.locale))
                .replace(
                    "{severity}",
                    &p.t(&format!("models.severity_{}", a.severity)),
                );
            (text, a.url)
        })
        .collect();
    let when = run.finished_at.or(run.started_at).unwrap_or(run.created_at);
    ui::ModelsCardVm {
        status: run.status.to_string(),
        when: sr360_ui::pages::fmt_time_public(p.locale, when),
        forecast,
        alerts,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sr360_meta::RunStatus;
    use time::macros::date;

    #[test]
    fn the_model_card_shows_at_most_three_alerts_of_the_last_week_and_no_forecast_without_one() {
        let p = PageCtx::anonymous("en", String::new(), "/dashboard");
        let run = ModelRun {
            id: 3,
            tenant_id: "demo".into(),
            trigger: "manual".into(),
            status: RunStatus::Succeeded,
            data_from: None,
            data_to: None,
            summary: None,
            error: None,
            created_at: 1_700_000_000,
            started_at: Some(1_700_000_010),
            finished_at: Some(1_700_000_070),
        };
        let row = |d: Date| AnomalyRow {
            series: "orders".into(),
            day: d,
            value: 1.0,
            expected: 10.0,
            z: -4.0,
            severity: "high".into(),
        };
        let rows: Vec<AnomalyRow> = [
            date!(2025 - 03 - 01),
            date!(2025 - 03 - 26),
            date!(2025 - 03 - 27),
            date!(2025 - 03 - 28),
            date!(2025 - 03 - 29),
        ]
        .into_iter()
        .map(row)
        .collect();
        let window = Some((date!(2025 - 01 - 01), date!(2025 - 03 - 30)));
        let card = models_card(&p, &run, None, &rows, window, "EUR");
        assert_eq!(card.status, "succeeded");
        assert!(card.forecast.is_none());
        assert_eq!(card.alerts.len(), 3);
        assert!(card.alerts.iter().all(|(_, url)| !url.contains("03-01")));
        let (none, _) = key_figures(None, 30);
        assert!(none.is_empty());
    }
}
