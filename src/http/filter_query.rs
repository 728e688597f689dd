//! The filter bar's query string (`from`, `to`, `grain`, `compare`, `category`, `region`,
//! `channel`), shared by the charts and funnel pages, their exports and the funnel API, read
//! into the typed [`Ask`] the views take. A date that is not a date is a 422, never a guess.

use super::error::AppError;
use serde::Deserialize;
use sr360_analytics::{Comparison, Filters, Grain, TimeRange};
use sr360_views::Ask;
use time::Date;

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct ChartsQuery {
    pub(super) from: Option<String>,
    pub(super) to: Option<String>,
    pub(super) grain: Option<String>,
    pub(super) compare: Option<String>,
    pub(super) category: Option<String>,
    pub(super) region: Option<String>,
    pub(super) channel: Option<String>,
}

impl ChartsQuery {
    /// The filters as a query string (empty ones left out), to carry a view into its exports.
    pub(super) fn to_query(&self) -> String {
        let pairs: Vec<(&str, &str)> = [
            ("from", &self.from),
            ("to", &self.to),
            ("grain", &self.grain),
            ("compare", &self.compare),
            ("category", &self.category),
            ("region", &self.region),
            ("channel", &self.channel),
        ]
        .into_iter()
        .filter_map(|(k, v)| some(v).map(|v| (k, v)))
        .collect();
        serde_urlencoded::to_string(pairs).unwrap_or_default()
    }
}

fn some(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

pub(super) fn parse_date(s: &str) -> Result<Date, AppError> {
    Date::parse(s, time::macros::format_description!("[year]-[month]-[day]"))
        .map_err(|_| AppError::Invalid(format!("{s:?} is not a date like 2025-03-31")))
}

pub(super) fn ask(q: &ChartsQuery) -> Result<Ask, AppError> {
    let range = match (some(&q.from), some(&q.to)) {
        (Some(a), Some(b)) => {
            let (a, b) = (parse_date(a)?, parse_date(b)?);
            Some(TimeRange {
                from: a.min(b),
                to: a.max(b),
            })
        }
        _ => None,
    };
    let grain = match some(&q.grain) {
        Some("day") => Some(Grain::Day),
        Some("week") => Some(Grain::Week),
        Some("month") => Some(Grain::Month),
        _ => None,
    };
    let compare = match some(&q.compare) {
        Some("none") => None,
        Some("previous_year") => Some(Comparison::PreviousYear),
        _ => Some(Comparison::PreviousPeriod),
    };
    let one = |v: &Option<String>| some(v).map(|s| vec![s.to_string()]).unwrap_or_default();
    Ok(Ask {
        range,
        grain,
        compare,
        filters: Filters {
            category: one(&q.category),
            region: one(&q.region),
            channel: one(&q.channel),
            ..Default::default()
        },
    })
}
