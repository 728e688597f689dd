//! What a page (or a copilot plan) asks of the sales data, already checked: the typed form
//! of the filter bar. Parsing it from a query string is the HTTP edge's job.

use sr360_analytics::{Comparison, Filters, Grain, TimeRange};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Ask {
    /// `None`: the last 90 days of data.
    pub range: Option<TimeRange>,
    /// `None`: chosen from the range's length.
    pub grain: Option<Grain>,
    /// `None`: no comparison.
    pub compare: Option<Comparison>,
    pub filters: Filters,
}

/// The query-string word for a grain.
pub fn grain_word(g: Grain) -> &'static str {
    match g {
        Grain::Day => "day",
        Grain::Week => "week",
        Grain::Month => "month",
    }
}

/// The query-string word for a comparison.
pub fn compare_word(c: Option<Comparison>) -> &'static str {
    match c {
        None => "none",
        Some(Comparison::PreviousPeriod) => "previous_period",
        Some(Comparison::PreviousYear) => "previous_year",
    }
}

impl Ask {
    /// The range asked for, or the last 90 days of `all`.
    pub fn range_in(&self, all: TimeRange) -> TimeRange {
        self.range.unwrap_or(all.last_days(90))
    }

    /// The grain asked for, or one that gives a readable number of points for `range`.
    pub fn grain_for(&self, range: TimeRange) -> Grain {
        self.grain.unwrap_or(match range.days() {
            0..=62 => Grain::Day,
            63..=370 => Grain::Week,
            _ => Grain::Month,
        })
    }
}
