//! What each page shows, built apart from the HTTP edge: the domain's answers (query results,
//! model outputs, records) plus a [`PageCtx`] (language, theme) become view models — chart
//! specs with their SVG, tables and summary sentences — that `sr360-ui` renders. The pages,
//! their exports and the copilot call the same functions, so a chart reads the same wherever it
//! appears. Nothing here knows HTTP or a database: the page modules' `gather` functions ask the
//! query layer on a session the caller opened, everything else is a pure function (tested here).

pub mod alerts;
pub mod ask;
pub mod audit;
pub mod card;
pub mod charts;
pub mod cohorts;
pub mod customers;
pub mod dashboard;
pub mod forecasts;
pub mod funnel;
pub mod model_status;
pub mod recommend;
pub mod report;
pub mod search;
pub mod segments;
pub mod uploads;

pub use ask::Ask;
pub use sr360_ui::PageCtx;

/// An ISO date, `2025-03-31`, as the query layer and the model tables write dates.
pub fn iso_date(s: &str) -> Option<time::Date> {
    time::Date::parse(s, time::macros::format_description!("[year]-[month]-[day]")).ok()
}
