//! Shared vocabulary of every SmartRetail360 crate: typed configuration, secrets that never
//! print, roles and permissions, tenant ids, and the clock / entropy seams that keep tests
//! deterministic. Nothing here does I/O beyond reading the config file.

pub mod clock;
pub mod config;
pub mod entropy;
pub mod ids;
pub mod roles;
pub mod secret;

pub use clock::{Clock, ManualClock, SystemClock};
pub use config::{Config, ConfigError, MailConfig, SignupPolicy};
pub use entropy::{Entropy, OsEntropy, SeededEntropy};
pub use ids::{TenantId, TenantIdError, UserId};
pub use roles::{Permission, Role};
pub use secret::Secret;
