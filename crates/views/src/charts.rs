//! The chart analysis page: one typed query per chart, all on one reader connection, and
//! their results as chart cards (the filter bar's values come in as an [`Ask`]).

use crate::ask::{Ask, compare_word, grain_word};
use crate::card::{Ranking, bucket_label, card, chart_svgs, num, numeric, ranking, short, text};
use sr360_analytics::{
    Comparison, Dimension, Grain, Metric, Query as Q, QueryError, QueryResult, Session, Sort,
    TimeRange,
};
use sr360_ui::charts::{ChartKind, ChartSpec};
use sr360_ui::pages::{self as ui, CellVm, ChartCardVm, TableVm};
use sr360_ui::{PageCtx, format};
use std::collections::HashMap;
use time::Date;

/// Every query result the page needs.
pub struct ChartsData {
    pub all: TimeRange,
    pub range: TimeRange,
    pub grain: Grain,
    pub trend: QueryResult,
    pub categories: QueryResult,
    pub products: QueryResult,
    pub regions: QueryResult,
    pub channels: QueryResult,
    pub customers: QueryResult,
    pub heatmap: QueryResult,
    pub returns: QueryResult,
    pub options: [Vec<String>; 3],
}

pub fn gather(c: &Session<'_>, a: &Ask) -> Result<Option<ChartsData>, QueryError> {
    let Some(all) = c.data_range()? else {
        return Ok(None);
    };
    // Default: the last 90 days of data.
    let range = a.range_in(all);
    let grain = a.grain_for(range);
    let q = |metrics: &[Metric], dims: Vec<Dimension>, limit: Option<u32>| {
        let mut q = Q::new(metrics);
        q.dimensions = dims;
        q.filters = a.filters.clone();
        q.range = Some(range);
        q.limit = limit;
        q
    };
    let mut trend = q(
        &[Metric::Revenue, Metric::Orders],
        vec![Dimension::Date(grain)],
        None,
    );
    trend.compare = a.compare;
    let mut returns = q(
        &[Metric::ReturnRate, Metric::ReturnedUnits],
        vec![Dimension::Category],
        Some(15),
    );
    returns.sort = Some(Sort {
        by: "return_rate".into(),
        desc: true,
    });
    let option = |d: Dimension| -> Result<Vec<String>, QueryError> {
        let mut q = Q::new(&[Metric::Orders]);
        q.dimensions = vec![d];
        let r = c.run(&q)?;
        let mut v: Vec<String> = r
            .rows
            .iter()
            .filter_map(|row| row[0].as_str().map(str::to_string))
            .collect();
        v.sort();
        Ok(v)
    };
    let run = |q: &Q| c.run(q);
    Ok(Some(ChartsData {
        all,
        range,
        grain,
        trend: run(&trend)?,
        categories: run(&q(
            &[Metric::Revenue, Metric::Orders],
            vec![Dimension::Category],
            Some(15),
        ))?,
        products: run(&q(
            &[Metric::Revenue, Metric::Units],
            vec![Dimension::Product],
            Some(10),
        ))?,
        regions: run(&q(
            &[Metric::Revenue, Metric::Orders],
            vec![Dimension::Region],
            Some(12),
        ))?,
        channels: run(&q(&[Metric::Revenue], vec![Dimension::Channel], None))?,
        customers: run(&q(
            &[Metric::Customers],
            vec![Dimension::Date(grain), Dimension::CustomerType],
            None,
        ))?,
        heatmap: run(&q(
            &[Metric::Orders],
            vec![Dimension::Weekday, Dimension::Hour],
            None,
        ))?,
        returns: run(&returns)?,
        options: [
            option(Dimension::Category)?,
            option(Dimension::Region)?,
            option(Dimension::Channel)?,
        ],
    }))
}

