//! TOTP: enrolment with QR and secret, verification, the pending state that reaches nothing,
//! single-use codes, recovery codes, disabling.

use crate::harness::{Agent, PW, TestServer};
use reqwest::Method;

fn code(secret_b32: &str, unix: i64) -> String {
    let secret = totp_rs::Secret::Encoded(secret_b32.to_string())
        .to_bytes()
        .unwrap();
    totp_rs::TOTP::new_unchecked(
        totp_rs::Algorithm::SHA1,
        6,
        1,
        30,
        secret,
        None,
        "test".to_string(),
    )
    .generate(unix as u64)
}

async fn enrol(s: &TestServer, a: &mut Agent) -> (String, Vec<String>) {
    let r = a
        .submit("/settings/security", "/settings/mfa/begin", &[])
        .await;
    assert_eq!(r.status, 303);
    let page = a.get("/settings/security").await.body;
    assert!(page.contains("<svg"), "QR code shown");
    let secret = regex::Regex::new(r#"id="totp-secret"[^>]*>([A-Z2-7]+)<"#)
        .unwrap()
        .captures(&page)
        .expect("secret shown")[1]
        .to_string();
    let now = s.clock_now();
    let wrong = a
        .submit(
            "/settings/security",
            "/settings/mfa/confirm",
            &[("code", "000000")],
        )
        .await;
    assert_eq!(wrong.status, 401);
    let r = a
        .submit(
            "/settings/security",
            "/settings/mfa/confirm",
            &[("code", &code(&secret, now))],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let codes: Vec<String> = regex::Regex::new(r"<li>([a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4})</li>")
        .unwrap()
        .captures_iter(&r.body)
        .map(|c| c[1].to_string())
        .collect();
    assert_eq!(codes.len(), 10);
    (secret, codes)
}

impl TestServer {
    pub fn clock_now(&self) -> i64 {
        use sr360_core::Clock;
        self.clock.now().unix_timestamp()
    }
}

#[tokio::test]
async fn totp_enrol_verify_and_no_replay() {
    let s = TestServer::start().await;
    let mut owner = s.signup("Shop", "o@example.com", PW).await;
    let (secret, recovery) = enrol(&s, &mut owner).await;

    // Password alone now yields a pending session that reaches nothing but /mfa.
    let mut a = s.agent();
    let r = a.login("o@example.com", PW).await;
    assert_eq!(r.location(), "/mfa");
    let pending = a.session_cookie().unwrap();
    assert_eq!(a.get("/dashboard").await.location(), "/mfa");
    assert_eq!(a.get("/settings/security").await.location(), "/mfa");
    let api = a.api(Method::GET, "/api/v1/me", None, None).await;
    assert_eq!(api.status, 401);
    assert_eq!(api.json()["error"]["code"], "mfa_pending");
    assert_eq!(a.get("/mfa").await.status, 200);

    // The code used at enrolment (same 30 s step) cannot be used again.
    let used = code(&secret, s.clock_now());
    let r = a.submit("/mfa", "/mfa", &[("code", &used)]).await;
    assert_eq!(r.status, 401, "replayed code refused");
    s.clock.advance(time::Duration::seconds(30));
    let fresh = code(&secret, s.clock_now());
    let r = a.submit("/mfa", "/mfa", &[("code", &fresh)]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.location(), "/dashboard");
    assert_ne!(
        a.session_cookie().unwrap(),
        pending,
        "a new session id after the second factor"
    );
    assert_eq!(a.get("/dashboard").await.status, 200);
    // The pending id is dead.
    let mut old = s.agent();
    old.cookies.insert("__Host-sr360_session".into(), pending);
    assert_eq!(old.get("/mfa").await.location(), "/login");

    // The same fresh code in another login attempt: refused.
    let mut b = s.agent();
    b.login("o@example.com", PW).await;
    assert_eq!(
        b.submit("/mfa", "/mfa", &[("code", &fresh)]).await.status,
        401
    );
    // A recovery code works once.
    assert_eq!(
        b.submit("/mfa", "/mfa", &[("code", &recovery[0].to_uppercase())])
            .await
            .status,
        303
    );
    let mut c = s.agent();
    c.login("o@example.com", PW).await;
    assert_eq!(
        c.submit("/mfa", "/mfa", &[("code", &recovery[0])])
            .await
            .status,
        401
    );

    // API tokens need the second factor too.
    let r = c
        .api(
            Method::POST,
            "/api/v1/auth/token",
            None,
            Some(serde_json::json!({"email": "o@example.com", "password": PW})),
        )
        .await;
    assert_eq!(r.json()["error"]["code"], "mfa_required");
    s.clock.advance(time::Duration::seconds(30));
    let r = c.api(Method::POST, "/api/v1/auth/token", None, Some(serde_json::json!({"email": "o@example.com", "password": PW, "totp": code(&secret, s.clock_now())}))).await;
    assert_eq!(r.status, 201, "{}", r.body);

    // Disabling needs a current code.
    assert_eq!(
        owner
            .submit(
                "/settings/security",
                "/settings/mfa/disable",
                &[("code", "123456")]
            )
            .await
            .status,
        401
    );
    s.clock.advance(time::Duration::seconds(30));
    let r = owner
        .submit(
            "/settings/security",
            "/settings/mfa/disable",
            &[("code", &code(&secret, s.clock_now()))],
        )
        .await;
    assert_eq!(r.status, 303);
    let mut d = s.agent();
    assert_eq!(d.login("o@example.com", PW).await.location(), "/dashboard");
    let actions: Vec<String> = s
        .app
        .meta
        .audit_all(200)
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    for a in [
        "mfa_enabled",
        "mfa_failed",
        "recovery_code_used",
        "mfa_disabled",
    ] {
        assert!(
            actions.iter().any(|x| x == a),
            "audit lacks {a}: {actions:?}"
        );
    }
}

#[tokio::test]
async fn failed_second_factors_count_towards_lockout() {
    let s = TestServer::start_with(|c| c.auth.lockout_threshold = 3).await;
    let mut owner = s.signup("Shop", "o@example.com", PW).await;
    enrol(&s, &mut owner).await;
    let mut a = s.agent();
    a.login("o@example.com", PW).await;
    for _ in 0..2 {
        assert_eq!(
            a.submit("/mfa", "/mfa", &[("code", "111111")]).await.status,
            401
        );
    }
    // The third failure locks the account and ends the pending session.
    let r = a.submit("/mfa", "/mfa", &[("code", "111111")]).await;
    assert_eq!(r.location(), "/login");
    assert_eq!(a.login("o@example.com", PW).await.status, 423);
}

/// Wrong codes through the token endpoint count like wrong codes on the sign-in page, and a
/// right password in between clears nothing: at the lockout threshold (5 in tests) the
/// account is locked for both.
#[tokio::test]
async fn wrong_codes_at_the_token_endpoint_lock_the_account_like_the_page() {
    let s = TestServer::start().await;
    let mut owner = s.signup("Shop", "o@example.com", PW).await;
    let (secret, _) = enrol(&s, &mut owner).await;
    let mut c = s.agent();
    let token =
        |code: String| serde_json::json!({"email": "o@example.com", "password": PW, "totp": code});
    for i in 0..5 {
        s.clock.advance(time::Duration::seconds(31));
        let r = c
            .api(
                Method::POST,
                "/api/v1/auth/token",
                None,
                Some(token("000000".into())),
            )
            .await;
        assert_eq!(
            r.json()["error"]["code"],
            "bad_code",
            "attempt {i}: {}",
            r.body
        );
    }
    s.clock.advance(time::Duration::seconds(31));
    let right = code(&secret, s.clock_now());
    let r = c
        .api(Method::POST, "/api/v1/auth/token", None, Some(token(right)))
        .await;
    assert_eq!(r.json()["error"]["code"], "account_locked", "{}", r.body);
    let mut page = s.agent();
    let r = page.login("o@example.com", PW).await;
    assert_ne!(r.location(), "/mfa", "the sign-in page is locked too");
}
