// Switchboard console: local times, the live badge, toasts, and keeping an
// operator's open editor safe from live updates. No inline script anywhere:
// the Content-Security-Policy forbids it.
(function () {
  "use strict";

  var rtf = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });

  // Every absolute time names its zone, to the minute, on a 24-hour clock
  // as schedules are written ("Mar 14, 16:30 EDT"); the year only when it
  // is not this one. zone "" is the browser's.
  var zoneFormats = {};
  function inZone(d, zone) {
    var withYear = d.getFullYear() !== new Date().getFullYear(), key = zone + (withYear ? "|y" : "");
    if (!zoneFormats[key]) {
      var o = { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZoneName: "short" };
      if (withYear) o.year = "numeric";
      if (zone) o.timeZone = zone;
      try { zoneFormats[key] = new Intl.DateTimeFormat(undefined, o); } catch (err) { return inZone(d, ""); }
    }
    return zoneFormats[key].format(d);
  }

  // A schedule's times (data-schedule: previews, next runs) in the
  // scheduler's zone, as the schedule reads; the rest in the browser's.
  // The other zone is on hover.
  function zoned(el, d) {
    var server = document.body.dataset.timezone || "", browser = Intl.DateTimeFormat().resolvedOptions().timeZone;
    var local = inZone(d, "");
    if (!server || server === browser) return { text: local, title: local };
    var sched = inZone(d, server);
    if (el.hasAttribute("data-schedule")) return { text: sched, title: local + " (your time)" };
    return { text: local, title: sched + " (" + server + ", the scheduler's zone)" };
  }

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

  // Times arrive as RFC 3339 in the scheduler's zone; show each in its
  // zone (see zoned), the other on hover.
  function formatTimes(root) {
    var now = Date.now();
    (root || document).querySelectorAll("time[datetime]").forEach(function (el) {
      var d = new Date(el.getAttribute("datetime"));
      if (isNaN(d)) return;
      var z = zoned(el, d);
      el.title = z.title;
      el.textContent = el.hasAttribute("data-relative") ? relative(d - now) + " · " + z.text : z.text;
    });
    tickRunning(root, now);
  }

  // "for 12s": a running job's clock, which moves every second.
  function tickRunning(root, now) {
    (root || document).querySelectorAll("[data-since]").forEach(function (el) {
      el.textContent = "for " + elapsed((now || Date.now()) - new Date(el.getAttribute("data-since")));
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

  // throttledSwap re-fetches a server-drawn part of the page: at once after
  // a quiet spell, then at most once a second, and once more after the
  // last call, so a burst of changes costs two requests, not one each.
  function throttledSwap(id, url) {
    var busy = false, again = false;
    return function refresh() {
      if (!document.getElementById(id)) return;
      if (busy) { again = true; return; }
      busy = true;
      var done = function () {
        setTimeout(function () {
          busy = false;
          if (again) { again = false; refresh(); }
        }, 1000);
      };
      htmx.ajax("GET", url(), { target: "#" + id, swap: "outerHTML" }).then(done, done);
    };
  }
  // When jobs change, ask for the filter chips' counts again.
  var refreshCounts = throttledSwap("job-filters", function () { return location.pathname + location.search; });

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

  // A menu closes on Escape and on a click outside it, as menus do; the
  // keyboard's place goes back to the button that opened it.
  function closeMenu(d, refocus) {
    d.open = false;
    var s = d.querySelector("summary");
    if (refocus && s) s.focus();
  }
  document.addEventListener("keydown", function (e) {
    if (e.key !== "Escape") return;
    var d = e.target.closest && e.target.closest("details.menu[open]");
    var open = d ? [d] : document.querySelectorAll("details.menu[open]");
    open.forEach(function (m) { closeMenu(m, true); });
    if (open.length) e.preventDefault();
  });
  document.addEventListener("click", function (e) {
    document.querySelectorAll("details.menu[open]").forEach(function (m) {
      if (m.contains(e.target)) return;
      // A click on plain text leaves focus on <body>, or on <main> (which
      // takes focus only for the skip link): the button gets it back.
      var a = document.activeElement;
      closeMenu(m, !a || a === document.body || a.getAttribute("tabindex") === "-1" || m.contains(a));
    });
  });

  // A setting changed elsewhere: a field left as loaded takes the new value
  // (and the form is then loaded at it); a field being edited keeps what was
  // typed and says it changed elsewhere, and saving it is refused as stale.
  document.addEventListener("htmx:oobAfterSwap", function (e) {
    // The swap replaced the target: read the element now in its place.
    var now = e.detail.target && e.detail.target.id && document.getElementById(e.detail.target.id);
    var form = document.getElementById("settings-form");
    if (!form || !now || !now.matches("[data-testid=setting-value]")) return;
    var key = now.dataset.key, value = now.textContent;
    var field = form.querySelector('[name="' + CSS.escape(key) + '"]');
    var loaded = form.querySelector('[name="' + CSS.escape("loaded." + key) + '"]');
    if (!field || !loaded || loaded.value === value) return;
    if (field.value === loaded.value) {
      field.value = value;
      loaded.value = value;
      return;
    }
    var label = field.closest("label");
    if (!label) return;
    markChanged(label);
    if (!label.querySelector("[data-testid=setting-changed]")) {
      var note = document.createElement("small");
      note.className = "warning";
      note.dataset.testid = "setting-changed";
      note.textContent = "Changed elsewhere while you edited: see Now: below. Saving will ask you to check.";
      label.appendChild(note);
    }
  });

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
  function adoptRow(el) {
    var body = document.getElementById("jobs-body"), table = document.getElementById("jobs-table");
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
  }

  // Every page takes the one stream of changes, but shows only some of
  // what it carries: a fragment whose target this page lacks is dropped
  // here, before htmx would log it as an error (a new job's row is
  // adopted where it belongs). Only pushed messages are filtered (xhr is
  // null): an answer to the page's own request always has its targets.
  function oobTarget(el) {
    var v = el.getAttribute("hx-swap-oob"), i = v.indexOf(":");
    try {
      return document.querySelector(i > 0 ? v.slice(i + 1) : "#" + CSS.escape(el.id));
    } catch (err) {
      return null;
    }
  }
  function keepTargeted(frag) {
    Array.prototype.slice.call(frag.children).forEach(function (el) {
      if (el.tagName === "TEMPLATE") {
        keepTargeted(el.content);
        if (!el.content.children.length) el.remove();
        return;
      }
      if (!el.hasAttribute("hx-swap-oob") || oobTarget(el)) return;
      el.remove();
      if (el.getAttribute("hx-swap-oob") === "true") adoptRow(el);
    });
  }
  htmx.defineExtension("live-targets", {
    transformResponse: function (text, xhr) {
      if (xhr) return text;
      var t = document.createElement("template");
      t.innerHTML = text;
      keepTargeted(t.content);
      return t.innerHTML;
    }
  });

  // The pause menu of a row opens on the page's one pause form, aimed at
  // that row's job. (toggle does not bubble: listen while it captures.)
  document.addEventListener("toggle", function (e) {
    var d = e.target, t = document.getElementById("pause-form");
    if (!t || !d.open || !d.dataset || !d.dataset.pause) return;
    var form = d.querySelector("form");
    if (!form) {
      form = t.content.firstElementChild.cloneNode(true);
      form.setAttribute("action", d.dataset.pause);
      form.setAttribute("hx-post", d.dataset.pause);
      var at = d.closest("[data-version]"), version = form.querySelector("[name=version]");
      if (at && version) version.value = at.dataset.version;
      d.appendChild(form);
      htmx.process(form);
    }
    var first = form.querySelector("input:not([type=hidden])");
    if (first) first.focus();
  }, true);

  // A change too large to send live: read the page again rather than drift.
  document.addEventListener("htmx:sseMessage", function (e) {
    var type = e.detail && e.detail.type;
    if (type === "resync") location.reload();
    if (type === "job_updated" || type === "job_deleted") refreshCounts();
  });

  // The overview's panels are counts and lists drawn on the server: when a
  // job or a run changes (or the stream starts afresh), ask for them again,
  // at most once a second and once more after the last change.
  var refreshOverview = throttledSwap("overview", function () { return "/"; });
  var overviewEvents = ["snapshot", "job_updated", "job_deleted", "job_started", "job_completed"];
  document.addEventListener("htmx:sseMessage", function (e) {
    if (e.detail && overviewEvents.indexOf(e.detail.type) >= 0) refreshOverview();
    // A run under way: its page reads itself again once some run ends.
    if (e.detail && (e.detail.type === "job_completed" || e.detail.type === "snapshot") && document.querySelector("#run-page[data-running]")) {
      htmx.ajax("GET", location.pathname, { target: "#run-page", swap: "outerHTML" });
    }
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
  // A first run arrived live: "No runs yet." no longer holds.
  document.addEventListener("htmx:oobAfterSwap", function () {
    document.querySelectorAll(".table-wrap > .empty").forEach(function (p) {
      p.hidden = !!p.parentNode.querySelector("tbody tr");
    });
  });
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

  // Switched to "Crontab line", the box shows the schedule as it stands
  // (the preview's data-crontab), unless the operator has typed in it.
  // Capturing, this runs before htmx's listener on the fieldset asks for
  // the preview, which then reads the filled box.
  document.addEventListener("input", function (e) {
    if (e.target.name === "expression") e.target.dataset.typed = "true";
  });
  document.addEventListener("change", function (e) {
    var el = e.target;
    if (el.name !== "mode" || el.value !== "crontab" || !el.checked) return;
    var form = el.closest("form"), box = form && form.querySelector("[name=expression]");
    var p = form && form.querySelector("#schedule-preview");
    if (!box || box.dataset.typed || !p || !p.dataset.crontab) return;
    box.value = p.dataset.crontab;
  }, true);

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
    document.querySelectorAll("#toasts .toast").forEach(expire);
    formatTimes();
    markEmpty();
    var ticks = 0;
    setInterval(function () {
      if (++ticks % 5 === 0) formatTimes();
      else tickRunning();
      markLongRuns();
    }, 1000);
    updateBulkBar();
    markLongRuns();
  });
  document.addEventListener("htmx:afterSettle", function () { markLongRuns(); updateBulkBar(); });
  document.addEventListener("htmx:oobAfterSwap", function () { markLongRuns(); updateBulkBar(); });
})();