/// The page's eight cards: trend with its comparison, categories, products, regions,
/// channel mix, new vs returning customers, weekday × hour, returns. `link_base(key, value)` is
/// the page's URL with one filter changed (drill-down).
/// Whether bucket `i` (starting `b`) of `now` is cut by the range's edge: a first week that
/// began before it, a last month that ends after it.
fn partial(d: &ChartsData, now: &[Date], i: usize, b: Date) -> bool {
    let end = match d.grain {
        Grain::Day => return false,
        Grain::Week => b + time::Duration::days(6),
        Grain::Month => {
            let next = if b.month() == time::Month::December {
                Date::from_calendar_date(b.year() + 1, time::Month::January, 1)
            } else {
                Date::from_calendar_date(b.year(), b.month().next(), 1)
            };
            next.map(|n| n - time::Duration::days(1)).unwrap_or(b)
        }
    };
    (i == 0 && b < d.range.from) || (i + 1 == now.len() && end > d.range.to)
}

/// Axis labels of the buckets, a partial one marked with `*` so it does not read as a
/// collapse.
fn marked_labels(d: &ChartsData, now: &[Date]) -> Vec<String> {
    now.iter()
        .enumerate()
        .map(|(i, b)| {
            let l = bucket_label(*b, d.grain);
            if partial(d, now, i, *b) {
                format!("{l}*")
            } else {
                l
            }
        })
        .collect()
}

