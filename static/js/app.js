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

  function pushOnce() {
    return Promise.all([clientId(), tx(["outbox"], "readonly", function (s) { return req(s.outbox.getAll()); })]).then(function (got) {
      var cid = got[0], pending = got[1].slice(0, 500);
      if (!pending.length) { return false; }
      var sent = pending.map(function (m) { var c = Object.assign({}, m); delete c.label; return c; });
      return api("POST", "/api/v1/sync/push", { client_id: cid, mutations: sent }).then(function (r) {
        if (!r.ok) { throw new Error("push " + r.status); }
        return r.json();
      }).then(function (res) {
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
              s.conflicts.put({ key: id + ":rejected:" + r.mid, id: id, rejected: r.error, label: m.label || "" });
            }
          });
          return req(s.outbox.getAll()).then(function (all) {
            all.forEach(function (m) { if (m.mid <= res.last_mid) { s.outbox.delete(m.mid); } });
          });
        }).then(function () { return pending.length === 500; });
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
        if (!r.ok) { throw new Error("pull " + r.status); }
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

  var syncing = null;
  function sync() {
    if (!navigator.onLine) { return Promise.resolve(false); }
    if (syncing) { return syncing; }
    var run = function () {
      var pushAll = function () { return pushOnce().then(function (more) { return more ? pushAll() : null; }); };
      var pullAll = function () { return pull().then(function (more) { return more ? pullAll() : null; }); };
      return pushAll().then(pullAll).then(function () { return true; });
    };
    // Only one tab pushes at a time.
    var locked = navigator.locks ? navigator.locks.request("unknot-sync", run) : run();
    syncing = locked.catch(function () { return false; }).then(function (ok) { syncing = null; render(); return ok; });
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

  function render() {
    return tx(["outbox", "entries", "conflicts"], "readonly", function (s) {
      return Promise.all([req(s.outbox.getAll()), req(s.conflicts.getAll())]);
    }).then(function (got) {
      var out = got[0], conflicts = got[1];
      status.textContent = "";
      status.className = out.length || conflicts.length ? "notice sync-status" : "";
      if (out.length) {
        var p = document.createElement("p");
        p.textContent = out.length + (out.length === 1 ? " change" : " changes") + " not yet synced" + (navigator.onLine ? "" : " (offline)") + ".";
        status.appendChild(p);
        var ul = document.createElement("ul");
        ul.className = "pending";
        out.forEach(function (m) {
          var li = document.createElement("li");
          li.textContent = (m.label || m.op) + " — not yet synced";
          ul.appendChild(li);
        });
        status.appendChild(ul);
      }
      conflicts.forEach(function (c) {
        var p = document.createElement("p");
        if (c.deleted) {
          p.textContent = (c.label || "An entry") + " was deleted on another device. ";
          if (c.entry) {
            p.appendChild(button("Restore as new", function () {
              var e = Object.assign({}, c.entry, { id: uuid7() });
              enqueue({ op: "upsert", entry: e, base_version: 0, label: c.label }, null)
                .then(function () { return tx(["conflicts"], "readwrite", function (s) { s.conflicts.delete(c.key); }); })
                .then(sync).then(render);
            }));
          }
        } else if (c.rejected) {
          p.textContent = (c.label || "A change") + " could not be saved: " + c.rejected + ". ";
        } else {
          p.textContent = (c.label || "An entry") + ": " + c.field + " was changed on another device. Theirs: " + JSON.stringify(c.server) + ", yours: " + JSON.stringify(c.yours) + ". ";
          p.appendChild(button("Use mine", function () {
            var fields = {};
            fields[c.field] = c.yours;
            enqueue({ op: "patch", id: c.id, fields: fields, base_version: c.version, label: c.label }, null)
              .then(function () { return tx(["conflicts"], "readwrite", function (s) { s.conflicts.delete(c.key); }); })
              .then(sync).then(render);
          }));
        }
        p.appendChild(button("Dismiss", function () {
          tx(["conflicts"], "readwrite", function (s) { s.conflicts.delete(c.key); }).then(render);
        }));
        status.appendChild(p);
      });
    }).catch(function () {});
  }

  // ---------- forms save through the local store ----------
  var INTS = ["intensity", "duration_s", "volume_ml", "minutes", "duration_min"];
  var LISTS = ["triggers", "red_flags", "relief", "body_sites"];
  var SKIP = ["csrf_token", "utc_offset", "version", "occurred_at"];

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

  document.querySelectorAll("form.entry-form").forEach(function (form) {
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
      var label = (document.querySelector("h1") || {}).textContent || "Entry";
      var done;
      if (m) {
        var e = { id: uuid7(), kind: m[1], occurred_at: got.occurred_at, data: got.data };
        var local = Object.assign({ pending: true, label: label }, e);
        done = enqueue({ op: "upsert", entry: e, base_version: 0, label: label }, local).then(function () { return "/?saved=" + m[1] + (got.flagged ? "&flag=1" : ""); });
      } else if (edit) {
        var fields = Object.assign({}, got.data, { occurred_at: got.occurred_at });
        form.querySelectorAll("[name]").forEach(function (el) {
          if (SKIP.indexOf(el.name) < 0 && !(el.name in fields)) { fields[el.name] = null; }
        });
        var version = Number((form.querySelector('[name="version"]') || {}).value || 0);
        done = enqueue({ op: "patch", id: edit[1], fields: fields, base_version: version, label: label }, null).then(function () { return "/timeline?done=updated"; });
      } else {
        return form.submit();
      }
      done.then(function (to) {
        return sync().then(function (ok) { window.location.assign(ok ? to : to + "&offline=1"); });
      }).catch(function () { form.submit(); });
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
        return sync();
      }).then(render);
    });
  });

  window.addEventListener("online", function () { sync(); });
  window.addEventListener("offline", render);
  render();
  sync();
})();

// Printing shows everything: charts' number tables and suggestions' reasons open on paper.
window.addEventListener('beforeprint', () => {
  document.querySelectorAll('details').forEach((d) => { d.open = true; });
});
