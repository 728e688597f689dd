//! The purchase funnel page: sessions that viewed, carted, checked out and bought, overall and
//! by channel, category and product, with the products converting far below their category
//! and what to fix first.

use crate::card::card;
use sr360_analytics::{
    Filters, FunnelBy, FunnelRow, MIN_PRODUCT_VIEWS, QueryError, Session, TimeRange,
    Underperformer, worst_converting,
};
use sr360_ui::charts::{ChartKind, ChartSpec};
use sr360_ui::pages::{self as ui, CellVm, ChartCardVm, TableVm};
use sr360_ui::{PageCtx, format};

pub struct FunnelData {
    pub all: TimeRange,
    pub range: TimeRange,
    pub overall: Option<FunnelRow>,
    pub channels: Vec<FunnelRow>,
    pub categories: Vec<FunnelRow>,
    pub products: Vec<FunnelRow>,
    pub flags: Vec<Underperformer>,
    pub options: [Vec<String>; 2],
}

/// The funnel page's numbers: overall, by channel, by category, the worst-converting
/// well-visited products and the products flagged against their category.
pub fn gather(
    s: &Session<'_>,
    range: Option<TimeRange>,
    filters: &Filters,
) -> Result<Option<FunnelData>, QueryError> {
    let Some(all) = s.data_range()? else {
        return Ok(None);
    };
    let range = range.unwrap_or(all.last_days(90));
    let overall = match sr360_analytics::funnel(s, FunnelBy::Overall, Some(range), filters, 1) {
        Ok(mut v) => v.pop(),
        Err(QueryError::NoData) => {
            return Ok(Some(FunnelData {
                all,
                range,
                overall: None,
                channels: vec![],
                categories: vec![],
                products: vec![],
                flags: vec![],
                options: [vec![], vec![]],
            }));
        }
        Err(e) => return Err(e),
    };
    let channels = sr360_analytics::funnel(s, FunnelBy::Channel, Some(range), filters, 50)?;
    let categories = sr360_analytics::funnel(s, FunnelBy::Category, Some(range), filters, 50)?;
    let products = worst_converting(
        sr360_analytics::funnel(s, FunnelBy::Product, Some(range), filters, 10_000)?,
        MIN_PRODUCT_VIEWS,
        15,
    );
    let mut flags = sr360_analytics::underperformers(s, Some(range), MIN_PRODUCT_VIEWS)?;
    if !filters.category.is_empty() {
        flags.retain(|f| filters.category.contains(&f.category));
    }
    let names = |by: FunnelBy| -> Result<Vec<String>, QueryError> {
        let mut v: Vec<String> = sr360_analytics::funnel(s, by, None, &Filters::default(), 200)?
            .into_iter()
            .map(|r| r.key)
            .collect();
        v.sort();
        Ok(v)
    };
    Ok(Some(FunnelData {
        all,
        range,
        overall,
        channels,
        categories,
        products,
        flags,
        options: [names(FunnelBy::Channel)?, names(FunnelBy::Category)?],
    }))
}

fn pct(p: &PageCtx, v: Option<f64>) -> String {
    v.map(|x| format::percent(p.locale, x))
        .unwrap_or_else(|| "—".into())
}

/// One funnel row per line: counts of each step and the rates between them.
pub fn table(
    p: &PageCtx,
    rows: &[FunnelRow],
    link: &dyn Fn(&FunnelRow) -> Option<String>,
) -> TableVm {
    let headers = [
        "funnel.key",
        "funnel.views",
        "funnel.carts",
        "funnel.checkouts",
        "funnel.purchases",
        "funnel.view_to_cart",
        "funnel.cart_to_checkout",
        "funnel.checkout_to_purchase",
        "funnel.view_to_purchase",
    ]
    .iter()
    .map(|k| p.t(k))
    .collect();
    let rows = rows
        .iter()
        .map(|r| {
            let mut cells = vec![CellVm::link(
                r.name.clone().unwrap_or_else(|| format::label(&r.key)),
                link(r),
            )];
            for v in [r.views, r.carts, r.checkouts, r.purchases] {
                cells.push(CellVm::number(
                    format::amount(p.locale, v as f64),
                    Some(v as f64),
                ));
            }
            for v in r.rates() {
                cells.push(CellVm::number(pct(p, v), v));
            }
            cells
        })
        .collect();
    TableVm { headers, rows }
}

/// The overall funnel in one sentence (the page's summary, and the copilot's answer):
/// sessions that viewed, that bought, the rate, and the step that loses the most.
pub fn summary(p: &PageCtx, o: &FunnelRow) -> String {
    let rates = o.rates();
    let step_names = [
        "funnel.view_to_cart",
        "funnel.cart_to_checkout",
        "funnel.checkout_to_purchase",
    ];
    let worst = (0..3)
        .min_by(|a, b| {
            rates[*a]
                .unwrap_or(1.0)
                .total_cmp(&rates[*b].unwrap_or(1.0))
        })
        .unwrap_or(0);
    p.t("funnel.sum_overall")
        .replace("{views}", &format::amount(p.locale, o.views as f64))
        .replace("{purchases}", &format::amount(p.locale, o.purchases as f64))
        .replace("{rate}", &pct(p, rates[3]))
        .replace("{step}", &p.t(step_names[worst]))
}

