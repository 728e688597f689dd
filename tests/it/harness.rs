//! The one integration harness: the real server on 127.0.0.1:0 with a temporary data dir,
//! a manual clock, and a small HTTP agent that keeps cookies like a browser would.

use smartretail360::app::App;
use sr360_core::config::SecretBackend;
use sr360_core::{Config, ManualClock, OsEntropy};
use std::collections::BTreeMap;
use std::sync::Arc;
use tokio::sync::oneshot;

pub struct TestServer {
    pub url: String,
    pub app: Arc<App>,
    pub clock: Arc<ManualClock>,
    pub dir: tempfile::TempDir,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
}

pub fn test_config(dir: &std::path::Path) -> Config {
    let mut c = Config {
        data_dir: dir.to_path_buf(),
        ..Default::default()
    };
    c.secrets.backend = SecretBackend::File;
    c.auth.argon2_memory_kib = 8 * 1024;
    c.auth.argon2_iterations = 1;
    c.auth.attempts_per_minute_per_ip = 10_000;
    c.auth.attempts_per_minute_per_account = 10_000;
    c.auth.lockout_threshold = 5;
    c.server.trust_forwarded_for = true;
    // Tests create several shops; the other sign-up policies have their own tests (signup.rs).
    c.auth.signup = sr360_core::SignupPolicy::Open;
    c.warehouse.memory_limit = "256MB".into();
    c.warehouse.threads = 1;
    // The copilot's tests of the parser do not wait on a language model; the model's own
    // tests (copilot_model) switch it on.
    c.copilot.planner = sr360_core::config::Planner::Parser;
    c
}

impl TestServer {
    pub async fn start() -> Self {
        Self::start_with(|_| {}).await
    }

    pub async fn start_with(f: impl FnOnce(&mut Config)) -> Self {
        Self::start_in(tempfile::tempdir().expect("tempdir"), f).await
    }

    /// Serve an existing data directory (for example one `sr360 demo` prepared).
    pub async fn start_in(dir: tempfile::TempDir, f: impl FnOnce(&mut Config)) -> Self {
        let mut cfg = test_config(dir.path());
        f(&mut cfg);
        let clock = Arc::new(ManualClock::new(time::OffsetDateTime::now_utc()));
        let app = App::open(cfg, clock.clone(), Arc::new(OsEntropy)).expect("app opens");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(smartretail360::server::serve(
            app.clone(),
            listener,
            async move {
                let _ = rx.await;
            },
        ));
        TestServer {
            url,
            app,
            clock,
            dir,
            stop: Some(tx),
            task: Some(task),
        }
    }

    pub fn agent(&self) -> Agent {
        Agent::new(&self.url)
    }

    /// Stop gracefully and wait for the server task.
    pub async fn stop(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.task.take() {
            t.await.expect("join").expect("server ended cleanly");
        }
    }

    /// Sign up a new shop through the form; returns the signed-in agent.
    pub async fn signup(&self, shop: &str, email: &str, password: &str) -> Agent {
        let mut a = self.agent();
        let page = a.get("/signup").await;
        assert_eq!(page.status, 200, "{}", page.body);
        let csrf = page.csrf();
        let r = a
            .post_form(
                "/signup",
                &[
                    ("csrf", &csrf),
                    ("shop", shop),
                    ("name", "Test Owner"),
                    ("email", email),
                    ("password", password),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "signup failed: {}", r.body);
        assert_eq!(r.location(), "/dashboard");
        a
    }

    /// Create a user with a role in a shop, directly in the store (like `sr360 user add`).
    pub async fn add_member(
        &self,
        tenant: &str,
        email: &str,
        password: &str,
        role: sr360_core::Role,
    ) -> sr360_core::UserId {
        let scope = self
            .app
            .meta
            .system_scope(&sr360_core::TenantId::parse(tenant).unwrap())
            .unwrap();
        let hash = self.app.auth.hash_password(password).await.unwrap();
        self.app
            .meta
            .create_user(
                email,
                email.split('@').next().unwrap(),
                &hash,
                false,
                Some((&scope, role)),
                &sr360_meta::AuditEvent::cli(),
            )
            .unwrap()
    }

    /// Tenant id of the shop a user owns (first membership).
    pub fn tenant_of(&self, email: &str) -> String {
        let u = self.app.meta.user_by_email(email).unwrap().unwrap();
        self.app.meta.memberships_of(u.id).unwrap()[0]
            .tenant_id
            .to_string()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
    }
}

#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
    /// The body as sent (files: PNG, PDF).
    pub bytes: Vec<u8>,
    pub set_cookies: Vec<String>,
}

