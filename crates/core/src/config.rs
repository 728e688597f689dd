//! One typed configuration: documented defaults, then an optional TOML file, then `SR360_*`
//! environment variables (nested keys joined by `__`, e.g. `SR360_AUTH__SESSION_HOURS=12`),
//! then command-line flags. Secrets are `Secret<_>` so `{:?}` never prints them, and a
//! configured key that looks like a placeholder is refused.

use crate::Secret;
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Data directory: meta.sqlite, tenants/, models/.
    pub data_dir: PathBuf,
    pub server: ServerConfig,
    pub auth: AuthConfig,
    pub warehouse: WarehouseConfig,
    pub secrets: SecretsConfig,
    pub log: LogConfig,
    pub models: ModelsConfig,
    pub pipeline: PipelineConfig,
    pub storage: StorageConfig,
    pub copilot: CopilotConfig,
    pub mail: MailConfig,
}

/// Who may create a shop at `/signup`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignupPolicy {
    /// Only while the server has no shop: the first visitor sets up the shop, later people
    /// are added by its owner.
    #[default]
    FirstShop,
    /// Anyone, once they follow a link sent to their e-mail address (needs `[mail]`); the
    /// answer is the same whether or not the address already has an account.
    Confirmed,
    /// Anyone, signed in at once. This tells whether an e-mail already has an account:
    /// for trusted networks only.
    Open,
    /// Nobody: people are added with `sr360 user add`.
    Closed,
}

/// Outgoing e-mail (sign-up confirmations).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MailConfig {
    /// The SMTP server, e.g. `smtps://user:password@mail.example.com` (TLS),
    /// `smtp://user:password@mail.example.com:587?tls=required` (STARTTLS) or
    /// `smtp://127.0.0.1:25` (a relay on this machine). Unset: no e-mail is sent.
    pub smtp_url: Option<Secret<String>>,
    /// The sender, e.g. `SmartRetail360 <shop@example.com>`.
    pub from: String,
    /// The address people use to reach this server, for links in e-mails
    /// (e.g. `https://analytics.example.com`); unset: the address the request came to.
    pub public_url: String,
}

