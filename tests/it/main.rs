//! Integration tests against the real server (one binary, so the slow link happens once).

mod alerts;
mod analytics;
mod auth;
mod cli;
mod harness;
mod matrix;
mod mfa;
mod models;
mod ops;
mod recommend;
mod reports;
mod search;
mod storage;
mod ui;
mod uploads;