pub fn cards(
    p: &PageCtx,
    d: &ChartsData,
    currency: &str,
    link_base: &dyn Fn(&str, &str) -> String,
) -> Vec<ChartCardVm> {
    let money = |v: f64| format::money(p.locale, v, currency);
    let mut cards = vec![];

    // 1. Sales trend with the comparison period, bucket by bucket.
    let by: HashMap<&str, f64> = d
        .trend
        .rows
        .iter()
        .filter_map(|r| Some((r[0].as_str()?, num(&r[1]))))
        .collect();
    let now = d.range.buckets(d.grain);
    let mut spec = ChartSpec::new(ChartKind::Line, p.t("charts.trend"));
    spec.labels = marked_labels(d, &now);
    let values: Vec<f64> = now
        .iter()
        .map(|b| by.get(b.to_string().as_str()).copied().unwrap_or(0.0))
        .collect();
    spec.series = vec![(p.t("charts.this_period"), values.clone())];
    let mut headers = vec![p.t("charts.period_col"), p.t("charts.revenue")];
    let mut prev_values = vec![];
    // Compared with the same period a year earlier (else the period before).
    let year_before = d.trend.previous_range.is_some_and(|pr| {
        pr.from.year() + 1 == d.range.from.year() && pr.from.month() == d.range.from.month()
    });
    if let (Some(prev), Some(pr)) = (&d.trend.previous, d.trend.previous_range) {
        let pby: HashMap<&str, f64> = prev
            .iter()
            .filter_map(|r| Some((r[0].as_str()?, num(&r[1]))))
            .collect();
        prev_values = pr
            .buckets(d.grain)
            .iter()
            .map(|b| pby.get(b.to_string().as_str()).copied().unwrap_or(0.0))
            .collect();
        prev_values.resize(values.len(), 0.0);
        let name = if year_before {
            p.t("charts.compare_previous_year")
        } else {
            p.t("charts.previous")
        };
        spec.series.push((name.clone(), prev_values.clone()));
        headers.push(name);
    }
    let rows = now
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let mut r = vec![
                CellVm::date(format::date(p.locale, *b), *b),
                numeric(money(values[i]), values[i]),
            ];
            if let Some(v) = prev_values.get(i) {
                r.push(numeric(money(*v), *v));
            }
            r
        })
        .collect();
    let total: f64 = values.iter().sum();
    let prev_total: f64 = prev_values.iter().sum();
    let change = if prev_total > 0.0 {
        p.t(if year_before {
            "charts.sum_change_year"
        } else {
            "charts.sum_change"
        })
        .replace(
            "{change}",
            &format::signed_percent(p.locale, (total - prev_total) / prev_total),
        )
    } else {
        String::new()
    };
    let best = values
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(b.1))
        .map(|(i, v)| (now[i], *v));
    let summary = match best {
        Some((b, v)) if total != 0.0 => p
            .t("charts.sum_trend")
            .replace("{total}", &money(total))
            .replace("{from}", &format::date(p.locale, d.range.from))
            .replace("{to}", &format::date(p.locale, d.range.to))
            .replace("{change}", &change)
            .replace(
                "{grain}",
                &p.t(&format!("charts.grain_{}", grain_word(d.grain)))
                    .to_lowercase(),
            )
            // A month is named as a month ("Mar 2026"), a week by its first day.
            .replace(
                "{best}",
                &match d.grain {
                    Grain::Month => format::month(p.locale, b),
                    _ => format::date(p.locale, b),
                },
            )
            .replace("{best_value}", &money(v)),
        _ => p.t("charts.nothing"),
    };
    let cut: Vec<String> = now
        .iter()
        .enumerate()
        .filter(|(i, b)| partial(d, &now, *i, **b))
        .map(|(_, b)| match d.grain {
            Grain::Month => format::month(p.locale, *b),
            _ => format::date(p.locale, *b),
        })
        .collect();
    let summary = if cut.is_empty() || total == 0.0 {
        summary
    } else {
        format!(
            "{summary} {}",
            p.t("charts.partial").replace("{buckets}", &cut.join(", "))
        )
    };
    cards.push(card(p, "trend", spec, summary, TableVm { headers, rows }));

    // 2–4. Rankings; a category opens its products.
    let to_category = |c: &str| link_base("category", c);
    let cols = |keys: [&str; 3]| {
        keys.iter()
            .map(|k| p.t(&format!("charts.{k}")))
            .collect::<Vec<_>>()
    };
    cards.push(ranking(
        p,
        Ranking {
            id: "categories",
            title: p.t("charts.categories"),
            result: &d.categories,
            label_col: 0,
            value_col: 1,
            headers: cols(["category", "revenue", "orders"]),
            fmt: &money,
            link: Some(&to_category),
        },
    ));
    cards.push(ranking(
        p,
        Ranking {
            id: "products",
            title: p.t("charts.products"),
            result: &d.products,
            label_col: 1,
            value_col: 2,
            headers: cols(["product", "revenue", "units"]),
            fmt: &money,
            link: None,
        },
    ));
    let to_region = |r: &str| link_base("region", r);
    let mut regions = ranking(
        p,
        Ranking {
            id: "regions",
            title: p.t("charts.regions"),
            result: &d.regions,
            label_col: 0,
            value_col: 1,
            headers: cols(["region", "revenue", "orders"]),
            fmt: &money,
            link: Some(&to_region),
        },
    );
    let mut spec = ChartSpec::new(ChartKind::Bar { stacked: false }, p.t("charts.regions"));
    spec.labels = d
        .regions
        .rows
        .iter()
        .map(|r| short(&format::label(&text(&r[0]))))
        .collect();
    spec.series = vec![(
        p.t("charts.revenue"),
        d.regions.rows.iter().map(|r| num(&r[1])).collect(),
    )];
    (regions.svg_light, regions.svg_dark) = chart_svgs(p, &spec);
    regions.spec = Some(spec);
    cards.push(regions);

    // 5. Channel mix.
    let total: f64 = d.channels.rows.iter().map(|r| num(&r[1])).sum();
    let mut spec = ChartSpec::new(ChartKind::Pie, p.t("charts.channels"));
    spec.labels = d
        .channels
        .rows
        .iter()
        .map(|r| format::label(&text(&r[0])))
        .collect();
    spec.series = vec![(
        p.t("charts.revenue"),
        d.channels
            .rows
            .iter()
            .map(|r| num(&r[1]).max(0.0))
            .collect(),
    )];
    let share = |v: f64| {
        if total > 0.0 {
            format::percent(p.locale, v / total)
        } else {
            "—".into()
        }
    };
    let rows = d
        .channels
        .rows
        .iter()
        .map(|r| {
            vec![
                CellVm::link(
                    format::label(&text(&r[0])),
                    Some(link_base("channel", &text(&r[0]))),
                ),
                numeric(money(num(&r[1])), num(&r[1])),
                CellVm::number(share(num(&r[1])), (total > 0.0).then(|| num(&r[1]) / total)),
            ]
        })
        .collect();
    let parts = d
        .channels
        .rows
        .iter()
        .map(|r| format!("{} {}", format::label(&text(&r[0])), share(num(&r[1]))))
        .collect::<Vec<_>>()
        .join(", ");
    cards.push(card(
        p,
        "channels",
        spec,
        if parts.is_empty() {
            p.t("charts.nothing")
        } else {
            p.t("charts.sum_pie").replace("{parts}", &parts)
        },
        TableVm {
            headers: vec![
                p.t("charts.channel"),
                p.t("charts.revenue"),
                p.t("charts.share"),
            ],
            rows,
        },
    ));

    // 6. New vs returning customers per bucket.
    let mut per: HashMap<(String, String), f64> = HashMap::new();
    for r in &d.customers.rows {
        per.insert((text(&r[0]), text(&r[1])), num(&r[2]));
    }
    let get = |b: &Date, t: &str| {
        per.get(&(b.to_string(), t.to_string()))
            .copied()
            .unwrap_or(0.0)
    };
    let mut spec = ChartSpec::new(ChartKind::Bar { stacked: true }, p.t("charts.customers"));
    spec.labels = marked_labels(d, &now);
    spec.series = vec![
        (
            p.t("charts.new"),
            now.iter().map(|b| get(b, "new")).collect(),
        ),
        (
            p.t("charts.returning"),
            now.iter().map(|b| get(b, "returning")).collect(),
        ),
    ];
    let rows = now
        .iter()
        .map(|b| {
            vec![
                CellVm::date(format::date(p.locale, *b), *b),
                numeric(format::amount(p.locale, get(b, "new")), get(b, "new")),
                numeric(
                    format::amount(p.locale, get(b, "returning")),
                    get(b, "returning"),
                ),
            ]
        })
        .collect();
    let (n, r): (f64, f64) = (
        now.iter().map(|b| get(b, "new")).sum(),
        now.iter().map(|b| get(b, "returning")).sum(),
    );
    let summary = p
        .t("charts.sum_customers")
        .replace("{new}", &format::amount(p.locale, n))
        .replace("{returning}", &format::amount(p.locale, r));
    cards.push(card(
        p,
        "customers",
        spec,
        summary,
        TableVm {
            headers: vec![
                p.t("charts.period_col"),
                p.t("charts.new"),
                p.t("charts.returning"),
            ],
            rows,
        },
    ));

    // 7. Weekday × hour.
    let mut grid = vec![vec![0.0; 24]; 7];
    for r in &d.heatmap.rows {
        let (wd, h) = (num(&r[0]) as usize, num(&r[1]) as usize);
        if (1..=7).contains(&wd) && h < 24 {
            grid[wd - 1][h] = num(&r[2]);
        }
    }
    let wd = |i: usize| p.t(&format!("charts.wd_{}", i + 1));
    let mut spec = ChartSpec::new(ChartKind::Heatmap, p.t("charts.heatmap"));
    spec.labels = (0..24).map(|h| h.to_string()).collect();
    // Rows are drawn bottom-up: Sunday at the bottom, Monday on top.
    spec.rows = (0..7).rev().map(wd).collect();
    spec.cells = (0..7).rev().map(|i| grid[i].clone()).collect();
    let mut cells: Vec<(usize, usize, f64)> = (0..7)
        .flat_map(|i| (0..24).map(move |h| (i, h)))
        .map(|(i, h)| (i, h, grid[i][h]))
        .collect();
    cells.sort_by(|a, b| b.2.total_cmp(&a.2));
    let summary = match (cells.first(), cells.last()) {
        (Some(b), Some(q)) if b.2 > 0.0 => p
            .t("charts.sum_heatmap")
            .replace("{busy}", &format!("{} {:02}:00", wd(b.0), b.1))
            .replace("{busy_n}", &format::amount(p.locale, b.2))
            .replace("{quiet}", &format!("{} {:02}:00", wd(q.0), q.1))
            .replace("{quiet_n}", &format::amount(p.locale, q.2)),
        _ => p.t("charts.nothing"),
    };
    let mut headers = vec![p.t("charts.weekday")];
    headers.extend((0..24).map(|h| format!("{h:02}")));
    let rows = (0..7)
        .map(|i| {
            std::iter::once(CellVm::text(wd(i)))
                .chain(
                    grid[i]
                        .iter()
                        .map(|v| numeric(format::amount(p.locale, *v), *v)),
                )
                .collect()
        })
        .collect();
    cards.push(card(p, "heatmap", spec, summary, TableVm { headers, rows }));

    // 8. Returns by category, highest rate first.
    let pct = |v: f64| format::percent(p.locale, v);
    let mut c = ranking(
        p,
        Ranking {
            id: "returns",
            title: p.t("charts.returns"),
            result: &d.returns,
            label_col: 0,
            value_col: 1,
            headers: cols(["category", "return_rate", "returned_units"]),
            fmt: &pct,
            link: Some(&to_category),
        },
    );
    c.summary = match d.returns.rows.first() {
        Some(f) => p
            .t("charts.sum_returns")
            .replace("{first}", &format::label(&text(&f[0])))
            .replace("{first_value}", &pct(num(&f[1]))),
        None => p.t("charts.nothing"),
    };
    cards.push(c);
    cards
}

