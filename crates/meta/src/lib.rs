//! The instance's own records in `meta.sqlite`: tenants, users and memberships, sessions,
//! API tokens, MFA state, login history and the append-only audit log (later: jobs and
//! notifications). SQLite runs in WAL mode with `synchronous=FULL`, because every row here
//! is auth or audit data that must survive a power cut.
//!
//! Tenant data is reached only through a [`TenantScope`], which this crate alone can mint
//! after checking a membership: holding one *is* the authorization.

mod audit;
mod copilot_history;
mod error;
mod job_status;
mod logins;
mod migrations;
mod model_runs;
mod reports;
mod scope;
mod sessions;
mod settings;
mod signup_requests;
mod store;
mod tenants;
mod tokens;
mod upload_records;
mod users;

pub use audit::{AuditAction, AuditEntry, AuditEvent, SYSTEM_ACTOR};
pub use copilot_history::AskedQuestion;
pub use error::MetaError;
pub use job_status::{RunStatus, UploadStatus};
pub use logins::{LoginEvent, LoginOutcome};
pub use migrations::SCHEMA_VERSION;
pub use model_runs::{ModelRun, Notice, RunOutcome};
pub use reports::{NewReport, ReportRecord};
pub use scope::TenantScope;
pub use sessions::{SessionRecord, SessionState};
pub use signup_requests::PendingSignup;
pub use store::MetaStore;
pub use tenants::Tenant;
pub use tokens::ApiTokenRecord;
pub use upload_records::{Notification, UploadOutcome, UploadRecord};
pub use users::{Membership, MfaState, User, check_signup_names, normalize_email};
