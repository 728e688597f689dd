//! Signed-in pages of the shop frame and the HTML rendering of errors.

use super::AppState;
use super::ctx::{Ctx, Member, SignedIn};
use super::error::{AppError, ErrorInfo};
use axum::extract::{FromRequestParts, Path, Query, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use sr360_core::{Permission, Role, UserId};
use sr360_meta::MfaState;
use sr360_ui::pages as ui;
use sr360_ui::{Flash, PageCtx, TenantVm, UserVm};
use sr360_views::dashboard;

const FLASH_KEYS: &[&str] = &[
    "saved",
    "mfa_enabled",
    "mfa_disabled",
    "password_changed",
    "token_revoked",
    "role_changed",
    "csrf",
    "signed_out",
    "models_queued",
    "upload_discarded",
];

#[derive(Debug, Deserialize, Default)]
pub struct FlashQuery {
    pub m: Option<String>,
}

/// The frame context of a page for whoever is calling.
pub fn page_ctx(state: &AppState, ctx: &Ctx, flash: Option<&str>) -> PageCtx {
    let locale = ctx.locale();
    let csrf = ctx
        .csrf_binding()
        .map(|b| state.auth.csrf().token(&b))
        .unwrap_or_default();
    let mut p = PageCtx::anonymous(locale, csrf, &ctx.path);
    if let Some(key) = flash.filter(|k| FLASH_KEYS.contains(k)) {
        p.flash = Some(if key == "csrf" {
            Flash::error(p.t(&format!("msg.{key}")))
        } else {
            Flash::ok(p.t(&format!("msg.{key}")))
        });
    }
    if let Some(s) = ctx
        .session
        .as_ref()
        .filter(|s| s.state == sr360_meta::SessionState::Active)
    {
        p.theme = s.user.theme.clone();
        p.user = Some(UserVm {
            id: s.user.id.0,
            email: s.user.email.clone(),
            display_name: s.user.display_name.clone(),
            is_operator: s.user.is_operator,
        });
        let memberships = state.meta.memberships_of(s.user.id).unwrap_or_default();
        p.tenants = memberships
            .iter()
            .map(|m| TenantVm {
                id: m.tenant_id.to_string(),
                name: m.tenant_name.clone(),
                role: m.role.as_str().into(),
            })
            .collect();
        p.tenant = s.scope.as_ref().and_then(|sc| {
            p.tenants
                .iter()
                .find(|t| t.id == sc.tenant().as_str())
                .cloned()
        });
        if let Some(sc) = &s.scope {
            p.unread = state.meta.unread_notifications(sc, s.user.id).unwrap_or(0);
        }
    }
    p
}

/// On a page that needs order lines (customers, cohorts, segments, recommendations) of a
/// shop whose sales are only totals per period: say so above the empty page.
pub async fn note_totals_only(state: &AppState, scope: &sr360_meta::TenantScope, p: &mut PageCtx) {
    let Ok(wh) = state.warehouses.open(scope) else {
        return;
    };
    let only =
        tokio::task::spawn_blocking(move || sr360_analytics::session(&wh, |s| s.totals_only()))
            .await;
    if let Ok(Ok(true)) = only {
        p.flash = Some(Flash::info(p.t("data.totals_only")));
    }
}

pub async fn root(ctx: Ctx) -> Redirect {
    if ctx.session.is_some() {
        Redirect::to("/dashboard")
    } else {
        Redirect::to("/login")
    }
}

#[derive(Debug, Deserialize)]
pub struct DashboardQuery {
    m: Option<String>,
    days: Option<u32>,
}

/// The dashboard's key figures: the last `days` days of data against the days before.
async fn key_figures(
    state: &AppState,
    scope: &sr360_meta::TenantScope,
    days: u32,
) -> Result<(Vec<ui::KpiVm>, Option<ui::PeriodVm>), AppError> {
    let data =
        super::shop_data::analytics(state, scope, move |s| dashboard::gather(s, days)).await?;
    Ok(dashboard::key_figures(data.as_ref(), days))
}

pub async fn dashboard(
    State(state): State<AppState>,
    m: Member,
    Query(q): Query<DashboardQuery>,
) -> Result<Html<String>, AppError> {
    m.require(Permission::ViewAnalytics)?;
    let p = page_ctx(&state, m.ctx(), q.m.as_deref());
    let tenant = super::ctx::shop_of(&state, &m.scope)?;
    let demo_dir = state
        .warehouses
        .tenant_dir(m.scope.tenant())
        .join("objects")
        .join("demo-shop");
    let mut demo_files: Vec<String> = std::fs::read_dir(&demo_dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    demo_files.sort();
    let uploads = state.meta.uploads(&m.scope, 5)?;
    let has_data = uploads
        .iter()
        .any(|u| u.status == sr360_meta::UploadStatus::Succeeded);
    let days = q
        .days
        .filter(|d| [7, 30, 90, 365].contains(d))
        .unwrap_or(30);
    let (kpis, period) = if has_data {
        key_figures(&state, &m.scope, days).await?
    } else {
        (vec![], None)
    };
    let recent_uploads = uploads
        .iter()
        .map(|u| (u.id, u.file_name.clone(), u.status.to_string()))
        .collect();
    let models = models_card(&state, &m.scope, &p, &tenant.currency).await?;
    let vm = ui::DashboardVm {
        shop_name: tenant.name,
        currency: tenant.currency,
        member_count: state.meta.tenant_member_count(m.scope.tenant())?,
        mfa_on: m.user().mfa == MfaState::On,
        has_data,
        demo_files: if has_data { vec![] } else { demo_files },
        kpis,
        period,
        recent_uploads,
        models,
    };
    Ok(Html(ui::dashboard(&p, &vm)))
}

#[derive(Debug, Deserialize)]
pub struct AuditQuery {
    before: Option<i64>,
}

pub async fn audit(
    State(state): State<AppState>,
    m: Member,
    Query(q): Query<AuditQuery>,
) -> Result<Html<String>, AppError> {
    m.require(Permission::ManageTenant)?;
    let p = page_ctx(&state, m.ctx(), None);
    const PAGE: u32 = 100;
    let rows = state.meta.audit_for_tenant(&m.scope, q.before, PAGE)?;
    let next = (rows.len() == PAGE as usize)
        .then(|| rows.last().map(|r| r.id))
        .flatten();
    let vms = sr360_views::audit::rows(&p, rows);
    Ok(Html(ui::audit_log(&p, &vms, next)))
}

pub async fn permissions(
    State(state): State<AppState>,
    m: Member,
    Query(q): Query<FlashQuery>,
) -> Result<Html<String>, AppError> {
    m.require(Permission::ViewAnalytics)?;
    let p = page_ctx(&state, m.ctx(), q.m.as_deref());
    let members: Vec<ui::MemberVm> = state
        .meta
        .members(&m.scope)?
        .into_iter()
        .map(|x| ui::MemberVm {
            user_id: x.user_id.0,
            email: x.email,
            display_name: x.display_name,
            role: x.role.as_str().into(),
        })
        .collect();
    let grantable: Vec<&'static str> = sr360_auth::Auth::grantable_roles(&m.scope)
        .into_iter()
        .map(Role::as_str)
        .collect();
    Ok(Html(ui::permissions(
        &p,
        &members,
        &grantable,
        m.scope.can(Permission::ViewPii),
    )))
}

#[derive(Debug, Deserialize)]
pub struct RoleForm {
    role: String,
}

pub async fn set_role(
    State(state): State<AppState>,
    m: Member,
    Path(user_id): Path<i64>,
    axum::Form(f): axum::Form<RoleForm>,
) -> Result<Redirect, AppError> {
    m.require(Permission::ManageTenant)?;
    let role = Role::parse(&f.role).ok_or_else(|| AppError::Invalid("unknown role".into()))?;
    let actor = m.actor();
    state
        .meta
        .set_role(&m.scope, UserId(user_id), role, &actor)?;
    Ok(Redirect::to("/permissions?m=role_changed"))
}

pub async fn help(State(state): State<AppState>, s: SignedIn) -> Html<String> {
    Html(ui::help(&page_ctx(&state, &s.ctx, None)))
}

pub async fn admin_tenants(
    State(state): State<AppState>,
    s: SignedIn,
) -> Result<Html<String>, AppError> {
    if !s.user().is_operator {
        return Err(AppError::NotFound("page"));
    }
    let rows = state
        .meta
        .list_tenants()?
        .into_iter()
        .map(|t| {
            Ok(ui::TenantRowVm {
                members: state.meta.tenant_member_count(&t.id)?,
                id: t.id.to_string(),
                name: t.name,
                created_at: t.created_at,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    Ok(Html(ui::admin_tenants(
        &page_ctx(&state, &s.ctx, None),
        &rows,
    )))
}

/// Navigation targets whose feature is not in this build.
pub async fn upcoming(
    State(state): State<AppState>,
    s: SignedIn,
    Path(page): Path<String>,
) -> Result<Html<String>, AppError> {
    let path = format!("/{page}");
    let (_, key, _) = sr360_ui::nav_items()
        .find(|(p, _, available)| *p == path && !available)
        .ok_or(AppError::NotFound("page"))?;
    Ok(Html(ui::upcoming(&page_ctx(&state, &s.ctx, None), key)))
}

pub async fn not_found() -> AppError {
    AppError::NotFound("page")
}

/// Turn error responses of page routes into HTML: sign-in redirects for missing sessions,
/// an error page otherwise. API routes keep their JSON.
pub async fn html_errors(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    if path.starts_with("/api/")
        || path.starts_with("/assets/")
        || path == "/healthz"
        || path == "/metrics"
    {
        return next.run(req).await;
    }
    let is_get = req.method() == Method::GET;
    let (mut parts, body) = req.into_parts();
    let ctx = Ctx::from_request_parts(&mut parts, &state).await.ok();
    let resp = next.run(Request::from_parts(parts, body)).await;
    let Some(info) = resp.extensions().get::<ErrorInfo>().cloned() else {
        return resp;
    };
    match info.code {
        "unauthenticated" if is_get => return Redirect::to("/login").into_response(),
        "mfa_pending" => return Redirect::to("/mfa").into_response(),
        _ => {}
    }
    let status = resp.status();
    let retry = resp.headers().get(header::RETRY_AFTER).cloned();
    let p = match &ctx {
        Some(c) => page_ctx(&state, c, None),
        None => PageCtx::anonymous("en", String::new(), &path),
    };
    let mut out = (
        status,
        Html(ui::error_page(&p, status.as_u16(), &info.message)),
    )
        .into_response();
    if let Some(r) = retry {
        out.headers_mut().insert(header::RETRY_AFTER, r);
    }
    out.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if status == StatusCode::INTERNAL_SERVER_ERROR {
        tracing::debug!("rendered internal error page");
    }
    out.extensions_mut().insert(info);
    out
}

pub async fn notifications(
    State(state): State<AppState>,
    m: Member,
) -> Result<Html<String>, AppError> {
    let p = page_ctx(&state, m.ctx(), None);
    let currency = super::ctx::shop_of(&state, &m.scope)?.currency;
    let items: Vec<ui::NotificationVm> = state
        .meta
        .notifications(&m.scope, m.user().id, 100)?
        .into_iter()
        .map(|n| {
            let (title, body) = crate::services::notices::worded(&n, p.locale, &currency);
            (title, body, n.link, n.created_at, !n.read)
        })
        .collect();
    state.meta.mark_notifications_read(&m.scope, m.user().id)?;
    // Read now: the sidebar's count goes with them.
    let p = PageCtx { unread: 0, ..p };
    Ok(Html(ui::notifications(&p, &items)))
}

/// `GET /notifications/events`: the unread count as server-sent events (`unread`, the
/// number), sent at once and whenever it changes, so the sidebar stays current without a
/// reload.
pub async fn unread_events(
    State(state): State<AppState>,
    m: Member,
) -> Sse<impl futures::Stream<Item = Result<Event, std::convert::Infallible>>> {
    let scope = m.scope.clone();
    let user = m.user().id;
    let until = tokio::time::Instant::now() + UNREAD_STREAM;
    let stopping = state.stopping.clone().cancelled_owned();
    let stream = futures::stream::unfold(
        (state, scope, None::<u32>),
        move |(state, scope, last)| async move {
            loop {
                // A stream ends after a while (the browser reconnects), so a forgotten tab
                // holds nothing for long; a stopping server ends it at once (take_until).
                if tokio::time::Instant::now() >= until {
                    return None;
                }
                let n = state.meta.unread_notifications(&scope, user).unwrap_or(0);
                if last != Some(n) {
                    let ev = Event::default().event("unread").data(n.to_string());
                    return Some((Ok(ev), (state, scope, Some(n))));
                }
                tokio::time::sleep(UNREAD_POLL).await;
            }
        },
    );
    Sse::new(futures::StreamExt::take_until(stream, stopping)).keep_alive(KeepAlive::default())
}

/// How often an open page's unread count is looked up.
const UNREAD_POLL: std::time::Duration = std::time::Duration::from_secs(3);
/// How long one stream of it lasts before the browser opens the next.
const UNREAD_STREAM: std::time::Duration = std::time::Duration::from_secs(300);

/// The dashboard's model status: the last run, the shop's revenue forecast for the next 14
/// days, and unusual days in the last week of data.
async fn models_card(
    state: &AppState,
    scope: &sr360_meta::TenantScope,
    p: &PageCtx,
    currency: &str,
) -> Result<Option<ui::ModelsCardVm>, AppError> {
    let Some(run) = state.meta.model_runs(scope, 1)?.into_iter().next() else {
        return Ok(None);
    };
    let stamp = (run.id, run.status);
    let card = match state.model_cards.get(scope.tenant(), &stamp) {
        Some(card) => card,
        None => {
            let card = super::shop_data::read(state, scope, |c| {
                Ok((
                    sr360_ml::store::forecast(c, "revenue", 7)?,
                    sr360_ml::store::anomalies(c, 20)?,
                    sr360_ml::store::data_window(c)?,
                ))
            })
            .await?;
            state.model_cards.put(scope.tenant().clone(), stamp, card)
        }
    };
    Ok(Some(dashboard::models_card(
        p,
        &run,
        card.0.as_ref(),
        &card.1,
        card.2,
        currency,
    )))
}
