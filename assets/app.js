// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  // Auto-submit selects marked data-autosubmit (tenant switcher), hide their submit buttons.
  document.querySelectorAll("select[data-autosubmit]").forEach(function (sel) {
    var form = sel.form;
    if (!form) return;
    form.querySelectorAll("[data-js-hide]").forEach(function (b) { b.hidden = true; });
    sel.addEventListener("change", function () { form.submit(); });
  });
  // Ask before destructive actions.
  document.querySelectorAll("form[data-confirm]").forEach(function (f) {
    f.addEventListener("submit", function (e) {
      if (!window.confirm(f.getAttribute("data-confirm"))) e.preventDefault();
    });
  });
  // Copy buttons for one-time secrets.
  document.querySelectorAll("button[data-copy]").forEach(function (b) {
    b.hidden = false;
    b.addEventListener("click", function () {
      var el = document.getElementById(b.getAttribute("data-copy"));
      if (el && navigator.clipboard) navigator.clipboard.writeText(el.textContent.trim());
    });
  });
})();
// Keep script errors and CSP violations where the browser tests (and a curious user's
// console) can read them.
window.__sr360_errors = window.__sr360_errors || [];
window.addEventListener("error", function (e) { window.__sr360_errors.push(String(e.message)); });
document.addEventListener("securitypolicyviolation", function (e) { window.__sr360_errors.push("CSP: " + e.violatedDirective + " " + e.blockedURI); });

