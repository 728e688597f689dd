//! Sign-up, login, logout, session rotation, CSRF, rate limits, lockout, login history,
//! API tokens.

use crate::harness::{Agent, PW, TestServer};
use reqwest::Method;

#[tokio::test]
async fn signup_creates_shop_owner_and_warehouse() {
    let s = TestServer::start().await;
    let mut a = s.signup("Nordic Knits", "ann@example.com", PW).await;
    let dash = a.get("/dashboard").await;
    assert_eq!(dash.status, 200);
    assert!(dash.body.contains("Nordic Knits"));
    let tenant = s.tenant_of("ann@example.com");
    assert_eq!(tenant, "nordic-knits");
    assert!(
        s.dir
            .path()
            .join("tenants/nordic-knits/warehouse.duckdb")
            .exists()
    );
    let me = a.api(Method::GET, "/api/v1/me", None, None).await.json();
    assert_eq!(me["role"], "owner");
    let audit: Vec<String> = s
        .app
        .meta
        .audit_all(50)
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert!(
        audit.contains(&"signup".to_string()) && audit.contains(&"tenant_created".to_string()),
        "{audit:?}"
    );
    // The same shop name again gets its own id; the same e-mail is refused.
    s.signup("Nordic Knits", "bob@example.com", PW).await;
    assert_eq!(s.tenant_of("bob@example.com"), "nordic-knits-2");
    let mut c = s.agent();
    let csrf = c.get("/signup").await.csrf();
    let r = c
        .post_form(
            "/signup",
            &[
                ("csrf", &csrf),
                ("shop", "X"),
                ("name", "Y"),
                ("email", "ANN@example.com"),
                ("password", PW),
            ],
        )
        .await;
    assert_eq!(r.status, 409, "{}", r.body);
    let r = c
        .post_form(
            "/signup",
            &[
                ("csrf", &csrf),
                ("shop", "X"),
                ("name", "Y"),
                ("email", "new@example.com"),
                ("password", "short"),
            ],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("at least 10"));
}

#[tokio::test]
async fn session_cookie_is_hardened_and_rotated_at_login() {
    let s = TestServer::start_with(|c| c.server.allowed_hosts = vec!["shop.internal".into()]).await;
    let mut owner = s.signup("Shop", "o@example.com", PW).await;
    let first = owner.session_cookie().expect("session cookie");
    let mut a = s.agent();
    let page = a.get("/login").await;
    let pre = page
        .set_cookies
        .iter()
        .find(|c| c.starts_with("__Host-sr360_pre="))
        .expect("pre-session cookie")
        .clone();
    assert!(
        pre.contains("HttpOnly")
            && pre.contains("SameSite=Lax")
            && pre.contains("Secure")
            && pre.contains("Path=/"),
        "{pre}"
    );
    let r = a.login("o@example.com", PW).await;
    assert_eq!(r.status, 303);
    let sc = r
        .set_cookies
        .iter()
        .find(|c| c.starts_with("__Host-sr360_session="))
        .expect("session cookie set")
        .clone();
    assert!(
        sc.contains("HttpOnly") && sc.contains("SameSite=Lax") && sc.contains("Secure"),
        "{sc}"
    );
    let second = a.session_cookie().unwrap();
    assert_ne!(first, second, "every login gets a new session id");
    assert!(
        !a.cookies.contains_key("__Host-sr360_pre"),
        "the pre-session cookie ends at login"
    );
    // Both sessions live independently.
    assert_eq!(owner.get("/dashboard").await.status, 200);
    assert_eq!(a.get("/dashboard").await.status, 200);
    // Over a non-localhost host name (plain http) the cookie is not Secure and has no prefix.
    let mut plain = s.agent();
    let req = reqwest::Client::new()
        .get(format!("{}/login", s.url))
        .header("host", "shop.internal:8360");
    let r = plain.send(req).await;
    assert!(
        r.set_cookies
            .iter()
            .any(|c| c.starts_with("sr360_pre=") && !c.contains("Secure")),
        "{:?}",
        r.set_cookies
    );
}

#[tokio::test]
async fn logout_and_expiry_end_the_session_on_the_server() {
    let s = TestServer::start().await;
    let mut a = s.signup("Shop", "o@example.com", PW).await;
    let stolen = a.clone();
    let r = a.submit("/dashboard", "/logout", &[]).await;
    assert_eq!(r.status, 303);
    assert_eq!(r.location(), "/login?m=signed_out");
    // A copy of the old cookie is worthless now.
    let mut thief = stolen;
    let r = thief.get("/dashboard").await;
    assert_eq!(r.status, 303);
    assert_eq!(r.location(), "/login");
    assert_eq!(
        thief
            .api(Method::GET, "/api/v1/me", None, None)
            .await
            .status,
        401
    );

    let mut b = s.agent();
    assert_eq!(b.login("o@example.com", PW).await.status, 303);
    assert_eq!(b.get("/dashboard").await.status, 200);
    s.clock.advance(time::Duration::hours(13));
    assert_eq!(
        b.get("/dashboard").await.status,
        303,
        "expired after session_hours"
    );
}

