//! The Customers pages: the most valuable customers and one customer's orders and RFM
//! figures, with personal data only for roles allowed to see it.

use super::AppState;
use super::ctx::Member;
use super::error::AppError;
use super::filter_query::parse_date;
use super::pages::page_ctx;
use axum::extract::State;
use axum::response::Html;
use sr360_analytics::QueryError;
use sr360_core::Permission;
use sr360_ui::pages as ui;
use sr360_ui::{PageCtx, format};

/// Personal data follows the role: the scope says whether this caller may see it.
pub(super) fn pii_for(scope: &sr360_meta::TenantScope) -> sr360_analytics::Pii {
    if scope.can(Permission::ViewPii) {
        sr360_analytics::Pii::Shown
    } else {
        sr360_analytics::Pii::Masked
    }
}

fn customer_label(p: &PageCtx, c: &sr360_analytics::CustomerSummary) -> String {
    c.name.clone().unwrap_or_else(|| {
        format!(
            "{} {}",
            p.t("customers.anonymous"),
            c.reference.get(..8).unwrap_or(&c.reference)
        )
    })
}

/// The most valuable customers.
pub async fn customers_page(
    State(state): State<AppState>,
    m: Member,
) -> Result<Html<String>, AppError> {
    m.require(Permission::ViewAnalytics)?;
    let p = page_ctx(&state, m.ctx(), None);
    let tenant = super::ctx::shop_of(&state, &m.scope)?;
    let pii = pii_for(&m.scope);
    let wh = state
        .warehouses
        .open(&m.scope)
        .map_err(AppError::internal)?;
    let top = tokio::task::spawn_blocking(move || {
        sr360_analytics::session(&wh, |s| sr360_analytics::top_customers(s, 50, pii))
    })
    .await
    .map_err(AppError::internal)?;
    let pii_hidden = pii == sr360_analytics::Pii::Masked;
    let rows = match top {
        Ok(v) => v,
        Err(QueryError::NoData) => {
            let mut p = p;
            super::pages::note_totals_only(&state, &m.scope, &mut p).await;
            return Ok(Html(ui::customers(
                &p,
                &ui::CustomersVm {
                    empty: true,
                    pii_hidden,
                    ..Default::default()
                },
            )));
        }
        Err(e) => return Err(e.into()),
    };
    let mut p = p;
    if rows.is_empty() {
        super::pages::note_totals_only(&state, &m.scope, &mut p).await;
    }
    let rows = rows
        .iter()
        .map(|c| ui::CustomerRowVm {
            href: format!("/customers/{}", c.reference),
            label: customer_label(&p, c),
            region: [c.region.clone(), c.country.clone()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(", "),
            orders: c.orders,
            revenue: c.revenue,
            last_order: c
                .last_order
                .clone()
                .and_then(|d| parse_date(&d).ok())
                .map(|d| format::date(p.locale, d))
                .unwrap_or_default(),
        })
        .collect();
    Ok(Html(ui::customers(
        &p,
        &ui::CustomersVm {
            rows,
            currency: tenant.currency,
            pii_hidden,
            empty: false,
        },
    )))
}

/// One customer: orders and RFM figures; personal data only for roles that may see it.
pub async fn customer_page(
    State(state): State<AppState>,
    m: Member,
    axum::extract::Path(reference): axum::extract::Path<String>,
) -> Result<Html<String>, AppError> {
    m.require(Permission::ViewAnalytics)?;
    let p = page_ctx(&state, m.ctx(), None);
    let tenant = super::ctx::shop_of(&state, &m.scope)?;
    let pii = pii_for(&m.scope);
    let wh = state
        .warehouses
        .open(&m.scope)
        .map_err(AppError::internal)?;
    let found = tokio::task::spawn_blocking(move || {
        sr360_analytics::session(&wh, |s| sr360_analytics::customer(s, &reference, pii))
    })
    .await
    .map_err(AppError::internal)?;
    let d = match found {
        Ok(Some(d)) => d,
        Ok(None) | Err(QueryError::NoData) => return Err(AppError::NotFound("customer")),
        Err(e) => return Err(e.into()),
    };
    let c = &d.summary;
    let date = |s: &Option<String>| {
        s.as_deref()
            .and_then(|d| parse_date(d).ok())
            .map(|d| format::date(p.locale, d))
            .unwrap_or_default()
    };
    let personal = [
        ("customers.name", c.name.clone()),
        ("customers.email", c.email.clone()),
        ("customers.city", c.city.clone()),
    ]
    .into_iter()
    .filter_map(|(k, v)| Some((k, v?)))
    .collect();
    let vm = ui::CustomerVm {
        segment: d.segment.clone().map(|k| {
            let name = p.t(&format!("segments.name_{k}"));
            (k, name)
        }),
        label: customer_label(&p, c),
        personal,
        pii_hidden: pii == sr360_analytics::Pii::Masked,
        region: [c.region.clone(), c.country.clone()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(", "),
        channel: c.channel.clone().unwrap_or_default(),
        orders: c.orders,
        revenue: c.revenue,
        aov: c.aov,
        recency_days: c.recency_days,
        tenure_days: c.tenure_days,
        return_rate: c.return_rate,
        first_order: date(&c.first_order),
        last_order: date(&c.last_order),
        order_rows: d
            .orders
            .iter()
            .map(|o| {
                (
                    o.order_id.clone(),
                    date(&Some(o.date.clone())),
                    o.items,
                    o.revenue,
                    o.returned,
                )
            })
            .collect(),
        currency: tenant.currency,
    };
    Ok(Html(ui::customer(&p, &vm)))
}
