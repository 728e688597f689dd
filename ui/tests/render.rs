//! Pages render to complete, well-formed documents with their key parts.
// Test code: a failed assumption is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(clippy::panic, clippy::unreachable)]

use sr360_ui::pages::{self, SecurityVm, SettingsTab};
use sr360_ui::{PageCtx, TenantVm, UserVm};

fn ctx(locale: &'static str) -> PageCtx {
    let mut c = PageCtx::anonymous(locale, "tok123".into(), "/settings/tokens");
    c.user = Some(UserVm {
        id: 1,
        email: "a@b.co".into(),
        display_name: "Ann <script>".into(),
        is_operator: false,
    });
    c.tenant = Some(TenantVm {
        id: "shop".into(),
        name: "Shop & Co".into(),
        role: "owner".into(),
    });
    c.tenants = vec![c.tenant.clone().unwrap()];
    c.theme = "dark".into();
    c
}

#[test]
fn token_page_shows_the_new_token_once_and_escapes_text() {
    let vm = SecurityVm {
        new_token: Some("sr360_abc".into()),
        locale: "en".into(),
        theme: "dark".into(),
        ..Default::default()
    };
    let html = pages::settings(&ctx("en"), SettingsTab::Tokens, &vm);
    assert!(html.starts_with("<!DOCTYPE html><html"), "{}", &html[..80]);
    assert!(
        regex_lite_find(&html, r#"id="new-token""#, "sr360_abc<"),
        "{html}"
    );
    assert!(
        html.contains("Ann &lt;script&gt;") && !html.contains("Ann <script>"),
        "user text is escaped"
    );
    assert!(html.contains("Shop &amp; Co"));
    assert!(html.contains(r#"name="csrf" value="tok123""#));
    assert!(html.contains(r#"aria-current="page""#));
    assert!(html.contains(r#"data-theme="dark""#));
}

#[test]
fn arabic_is_right_to_left() {
    let html = pages::dashboard(&ctx("ar"), &pages::DashboardVm::default());
    assert!(html.contains(r#"lang="ar""#) && html.contains(r#"dir="rtl""#));
    assert!(html.contains("لوحة المعلومات"));
}

#[test]
fn every_navigation_target_is_listed_once() {
    let items: Vec<_> = sr360_ui::nav_items().collect();
    assert_eq!(items.len(), 20);
    let mut paths: Vec<_> = items.iter().map(|i| i.0).collect();
    paths.sort();
    paths.dedup();
    assert_eq!(paths.len(), 20);
}

/// `start` followed, within the same tag, by `>` and then `then`.
fn regex_lite_find(html: &str, start: &str, then: &str) -> bool {
    html.match_indices(start).any(|(i, _)| {
        html[i..]
            .split_once('>')
            .is_some_and(|(_, rest)| rest.starts_with(then))
    })
}
