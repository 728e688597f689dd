//! The funnel page and API: typed funnel questions to the query layer, turned into steps, a
//! funnel chart, tables by channel, category and product, and flagged products.

use super::AppState;
use super::charts::{ChartsQuery, ask, chart_svgs};
use super::ctx::{ApiCaller, Member};
use super::error::AppError;
use super::pages::page_ctx;
use axum::Json;
use axum::extract::{Query, State};
use axum::response::Html;
use serde::{Deserialize, Serialize};
use sr360_analytics::{Filters, FunnelBy, FunnelRow, QueryError, TimeRange, Underperformer};
use sr360_core::Permission;
use sr360_meta::TenantScope;
use sr360_ui::charts::{ChartKind, ChartSpec};
use sr360_ui::pages::{self as ui, CellVm, ChartCardVm, TableVm};
use sr360_ui::{PageCtx, format};

/// Product sessions a product needs before it can be flagged.
const MIN_VIEWS: i64 = 80;

struct FunnelData {
    all: TimeRange,
    range: TimeRange,
    overall: Option<FunnelRow>,
    channels: Vec<FunnelRow>,
    categories: Vec<FunnelRow>,
    products: Vec<FunnelRow>,
    flags: Vec<Underperformer>,
    options: [Vec<String>; 2],
}

fn gather(
    s: &sr360_analytics::Session<'_>,
    range: Option<TimeRange>,
    filters: &Filters,
) -> Result<Option<FunnelData>, QueryError> {
    let Some(all) = s.data_range()? else {
        return Ok(None);
    };
    let range = range.unwrap_or(all.last_days(90));
    let overall = match sr360_analytics::funnel(s, FunnelBy::Overall, Some(range), filters, 1) {
        Ok(mut v) => v.pop(),
        Err(QueryError::NoData) => {
            return Ok(Some(FunnelData {
                all,
                range,
                overall: None,
                channels: vec![],
                categories: vec![],
                products: vec![],
                flags: vec![],
                options: [vec![], vec![]],
            }));
        }
        Err(e) => return Err(e),
    };
    let channels = sr360_analytics::funnel(s, FunnelBy::Channel, Some(range), filters, 50)?;
    let categories = sr360_analytics::funnel(s, FunnelBy::Category, Some(range), filters, 50)?;
    let mut products = sr360_analytics::funnel(s, FunnelBy::Product, Some(range), filters, 10_000)?;
    // Worst view→purchase among the well-visited products, most visited first.
    products.retain(|p| p.views >= MIN_VIEWS);
    products.sort_by(|a, b| {
        a.rates()[3]
            .unwrap_or(0.0)
            .total_cmp(&b.rates()[3].unwrap_or(0.0))
            .then(b.views.cmp(&a.views))
    });
    products.truncate(15);
    let mut flags = sr360_analytics::underperformers(s, Some(range), MIN_VIEWS)?;
    if !filters.category.is_empty() {
        flags.retain(|f| filters.category.contains(&f.category));
    }
    let names = |by: FunnelBy| -> Result<Vec<String>, QueryError> {
        let mut v: Vec<String> = sr360_analytics::funnel(s, by, None, &Filters::default(), 200)?
            .into_iter()
            .map(|r| r.key)
            .collect();
        v.sort();
        Ok(v)
    };
    Ok(Some(FunnelData {
        all,
        range,
        overall,
        channels,
        categories,
        products,
        flags,
        options: [names(FunnelBy::Channel)?, names(FunnelBy::Category)?],
    }))
}

fn pct(p: &PageCtx, v: Option<f64>) -> String {
    v.map(|x| format::percent(p.locale, x))
        .unwrap_or_else(|| "—".into())
}

fn table(p: &PageCtx, rows: &[FunnelRow], link: &dyn Fn(&FunnelRow) -> Option<String>) -> TableVm {
    let headers = [
        "funnel.key",
        "funnel.views",
        "funnel.carts",
        "funnel.checkouts",
        "funnel.purchases",
        "funnel.view_to_cart",
        "funnel.cart_to_checkout",
        "funnel.checkout_to_purchase",
        "funnel.view_to_purchase",
    ]
    .iter()
    .map(|k| p.t(k))
    .collect();
    let rows = rows
        .iter()
        .map(|r| {
            let mut cells = vec![CellVm::link(
                r.name.clone().unwrap_or_else(|| format::label(&r.key)),
                link(r),
            )];
            for v in [r.views, r.carts, r.checkouts, r.purchases] {
                cells.push(CellVm::number(
                    format::amount(p.locale, v as f64),
                    Some(v as f64),
                ));
            }
            for v in r.rates() {
                cells.push(CellVm::number(pct(p, v), v));
            }
            cells
        })
        .collect();
    TableVm { headers, rows }
}