/// Everything the charts page shows (also what its exports print); `None` data: the shop has
/// no sales yet.
pub fn page(p: &PageCtx, a: &Ask, data: Option<&ChartsData>, currency: &str) -> ui::ChartsVm {
    let Some(d) = data else {
        return ui::ChartsVm {
            empty: true,
            ..Default::default()
        };
    };
    let first = |v: &[String]| v.first().cloned().unwrap_or_default();
    let f = &a.filters;
    // Links keep the current view and change one filter (drill-down).
    let base: [(&str, String); 7] = [
        ("from", d.range.from.to_string()),
        ("to", d.range.to.to_string()),
        ("grain", a.grain.map(grain_word).unwrap_or("").to_string()),
        (
            "compare",
            match a.compare {
                Some(Comparison::PreviousPeriod) => String::new(),
                c => compare_word(c).to_string(),
            },
        ),
        ("category", first(&f.category)),
        ("region", first(&f.region)),
        ("channel", first(&f.channel)),
    ];
    let link = |key: &str, value: &str| {
        let pairs: Vec<(&str, &str)> = base
            .iter()
            .map(|(k, v)| (*k, if *k == key { value } else { v.as_str() }))
            .filter(|(_, v)| !v.is_empty())
            .collect();
        format!(
            "/charts?{}",
            serde_urlencoded::to_string(&pairs).unwrap_or_default()
        )
    };
    ui::ChartsVm {
        filters: ui::ChartFiltersVm {
            from: d.range.from.to_string(),
            to: d.range.to.to_string(),
            min: d.all.from.to_string(),
            max: d.all.to.to_string(),
            grain: grain_word(d.grain).into(),
            compare: compare_word(a.compare).into(),
            category: first(&f.category),
            region: first(&f.region),
            channel: first(&f.channel),
            categories: d.options[0].clone(),
            regions: d.options[1].clone(),
            channels: d.options[2].clone(),
        },
        cards: cards(p, d, currency, &link),
        empty: false,
        export: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sr360_analytics::{Column, Unit, Value};
    use time::macros::date;

    fn result(
        cols: &[(&str, Option<Unit>)],
        rows: Vec<Vec<Value>>,
        range: TimeRange,
    ) -> QueryResult {
        QueryResult {
            columns: cols
                .iter()
                .map(|(n, u)| Column {
                    name: n.to_string(),
                    role: if u.is_some() { "metric" } else { "dimension" },
                    unit: *u,
                })
                .collect(),
            rows,
            truncated: false,
            range,
            previous: None,
            previous_range: None,
        }
    }

    fn t(s: &str) -> Value {
        Value::Text(s.into())
    }

    #[test]
    fn eight_cards_with_summaries_and_drill_down_links_that_keep_the_view() {
        let p = PageCtx::anonymous("en", String::new(), "/charts");
        let range = TimeRange {
            from: date!(2025 - 03 - 01),
            to: date!(2025 - 03 - 07),
        };
        let money = Some(Unit::Money);
        let count = Some(Unit::Count);
        let d = ChartsData {
            all: range,
            range,
            grain: Grain::Day,
            trend: result(
                &[("date", None), ("revenue", money), ("orders", count)],
                vec![vec![t("2025-03-02"), Value::Float(120.0), Value::Int(3)]],
                range,
            ),
            categories: result(
                &[("category", None), ("revenue", money), ("orders", count)],
                vec![
                    vec![t("footwear"), Value::Float(100.0), Value::Int(2)],
                    vec![t("bags"), Value::Float(20.0), Value::Int(1)],
                ],
                range,
            ),
            products: result(
                &[
                    ("sku", None),
                    ("product", None),
                    ("revenue", money),
                    ("units", count),
                ],
                vec![vec![
                    t("S1"),
                    t("Trail shoe"),
                    Value::Float(100.0),
                    Value::Int(2),
                ]],
                range,
            ),
            regions: result(
                &[("region", None), ("revenue", money), ("orders", count)],
                vec![vec![t("NY"), Value::Float(120.0), Value::Int(3)]],
                range,
            ),
            channels: result(
                &[("channel", None), ("revenue", money)],
                vec![
                    vec![t("web"), Value::Float(90.0)],
                    vec![t("pos"), Value::Float(30.0)],
                ],
                range,
            ),
            customers: result(
                &[
                    ("date", None),
                    ("customer_type", None),
                    ("customers", count),
                ],
                vec![vec![t("2025-03-02"), t("new"), Value::Int(2)]],
                range,
            ),
            heatmap: result(
                &[("weekday", None), ("hour", None), ("orders", count)],
                vec![vec![Value::Int(7), Value::Int(14), Value::Int(3)]],
                range,
            ),
            returns: result(
                &[
                    ("category", None),
                    ("return_rate", Some(Unit::Ratio)),
                    ("returned_units", count),
                ],
                vec![vec![t("footwear"), Value::Float(0.25), Value::Int(1)]],
                range,
            ),
            options: [
                vec!["bags".into(), "footwear".into()],
                vec!["NY".into()],
                vec!["web".into()],
            ],
        };
        let a = Ask {
            grain: Some(Grain::Day),
            compare: None,
            filters: sr360_analytics::Filters {
                region: vec!["NY".into()],
                ..Default::default()
            },
            ..Default::default()
        };
        let vm = page(&p, &a, Some(&d), "USD");
        let ids: Vec<&str> = vm.cards.iter().map(|c| c.id).collect();
        assert_eq!(
            ids,
            [
                "trend",
                "categories",
                "products",
                "regions",
                "channels",
                "customers",
                "heatmap",
                "returns"
            ]
        );
        // One bucket per day of the range, the missing days as zero.
        let trend = vm.cards[0].spec.as_ref().expect("a trend chart");
        assert_eq!(trend.series[0].1, vec![0.0, 120.0, 0.0, 0.0, 0.0, 0.0, 0.0]);
        assert!(
            vm.cards
                .iter()
                .all(|c| !c.summary.is_empty() && c.svg_light.is_some())
        );
        // A category's link changes the category and keeps the region, grain and comparison.
        let link = vm.cards[1].table.rows[0][0]
            .href
            .clone()
            .unwrap_or_default();
        for part in [
            "category=footwear",
            "region=NY",
            "grain=day",
            "compare=none",
        ] {
            assert!(link.contains(part), "{link} lacks {part}");
        }
        assert_eq!(vm.filters.compare, "none");
        assert_eq!(vm.filters.region, "NY");
        // The channel shares add up.
        let shares: Vec<f64> = vm.cards[4]
            .table
            .rows
            .iter()
            .filter_map(|r| r[2].plain.as_deref()?.parse().ok())
            .collect();
        assert_eq!(shares, vec![0.75, 0.25]);
        assert!(page(&p, &a, None, "USD").empty);
        // By month, the best month is named as a month, not as its first day.
        let mut m = d;
        m.grain = Grain::Month;
        m.trend.rows = vec![vec![t("2025-03-01"), Value::Float(120.0), Value::Int(3)]];
        let vm = page(
            &p,
            &Ask {
                grain: Some(Grain::Month),
                ..a
            },
            Some(&m),
            "USD",
        );
        assert!(
            vm.cards[0].summary.contains("the best month was Mar 2025"),
            "{}",
            vm.cards[0].summary
        );
    }
}