// Upload page: send each file on its own with a progress bar, then follow its processing
// over Server-Sent Events. Without JavaScript the form posts normally.
(function () {
  "use strict";
  var form = document.getElementById("upload-form");
  if (!form || !window.FormData || !window.EventSource) return;
  var list = document.getElementById("upload-list");
  var input = document.getElementById("files");
  var zone = document.getElementById("dropzone");
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  function item(file) {
    var li = document.createElement("li");
    var name = document.createElement("strong");
    name.textContent = file.name;
    var bar = document.createElement("progress");
    bar.max = 100; bar.value = 0;
    var msg = document.createElement("span");
    msg.className = "muted";
    li.appendChild(name); li.appendChild(bar); li.appendChild(msg);
    list.appendChild(li);
    return { li: li, bar: bar, msg: msg };
  }
  function follow(u, row) {
    var es = new EventSource(u.links.events);
    function show(e) {
      var d = JSON.parse(e.data);
      row.bar.value = Math.round(50 + 50 * (d.progress || 0));
      row.msg.textContent = " " + (d.message || d.status);
      if (e.type === "done") {
        es.close();
        row.bar.value = 100;
        var a = document.createElement("a");
        a.href = d.links.page;
        a.textContent = d.status === "succeeded" ? (d.rows_accepted + " ✓") : d.status;
        row.msg.textContent = " ";
        row.msg.appendChild(a);
        if (d.error) row.msg.appendChild(document.createTextNode(" " + d.error));
        row.li.setAttribute("data-status", d.status);
      }
    }
    es.addEventListener("progress", show);
    es.addEventListener("done", show);
  }
  function send(file) {
    var row = item(file);
    var fd = new FormData();
    fd.append("confirm", "manual");
    fd.append("file", file, file.name);
    var xhr = new XMLHttpRequest();
    xhr.open("POST", "/api/v1/uploads");
    xhr.setRequestHeader("X-CSRF-Token", csrf);
    xhr.upload.onprogress = function (e) { if (e.lengthComputable) row.bar.value = Math.round(50 * e.loaded / e.total); };
    xhr.onload = function () {
      var body = {};
      try { body = JSON.parse(xhr.responseText); } catch (err) { body = {}; }
      if (xhr.status === 202 && body.uploads && body.uploads[0]) {
        var u = body.uploads[0];
        if (u.status === "duplicate") { row.bar.value = 100; row.msg.textContent = " " + u.message; row.li.setAttribute("data-status", "duplicate"); return; }
        if (u.status === "pending") {
          row.bar.value = 50;
          var link = document.createElement("a");
          link.href = u.links.confirm_page;
          link.textContent = form.getAttribute("data-confirm-label") || "Confirm";
          row.msg.textContent = " ";
          row.msg.appendChild(link);
          row.li.setAttribute("data-status", "pending");
          return;
        }
        follow(u, row);
      } else {
        row.msg.textContent = " " + ((body.error && body.error.message) || ("HTTP " + xhr.status));
        row.li.setAttribute("data-status", "failed");
      }
    };
    xhr.onerror = function () { row.msg.textContent = " network error"; };
    xhr.send(fd);
  }
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    Array.prototype.forEach.call(input.files, send);
    form.reset();
  });
  ["dragenter", "dragover"].forEach(function (t) { zone.addEventListener(t, function (e) { e.preventDefault(); zone.classList.add("over"); }); });
  ["dragleave", "drop"].forEach(function (t) { zone.addEventListener(t, function () { zone.classList.remove("over"); }); });
  zone.addEventListener("drop", function (e) { e.preventDefault(); Array.prototype.forEach.call(e.dataTransfer.files, send); });
})();
// Completion in the global search bar: suggestions from /api/v1/search/suggest as the user
// types (debounced), a list of links under the box, arrow keys and Escape. Without this
// file the box still submits to /search.
(function () {
  "use strict";
  var input = document.getElementById("global-search");
  if (!input || !window.fetch) return;
  var form = input.form;
  var list = document.createElement("ul");
  list.id = "search-suggest";
  list.className = "suggest";
  list.setAttribute("role", "listbox");
  list.hidden = true;
  form.appendChild(list);
  input.setAttribute("aria-controls", "search-suggest");
  input.setAttribute("aria-autocomplete", "list");
  var timer = null, seq = 0, active = -1;
  function close() { list.hidden = true; list.textContent = ""; active = -1; }
  function mark() {
    Array.prototype.forEach.call(list.children, function (li, i) {
      li.setAttribute("aria-selected", i === active ? "true" : "false");
    });
  }
  function show(hits) {
    list.textContent = "";
    hits.forEach(function (h) {
      var li = document.createElement("li");
      li.setAttribute("role", "option");
      var a = document.createElement("a");
      a.href = h.url;
      a.textContent = h.title;
      var k = document.createElement("small");
      k.className = "muted";
      k.textContent = " · " + (input.getAttribute("data-kind-" + h.kind) || h.kind);
      a.appendChild(k);
      // People of one name told apart (their e-mail and city, for roles that may see them).
      if (h.subtitle) {
        var sub = document.createElement("small");
        sub.className = "muted sub";
        sub.textContent = h.subtitle;
        a.appendChild(sub);
      }
      li.appendChild(a);
      list.appendChild(li);
    });
    active = -1;
    list.hidden = hits.length === 0;
  }
  input.addEventListener("input", function () {
    clearTimeout(timer);
    var q = input.value.trim();
    if (q.length < 2) { close(); return; }
    timer = setTimeout(function () {
      var mine = ++seq;
      fetch("/api/v1/search/suggest?q=" + encodeURIComponent(q), { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (hits) { if (mine === seq) show(hits); })
        .catch(function () { close(); });
    }, 150);
  });
  input.addEventListener("keydown", function (e) {
    var n = list.children.length;
    if (list.hidden || n === 0) return;
    if (e.key === "ArrowDown") { active = (active + 1) % n; mark(); e.preventDefault(); }
    else if (e.key === "ArrowUp") { active = (active - 1 + n) % n; mark(); e.preventDefault(); }
    else if (e.key === "Escape") { close(); }
    else if (e.key === "Enter" && active >= 0) {
      e.preventDefault();
      window.location.href = list.children[active].querySelector("a").href;
    }
  });
  document.addEventListener("click", function (e) { if (!form.contains(e.target)) close(); });
})();

// The copilot window: opened by its button or Ctrl/⌘+K, closed by Escape; asks the API and
// keeps the conversation (in this tab) while the user moves between pages. Without
// JavaScript the button is a link to the copilot page.
(function () {
  "use strict";
  var open = document.getElementById("copilot-open");
  var dlg = document.getElementById("copilot-window");
  if (!open || !dlg || typeof dlg.showModal !== "function" || !window.fetch) return;
  var log = document.getElementById("copilot-log");
  var form = document.getElementById("copilot-window-form");
  var input = document.getElementById("copilot-window-q");
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  var KEY = "sr360.copilot";
  function load() {
    try { return JSON.parse(sessionStorage.getItem(KEY)) || { turns: [] }; } catch (e) { return { turns: [] }; }
  }
  function save(s) {
    try { sessionStorage.setItem(KEY, JSON.stringify(s)); } catch (e) { /* private mode */ }
  }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }
  function table(result) {
    if (!result || !result.rows || !result.rows.length || result.columns.length < 2) return null;
    var wrap = el("div", "table-wrap");
    var t = el("table");
    var head = el("tr");
    result.columns.forEach(function (c) { head.appendChild(el("th", null, c)); });
    var thead = el("thead"); thead.appendChild(head); t.appendChild(thead);
    var body = el("tbody");
    var lang = document.documentElement.lang;
    // Shares and changes are fractions: shown as percentages, as the answer's words say them.
    function num(v, col) {
      if (col === "share") return v.toLocaleString(lang, { style: "percent", maximumFractionDigits: 1 });
      if (col === "change") return v.toLocaleString(lang, { style: "percent", maximumFractionDigits: 1, signDisplay: "exceptZero" });
      return v.toLocaleString(lang, { maximumFractionDigits: 2 });
    }
    result.rows.slice(0, 8).forEach(function (r) {
      var tr = el("tr");
      r.forEach(function (v, i) {
        var n = typeof v === "number";
        tr.appendChild(el("td", n ? "num" : null, v == null ? "—" : n ? num(v, result.columns[i]) : String(v)));
      });
      body.appendChild(tr);
    });
    t.appendChild(body); wrap.appendChild(t);
    return wrap;
  }
  function render(turn) {
    var box = el("div", "copilot-turn");
    box.appendChild(el("p", "copilot-q", turn.q));
    if (turn.error) { box.appendChild(el("p", "notice", turn.error)); return box; }
    var a = turn.a;
    if (!a) { box.appendChild(el("p", "muted", dlg.getAttribute("data-thinking"))); return box; }
    box.appendChild(el("p", "answer-text", a.answer));
    var t = table(a.result);
    if (t) box.appendChild(t);
    var links = el("p", "copilot-links");
    (a.sources || []).forEach(function (s) {
      var l = el("a", null, s.title); l.href = s.url; links.appendChild(l); links.appendChild(document.createTextNode(" · "));
    });
    var page = el("a", null, dlg.getAttribute("data-open-page"));
    page.href = "/copilot?q=" + encodeURIComponent(turn.q) + "&c=" + encodeURIComponent(a.conversation || "");
    links.appendChild(page);
    box.appendChild(links);
    var f = el("div", "copilot-followups");
    (a.followups || []).forEach(function (q) {
      var b = el("button", "btn small secondary", q); b.type = "button";
      b.addEventListener("click", function () { ask(q); });
      f.appendChild(b);
    });
    box.appendChild(f);
    return box;
  }
  function show(extra) {
    log.textContent = "";
    load().turns.forEach(function (t) { log.appendChild(render(t)); });
    if (extra) log.appendChild(render(extra));
    log.scrollTop = log.scrollHeight;
  }
  function ask(q) {
    q = (q || "").trim();
    if (!q) return;
    var s = load();
    show({ q: q });
    input.value = "";
    fetch("/api/v1/copilot/ask", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify(s.conversation ? { question: q, conversation: s.conversation } : { question: q })
    }).then(function (r) {
      return r.json().then(function (j) { return { ok: r.ok, j: j }; });
    }).then(function (x) {
      var s2 = load();
      if (x.ok) {
        s2.conversation = x.j.conversation;
        s2.turns.push({ q: q, a: { answer: x.j.answer, result: x.j.result, sources: x.j.sources, followups: x.j.followups, conversation: x.j.conversation } });
      } else {
        s2.turns.push({ q: q, error: (x.j.error && x.j.error.message) || dlg.getAttribute("data-error") });
      }
      s2.turns = s2.turns.slice(-20);
      save(s2);
      show();
    }).catch(function () {
      var s2 = load();
      s2.turns.push({ q: q, error: dlg.getAttribute("data-error") });
      save(s2);
      show();
    });
  }
  // The last model run's unusual days, offered when a conversation starts: one click asks
  // what drove the day, split by category.
  var METRIC = { revenue: "revenue", orders: "orders", returns: "returned units", conversion: "orders" };
  function offerAlerts() {
    if (load().turns.length) return;
    fetch("/api/v1/alerts?days=30", { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (j) {
        if (!j || !j.alerts || !j.alerts.length || load().turns.length) return;
        var box = el("div", "copilot-turn copilot-alerts");
        box.id = "copilot-alerts";
        box.appendChild(el("p", "muted", dlg.getAttribute("data-alerts")));
        var f = el("div", "copilot-followups");
        j.alerts.slice(0, 3).forEach(function (a) {
          var b = el("button", "btn small secondary", a.title); b.type = "button";
          b.addEventListener("click", function () {
            ask((METRIC[a.series] || "revenue") + " by category on " + a.day);
          });
          f.appendChild(b);
        });
        box.appendChild(f);
        log.appendChild(box);
      })
      .catch(function () { /* alerts are an offer, not a need */ });
  }
  // Speech to text where the browser has it (Web Speech API); the button stays hidden where
  // it does not. The notice says that some browsers recognise speech on their maker's servers.
  var Speech = window.SpeechRecognition || window.webkitSpeechRecognition;
  var mic = document.getElementById("copilot-mic");
  if (Speech && mic) {
    mic.hidden = false;
    var notice = document.getElementById("copilot-voice-notice");
    if (notice) notice.hidden = false;
    mic.addEventListener("click", function () {
      var rec = new Speech();
      rec.lang = document.documentElement.lang || "en";
      rec.interimResults = false;
      rec.maxAlternatives = 1;
      mic.setAttribute("aria-pressed", "true");
      rec.onresult = function (e) {
        var said = e.results && e.results[0] && e.results[0][0] ? e.results[0][0].transcript : "";
        if (said) { input.value = said; ask(said); }
      };
      rec.onend = function () { mic.setAttribute("aria-pressed", "false"); };
      rec.onerror = rec.onend;
      rec.start();
    });
  }
  function openWindow() {
    if (!dlg.open) dlg.showModal();
    show();
    offerAlerts();
    input.focus();
  }
  open.addEventListener("click", function (e) { e.preventDefault(); openWindow(); });
  document.getElementById("copilot-close").addEventListener("click", function () { dlg.close(); });
  form.addEventListener("submit", function (e) { e.preventDefault(); ask(input.value); });
  document.addEventListener("keydown", function (e) {
    if ((e.ctrlKey || e.metaKey) && (e.key === "k" || e.key === "K")) { e.preventDefault(); openWindow(); }
  });
})();

