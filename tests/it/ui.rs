//! The pages in a real browser: headless Chromium driven through chromedriver. Checks the
//! key elements, keyboard access, no script or CSP errors, and saves screenshots (light,
//! dark, Arabic, phone) to $SR360_SCREENSHOTS for a person to look at.
//! Set SR360_SKIP_BROWSER=1 to skip on a machine without Chromium (CI never does).

use crate::harness::{PW, TestServer};
use fantoccini::{Client, ClientBuilder, Locator};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

struct Driver {
    child: Child,
    _profile: tempfile::TempDir,
    client: Client,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn driver() -> Option<Driver> {
    if std::env::var("SR360_SKIP_BROWSER").is_ok_and(|v| v == "1") {
        eprintln!("SR360_SKIP_BROWSER=1: browser test skipped");
        return None;
    }
    let bin = ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())
        .expect(
            "chromedriver not installed: run scripts/install-deps.sh (or set SR360_SKIP_BROWSER=1)",
        );
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(bin)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromedriver");
    let profile = tempfile::tempdir().unwrap();
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": "/usr/bin/chromium",
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic", "--no-first-run",
                     "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--window-size=1280,900",
                     format!("--user-data-dir={}", profile.path().display())]
        }),
    );
    let url = format!("http://127.0.0.1:{port}");
    let mut last = None;
    for _ in 0..50 {
        match ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps.clone())
            .connect(&url)
            .await
        {
            Ok(client) => {
                return Some(Driver {
                    child,
                    _profile: profile,
                    client,
                });
            }
            Err(e) => last = Some(e),
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("cannot start a Chromium session: {last:?}");
}

fn shots_dir() -> std::path::PathBuf {
    let d = std::env::var_os("SR360_SCREENSHOTS")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("sr360-screenshots"));
    std::fs::create_dir_all(&d).unwrap();
    d
}

async fn shot(c: &Client, name: &str) {
    let png = c.screenshot().await.unwrap();
    assert!(
        png.len() > 5_000,
        "{name}: screenshot too small to show a page"
    );
    std::fs::write(shots_dir().join(format!("{name}.png")), png).unwrap();
}

/// A screenshot of a page `height` pixels tall (to look at everything on it), then the
/// window's size as it was.
async fn tall_shot(c: &Client, name: &str, height: u32) {
    let (w, h) = c.get_window_size().await.unwrap();
    c.set_window_size(1280, height).await.unwrap();
    shot(c, name).await;
    c.set_window_size(w as u32, h as u32).await.unwrap();
}

