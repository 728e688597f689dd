//! What can be asked. Names here are the public vocabulary of the REST and GraphQL
//! interfaces and of the copilot's plans; renaming one is a breaking change.

use serde::{Deserialize, Serialize};
use time::Date;
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "graphql", derive(async_graphql::Enum))]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// Net sales: sales minus returns.
    Revenue,
    /// Orders with at least one sold line.
    Orders,
    /// Units sold.
    Units,
    /// Average order value: gross sales / orders.
    Aov,
    /// Distinct buying customers.
    Customers,
    /// Customers whose first order falls in the group.
    NewCustomers,
    /// Buying customers who had ordered before.
    ReturningCustomers,
    /// Share of buying customers with two or more orders in the group.
    RepeatPurchaseRate,
    /// Returned units / units sold.
    ReturnRate,
    /// Units returned.
    ReturnedUnits,
    /// (revenue − cost) / revenue over lines whose cost is known; null when none is.
    GrossMargin,
    /// Units sold / orders: the average number of items in an order.
    UnitsPerOrder,
    /// Net revenue / buying customers.
    RevenuePerCustomer,
    /// Orders with at least one returned line.
    ReturnedOrders,
}

impl Metric {
    pub const ALL: [Metric; 14] = [
        Metric::Revenue,
        Metric::Orders,
        Metric::Units,
        Metric::Aov,
        Metric::Customers,
        Metric::NewCustomers,
        Metric::ReturningCustomers,
        Metric::RepeatPurchaseRate,
        Metric::ReturnRate,
        Metric::ReturnedUnits,
        Metric::GrossMargin,
        Metric::UnitsPerOrder,
        Metric::RevenuePerCustomer,
        Metric::ReturnedOrders,
    ];

    /// A count or sum whose parts add up to the whole (or, for customers, whose part is a
    /// subset of it), so a part can be given as a share of the whole; rates and averages not.
    pub fn is_additive(self) -> bool {
        matches!(
            self,
            Metric::Revenue
                | Metric::Orders
                | Metric::Units
                | Metric::Customers
                | Metric::NewCustomers
                | Metric::ReturningCustomers
                | Metric::ReturnedUnits
                | Metric::ReturnedOrders
        )
    }

    pub fn name(self) -> &'static str {
        match self {
            Metric::Revenue => "revenue",
            Metric::Orders => "orders",
            Metric::Units => "units",
            Metric::Aov => "aov",
            Metric::Customers => "customers",
            Metric::NewCustomers => "new_customers",
            Metric::ReturningCustomers => "returning_customers",
            Metric::RepeatPurchaseRate => "repeat_purchase_rate",
            Metric::ReturnRate => "return_rate",
            Metric::ReturnedUnits => "returned_units",
            Metric::GrossMargin => "gross_margin",
            Metric::UnitsPerOrder => "units_per_order",
            Metric::RevenuePerCustomer => "revenue_per_customer",
            Metric::ReturnedOrders => "returned_orders",
        }
    }

    /// Money, count or ratio: how the value is formatted.
    pub fn unit(self) -> Unit {
        match self {
            Metric::Revenue | Metric::Aov | Metric::RevenuePerCustomer => Unit::Money,
            Metric::RepeatPurchaseRate | Metric::ReturnRate | Metric::GrossMargin => Unit::Ratio,
            _ => Unit::Count,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    Money,
    Count,
    Ratio,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Grain {
    Day,
    Week,
    Month,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    /// The shop-local order date, truncated to the grain (weeks start on Monday).
    Date(Grain),
    Category,
    /// SKU and product name.
    Product,
    Region,
    Country,
    Channel,
    /// ISO weekday, 1 = Monday.
    Weekday,
    /// Hour of the day, 0–23, shop-local.
    Hour,
    /// `new` (the customer's first order) or `returning`.
    CustomerType,
}

impl Dimension {
    pub fn name(self) -> &'static str {
        match self {
            Dimension::Date(_) => "date",
            Dimension::Category => "category",
            Dimension::Product => "sku",
            Dimension::Region => "region",
            Dimension::Country => "country",
            Dimension::Channel => "channel",
            Dimension::Weekday => "weekday",
            Dimension::Hour => "hour",
            Dimension::CustomerType => "customer_type",
        }
    }
}

/// Only rows whose value is one of the listed ones (an empty list does not filter).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Filters {
    pub category: Vec<String>,
    pub region: Vec<String>,
    pub country: Vec<String>,
    pub channel: Vec<String>,
    pub sku: Vec<String>,
}

impl Filters {
    pub fn is_empty(&self) -> bool {
        self.category.is_empty()
            && self.region.is_empty()
            && self.country.is_empty()
            && self.channel.is_empty()
            && self.sku.is_empty()
    }

    /// The values filtered on dimension `d` (none for dates, weekdays, hours).
    pub fn on(&self, d: Dimension) -> &[String] {
        match d {
            Dimension::Category => &self.category,
            Dimension::Region => &self.region,
            Dimension::Country => &self.country,
            Dimension::Channel => &self.channel,
            Dimension::Product => &self.sku,
            _ => &[],
        }
    }
}

