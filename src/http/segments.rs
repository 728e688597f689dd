//! The Segments page, its member list (names and e-mails only with the PII permission), the
//! members as a CSV report, and the segments as JSON.

use super::AppState;
use super::ctx::{ApiCaller, Member};
use super::error::AppError;
use super::models::read;
use super::pages::page_ctx;
use super::reports::{Keep, attachment, keep, shop_now};
use axum::Json;
use axum::extract::{Query, State};
use axum::response::{Html, Response};
use serde::Deserialize;
use sr360_analytics::CustomerSummary;
use sr360_core::Permission;
use sr360_meta::{AuditEvent, TenantScope};
use sr360_ml::store::{self, SegmentModel};
use sr360_ui::charts::{ChartKind, ChartSpec};
use sr360_ui::pages::{self as ui, CellVm, ChartCardVm, TableVm};
use sr360_ui::{PageCtx, format};

#[derive(Debug, Default, Deserialize)]
pub struct SegmentQuery {
    segment: Option<String>,
}

fn valid(name: &str) -> bool {
    matches!(
        name,
        "champions"
            | "loyal"
            | "potential_loyalists"
            | "new"
            | "at_risk"
            | "churn_risk"
            | "hibernating"
            | "high_value"
            | "outliers"
    )
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

fn table(p: &PageCtx, rows: &[CustomerSummary], currency: &str, pii: bool) -> TableVm {
    let mut headers = vec![p.t("segments.customer")];
    if pii {
        headers.push(p.t("customers.email"));
    }
    headers.extend(
        [
            "segments.orders",
            "segments.spent",
            "segments.last_order_days",
        ]
        .iter()
        .map(|k| p.t(k)),
    );
    let rows = rows
        .iter()
        .map(|c| {
            let mut r = vec![CellVm::link(
                c.name.clone().unwrap_or_else(|| c.reference.clone()),
                Some(format!("/customers/{}", c.reference)),
            )];
            if pii {
                r.push(CellVm::text(c.email.clone().unwrap_or_default()));
            }
            r.push(CellVm::number(
                format::amount(p.locale, c.orders as f64),
                Some(c.orders as f64),
            ));
            r.push(CellVm::number(
                format::money(p.locale, c.revenue, currency),
                Some(c.revenue),
            ));
            r.push(CellVm::number(
                c.recency_days.map(|d| d.to_string()).unwrap_or_default(),
                c.recency_days.map(|d| d as f64),
            ));
            r
        })
        .collect();
    TableVm { headers, rows }
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
        .filter(|s| valid(s) && model.segments.iter().any(|g| &g.name == s))
        .unwrap_or_default();
    let money = |v: f64| format::money(p.locale, v, &tenant.currency);
    vm.segments = model
        .segments
        .iter()
        .map(|g| ui::SegmentVm {
            key: g.name.clone(),
            name: p.t(&format!("segments.name_{}", g.name)),
            explain: p.t(&format!("segments.explain_{}", g.name)),
            size: format::amount(p.locale, g.size as f64),
            share: format::percent(p.locale, g.value_share),
            centre: p
                .t("segments.centre_text")
                .replace("{recency}", &format::amount(p.locale, g.centre[0].round()))
                .replace("{orders}", &format::number(p.locale, g.centre[1], 0))
                .replace("{spent}", &money(g.centre[2]))
                .replace("{aov}", &money(g.centre[4])),
            selected: g.name == selected,
        })
        .collect();
    vm.model = p
        .t("segments.model")
        .replace("{k}", &model.k.unwrap_or(0).to_string())
        .replace(
            "{silhouette}",
            &format::number(p.locale, model.silhouette.unwrap_or(0.0), 2),
        )
        .replace(
            "{customers}",
            &format::amount(p.locale, model.customers as f64),
        );
    let mut spec = ChartSpec::new(ChartKind::HBar, p.t("segments.importance_title"));
    let mut imp = model.importance.clone();
    imp.sort_by(|a, b| b.1.total_cmp(&a.1));
    spec.labels = imp
        .iter()
        .map(|(f, _)| p.t(&format!("segments.f_{f}")))
        .collect();
    spec.series = vec![(
        p.t("segments.importance"),
        imp.iter().map(|(_, v)| *v).collect(),
    )];
    let (svg_light, svg_dark) = super::charts::chart_svgs(&p, &spec);
    let rows = imp
        .iter()
        .map(|(f, v)| {
            vec![
                CellVm::text(p.t(&format!("segments.f_{f}"))),
                CellVm::number(format::percent(p.locale, *v), Some(*v)),
            ]
        })
        .collect();
    vm.importance = Some(ChartCardVm {
        id: "importance",
        title: spec.title.clone(),
        spec: Some(spec),
        svg_light,
        svg_dark,
        summary: p.t("segments.importance_explain"),
        table: TableVm {
            headers: vec![p.t("segments.feature"), p.t("segments.importance")],
            rows,
        },
    });
    if !selected.is_empty() {
        let list = members(&state, &m.scope, &selected, 200).await?;
        vm.members_title = p
            .t("segments.members_title")
            .replace("{segment}", &p.t(&format!("segments.name_{selected}")));
        vm.members = table(
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
        .filter(|s| valid(s))
        .ok_or_else(|| AppError::Invalid("unknown segment".into()))?;
    let p = page_ctx(&state, m.ctx(), None);
    let tenant = super::ctx::shop_of(&state, &m.scope)?;
    let list = members(&state, &m.scope, &segment, 10_000).await?;
    if list.is_empty() {
        return Err(AppError::NoData);
    }
    let t = table(
        &p,
        &list,
        &tenant.currency,
        m.scope.can(Permission::ViewPii),
    );
    let csv = sr360_export::csv(&sr360_export::Table {
        headers: t.headers.clone(),
        rows: t
            .rows
            .iter()
            .map(|r| {
                r.iter()
                    .map(|c| sr360_export::Cell {
                        text: c.text.clone(),
                        plain: c.plain.clone(),
                        numeric: c.numeric,
                    })
                    .collect()
            })
            .collect(),
    })
    .map_err(AppError::internal)?;
    let (day, _) = shop_now(&state, &tenant.timezone);
    let name = p.t(&format!("segments.name_{segment}"));
    let slug = format!("segment-{}", segment.replace('_', "-"));
    let title = p.t("segments.members_title").replace("{segment}", &name);
    let source = format!("/segments?segment={segment}");
    let actor = AuditEvent::by_user(m.user().id, &m.user().email, &m.ctx().ip_string());
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
