//! The data pipeline that turns a merchant's export into bronze, silver and gold tables.
//! This first part recognises what a file is from its bytes alone — compression, encoding,
//! format, delimiter, quoting, header — and prepares it for loading: gzip unpacked under a
//! size and ratio limit, Latin-1 turned into UTF-8, a BOM dropped, JSON nesting bounded.
//! The file name is never trusted.

pub mod bronze;
pub mod gold;
pub mod ingest;
pub mod mapping;
pub mod prepare;
pub mod read_errors;
pub mod schema;
pub mod shadow;
pub mod silver;
pub mod sniff;
pub mod sqlexpr;
pub mod status;
pub mod summary;
pub mod workbook;

pub use prepare::{Limits, PrepareError, Prepared, prepare};
pub use sniff::{Encoding, Format, SniffError, Sniffed, sniff};
