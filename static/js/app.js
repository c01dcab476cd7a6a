// Unknot progressive enhancement. Everything works without this file; with it, entries are
// saved on the device first (instant, and offline too) and synced in the background.
(function () {
  "use strict";

  // ---------- small page helpers ----------
  var offsetMinutes = function (d) { return -d.getTimezoneOffset(); };
  var pad = function (n) { return (n < 10 ? "0" : "") + n; };
  function withOffset(local) {
    // "2026-05-12T07:30" in this device's zone -> RFC 3339 with the offset of that moment.
    var m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(local || "");
    if (!m) { return null; }
    var d = new Date(+m[1], +m[2] - 1, +m[3], +m[4], +m[5]);
    var off = offsetMinutes(d), sign = off < 0 ? "-" : "+", a = Math.abs(off);
    return local.slice(0, 16) + ":00" + sign + pad(Math.floor(a / 60)) + ":" + pad(a % 60);
  }
  document.querySelectorAll('input[data-fill="utc-offset"]').forEach(function (el) {
    if (!el.value) { el.value = String(offsetMinutes(new Date())); }
  });
  var tz = "";
  try { tz = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { tz = ""; }
  var zone = document.getElementById("f-timezone");
  if (zone && !zone.value && tz) {
    for (var i = 0; i < zone.options.length; i++) {
      if (zone.options[i].value === tz) { zone.value = tz; break; }
    }
  }
  document.querySelectorAll("button[data-copy]").forEach(function (btn) {
    var target = document.getElementById(btn.getAttribute("data-copy"));
    if (!target || !navigator.clipboard) { return; }
    btn.hidden = false;
    btn.addEventListener("click", function () {
      navigator.clipboard.writeText(target.textContent.trim()).then(function () { btn.textContent = "Copied"; });
    });
  });
  // A share code scanned from a QR code arrives in the fragment.
  var codeField = document.getElementById("f-code");
  var fromLink = /^#code=([0-9A-Za-z-]{12,16})$/.exec(window.location.hash);
  if (codeField && fromLink && !codeField.value) { codeField.value = fromLink[1]; }
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js").catch(function () { /* offline support is optional */ });
  }

  // The "More" menu of the navigation closes with Escape or a tap elsewhere.
  document.querySelectorAll("details.more").forEach(function (d) {
    d.addEventListener("keydown", function (ev) {
      if (ev.key === "Escape" && d.open) { d.open = false; d.querySelector("summary").focus(); }
    });
    document.addEventListener("click", function (ev) { if (d.open && !d.contains(ev.target)) { d.open = false; } });
  });

  // Logging out on a shared phone leaves nothing private behind: the cached pages go, and for a
  // client the local journal too (the server also answers with Clear-Site-Data).
  var beforeLogout = null;
  document.querySelectorAll('form[action="/logout"]').forEach(function (form) {
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      (beforeLogout ? beforeLogout() : Promise.resolve(true)).catch(function () { return true; }).then(function (go) {
        if (!go) { return; }
        var clear = window.caches ? caches.keys().then(function (keys) {
          return Promise.all(keys.filter(function (k) { return k.indexOf("unknot-") === 0; }).map(function (k) { return caches.delete(k); }));
        }) : Promise.resolve();
        clear.catch(function () {}).then(function () { form.submit(); });
      });
    });
  });

  // ---------- the offline store (clients only) ----------
  var userMeta = document.querySelector('meta[name="unknot-user"]');
  if (!userMeta || !window.indexedDB) { return; }
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  if (navigator.storage && navigator.storage.persist) { navigator.storage.persist().catch(function () {}); }

  var dbPromise = new Promise(function (resolve, reject) {
    var open = indexedDB.open("unknot-" + userMeta.content, 1);
    open.onupgradeneeded = function () {
      var db = open.result;
      db.createObjectStore("outbox", { keyPath: "mid" });
      db.createObjectStore("entries", { keyPath: "id" });
      db.createObjectStore("meta");
      db.createObjectStore("conflicts", { keyPath: "key" });
    };
    open.onsuccess = function () { resolve(open.result); };
    open.onerror = function () { reject(open.error); };
  });

  function tx(stores, mode, work) {
    return dbPromise.then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction(stores, mode), out;
        var s = {};
        stores.forEach(function (n) { s[n] = t.objectStore(n); });
        Promise.resolve(work(s)).then(function (v) { out = v; });
        t.oncomplete = function () { resolve(out); };
        t.onerror = t.onabort = function () { reject(t.error); };
      });
    });
  }
  function req(r) { return new Promise(function (res, rej) { r.onsuccess = function () { res(r.result); }; r.onerror = function () { rej(r.error); }; }); }

  function uuid7() {
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    var ms = Date.now();
    for (var i = 5; i >= 0; i--) { b[i] = ms % 256; ms = Math.floor(ms / 256); }
    b[6] = (b[6] & 0x0f) | 0x70;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x < 16 ? "0" : "") + x.toString(16); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  // One IndexedDB transaction writes the local change and its outbox row: nothing typed is lost.
  function enqueue(mutation, local) {
    return tx(["outbox", "entries", "meta"], "readwrite", function (s) {
      return req(s.meta.get("next_mid")).then(function (next) {
        var mid = next || 1;
        mutation.mid = mid;
        s.outbox.put(mutation);
        s.meta.put(mid + 1, "next_mid");
        if (local && local.remove) { s.entries.delete(local.id); } else if (local) { s.entries.put(local); }
        return mid;
      });
    });
  }

  function clientId() {
    return tx(["meta"], "readwrite", function (s) {
      return req(s.meta.get("client_id")).then(function (id) {
        if (!id) { id = uuid7(); s.meta.put(id, "client_id"); }
        return id;
      });
    });
  }

  function api(method, path, body) {
    return fetch(path, {
      method: method,
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: body ? JSON.stringify(body) : undefined
    });
  }

  // Outbox rows in mid order, renumbered from `first` (only rows the server has never applied:
  // after 409 mid_gap, from its "expected"; after 403, from 1 under a new client id).
  function renumber(first, newClient) {
    return tx(["outbox", "meta"], "readwrite", function (s) {
      return req(s.outbox.getAll()).then(function (all) {
        all.sort(function (a, b) { return a.mid - b.mid; });
        all.forEach(function (m) { s.outbox.delete(m.mid); });
        all.forEach(function (m, i) { m.mid = first + i; s.outbox.put(m); });
        s.meta.put(first + all.length, "next_mid");
        if (newClient) { s.meta.put(uuid7(), "client_id"); }
      });
    });
  }

  var problem = null; // what stops syncing, in words, until the next page load or sign-in
  function fail(status, text) { var e = new Error(text); e.status = status; return e; }

  // A mutation the server refuses as a whole request (400/413/422) is set aside with the server's
  // message, for the person to fix or discard; the rest go on (the gap it leaves is closed by
  // renumbering when the server answers mid_gap).
  function setAside(m, message) {
    return tx(["outbox", "conflicts", "entries"], "readwrite", function (s) {
      s.outbox.delete(m.mid);
      if (m.op === "upsert") { s.entries.delete(m.entry.id); }
      s.conflicts.put({ key: (m.id || m.entry.id) + ":rejected:" + m.mid, id: m.id || m.entry.id, rejected: message, mutation: m, label: m.label || "" });
    });
  }

  function pushOnce(size) {
    return Promise.all([clientId(), tx(["outbox"], "readonly", function (s) { return req(s.outbox.getAll()); })]).then(function (got) {
      var cid = got[0], pending = got[1].sort(function (a, b) { return a.mid - b.mid; }).slice(0, size);
      if (!pending.length) { return false; }
      var sent = pending.map(function (m) { var c = Object.assign({}, m); delete c.label; return c; });
      return api("POST", "/api/v1/sync/push", { client_id: cid, mutations: sent }).then(function (r) {
        if (r.ok) { return r.json(); }
        return r.json().catch(function () { return {}; }).then(function (body) {
          if (r.status === 401) { problem = "signin"; throw fail(401, "signed out"); }
          var expected = body.expected || (body.current && body.current.expected);
          if (r.status === 409 && body.error === "mid_gap" && expected) {
            return renumber(expected, false).then(function () { return "again"; });
          }
          if (r.status === 403) { return renumber(1, true).then(function () { return "again"; }); }
          if (r.status === 400 || r.status === 413 || r.status === 422) {
            if (pending.length > 1) { return "one"; }
            return setAside(pending[0], body.message || ("refused (" + r.status + ")")).then(function () { return "again"; });
          }
          throw fail(r.status, "push " + r.status);
        });
      }).then(function (res) {
        if (res === "again") { return true; }
        if (res === "one") { return pushOnce(1).then(function () { return true; }); }
        problem = null;
        var byMid = {};
        pending.forEach(function (m) { byMid[m.mid] = m; });
        return tx(["outbox", "conflicts"], "readwrite", function (s) {
          res.results.forEach(function (r) {
            var m = byMid[r.mid];
            var id = m && (m.id || (m.entry && m.entry.id));
            (r.conflicts || []).forEach(function (c) {
              s.conflicts.put({ key: id + ":" + c.field, id: id, field: c.field, server: c.server, yours: c.yours, version: r.version, label: m.label || "" });
            });
            if (r.status === "conflict_deleted") {
              s.conflicts.put({ key: id + ":deleted", id: id, deleted: true, entry: m.entry || null, label: m.label || "" });
            }
            if (r.status === "rejected") {
              s.conflicts.put({ key: id + ":rejected:" + r.mid, id: id, rejected: r.error, mutation: m, label: m.label || "" });
            }
          });
          return req(s.outbox.getAll()).then(function (all) {
            all.forEach(function (m) { if (m.mid <= res.last_mid) { s.outbox.delete(m.mid); } });
          });
        }).then(function () { return pending.length === size; });
      });
    });
  }

  function pull() {
    return tx(["meta"], "readonly", function (s) { return req(s.meta.get("cursor")); }).then(function (cursor) {
      return api("GET", "/api/v1/sync/pull?limit=500&since=" + encodeURIComponent(cursor || "")).then(function (r) {
        if (r.status === 410) {
          // Too old: start over, keeping the outbox.
          return tx(["meta", "entries"], "readwrite", function (s) { s.meta.delete("cursor"); s.entries.clear(); }).then(function () { return true; });
        }
        if (r.status === 401) { problem = "signin"; throw fail(401, "signed out"); }
        if (!r.ok) { throw fail(r.status, "pull " + r.status); }
        return r.json().then(function (p) {
          return tx(["meta", "entries", "outbox"], "readwrite", function (s) {
            return req(s.outbox.getAll()).then(function (out) {
              var waiting = {};
              out.forEach(function (m) { waiting[m.id || (m.entry && m.entry.id)] = true; });
              p.changes.forEach(function (e) {
                if (waiting[e.id]) { return; }
                if (e.deleted) { s.entries.delete(e.id); } else { e.pending = false; s.entries.put(e); }
              });
              s.meta.put(p.cursor, "cursor");
              return p.has_more;
            });
          });
        });
      });
    });
  }

  var syncing = null, again = null;
  function sync() {
    if (!navigator.onLine || problem === "signin") { return Promise.resolve(false); }
    // A sync already running may have read the outbox before the change that asks for this one:
    // once it ends, run again (one run for everyone who asked meanwhile).
    if (syncing) {
      if (!again) { again = syncing.then(function () { again = null; return sync(); }); }
      return again;
    }
    var run = function () {
      var rounds = 0;
      var pushAll = function () { return pushOnce(500).then(function (more) { return more && ++rounds < 50 ? pushAll() : null; }); };
      var pullAll = function () { return pull().then(function (more) { return more ? pullAll() : null; }); };
      return pushAll().then(pullAll).then(function () { return true; });
    };
    // Only one tab pushes at a time.
    var locked = navigator.locks ? navigator.locks.request("unknot-sync", run) : run();
    syncing = locked.catch(function (e) {
      if (!e.status) { problem = problem || "unreachable"; }
      return false;
    }).then(function (ok) {
      if (ok && problem === "unreachable") { problem = null; }
      syncing = null;
      // When the last sync ended (and whether it reached the server): for tests and tools.
      document.documentElement.setAttribute("data-synced", ok ? "ok" : "failed");
      return render().then(function () { return ok; });
    });
    return syncing;
  }

  // ---------- what the page shows ----------
  var main = document.getElementById("main");
  var status = document.createElement("div");
  status.id = "sync-status";
  status.setAttribute("role", "status");
  if (main) { main.insertBefore(status, main.firstChild); }

  function button(text, onClick) {
    var b = document.createElement("button");
    b.type = "button";
    b.textContent = text;
    b.addEventListener("click", onClick);
    return b;
  }
  function para(text) { var p = document.createElement("p"); p.textContent = text; return p; }
  function dropConflict(key) { return tx(["conflicts"], "readwrite", function (s) { s.conflicts.delete(key); }); }

  // Where a refused change is fixed: its form, filled with what was typed (see fillDraft).
  function fixUrl(c) {
    var m = c.mutation;
    if (!m) { return null; }
    if (m.op === "upsert") { return "/log/" + m.entry.kind + "#draft=" + encodeURIComponent(c.key); }
    if (m.op === "patch") { return "/entries/" + m.id + "/edit#draft=" + encodeURIComponent(c.key); }
    return null;
  }

  function conflictLine(c) {
    var p;
    if (c.deleted) {
      p = para((c.label || "An entry") + " was deleted on another device. ");
      if (c.entry) {
        p.appendChild(button("Restore as new", function () {
          var e = Object.assign({}, c.entry, { id: uuid7() });
          enqueue({ op: "upsert", entry: e, base_version: 0, label: c.label }, null)
            .then(function () { return dropConflict(c.key); }).then(sync).then(render);
        }));
      }
    } else if (c.rejected) {
      p = para((c.label || "A change") + " could not be saved: " + c.rejected + ". ");
      var fix = fixUrl(c);
      if (fix) {
        var a = document.createElement("a");
        a.href = fix;
        a.textContent = "Fix it";
        a.className = "button";
        p.appendChild(a);
        p.appendChild(document.createTextNode(" "));
      }
      p.appendChild(button("Discard", function () { dropConflict(c.key).then(render); }));
      return p;
    } else {
      p = para((c.label || "An entry") + ": " + c.field + " was changed on another device. Theirs: " + JSON.stringify(c.server) + ", yours: " + JSON.stringify(c.yours) + ". ");
      p.appendChild(button("Use mine", function () {
        var fields = {};
        fields[c.field] = c.yours;
        enqueue({ op: "patch", id: c.id, fields: fields, base_version: c.version, label: c.label }, null)
          .then(function () { return dropConflict(c.key); }).then(sync).then(render);
      }));
    }
    p.appendChild(button("Dismiss", function () { dropConflict(c.key).then(render); }));
    return p;
  }

  var todayKey = function (d) { return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()); };

  // Entries saved on this phone and not yet synced, shown in Today and the timeline, marked.
  function showPending(out) {
    var deleted = {};
    out.forEach(function (m) { if (m.op === "delete") { deleted[m.id] = true; } });
    var waiting = out.filter(function (m) { return m.op === "upsert" && !deleted[m.entry.id]; });
    document.querySelectorAll("[data-pending]").forEach(function (section) {
      var list = section.querySelector("ul.entries");
      if (!list) { return; }
      list.querySelectorAll("li.js-pending").forEach(function (li) { li.remove(); });
      var only = section.getAttribute("data-pending") === "today" ? todayKey(new Date()) : null;
      var shown = 0;
      waiting.forEach(function (m) {
        var e = m.entry;
        if (only && e.occurred_at.slice(0, 10) !== only) { return; }
        if (list.querySelector('li[data-id="' + e.id + '"]')) { return; }
        var li = document.createElement("li");
        li.className = "entry pending js-pending kind-" + e.kind;
        li.setAttribute("data-id", e.id);
        var box = document.createElement("div");
        box.className = "entry-main";
        [["entry-time", e.occurred_at.slice(11, 16)], ["entry-kind", m.label || e.kind], ["pending-mark", "Saved on this phone, not yet synced"]].forEach(function (part) {
          var span = document.createElement("span");
          span.className = part[0];
          span.textContent = part[1];
          box.appendChild(span);
        });
        li.appendChild(box);
        list.insertBefore(li, list.firstChild);
        shown++;
      });
      if (section.hasAttribute("hidden") || section.getAttribute("data-pending") === "all") { section.hidden = shown === 0; }
      var none = section.querySelector(".nothing-yet");
      if (none) { none.hidden = shown > 0 || list.children.length > 0; }
    });
  }

  function render() {
    return tx(["outbox", "entries", "conflicts"], "readonly", function (s) {
      return Promise.all([req(s.outbox.getAll()), req(s.conflicts.getAll())]);
    }).then(function (got) {
      var out = got[0], conflicts = got[1];
      status.textContent = "";
      status.className = out.length || conflicts.length || problem === "signin" ? "notice sync-status" : "";
      if (problem === "signin") {
        var p = para("You are signed out on this phone. Your changes are kept here; ");
        var a = document.createElement("a");
        a.href = "/login?next=" + encodeURIComponent(location.pathname);
        a.textContent = "sign in again to send them";
        p.appendChild(a);
        p.appendChild(document.createTextNode("."));
        status.appendChild(p);
      }
      if (out.length) {
        var why = !navigator.onLine ? " (offline)" : problem === "unreachable" ? " (Unknot cannot be reached; they are kept on this phone and sent later)" : "";
        status.appendChild(para(out.length + (out.length === 1 ? " change" : " changes") + " saved on this phone, not yet synced" + why + "."));
        var ul = document.createElement("ul");
        ul.className = "pending";
        out.forEach(function (m) {
          var li = document.createElement("li");
          li.textContent = (m.label || m.op) + " — not yet synced";
          ul.appendChild(li);
        });
        status.appendChild(ul);
      }
      conflicts.forEach(function (c) { status.appendChild(conflictLine(c)); });
      showPending(out);
    }).catch(function () {});
  }

  // ---------- forms save through the local store ----------
  var INTS = ["intensity", "duration_s", "volume_ml", "minutes", "duration_min"];
  var LISTS = ["triggers", "red_flags", "relief", "body_sites"];
  var SKIP = ["csrf_token", "utc_offset", "version", "occurred_at", "id", "site", "stopped"];

  function entryFromForm(form) {
    var fd = new FormData(form), data = {}, flagged = false;
    LISTS.forEach(function (k) { if (form.querySelector('[name="' + k + '"]')) { data[k] = []; } });
    fd.forEach(function (v, k) {
      if (SKIP.indexOf(k) >= 0 || v === "") { return; }
      if (LISTS.indexOf(k) >= 0) { data[k].push(v); if (k === "red_flags") { flagged = true; } }
      else if (INTS.indexOf(k) >= 0) { data[k] = Number(v); }
      else if (k === "electrolytes") { data[k] = true; }
      else if (k === "ended_at") { data[k] = withOffset(v); }
      else { data[k] = String(v).trim(); }
    });
    return { occurred_at: withOffset(fd.get("occurred_at")), data: data, flagged: flagged };
  }

  // The fields of a form whose values differ from `before` (null for a cleared one): an edit
  // sends only what the person changed, so two devices editing different fields both keep theirs.
  function changedFields(form, before) {
    var now = entryFromForm(form), fields = {};
    var keys = Object.keys(before.data).concat(Object.keys(now.data));
    keys.forEach(function (k) {
      if (JSON.stringify(before.data[k]) !== JSON.stringify(now.data[k])) { fields[k] = k in now.data ? now.data[k] : null; }
    });
    if (now.occurred_at && now.occurred_at !== before.occurred_at) { fields.occurred_at = now.occurred_at; }
    return { fields: fields, now: now };
  }

  function nowLocal() {
    var d = new Date();
    return withOffset(todayKey(d) + "T" + pad(d.getHours()) + ":" + pad(d.getMinutes()));
  }
  function heading() { return ((document.querySelector("h1") || {}).textContent || "Entry").trim(); }
  function go(to, ok) { window.location.assign(to + (ok ? "" : (to.indexOf("?") < 0 ? "?" : "&") + "offline=1")); }

  // A refused change opened to be fixed: its form filled with what was typed.
  function fillDraft(form) {
    var m = /^#draft=(.+)$/.exec(window.location.hash);
    if (!m) { return Promise.resolve(null); }
    var key = decodeURIComponent(m[1]);
    return tx(["conflicts"], "readonly", function (s) { return req(s.conflicts.get(key)); }).then(function (c) {
      if (!c || !c.mutation) { return null; }
      var mu = c.mutation, data = mu.op === "upsert" ? mu.entry.data : mu.fields;
      var at = mu.op === "upsert" ? mu.entry.occurred_at : mu.fields.occurred_at;
      if (at && form.elements.occurred_at) { form.elements.occurred_at.value = at.slice(0, 16); }
      Object.keys(data || {}).forEach(function (k) {
        var v = data[k];
        form.querySelectorAll('[name="' + k + '"]').forEach(function (el) {
          if (el.type === "checkbox" || el.type === "radio") {
            el.checked = Array.isArray(v) ? v.indexOf(el.value) >= 0 : (el.value === String(v) || (v === true && el.value === "on"));
          } else if (v !== null && v !== undefined) {
            el.value = k === "ended_at" ? String(v).slice(0, 16) : String(v);
          }
        });
      });
      form.insertBefore(para("Not saved yet: " + c.rejected + ". Fix it below and save."), form.firstChild).className = "error-text";
      return key;
    });
  }

  document.querySelectorAll("form.entry-form").forEach(function (form) {
    var before = entryFromForm(form);
    var draft = fillDraft(form);
    form.addEventListener("submit", function (ev) {
      var action = form.getAttribute("action") || "";
      var m = /^\/log\/([a-z_]+)$/.exec(action), edit = /^\/entries\/([0-9a-f-]+)\/edit$/.exec(action);
      var got = entryFromForm(form);
      if (!got.occurred_at || !form.checkValidity()) {
        // Online, the server explains every field; offline, the browser points at them.
        if (!navigator.onLine) { ev.preventDefault(); form.reportValidity(); }
        return;
      }
      ev.preventDefault();
      var label = heading(), done;
      if (m) {
        var e = { id: uuid7(), kind: m[1], occurred_at: got.occurred_at, data: got.data };
        var local = Object.assign({ pending: true, label: label }, e);
        done = enqueue({ op: "upsert", entry: e, base_version: 0, label: label }, local).then(function () { return "/?saved=" + m[1] + (got.flagged ? "&flag=1" : ""); });
      } else if (edit) {
        var change = changedFields(form, before);
        var version = Number((form.querySelector('[name="version"]') || {}).value || 0);
        done = (Object.keys(change.fields).length
          ? enqueue({ op: "patch", id: edit[1], fields: change.fields, base_version: version, label: label }, null)
          : Promise.resolve()).then(function () { return "/timeline?done=updated"; });
      } else {
        return form.submit();
      }
      done.then(function (to) {
        return draft.then(function (key) { return key ? dropConflict(key) : null; }).then(sync).then(function (ok) { go(to, ok); });
      }).catch(function () { form.submit(); });
    });
  });

  // ---------- one tap: quick buttons, with Undo ----------
  var toastTimer = null;
  function toast(after, text, undo) {
    var box = document.getElementById("quick-toast");
    if (!box) {
      box = document.createElement("div");
      box.id = "quick-toast";
      box.className = "notice toast";
      box.setAttribute("role", "status");
      after.parentNode.insertBefore(box, after.nextSibling);
    }
    box.textContent = "";
    box.appendChild(para(text));
    if (undo) {
      var b = button("Undo", function () { b.disabled = true; undo(); });
      b.className = "link";
      box.appendChild(b);
    }
    box.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(function () {
      if (!box.contains(document.activeElement)) { box.hidden = true; }
    }, 15000);
  }

  // Undo sends a delete after the entry: if it was never sent, both go together.
  function undoEntry(id, label) {
    return enqueue({ op: "delete", id: id, label: "Undo " + label }, { id: id, remove: true }).then(sync).then(render);
  }

  document.querySelectorAll("form.quick-form").forEach(function (form) {
    form.addEventListener("submit", function (ev) {
      var b = ev.submitter;
      var spec = b && b.getAttribute("data-entry");
      if (!spec) { return; }
      ev.preventDefault();
      var q = JSON.parse(spec), label = b.textContent.trim();
      var e = { id: uuid7(), kind: q.kind, occurred_at: nowLocal(), data: q.data };
      var undo = function () {
        undoEntry(e.id, label).then(function () { toast(form, "Undone: " + label + " removed.", null); });
      };
      enqueue({ op: "upsert", entry: e, base_version: 0, label: label }, Object.assign({ pending: true, label: label }, e)).then(function () {
        toast(form, "Saved on this phone, not yet synced: " + label + ".", undo);
        render();
        return sync();
      }).then(function (ok) {
        if (ok) { toast(form, "Saved: " + label + ".", undo); }
      }).catch(function () { form.submit(); });
    });
  });

  // ---------- Spasm now: the three taps on the device ----------
  var map = document.getElementById("spasm-map"), strength = document.getElementById("spasm-strength");
  var after = document.getElementById("spasm-after");
  var spasmForm = document.getElementById("spasm-form");
  function showStep(site, label) {
    if (!map || !strength) { return; }
    map.hidden = !!site;
    strength.hidden = !site;
    if (site) {
      spasmForm.elements.site.value = site;
      document.getElementById("spasm-where").textContent = label;
      document.getElementById("strength-h").focus();
    } else {
      document.getElementById("where-h").focus();
    }
  }
  if (map && strength && spasmForm && after) {
    map.querySelectorAll("a[data-site]").forEach(function (a) {
      a.addEventListener("click", function (ev) {
        ev.preventDefault();
        var site = a.getAttribute("data-site");
        history.pushState({ site: site }, "", "/spasm?site=" + site);
        showStep(site, a.getAttribute("aria-label") || a.textContent.trim());
      });
    });
    document.getElementById("spasm-change").addEventListener("click", function (ev) {
      ev.preventDefault();
      history.pushState({}, "", "/spasm");
      showStep(null);
    });
    window.addEventListener("popstate", function (ev) {
      if (after.hidden) { showStep(ev.state && ev.state.site ? ev.state.site : null, document.getElementById("spasm-where").textContent); }
    });
    spasmForm.addEventListener("submit", function (ev) {
      var b = ev.submitter, site = spasmForm.elements.site.value;
      if (!b || !site) { return; }
      ev.preventDefault();
      var where = document.getElementById("spasm-where").textContent, n = Number(b.value);
      var at = nowLocal();
      var e = { id: uuid7(), kind: "episode", occurred_at: at, data: { body_site: site, intensity: n } };
      var label = "Spasm: " + where + ", " + n + "/10";
      var said = "a spasm in your " + where.toLowerCase() + ", " + n + " out of 10, at " + at.slice(11, 16) + ".";
      enqueue({ op: "upsert", entry: e, base_version: 0, label: label }, Object.assign({ pending: true, label: label }, e)).then(function () {
        var follow = after.querySelector("form.follow-up");
        follow.setAttribute("data-id", e.id);
        follow.setAttribute("data-version", "0");
        follow.setAttribute("data-started", String(Date.now()));
        follow.setAttribute("action", "/spasm/" + e.id);
        var saved = document.getElementById("after-saved");
        saved.textContent = "Saved on this phone: " + said;
        map.hidden = true;
        strength.hidden = true;
        after.hidden = false;
        history.replaceState({ done: true }, "", "/spasm");
        document.getElementById("after-h").focus();
        return sync().then(function (ok) { if (ok) { saved.textContent = "Saved: " + said; } });
      });
    });
  }

  // Follow-up forms (after "Spasm now") send only what changed, as a patch of the entry.
  document.querySelectorAll("form.patch-form").forEach(function (form) {
    var before = entryFromForm(form);
    form.addEventListener("submit", function (ev) {
      var id = form.getAttribute("data-id"), version = form.getAttribute("data-version");
      var stopped = ev.submitter && ev.submitter.name === "stopped";
      // An episode the server saved is timed by the server's clock.
      if (!id || (stopped && version !== "0")) { return; }
      ev.preventDefault();
      if (stopped) {
        var secs = Math.max(1, Math.round((Date.now() - Number(form.getAttribute("data-started"))) / 1000));
        var sel = form.elements.duration_s;
        if (sel) {
          var opt = document.createElement("option");
          opt.value = String(secs);
          opt.textContent = secs < 60 ? secs + " seconds" : Math.floor(secs / 60) + " min " + (secs % 60) + " s";
          sel.appendChild(opt);
          sel.value = String(secs);
        }
      }
      var change = changedFields(form, before);
      var label = "Spasm follow-up";
      var sent = Object.keys(change.fields).length
        ? enqueue({ op: "patch", id: id, fields: change.fields, base_version: Number(version || 0), label: label }, null)
        : Promise.resolve();
      before = change.now;
      sent.then(sync).then(function (ok) {
        if (stopped) {
          ev.submitter.textContent = "Stopped: " + (form.elements.duration_s ? form.elements.duration_s.selectedOptions[0].textContent : "timed");
          ev.submitter.disabled = true;
          return;
        }
        go("/?saved=episode" + (change.now.flagged ? "&flag=1" : ""), ok);
      });
    });
  });

  document.querySelectorAll('form[action$="/delete"]').forEach(function (form) {
    form.addEventListener("submit", function (ev) {
      var m = /^\/entries\/([0-9a-f-]+)\/delete$/.exec(form.getAttribute("action") || "");
      if (!m) { return; }
      ev.preventDefault();
      var item = form.closest("li");
      var label = item ? (item.querySelector(".entry-kind") || {}).textContent || "Entry" : "Entry";
      enqueue({ op: "delete", id: m[1], label: "Delete " + label }, { id: m[1], remove: true }).then(function () {
        if (item) { item.classList.add("deleted-pending"); item.hidden = true; }
        if (form.elements.back) { toast(form.closest(".notice") || form, "Undone.", null); }
        return sync();
      }).then(render);
    });
  });

  beforeLogout = function () {
    return sync().then(function () {
      return tx(["outbox"], "readonly", function (s) { return req(s.outbox.count()); });
    }).then(function (left) {
      if (left && !window.confirm(left + (left === 1 ? " change is" : " changes are") + " not yet synced and will be lost from this phone. Log out anyway?")) { return false; }
      return dbPromise.then(function (db) { db.close(); }).then(function () {
        return new Promise(function (resolve) {
          var del = indexedDB.deleteDatabase("unknot-" + userMeta.content);
          del.onsuccess = del.onerror = del.onblocked = function () { resolve(true); };
        });
      });
    });
  };

  // Once a session, the pages kept for offline use are fetched signed in (the service worker
  // may have been installed on the login page).
  try {
    if (navigator.serviceWorker && sessionStorage.getItem("unknot-warm") !== userMeta.content) {
      navigator.serviceWorker.ready.then(function (reg) {
        if (reg.active) { reg.active.postMessage("warm"); sessionStorage.setItem("unknot-warm", userMeta.content); }
      });
    }
  } catch (e) { /* storage may be blocked */ }

  if (/[?&]offline=1/.test(window.location.search)) { problem = problem || "unreachable"; }
  window.addEventListener("online", function () { sync(); });
  window.addEventListener("offline", render);
  render();
  sync();
})();

// Printing shows everything: charts' number tables and suggestions' reasons open on paper.
window.addEventListener('beforeprint', () => {
  document.querySelectorAll('details').forEach((d) => { d.open = true; });
});
