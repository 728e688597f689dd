//! Who may create a shop: the first visitor only ("first_shop", the default), or anyone who
//! confirms their address by e-mail ("confirmed"), whose answer is the same whether or not
//! the address has an account. The mail server is Python's aiosmtpd (`pip install
//! aiosmtpd`, done by scripts/install-deps.sh) writing to a Maildir the test reads back.

use crate::harness::{Agent, PW, Resp, TestServer};
use sr360_core::{Secret, SignupPolicy};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

struct SmtpServer {
    child: Child,
    port: u16,
    maildir: PathBuf,
    _dir: tempfile::TempDir,
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn smtp_server() -> SmtpServer {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = tempfile::tempdir().unwrap();
    // aiosmtpd's Mailbox creates the Maildir itself (it must not exist yet).
    let maildir = dir.path().join("mail");
    let child = Command::new("python3")
        .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}")])
        .args(["-c", "aiosmtpd.handlers.Mailbox"])
        .arg(&maildir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("python3 with aiosmtpd (pip install aiosmtpd; scripts/install-deps.sh does)");
    let server = SmtpServer {
        child,
        port,
        maildir,
        _dir: dir,
    };
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return server;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the SMTP server did not start");
}

/// Quoted-printable bodies read back as text (soft breaks joined, `=XX` decoded).
fn unquote(s: &str) -> String {
    let s = s.replace("=\r\n", "").replace("=\n", "");
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'='
            && i + 2 < b.len()
            && let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16)
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The mails delivered to `to`, waiting up to 10 s for `count` of them.
async fn mails_to(maildir: &Path, to: &str, count: usize) -> Vec<String> {
    for _ in 0..100 {
        let found: Vec<String> = std::fs::read_dir(maildir.join("new"))
            .map(|d| {
                d.filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok())
                    .filter(|m| m.contains(&format!("X-RcptTo: {to}")))
                    .map(|m| unquote(&m))
                    .collect()
            })
            .unwrap_or_default();
        if found.len() >= count {
            return found;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("no mail to {to} arrived");
}

async fn post_signup(a: &mut Agent, email: &str) -> Resp {
    let csrf = a.get("/signup").await.csrf();
    a.post_form(
        "/signup",
        &[
            ("csrf", &csrf),
            ("shop", "Harbor Goods"),
            ("name", "Hana"),
            ("email", email),
            ("password", PW),
        ],
    )
    .await
}

/// A page's text with what differs per visitor (the CSRF token, the e-mail typed) blanked.
fn normalized(body: &str, email: &str) -> String {
    let re = regex::Regex::new(r#"(value|content)="[^"]*""#).unwrap();
    re.replace_all(&body.replace(email, "EMAIL"), "$1=\"\"")
        .into_owned()
}

#[tokio::test]
async fn a_confirmed_signup_answers_alike_and_creates_the_shop_only_from_its_link() {
    let smtp = smtp_server().await;
    let port = smtp.port;
    let s = TestServer::start_with(move |c| {
        c.auth.signup = SignupPolicy::Confirmed;
        c.mail.smtp_url = Some(Secret::new(format!("smtp://127.0.0.1:{port}")));
        c.mail.from = "SmartRetail360 <shop@example.com>".into();
    })
    .await;

    // A free address: the same answer as any, nothing created yet, a link by e-mail.
    let mut a = s.agent();
    let r = post_signup(&mut a, "hana@example.com").await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("Check your e-mail"), "{}", r.body);
    assert!(a.session_cookie().is_none());
    assert!(
        s.app
            .meta
            .user_by_email("hana@example.com")
            .unwrap()
            .is_none()
    );
    let mail = mails_to(&smtp.maildir, "hana@example.com", 1)
        .await
        .remove(0);
    assert!(
        mail.contains("Subject: Confirm your e-mail to create Harbor Goods"),
        "{mail}"
    );
    let link = regex::Regex::new(r"http://127\.0\.0\.1:\d+/signup/confirm\?token=([A-Za-z0-9_-]+)")
        .unwrap();
    let token = link
        .captures(&mail)
        .unwrap_or_else(|| panic!("no link in {mail}"))[1]
        .to_string();

    // The link's page creates nothing by itself (mail scanners follow links).
    let page = a.get(&format!("/signup/confirm?token={token}")).await;
    assert_eq!(page.status, 200);
    assert_eq!(
        page.header("referrer-policy").as_deref(),
        Some("no-referrer")
    );
    assert!(
        s.app
            .meta
            .user_by_email("hana@example.com")
            .unwrap()
            .is_none()
    );
    let csrf = page.csrf();
    let r = a
        .post_form("/signup/confirm", &[("csrf", &csrf), ("token", &token)])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.location(), "/dashboard");
    let dash = a.get("/dashboard").await;
    assert_eq!(dash.status, 200);
    assert!(dash.body.contains("Harbor Goods"));
    assert!(
        s.dir
            .path()
            .join("tenants/harbor-goods/warehouse.duckdb")
            .exists()
    );

    // A link works once.
    let mut other = s.agent();
    let csrf = other
        .get(&format!("/signup/confirm?token={token}"))
        .await
        .csrf();
    let again = other
        .post_form("/signup/confirm", &[("csrf", &csrf), ("token", &token)])
        .await;
    assert_eq!(again.status, 410, "{}", again.body);
    assert!(again.body.contains("expired or was already used"));
    assert!(other.session_cookie().is_none());

    // The taken address and a free one get the same page; the mails say which.
    let taken = post_signup(&mut s.agent(), "HANA@example.com").await;
    let free = post_signup(&mut s.agent(), "ivo@example.com").await;
    assert_eq!(taken.status, free.status);
    assert_eq!(
        normalized(&taken.body, "hana@example.com"),
        normalized(&free.body, "ivo@example.com")
    );
    let notes = mails_to(&smtp.maildir, "hana@example.com", 2).await;
    let note = notes
        .iter()
        .find(|m| m.contains("already has an account"))
        .unwrap_or_else(|| panic!("{notes:?}"));
    assert!(!note.contains("/signup/confirm"), "{note}");
    assert!(note.contains("/login"), "{note}");
    let ivo = mails_to(&smtp.maildir, "ivo@example.com", 1).await;
    assert!(ivo[0].contains("/signup/confirm?token="));
    // Only one shop so far: the second waits for its link.
    assert_eq!(s.app.meta.list_tenants().unwrap().len(), 1);
}

#[tokio::test]
async fn a_first_shop_server_takes_one_signup_then_closes() {
    let s = TestServer::start_with(|c| c.auth.signup = SignupPolicy::FirstShop).await;
    let mut v = s.agent();
    assert!(v.get("/login").await.body.contains("href=\"/signup\""));
    s.signup("First Shop", "first@example.com", PW).await;
    let mut v = s.agent();
    assert!(!v.get("/login").await.body.contains("href=\"/signup\""));
    assert_eq!(v.get("/signup").await.status, 403);
    let csrf = v.get("/login").await.csrf();
    let r = v
        .post_form(
            "/signup",
            &[
                ("csrf", &csrf),
                ("shop", "Second"),
                ("name", "Eve"),
                ("email", "eve@example.com"),
                ("password", PW),
            ],
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.body);
    assert!(
        s.app
            .meta
            .user_by_email("eve@example.com")
            .unwrap()
            .is_none()
    );
    // Nor can a link of another policy be used.
    let r = v.get("/signup/confirm?token=x").await;
    assert_eq!(r.status, 403);
}

/// `sr360 doctor` says who may sign up and whether the mail server answers.
#[tokio::test]
async fn doctor_checks_the_mail_server() {
    let smtp = smtp_server().await;
    let dead = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let d = tempfile::tempdir().unwrap();
    let doctor = |port: u16| {
        let out = Command::new(env!("CARGO_BIN_EXE_sr360"))
            .arg("--data")
            .arg(d.path())
            .arg("doctor")
            .env("SR360_SECRETS__BACKEND", "file")
            .env("SR360_AUTH__SIGNUP", "confirmed")
            .env("SR360_MAIL__SMTP_URL", format!("smtp://127.0.0.1:{port}"))
            .env("SR360_MAIL__FROM", "shop@example.com")
            .output()
            .unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    let (ok, out) = doctor(smtp.port);
    assert!(out.contains("anyone, confirmed by e-mail"), "{out}");
    assert!(out.contains("the SMTP server answers"), "{out}");
    let _ = ok;
    // The server itself starts with mail set up (the command line opens the app before its
    // runtime: a mailer that needed one stopped it).
    let addr = format!("127.0.0.1:{}", {
        std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port()
    });
    let mut serve = Command::new(env!("CARGO_BIN_EXE_sr360"))
        .arg("--data")
        .arg(d.path())
        .args(["serve", "--addr", &addr])
        .env("SR360_SECRETS__BACKEND", "file")
        .env("SR360_AUTH__SIGNUP", "confirmed")
        .env(
            "SR360_MAIL__SMTP_URL",
            format!("smtp://127.0.0.1:{}", smtp.port),
        )
        .env("SR360_MAIL__FROM", "shop@example.com")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut up = false;
    for _ in 0..100 {
        if reqwest::get(format!("http://{addr}/healthz"))
            .await
            .is_ok_and(|r| r.status() == 200)
        {
            up = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let _ = serve.kill();
    let _ = serve.wait();
    assert!(up, "sr360 serve with mail set up came up");
    let (ok, out) = doctor(dead);
    assert!(
        !ok && out.contains("the SMTP server does not answer"),
        "{out}"
    );
}
