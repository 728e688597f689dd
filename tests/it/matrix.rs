//! The route × role × tenant matrix: every role against every guarded route of the shop it
//! belongs to, and ids of another shop inside a session, which must look like they do not
//! exist.

use crate::harness::{Agent, PW, TestServer};
use reqwest::Method;
use sr360_core::Role;

struct World {
    s: TestServer,
    a: String,
    b_owner_id: i64,
    b_token_id: i64,
    ids: Vec<(Role, i64)>,
}

async fn world() -> World {
    let s = TestServer::start().await;
    s.signup("Shop A", "owner-a@example.com", PW).await;
    let mut b = s.signup("Shop B", "owner-b@example.com", PW).await;
    let a = s.tenant_of("owner-a@example.com");
    let mut ids = vec![(
        Role::Owner,
        s.app
            .meta
            .user_by_email("owner-a@example.com")
            .unwrap()
            .unwrap()
            .id
            .0,
    )];
    for (role, email) in [
        (Role::Admin, "admin-a@example.com"),
        (Role::Analyst, "analyst-a@example.com"),
        (Role::Viewer, "viewer-a@example.com"),
    ] {
        ids.push((role, s.add_member(&a, email, PW, role).await.0));
    }
    let b_owner_id = s
        .app
        .meta
        .user_by_email("owner-b@example.com")
        .unwrap()
        .unwrap()
        .id
        .0;
    let r = b
        .submit(
            "/settings/tokens",
            "/settings/tokens",
            &[("name", "b script")],
        )
        .await;
    assert_eq!(r.status, 200);
    let b_token_id = s
        .app
        .meta
        .list_api_tokens(
            &s.app
                .meta
                .system_scope(
                    &sr360_core::TenantId::parse(&s.tenant_of("owner-b@example.com")).unwrap(),
                )
                .unwrap(),
        )
        .unwrap()[0]
        .id;
    World {
        s,
        a,
        b_owner_id,
        b_token_id,
        ids,
    }
}

fn email(role: Role) -> String {
    format!("{}-a@example.com", role.as_str())
}

async fn signed_in(w: &World, role: Role) -> Agent {
    let mut ag = w.s.agent();
    let r = ag.login(&email(role), PW).await;
    assert_eq!(r.status, 303, "{role:?} login");
    ag
}

#[tokio::test]
async fn routes_by_role() {
    let w = world().await;
    // (method, path, [owner, admin, analyst, viewer]) for GET pages and API reads.
    let table: &[(&str, [u16; 4])] = &[
        ("/dashboard", [200, 200, 200, 200]),
        ("/permissions", [200, 200, 200, 200]),
        ("/audit", [200, 200, 403, 403]),
        ("/settings", [200, 200, 200, 200]),
        ("/settings/security", [200, 200, 200, 200]),
        ("/settings/tokens", [200, 200, 200, 200]),
        ("/help", [200, 200, 200, 200]),
        ("/charts", [200, 200, 200, 200]),
        ("/admin/tenants", [404, 404, 404, 404]),
        ("/api/v1/me", [200, 200, 200, 200]),
        ("/api/v1/tenant/members", [200, 200, 200, 200]),
        ("/api/v1/audit", [200, 200, 403, 403]),
        ("/api/v1/auth/tokens", [200, 200, 200, 200]),
        ("/api/v1/query/catalog", [200, 200, 200, 200]),
        ("/customers", [200, 200, 200, 200]),
        ("/cohorts", [200, 200, 200, 200]),
        ("/funnel", [200, 200, 200, 200]),
        ("/reports", [200, 200, 200, 200]),
        ("/forecasts", [200, 200, 200, 200]),
        ("/models", [200, 200, 200, 200]),
        ("/api/v1/models", [200, 200, 200, 200]),
        ("/api/v1/alerts", [200, 200, 200, 200]),
        ("/segments", [200, 200, 200, 200]),
        ("/api/v1/segments", [200, 200, 200, 200]),
        ("/api/v1/reports", [200, 200, 200, 200]),
        ("/search?q=boots", [200, 200, 200, 200]),
        ("/api/v1/search?q=boots", [200, 200, 200, 200]),
        ("/api/v1/search/suggest?q=bo", [200, 200, 200, 200]),
        ("/recommendations", [200, 200, 200, 200]),
        ("/copilot", [200, 200, 200, 200]),
    ];
    for (i, role) in [Role::Owner, Role::Admin, Role::Analyst, Role::Viewer]
        .into_iter()
        .enumerate()
    {
        let mut ag = signed_in(&w, role).await;
        for (path, want) in table {
            let r = ag.get(path).await;
            assert_eq!(
                r.status,
                want[i],
                "{role:?} GET {path}: {}",
                &r.body[..r.body.len().min(200)]
            );
        }
        // PII follows the role: viewers see names, not e-mails.
        let members = ag.get("/api/v1/tenant/members").await.json();
        let has_email = members["members"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m.get("email").is_some());
        assert_eq!(has_email, role != Role::Viewer, "{role:?}");
        let page = ag.get("/permissions").await.body;
        assert_eq!(
            page.contains("viewer-a@example.com"),
            role != Role::Viewer,
            "{role:?} permissions page"
        );
    }
    // Anonymous: pages redirect to sign-in, the API answers 401 JSON.
    let mut anon = w.s.agent();
    for (path, _) in table.iter().filter(|(p, _)| !p.starts_with("/admin")) {
        let r = anon.get(path).await;
        if path.starts_with("/api/") {
            assert_eq!(r.status, 401, "{path}");
            assert_eq!(r.json()["error"]["code"], "unauthenticated");
        } else {
            assert_eq!(
                (r.status, r.location()),
                (303, "/login".to_string()),
                "{path}"
            );
        }
    }
}

