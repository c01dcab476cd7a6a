// Logging while it hurts, in Debian's Chromium at 360 × 800: "Spasm now" in three counted taps
// (with and without JavaScript), every quick button offline then synced exactly once, Undo, a
// submit while the server cannot be reached sent after it is back, two devices editing different
// fields of one entry without a conflict, recovery from 401, mid_gap and a refused change, and
// logging out clearing the phone. axe-core on every page touched; nothing wider than the phone.
// node journal.mjs <base-url through the proxy> <proxy control url>
import { check, launch, auditHere, audit, fits, tapCounter, finish } from "./lib.mjs";

const [base, control] = process.argv.slice(2);
const { browser, deadline } = await launch(5);
const password = "correct horse battery";
const email = `journal-${Date.now()}@example.com`;
const proxy = async (what) => { await fetch(`${control}/${what}`); };

// The journal as the server has it, read with the page's own session.
const serverEntries = (page) => page.evaluate(async () => {
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const r = await fetch("/api/v1/entries?limit=200", { headers: { "X-CSRF-Token": csrf } });
  return (await r.json()).entries;
});
// Changes this phone's offline store directly (to stage a gap or a refused change).
const store = (page, work) => page.evaluate((work) => new Promise((resolve, reject) => {
  const open = indexedDB.open("unknot-" + document.querySelector('meta[name="unknot-user"]').content);
  open.onsuccess = () => {
    const db = open.result, t = db.transaction(["outbox", "meta"], "readwrite"), meta = t.objectStore("meta");
    const g = meta.get("next_mid");
    g.onsuccess = () => {
      const mid = g.result || 1;
      if (work.skip) { meta.put(mid + work.skip, "next_mid"); }
      if (work.put) { work.put.mid = mid; t.objectStore("outbox").put(work.put); meta.put(mid + 1, "next_mid"); }
    };
    t.oncomplete = () => { db.close(); resolve(); };
    t.onerror = () => reject(t.error);
  };
}), work);
// A sync has finished on this page and left nothing waiting (a page shows its pending list only
// after reading the phone's store, so "nothing shown" alone proves nothing).
const pendingGone = (page) => page.waitForFunction(() => document.documentElement.getAttribute("data-synced") === "ok" && !document.querySelector("#sync-status ul.pending") && !document.querySelector("li.js-pending"), null, { timeout: 20_000 }).then(() => true, () => false);

