//! Query → SQL. Every identifier comes from the enums of [`crate::model`]; every value the
//! user chose (dates, filter values) is a bound parameter. The sales fact is filtered once
//! (`f`), grouped by the dimensions (`m`), and metrics that need a second level of grouping
//! (repeat purchases) are joined on the dimension columns.

use crate::QueryError;
use crate::model::{Dimension, Filters, Grain, Metric, Query, TimeRange};

/// SQL with its parameters, in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Compiled {
    pub sql: String,
    pub params: Vec<String>,
    /// Output column names, in order: dimensions (plus `product_name` after `sku`), then metrics.
    pub columns: Vec<String>,
}

pub const MAX_ROWS: u32 = 10_000;
/// The years a query's range may span.
pub const MIN_YEAR: i32 = 1900;
pub const MAX_YEAR: i32 = 2200;
const MAX_FILTER_VALUES: usize = 200;

fn dimension_sql(d: Dimension) -> &'static str {
    match d {
        Dimension::Date(Grain::Day) => "f.date_key",
        Dimension::Date(Grain::Week) => "CAST(date_trunc('week', f.date_key) AS DATE)",
        Dimension::Date(Grain::Month) => "CAST(date_trunc('month', f.date_key) AS DATE)",
        Dimension::Category => "f.category",
        Dimension::Product => "f.sku",
        Dimension::Region => "coalesce(f.region, 'unknown')",
        Dimension::Country => "coalesce(f.country, 'unknown')",
        Dimension::Channel => "f.channel",
        Dimension::Weekday => "f.iso_weekday",
        Dimension::Hour => "f.hour_of_day",
        Dimension::CustomerType => "CASE WHEN f.is_first_order THEN 'new' ELSE 'returning' END",
    }
}

fn metric_sql(m: Metric) -> &'static str {
    match m {
        Metric::Revenue => "coalesce(sum(revenue), 0)",
        Metric::Orders => "count(DISTINCT order_id) FILTER (WHERE NOT is_return)",
        Metric::Units => "coalesce(sum(quantity) FILTER (WHERE NOT is_return), 0)",
        Metric::Aov => {
            "sum(revenue) FILTER (WHERE NOT is_return) / nullif(count(DISTINCT order_id) FILTER (WHERE NOT is_return), 0)"
        }
        Metric::Customers => "count(DISTINCT customer_key) FILTER (WHERE NOT is_return)",
        Metric::NewCustomers => {
            "count(DISTINCT customer_key) FILTER (WHERE NOT is_return AND is_first_order)"
        }
        Metric::ReturningCustomers => {
            "count(DISTINCT customer_key) FILTER (WHERE NOT is_return) - count(DISTINCT customer_key) FILTER (WHERE NOT is_return AND is_first_order)"
        }
        // Computed in its own grouping (see `compile`); never used here.
        Metric::RepeatPurchaseRate => "NULL",
        Metric::ReturnRate => {
            "coalesce(sum(-quantity) FILTER (WHERE is_return), 0) / nullif(sum(quantity) FILTER (WHERE NOT is_return), 0)"
        }
        Metric::ReturnedUnits => "coalesce(sum(-quantity) FILTER (WHERE is_return), 0)",
        Metric::GrossMargin => {
            "sum(revenue - cost) FILTER (WHERE cost IS NOT NULL) / nullif(sum(revenue) FILTER (WHERE cost IS NOT NULL), 0)"
        }
        Metric::UnitsPerOrder => {
            "coalesce(sum(quantity) FILTER (WHERE NOT is_return), 0) / nullif(count(DISTINCT order_id) FILTER (WHERE NOT is_return), 0)"
        }
        Metric::ReturnedOrders => "count(DISTINCT order_id) FILTER (WHERE is_return)",
        Metric::RevenuePerCustomer => {
            "coalesce(sum(revenue), 0) / nullif(count(DISTINCT customer_key) FILTER (WHERE NOT is_return), 0)"
        }
    }
}