time::serde::format_description!(ymd, Date, "[year]-[month]-[day]");

/// Inclusive shop-local dates, written `2025-03-31`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TimeRange {
    #[serde(with = "ymd")]
    #[schema(value_type = String, format = Date, example = "2025-01-01")]
    pub from: Date,
    #[serde(with = "ymd")]
    #[schema(value_type = String, format = Date, example = "2025-03-31")]
    pub to: Date,
}

impl TimeRange {
    pub fn days(&self) -> i64 {
        (self.to - self.from).whole_days() + 1
    }

    /// The last `days` days of this range (all of it when it is shorter).
    pub fn last_days(&self, days: i64) -> TimeRange {
        TimeRange {
            from: (self.to - time::Duration::days(days - 1)).max(self.from),
            to: self.to,
        }
    }

    /// The first day of each `grain` bucket from `from` to `to`, as the query layer's date
    /// dimension names them (weeks start on Monday, months on the 1st); at most 2,000.
    pub fn buckets(&self, grain: Grain) -> Vec<Date> {
        let mut d = match grain {
            Grain::Day => self.from,
            Grain::Week => {
                self.from
                    - time::Duration::days(i64::from(self.from.weekday().number_days_from_monday()))
            }
            Grain::Month => self.from.replace_day(1).unwrap_or(self.from),
        };
        let mut out = vec![];
        while d <= self.to && out.len() < 2000 {
            out.push(d);
            d = match grain {
                Grain::Day => d + time::Duration::days(1),
                Grain::Week => d + time::Duration::days(7),
                Grain::Month => {
                    let (y, m) = if d.month() == time::Month::December {
                        (d.year() + 1, time::Month::January)
                    } else {
                        (d.year(), d.month().next())
                    };
                    Date::from_calendar_date(y, m, 1).unwrap_or(self.to + time::Duration::days(1))
                }
            };
        }
        out
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[cfg_attr(feature = "graphql", derive(async_graphql::Enum))]
#[serde(rename_all = "snake_case")]
pub enum Comparison {
    /// The same number of days just before the range.
    PreviousPeriod,
    /// The same dates a year earlier.
    PreviousYear,
}

impl Comparison {
    pub fn shift(self, r: TimeRange) -> TimeRange {
        match self {
            Comparison::PreviousPeriod => {
                let len = time::Duration::days(r.days());
                TimeRange {
                    from: r.from - len,
                    to: r.to - len,
                }
            }
            Comparison::PreviousYear => {
                let back = |d: Date| {
                    d.replace_year(d.year() - 1)
                        .unwrap_or_else(|_| d - time::Duration::days(365))
                };
                TimeRange {
                    from: back(r.from),
                    to: back(r.to),
                }
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Sort {
    /// A metric or dimension name of the query.
    pub by: String,
    #[serde(default)]
    pub desc: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Query {
    pub metrics: Vec<Metric>,
    #[serde(default)]
    pub dimensions: Vec<Dimension>,
    #[serde(default)]
    pub filters: Filters,
    /// None: all the data there is.
    #[serde(default)]
    pub range: Option<TimeRange>,
    #[serde(default)]
    pub compare: Option<Comparison>,
    /// None: by the first dimension (dates ascending), else the first metric descending.
    #[serde(default)]
    pub sort: Option<Sort>,
    /// At most this many rows (≤ 10,000).
    #[serde(default)]
    pub limit: Option<u32>,
}

impl Query {
    pub fn new(metrics: &[Metric]) -> Self {
        Self {
            metrics: metrics.to_vec(),
            dimensions: vec![],
            filters: Filters::default(),
            range: None,
            compare: None,
            sort: None,
            limit: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn buckets_start_on_mondays_and_firsts_and_cover_the_range() {
        let r = TimeRange {
            from: date!(2025 - 01 - 29),
            to: date!(2025 - 03 - 02),
        };
        assert_eq!(r.buckets(Grain::Day).len(), 33);
        let weeks = r.buckets(Grain::Week);
        assert_eq!(weeks.first(), Some(&date!(2025 - 01 - 27)));
        assert!(weeks.iter().all(|d| d.weekday() == time::Weekday::Monday));
        assert_eq!(weeks.last(), Some(&date!(2025 - 02 - 24)));
        assert_eq!(
            r.buckets(Grain::Month),
            vec![
                date!(2025 - 01 - 01),
                date!(2025 - 02 - 01),
                date!(2025 - 03 - 01)
            ]
        );
        let dec = TimeRange {
            from: date!(2024 - 12 - 15),
            to: date!(2025 - 01 - 01),
        };
        assert_eq!(
            dec.buckets(Grain::Month),
            vec![date!(2024 - 12 - 01), date!(2025 - 01 - 01)]
        );
    }
}