/// Everything the funnel page shows (also what its exports print); `filters` are the ones
/// the data was gathered with, `None` data: no sales yet.
pub fn page(p: &PageCtx, filters: &Filters, data: Option<&FunnelData>) -> ui::FunnelVm {
    let empty = ui::FunnelVm {
        empty: true,
        ..Default::default()
    };
    let Some(d) = data else { return empty };
    let Some(o) = d.overall.clone() else {
        return empty;
    };
    let labels = [
        "funnel.views",
        "funnel.carts",
        "funnel.checkouts",
        "funnel.purchases",
    ]
    .map(|k| p.t(k));
    let counts = [o.views, o.carts, o.checkouts, o.purchases];
    let rates = o.rates();
    let steps = (0..4)
        .map(|i| {
            (
                labels[i].clone(),
                format::amount(p.locale, counts[i] as f64),
                if i == 0 {
                    String::new()
                } else {
                    p.t("funnel.of_previous")
                        .replace("{rate}", &pct(p, rates[i - 1]))
                },
            )
        })
        .collect();
    let mut spec = ChartSpec::new(ChartKind::Funnel, p.t("funnel.overall"));
    spec.labels = labels.to_vec();
    spec.series = vec![(
        p.t("funnel.sessions"),
        counts.iter().map(|c| *c as f64).collect(),
    )];
    let summary = summary(p, &o);
    let chart = card(
        p,
        "overall",
        spec,
        summary,
        table(p, std::slice::from_ref(&o), &|_| None),
    );
    let link = |key: &str, value: &str| {
        let mut pairs = vec![
            ("from".to_string(), d.range.from.to_string()),
            ("to".to_string(), d.range.to.to_string()),
        ];
        for (k, v) in [
            ("channel", filters.channel.first()),
            ("category", filters.category.first()),
        ] {
            match (k == key, v) {
                (true, _) => pairs.push((k.into(), value.to_string())),
                (false, Some(v)) => pairs.push((k.into(), v.clone())),
                _ => {}
            }
        }
        format!(
            "/funnel?{}",
            serde_urlencoded::to_string(&pairs).unwrap_or_default()
        )
    };
    let tables = vec![
        ChartCardVm {
            id: "by-channel",
            title: p.t("funnel.by_channel"),
            table: table(p, &d.channels, &|r| Some(link("channel", &r.key))),
            ..Default::default()
        },
        ChartCardVm {
            id: "by-category",
            title: p.t("funnel.by_category"),
            table: table(p, &d.categories, &|r| Some(link("category", &r.key))),
            ..Default::default()
        },
        ChartCardVm {
            id: "products",
            title: p.t("funnel.worst_products"),
            summary: if d.products.is_empty() {
                p.t("funnel.no_products")
            } else {
                String::new()
            },
            table: table(p, &d.products, &|r| {
                r.category.as_ref().map(|c| link("category", c))
            }),
            ..Default::default()
        },
    ];
    let flags = d
        .flags
        .iter()
        .map(|f| ui::FlagVm {
            sku: f.sku.clone(),
            name: f.name.clone(),
            category: format::label(&f.category),
            evidence: p
                .t("funnel.evidence")
                .replace("{views}", &format::amount(p.locale, f.views as f64))
                .replace("{carts}", &format::amount(p.locale, f.carts as f64))
                .replace("{rate}", &format::percent(p.locale, f.rate))
                .replace(
                    "{category_rate}",
                    &format::percent(p.locale, f.category_rate),
                )
                .replace("{category}", &format::label(&f.category))
                .replace("{z}", &format::number(p.locale, f.z, 1)),
            suggestion: p.t(&format!("funnel.fix_{}", f.weak_step)),
            href: link("category", &f.category),
        })
        .collect();
    ui::FunnelVm {
        from: d.range.from.to_string(),
        to: d.range.to.to_string(),
        min: d.all.from.to_string(),
        max: d.all.to.to_string(),
        channel: filters.channel.first().cloned().unwrap_or_default(),
        category: filters.category.first().cloned().unwrap_or_default(),
        channels: d.options[0].clone(),
        categories: d.options[1].clone(),
        steps,
        chart: Some(chart),
        tables,
        flags,
        empty: false,
        export: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn row(key: &str, v: [i64; 4]) -> FunnelRow {
        FunnelRow {
            key: key.into(),
            name: None,
            category: None,
            views: v[0],
            carts: v[1],
            checkouts: v[2],
            purchases: v[3],
        }
    }

    #[test]
    fn the_weakest_step_is_named_and_tables_link_back_with_the_filters() {
        let p = PageCtx::anonymous("en", String::new(), "/funnel");
        let range = TimeRange {
            from: date!(2025 - 01 - 01),
            to: date!(2025 - 01 - 31),
        };
        let d = FunnelData {
            all: range,
            range,
            overall: Some(row("", [1000, 300, 30, 25])),
            channels: vec![row("email", [100, 30, 3, 2])],
            categories: vec![],
            products: vec![],
            flags: vec![],
            options: [vec!["email".into()], vec![]],
        };
        let f = Filters {
            category: vec!["shoes".into()],
            ..Default::default()
        };
        let vm = page(&p, &f, Some(&d));
        assert!(!vm.empty);
        assert_eq!(vm.steps.len(), 4);
        let rate = format::percent(p.locale, 25.0 / 30.0);
        assert_eq!(
            vm.steps[3].2,
            p.t("funnel.of_previous").replace("{rate}", &rate)
        );
        let chart = vm.chart.as_ref().expect("the overall chart");
        // cart → checkout (10 %) is the weakest of the three steps.
        assert!(
            chart.summary.contains(&p.t("funnel.cart_to_checkout")),
            "{}",
            chart.summary
        );
        let link = vm.tables[0].table.rows[0][0]
            .href
            .clone()
            .unwrap_or_default();
        assert!(
            link.contains("channel=email") && link.contains("category=shoes"),
            "{link}"
        );
        // No purchases funnel: the page says it is empty.
        let none = FunnelData { overall: None, ..d };
        assert!(page(&p, &f, Some(&none)).empty);
        assert!(page(&p, &f, None).empty);
    }
}
