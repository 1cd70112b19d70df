// Switchboard console: local times, the live badge, toasts, and keeping an
// operator's open editor safe from live updates. No inline script anywhere:
// the Content-Security-Policy forbids it.
(function () {
  "use strict";

  var rtf = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });
  var abs = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "medium" });

  function relative(ms) {
    var s = Math.round(ms / 1000), a = Math.abs(s);
    if (a < 60) return rtf.format(s, "second");
    if (a < 3600) return rtf.format(Math.round(s / 60), "minute");
    if (a < 86400) return rtf.format(Math.round(s / 3600), "hour");
    return rtf.format(Math.round(s / 86400), "day");
  }

  function elapsed(ms) {
    var s = Math.max(0, Math.floor(ms / 1000));
    if (s < 60) return s + "s";
    if (s < 3600) return Math.floor(s / 60) + "m " + (s % 60) + "s";
    return Math.floor(s / 3600) + "h " + Math.floor((s % 3600) / 60) + "m";
  }

  // Times arrive as RFC 3339 in the scheduler's zone; show them in the
  // browser's, with the exact instant in the tooltip.
  function formatTimes(root) {
    var now = Date.now();
    (root || document).querySelectorAll("time[datetime]").forEach(function (el) {
      var d = new Date(el.getAttribute("datetime"));
      if (isNaN(d)) return;
      var local = abs.format(d);
      el.title = local + " (" + el.getAttribute("datetime") + ")";
      el.textContent = el.hasAttribute("data-relative") ? relative(d - now) + " · " + local : local;
    });
    (root || document).querySelectorAll("[data-since]").forEach(function (el) {
      el.textContent = "for " + elapsed(now - new Date(el.getAttribute("data-since")));
    });
  }

  function countJobs() {
    var body = document.getElementById("jobs-body");
    if (!body) return;
    var rows = body.querySelectorAll("tr[data-job-id]");
    var counts = { "": rows.length, scheduled: 0, running: 0, paused: 0, failed: 0 };
    rows.forEach(function (r) {
      counts[r.dataset.state] = (counts[r.dataset.state] || 0) + 1;
      if (r.dataset.lastStatus === "error") counts.failed++;
    });
    document.querySelectorAll("[data-count]").forEach(function (el) {
      el.textContent = counts[el.dataset.count] || 0;
    });
    var table = document.getElementById("jobs-table");
    if (table) {
      var f = table.dataset.filter, shown = 0;
      rows.forEach(function (r) {
        if (!f || r.dataset.state === f || (f === "failed" && r.dataset.lastStatus === "error")) shown++;
      });
      table.classList.toggle("none-shown", shown === 0);
    }
  }

  function toast(level, message) {
    var box = document.getElementById("toasts");
    if (!box) return;
    var t = document.createElement("div");
    t.className = "toast toast-" + level;
    t.setAttribute("role", "status");
    t.dataset.testid = "toast";
    t.textContent = message;
    box.appendChild(t);
    expire(t);
  }

  function expire(t) {
    setTimeout(function () { t.classList.add("toast-out"); }, 4000);
    setTimeout(function () { t.remove(); }, 4500);
  }

  function setBadge(state, text) {
    var b = document.getElementById("live-badge");
    if (!b) return;
    b.dataset.state = state;
    b.textContent = text;
  }

  // A row or form the operator is using: an open menu, or focus inside it.
  function busy(el) {
    if (!el || !el.querySelector) return false;
    if (el.querySelector("details[open]")) return true;
    var a = document.activeElement;
    return !!(a && a !== document.body && el.contains(a) && a.matches("input, select, textarea"));
  }

  function markChanged(el) {
    el.classList.add("changed");
    el.setAttribute("data-changed", "true");
    el.title = "Changed elsewhere; this view is out of date. Reload to see the change.";
  }

  document.addEventListener("htmx:oobBeforeSwap", function (e) {
    var target = e.detail.target;
    if (target.id === "jobs-body") {
      // A snapshot of the whole table: keep the rows being used.
      target.querySelectorAll("tr[data-job-id]").forEach(function (row) {
        if (!busy(row)) return;
        var fresh = e.detail.fragment.querySelector("#" + CSS.escape(row.id));
        if (fresh && fresh.dataset.version !== row.dataset.version) markChanged(row);
        if (fresh) fresh.replaceWith(row);
      });
      return;
    }
    if (busy(target)) {
      e.detail.shouldSwap = false;
      markChanged(target);
    }
  });

  // A job created elsewhere has no row yet: add it.
  document.addEventListener("htmx:oobErrorNoTarget", function (e) {
    var el = e.detail.content, body = document.getElementById("jobs-body");
    if (body && el && el.matches && el.matches("tr[data-job-id]")) {
      el.removeAttribute("hx-swap-oob");
      body.appendChild(el);
      htmx.process(el);
      formatTimes(el);
      countJobs();
    }
  });

  // A change too large to send live: read the page again rather than drift.
  document.addEventListener("htmx:sseMessage", function (e) {
    if (e.detail && e.detail.type === "resync") location.reload();
  });

  document.addEventListener("htmx:sseOpen", function () { setBadge("live", "live"); });
  document.addEventListener("htmx:sseError", function () {
    if (!navigator.onLine) setBadge("offline", "offline");
    else setBadge("reconnecting", "reconnecting");
  });
  window.addEventListener("offline", function () { setBadge("offline", "offline"); });

  document.addEventListener("htmx:responseError", function (e) {
    var xhr = e.detail.xhr, msg = xhr.getResponseHeader("X-Error-Message");
    toast("error", msg ? decodeURIComponent(msg) : "The request failed (" + xhr.status + ").");
  });
  document.addEventListener("htmx:sendError", function () { toast("error", "The server did not answer. Check your connection."); });

  document.addEventListener("htmx:afterSettle", function (e) { formatTimes(e.target); countJobs(); });
  document.addEventListener("htmx:oobAfterSwap", function () { formatTimes(); countJobs(); });
  document.addEventListener("htmx:load", function (e) {
    e.detail.elt.querySelectorAll && e.detail.elt.querySelectorAll(".toast").forEach(expire);
  });

  // Interval presets fill the editor's fields; the preview follows.
  document.addEventListener("click", function (e) {
    var b = e.target.closest("[data-preset-every]");
    if (!b) return;
    var form = b.closest("form");
    form.querySelector("[name=every]").value = b.dataset.presetEvery;
    form.querySelector("[name=unit]").value = b.dataset.presetUnit;
    var mode = form.querySelector("[name=mode][value=interval]");
    if (mode) mode.checked = true;
    form.querySelector("[name=every]").dispatchEvent(new Event("change", { bubbles: true }));
  });

  document.addEventListener("DOMContentLoaded", function () {
    formatTimes();
    countJobs();
    setInterval(function () { formatTimes(); }, 5000);
  });
})();