#[tokio::test]
async fn csrf_is_required_on_every_state_change() {
    let s = TestServer::start().await;
    let mut a = s.signup("Shop", "o@example.com", PW).await;
    // Missing and wrong tokens on a signed-in form.
    let r = a
        .post_form(
            "/settings/preferences",
            &[("locale", "es"), ("theme", "dark")],
        )
        .await;
    assert_eq!(r.status, 403);
    assert!(r.body.contains("form expired"), "{}", r.body);
    let r = a
        .post_form(
            "/settings/preferences",
            &[("csrf", "AAAA"), ("locale", "es"), ("theme", "dark")],
        )
        .await;
    assert_eq!(r.status, 403);
    // A token from another visitor's page does not work here.
    let mut other = s.agent();
    let foreign = other.get("/login").await.csrf();
    let r = a
        .post_form(
            "/settings/preferences",
            &[("csrf", &foreign), ("locale", "es"), ("theme", "dark")],
        )
        .await;
    assert_eq!(r.status, 403);
    // Cross-site origin is refused even with a valid token.
    let csrf = a.get("/settings").await.csrf();
    let req = reqwest::Client::new()
        .post(format!("{}/settings/preferences", s.url))
        .header("origin", "https://evil.example")
        .form(&[("csrf", csrf.as_str()), ("locale", "es"), ("theme", "dark")]);
    assert_eq!(a.send(req).await.status, 403);
    // The real token works.
    let r = a
        .post_form(
            "/settings/preferences",
            &[("csrf", &csrf), ("locale", "es"), ("theme", "dark")],
        )
        .await;
    assert_eq!(r.status, 303);
    assert!(a.get("/settings").await.body.contains("lang=\"es\""));
    // Login form without a token.
    let mut v = s.agent();
    v.get("/login").await;
    assert_eq!(
        v.post_form("/login", &[("email", "o@example.com"), ("password", PW)])
            .await
            .status,
        403
    );
    // Cookie-authenticated API calls need X-CSRF-Token; Bearer calls do not.
    let r = a
        .api(Method::DELETE, "/api/v1/auth/tokens/1", None, None)
        .await;
    assert_eq!(r.status, 403);
    assert_eq!(r.json()["error"]["code"], "csrf_failed");
}

#[tokio::test]
async fn wrong_passwords_lock_the_account_and_unknown_accounts_cost_the_same() {
    let s = TestServer::start_with(|c| c.auth.lockout_threshold = 3).await;
    s.signup("Shop", "o@example.com", PW).await;
    let mut a = s.agent();
    let before = s.app.auth.password_verifications();
    let r = a.login("nobody@example.com", PW).await;
    assert_eq!(r.status, 401);
    assert_eq!(
        s.app.auth.password_verifications() - before,
        1,
        "unknown accounts run argon2 too"
    );
    let msg_unknown = r.body.contains("e-mail or password is wrong");
    for _ in 0..3 {
        let r = a.login("o@example.com", "not the password!").await;
        assert_eq!(r.status, 401);
        assert_eq!(
            r.body.contains("e-mail or password is wrong"),
            msg_unknown,
            "same answer for unknown and wrong"
        );
    }
    let r = a.login("o@example.com", PW).await;
    assert_eq!(r.status, 423, "locked even with the right password");
    assert!(r.body.contains("locked"));
    // An e-mail without an account answers the same way: wrong, wrong, wrong, then locked —
    // the answers do not tell which e-mails have accounts.
    let mut b = s.agent();
    let answers: Vec<u16> = {
        let mut v = vec![];
        for _ in 0..4 {
            v.push(b.login("ghost@example.com", PW).await.status);
        }
        v
    };
    assert_eq!(answers, vec![401, 401, 401, 423]);
    s.clock.advance(time::Duration::minutes(16));
    assert_eq!(a.login("o@example.com", PW).await.status, 303);
    let audit: Vec<String> = s
        .app
        .meta
        .audit_all(100)
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert!(audit.iter().any(|x| x == "account_locked"));
    assert!(audit.iter().filter(|x| *x == "login_failed").count() >= 4);
}

#[tokio::test]
async fn login_attempts_are_rate_limited_per_account_and_per_ip() {
    let s = TestServer::start_with(|c| {
        c.auth.attempts_per_minute_per_account = 3;
        c.auth.attempts_per_minute_per_ip = 5;
        c.auth.lockout_threshold = 100;
    })
    .await;
    s.signup("Shop", "o@example.com", PW).await;
    // Per account, from different addresses.
    let mut last = None;
    for i in 0..4 {
        let mut a = s.agent();
        a.forwarded_for = Some(format!("198.51.100.{i}"));
        last = Some(a.login("o@example.com", "wrong password here").await);
    }
    let r = last.unwrap();
    assert_eq!(r.status, 429);
    let retry: u64 = r
        .header("retry-after")
        .expect("Retry-After")
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry));
    // Per IP, across accounts.
    let mut a = s.agent();
    a.forwarded_for = Some("203.0.113.9".into());
    let mut statuses = vec![];
    for i in 0..6 {
        statuses.push(
            a.login(&format!("u{i}@example.com"), "whatever password")
                .await
                .status,
        );
    }
    assert_eq!(statuses[..5], [401, 401, 401, 401, 401]);
    assert_eq!(statuses[5], 429);
    // The token endpoint shares the limits.
    let r = a
        .api(
            Method::POST,
            "/api/v1/auth/token",
            None,
            Some(serde_json::json!({"email": "o@example.com", "password": PW})),
        )
        .await;
    assert_eq!(r.status, 429);
    assert_eq!(r.json()["error"]["code"], "rate_limited");
}

