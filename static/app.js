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
    // A row's selection checkbox holds nothing back: the selection
    // survives the update (see the bulk actions below).
    return !!(a && a !== document.body && el.contains(a) && a.matches("input:not([type=checkbox]), select, textarea"));
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

  // Bulk actions: the bar follows the rows selected; a live update of a
  // selected row keeps it selected; after acting, nothing is.
  function selectedBoxes() {
    return document.querySelectorAll('#jobs-body input[data-testid=job-select]:checked');
  }
  function updateBulkBar() {
    var bar = document.getElementById("jobs-bulk");
    if (!bar) return;
    var n = selectedBoxes().length, all = document.querySelector("[data-select-all]");
    var boxes = document.querySelectorAll("#jobs-body input[data-testid=job-select]");
    bar.hidden = n === 0;
    bar.querySelector("[data-bulk-count]").textContent = n === 1 ? "1 job selected" : n + " jobs selected";
    if (all) {
      all.checked = n > 0 && n === boxes.length;
      all.indeterminate = n > 0 && n < boxes.length;
    }
  }
  document.addEventListener("change", function (e) {
    if (e.target.matches("[data-select-all]")) {
      document.querySelectorAll("#jobs-body input[data-testid=job-select]").forEach(function (b) { b.checked = e.target.checked; });
    }
    if (e.target.matches("[data-select-all], input[data-testid=job-select]")) updateBulkBar();
  });
  document.addEventListener("htmx:oobBeforeSwap", function (e) {
    var t = e.detail.target;
    if (!t || !t.querySelectorAll || !e.detail.fragment) return;
    t.querySelectorAll("input[data-testid=job-select]:checked").forEach(function (b) {
      var row = b.closest("tr[data-job-id]");
      var fresh = row && (e.detail.fragment.querySelector("#" + CSS.escape(row.id)) ||
        (e.detail.fragment.firstElementChild && e.detail.fragment.firstElementChild.id === row.id ? e.detail.fragment.firstElementChild : null));
      var box = fresh && fresh.querySelector("input[data-testid=job-select]");
      if (box) box.setAttribute("checked", "");
    });
  });
  document.addEventListener("htmx:afterRequest", function (e) {
    if (e.detail.elt.id !== "jobs-bulk" || !e.detail.successful) return;
    selectedBoxes().forEach(function (b) { b.checked = false; });
    updateBulkBar();
  });

  // A running job past its usual length says so; elapsed time grows here,
  // so the server sends the threshold (data-usual-ms) and this compares.
  function markLongRuns() {
    var now = Date.now();
    document.querySelectorAll("[data-since][data-usual-ms]").forEach(function (el) {
      var mark = el.parentNode.querySelector(".running-long");
      if (mark) mark.hidden = now - new Date(el.getAttribute("data-since")) <= parseInt(el.dataset.usualMs, 10);
    });
  }

  // Resuming a job whose pause has skipped a run asks first (the server
  // counts the skipped runs): run it once now, or just resume.
  document.addEventListener("htmx:confirm", function (e) {
    var f = e.detail.elt;
    if (!f.matches || !f.matches("form[data-missed-after]") || Date.now() < Date.parse(f.dataset.missedAfter)) return;
    e.preventDefault();
    var old = document.getElementById("resume-dialog"), target = f.closest("[data-job-target]");
    if (old) old.remove();
    htmx.ajax("GET", f.getAttribute("action") + "?target=" + encodeURIComponent(target ? target.id : ""), { target: "body", swap: "beforeend" });
  });
  document.addEventListener("htmx:load", function (e) {
    var d = e.detail.elt;
    if (d.id !== "resume-dialog" || d.open) return;
    d.addEventListener("close", function () { d.remove(); });
    d.showModal();
  });
  document.addEventListener("htmx:afterRequest", function (e) {
    var d = e.detail.elt.closest && e.detail.elt.closest("#resume-dialog");
    if (d && e.detail.successful) d.close();
  });
  document.addEventListener("click", function (e) {
    var b = e.target.closest("[data-close-dialog]");
    if (b) b.closest("dialog").close();
  });

  document.addEventListener("DOMContentLoaded", function () {
    formatTimes();
    markEmpty();
    setInterval(function () { formatTimes(); }, 5000);
    updateBulkBar();
    markLongRuns();
    setInterval(markLongRuns, 1000);
  });
  document.addEventListener("htmx:afterSettle", function () { markLongRuns(); updateBulkBar(); });
  document.addEventListener("htmx:oobAfterSwap", function () { markLongRuns(); updateBulkBar(); });
})();
