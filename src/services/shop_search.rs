//! Search for the app: one index per shop under `tenants/<id>/search`, the embedding model
//! loaded once for all shops, and what a shop's index holds — products, customers and
//! orders from its warehouse, its exported reports, the charts, the pages and the help.
//!
//! A [`ShopSearch`] is the only way to query: it is made from a tenant scope and carries
//! the access that scope's role grants (personal data or not), so a handler cannot ask for
//! another shop's objects or for more than the caller may see.

use super::Stores;
use sr360_core::{Permission, TenantId};
use sr360_meta::TenantScope;
use sr360_search::{Access, Doc, Embedder, Hit, Kind, Personal, SearchIndex, SentenceModel};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

#[derive(Debug, thiserror::Error)]
pub enum ShopSearchError {
    #[error(transparent)]
    Index(#[from] sr360_search::SearchError),
    #[error("reading the shop's data: {0}")]
    Data(String),
}

/// The sentence model, or why there is none.
type Model = Result<Arc<SentenceModel>, String>;

/// Every shop's search index, and the embedding model (loaded on first use, so commands that
/// never search do not pay for it).
pub struct Searches {
    tenants_dir: PathBuf,
    open: Mutex<HashMap<TenantId, Arc<SearchIndex>>>,
    model_dir: PathBuf,
    model: std::sync::OnceLock<Model>,
}

impl std::fmt::Debug for Searches {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Searches")
            .field("tenants_dir", &self.tenants_dir)
            .field("model_dir", &self.model_dir)
            .finish_non_exhaustive()
    }
}

impl Searches {
    /// Indexes under `data_dir/tenants`; the sentence model from `model_dir` if it loads.
    pub fn new(data_dir: &Path, model_dir: &Path) -> Searches {
        Searches {
            tenants_dir: data_dir.join("tenants"),
            open: Mutex::new(HashMap::new()),
            model_dir: model_dir.to_path_buf(),
            model: std::sync::OnceLock::new(),
        }
    }

    fn model(&self) -> &Model {
        self.model.get_or_init(|| {
            SentenceModel::load(&self.model_dir)
                .map(Arc::new)
                .map_err(|e| {
                    tracing::warn!(error = %e, "search by meaning is off; keyword search only");
                    e.to_string()
                })
        })
    }

    /// The embedding model, when it loads.
    pub fn embedder(&self) -> Option<&dyn Embedder> {
        self.model()
            .as_ref()
            .ok()
            .map(|m| m.as_ref() as &dyn Embedder)
    }

    /// Why search by meaning is off, if it is.
    pub fn missing_model(&self) -> Option<&str> {
        self.model().as_ref().err().map(String::as_str)
    }

    fn index(&self, tenant: &TenantId) -> Result<Arc<SearchIndex>, ShopSearchError> {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(ix) = open.get(tenant) {
            return Ok(ix.clone());
        }
        let ix = Arc::new(SearchIndex::open(
            &self.tenants_dir.join(tenant.as_str()).join("search"),
        )?);
        open.insert(tenant.clone(), ix.clone());
        Ok(ix)
    }

    /// The shop's search, with what `scope` may see.
    pub fn shop(&self, scope: &TenantScope) -> Result<ShopSearch<'_>, ShopSearchError> {
        Ok(ShopSearch {
            index: self.index(scope.tenant())?,
            access: Access {
                personal_data: scope.can(Permission::ViewPii),
            },
            searches: self,
        })
    }

    /// Forget an open index (after a rebuild removed its files).
    fn close(&self, tenant: &TenantId) {
        self.open
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(tenant);
    }
}

/// Results of one search.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Found {
    pub query: String,
    pub hits: Vec<Hit>,
    /// False when only words were searched (no model, or no vectors yet).
    pub semantic: bool,
}

/// One shop's search as one caller may use it.
pub struct ShopSearch<'a> {
    index: Arc<SearchIndex>,
    access: Access,
    searches: &'a Searches,
}

/// Longest query taken; the rest is ignored.
pub const MAX_QUERY: usize = 200;

fn clip(q: &str) -> &str {
    let q = q.trim();
    match q.char_indices().nth(MAX_QUERY) {
        Some((i, _)) => &q[..i],
        None => q,
    }
}

impl ShopSearch<'_> {
    pub fn search(&self, q: &str, limit: usize) -> Result<Found, ShopSearchError> {
        let q = clip(q);
        let vector = match (self.searches.embedder(), self.index.has_vectors(), q) {
            (_, _, "") | (None, _, _) | (_, false, _) => None,
            (Some(e), true, _) => e.embed(&[q]).ok().and_then(|mut v| v.pop()),
        };
        let hits = self
            .index
            .search(q, vector.as_deref(), self.access, limit)?;
        Ok(Found {
            query: q.to_string(),
            hits,
            semantic: vector.is_some(),
        })
    }

    /// Completion as one types: the search page's own ranking (words with typos, meaning),
    /// whose last word is read as the start of a word, so the top bar and the page agree.
    pub fn suggest(&self, q: &str, limit: usize) -> Result<Vec<Hit>, ShopSearchError> {
        if clip(q).is_empty() {
            return Ok(vec![]);
        }
        Ok(self.search(q, limit)?.hits)
    }

    /// Products nearest in meaning to the product `sku` (SKU, cosine similarity).
    pub fn similar_products(&self, sku: &str, k: usize) -> Vec<(String, f32)> {
        self.index.similar(Kind::Product, sku, k)
    }
}