try {
  const phone = await browser.newContext({ viewport: { width: 360, height: 800 } });
  const page = await phone.newPage();
  page.on("pageerror", (e) => check(false, `page error: ${e.message}`));
  page.on("dialog", (d) => d.accept());
  await page.goto(`${base}/register`);
  await page.fill("#f-display_name", "Journal Test");
  await page.fill("#f-email", email);
  await page.fill("#f-password", password);
  await page.check('input[name="role"][value="client"]');
  await page.click("button.primary");
  await page.waitForURL(`${base}/`);
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.reload();
  for (const path of ["/", "/spasm", "/timeline", "/log/hydration"]) await page.goto(`${base}${path}`);

  // 1. Spasm now, online: the third tap saves.
  const t = tapCounter(page);
  await page.goto(`${base}/`);
  await t.tap(page.getByRole("link", { name: "Spasm now", exact: true }));
  await page.waitForURL((u) => u.pathname === "/spasm");
  await auditHere(page, "/spasm (body map)");
  await fits(page, "/spasm");
  await t.tap(page.getByRole("link", { name: "Left calf", exact: true }));
  await page.waitForSelector("#spasm-strength:not([hidden])");
  await auditHere(page, "/spasm (strength)");
  await fits(page, "/spasm strength");
  await t.tap(page.getByRole("button", { name: "7", exact: true }));
  await page.waitForSelector("#spasm-after:not([hidden])");
  check(t.count === 3, `a spasm is saved by the third tap (taps: ${t.count})`);
  const synced = await page.waitForFunction(() => document.getElementById("after-saved").textContent.startsWith("Saved:"), null, { timeout: 15_000 }).then(() => true, () => false);
  check(synced, `online, it is synced at once: "${await page.textContent("#after-saved")}"`);
  let entries = await serverEntries(page);
  const first = entries.find((e) => e.kind === "episode" && e.data.body_site === "calf_left" && e.data.intensity === 7);
  check(!!first, "the server has the episode: left calf, 7");
  await auditHere(page, "/spasm (follow-up)");
  await page.getByRole("button", { name: "It stopped" }).click();
  await page.waitForFunction(() => document.querySelector("button.stopped").textContent.startsWith("Stopped"));
  await page.check('input[name="triggers"][value="exercise"]');
  await page.click("#spasm-after button.primary");
  await page.waitForURL((u) => u.pathname === "/");
  entries = await serverEntries(page);
  const followed = entries.find((e) => e.id === first.id);
  check(followed && followed.data.duration_s >= 1 && JSON.stringify(followed.data.triggers) === '["exercise"]', `the follow-up adds the duration and a trigger (${JSON.stringify(followed && followed.data)})`);

  // 2. Offline: a spasm in three taps and every quick button, kept on the phone and shown.
  const before = entries.length;
  await page.goto(`${base}/`);
  await phone.setOffline(true);
  t.reset();
  await t.tap(page.getByRole("link", { name: "Spasm now", exact: true }));
  await page.waitForURL((u) => u.pathname === "/spasm");
  await t.tap(page.getByRole("link", { name: "Lower back", exact: true }));
  await t.tap(page.getByRole("button", { name: "4", exact: true }));
  await page.waitForSelector("#spasm-after:not([hidden])");
  check(t.count === 3 && (await page.textContent("#after-saved")).startsWith("Saved on this phone"), `offline, three taps keep it on the phone (taps: ${t.count})`);
  await page.click("#spasm-after button.primary");
  await page.waitForURL((u) => u.pathname === "/");
  await page.waitForSelector('[data-pending="today"] li.js-pending');
  check((await page.textContent('[data-pending="today"]')).includes("Spasm: Lower back, 4/10"), "the offline spasm is in Logged today, marked");
  const labels = (await page.locator("form.quick-form button").allTextContents()).map((s) => s.trim());
  for (const label of labels) {
    await page.getByRole("button", { name: label, exact: true }).click();
    const said = await page.waitForFunction((l) => (document.getElementById("quick-toast") || {}).textContent?.includes(`Saved on this phone, not yet synced: ${l}`), label, { timeout: 5_000 }).then(() => true, () => false);
    check(said, `offline, "${label}" says saved on this phone`);
  }
  await page.getByRole("button", { name: "Undo", exact: true }).click();
  await page.waitForFunction(() => document.getElementById("quick-toast").textContent.includes("Undone"));
  const undone = labels[labels.length - 1];
  const todayText = await page.textContent('[data-pending="today"]');
  check(labels.slice(0, -1).every((l) => todayText.includes(l)) && !todayText.includes(undone), `every quick log waits in Logged today; the undone "${undone}" does not`);
  await auditHere(page, "/ (offline, entries waiting)");
  await fits(page, "/ offline");
  await page.reload();
  await page.waitForSelector('[data-pending="today"] li.js-pending');
  check((await page.locator('[data-pending="today"] li.js-pending').count()) === labels.length, "after reloading offline they are still there");
  await page.goto(`${base}/timeline`);
  await page.waitForSelector('[data-pending="all"]:not([hidden]) li.js-pending');
  check(true, "the timeline shows them under Waiting to sync");
  await phone.setOffline(false);
  await page.goto(`${base}/`);
  check(await pendingGone(page), "back online, everything is sent");
  entries = await serverEntries(page);
  check(entries.length === before + labels.length, `each was saved exactly once (${entries.length} entries, expected ${before + labels.length})`);
  check(!entries.some((e) => e.kind === "heat_ice" && e.data.mode === "ice"), "the undone ice is not on the server");

  // 3. The server cannot be reached while the phone says "online": the submit is kept.
  await page.goto(`${base}/log/hydration`);
  await proxy("down");
  await page.fill("#f-volume_ml", "321");
  await page.click("button.primary");
  await page.waitForURL((u) => u.pathname === "/");
  await page.waitForSelector('[data-pending="today"] li.js-pending');
  check((await page.textContent("#sync-status")).includes("cannot be reached"), `unreachable: "${(await page.textContent("#sync-status")).slice(0, 120)}"`);
  await proxy("up");
  await page.reload();
  check(await pendingGone(page), "sent once the server is back");
  entries = await serverEntries(page);
  check(entries.filter((e) => e.kind === "hydration" && e.data.volume_ml === 321).length === 1, "the 321 ml arrived exactly once");

  // 4. Two devices edit different fields of one entry: both changes stay, no conflict.
  const laptop = await (await browser.newContext({ viewport: { width: 1024, height: 800 } })).newPage();
  await laptop.goto(`${base}/login`);
  await laptop.fill("#f-email", email);
  await laptop.fill("#f-password", password);
  await laptop.click("button.primary");
  await laptop.waitForURL(`${base}/`);
  await page.goto(`${base}/entries/${first.id}/edit`);
  await laptop.goto(`${base}/entries/${first.id}/edit`);
  await page.fill("#f-notes", "from the phone");
  await page.click("button.primary");
  await page.waitForURL((u) => u.pathname === "/timeline");
  await laptop.check('input[name="intensity"][value="9"]');
  await laptop.click("button.primary");
  await laptop.waitForURL((u) => u.pathname === "/timeline");
  await pendingGone(laptop);
  const merged = (await serverEntries(page)).find((e) => e.id === first.id);
  check(merged.data.notes === "from the phone" && merged.data.intensity === 9, `both edits kept (${JSON.stringify(merged.data)})`);
  check(!(await laptop.textContent("#sync-status")).includes("changed on another device"), "no false conflict");

  // 5. Signed out (401): the change is kept and sent after signing in again.
  await page.goto(`${base}/`);
  await phone.clearCookies({ name: "unknot_session" });
  await page.getByRole("button", { name: "+500 ml water", exact: true }).click();
  const asked = await page.waitForFunction(() => document.getElementById("sync-status").textContent.includes("sign in again"), null, { timeout: 10_000 }).then(() => true, () => false);
  check(asked, `401 asks to sign in again: "${(await page.textContent("#sync-status")).slice(0, 120)}"`);
  // The 401 may come from the page's own first sync, before the tap's change is shown: wait.
  const kept = await page.waitForFunction(() => document.querySelectorAll("#sync-status ul.pending li").length === 1, null, { timeout: 10_000 }).then(() => true, () => false);
  check(kept, "and keeps the change");
  await page.getByRole("link", { name: "sign in again to send them" }).click();
  await page.fill("#f-email", email);
  await page.fill("#f-password", password);
  await page.click("button.primary");
  await page.waitForURL((u) => u.pathname === "/");
  check(await pendingGone(page), "after signing in, the kept change is sent");
  check((await serverEntries(page)).filter((e) => e.kind === "hydration" && e.data.volume_ml === 500).length === 2, "the 500 ml from before the 401 arrived once");

  // 6. mid_gap: the phone's counter is ahead of the server's; it resynchronises and resends.
  await page.goto(`${base}/`);
  await store(page, { skip: 40 });
  const beforeGap = (await serverEntries(page)).length;
  await page.getByRole("button", { name: "Stretched 5 min", exact: true }).click();
  await page.waitForFunction(() => (document.getElementById("quick-toast") || {}).textContent?.startsWith("Saved:"), null, { timeout: 10_000 }).catch(() => {});
  check(await pendingGone(page), "after mid_gap the change is renumbered and sent");
  check((await serverEntries(page)).length === beforeGap + 1, "exactly one entry more after the gap");

  // 7. A change the server refuses: shown with its message, fixed in its form, sent.
  await store(page, { put: { op: "upsert", base_version: 0, label: "Log: water", entry: { id: crypto.randomUUID(), kind: "hydration", occurred_at: new Date().toISOString().slice(0, 19) + "+00:00", data: { volume_ml: 99999 } } } });
  await page.reload();
  await page.waitForSelector("#sync-status a:has-text('Fix it')", { timeout: 15_000 });
  check((await page.textContent("#sync-status")).includes("could not be saved"), `a refused change is shown: "${(await page.textContent("#sync-status")).slice(0, 160)}"`);
  await auditHere(page, "/ (a refused change)");
  await page.click("#sync-status a:has-text('Fix it')");
  await page.waitForURL((u) => u.pathname === "/log/hydration");
  const filled = await page.waitForFunction(() => document.querySelector("#f-volume_ml").value === "99999", null, { timeout: 10_000 }).then(() => true, () => false);
  check(filled, `its form is filled with what was sent (${await page.inputValue("#f-volume_ml")})`);
  await page.fill("#f-volume_ml", "300");
  await page.click("button.primary");
  await page.waitForURL((u) => u.pathname === "/");
  await pendingGone(page);
  check(!(await page.textContent("#sync-status")).includes("could not be saved"), "fixed, the message is gone");
  check((await serverEntries(page)).some((e) => e.kind === "hydration" && e.data.volume_ml === 300), "the fixed entry is on the server");

  // 8. Every page fits the phone; the spasm pages pass axe in dark mode too.
  for (const path of ["/", "/spasm", "/spasm?site=neck", `/spasm/${first.id}`, "/log", "/log/episode", "/timeline", "/timeline?kind=episode&q=phone", "/trends", "/trends?period=4w", "/trends?period=12m", "/insights", "/technique", "/settings", "/share", "/share/log", "/export"]) {
    await page.goto(`${base}${path}`);
    await fits(page, path);
  }
  await page.emulateMedia({ colorScheme: "dark" });
  for (const path of ["/spasm", "/spasm?site=neck", `/spasm/${first.id}`, "/trends?period=12m", "/timeline?kind=episode&q=phone"]) await audit(page, base, path);
  await page.emulateMedia({ colorScheme: "light" });
  for (const path of [`/spasm/${first.id}`, "/trends?period=4w", "/trends?period=12m", "/timeline?kind=episode&q=phone", "/insights"]) await audit(page, base, path);
  await page.goto(`${base}/timeline?q=phone`);
  check((await page.locator("li.entry").count()) === 1, "the timeline finds the note written on the phone");

  // 9. Logging out clears the phone: no cached pages, no local journal.
  const user = await page.getAttribute('meta[name="unknot-user"]', "content");
  await page.goto(`${base}/`);
  await page.click("summary:has-text('More')");
  await page.getByRole("button", { name: "Log out" }).click();
  await page.waitForURL((u) => u.pathname === "/login");
  // The login page the browser lands on may be kept again at once (it is public); nothing
  // private may be: no page of the journal, no local journal.
  const left = await page.evaluate(async () => {
    const kept = [];
    for (const key of (await caches.keys()).filter((k) => k.startsWith("unknot-"))) {
      for (const r of await (await caches.open(key)).keys()) kept.push(new URL(r.url).pathname);
    }
    return { pages: kept.filter((p) => !/^\/(login|register|static\/|sw\.js)/.test(p)), dbs: (await indexedDB.databases()).map((d) => d.name) };
  });
  check(left.pages.length === 0 && !left.dbs.includes(`unknot-${user}`), `after logout nothing private stays (${JSON.stringify(left)})`);

  // 10. Without JavaScript: the same three taps as links and forms.
  const plain = await (await browser.newContext({ viewport: { width: 360, height: 800 }, javaScriptEnabled: false })).newPage();
  await plain.goto(`${base}/login`);
  await plain.fill("#f-email", email);
  await plain.fill("#f-password", password);
  await plain.click("button.primary");
  await plain.waitForURL(`${base}/`);
  const p = tapCounter(plain);
  await p.tap(plain.getByRole("link", { name: "Spasm now", exact: true }));
  await p.tap(plain.getByRole("link", { name: "Right calf", exact: true }));
  await p.tap(plain.getByRole("button", { name: "8", exact: true }));
  await plain.waitForURL((u) => /^\/spasm\/[0-9a-f-]+$/.test(u.pathname));
  check(p.count === 3 && (await plain.textContent("main")).includes("Saved: a spasm in your right calf, 8 out of 10"), `without JavaScript the third tap saves (taps: ${p.count})`);
  await plain.getByRole("button", { name: "It stopped" }).click();
  await plain.waitForURL((u) => /^\/spasm\/[0-9a-f-]+$/.test(u.pathname));
  await plain.check('input[name="red_flags"][value="numbness"]');
  await plain.click("#spasm-after button.primary");
  await plain.waitForURL((u) => u.pathname === "/");
  check((await plain.textContent("main")).includes("please see a doctor"), "a warning sign leads to the doctor message");
} catch (e) {
  check(false, `crashed: ${e.stack || e}`);
} finally {
  await proxy("up").catch(() => {});
  await finish(browser, deadline);
}
