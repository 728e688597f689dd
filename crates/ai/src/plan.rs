//! What the copilot will do for a question: a typed plan. Figures go through the query layer
//! (the same `Query` type the pages use); the other kinds call the models, alerts or help.
//! A plan is data: it is shown to the user, validated, then run with the caller's scope.

use serde::{Deserialize, Serialize};
use sr360_analytics::{Dimension, Filters, Metric, TimeRange};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Plan {
    /// A figure of the sales data, optionally split, filtered, limited to a period and
    /// compared with another period.
    Figures(Figures),
    /// The revenue forecast for the next `days` days (from the last model run).
    Forecast { days: u32 },
    /// The unusual days the last model run found.
    Alerts,
    /// Customers the segmentation puts at risk of leaving.
    Churn,
    /// The `top` customers with the most net revenue over all the data.
    TopCustomers { top: u32 },
    /// How visitors become buyers (the web events' funnel) over `range` (`None`: all), for
    /// the channels and categories named.
    Conversion {
        #[serde(default)]
        range: Option<TimeRange>,
        #[serde(default)]
        filters: Filters,
    },
    /// What to offer a customer next (the recommender's list for their reference).
    Recommend { customer: String },
    /// How to do something in the product.
    Help { topic: String },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Figures {
    pub metric: Metric,
    /// Split by this dimension (a ranking, or a series over time).
    #[serde(default)]
    pub by: Option<Dimension>,
    #[serde(default)]
    pub filters: Filters,
    /// The period asked about; `None`: all the data there is.
    #[serde(default)]
    pub range: Option<TimeRange>,
    /// A second period to compare with (the answer gives both values and the change).
    #[serde(default)]
    pub versus: Option<TimeRange>,
    /// Largest first (the default) or smallest first.
    #[serde(default = "yes")]
    pub desc: bool,
    /// How many rows a split keeps (`None`: all, up to the query layer's limit). With a
    /// split by date, the periods are ranked by the figure instead of drawn in time order.
    #[serde(default)]
    pub top: Option<u32>,
    /// Give the figure as a share of its whole: of the same figure without the filters, or,
    /// with a split, of the split's total. Only for counts and sums.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub share: bool,
    /// Countries the question named that the shop's data does not have: the answer says so
    /// instead of quietly counting everywhere.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub absent: Vec<String>,
    /// With a split and a second period: rank the split by its change between the periods
    /// ("which region grew the most"), largest rise first (or largest fall with `desc` off).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub by_change: bool,
    /// Names the question used that match nothing the shop has ("sales in Ithaca" without
    /// cities): the figure leaves them out and the answer says so.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unmatched: Vec<String>,
}

fn yes() -> bool {
    true
}

impl Figures {
    pub fn new(metric: Metric) -> Self {
        Figures {
            metric,
            by: None,
            filters: Filters::default(),
            range: None,
            versus: None,
            desc: true,
            top: None,
            share: false,
            by_change: false,
            absent: vec![],
            unmatched: vec![],
        }
    }
}
