//! Recommendations: the page, and the REST endpoints a storefront calls. Thin adapters over
//! [`crate::recommend`]; the shop comes from the caller's scope.

use super::AppState;
use super::ctx::{ApiCaller, Member};
use super::error::AppError;
use super::pages::page_ctx;
use crate::services::recommender::{self as rec, RecommendError};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::response::Html;
use serde::Deserialize;
use sr360_core::Permission;
use sr360_meta::TenantScope;
use sr360_ui::pages::{self as ui, RecommendVm};
use sr360_views::recommend as recommendations;

#[derive(Debug, Default, Deserialize)]
pub struct RecQuery {
    customer: Option<String>,
    product: Option<String>,
    limit: Option<usize>,
}

const LIMIT: usize = 10;

async fn blocking<T: Send + 'static>(
    state: &AppState,
    scope: &TenantScope,
    f: impl FnOnce(&crate::app::App, &TenantScope) -> Result<T, RecommendError> + Send + 'static,
) -> Result<T, AppError> {
    let (app, scope) = (state.clone(), scope.clone());
    Ok(tokio::task::spawn_blocking(move || f(&app, &scope))
        .await
        .map_err(AppError::internal)??)
}

fn limit(q: &RecQuery) -> usize {
    q.limit.unwrap_or(LIMIT).clamp(1, 50)
}

pub async fn customer_api(
    State(state): State<AppState>,
    c: ApiCaller,
    Path(reference): Path<String>,
    Query(q): Query<RecQuery>,
) -> Result<Json<rec::ForCustomer>, AppError> {
    c.require(Permission::ViewAnalytics)?;
    let n = limit(&q);
    blocking(&state, &c.scope, move |app, scope| {
        rec::for_customer(&app.warehouses, &app.searches, scope, &reference, n)
    })
    .await?
    .map(Json)
    .ok_or(AppError::NotFound("customer"))
}

pub async fn product_api(
    State(state): State<AppState>,
    c: ApiCaller,
    Path(sku): Path<String>,
    Query(q): Query<RecQuery>,
) -> Result<Json<rec::ForProduct>, AppError> {
    c.require(Permission::ViewAnalytics)?;
    let n = limit(&q);
    blocking(&state, &c.scope, move |app, scope| {
        rec::for_product(&app.warehouses, &app.searches, scope, &sku, n)
    })
    .await?
    .map(Json)
    .ok_or(AppError::NotFound("product"))
}

pub async fn page(
    State(state): State<AppState>,
    m: Member,
    Query(q): Query<RecQuery>,
) -> Result<Html<String>, AppError> {
    m.require(Permission::ViewAnalytics)?;
    let mut p = page_ctx(&state, m.ctx(), None);
    // Recommendations learn from baskets: a shop known only by totals has none.
    super::pages::note_totals_only(&state, &m.scope, &mut p).await;
    let customer = q
        .customer
        .as_deref()
        .map(str::trim)
        .unwrap_or("")
        .to_string();
    let product = q
        .product
        .as_deref()
        .map(str::trim)
        .unwrap_or("")
        .to_string();
    let mut vm = RecommendVm {
        customer: customer.clone(),
        ..Default::default()
    };
    let outcome: Result<(), AppError> = async {
        if !customer.is_empty() {
            let c = customer.clone();
            match blocking(&state, &m.scope, move |app, scope| {
                rec::for_customer(&app.warehouses, &app.searches, scope, &c, LIMIT)
            })
            .await?
            {
                Some(f) => {
                    vm.subject = Some(
                        p.t("rec.for_customer")
                            .replace("{customer}", &f.customer)
                            .replace("{bought}", &f.bought.to_string()),
                    );
                    vm.sections.push((
                        p.t("rec.customer_list"),
                        "for-customer".into(),
                        recommendations::rows(&p, &f.items),
                    ));
                }
                None => {
                    vm.notice = Some(p.t("rec.unknown_customer").replace("{customer}", &customer));
                }
            }
        } else if !product.is_empty() {
            let s = product.clone();
            let f = blocking(&state, &m.scope, move |app, scope| {
                rec::for_product(&app.warehouses, &app.searches, scope, &s, LIMIT)
            })
            .await?
            .ok_or(AppError::NotFound("product"))?;
            vm.subject = Some(p.t("rec.for_product").replace("{name}", &f.name));
            vm.sections.push((
                p.t("rec.together"),
                "together".into(),
                recommendations::rows(&p, &f.bought_together),
            ));
            vm.sections.push((
                p.t("rec.similar"),
                "similar".into(),
                recommendations::rows(&p, &f.similar),
            ));
        }
        if vm.sections.is_empty() {
            let popular = blocking(&state, &m.scope, |app, scope| {
                rec::popular(&app.warehouses, scope, LIMIT)
            })
            .await?;
            vm.sections.push((
                p.t("rec.popular"),
                "popular".into(),
                recommendations::rows(&p, &popular),
            ));
            // The best customers as starting points (names only for those who may see them).
            let pii = super::customers::pii_for(&m.scope);
            let top = super::shop_data::analytics(&state, &m.scope, move |s| {
                sr360_analytics::top_customers(s, 8, pii)
            })
            .await
            .unwrap_or_default();
            vm.starters = recommendations::starters(&top);
        }
        Ok(())
    }
    .await;
    match outcome {
        Ok(()) => {}
        Err(AppError::NoData) => vm.notice = Some(p.t("rec.not_ready")),
        Err(e) => return Err(e),
    }
    Ok(Html(ui::recommendations(&p, &vm)))
}