/// The visible text of the first element matching `css`.
async fn text_of(c: &Client, css: &str) -> String {
    c.find(Locator::Css(css))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// What a reader cannot see whole on the page: table cells whose text is cut (by the cell or
/// by a box that hides what overflows, not one that scrolls), chart labels drawn outside their
/// chart, chart text rendered smaller than 10 px.
async fn clipped(c: &Client) -> Vec<String> {
    let js = r#"
const out = [];
const shown = (el) => el.getClientRects().length > 0 && !el.closest('details:not([open])');
const name = (el) => el.textContent.trim().replace(/\s+/g, ' ').slice(0, 40);
for (const el of document.querySelectorAll('main td, main th')) {
  if (!shown(el)) continue;
  const s = getComputedStyle(el);
  if ((s.overflowX === 'hidden' || s.overflowX === 'clip' || s.textOverflow === 'ellipsis')
      && el.scrollWidth > el.clientWidth + 1) { out.push('cell cut: ' + name(el)); continue; }
  const r = el.getBoundingClientRect();
  for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
    const o = getComputedStyle(a).overflowX;
    if (o === 'auto' || o === 'scroll') break;
    if (o === 'hidden' || o === 'clip') {
      const ar = a.getBoundingClientRect();
      if (r.right > ar.right + 1 || r.left < ar.left - 1) out.push('cell hidden: ' + name(el));
      break;
    }
  }
}
for (const t of document.querySelectorAll('main svg text')) {
  if (!shown(t) || t.classList.contains('ct-tip') || !t.textContent.trim()) continue;
  const svg = t.ownerSVGElement;
  const vb = svg.viewBox && svg.viewBox.baseVal;
  const w = vb && vb.width ? vb.width : svg.width.baseVal.value;
  const h = vb && vb.height ? vb.height : svg.height.baseVal.value;
  const b = t.getBBox();
  if (b.x < -1 || b.x + b.width > w + 1 || b.y < -1 || b.y + b.height > h + 1)
    out.push('label outside its chart: ' + name(t));
  const scale = svg.getBoundingClientRect().width / w;
  const px = parseFloat(t.getAttribute('font-size') || getComputedStyle(t).fontSize) * scale;
  if (px > 0 && px < 10) out.push('label ' + px.toFixed(1) + ' px: ' + name(t));
}
return out;
"#;
    let v = c.execute(js, vec![]).await.unwrap();
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// How many elements match `css`.
async fn count(c: &Client, css: &str) -> usize {
    c.find_all(Locator::Css(css)).await.unwrap().len()
}

/// Whether anything matches `css`.
async fn present(c: &Client, css: &str) -> bool {
    count(c, css).await > 0
}

async fn no_errors(c: &Client, page: &str) {
    let errs = c
        .execute("return (window.__sr360_errors || []).join('\\n')", vec![])
        .await
        .unwrap();
    assert_eq!(
        errs.as_str().unwrap_or(""),
        "",
        "script or CSP errors on {page}"
    );
    let has_js = c
        .execute("return Array.isArray(window.__sr360_errors)", vec![])
        .await
        .unwrap();
    assert_eq!(
        has_js,
        serde_json::json!(true),
        "app.js did not run on {page}"
    );
}

async fn wait_path(c: &Client, want: &str) {
    for _ in 0..50 {
        if c.current_url().await.unwrap().path() == want {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "never reached {want}, at {}",
        c.current_url().await.unwrap()
    );
}

/// Wait until an element matching `css` is on the page (after a navigation that may keep the
/// same path, where waiting for the path would race).
/// Open the copilot window from the page shown (its button) and wait for its input.
async fn open_copilot(c: &Client, page_url: &str) {
    c.goto(page_url).await.unwrap();
    wait_css(c, "#copilot-open").await;
    c.find(Locator::Id("copilot-open"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_css(c, "#copilot-window[open]").await;
}

/// Ask the open copilot window `q` and wait for its answer.
async fn ask_window(c: &Client, q: &str) {
    c.find(Locator::Id("copilot-window-q"))
        .await
        .unwrap()
        .send_keys(q)
        .await
        .unwrap();
    c.find(Locator::Css("#copilot-window-form button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_css(c, "#copilot-log .copilot-turn:last-child .answer-text").await;
}

async fn wait_css(c: &Client, css: &str) {
    for _ in 0..100 {
        if c.find(Locator::Css(css)).await.is_ok() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{css} never appeared at {}", c.current_url().await.unwrap());
}

/// The page is no wider than the window (nothing scrolls sideways on a phone).
async fn fits_width(c: &Client, what: &str) {
    let overflow = c
        .execute(
            "return document.documentElement.scrollWidth > window.innerWidth + 1",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        overflow,
        serde_json::json!(false),
        "{what}: no sideways scrolling on a phone"
    );
}

async fn set_prefs(c: &Client, base: &str, locale: &str, theme: &str) {
    c.goto(&format!("{base}/settings")).await.unwrap();
    c.find(Locator::Css("#locale"))
        .await
        .unwrap()
        .select_by_value(locale)
        .await
        .unwrap();
    c.find(Locator::Css("#theme"))
        .await
        .unwrap()
        .select_by_value(theme)
        .await
        .unwrap();
    c.find(Locator::Css(
        "form[action='/settings/preferences'] button[type=submit]",
    ))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    wait_css(c, ".alert.ok").await;
}

#[tokio::test]
async fn pages_in_headless_chromium() {
    let Some(d) = driver().await else { return };
    let s = TestServer::start().await;
    let base = s.url.clone();
    let c = &d.client;

    // Sign-up page, then a new shop.
    c.goto(&format!("{base}/signup")).await.unwrap();
    shot(c, "signup").await;
    no_errors(c, "signup").await;
    c.find(Locator::Id("shop"))
        .await
        .unwrap()
        .send_keys("Harbor Goods")
        .await
        .unwrap();
    c.find(Locator::Id("name"))
        .await
        .unwrap()
        .send_keys("Hana Berg")
        .await
        .unwrap();
    c.find(Locator::Id("email"))
        .await
        .unwrap()
        .send_keys("hana@example.com")
        .await
        .unwrap();
    c.find(Locator::Id("password"))
        .await
        .unwrap()
        .send_keys(PW)
        .await
        .unwrap();
    c.find(Locator::Css("button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_path(c, "/dashboard").await;

    // Dashboard: landmarks, navigation for every page of the product, skip link first.
    let h1 = text_of(c, "main h1").await;
    assert_eq!(h1, "Dashboard");
    let nav_links = count(c, "nav.sidebar a[href^='/']").await;
    assert_eq!(nav_links, 21, "brand + 20 pages");
    assert!(
        c.find(Locator::Css("header.topbar input[type=search]"))
            .await
            .is_ok()
    );
    c.find(Locator::Css("body"))
        .await
        .unwrap()
        .send_keys("\u{E004}")
        .await
        .unwrap(); // Tab
    let focused = c
        .execute("return document.activeElement.className", vec![])
        .await
        .unwrap();
    assert_eq!(
        focused,
        serde_json::json!("skip"),
        "first Tab lands on the skip link"
    );
    no_errors(c, "dashboard").await;
    shot(c, "dashboard-light").await;

    set_prefs(c, &base, "en", "dark").await;
    c.goto(&format!("{base}/dashboard")).await.unwrap();
    let bg = c
        .execute(
            "return getComputedStyle(document.body).backgroundColor",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        bg,
        serde_json::json!("rgb(15, 19, 26)"),
        "dark theme applied"
    );
    shot(c, "dashboard-dark").await;

    set_prefs(c, &base, "ar", "light").await;
    c.goto(&format!("{base}/dashboard")).await.unwrap();
    let dir = c
        .execute("return document.documentElement.dir", vec![])
        .await
        .unwrap();
    assert_eq!(dir, serde_json::json!("rtl"));
    let sidebar_right = c.execute("const r = document.querySelector('nav.sidebar').getBoundingClientRect(); return r.left > window.innerWidth / 2", vec![]).await.unwrap();
    assert_eq!(
        sidebar_right,
        serde_json::json!(true),
        "navigation on the right in RTL"
    );
    no_errors(c, "dashboard (ar)").await;
    shot(c, "dashboard-ar").await;

    set_prefs(c, &base, "en", "system").await;
    c.set_window_size(390, 844).await.unwrap();
    c.goto(&format!("{base}/dashboard")).await.unwrap();
    let nav_hidden = c.execute("const r = document.querySelector('nav.sidebar').getBoundingClientRect(); return r.right <= 0", vec![]).await.unwrap();
    assert_eq!(
        nav_hidden,
        serde_json::json!(true),
        "navigation folds away on a phone"
    );
    fits_width(c, "dashboard").await;
    shot(c, "dashboard-phone").await;
    c.find(Locator::Css("label.menu-toggle"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(400)).await;
    shot(c, "dashboard-phone-menu").await;
    c.set_window_size(1280, 900).await.unwrap();

    // Two-factor enrolment shows a QR code.
    c.goto(&format!("{base}/settings/security")).await.unwrap();
    c.find(Locator::Css("form[action='/settings/mfa/begin'] button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_css(c, ".qr svg").await;
    no_errors(c, "security").await;
    shot(c, "settings-security").await;

    for path in [
        "/permissions",
        "/audit",
        "/settings/tokens",
        "/help",
        "/copilot",
    ] {
        c.goto(&format!("{base}{path}")).await.unwrap();
        no_errors(c, path).await;
        assert!(
            c.find(Locator::Css("main h1")).await.is_ok(),
            "{path} has a heading"
        );
    }
    shot(c, "audit").await;

    // Sign out, sign in again through the form.
    c.goto(&format!("{base}/dashboard")).await.unwrap();
    c.find(Locator::Css("form[action='/logout'] button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_path(c, "/login").await;
    shot(c, "login").await;
    c.find(Locator::Id("email"))
        .await
        .unwrap()
        .send_keys("hana@example.com")
        .await
        .unwrap();
    c.find(Locator::Id("password"))
        .await
        .unwrap()
        .send_keys(PW)
        .await
        .unwrap();
    c.find(Locator::Css("button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_path(c, "/dashboard").await;
    let cookies = c.get_all_cookies().await.unwrap();
    let session = cookies
        .iter()
        .find(|k| k.name().contains("sr360_session"))
        .expect("session cookie in the browser");
    assert_eq!(
        session.name(),
        "__Host-sr360_session",
        "the browser accepted the __Host- cookie on localhost"
    );
    d.client.clone().close().await.unwrap();
}

/// The README promise: `sr360 demo` prints a login that works in a browser.
#[tokio::test]
async fn demo_login_works_in_headless_chromium() {
    let Some(d) = driver().await else { return };
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_sr360"))
        .arg("--data")
        .arg(dir.path())
        // Scale 0.1 (about 1.2 orders a day): at 0.05 half the days have no sales and the
        // daily revenue forecast is rightly refused, leaving the dashboard card without one.
        .args(["demo", "--no-serve", "--scale", "0.1"])
        .env("SR360_SECRETS__BACKEND", "file")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let email = stdout
        .lines()
        .find_map(|l| l.trim().strip_prefix("E-mail:"))
        .unwrap()
        .trim()
        .to_string();
    let password = stdout
        .lines()
        .find_map(|l| l.trim().strip_prefix("Password:"))
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_string();
    let s = TestServer::start_in(dir, |c| {
        c.secrets.backend = sr360_core::config::SecretBackend::File
    })
    .await;
    let c = &d.client;
    c.goto(&format!("{}/", s.url)).await.unwrap();
    wait_path(c, "/login").await;
    c.find(Locator::Id("email"))
        .await
        .unwrap()
        .send_keys(&email)
        .await
        .unwrap();
    c.find(Locator::Id("password"))
        .await
        .unwrap()
        .send_keys(&password)
        .await
        .unwrap();
    c.find(Locator::Css("button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_path(c, "/dashboard").await;
    let text = text_of(c, "main").await;
    assert!(text.contains("Demo Outdoor & Home"), "{text}");
    assert!(
        text.contains("orders.csv") && text.contains("web_events.parquet"),
        "{text}"
    );
    let card = text_of(c, "#model-status").await;
    assert!(
        card.contains("Done") && card.contains("Next 14 days"),
        "model status on the dashboard: {card}"
    );
    no_errors(c, "demo dashboard").await;
    shot(c, "demo-dashboard").await;
    tall_shot(c, "demo-dashboard-full", 2000).await;

    // The chart analysis page: eight charts, each with an SVG, a summary and a table.
    c.goto(&format!("{}/charts", s.url)).await.unwrap();
    wait_css(c, "#trend svg").await;
    for id in [
        "trend",
        "categories",
        "products",
        "regions",
        "channels",
        "customers",
        "heatmap",
        "returns",
    ] {
        assert!(
            present(c, &format!("#{id} .chart svg")).await,
            "{id} has a chart"
        );
        let summary = c
            .find(Locator::Css(&format!("#{id} figcaption")))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(summary.len() > 10, "{id}: {summary:?}");
        assert!(
            present(c, &format!("#{id} table tbody tr")).await,
            "{id} table"
        );
    }
    // The demo's 90 days start on a Thursday and end on a Tuesday: both weeks are partial,
    // marked on the axis and said in the summary.
    let trend = text_of(c, "#trend").await;
    assert!(trend.contains("only partly inside the range"), "{trend}");
    no_errors(c, "charts").await;
    shot(c, "charts").await;
    // The whole page in one picture, to look at every chart.
    tall_shot(c, "charts-full", 5200).await;
    // Drill-down: a category in the ranking's table opens the charts for that category.
    c.execute(
        "document.querySelector('#categories details').open = true",
        vec![],
    )
    .await
    .unwrap();
    let link = c
        .find(Locator::Css("#categories table tbody tr a"))
        .await
        .unwrap();
    let category = link.text().await.unwrap();
    link.click().await.unwrap();
    wait_css(c, "#f-category").await;
    let chosen = c
        .execute("return document.getElementById('f-category').value", vec![])
        .await
        .unwrap();
    // The table shows the category as a label ("Home & Kitchen"); the filter keeps the stored name.
    assert_eq!(
        chosen.as_str().map(str::to_lowercase),
        Some(category.to_lowercase()),
        "drilled into the category"
    );
    assert_eq!(
        count(c, "#categories table tbody tr").await,
        1,
        "only that category left"
    );
    // The filter bar's form changes the view (a week grain).
    c.find(Locator::Css("#f-grain"))
        .await
        .unwrap()
        .select_by_value("week")
        .await
        .unwrap();
    c.find(Locator::Css("form.filters button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    // The old page also has a trend chart: wait for the new address first.
    for _ in 0..100 {
        if c.current_url()
            .await
            .unwrap()
            .as_str()
            .contains("grain=week")
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    wait_css(c, "#trend svg").await;
    assert!(
        c.current_url()
            .await
            .unwrap()
            .as_str()
            .contains("grain=week")
    );
    c.goto(&format!("{}/funnel", s.url)).await.unwrap();
    wait_css(c, "#overall svg").await;
    assert_eq!(
        count(c, "#steps .kpi").await,
        4,
        "view, cart, checkout, purchase"
    );
    for id in ["by-channel", "by-category", "underperformers"] {
        assert!(present(c, &format!("#{id}")).await, "{id}");
    }
    no_errors(c, "funnel").await;
    tall_shot(c, "funnel", 3000).await;
    c.goto(&format!("{}/customers", s.url)).await.unwrap();
    wait_css(c, "#top-customers tbody tr a").await;
    c.find(Locator::Css("#top-customers tbody tr a"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_css(c, "#orders tbody tr").await;
    assert!(present(c, "#segment a").await, "the customer's segment");
    no_errors(c, "customer").await;
    shot(c, "customer").await;
    c.goto(&format!("{}/cohorts", s.url)).await.unwrap();
    wait_css(c, "table.cohorts tbody tr").await;
    assert!(present(c, "#ltv .chart svg").await, "LTV chart");
    no_errors(c, "cohorts").await;
    shot(c, "cohorts").await;

    // The copilot: a question typed into the page, answered with a chart and a table; a
    // follow-up link continues the conversation.
    c.goto(&format!("{}/copilot", s.url)).await.unwrap();
    wait_css(c, "#copilot-examples li a").await;
    let q = c.find(Locator::Id("copilot-q")).await.unwrap();
    q.send_keys("Which category brought in the most revenue?")
        .await
        .unwrap();
    c.find(Locator::Css("form.copilot-form button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_css(c, "#copilot-answer .answer-text").await;
    assert!(
        present(c, "#copilot-chart .chart svg").await,
        "the answer's chart"
    );
    assert!(
        count(c, "#copilot-chart table tbody tr").await >= 2,
        "the categories as a table"
    );
    no_errors(c, "copilot").await;
    shot(c, "copilot").await;
    c.find(Locator::Css("#copilot-followups a"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_css(c, "#copilot-answer .answer-text").await;
    no_errors(c, "copilot follow-up").await;
    // The copilot window on another page: opened by its button, asked, kept across pages,
    // closed by Escape.
    open_copilot(c, &format!("{}/dashboard", s.url)).await;
    wait_css(c, "#copilot-window[open] #copilot-window-q").await;
    // A new conversation is offered the last run's unusual days; the browser has speech
    // recognition, so the microphone and its notice show.
    wait_css(c, "#copilot-alerts button").await;
    assert!(
        present(c, "#copilot-mic:not([hidden])").await,
        "microphone shown"
    );
    assert!(
        present(c, "#copilot-voice-notice:not([hidden])").await,
        "voice notice shown"
    );
    shot(c, "copilot-window-alerts").await;
    ask_window(c, "top 3 products by units").await;
    assert_eq!(
        count(c, "#copilot-log .copilot-turn tbody tr").await,
        3,
        "three products"
    );
    no_errors(c, "copilot window").await;
    shot(c, "copilot-window").await;
    open_copilot(c, &format!("{}/charts", s.url)).await;
    wait_css(
        c,
        "#copilot-window[open] #copilot-log .copilot-turn .answer-text",
    )
    .await;
    c.active_element()
        .await
        .unwrap()
        .send_keys(&fantoccini::key::Key::Escape.to_string())
        .await
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert!(
        !present(c, "#copilot-window[open]").await,
        "Escape closes the window"
    );

    // Forecasts and model status, trained by `sr360 demo`.
    c.goto(&format!("{}/forecasts", s.url)).await.unwrap();
    wait_css(c, "#forecast svg").await;
    assert!(
        present(c, "#drivers .chart svg").await,
        "what drives the forecast"
    );
    assert!(present(c, "#backtest tbody tr").await, "backtest table");
    let opts = count(c, "#f-series option").await;
    assert!(opts >= 3, "series to choose from: {opts}");
    no_errors(c, "forecasts").await;
    shot(c, "forecasts").await;
    tall_shot(c, "forecasts-full", 2600).await;
    c.goto(&format!("{}/models", s.url)).await.unwrap();
    wait_css(c, "#runs tbody tr").await;
    let text = text_of(c, "#runs").await;
    assert!(
        text.contains("Done")
            && text.contains("forecasts made")
            && text.contains("HR@10")
            && text.contains("best sellers for everyone")
            && text.contains("lower is better"),
        "{text}"
    );
    // Recommendations measured beside the baselines, with intervals, in words.
    let rec = text_of(c, "#recommendations").await;
    assert!(
        rec.contains("TIFU-kNN") && rec.contains("most bought items") && rec.contains("–"),
        "{rec}"
    );
    assert_eq!(count(c, "#recommendations tbody tr").await, 8);
    let promos = count(c, "#uplift tbody tr").await;
    assert!(promos >= 6, "one line per demo promotion: {promos}");
    no_errors(c, "models").await;
    shot(c, "models").await;
    tall_shot(c, "models-full", 4000).await;

    // Segments: named groups ordered by value, what decides them, a group's members.
    c.goto(&format!("{}/segments", s.url)).await.unwrap();
    wait_css(c, "#segments tbody tr a").await;
    let groups = count(c, "#segments tbody tr").await;
    assert!((3..=9).contains(&groups), "{groups} segments");
    assert!(
        present(c, "#importance .chart svg").await,
        "importance chart"
    );
    c.find(Locator::Css("#segments tbody tr a"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_css(c, "#members tbody tr").await;
    no_errors(c, "segments").await;
    shot(c, "segments").await;
    let key = c
        .current_url()
        .await
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "segment")
        .map(|(_, v)| v.to_string())
        .unwrap();
    let mut owner = s.agent();
    assert_eq!(owner.login(&email, &password).await.status, 303);
    let page = owner.get(&format!("/segments?segment={key}")).await.body;
    assert!(page.contains("@"), "owners see e-mails");
    // Two years of days on the charts page stays a page, not megabytes.
    let all_days = owner
        .get("/charts?from=2024-07-03&to=2026-06-30&grain=day")
        .await
        .body;
    // (1.6 MB before long charts dropped their per-point hover labels, 0.9 MB before one
    // drawing served both themes and page drawings lost per-label fonts and empty bars;
    // about 320 kB now, most of it the two tables of 730 days folded under their charts.)
    assert!(
        all_days.contains("id=\"trend\"") && all_days.len() < 400_000,
        "{} bytes",
        all_days.len()
    );
    let r = owner
        .submit(
            &format!("/segments?segment={key}"),
            &format!("/segments/export?segment={key}"),
            &[],
        )
        .await;
    assert_eq!(r.status, 200, "{}", &r.body[..r.body.len().min(300)]);
    assert!(
        r.body.lines().count() > 1 && r.body.contains("@"),
        "members as CSV"
    );
    s.add_member("demo", "viewer@demo.local", PW, sr360_core::Role::Viewer)
        .await;
    let mut viewer = s.agent();
    viewer.login("viewer@demo.local", PW).await;
    // On the demo shop every segment's typical member fits its name and the shop's lines.
    let tok = crate::harness::token(&s, "viewer@demo.local").await;
    let m = viewer
        .api(reqwest::Method::GET, "/api/v1/segments", Some(&tok), None)
        .await
        .json();
    let r = &m["rules"];
    let line = |k: &str| r[k].as_f64().unwrap();
    for g in m["segments"].as_array().unwrap() {
        let c = |j: usize| g["centre"][j].as_f64().unwrap();
        let (recency, orders, spent) = (c(0), c(1), c(2));
        let recent = recency <= line("recent_days");
        let frequent = orders >= line("frequent_orders");
        let holds = match g["name"].as_str().unwrap() {
            "champions" => frequent && recent && spent >= line("top_value"),
            "loyal" => frequent && recent,
            "at_risk" => frequent && !recent,
            "high_value" => spent >= line("top_value") && recency <= line("gone_days"),
            "new" => orders == 1.0 && recent,
            "potential_loyalists" => orders >= 2.0 && !frequent && recent,
            "churn_risk" => !recent && recency <= line("gone_days"),
            "hibernating" => recency > line("gone_days"),
            other => panic!("unknown segment {other}"),
        };
        assert!(holds, "{g} against {r}");
    }
    let page = viewer.get(&format!("/segments?segment={key}")).await.body;
    assert!(
        page.contains("id=\"members\"")
            && !page.contains("@example")
            && !page.contains("export-members"),
        "viewers: no e-mails, no export"
    );
    assert_eq!(
        viewer
            .submit("/segments", &format!("/segments/export?segment={key}"), &[])
            .await
            .status,
        403
    );

    // Search: completion in the global bar as one types (with a typo), then the results
    // page for a product described in other words, grouped by kind.
    c.goto(&format!("{}/dashboard", s.url)).await.unwrap();
    c.find(Locator::Id("global-search"))
        .await
        .unwrap()
        .send_keys("hikng bo")
        .await
        .unwrap();
    wait_css(c, "#search-suggest li a").await;
    let first = text_of(c, "#search-suggest li a").await;
    assert!(first.contains("Hiking Boot"), "{first}");
    shot(c, "search-suggest").await;
    // People of one name are told apart by their e-mail and city (the owner may see them).
    let bar = c.find(Locator::Id("global-search")).await.unwrap();
    bar.clear().await.unwrap();
    bar.send_keys("smith").await.unwrap();
    wait_css(c, "#search-suggest li a .sub").await;
    let people = text_of(c, "#search-suggest").await;
    assert!(people.contains('@'), "{people}");
    shot(c, "search-suggest-people").await;
    c.goto(&format!(
        "{}/search?q=shoes%20for%20rainy%20mountain%20walks",
        s.url
    ))
    .await
    .unwrap();
    wait_css(c, "#group-product li a").await;
    let text = text_of(c, "#group-product").await;
    let top: Vec<&str> = text.lines().skip(1).take(6).collect();
    assert!(
        top.iter().any(|l| l.contains("Boot")),
        "a boot among the first products: {text}"
    );
    no_errors(c, "search").await;
    shot(c, "search").await;

    // Recommendations: from a starting customer to their list, each item with its reason.
    c.goto(&format!("{}/recommendations", s.url)).await.unwrap();
    wait_css(c, "#starters li a").await;
    c.find(Locator::Css("#starters li a"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_css(c, "#for-customer tbody tr").await;
    let n = count(c, "#for-customer tbody tr").await;
    assert_eq!(n, 10, "ten recommendations");
    no_errors(c, "recommendations").await;
    shot(c, "recommendations").await;

    // Exports of the demo shop, PDF pages drawn back into images, for a person to look at;
    // then the report management page lists them.
    let mut ag = s.agent();
    assert_eq!(ag.login(&email, &password).await.status, 303);
    let exports = [
        ("charts", "all", "pdf"),
        ("funnel", "all", "pdf"),
        ("cohorts", "all", "pdf"),
        ("charts", "heatmap", "png"),
        ("funnel", "products", "csv"),
    ];
    for (page, item, format) in exports {
        let r = ag
            .submit(
                &format!("/{page}"),
                &format!("/reports/export?page={page}"),
                &[("item", item), ("format", format)],
            )
            .await;
        assert_eq!(
            r.status,
            200,
            "{page} {item} {format}: {}",
            &r.body[..r.body.len().min(300)]
        );
        let path = shots_dir().join(format!("export-{page}-{item}.{format}"));
        std::fs::write(&path, &r.bytes).unwrap();
        if format == "pdf" {
            let out = Command::new("pdftoppm")
                .args(["-png", "-r", "60"])
                .arg(&path)
                .arg(shots_dir().join(format!("export-{page}-{item}")))
                .output()
                .expect("pdftoppm (poppler-utils)");
            assert!(
                out.status.success(),
                "{page}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
    c.goto(&format!("{}/reports", s.url)).await.unwrap();
    wait_css(c, "#reports tbody tr").await;
    assert_eq!(
        count(c, "#reports tbody tr").await,
        exports.len() + 1,
        "the page's exports and the segment CSV"
    );
    no_errors(c, "reports").await;
    shot(c, "reports").await;
    // Nothing cut off, at a laptop's width and a phone's, in English and in Arabic (longer
    // words, right to left); every page's phone view is kept for a person to look at.
    let mut cut = vec![];
    for (locale, width) in [("en", 1366u32), ("en", 390), ("ar", 1366), ("ar", 390)] {
        if width == 1366 {
            set_prefs(c, &s.url, locale, "system").await;
        }
        c.set_window_size(width, 900).await.unwrap();
        for page in [
            "dashboard",
            "charts",
            "cohorts",
            "funnel",
            "customers",
            "segments",
            "forecasts",
            "models",
            "recommendations",
            "uploads",
            "reports",
            "audit",
        ] {
            c.goto(&format!("{}/{page}", s.url)).await.unwrap();
            wait_css(c, "main h1").await;
            for what in clipped(c).await {
                cut.push(format!("{page} ({locale}) at {width} px: {what}"));
            }
            if width == 390 {
                let suffix = if locale == "en" { "phone" } else { "phone-ar" };
                shot(c, &format!("{page}-{suffix}")).await;
            }
        }
    }
    c.set_window_size(1280, 900).await.unwrap();
    assert!(cut.is_empty(), "cut off:\n{}", cut.join("\n"));
    for (locale, theme, suffix) in [("en", "dark", "dark"), ("ar", "light", "ar")] {
        set_prefs(c, &s.url, locale, theme).await;
        c.goto(&format!("{}/charts", s.url)).await.unwrap();
        wait_css(c, "#trend svg").await;
        no_errors(c, &format!("charts ({suffix})")).await;
        shot(c, &format!("charts-{suffix}")).await;
        if locale == "ar" {
            // The browser draws date fields in its own language; the day is also said in
            // Arabic under each, and follows the field as it changes.
            let arabic_digit = |t: &str| t.chars().any(|ch| ('\u{660}'..='\u{669}').contains(&ch));
            let words = text_of(c, "#f-from + .date-words").await;
            assert!(arabic_digit(&words), "{words}");
            let changed = c
                .execute(
                    "var i = document.getElementById('f-from'); i.value = '2026-01-15'; \
                     i.dispatchEvent(new Event('change')); \
                     return document.querySelector('#f-from + .date-words').textContent;",
                    vec![],
                )
                .await
                .unwrap();
            let changed = changed.as_str().unwrap_or("").to_string();
            assert!(
                changed.contains("١٥") && changed.contains("٢٠٢٦"),
                "{changed}"
            );
        }
        for (page, css) in [
            ("forecasts", "#forecast svg"),
            ("segments", "#segments tbody tr"),
            ("models", "#runs tbody tr"),
            ("search?q=hiking%20boots", "#group-product li a"),
            ("recommendations", "#popular tbody tr"),
            ("help", "#q_alerts summary"),
            ("notifications", "main h1"),
            ("dashboard", ".kpi"),
            ("cohorts", "main h1"),
            ("funnel", "main h1"),
            ("customers", "main h1"),
            ("uploads", "main h1"),
            ("reports", "main h1"),
            ("audit", "main h1"),
            ("settings", "main h1"),
        ] {
            c.goto(&format!("{}/{page}", s.url)).await.unwrap();
            wait_css(c, css).await;
            let name = page.split('?').next().unwrap_or(page);
            no_errors(c, &format!("{name} ({suffix})")).await;
            shot(c, &format!("{name}-{suffix}")).await;
        }
        // The copilot window in this theme and language, with an answer in it.
        open_copilot(c, &format!("{}/dashboard", s.url)).await;
        ask_window(c, "what share of revenue came from Germany").await;
        no_errors(c, &format!("copilot window ({suffix})")).await;
        shot(c, &format!("copilot-window-{suffix}")).await;
    }
    // The copilot answer and its window at phone width, in Arabic.
    set_prefs(c, &s.url, "ar", "light").await;
    c.set_window_size(390, 844).await.unwrap();
    c.goto(&format!("{}/copilot?q={}", s.url, "%D8%A7%D9%84%D8%A5%D9%8A%D8%B1%D8%A7%D8%AF%D8%A7%D8%AA%20%D8%AD%D8%B3%D8%A8%20%D8%A7%D9%84%D9%81%D8%A6%D8%A9"))
        .await
        .unwrap();
    wait_css(c, "#copilot-answer .answer-text").await;
    fits_width(c, "copilot").await;
    no_errors(c, "copilot (phone, ar)").await;
    shot(c, "copilot-phone-ar").await;
    open_copilot(c, &format!("{}/dashboard", s.url)).await;
    shot(c, "copilot-window-phone-ar").await;
    c.set_window_size(1280, 900).await.unwrap();
    set_prefs(c, &s.url, "en", "system").await;
    d.client.clone().close().await.unwrap();
}

/// The status the upload page shows for the first file, once it has one.
async fn upload_status(c: &Client) -> serde_json::Value {
    let mut status = serde_json::Value::Null;
    for _ in 0..100 {
        status = c.execute("const li = document.querySelector('#upload-list li'); return li ? li.getAttribute('data-status') : null", vec![]).await.unwrap();
        if status.is_string() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    status
}

/// Uploading through the page: files sent with progress, processing followed live, the
/// history and the validation report shown.
#[tokio::test]
async fn upload_page_in_headless_chromium() {
    let Some(d) = driver().await else { return };
    let s = TestServer::start().await;
    s.signup("Harbor Goods", "hana@example.com", PW).await;
    let c = &d.client;
    c.goto(&format!("{}/login", s.url)).await.unwrap();
    c.find(Locator::Id("email"))
        .await
        .unwrap()
        .send_keys("hana@example.com")
        .await
        .unwrap();
    c.find(Locator::Id("password"))
        .await
        .unwrap()
        .send_keys(PW)
        .await
        .unwrap();
    c.find(Locator::Css("button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_path(c, "/dashboard").await;
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("orders.csv");
    std::fs::write(&f, "Name,Email,Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem sku\n#1,a@x.io,2025-01-02 10:00:00 +0000,2,Mug,9.50,M1\n#2,b@x.io,2025-01-03 11:00:00 +0000,1,Cup,4.00,C1\n#3,c@x.io,oops,1,Cup,4.00,C1\n#4,d@x.io,2025-01-04 11:00:00 +0000,1,Cup,4.00,C1\n#5,e@x.io,2025-01-05 11:00:00 +0000,1,Cup,4.00,C1\n#6,f@x.io,2025-01-06 11:00:00 +0000,1,Cup,4.00,C1\n#7,g@x.io,2025-01-07 11:00:00 +0000,1,Cup,4.00,C1\n#8,h@x.io,2025-01-08 11:00:00 +0000,1,Cup,4.00,C1\n#9,i@x.io,2025-01-09 11:00:00 +0000,1,Cup,4.00,C1\n#10,j@x.io,2025-01-10 11:00:00 +0000,1,Cup,4.00,C1\n#11,k@x.io,2025-01-11 11:00:00 +0000,1,Cup,4.00,C1\n").unwrap();
    c.goto(&format!("{}/upload", s.url)).await.unwrap();
    wait_path(c, "/upload").await;
    c.find(Locator::Id("files"))
        .await
        .unwrap()
        .send_keys(f.to_str().unwrap())
        .await
        .unwrap();
    c.find(Locator::Css("#upload-form button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let status = upload_status(c).await;
    assert_eq!(
        status,
        serde_json::json!("pending"),
        "a new shape of file asks for confirmation"
    );
    no_errors(c, "upload").await;
    c.find(Locator::Css("#upload-list li a"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_path(c, "/uploads/1/mapping").await;
    let chosen = c
        .execute("return document.getElementById('f-quantity').value", vec![])
        .await
        .unwrap();
    assert_eq!(
        chosen,
        serde_json::json!("Lineitem quantity"),
        "the suggestion is preselected"
    );
    let evidence = c
        .find(Locator::Id("mapping-evidence"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        evidence.contains("Recognised as Orders / order lines") && evidence.contains("% sure"),
        "the kind's confidence and why: {evidence}"
    );
    no_errors(c, "mapping").await;
    shot(c, "upload-mapping").await;
    c.find(Locator::Css(
        "form[method='post'][action$='/mapping'] button[type=submit]",
    ))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    wait_path(c, "/uploads/1").await;
    // The same shape again: loaded straight away, followed live on the upload page.
    c.goto(&format!("{}/upload", s.url)).await.unwrap();
    let f2 = dir.path().join("orders2.csv");
    std::fs::write(
        &f2,
        std::fs::read_to_string(&f).unwrap().replace("#1,", "#100,"),
    )
    .unwrap();
    c.find(Locator::Id("files"))
        .await
        .unwrap()
        .send_keys(f2.to_str().unwrap())
        .await
        .unwrap();
    c.find(Locator::Css("#upload-form button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let status = upload_status(c).await;
    assert_eq!(
        status,
        serde_json::json!("succeeded"),
        "the page followed the upload to its end"
    );
    shot(c, "upload").await;
    c.goto(&format!("{}/uploads", s.url)).await.unwrap();
    shot(c, "upload-history").await;
    c.goto(&format!("{}/uploads/1", s.url)).await.unwrap();
    let text = text_of(c, "main").await;
    assert!(
        text.contains("not a date and time") && text.contains("Lineitem quantity"),
        "{text}"
    );
    assert!(
        text.contains("What was loaded") && text.contains("order lines in"),
        "the report in words: {text}"
    );
    no_errors(c, "upload detail").await;
    shot(c, "upload-detail").await;
    c.goto(&format!("{}/dashboard", s.url)).await.unwrap();
    shot(c, "dashboard-with-data").await;
    // The same pages in the dark theme and in Arabic (right to left).
    for (locale, theme, suffix) in [("en", "dark", "dark"), ("ar", "light", "ar")] {
        set_prefs(c, &s.url, locale, theme).await;
        for (path, name) in [
            ("/dashboard", "dashboard-with-data"),
            ("/upload", "upload"),
            ("/uploads", "upload-history"),
            ("/uploads/1", "upload-detail"),
            ("/uploads/1/mapping", "upload-mapping"),
            ("/copilot?q=revenue%20by%20category", "copilot"),
        ] {
            c.goto(&format!("{}{path}", s.url)).await.unwrap();
            wait_css(c, "main").await;
            no_errors(c, &format!("{name} ({suffix})")).await;
            let dir = c
                .execute("return document.documentElement.dir", vec![])
                .await
                .unwrap();
            assert_eq!(
                dir,
                serde_json::json!(if locale == "ar" { "rtl" } else { "ltr" }),
                "{name} ({suffix})"
            );
            shot(c, &format!("{name}-{suffix}")).await;
        }
    }
    d.client.clone().close().await.unwrap();
}
