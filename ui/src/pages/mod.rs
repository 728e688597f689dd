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
pub use auth::{
    login, mfa_prompt, signup, signup_confirm, signup_link_expired, signup_mail, signup_sent,
};
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
pub fn fmt_time_public(locale: &str, unix: i64) -> String {
    fmt_time(locale, unix)
}

/// Unix seconds as the reader's date and a 24-hour UTC time: "27 Nov 2026 21:52 UTC",
/// "27 nov 2026 21:52 UTC", "2026年11月27日 21:52 UTC", Arabic with its own digits.
pub(crate) fn fmt_time(locale: &str, unix: i64) -> String {
    let Ok(t) = time::OffsetDateTime::from_unix_timestamp(unix) else {
        return String::new();
    };
    let clock = format!("{:02}:{:02}", t.hour(), t.minute());
    let clock = if locale == "ar" {
        clock
            .chars()
            .map(|c| match c.to_digit(10) {
                Some(d) => char::from_u32(0x0660 + d).unwrap_or(c),
                None => c,
            })
            .collect()
    } else {
        clock
    };
    format!("{} {clock} UTC", crate::format::date(locale, t.date()))
}

#[cfg(test)]
mod time_tests {
    #[test]
    fn times_read_in_the_readers_language() {
        // 2026-11-27 21:52 UTC
        let t = 1_795_816_320;
        assert_eq!(super::fmt_time("en", t), "27 Nov 2026 21:52 UTC");
        assert_eq!(super::fmt_time("zh-CN", t), "2026年11月27日 21:52 UTC");
        let ar = super::fmt_time("ar", t);
        assert!(ar.contains("٢١:٥٢") && !ar.contains("2026"), "{ar}");
    }
}
