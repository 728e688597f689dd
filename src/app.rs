//! Assembling the application from its configuration: the data directory, meta.sqlite, the
//! signing key, the authentication service and the tenant warehouses. Used by `serve`,
//! `demo` and the CLI commands alike, and by the integration tests.

use anyhow::Context;
use sr360_auth::{
    Auth, AuthConfig, CsrfKey, KeyStore, PasswordHasher, RateLimits, load_or_create_signing_key,
};
use sr360_core::{Clock, Config, Entropy};
use sr360_meta::MetaStore;
use sr360_warehouse::{Limits, Warehouses};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

pub struct App {
    pub config: Config,
    pub meta: Arc<MetaStore>,
    pub auth: Auth,
    pub warehouses: Warehouses,
    pub clock: Arc<dyn Clock>,
    pub entropy: Arc<dyn Entropy>,
    pub key_store: KeyStore,
    pub started: Instant,
    /// Wakes the upload worker when a file is queued.
    pub upload_notify: Arc<tokio::sync::Notify>,
    /// The lake of raw uploads (local directory or S3-compatible bucket).
    pub objects: crate::services::objects::Objects,
    /// Every shop's search index and the embedding model.
    pub searches: crate::services::shop_search::Searches,
    /// The dashboard's model card (revenue forecast and anomalies), read once per run.
    pub model_cards: crate::services::run_cache::RunCache<ModelCard>,
    /// The copilot's open conversations (the last plan of each).
    pub conversations: crate::services::conversations::Conversations,
    /// The copilot's local language model (loaded on first use).
    pub copilot: crate::services::copilot_model::CopilotModel,
    /// Cancelled when the server begins to stop: long-lived answers (event streams) end at
    /// once instead of holding the stop for its whole grace time.
    pub stopping: tokio_util::sync::CancellationToken,
    /// Outgoing e-mail (sign-up links), when `[mail]` is set up.
    pub mailer: crate::services::mail::Mailer,
    /// The last integrity check of meta.sqlite and when it ran (`/healthz` runs one a
    /// minute at most: a probe every second must not scan the database every second).
    health: std::sync::Mutex<Option<(i64, String)>>,
}

/// What the dashboard's model card shows of the results in the warehouse: the revenue
/// forecast, the anomalies and the days of data they were computed from.
pub type ModelCard = (
    Option<sr360_ml::store::ForecastView>,
    Vec<sr360_ml::store::AnomalyRow>,
    Option<(time::Date, time::Date)>,
);

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App")
            .field("data_dir", &self.config.data_dir)
            .field("key_store", &self.key_store)
            .finish_non_exhaustive()
    }
}

pub fn meta_path(data: &Path) -> PathBuf {
    data.join("meta.sqlite")
}

impl App {
    /// The meta store and the warehouses, for the services that need no more.
    pub fn stores(&self) -> crate::services::Stores<'_> {
        crate::services::Stores {
            meta: &self.meta,
            warehouses: &self.warehouses,
        }
    }

    /// What receiving and loading uploads needs.
    pub fn intake(&self) -> crate::services::upload_jobs::Intake<'_> {
        crate::services::upload_jobs::Intake {
            meta: &self.meta,
            warehouses: &self.warehouses,
            objects: &self.objects,
            entropy: &*self.entropy,
            max_reject_ratio: self.config.pipeline.max_reject_ratio,
        }
    }

    pub fn open(
        config: Config,
        clock: Arc<dyn Clock>,
        entropy: Arc<dyn Entropy>,
    ) -> anyhow::Result<Arc<App>> {
        let data = &config.data_dir;
        std::fs::create_dir_all(data.join("tenants"))
            .with_context(|| format!("cannot create data directory {}", data.display()))?;
        let meta = Arc::new(
            MetaStore::open(&meta_path(data), clock.clone())
                .with_context(|| format!("cannot open {}", meta_path(data).display()))?,
        );
        let (key, key_store) = load_or_create_signing_key(
            &meta,
            data,
            config.secrets.backend,
            config.auth.signing_key.as_ref(),
            &*entropy,
        )
        .context("signing key")?;
        let a = &config.auth;
        let hasher = PasswordHasher::new(
            a.argon2_memory_kib,
            a.argon2_iterations,
            a.argon2_lanes,
            &*entropy,
        )
        .context("password hasher")?;
        let auth = Auth::new(
            meta.clone(),
            clock.clone(),
            entropy.clone(),
            hasher,
            RateLimits::new(
                a.attempts_per_minute_per_ip,
                a.attempts_per_minute_per_account,
            ),
            CsrfKey::new(key),
            AuthConfig {
                session_ttl_secs: a.session_hours * 3600,
                lockout_threshold: a.lockout_threshold,
                lockout_secs: a.lockout_minutes * 60,
                signup: a.signup,
            },
        );
        let warehouses = Warehouses::new(
            data,
            Limits {
                memory_limit: config.warehouse.memory_limit.clone(),
                threads: config.warehouse.threads,
            },
        )
        .with_schema(sr360_pipeline::schema::ensure);
        let objects =
            crate::services::objects::Objects::from_config(&config).context("object store")?;
        let searches = crate::services::shop_search::Searches::new(
            data,
            &config.model_path(&config.models.embeddings),
        );
        let copilot = crate::services::copilot_model::CopilotModel::new(&config);
        let mailer = crate::services::mail::Mailer::from_config(&config.mail).context("mail")?;
        Ok(Arc::new(App {
            config,
            meta,
            auth,
            warehouses,
            clock,
            entropy,
            key_store,
            started: Instant::now(),
            upload_notify: Arc::new(tokio::sync::Notify::new()),
            objects,
            searches,
            model_cards: Default::default(),
            conversations: Default::default(),
            copilot,
            mailer,
            stopping: tokio_util::sync::CancellationToken::new(),
            health: std::sync::Mutex::new(None),
        }))
    }

    /// meta.sqlite's integrity ("ok" or what is wrong) and when it was checked (unix
    /// seconds, the app's clock): checked at most once a minute.
    pub fn meta_health(&self) -> Result<(String, i64), sr360_meta::MetaError> {
        const EVERY_SECS: i64 = 60;
        let now = self.clock.now().unix_timestamp();
        let mut last = self.health.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((at, v)) = &*last
            && (0..EVERY_SECS).contains(&(now - at))
        {
            return Ok((v.clone(), *at));
        }
        let v = self.meta.quick_check()?;
        *last = Some((now, v.clone()));
        Ok((v, now))
    }
}
