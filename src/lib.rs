//! SmartRetail360: retail analytics for a small online shop, in one local binary.
//!
//! This crate is the application shell: command line, HTTP edge and assembly. The domain
//! lives in the workspace crates (`sr360-core`, `-meta`, `-auth`, `-warehouse`, `-demo`)
//! and the pages in `sr360-ui`; see ARCHITECTURE.md.

pub mod alerts;
pub mod app;
pub mod cli;
pub mod doctor;
pub mod http;
pub mod models;
pub mod notices;
pub mod objects;
pub mod recommend;
pub mod run_cache;
pub mod search;
pub mod server;
pub mod telemetry;
pub mod uploads;