/// Where raw uploads (the lake's bronze objects) are kept.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StorageKind {
    /// Under `data_dir/tenants/<shop>/objects/`.
    #[default]
    Local,
    /// An S3-compatible bucket (AWS S3, MinIO, Ceph, R2, ...).
    S3,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StorageConfig {
    pub kind: StorageKind,
    pub s3: S3Config,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct S3Config {
    pub bucket: String,
    /// The service's address for S3-compatible stores (e.g. `http://127.0.0.1:9000`);
    /// empty for AWS itself.
    pub endpoint: String,
    pub region: String,
    /// Empty: taken from the environment (`AWS_ACCESS_KEY_ID`, instance profile, ...).
    pub access_key_id: String,
    pub secret_access_key: Option<Secret<String>>,
    /// Allow a plain-http endpoint (a store on the same machine or network).
    pub allow_http: bool,
}

impl Default for S3Config {
    fn default() -> Self {
        Self {
            bucket: String::new(),
            endpoint: String::new(),
            region: "us-east-1".into(),
            access_key_id: String::new(),
            secret_access_key: None,
            allow_http: false,
        }
    }
}

/// The copilot's local language model (the GGUF file is `models.llm`). The parser answers
/// without it; the model is asked only when the parser abstains.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CopilotConfig {
    /// Who plans a question: `both` (the parser, then the model when the parser abstains),
    /// `parser` (never the model) or `model` (always the model; for measuring it).
    pub planner: Planner,
    /// CPU threads for one completion.
    pub threads: u32,
    /// Context window in tokens.
    pub context_tokens: u32,
    /// Wall-clock budget of one completion, in seconds.
    pub time_limit_secs: u64,
    /// Longest a question waits for its turn at the model (one at a time, first come
    /// first served) before it is answered by the parser alone.
    pub queue_secs: u64,
    /// SQL mode: a statement running longer is interrupted.
    pub sql_time_limit_secs: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Planner {
    Both,
    Parser,
    Model,
}

impl Default for CopilotConfig {
    fn default() -> Self {
        Self {
            planner: Planner::Both,
            threads: 2,
            context_tokens: 2048,
            time_limit_secs: 20,
            queue_secs: 30,
            sql_time_limit_secs: 10,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PipelineConfig {
    /// Largest upload accepted, in bytes (answered with 413 before the body is read when
    /// the client announces its length).
    pub max_upload_bytes: u64,
    /// Share of rows that may be rejected before an upload fails as a whole.
    pub max_reject_ratio: f64,
}

impl Default for PipelineConfig {
    fn default() -> Self {
        Self {
            max_upload_bytes: 2 << 30,
            max_reject_ratio: 0.1,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerConfig {
    pub addr: SocketAddr,
    /// Set when a TLS-terminating proxy serves the site over https: cookies become `Secure`
    /// and `__Host-` prefixed for every host, not only localhost.
    pub behind_tls: bool,
    /// Trust `X-Forwarded-For` for the client address (only behind your own proxy).
    pub trust_forwarded_for: bool,
    /// Largest request body accepted, in bytes (uploads get their own limit later).
    pub max_body_bytes: usize,
    /// Seconds a request may take before it is answered with 408. Uploads have no wall clock:
    /// they fail when the client sends nothing for this long.
    pub request_timeout_secs: u64,
    /// Serve `/metrics` (Prometheus text: counts, no shop data) — to clients on this machine
    /// only, unless `metrics_token` is set: then to any client that sends it as a bearer token.
    pub metrics: bool,
    pub metrics_token: Option<Secret<String>>,
    /// Host names (or ".domain" for a domain and the names under it, or "*") the server
    /// answers to besides localhost names and the address it is bound to. Requests for any
    /// other name get 421: a foreign page cannot reach a local instance by DNS rebinding.
    pub allowed_hosts: Vec<String>,
    /// Connections open at once (at most half the process's file descriptors); further
    /// clients wait to be accepted.
    pub max_connections: usize,
    /// Seconds a client has to send a request's headers before its connection is closed.
    pub header_read_timeout_secs: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuthConfig {
    /// Who may create a shop at /signup: "first_shop", "confirmed", "open" or "closed".
    pub signup: SignupPolicy,
    pub session_hours: i64,
    /// argon2id memory cost in KiB, iterations and lanes (OWASP: 19 MiB, 2, 1).
    pub argon2_memory_kib: u32,
    pub argon2_iterations: u32,
    pub argon2_lanes: u32,
    /// Consecutive failed logins before the account is locked.
    pub lockout_threshold: u32,
    pub lockout_minutes: i64,
    /// Login / TOTP / token attempts allowed per minute from one IP, and for one account.
    pub attempts_per_minute_per_ip: u32,
    pub attempts_per_minute_per_account: u32,
    /// Optional externally managed signing key (at least 32 bytes); normally generated.
    pub signing_key: Option<Secret<String>>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WarehouseConfig {
    /// DuckDB memory limit per tenant database, e.g. "2GB".
    pub memory_limit: String,
    /// DuckDB worker threads per tenant database.
    pub threads: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SecretBackend {
    /// OS keyring when one answers, else a 0600 file in the data dir.
    Auto,
    Keyring,
    File,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SecretsConfig {
    pub backend: SecretBackend,
}

impl Default for SecretsConfig {
    fn default() -> Self {
        Self {
            backend: SecretBackend::Auto,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Json,
    Pretty,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LogConfig {
    pub format: LogFormat,
    /// tracing filter, e.g. "info,sr360=debug".
    pub filter: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ModelsConfig {
    /// Where models live; relative paths are taken from the data dir's parent working dir.
    pub dir: PathBuf,
    /// GGUF file for the copilot, relative to `dir` unless absolute.
    pub llm: PathBuf,
    /// Sentence-embedding model directory (config.json, tokenizer.json, model.safetensors).
    pub embeddings: PathBuf,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            data_dir: PathBuf::from("data"),
            server: ServerConfig::default(),
            auth: AuthConfig::default(),
            warehouse: WarehouseConfig::default(),
            secrets: SecretsConfig::default(),
            log: LogConfig::default(),
            models: ModelsConfig::default(),
            pipeline: PipelineConfig::default(),
            storage: StorageConfig::default(),
            copilot: CopilotConfig::default(),
            mail: MailConfig::default(),
        }
    }
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 8360)),
            behind_tls: false,
            trust_forwarded_for: false,
            max_body_bytes: 1 << 20,
            request_timeout_secs: 30,
            metrics: true,
            metrics_token: None,
            allowed_hosts: vec![],
            max_connections: 512,
            header_read_timeout_secs: 10,
        }
    }
}

impl Default for AuthConfig {
    fn default() -> Self {
        Self {
            signup: SignupPolicy::FirstShop,
            session_hours: 12,
            argon2_memory_kib: 19 * 1024,
            argon2_iterations: 2,
            argon2_lanes: 1,
            lockout_threshold: 10,
            lockout_minutes: 15,
            attempts_per_minute_per_ip: 30,
            attempts_per_minute_per_account: 10,
            signing_key: None,
        }
    }
}

impl Default for WarehouseConfig {
    fn default() -> Self {
        Self {
            memory_limit: "2GB".into(),
            threads: 2,
        }
    }
}

impl Default for LogConfig {
    fn default() -> Self {
        Self {
            format: LogFormat::Json,
            filter: "info".into(),
        }
    }
}

impl Default for ModelsConfig {
    fn default() -> Self {
        Self {
            dir: PathBuf::from("models"),
            llm: PathBuf::from("SmolLM2-135M-Instruct.Q4_1.gguf"),
            embeddings: PathBuf::from("all-MiniLM-L6-v2"),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("configuration: {0}")]
    Invalid(String),
    #[error("configuration file {path}: {msg}")]
    File { path: PathBuf, msg: String },
}

/// Flags given on the command line; they win over file and environment.
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub data_dir: Option<PathBuf>,
    pub addr: Option<SocketAddr>,
}

/// `SR360_*` variables that belong to the scripts and tests, not to the configuration.
/// Any other unknown `SR360_*` variable is an error, so typos do not pass silently.
const NOT_CONFIG: &[&str] = &[
    "config",
    "cache",
    "screenshots",
    "skip_browser",
    "root",
    "require_models",
];

const PLACEHOLDER_KEYS: &[&str] = &[
    "changeme",
    "change-me",
    "secret",
    "password",
    "default",
    "example",
];

impl Config {
    /// Load defaults < file < environment < flags. `file` may be None: then `SR360_CONFIG`
    /// names one, or `<data_dir>/sr360.toml` is read when it exists.
    pub fn load(file: Option<&Path>, overrides: &Overrides) -> Result<Config, ConfigError> {
        Self::load_from(
            file,
            overrides,
            Env::prefixed("SR360_").split("__").ignore(NOT_CONFIG),
        )
    }

    fn load_from(file: Option<&Path>, o: &Overrides, env: Env) -> Result<Config, ConfigError> {
        let mut fig = Figment::from(Serialized::defaults(Config::default()));
        let explicit = file
            .map(Path::to_path_buf)
            .or_else(|| std::env::var_os("SR360_CONFIG").map(PathBuf::from));
        let path = match explicit {
            Some(p) => {
                if !p.is_file() {
                    return Err(ConfigError::File {
                        path: p,
                        msg: "not found".into(),
                    });
                }
                Some(p)
            }
            None => {
                // The data dir may itself come from env or flags.
                let data = o
                    .data_dir
                    .clone()
                    .or_else(|| std::env::var_os("SR360_DATA_DIR").map(PathBuf::from))
                    .unwrap_or_else(|| PathBuf::from("data"));
                let p = data.join("sr360.toml");
                p.is_file().then_some(p)
            }
        };
        if let Some(p) = &path {
            fig = fig.merge(Toml::file_exact(p));
        }
        fig = fig.merge(env);
        if let Some(d) = &o.data_dir {
            fig = fig.merge(Serialized::default("data_dir", d));
        }
        if let Some(a) = &o.addr {
            fig = fig.merge(Serialized::default("server.addr", a));
        }
        let cfg: Config = fig.extract().map_err(|e| match &path {
            Some(p) => ConfigError::File {
                path: p.clone(),
                msg: e.to_string(),
            },
            None => ConfigError::Invalid(e.to_string()),
        })?;
        cfg.validate()?;
        Ok(cfg)
    }

    pub fn validate(&self) -> Result<(), ConfigError> {
        let bad = |m: &str| Err(ConfigError::Invalid(m.to_string()));
        if let Some(k) = &self.auth.signing_key {
            let k = k.expose();
            if k.len() < 32 {
                return bad(
                    "auth.signing_key must be at least 32 bytes; leave it unset to have one generated",
                );
            }
            let lower = k.to_ascii_lowercase();
            if PLACEHOLDER_KEYS.iter().any(|p| lower.contains(p))
                || k.bytes().all(|b| b == k.as_bytes()[0])
            {
                return bad(
                    "auth.signing_key looks like a placeholder; leave it unset to have one generated",
                );
            }
        }
        if self.auth.argon2_memory_kib < 8 * 1024
            || self.auth.argon2_iterations < 1
            || self.auth.argon2_lanes < 1
        {
            return bad("argon2 cost below the minimum (8 MiB, 1 iteration, 1 lane)");
        }
        if self.auth.session_hours < 1 || self.auth.session_hours > 24 * 30 {
            return bad("auth.session_hours must be between 1 and 720");
        }
        if self.auth.lockout_threshold < 3 {
            return bad("auth.lockout_threshold must be at least 3");
        }
        if self.auth.attempts_per_minute_per_ip == 0
            || self.auth.attempts_per_minute_per_account == 0
        {
            return bad("rate limits must be at least 1 per minute");
        }
        if let Some(url) = &self.mail.smtp_url {
            let url = url.expose();
            if !(url.starts_with("smtp://") || url.starts_with("smtps://")) {
                return bad("mail.smtp_url must start with smtp:// or smtps://");
            }
            if !self.mail.from.contains('@') {
                return bad("mail.from must be an e-mail address when mail.smtp_url is set");
            }
        }
        let public = &self.mail.public_url;
        if !(public.is_empty() || public.starts_with("http://") || public.starts_with("https://")) {
            return bad("mail.public_url must start with http:// or https://");
        }
        if self.auth.signup == SignupPolicy::Confirmed && self.mail.smtp_url.is_none() {
            return bad(
                "auth.signup = \"confirmed\" sends a link by e-mail: set mail.smtp_url and mail.from (or choose \"first_shop\", \"open\" or \"closed\")",
            );
        }
        if !(0.0..=1.0).contains(&self.pipeline.max_reject_ratio) {
            return bad("pipeline.max_reject_ratio must be between 0 and 1");
        }
        if self.pipeline.max_upload_bytes < 1024 {
            return bad("pipeline.max_upload_bytes must be at least 1024");
        }
        if self.storage.kind == StorageKind::S3 {
            let s3 = &self.storage.s3;
            if s3.bucket.trim().is_empty() {
                return bad("storage.s3.bucket is required when storage.kind = \"s3\"");
            }
            if s3.endpoint.starts_with("http://") && !s3.allow_http {
                return bad(
                    "storage.s3.endpoint is plain http: set storage.s3.allow_http = true if that is intended",
                );
            }
            if s3.access_key_id.is_empty() != s3.secret_access_key.is_none() {
                return bad(
                    "storage.s3.access_key_id and storage.s3.secret_access_key go together",
                );
            }
            if let Some(k) = &s3.secret_access_key {
                let lower = k.expose().to_ascii_lowercase();
                if lower.len() < 8
                    || lower == "minioadmin"
                    || PLACEHOLDER_KEYS.iter().any(|p| lower.contains(p))
                {
                    return bad(
                        "storage.s3.secret_access_key looks like a default or placeholder; use the store's real key",
                    );
                }
            }
        }
        if self.warehouse.threads == 0 {
            return bad("warehouse.threads must be at least 1");
        }
        let m = self.warehouse.memory_limit.trim();
        let digits = m.trim_end_matches(|c: char| c.is_ascii_alphabetic()).trim();
        let unit = m[digits.len()..].trim().to_ascii_uppercase();
        if digits.parse::<f64>().is_err()
            || !["KB", "MB", "GB", "TB", "KIB", "MIB", "GIB", "TIB"].contains(&unit.as_str())
        {
            return bad("warehouse.memory_limit must look like 512MB or 2GB");
        }
        Ok(())
    }

    /// Resolve a model path: absolute paths as given, others under `models.dir`.
    pub fn model_path(&self, p: &Path) -> PathBuf {
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            self.models.dir.join(p)
        }
    }
}

#[cfg(test)]
#[allow(clippy::result_large_err)] // figment's Jail closures return its large error type
mod tests {
    use super::*;

    #[test]
    fn layers_defaults_file_env_flags() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "c.toml",
                "[server]\naddr = \"127.0.0.1:9000\"\n[auth]\nsession_hours = 5\n",
            )?;
            jail.set_env("SR360_AUTH__SESSION_HOURS", "6");
            jail.set_env("SR360_WAREHOUSE__THREADS", "1");
            jail.set_env(
                "SR360_SERVER__ALLOWED_HOSTS",
                "[\"shop.example.com\", \".internal\"]",
            );
            let o = Overrides {
                data_dir: Some("d2".into()),
                addr: None,
            };
            let c = Config::load(Some(Path::new("c.toml")), &o).map_err(|e| e.to_string())?;
            assert_eq!(c.server.addr.port(), 9000);
            assert_eq!(c.auth.session_hours, 6);
            assert_eq!(c.warehouse.threads, 1);
            assert_eq!(c.server.allowed_hosts, ["shop.example.com", ".internal"]);
            assert_eq!(c.data_dir, PathBuf::from("d2"));
            Ok(())
        });
    }

    #[test]
    fn s3_storage_from_env_is_checked() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("SR360_STORAGE__KIND", "s3");
            let e = Config::load(None, &Overrides::default()).unwrap_err();
            assert!(e.to_string().contains("bucket"), "{e}");
            jail.set_env("SR360_STORAGE__S3__BUCKET", "lake");
            jail.set_env("SR360_STORAGE__S3__ENDPOINT", "http://127.0.0.1:9000");
            let e = Config::load(None, &Overrides::default()).unwrap_err();
            assert!(e.to_string().contains("allow_http"), "{e}");
            jail.set_env("SR360_STORAGE__S3__ALLOW_HTTP", "true");
            jail.set_env("SR360_STORAGE__S3__ACCESS_KEY_ID", "AKIA1");
            jail.set_env("SR360_STORAGE__S3__SECRET_ACCESS_KEY", "minioadmin");
            let e = Config::load(None, &Overrides::default()).unwrap_err();
            assert!(e.to_string().contains("default or placeholder"), "{e}");
            jail.set_env("SR360_STORAGE__S3__SECRET_ACCESS_KEY", "q8Zr0XnT4vLk2PwE");
            let c = Config::load(None, &Overrides::default()).map_err(|e| e.to_string())?;
            assert_eq!(c.storage.kind, StorageKind::S3);
            assert!(
                !format!("{c:?}").contains("q8Zr0XnT4vLk2PwE"),
                "the secret never shows in Debug"
            );
            Ok(())
        });
    }

    #[test]
    fn refuses_placeholder_keys_and_unknown_fields() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "a.toml",
                "[auth]\nsigning_key = \"changeme-changeme-changeme-changeme\"\n",
            )?;
            let e = Config::load(Some(Path::new("a.toml")), &Overrides::default()).unwrap_err();
            assert!(e.to_string().contains("placeholder"), "{e}");
            jail.create_file("b.toml", "[server]\nadress = \"x\"\n")?;
            assert!(Config::load(Some(Path::new("b.toml")), &Overrides::default()).is_err());
            Ok(())
        });
    }

    #[test]
    fn confirmed_signup_needs_mail() {
        let mut c = Config::default();
        assert_eq!(c.auth.signup, SignupPolicy::FirstShop);
        c.auth.signup = SignupPolicy::Confirmed;
        let e = c.validate().unwrap_err().to_string();
        assert!(e.contains("mail.smtp_url"), "{e}");
        c.mail.smtp_url = Some(Secret::new("smtp://127.0.0.1:25".into()));
        assert!(c.validate().is_err(), "no sender");
        c.mail.from = "Shop <shop@example.com>".into();
        c.validate().unwrap();
        c.mail.smtp_url = Some(Secret::new("http://mail.example.com".into()));
        assert!(c.validate().is_err());
        c.mail.smtp_url = Some(Secret::new("smtps://u:hunter22@mail.example.com".into()));
        c.validate().unwrap();
        assert!(
            !format!("{c:?}").contains("hunter22"),
            "the SMTP password is redacted"
        );
    }

    #[test]
    fn debug_redacts_key() {
        let mut c = Config::default();
        c.auth.signing_key = Some(Secret::new("k3y-material-that-is-long-enough-1234".into()));
        assert!(!format!("{c:?}").contains("k3y-material"));
    }
}
