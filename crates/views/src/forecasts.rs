//! The forecasts page: a series' recent history and its forecast with the interval, what
//! drives it, and how the model did against a naive forecast on the series' own past.

use crate::card::card;
use sr360_ml::store::{self, ForecastView, SeriesInfo};
use sr360_ui::charts::{ChartKind, ChartSpec};
use sr360_ui::pages::{self as ui, CellVm, TableVm};
use sr360_ui::{PageCtx, format};

/// What the merchant reads for a series.
pub fn series_label(p: &PageCtx, s: &SeriesInfo) -> String {
    match s.key.split_once(':') {
        Some(("category", _)) => p
            .t("forecast.category")
            .replace("{name}", &format::label(&s.name)),
        Some(("product", _)) => p.t("forecast.product").replace("{name}", &s.name),
        _ if s.key == "returns" => p.t("forecast.returns"),
        _ => p.t("forecast.all_sales"),
    }
}

/// The page for one series; `list` is every series of the last run (the picker), `h` the
/// days ahead shown. `None` view: the series asked for is not in the run.
pub fn page(
    p: &PageCtx,
    list: &[SeriesInfo],
    v: &ForecastView,
    h: usize,
    can_run: bool,
    currency: &str,
) -> ui::ForecastsVm {
    let options = list
        .iter()
        .map(|s| (s.key.clone(), series_label(p, s)))
        .collect();
    let money = |x: f64| {
        if v.info.kind == "revenue" {
            format::money(p.locale, x, currency)
        } else {
            format::amount(p.locale, x)
        }
    };
    // Exported as shown: money to the currency's decimals, counts to one decimal.
    let places = if v.info.kind == "revenue" {
        sr360_analytics::currency_places(currency)
    } else {
        1
    };
    let cell = |x: f64| CellVm::money(money(x), x, places);
    let label = series_label(p, &v.info);
    let mut vm = ui::ForecastsVm {
        options,
        selected: v.info.key.clone(),
        horizon: h,
        can_run,
        ..Default::default()
    };
    match v.info.status {
        store::SeriesStatus::Ok => {
            let fc: Vec<&store::ForecastPoint> = v.forecast.iter().take(h).collect();
            let mut spec = ChartSpec::new(
                ChartKind::Line,
                p.t("forecast.chart_title")
                    .replace("{series}", &label)
                    .replace("{n}", &h.to_string()),
            );
            spec.labels = v
                .history
                .iter()
                .map(|(d, _)| d)
                .chain(fc.iter().map(|f| &f.day))
                .map(|d| format!("{:02}-{:02}", u8::from(d.month()), d.day()))
                .collect();
            spec.series = vec![
                (
                    p.t("forecast.history"),
                    v.history.iter().map(|(_, x)| *x).collect(),
                ),
                (
                    p.t("forecast.forecast"),
                    fc.iter().map(|f| f.point).collect(),
                ),
            ];
            spec.starts = vec![0, v.history.len()];
            spec.bands = vec![(
                1,
                fc.iter().map(|f| f.lower).collect(),
                fc.iter().map(|f| f.upper).collect(),
            )];
            let total: f64 = fc.iter().map(|f| f.point).sum();
            let recent: f64 = v.history.iter().rev().take(h).map(|(_, x)| x).sum();
            let (lo, hi): (f64, f64) = (
                fc.iter().map(|f| f.lower).sum(),
                fc.iter().map(|f| f.upper).sum(),
            );
            let mut summary = p
                .t("forecast.summary")
                .replace("{n}", &h.to_string())
                .replace("{total}", &money(total))
                .replace("{lower}", &money(lo))
                .replace("{upper}", &money(hi))
                .replace("{recent}", &money(recent));
            // A band wider than the forecast itself: the line says little, the range is
            // the answer.
            if total > 0.0 && hi - lo > 1.5 * total {
                summary.push(' ');
                summary.push_str(&p.t("forecast.irregular").replace("{series}", &label));
            }
            let rows = fc
                .iter()
                .map(|f| {
                    vec![
                        CellVm::date(format::date(p.locale, f.day), f.day),
                        cell(f.point),
                        cell(f.lower),
                        cell(f.upper),
                    ]
                })
                .collect();
            let headers = [
                "forecast.col_day",
                "forecast.col_forecast",
                "forecast.col_lower",
                "forecast.col_upper",
            ]
            .iter()
            .map(|k| p.t(k))
            .collect();
            if !v.drivers.is_empty() {
                let mut d = v.drivers.clone();
                d.sort_by(|a, b| b.1.total_cmp(&a.1));
                let name = |k: &str| p.t(&format!("forecast.d_{k}"));
                let mut spec = ChartSpec::new(
                    ChartKind::HBar,
                    p.t("forecast.drivers_title").replace("{series}", &label),
                );
                spec.percent = true;
                spec.labels = d.iter().map(|(k, _)| name(k)).collect();
                spec.series = vec![(
                    p.t("forecast.strength"),
                    d.iter().map(|(_, x)| *x).collect(),
                )];
                let rows = d
                    .iter()
                    .map(|(k, x)| {
                        vec![
                            CellVm::text(name(k)),
                            CellVm::number(format::number(p.locale, *x, 2), Some(*x)),
                        ]
                    })
                    .collect();
                let summary = p
                    .t("forecast.drivers_summary")
                    .replace("{first}", &name(&d[0].0).to_lowercase())
                    .replace("{value}", &format::number(p.locale, d[0].1, 2));
                vm.drivers = Some(card(
                    p,
                    "drivers",
                    spec,
                    summary,
                    TableVm {
                        headers: vec![p.t("forecast.driver"), p.t("forecast.strength")],
                        rows,
                    },
                ));
            }
            vm.chart = Some(card(
                p,
                "forecast",
                spec,
                summary,
                TableVm { headers, rows },
            ));
            let pct = |x: f64| format::percent(p.locale, x);
            let num = |x: f64| format::number(p.locale, x, 2);
            vm.backtests = v
                .backtests
                .iter()
                .map(|b| ui::BacktestVm {
                    horizon: p.t("forecast.days").replace("{n}", &b.horizon.to_string()),
                    mase: num(b.mase),
                    naive_mase: num(b.naive_mase),
                    smape: format!("{} %", format::number(p.locale, b.smape, 1)),
                    naive_smape: format!("{} %", format::number(p.locale, b.naive_smape, 1)),
                    coverage: pct(b.coverage),
                    better: b.mase < b.naive_mase,
                })
                .collect();
            vm.model = p.t("forecast.model").replace(
                "{model}",
                &format!(
                    "{} — {}",
                    v.info.method.clone().unwrap_or_default(),
                    v.info.model.clone().unwrap_or_default()
                ),
            );
        }
        _ => vm.not_enough = Some(v.info.reason.clone().unwrap_or_default()),
    }
    vm.window = p
        .t("forecast.window")
        .replace("{from}", &format::date(p.locale, v.info.history_from))
        .replace("{to}", &format::date(p.locale, v.info.history_to))
        .replace("{model}", &label);
    vm
}
