//! Integration tests against the real server (one binary, so the slow link happens once).
// Test code: a failed assumption is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(clippy::panic, clippy::unreachable)]

mod alerts;
mod analytics;
mod auth;
mod cli;
mod copilot;
mod copilot_model;
mod copilot_sql;
mod error_texts;
mod harness;
mod limits;
mod matrix;
mod mfa;
mod models;
mod ops;
mod recommend;
mod reports;
mod search;
mod signup;
mod storage;
mod ui;
mod uploads;
