//! The Segments page, its member list (names and e-mails only with the PII permission), the
//! members as a CSV report, and the segments as JSON.

use super::AppState;
use super::ctx::{ApiCaller, Member};
use super::error::AppError;
use super::pages::page_ctx;
use super::report_files::{Keep, attachment, keep, shop_now};
use super::shop_data::read;
use axum::Json;
use axum::extract::{Query, State};
use axum::response::{Html, Response};
use serde::Deserialize;
use sr360_analytics::CustomerSummary;
use sr360_core::Permission;
use sr360_meta::TenantScope;
use sr360_ml::store::{self, SegmentModel};
use sr360_ui::pages as ui;
use sr360_views::{report, segments};

#[derive(Debug, Default, Deserialize)]
pub struct SegmentQuery {
    segment: Option<String>,
}

async fn members(
    state: &AppState,
    scope: &TenantScope,
    segment: &str,
    limit: u32,
) -> Result<Vec<CustomerSummary>, AppError> {
    let pii = super::customers::pii_for(scope);
    let wh = state.warehouses.open(scope).map_err(AppError::internal)?;
    let seg = segment.to_string();
    Ok(tokio::task::spawn_blocking(move || {
        sr360_analytics::session(&wh, |s| {
            sr360_analytics::segment_members(s, &seg, limit, pii)
        })
    })
    .await
    .map_err(AppError::internal)??)
}

pub async fn segments_page(
    State(state): State<AppState>,
    m: Member,
    Query(q): Query<SegmentQuery>,
) -> Result<Html<String>, AppError> {
    m.require(Permission::ViewAnalytics)?;
    let p = page_ctx(&state, m.ctx(), None);
    let tenant = super::ctx::shop_of(&state, &m.scope)?;
    let model: Option<SegmentModel> = read(&state, &m.scope, store::segments).await?;
    let Some(model) = model else {
        let mut p = p;
        super::pages::note_totals_only(&state, &m.scope, &mut p).await;
        return Ok(Html(ui::segments(
            &p,
            &ui::SegmentsVm {
                empty: true,
                ..Default::default()
            },
        )));
    };
    let mut vm = ui::SegmentsVm {
        can_export: m.scope.can(Permission::Analyze),
        ..Default::default()
    };
    if let Some(r) = &model.reason {
        vm.not_enough = Some(r.clone());
        return Ok(Html(ui::segments(&p, &vm)));
    }
    let selected = q
        .segment
        .filter(|s| segments::known(s) && model.segments.iter().any(|g| &g.name == s))
        .unwrap_or_default();
    segments::describe(&p, &model, &selected, &tenant.currency, &mut vm);
    if !selected.is_empty() {
        let list = members(&state, &m.scope, &selected, 200).await?;
        vm.members_title = p
            .t("segments.members_title")
            .replace("{segment}", &p.t(&format!("segments.name_{selected}")));
        vm.members = segments::members(
            &p,
            &list,
            &tenant.currency,
            m.scope.can(Permission::ViewPii),
        );
        vm.selected = selected;
    }
    Ok(Html(ui::segments(&p, &vm)))
}

/// All members of a segment as a CSV report (names and e-mails only with the PII permission).
pub async fn export_members(
    State(state): State<AppState>,
    m: Member,
    Query(q): Query<SegmentQuery>,
) -> Result<Response, AppError> {
    m.require(Permission::Analyze)?;
    let segment = q
        .segment
        .filter(|s| segments::known(s))
        .ok_or_else(|| AppError::Invalid("unknown segment".into()))?;
    let p = page_ctx(&state, m.ctx(), None);
    let tenant = super::ctx::shop_of(&state, &m.scope)?;
    let list = members(&state, &m.scope, &segment, 10_000).await?;
    if list.is_empty() {
        return Err(AppError::NoData);
    }
    let t = segments::members(
        &p,
        &list,
        &tenant.currency,
        m.scope.can(Permission::ViewPii),
    );
    let csv = sr360_export::csv(&report::table(&t)).map_err(AppError::internal)?;
    let (day, _) = shop_now(&state, &tenant.timezone);
    let name = p.t(&format!("segments.name_{segment}"));
    let slug = format!("segment-{}", segment.replace('_', "-"));
    let title = p.t("segments.members_title").replace("{segment}", &name);
    let source = format!("/segments?segment={segment}");
    let actor = m.actor();
    let rec = keep(
        &state,
        &m.scope,
        &actor,
        &Keep {
            slug: &slug,
            day: &day,
            format: "csv",
            title: &title,
            filters: &name,
            source: &source,
        },
        &csv,
    )
    .await?;
    Ok(attachment(&rec, csv))
}

/// The segments of the last model run as JSON.
pub async fn segments_api(
    State(state): State<AppState>,
    c: ApiCaller,
) -> Result<Json<Option<SegmentModel>>, AppError> {
    c.require(Permission::ViewAnalytics)?;
    Ok(Json(read(&state, &c.scope, store::segments).await?))
}
