//! Versioned schema migrations, kept in code. `PRAGMA user_version` records the version; a
//! data dir from a newer build is refused rather than guessed at, an older one is migrated in
//! one transaction per step.

use crate::MetaError;
use rusqlite::Connection;

const MIGRATIONS: &[&str] = &[
    // 1: accounts, sessions, tokens, MFA, login history, audit
    r#"
CREATE TABLE tenants (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    timezone    TEXT NOT NULL DEFAULT 'UTC',
    currency    TEXT NOT NULL DEFAULT 'USD',
    created_at  INTEGER NOT NULL
) STRICT;

CREATE TABLE users (
    id               INTEGER PRIMARY KEY,
    email            TEXT NOT NULL UNIQUE COLLATE NOCASE,
    display_name     TEXT NOT NULL,
    password_hash    TEXT NOT NULL,
    is_operator      INTEGER NOT NULL DEFAULT 0,
    locale           TEXT NOT NULL DEFAULT 'en',
    theme            TEXT NOT NULL DEFAULT 'system',
    totp_secret      BLOB,
    totp_enabled     INTEGER NOT NULL DEFAULT 0,
    totp_last_step   INTEGER NOT NULL DEFAULT 0,
    failed_logins    INTEGER NOT NULL DEFAULT 0,
    locked_until     INTEGER NOT NULL DEFAULT 0,
    must_change_password INTEGER NOT NULL DEFAULT 0,
    created_at       INTEGER NOT NULL
) STRICT;

CREATE TABLE memberships (
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    tenant_id  TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    role       TEXT NOT NULL CHECK (role IN ('owner','admin','analyst','viewer')),
    created_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, tenant_id)
) STRICT;
CREATE INDEX memberships_tenant ON memberships(tenant_id);

CREATE TABLE sessions (
    id_hash      TEXT PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    tenant_id    TEXT REFERENCES tenants(id) ON DELETE SET NULL,
    state        TEXT NOT NULL CHECK (state IN ('mfa_pending','active')),
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    ip           TEXT NOT NULL,
    user_agent   TEXT NOT NULL
) STRICT;
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    token_hash   TEXT NOT NULL UNIQUE,
    prefix       TEXT NOT NULL,
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    tenant_id    TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER,
    last_used_at INTEGER,
    revoked_at   INTEGER
) STRICT;
CREATE INDEX api_tokens_tenant ON api_tokens(tenant_id);

CREATE TABLE recovery_codes (
    user_id   INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    used_at   INTEGER,
    PRIMARY KEY (user_id, code_hash)
) STRICT;

CREATE TABLE login_events (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER REFERENCES users(id) ON DELETE CASCADE,
    at          INTEGER NOT NULL,
    ip          TEXT NOT NULL,
    ip_prefix   TEXT NOT NULL,
    user_agent  TEXT NOT NULL,
    device      TEXT NOT NULL,
    outcome     TEXT NOT NULL,
    new_prefix  INTEGER NOT NULL DEFAULT 0,
    new_device  INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX login_events_user ON login_events(user_id, at);

CREATE TABLE audit_log (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    at            INTEGER NOT NULL,
    tenant_id     TEXT,
    actor_user_id INTEGER,
    actor         TEXT NOT NULL,
    action        TEXT NOT NULL,
    target        TEXT NOT NULL DEFAULT '',
    ip            TEXT NOT NULL DEFAULT '',
    detail        TEXT NOT NULL DEFAULT '{}'
) STRICT;
CREATE INDEX audit_tenant ON audit_log(tenant_id, id);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

CREATE TABLE instance_settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;
"#,
    // 2: uploads, durable jobs, notifications, saved column mappings
    r#"
CREATE TABLE uploads (
    id            INTEGER PRIMARY KEY,
    tenant_id     TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    user_id       INTEGER REFERENCES users(id) ON DELETE SET NULL,
    file_name     TEXT NOT NULL,
    content_hash  TEXT NOT NULL,
    object_key    TEXT NOT NULL,
    bytes         INTEGER NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('pending','queued','running','succeeded','failed','duplicate')),
    progress      REAL NOT NULL DEFAULT 0,
    message       TEXT NOT NULL DEFAULT '',
    entity        TEXT,
    mapping       TEXT,
    rows_read     INTEGER,
    rows_accepted INTEGER,
    rows_rejected INTEGER,
    error         TEXT,
    report        TEXT,
    attempts      INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL,
    started_at    INTEGER,
    finished_at   INTEGER
) STRICT;
CREATE INDEX uploads_tenant ON uploads(tenant_id, id);
CREATE INDEX uploads_status ON uploads(status);