pub async fn funnel_page(
    State(state): State<AppState>,
    m: Member,
    Query(q): Query<ChartsQuery>,
) -> Result<Html<String>, AppError> {
    m.require(Permission::ViewAnalytics)?;
    let p = page_ctx(&state, m.ctx(), None);
    let mut vm = funnel_view(&state, &m.scope, &p, &q).await?;
    vm.export = super::reports::export_action(&m.scope, "funnel", &q.to_query());
    Ok(Html(ui::funnel(&p, &vm)))
}

/// Everything the funnel page shows (also what its exports print).
pub(super) async fn funnel_view(
    state: &AppState,
    scope: &TenantScope,
    p: &PageCtx,
    q: &ChartsQuery,
) -> Result<ui::FunnelVm, AppError> {
    let a = ask(q)?;
    let mut filters = a.filters.clone();
    filters.region.clear();
    let f2 = filters.clone();
    let wh = state.warehouses.open(scope).map_err(AppError::internal)?;
    let data = tokio::task::spawn_blocking(move || {
        sr360_analytics::session(&wh, |s| gather(s, a.range, &f2))
    })
    .await
    .map_err(AppError::internal)??;
    let empty = ui::FunnelVm {
        empty: true,
        ..Default::default()
    };
    let Some(d) = data else { return Ok(empty) };
    let Some(o) = d.overall.clone() else {
        return Ok(empty);
    };
    let labels = [
        "funnel.views",
        "funnel.carts",
        "funnel.checkouts",
        "funnel.purchases",
    ]
    .map(|k| p.t(k));
    let counts = [o.views, o.carts, o.checkouts, o.purchases];
    let rates = o.rates();
    let steps = (0..4)
        .map(|i| {
            (
                labels[i].clone(),
                format::amount(p.locale, counts[i] as f64),
                if i == 0 {
                    String::new()
                } else {
                    p.t("funnel.of_previous")
                        .replace("{rate}", &pct(p, rates[i - 1]))
                },
            )
        })
        .collect();
    let mut spec = ChartSpec::new(ChartKind::Funnel, p.t("funnel.overall"));
    spec.labels = labels.to_vec();
    spec.series = vec![(
        p.t("funnel.sessions"),
        counts.iter().map(|c| *c as f64).collect(),
    )];
    let (svg_light, svg_dark) = chart_svgs(p, &spec);
    let step_names = [
        "funnel.view_to_cart",
        "funnel.cart_to_checkout",
        "funnel.checkout_to_purchase",
    ];
    let worst = (0..3)
        .min_by(|a, b| {
            rates[*a]
                .unwrap_or(1.0)
                .total_cmp(&rates[*b].unwrap_or(1.0))
        })
        .unwrap_or(0);
    let summary = p
        .t("funnel.sum_overall")
        .replace("{views}", &format::amount(p.locale, o.views as f64))
        .replace("{purchases}", &format::amount(p.locale, o.purchases as f64))
        .replace("{rate}", &pct(p, rates[3]))
        .replace("{step}", &p.t(step_names[worst]));
    let chart = ChartCardVm {
        id: "overall",
        title: spec.title.clone(),
        spec: Some(spec),
        svg_light,
        svg_dark,
        summary,
        table: table(p, std::slice::from_ref(&o), &|_| None),
    };
    let link = |key: &str, value: &str| {
        let mut pairs = vec![
            ("from".to_string(), d.range.from.to_string()),
            ("to".to_string(), d.range.to.to_string()),
        ];
        for (k, v) in [
            ("channel", filters.channel.first()),
            ("category", filters.category.first()),
        ] {
            match (k == key, v) {
                (true, _) => pairs.push((k.into(), value.to_string())),
                (false, Some(v)) => pairs.push((k.into(), v.clone())),
                _ => {}
            }
        }
        format!(
            "/funnel?{}",
            serde_urlencoded::to_string(&pairs).unwrap_or_default()
        )
    };
    let tables = vec![
        ChartCardVm {
            id: "by-channel",
            title: p.t("funnel.by_channel"),
            table: table(p, &d.channels, &|r| Some(link("channel", &r.key))),
            ..Default::default()
        },
        ChartCardVm {
            id: "by-category",
            title: p.t("funnel.by_category"),
            table: table(p, &d.categories, &|r| Some(link("category", &r.key))),
            ..Default::default()
        },
        ChartCardVm {
            id: "products",
            title: p.t("funnel.worst_products"),
            summary: if d.products.is_empty() {
                p.t("funnel.no_products")
            } else {
                String::new()
            },
            table: table(p, &d.products, &|r| {
                r.category.as_ref().map(|c| link("category", c))
            }),
            ..Default::default()
        },
    ];
    let flags = d
        .flags
        .iter()
        .map(|f| ui::FlagVm {
            sku: f.sku.clone(),
            name: f.name.clone(),
            category: format::label(&f.category),
            evidence: p
                .t("funnel.evidence")
                .replace("{views}", &format::amount(p.locale, f.views as f64))
                .replace("{carts}", &format::amount(p.locale, f.carts as f64))
                .replace("{rate}", &format::percent(p.locale, f.rate))
                .replace(
                    "{category_rate}",
                    &format::percent(p.locale, f.category_rate),
                )
                .replace("{category}", &format::label(&f.category))
                .replace("{z}", &format::number(p.locale, f.z, 1)),
            suggestion: p.t(&format!("funnel.fix_{}", f.weak_step)),
            href: link("category", &f.category),
        })
        .collect();
    let vm = ui::FunnelVm {
        from: d.range.from.to_string(),
        to: d.range.to.to_string(),
        min: d.all.from.to_string(),
        max: d.all.to.to_string(),
        channel: filters.channel.first().cloned().unwrap_or_default(),
        category: filters.category.first().cloned().unwrap_or_default(),
        channels: d.options[0].clone(),
        categories: d.options[1].clone(),
        steps,
        chart: Some(chart),
        tables,
        flags,
        empty: false,
        export: None,
    };
    Ok(vm)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct FunnelParams {
    /// `overall` (default), `channel`, `category` or `product`.
    by: Option<FunnelBy>,
    from: Option<String>,
    to: Option<String>,
    channel: Option<String>,
    category: Option<String>,
    limit: Option<u32>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct FunnelAnswer {
    rows: Vec<FunnelRow>,
    /// Products converting far below their category (two-proportion z-test).
    underperformers: Vec<Underperformer>,
}

/// The purchase funnel of the caller's shop, split as asked, with flagged products.
#[utoipa::path(get, path = "/api/v1/funnel", tag = "analytics", params(FunnelParams),
    responses((status = 200, body = FunnelAnswer), (status = 409, description = "no sales or web events loaded yet (`no_data`)")), security(("bearer" = [])))]
pub async fn funnel_api(
    State(state): State<AppState>,
    caller: ApiCaller,
    Query(q): Query<FunnelParams>,
) -> Result<Json<FunnelAnswer>, AppError> {
    caller.require(Permission::ViewAnalytics)?;
    let cq = ChartsQuery {
        from: q.from,
        to: q.to,
        channel: q.channel,
        category: q.category,
        ..Default::default()
    };
    let a = ask(&cq)?;
    let by = q.by.unwrap_or(FunnelBy::Overall);
    let limit = q.limit.unwrap_or(100);
    let wh = state
        .warehouses
        .open(&caller.scope)
        .map_err(AppError::internal)?;
    let answer = tokio::task::spawn_blocking(move || {
        sr360_analytics::session(&wh, |s| {
            let rows = sr360_analytics::funnel(s, by, a.range, &a.filters, limit)?;
            let underperformers = sr360_analytics::underperformers(s, a.range, MIN_VIEWS)?;
            Ok(FunnelAnswer {
                rows,
                underperformers,
            })
        })
    })
    .await
    .map_err(AppError::internal)??;
    Ok(Json(answer))
}