#[tokio::test]
async fn role_changes_follow_the_rules() {
    let w = world().await;
    let id = |r: Role| w.ids.iter().find(|(x, _)| *x == r).unwrap().1;
    let analyst = id(Role::Analyst);
    let path = format!("/permissions/{analyst}/role");
    // Viewer and analyst may not change roles.
    for role in [Role::Viewer, Role::Analyst] {
        let mut ag = signed_in(&w, role).await;
        let r = ag
            .submit("/permissions", &path, &[("role", "viewer")])
            .await;
        assert_eq!(r.status, 403, "{role:?}");
    }
    // An admin may, but not to or from owner.
    let mut admin = signed_in(&w, Role::Admin).await;
    let r = admin
        .submit("/permissions", &path, &[("role", "viewer")])
        .await;
    assert_eq!(
        (r.status, r.location()),
        (303, "/permissions?m=role_changed".into())
    );
    let r = admin
        .submit("/permissions", &path, &[("role", "owner")])
        .await;
    assert_eq!(r.status, 422);
    let r = admin
        .submit(
            "/permissions",
            &format!("/permissions/{}/role", id(Role::Owner)),
            &[("role", "viewer")],
        )
        .await;
    assert_eq!(r.status, 422);
    // The last owner stays an owner.
    let mut owner = signed_in(&w, Role::Owner).await;
    let r = owner
        .submit(
            "/permissions",
            &format!("/permissions/{}/role", id(Role::Owner)),
            &[("role", "admin")],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("at least one owner"));
    // Audited.
    let scope =
        w.s.app
            .meta
            .system_scope(&sr360_core::TenantId::parse(&w.a).unwrap())
            .unwrap();
    let rows = w.s.app.meta.audit_for_tenant(&scope, None, 100).unwrap();
    assert!(
        rows.iter()
            .any(|r| r.action == "role_changed" && r.target == format!("user:{analyst}"))
    );
    // Via the API too (Bearer token of the admin).
    let tok = admin
        .api(
            Method::POST,
            "/api/v1/auth/token",
            None,
            Some(serde_json::json!({"email": "admin-a@example.com", "password": PW})),
        )
        .await
        .json()["token"]
        .as_str()
        .unwrap()
        .to_string();
    let r = admin
        .api(
            Method::PUT,
            &format!("/api/v1/tenant/members/{analyst}/role"),
            Some(&tok),
            Some(serde_json::json!({"role": "analyst"})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["previous"], "viewer");
}

#[tokio::test]
async fn another_shops_ids_are_not_found() {
    let w = world().await;
    let mut admin = signed_in(&w, Role::Admin).await;
    let mut owner = signed_in(&w, Role::Owner).await;
    // Shop B's owner, seen from shop A: 404 on the page route and the API.
    let r = admin
        .submit(
            "/permissions",
            &format!("/permissions/{}/role", w.b_owner_id),
            &[("role", "viewer")],
        )
        .await;
    assert_eq!(r.status, 404, "{}", r.body);
    let r = owner
        .submit(
            "/permissions",
            &format!("/permissions/{}/role", w.b_owner_id),
            &[("role", "viewer")],
        )
        .await;
    assert_eq!(r.status, 404);
    let tok = owner
        .api(
            Method::POST,
            "/api/v1/auth/token",
            None,
            Some(serde_json::json!({"email": "owner-a@example.com", "password": PW})),
        )
        .await
        .json()["token"]
        .as_str()
        .unwrap()
        .to_string();
    let r = owner
        .api(
            Method::PUT,
            &format!("/api/v1/tenant/members/{}/role", w.b_owner_id),
            Some(&tok),
            Some(serde_json::json!({"role": "viewer"})),
        )
        .await;
    assert_eq!(r.status, 404);
    assert_eq!(r.json()["error"]["code"], "not_found");
    // Shop B's token: cannot be revoked from A (page or API), and stays valid.
    let r = owner
        .submit(
            "/settings/tokens",
            &format!("/settings/tokens/{}/revoke", w.b_token_id),
            &[],
        )
        .await;
    assert_eq!(r.status, 404);
    let r = owner
        .api(
            Method::DELETE,
            &format!("/api/v1/auth/tokens/{}", w.b_token_id),
            Some(&tok),
            None,
        )
        .await;
    assert_eq!(r.status, 404);
    let b_scope = w
        .s
        .app
        .meta
        .system_scope(&sr360_core::TenantId::parse(&w.s.tenant_of("owner-b@example.com")).unwrap())
        .unwrap();
    assert!(
        w.s.app.meta.list_api_tokens(&b_scope).unwrap()[0]
            .revoked_at
            .is_none()
    );
    // Nothing of B shows in A's lists.
    let members = owner
        .api(Method::GET, "/api/v1/tenant/members", Some(&tok), None)
        .await
        .body;
    assert!(!members.contains("owner-b@example.com"));
    let audit = owner
        .api(Method::GET, "/api/v1/audit", Some(&tok), None)
        .await
        .body;
    assert!(!audit.contains("owner-b@example.com"));
    // Switching into a shop one is not a member of: 404, session unchanged.
    let r = owner
        .submit(
            "/dashboard",
            "/session/tenant",
            &[("tenant", &w.s.tenant_of("owner-b@example.com"))],
        )
        .await;
    assert_eq!(r.status, 404);
    assert!(owner.get("/dashboard").await.body.contains("Shop A"));
}

#[tokio::test]
async fn member_of_two_shops_switches_between_them() {
    let w = world().await;
    let b = w.s.tenant_of("owner-b@example.com");
    let scope_b =
        w.s.app
            .meta
            .system_scope(&sr360_core::TenantId::parse(&b).unwrap())
            .unwrap();
    let viewer =
        w.s.app
            .meta
            .user_by_email("viewer-a@example.com")
            .unwrap()
            .unwrap();
    w.s.app
        .meta
        .add_member(
            &scope_b,
            viewer.id,
            Role::Admin,
            &sr360_meta::AuditEvent::cli(),
        )
        .unwrap();
    let mut ag = signed_in(&w, Role::Viewer).await;
    assert_eq!(ag.get("/audit").await.status, 403);
    let page = ag.get("/dashboard").await.body;
    assert!(
        page.contains("tenant-select"),
        "switcher shown to members of several shops"
    );
    let r = ag
        .submit("/dashboard", "/session/tenant", &[("tenant", &b)])
        .await;
    assert_eq!(r.status, 303);
    assert_eq!(ag.get("/audit").await.status, 200, "admin in shop B");
    assert!(ag.get("/dashboard").await.body.contains("Shop B"));
}