CREATE TABLE notifications (
    id         INTEGER PRIMARY KEY,
    tenant_id  TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    user_id    INTEGER REFERENCES users(id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    title      TEXT NOT NULL,
    body       TEXT NOT NULL DEFAULT '',
    link       TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    read_at    INTEGER
) STRICT;
CREATE INDEX notifications_tenant ON notifications(tenant_id, id);

CREATE TABLE saved_mappings (
    tenant_id  TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    shape_key  TEXT NOT NULL,
    mapping    TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, shape_key)
) STRICT;
"#,
    // 3: exported reports (the files live in the object store)
    r#"
CREATE TABLE reports (
    id          INTEGER PRIMARY KEY,
    tenant_id   TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    report      TEXT NOT NULL,
    day         TEXT NOT NULL,
    version     INTEGER NOT NULL CHECK (version > 0),
    format      TEXT NOT NULL CHECK (format IN ('csv','png','pdf')),
    title       TEXT NOT NULL,
    filters     TEXT NOT NULL,
    source      TEXT NOT NULL,
    object_key  TEXT NOT NULL,
    bytes       INTEGER NOT NULL,
    user_id     INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_by  TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    UNIQUE (tenant_id, report, day, version)
) STRICT;
CREATE INDEX reports_tenant ON reports(tenant_id, id);
"#,
    // 4: model runs (forecasts, anomalies, ...): durable jobs like uploads
    r#"
CREATE TABLE model_runs (
    id          INTEGER PRIMARY KEY,
    tenant_id   TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    trigger     TEXT NOT NULL CHECK (trigger IN ('ingest','schedule','manual')),
    status      TEXT NOT NULL CHECK (status IN ('queued','running','succeeded','failed')),
    data_from   TEXT,
    data_to     TEXT,
    summary     TEXT,
    error       TEXT,
    attempts    INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL,
    started_at  INTEGER,
    finished_at INTEGER
) STRICT;
CREATE INDEX model_runs_tenant ON model_runs(tenant_id, id);
CREATE INDEX model_runs_queued ON model_runs(status) WHERE status IN ('queued','running');
"#,
    // 5: a notification's facts (JSON), so each reader gets it worded in their language;
    // title and body stay as the English wording for older readers of the table.
    r#"
ALTER TABLE notifications ADD COLUMN args TEXT;
"#,
    // 6: the copilot's history, per user and shop (listed on the copilot page, clearable).
    r#"
CREATE TABLE copilot_history (
    id          INTEGER PRIMARY KEY,
    tenant_id   TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    question    TEXT NOT NULL,
    answer      TEXT NOT NULL,
    lang        TEXT NOT NULL,
    asked_at    INTEGER NOT NULL
) STRICT;
CREATE INDEX copilot_history_user ON copilot_history(tenant_id, user_id, id);
"#,
    // 7: sign-ups waiting for their e-mail address to be confirmed (`auth.signup =
    // "confirmed"`); the link's token is kept only as a hash.
    r#"
CREATE TABLE signup_requests (
    token_hash    TEXT PRIMARY KEY,
    email         TEXT NOT NULL,
    shop_name     TEXT NOT NULL,
    display_name  TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    ip            TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL
) STRICT;
CREATE INDEX signup_requests_email ON signup_requests(email);
"#,
];

pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

pub(crate) fn migrate(conn: &mut Connection) -> Result<i64, MetaError> {
    let found: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if found > SCHEMA_VERSION {
        return Err(MetaError::NewerSchema {
            found,
            known: SCHEMA_VERSION,
        });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        let v = i as i64 + 1;
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", v)?;
        tx.commit()?;
        tracing::info!(version = v, "meta.sqlite migrated");
    }
    Ok(found)
}

/// Version of an existing meta.sqlite without migrating it (for `sr360 doctor`).
pub fn read_version(conn: &Connection) -> Result<i64, MetaError> {
    Ok(conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
}