#[tokio::test]
async fn login_history_flags_new_places_and_devices() {
    let s = TestServer::start().await;
    s.signup("Shop", "o@example.com", PW).await;
    let mut a = s.agent();
    a.forwarded_for = Some("198.51.100.7".into());
    a.login("o@example.com", PW).await;
    let mut b = s.agent();
    b.forwarded_for = Some("198.51.100.99".into());
    b.user_agent = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Safari/604.1".into();
    b.login("o@example.com", PW).await;
    let mut c = s.agent();
    c.forwarded_for = Some("192.0.2.1".into());
    c.login("o@example.com", PW).await;
    let u = s.app.meta.user_by_email("o@example.com").unwrap().unwrap();
    let h = s.app.meta.login_history(u.id, 10).unwrap();
    // newest first: c (new prefix, known device), b (same prefix as a, new device), a (new prefix vs signup)
    assert!(h[0].new_prefix && !h[0].new_device, "{:?}", h[0]);
    assert!(!h[1].new_prefix && h[1].new_device, "{:?}", h[1]);
    assert_eq!(h[1].device, "Safari on iOS");
    let page = c.get("/settings/security").await.body;
    assert!(page.contains("new place or device"));
    // Each sign-in's result in words, not the stored code.
    assert!(
        page.contains("Signed in") && !page.contains(">success<"),
        "{page}"
    );
}

#[tokio::test]
async fn api_tokens_are_issued_used_listed_and_revoked() {
    let s = TestServer::start().await;
    let mut a = s.signup("Shop", "o@example.com", PW).await;
    let mut script = Agent::new(&s.url);
    let bad = script
        .api(
            Method::POST,
            "/api/v1/auth/token",
            None,
            Some(serde_json::json!({"email": "o@example.com", "password": "nope nope nope"})),
        )
        .await;
    assert_eq!(bad.status, 401);
    assert_eq!(bad.json()["error"]["code"], "invalid_credentials");
    let malformed = script
        .api(
            Method::POST,
            "/api/v1/auth/token",
            None,
            Some(serde_json::json!({"mail": 1})),
        )
        .await;
    assert_eq!(malformed.status, 422);
    let r = script.api(Method::POST, "/api/v1/auth/token", None, Some(serde_json::json!({"email": "o@example.com", "password": PW, "name": "nightly export"}))).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let tok = r.json()["token"].as_str().unwrap().to_string();
    let id = r.json()["id"].as_i64().unwrap();
    assert!(tok.starts_with("sr360_"));
    let me = script
        .api(Method::GET, "/api/v1/me", Some(&tok), None)
        .await;
    assert_eq!(me.status, 200);
    assert_eq!(me.json()["via_token"], true);
    assert!(script.cookies.is_empty(), "token calls set no cookies");
    // Bearer calls need no CSRF token, even for DELETE; the token is shown in the UI list.
    let list = a.get("/settings/tokens").await.body;
    assert!(list.contains("nightly export"));
    assert!(!list.contains(&tok), "the secret is never shown again");
    let r = script
        .api(
            Method::DELETE,
            &format!("/api/v1/auth/tokens/{id}"),
            Some(&tok),
            None,
        )
        .await;
    assert_eq!(r.status, 204);
    assert_eq!(
        script
            .api(Method::GET, "/api/v1/me", Some(&tok), None)
            .await
            .status,
        401
    );
    assert_eq!(
        script
            .api(Method::GET, "/api/v1/me", Some("sr360_forged"), None)
            .await
            .status,
        401
    );
    // Created from the settings page, shown once.
    let r = a
        .submit(
            "/settings/tokens",
            "/settings/tokens",
            &[("name", "from ui")],
        )
        .await;
    assert_eq!(r.status, 200);
    let shown = regex::Regex::new(r#"id="new-token"[^>]*>(sr360_[A-Za-z0-9_-]+)<"#)
        .unwrap()
        .captures(&r.body)
        .unwrap()[1]
        .to_string();
    assert_eq!(
        script
            .api(Method::GET, "/api/v1/me", Some(&shown), None)
            .await
            .status,
        200
    );
    // A password change revokes tokens and ends sessions.
    let r = a
        .submit(
            "/settings/security",
            "/settings/password",
            &[("current", PW), ("new", "another long passphrase")],
        )
        .await;
    assert_eq!(r.status, 303);
    assert_eq!(
        script
            .api(Method::GET, "/api/v1/me", Some(&shown), None)
            .await
            .status,
        401
    );
    assert_eq!(a.get("/dashboard").await.status, 303);
}