/// The app's own objects (pages, charts, help) and alerts carry their titles in `locale`;
/// the shop's objects keep theirs.
pub fn localize(hits: &mut [Hit], locale: &str) {
    let tr = |key: &str| sr360_ui::tr(locale, key);
    for h in hits {
        let title = match h.kind {
            Kind::Page => sr360_ui::nav_items()
                .find(|(path, _, _)| path.trim_start_matches('/') == h.id)
                .map(|(_, key, _)| tr(key)),
            Kind::Chart => CHARTS
                .iter()
                .find(|(id, _, _)| *id == h.id)
                .map(|(_, key, _)| tr(key)),
            Kind::Help => sr360_ui::pages::HELP_ARTICLES
                .contains(&h.id.as_str())
                .then(|| tr(&format!("help.{}", h.id))),
            Kind::Alert => crate::services::alerts::title_of(&h.id, locale),
            _ => None,
        };
        if let Some(title) = title {
            h.title = title;
        }
    }
}

/// The charts and what each shows, in words a merchant might search with.
const CHARTS: &[(&str, &str, &str)] = &[
    (
        "trend",
        "charts.trend",
        "Revenue over time by day, week or month, against the previous period or last year.",
    ),
    (
        "categories",
        "charts.categories",
        "Which product categories sell the most.",
    ),
    (
        "products",
        "charts.products",
        "Best-selling products by revenue.",
    ),
    (
        "regions",
        "charts.regions",
        "Where customers buy: revenue by region and country.",
    ),
    (
        "channels",
        "charts.channels",
        "Sales by channel: web, mobile app, marketplace.",
    ),
    (
        "customers",
        "charts.customers",
        "First-time buyers against returning customers.",
    ),
    (
        "heatmap",
        "charts.heatmap",
        "Busy and quiet hours: orders by day of the week and hour.",
    ),
    (
        "returns",
        "charts.returns",
        "Return rates and returned units by category.",
    ),
];

fn text(parts: &[Option<&str>]) -> String {
    parts
        .iter()
        .flatten()
        .filter(|s| !s.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" · ")
}

/// The introduction of the page at `path`, where it has one.
fn page_lede(path: &str) -> Option<&'static str> {
    Some(match path {
        "/cohorts" => "cohorts.lede",
        "/upload" => "upload.lede",
        "/customers" => "customers.lede",
        "/segments" => "segments.lede",
        "/forecasts" => "forecast.lede",
        "/recommendations" => "rec.lede",
        "/models" => "models.lede",
        "/search" => "search.lede",
        "/copilot" => "copilot.lede",
        "/reports" => "reports.lede",
        "/audit" => "audit.lede",
        "/permissions" => "perm.lede",
        "/help" => "help.lede",
        _ => return None,
    })
}

