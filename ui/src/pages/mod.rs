//! One function per page: view model in, complete HTML document out.

mod account;
mod auth;
mod charts;
mod cohorts;
mod copilot;
mod customers;
mod dashboard;
mod funnel;
mod models;
mod recommend;
mod reports;
mod search;
mod segments;
mod status;
mod tenant;
mod uploads;

pub use account::{LoginVm, SecurityVm, SettingsTab, TokenVm, settings};
pub use auth::{login, mfa_prompt, signup};
pub use charts::{CellVm, ChartCardVm, ChartFiltersVm, ChartsVm, TableVm, charts};
pub use cohorts::{CohortRowVm, CohortsVm, cohorts};
pub use copilot::{CopilotAnswerVm, CopilotVm, copilot};
pub use customers::{CustomerRowVm, CustomerVm, CustomersVm, customer, customers};
pub use dashboard::{DashboardVm, KpiUnit, KpiVm, ModelsCardVm, PeriodVm, dashboard};
pub use funnel::{FlagVm, FunnelVm, funnel};
pub use models::{
    AnomalyVm, BacktestVm, ForecastsVm, ModelsVm, RecEvalVm, RecRowVm, RunRowVm, UpliftVm,
    forecasts, models,
};
pub use recommend::{RecVm, RecommendVm, recommendations};
pub use reports::{ReportRowVm, ReportsVm, reports};
pub use search::{HitVm, SearchVm, search};
pub use segments::{SegmentVm, SegmentsVm, segments};
pub use status::{HELP_ARTICLES, NotificationVm, error_page, help, notifications, upcoming};
pub use tenant::{AuditRowVm, MemberVm, TenantRowVm, admin_tenants, audit_log, permissions};
pub use uploads::{
    LoadedVm, MappingEvidenceVm, MappingFieldVm, UploadRowVm, field_label, upload, upload_detail,
    upload_history, upload_mapping,
};

use leptos::prelude::*;

pub(crate) fn csrf_field(token: &str) -> impl IntoView + use<> {
    view! { <input type="hidden" name="csrf" value=token.to_string()/> }
}

/// Unix seconds as "2026-11-27 21:52 UTC" (for the HTTP layer's view models).
pub fn fmt_time_public(unix: i64) -> String {
    fmt_time(unix)
}

/// Unix seconds as "2026-11-27 21:52 UTC".
pub(crate) fn fmt_time(unix: i64) -> String {
    let fmt = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| t.format(&fmt).ok())
        .unwrap_or_default()
}
