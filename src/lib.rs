//! SmartRetail360: retail analytics for a small online shop, in one local binary.
//!
//! This crate is the application shell: command line, HTTP edge and assembly. The domain
//! lives in the workspace crates (`sr360-core`, `-meta`, `-auth`, `-warehouse`, `-demo`)
//! and the pages in `sr360-ui`; see ARCHITECTURE.md.

pub mod app;
pub mod cli;
pub mod data_lock;
pub mod doctor;
pub mod http;
pub mod server;
pub mod services;
pub mod telemetry;
pub mod workers;