/// Everything findable in a shop.
pub fn documents(stores: Stores<'_>, scope: &TenantScope) -> Result<Vec<Doc>, ShopSearchError> {
    let t = |k: &str| sr360_ui::tr("en", k);
    // The app's own words in every language, so a merchant finds a page in theirs; hits are
    // shown in the reader's language (`localize`).
    let every = |k: &str| {
        sr360_ui::LOCALES
            .iter()
            .map(|(l, _, _)| sr360_ui::tr(l, k))
            .collect::<Vec<_>>()
            .join(" · ")
    };
    let mut docs = vec![];
    for (path, key, available) in sr360_ui::nav_items() {
        if available {
            // What the page is for, in words a merchant searches with ("export" finds
            // Reports), from its introduction.
            let lede = page_lede(path)
                .map(|k| format!(" · {}", every(k)))
                .unwrap_or_default();
            docs.push(Doc {
                kind: Kind::Page,
                id: path.trim_start_matches('/').to_string(),
                url: path.to_string(),
                title: t(key),
                body: format!("{} page · {}{lede}", t(key), every(key)),
                personal: None,
            });
        }
    }
    for (id, key, about) in CHARTS {
        docs.push(Doc {
            kind: Kind::Chart,
            id: (*id).to_string(),
            url: format!("/charts#{id}"),
            title: t(key),
            body: format!("{about} · {}", every(key)),
            personal: None,
        });
    }
    for q in sr360_ui::pages::HELP_ARTICLES {
        docs.push(Doc {
            kind: Kind::Help,
            id: q.to_string(),
            url: format!("/help#{q}"),
            title: t(&format!("help.{q}")),
            body: format!(
                "{} · {}",
                t(&format!("help.{q}_a")),
                every(&format!("help.{q}"))
            ),
            personal: None,
        });
    }
    let currency = stores
        .meta
        .tenant(scope.tenant())
        .ok()
        .flatten()
        .map_or_else(|| "USD".to_string(), |t| t.currency);
    for a in super::alerts::all(stores.warehouses, scope).map_err(ShopSearchError::Data)? {
        let w = a.worded("en", &currency);
        docs.push(Doc {
            kind: Kind::Alert,
            id: a.id.clone(),
            url: a.url.clone(),
            title: w.title,
            body: format!(
                "{} {} {}",
                w.text,
                if a.is_low() {
                    "drop fall dip"
                } else {
                    "spike jump rise"
                },
                a.severity
            ),
            personal: None,
        });
    }
    for r in stores
        .meta
        .reports(scope, 10_000)
        .map_err(|e| ShopSearchError::Data(e.to_string()))?
    {
        docs.push(Doc {
            kind: Kind::Report,
            id: r.id.to_string(),
            url: format!("/reports/{}/file", r.id),
            title: r.file_name(),
            body: text(&[Some(&r.title), Some(&r.filters), Some(&r.format)]),
            personal: None,
        });
    }
    let wh = stores
        .warehouses
        .open(scope)
        .map_err(|e| ShopSearchError::Data(e.to_string()))?;
    let f = sr360_analytics::session(&wh, sr360_analytics::findables::findables)
        .map_err(|e| ShopSearchError::Data(e.to_string()))?;
    for p in f.products {
        docs.push(Doc {
            kind: Kind::Product,
            url: format!(
                "/charts?{}#products",
                serde_urlencoded::to_string([("category", p.category.as_str())])
                    .unwrap_or_default()
            ),
            title: p.name.clone(),
            body: text(&[
                Some(&p.category),
                p.brand.as_deref(),
                p.description.as_deref(),
                Some(&p.sku),
            ]),
            id: p.sku,
            personal: None,
        });
    }
    for c in f.customers {
        let orders = format!("{} orders", c.orders);
        // People of one name told apart by their e-mail and city (a name search once listed
        // 30 identical names with only their references).
        let personal = c.name.clone().or(c.email.clone()).map(|title| Personal {
            detail: [c.email.as_deref(), c.city.as_deref()]
                .into_iter()
                .flatten()
                .filter(|d| !d.is_empty() && *d != title)
                .collect::<Vec<_>>()
                .join(" · "),
            title,
            text: text(&[c.name.as_deref(), c.email.as_deref(), c.city.as_deref()]),
        });
        docs.push(Doc {
            kind: Kind::Customer,
            url: format!("/customers/{}", c.reference),
            title: text(&[
                Some(&format!("Customer {}", c.reference)),
                c.country.as_deref(),
                Some(&orders),
            ]),
            body: text(&[
                Some(&c.reference),
                c.country.as_deref(),
                c.region.as_deref(),
                c.channel.as_deref(),
            ]),
            id: c.reference,
            personal,
        });
    }
    for o in f.orders {
        let amount = format!(
            "{:.2} {}",
            o.revenue,
            o.currency.as_deref().unwrap_or_default()
        );
        docs.push(Doc {
            kind: Kind::Order,
            url: match &o.customer_reference {
                Some(r) => format!("/customers/{r}"),
                None => "/charts".to_string(),
            },
            title: text(&[
                Some(&format!("Order {}", o.order_id)),
                Some(&o.day),
                Some(amount.trim()),
            ]),
            body: text(&[
                Some(&o.order_id),
                Some(&o.day),
                o.customer_reference.as_deref(),
                Some(&format!("{} lines", o.lines)),
            ]),
            id: o.order_id,
            personal: None,
        });
    }
    Ok(docs)
}

/// Bring a shop's index up to date with its data (after an upload, a model run, by the CLI).
pub fn refresh(
    searches: &Searches,
    stores: Stores<'_>,
    scope: &TenantScope,
) -> Result<sr360_search::SyncStats, ShopSearchError> {
    let docs = documents(stores, scope)?;
    let index = searches.index(scope.tenant())?;
    Ok(index.sync(&docs, searches.embedder())?)
}

/// Delete a shop's index and build it anew.
pub fn rebuild(
    searches: &Searches,
    stores: Stores<'_>,
    scope: &TenantScope,
) -> Result<sr360_search::SyncStats, ShopSearchError> {
    let dir = searches
        .tenants_dir
        .join(scope.tenant().as_str())
        .join("search");
    searches.close(scope.tenant());
    if dir.exists() {
        std::fs::remove_dir_all(&dir)
            .map_err(|e| ShopSearchError::Data(format!("removing {}: {e}", dir.display())))?;
    }
    refresh(searches, stores, scope)
}