// The sidebar's unread count follows new notifications (an upload loaded, an unusual day)
// over Server-Sent Events; without JavaScript it is as of the page's load.
(function () {
  "use strict";
  var badge = document.getElementById("unread-count");
  if (!badge || !window.EventSource) return;
  var es = new EventSource("/notifications/events");
  es.addEventListener("unread", function (e) {
    var n = parseInt(e.data, 10) || 0;
    badge.textContent = String(n);
    badge.hidden = n === 0;
  });
  window.addEventListener("pagehide", function () { es.close(); });
})();

// A date field's day in the page's language under it (the browser draws the field in its
// own): kept current as the field changes.
(function () {
  "use strict";
  if (!window.Intl) return;
  var lang = document.documentElement.lang || "en";
  var opts = { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" };
  // Arabic as the server writes it: day/month/year in Arabic-Indic digits.
  if (lang === "ar") { opts.month = "numeric"; opts.numberingSystem = "arab"; }
  var fmt;
  try { fmt = new Intl.DateTimeFormat(lang, opts); } catch (e) { return; }
  Array.prototype.forEach.call(document.querySelectorAll(".date-words"), function (words) {
    var input = words.parentNode.querySelector("input[type=date]");
    if (!input) return;
    input.addEventListener("change", function () {
      var d = input.value ? new Date(input.value + "T00:00:00Z") : null;
      words.textContent = d && !isNaN(d) ? fmt.format(d) : "";
    });
  });
})();
