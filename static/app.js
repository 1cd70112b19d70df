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

  // The chips' counts come from the server (they count every job, not the
  // page); here only "no job matches" follows the rows a filter hides.
  function markEmpty() {
    var table = document.getElementById("jobs-table");
    if (!table) return;
    var f = table.dataset.filter, shown = 0;
    table.querySelectorAll("#jobs-body tr[data-job-id]").forEach(function (r) {
      if (!f || r.dataset.state === f || (f === "failed" && r.dataset.lastStatus === "error")) shown++;
    });
    table.classList.toggle("none-shown", shown === 0);
  }

  // When jobs change, ask for the chips again: at once after a quiet
  // spell, then at most once a second (and once more after the last
  // change); and say when more or fewer jobs match than the page was cut
  // from.
  var countsBusy = false, countsAgain = false;
  function refreshCounts() {
    if (!document.getElementById("job-filters")) return;
    if (countsBusy) { countsAgain = true; return; }
    countsBusy = true;
    var done = function () {
      setTimeout(function () {
        countsBusy = false;
        if (countsAgain) { countsAgain = false; refreshCounts(); }
      }, 1000);
    };
    htmx.ajax("GET", location.pathname + location.search, { target: "#job-filters", swap: "outerHTML" }).then(done, done);
  }

  function markStale() {
    var table = document.getElementById("jobs-table"), hint = document.getElementById("jobs-stale");
    var count = document.querySelector('#job-filters [data-count="' + (table ? table.dataset.filter : "") + '"]');
    if (!table || !hint || !count) return;
    var diff = parseInt(count.textContent, 10) - parseInt(table.dataset.total, 10);
    if (!diff) { hint.hidden = true; return; }
    var plain = !table.dataset.filter && !table.dataset.search, n = Math.abs(diff), s = n === 1 ? "" : "s";
    var text = diff > 0
      ? (plain ? n + " new job" + s : n + " more job" + s + " match")
      : (plain ? n + " job" + s + " removed" : n + " fewer job" + s + " match");
    hint.textContent = text + " since this page was loaded — ";
    var a = document.createElement("a");
    a.href = location.pathname + location.search;
    a.textContent = "refresh";
    hint.appendChild(a);
    hint.hidden = false;
  }

  // A row for a job this page does not show: it belongs here when it sorts
  // inside the page's slice of the list (by id, as the server cuts it) and
  // matches the search. Anything else is on another page.
  function belongsHere(row, table, body) {
    var id = row.dataset.jobId, q = (table.dataset.search || "").toLowerCase();
    if (q) {
      var name = row.querySelector(".job-name");
      if (id.toLowerCase().indexOf(q) < 0 && (!name || name.textContent.toLowerCase().indexOf(q) < 0)) return false;
    }
    var rows = body.querySelectorAll("tr[data-job-id]");
    if (!rows.length) return table.hasAttribute("data-first") && table.hasAttribute("data-last");
    if (id < rows[0].dataset.jobId) return table.hasAttribute("data-first");
    if (id > rows[rows.length - 1].dataset.jobId) return table.hasAttribute("data-last");
    return true;
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

  // Focus kept across swaps: when the element holding focus is replaced (a
  // row after Pause, Resume or Run now, or by a live update), focus goes to
  // its successor: the same control if the new element has it, else the
  // action's counterpart, else the element itself. Without this it falls to
  // <body> and the next Tab starts over at the top of the page.
  var counterpart = { "pause-open": "resume", "resume": "pause-open" };
  var lostFocus = null;

  function rememberFocus(e) {
    var target = e.detail.target, a = document.activeElement;
    if (e.detail.shouldSwap === false || !target || !a || a === document.body || !target.contains(a)) return;
    var host = a.closest("[id]");
    if (!host || !target.contains(host)) host = target;
    // Focus already on a row that stood in for a disabled control (Run
    // now while the run lasts) still wants that control back.
    var testid = a === host ? host.dataset.focusWant : a.dataset.testid;
    // Anything in the pause menu: the pause it makes leaves Resume.
    var other = a.closest(".pause-menu") ? "resume" : counterpart[testid];
    lostFocus = { ids: [host.id, target.id], testids: [testid, other] };
  }

  function focusable(el) {
    return el && !el.disabled && el.getClientRects().length > 0;
  }

  function restoreFocus() {
    var lost = lostFocus, a = document.activeElement;
    if (!lost || (a && a !== document.body && a.isConnected)) return;
    lostFocus = null;
    var host = null;
    lost.ids.some(function (id) { host = id && document.getElementById(id); return !!host; });
    if (!host) return;
    var pick = null;
    lost.testids.some(function (t) {
      var el = t && host.querySelector('[data-testid="' + t + '"]');
      if (focusable(el)) pick = el;
      return !!pick;
    });
    if (!pick) {
      pick = host;
      if (lost.testids[0]) host.dataset.focusWant = lost.testids[0];
      if (!host.hasAttribute("tabindex")) host.setAttribute("tabindex", "-1");
    }
    pick.focus();
  }

  document.addEventListener("htmx:beforeSwap", rememberFocus);
  document.addEventListener("htmx:oobBeforeSwap", rememberFocus);
  document.addEventListener("htmx:afterSwap", restoreFocus);
  document.addEventListener("htmx:oobAfterSwap", restoreFocus);

  // A job with no row here: created elsewhere, or on another page. Add it
  // in its place when it belongs to this page; the chips' counts and the
  // "new jobs" hint cover the rest.
  document.addEventListener("htmx:oobErrorNoTarget", function (e) {
    var el = e.detail.content, body = document.getElementById("jobs-body"), table = document.getElementById("jobs-table");
    if (!body || !table || !el || !el.matches || !el.matches("tr[data-job-id]") || !belongsHere(el, table, body)) return;
    el.removeAttribute("hx-swap-oob");
    var next = Array.prototype.find.call(body.querySelectorAll("tr[data-job-id]"), function (r) { return r.dataset.jobId > el.dataset.jobId; });
    body.insertBefore(el, next || null);
    var f = table.dataset.filter;
    if (!f || el.dataset.state === f || (f === "failed" && el.dataset.lastStatus === "error")) {
      table.dataset.total = parseInt(table.dataset.total, 10) + 1;
    }
    htmx.process(el);
    formatTimes(el);
    markEmpty();
  });

  // The pause menu of a row opens on the page's one pause form, aimed at
  // that row's job. (toggle does not bubble: listen while it captures.)
  document.addEventListener("toggle", function (e) {
    var d = e.target, t = document.getElementById("pause-form");
    if (!t || !d.open || !d.dataset || !d.dataset.pause || d.querySelector("form")) return;
    var form = t.content.firstElementChild.cloneNode(true);
    form.setAttribute("action", d.dataset.pause);
    form.setAttribute("hx-post", d.dataset.pause);
    d.appendChild(form);
    htmx.process(form);
    var first = form.querySelector("input");
    if (first) first.focus();
  }, true);

  // A change too large to send live: read the page again rather than drift.
  document.addEventListener("htmx:sseMessage", function (e) {
    var type = e.detail && e.detail.type;
    if (type === "resync") location.reload();
    if (type === "job_updated" || type === "job_deleted") refreshCounts();
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

  document.addEventListener("htmx:afterSettle", function (e) {
    formatTimes(e.target);
    markEmpty();
    markStale();
  });
  document.addEventListener("htmx:oobAfterSwap", function () { formatTimes(); markEmpty(); });
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
    markEmpty();
    setInterval(function () { formatTimes(); }, 5000);
  });
})();
