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