fn filter_sql(
    filters: &Filters,
    where_: &mut Vec<String>,
    params: &mut Vec<String>,
) -> Result<(), QueryError> {
    let lists: [(&str, &Vec<String>); 5] = [
        ("f.category", &filters.category),
        ("coalesce(f.region, 'unknown')", &filters.region),
        ("coalesce(f.country, 'unknown')", &filters.country),
        ("f.channel", &filters.channel),
        ("f.sku", &filters.sku),
    ];
    for (col, values) in lists {
        if values.is_empty() {
            continue;
        }
        if values.len() > MAX_FILTER_VALUES {
            return Err(QueryError::Invalid(format!(
                "at most {MAX_FILTER_VALUES} values per filter"
            )));
        }
        let marks = vec!["?"; values.len()].join(", ");
        where_.push(format!("{col} IN ({marks})"));
        params.extend(values.iter().cloned());
    }
    Ok(())
}

/// Check `q` and compile it for `range` (the caller resolves an open range to the data's).
pub fn compile(q: &Query, range: TimeRange) -> Result<Compiled, QueryError> {
    let bad = |m: &str| Err(QueryError::Invalid(m.to_string()));
    if q.metrics.is_empty() {
        return bad("ask for at least one metric");
    }
    if q.metrics.len() > Metric::ALL.len()
        || q.metrics
            .iter()
            .enumerate()
            .any(|(i, m)| q.metrics[..i].contains(m))
    {
        return bad("each metric at most once");
    }
    if q.dimensions.len() > 3 {
        return bad("at most three dimensions");
    }
    if q.dimensions
        .iter()
        .enumerate()
        .any(|(i, d)| q.dimensions[..i].iter().any(|e| e.name() == d.name()))
    {
        return bad("each dimension at most once");
    }
    if range.from > range.to {
        return bad("the range ends before it starts");
    }
    // Dates a shop can have: a comparison period one range-length or a year back stays a date.
    if range.from.year() < MIN_YEAR || range.to.year() > MAX_YEAR {
        return Err(QueryError::Invalid(format!(
            "dates must lie between {MIN_YEAR}-01-01 and {MAX_YEAR}-12-31"
        )));
    }
    if q.limit.is_some_and(|l| l == 0 || l > MAX_ROWS) {
        return Err(QueryError::Invalid(format!(
            "limit must be between 1 and {MAX_ROWS}"
        )));
    }
    let mut params = vec![range.from.to_string(), range.to.to_string()];
    let mut where_ = vec!["f.date_key BETWEEN CAST(? AS DATE) AND CAST(? AS DATE)".to_string()];
    filter_sql(&q.filters, &mut where_, &mut params)?;
    // Sales known only as totals per period have no product and no time of day: a chart by
    // product or hour shows the sales that do.
    for d in &q.dimensions {
        match d {
            Dimension::Product => where_.push("f.sku IS NOT NULL".into()),
            Dimension::Hour => where_.push("f.hour_of_day IS NOT NULL".into()),
            _ => {}
        }
    }

    let dims: Vec<String> = q
        .dimensions
        .iter()
        .enumerate()
        .map(|(i, d)| format!("{} AS d{i}", dimension_sql(*d)))
        .collect();
    let has_product = q.dimensions.contains(&Dimension::Product);
    let join = if has_product {
        " LEFT JOIN gold.dim_product p ON p.sku = f.sku"
    } else {
        ""
    };
    let mut f_cols = vec!["f.*".to_string()];
    f_cols.extend(dims.iter().cloned());
    if has_product {
        f_cols.push("p.name AS p_name".into());
    }
    let dnames: Vec<String> = (0..q.dimensions.len()).map(|i| format!("d{i}")).collect();
    let group = if dnames.is_empty() {
        String::new()
    } else {
        format!(" GROUP BY {}", dnames.join(", "))
    };

    let mut m_cols: Vec<String> = dnames.clone();
    if has_product {
        m_cols.push("any_value(p_name) AS product_name".into());
    }
    for m in &q.metrics {
        if *m != Metric::RepeatPurchaseRate {
            m_cols.push(format!("{} AS {}", metric_sql(*m), m.name()));
        }
    }
    if m_cols.is_empty() {
        // The repeat rate alone: `m` still needs a column to join `rp` to.
        m_cols.push("count(*) AS rows_in_range".into());
    }
    let mut sql = format!(
        "WITH f AS (SELECT {} FROM gold.fact_sales f{join} WHERE {}),\n m AS (SELECT {} FROM f{group})",
        f_cols.join(", "),
        where_.join(" AND "),
        m_cols.join(", ")
    );
    let repeat = q.metrics.contains(&Metric::RepeatPurchaseRate);
    if repeat {
        let inner_group = dnames
            .iter()
            .cloned()
            .chain(std::iter::once("customer_key".to_string()))
            .collect::<Vec<_>>()
            .join(", ");
        let keys = if dnames.is_empty() {
            String::new()
        } else {
            format!("{}, ", dnames.join(", "))
        };
        sql.push_str(&format!(
            ",\n rp AS (SELECT {keys}count(*) FILTER (WHERE n >= 2) / nullif(count(*), 0) AS repeat_purchase_rate
                     FROM (SELECT {inner_group}, count(DISTINCT order_id) AS n FROM f WHERE NOT is_return AND customer_key IS NOT NULL GROUP BY {inner_group}){group})"
        ));
    }

    // Output columns in a stable order: dimensions, then metrics as asked.
    let mut columns: Vec<String> = Vec::new();
    let mut select: Vec<String> = Vec::new();
    for (i, d) in q.dimensions.iter().enumerate() {
        columns.push(d.name().to_string());
        select.push(format!("m.d{i} AS {}", d.name()));
        if *d == Dimension::Product {
            columns.push("product_name".into());
            select.push("m.product_name".into());
        }
    }
    for m in &q.metrics {
        columns.push(m.name().to_string());
        select.push(if *m == Metric::RepeatPurchaseRate {
            "rp.repeat_purchase_rate".into()
        } else {
            format!("m.{}", m.name())
        });
    }
    let from = if repeat {
        if dnames.is_empty() {
            " FROM m CROSS JOIN rp".to_string()
        } else {
            format!(
                " FROM m LEFT JOIN rp ON {}",
                dnames
                    .iter()
                    .map(|d| format!("m.{d} IS NOT DISTINCT FROM rp.{d}"))
                    .collect::<Vec<_>>()
                    .join(" AND ")
            )
        }
    } else {
        " FROM m".to_string()
    };

    // Sort: as asked, else dates ascending, else the first metric descending; then every
    // dimension ascending so equal values come out in the same order every time.
    let position = |name: &str| columns.iter().position(|c| c == name).map(|i| i + 1);
    let mut order: Vec<String> = Vec::new();
    match &q.sort {
        Some(s) => {
            let Some(p) = position(&s.by) else {
                return Err(QueryError::Invalid(format!(
                    "cannot sort by {:?}: it is not a metric or dimension of the query",
                    s.by
                )));
            };
            order.push(format!(
                "{p} {} NULLS LAST",
                if s.desc { "DESC" } else { "ASC" }
            ));
        }
        None => match q.dimensions.first() {
            Some(Dimension::Date(_)) | None => {}
            Some(_) => order.push(format!(
                "{} DESC NULLS LAST",
                q.dimensions.len() + usize::from(has_product) + 1
            )),
        },
    }
    for d in &q.dimensions {
        if let Some(p) = position(d.name()) {
            order.push(format!("{p} ASC NULLS LAST"));
        }
    }
    sql.push_str(&format!("\nSELECT {}{from}", select.join(", ")));
    if !order.is_empty() {
        sql.push_str(&format!(" ORDER BY {}", order.join(", ")));
    }
    // One row more than the limit tells the caller the result was cut.
    sql.push_str(&format!(" LIMIT {}", q.limit.unwrap_or(MAX_ROWS) + 1));
    Ok(Compiled {
        sql,
        params,
        columns,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Comparison, Sort};
    use time::macros::date;

    fn range() -> TimeRange {
        TimeRange {
            from: date!(2025 - 01 - 01),
            to: date!(2025 - 01 - 31),
        }
    }

    #[test]
    fn values_are_parameters_never_sql() {
        let mut q = Query::new(&[Metric::Revenue]);
        q.filters.category = vec!["x'); DROP TABLE gold.fact_sales; --".into()];
        let c = compile(&q, range()).unwrap();
        assert!(!c.sql.contains("DROP"), "{}", c.sql);
        assert_eq!(c.params.len(), 3);
        assert_eq!(c.params[2], "x'); DROP TABLE gold.fact_sales; --");
    }

    #[test]
    fn the_repeat_rate_alone_compiles() {
        let q = Query::new(&[Metric::RepeatPurchaseRate]);
        let c = compile(&q, range()).unwrap();
        assert!(c.sql.contains("rows_in_range"), "{}", c.sql);
        assert_eq!(c.columns, vec!["repeat_purchase_rate".to_string()]);
    }

    #[test]
    fn absurd_ranges_are_refused_before_any_date_arithmetic() {
        let q = Query::new(&[Metric::Revenue]);
        let huge = TimeRange {
            from: date!(0000 - 01 - 01),
            to: date!(9999 - 12 - 31),
        };
        match compile(&q, huge) {
            Err(QueryError::Invalid(m)) => assert!(m.contains("1900-01-01"), "{m}"),
            other => panic!("{other:?}"),
        }
        // Within the bounds, a comparison period stays a date.
        let wide = TimeRange {
            from: date!(1900 - 01 - 01),
            to: date!(2200 - 12 - 31),
        };
        assert!(compile(&q, wide).is_ok());
        let back = Comparison::PreviousPeriod.shift(wide);
        assert!(back.from.year() > -9999);
    }

    #[test]
    fn refuses_what_it_cannot_answer() {
        let mut q = Query::new(&[]);
        assert!(matches!(compile(&q, range()), Err(QueryError::Invalid(_))));
        q.metrics = vec![Metric::Revenue, Metric::Revenue];
        assert!(compile(&q, range()).is_err());
        q.metrics = vec![Metric::Revenue];
        q.dimensions = vec![Dimension::Date(Grain::Day), Dimension::Date(Grain::Week)];
        assert!(compile(&q, range()).is_err());
        q.dimensions = vec![Dimension::Category];
        q.sort = Some(Sort {
            by: "region".into(),
            desc: true,
        });
        let e = compile(&q, range()).unwrap_err().to_string();
        assert!(e.contains("region"), "{e}");
        q.sort = None;
        q.limit = Some(0);
        assert!(compile(&q, range()).is_err());
        q.limit = None;
        assert!(
            compile(
                &q,
                TimeRange {
                    from: date!(2025 - 02 - 01),
                    to: date!(2025 - 01 - 01)
                }
            )
            .is_err()
        );
        q.compare = Some(Comparison::PreviousPeriod);
        assert!(compile(&q, range()).is_ok());
    }

    #[test]
    fn columns_follow_the_query() {
        let mut q = Query::new(&[Metric::Orders, Metric::RepeatPurchaseRate]);
        q.dimensions = vec![Dimension::Product, Dimension::Date(Grain::Month)];
        let c = compile(&q, range()).unwrap();
        assert_eq!(
            c.columns,
            [
                "sku",
                "product_name",
                "date",
                "orders",
                "repeat_purchase_rate"
            ]
        );
    }
}
