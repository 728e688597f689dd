//! The dashboard's key figures: six numbers for the last days of data against the days
//! before (revenue, orders, order value, customers, new customers, return rate), each with its
//! daily or weekly line.

use sr360_analytics::{
    Comparison, Dimension, Grain, Metric, Query as Q, QueryError, QueryResult, Session, TimeRange,
};
use sr360_ui::pages as ui;

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
