//! The application's services: work that spans the domain crates — receiving and loading
//! uploads (`upload_jobs`), a model run (`model_runner`), a shop's search documents and index
//! (`shop_search`), served recommendations (`recommender`), alerts from unusual days
//! (`alerts`), notifications in words (`notices`), outgoing e-mail (`mail`), the lake of raw files (`objects`) and the
//! per-run cache of what the dashboard shows (`run_cache`). Each takes the narrow handles it
//! needs (`Stores`, `&Warehouses`, `&Searches`, an `Intake`), never the whole application;
//! `crate::workers` drives the queued ones, the HTTP and CLI edges call the rest.

pub mod alerts;
pub mod conversations;
pub mod copilot_model;
pub mod mail;
pub mod model_runner;
pub mod notices;
pub mod objects;
pub mod recommender;
pub mod run_cache;
pub mod shop_search;
pub mod upload_jobs;

use sr360_meta::MetaStore;
use sr360_warehouse::Warehouses;

/// The two stores most services read: the instance's records and the shops' warehouses.
#[derive(Clone, Copy)]
pub struct Stores<'a> {
    pub meta: &'a MetaStore,
    pub warehouses: &'a Warehouses,
}
