//! The Customers pages: the most valuable customers and one customer's orders and RFM
//! figures, with personal data only for roles allowed to see it.

use super::AppState;
use super::ctx::Member;
use super::error::AppError;
use super::pages::page_ctx;
use axum::extract::State;
use axum::response::Html;
use sr360_core::Permission;
use sr360_ui::pages as ui;
use sr360_views::customers;

/// Personal data follows the role: the scope says whether this caller may see it.
pub(super) fn pii_for(scope: &sr360_meta::TenantScope) -> sr360_analytics::Pii {
    if scope.can(Permission::ViewPii) {
        sr360_analytics::Pii::Shown
    } else {
        sr360_analytics::Pii::Masked
    }
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
    let top = super::shop_data::analytics(&state, &m.scope, move |s| {
        sr360_analytics::top_customers(s, 50, pii)
    })
    .await;
    let pii_hidden = pii == sr360_analytics::Pii::Masked;
    let rows = match top {
        Ok(v) => v,
        Err(AppError::NoData) => {
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
        Err(e) => return Err(e),
    };
    let mut p = p;
    if rows.is_empty() {
        super::pages::note_totals_only(&state, &m.scope, &mut p).await;
    }
    let rows = customers::rows(&p, &rows);
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
    let found = super::shop_data::analytics(&state, &m.scope, move |s| {
        sr360_analytics::customer(s, &reference, pii)
    })
    .await;
    let d = match found {
        Ok(Some(d)) => d,
        Ok(None) | Err(AppError::NoData) => return Err(AppError::NotFound("customer")),
        Err(e) => return Err(e),
    };
    let vm = customers::customer(&p, &d, pii, &tenant.currency);
    Ok(Html(ui::customer(&p, &vm)))
}