impl Resp {
    pub fn location(&self) -> String {
        self.headers
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    }
    pub fn csrf(&self) -> String {
        let re = regex::Regex::new(r#"name="csrf" value="([^"]+)""#).unwrap();
        re.captures(&self.body)
            .map(|c| c[1].to_string())
            .unwrap_or_else(|| {
                panic!(
                    "no csrf field in page: {}",
                    &self.body[..self.body.len().min(400)]
                )
            })
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    }
}

/// A cookie-keeping HTTP client that does not follow redirects.
#[derive(Clone)]
pub struct Agent {
    base: String,
    client: reqwest::Client,
    pub cookies: BTreeMap<String, String>,
    pub user_agent: String,
    pub forwarded_for: Option<String>,
}

impl Agent {
    pub fn new(base: &str) -> Self {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Agent {
            base: base.to_string(),
            client,
            cookies: BTreeMap::new(),
            user_agent: "Mozilla/5.0 (X11; Linux x86_64) Chrome/120 Safari/537.36".into(),
            forwarded_for: None,
        }
    }

    pub fn session_cookie(&self) -> Option<String> {
        self.cookies.get("__Host-sr360_session").cloned()
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// The first server-sent event of the stream at `path` (its lines), then the stream is
    /// dropped.
    pub async fn first_event(&self, path: &str) -> String {
        let mut r = self
            .client
            .get(format!("{}{path}", self.base))
            .header("user-agent", &self.user_agent)
            .header("cookie", self.cookie_header())
            .send()
            .await
            .expect("request");
        assert_eq!(r.status().as_u16(), 200, "{path}");
        let mut text = String::new();
        let read = async {
            while !text.contains("\n\n") {
                match r.chunk().await.expect("stream") {
                    Some(b) => text.push_str(&String::from_utf8_lossy(&b)),
                    None => break,
                }
            }
        };
        tokio::time::timeout(std::time::Duration::from_secs(10), read)
            .await
            .expect("an event within 10 s");
        text
    }

    pub async fn send(&mut self, req: reqwest::RequestBuilder) -> Resp {
        let mut req = req.header("user-agent", &self.user_agent);
        if !self.cookies.is_empty() {
            req = req.header("cookie", self.cookie_header());
        }
        if let Some(ip) = &self.forwarded_for {
            req = req.header("x-forwarded-for", ip);
        }
        let r = req.send().await.expect("request");
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        let set_cookies: Vec<String> = headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .map(str::to_string)
            .collect();
        for sc in &set_cookies {
            let first = sc.split(';').next().unwrap_or("");
            if let Some((k, v)) = first.split_once('=') {
                let expired = sc.to_ascii_lowercase().contains("max-age=0");
                if expired || v.is_empty() {
                    self.cookies.remove(k.trim());
                } else {
                    self.cookies
                        .insert(k.trim().to_string(), v.trim().to_string());
                }
            }
        }
        let bytes = r.bytes().await.map(|b| b.to_vec()).unwrap_or_default();
        let body = String::from_utf8_lossy(&bytes).into_owned();
        Resp {
            status,
            headers,
            body,
            bytes,
            set_cookies,
        }
    }

    pub async fn get(&mut self, path: &str) -> Resp {
        let req = self.client.get(format!("{}{path}", self.base));
        self.send(req).await
    }

    pub async fn post_form(&mut self, path: &str, form: &[(&str, &str)]) -> Resp {
        let req = self.client.post(format!("{}{path}", self.base)).form(form);
        self.send(req).await
    }

    /// POST a form with the CSRF token taken from `page`.
    pub async fn submit(&mut self, page: &str, action: &str, fields: &[(&str, &str)]) -> Resp {
        let csrf = self.get(page).await.csrf();
        let mut all: Vec<(&str, &str)> = vec![("csrf", csrf.as_str())];
        all.extend_from_slice(fields);
        self.post_form(action, &all).await
    }

    pub async fn api(
        &mut self,
        method: reqwest::Method,
        path: &str,
        bearer: Option<&str>,
        body: Option<serde_json::Value>,
    ) -> Resp {
        let mut req = self.client.request(method, format!("{}{path}", self.base));
        if let Some(t) = bearer {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        self.send(req).await
    }

    pub async fn login(&mut self, email: &str, password: &str) -> Resp {
        let csrf = self.get("/login").await.csrf();
        self.post_form(
            "/login",
            &[("csrf", &csrf), ("email", email), ("password", password)],
        )
        .await
    }
}

pub const PW: &str = "correct horse battery staple";

/// Poll an upload over the API until it leaves `queued`/`running`; its final record.
/// An API token for `email` (password [`PW`]).
pub async fn token(s: &TestServer, email: &str) -> String {
    let r = s
        .agent()
        .api(
            reqwest::Method::POST,
            "/api/v1/auth/token",
            None,
            Some(serde_json::json!({"email": email, "password": PW})),
        )
        .await;
    r.json()["token"]
        .as_str()
        .unwrap_or_else(|| panic!("no token for {email}: {}", r.body))
        .to_string()
}

/// Upload `bytes` as `file_name` through the API (accepted with 202), wait until the worker
/// is done with it, and return its final state.
pub async fn upload(s: &TestServer, tok: &str, file_name: &str, bytes: &[u8]) -> serde_json::Value {
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(bytes.to_vec()).file_name(file_name.to_string()),
    );
    let r = reqwest::Client::new()
        .post(format!("{}/api/v1/uploads", s.url))
        .bearer_auth(tok)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);
    let id = r.json::<serde_json::Value>().await.unwrap()["uploads"][0]["id"]
        .as_i64()
        .unwrap();
    wait_done(&mut s.agent(), tok, id).await
}

pub async fn wait_done(a: &mut Agent, tok: &str, id: i64) -> serde_json::Value {
    for _ in 0..200 {
        let v = a
            .api(
                reqwest::Method::GET,
                &format!("/api/v1/uploads/{id}"),
                Some(tok),
                None,
            )
            .await
            .json();
        if !matches!(v["status"].as_str(), Some("queued") | Some("running")) {
            return v;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("upload {id} did not finish");
}

/// The shop's runs once none is queued or running.
pub async fn settled(s: &TestServer, tok: &str) -> serde_json::Value {
    let mut a = s.agent();
    for _ in 0..200 {
        let v = a
            .api(reqwest::Method::GET, "/api/v1/models", Some(tok), None)
            .await
            .json();
        let runs = v["runs"].as_array().cloned().unwrap_or_default();
        if !runs.is_empty()
            && runs
                .iter()
                .all(|r| r["status"] == "succeeded" || r["status"] == "failed")
        {
            return v;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    panic!("model runs did not finish");
}

/// Switch a signed-in agent's language through the settings form.
pub async fn set_locale(a: &mut Agent, locale: &str) {
    let r = a
        .submit(
            "/settings",
            "/settings/preferences",
            &[("locale", locale), ("theme", "light")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
}

/// "Shop A" with its owner a@example.com (signed in: the returned agent) and a viewer
/// viewer@example.com; returns the agent, the shop's id and the owner's API token.
pub async fn shop_with_viewer(s: &TestServer) -> (Agent, String, String) {
    let owner = s.signup("Shop A", "a@example.com", PW).await;
    let a = s.tenant_of("a@example.com");
    s.add_member(&a, "viewer@example.com", PW, sr360_core::Role::Viewer)
        .await;
    let tok = token(s, "a@example.com").await;
    (owner, a, tok)
}
