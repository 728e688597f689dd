//! The copilot: a merchant's question, in English, Spanish, Chinese or Arabic, turned into a
//! typed plan over the query layer, run with the caller's scope, and answered with numbers
//! taken from the result (never from a model), the table and chart they rest on, a link to the
//! page that shows more, and follow-up questions.

pub mod answer;
mod countries;
pub mod dates;
pub mod model;
pub mod parse;
pub mod places;
pub mod plan;
pub mod text;
pub mod unmatched;
pub mod view;
pub mod words;

pub use parse::{Catalog, Parsed, parse};
pub use plan::{Figures, Plan};
