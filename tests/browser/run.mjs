// Real-browser tests for Unknot in Debian's Chromium (no browser download), run by
// `cargo test` (tests/api/browser.rs) against a server it started: node run.mjs <base-url>.
// Install to the home screen (manifest + service worker), go offline, log three entries, reload
// offline, come back online and sync; a second browser sees them; axe-core finds no violations.
import { AxeBuilder } from "@axe-core/playwright";
import { check, failures, launch, finish, fits, audit as auditPath } from "./lib.mjs";

const base = process.argv[2];
const { browser, deadline } = await launch(4);

try {
  const email = `browser-${Date.now()}@example.com`;
  const password = "correct horse battery";
  const phone = await browser.newContext({ viewport: { width: 360, height: 800 } });
  const page = await phone.newPage();
  page.on("pageerror", (e) => failures.push(`page error: ${e.message}`));

  // Register through the form, as a person would.
  await page.goto(`${base}/register`);
  await page.fill("#f-display_name", "Browser Test");
  await page.fill("#f-email", email);
  await page.fill("#f-password", password);
  await page.check('input[name="role"][value="client"]');
  await page.click("button.primary");
  await page.waitForURL(`${base}/`);

  // Installable: a manifest with the icons, and a service worker controlling the page.
  const manifest = await (await page.request.get(`${base}/static/manifest.webmanifest`)).json();
  check(manifest.display === "standalone" && manifest.icons.some((i) => i.sizes === "512x512" && i.purpose === "maskable"), "manifest has standalone display and a maskable 512 icon");
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.reload();
  check(await page.evaluate(() => !!navigator.serviceWorker.controller), "service worker controls the page");
  for (const path of ["/", "/log/hydration", "/log/stretch", "/log/episode", "/timeline"]) {
    await page.goto(`${base}${path}`);
  }

  // Offline: log three entries.
  await phone.setOffline(true);
  const log = async (kind, fill) => {
    await page.goto(`${base}/log/${kind}`);
    await fill();
    await page.click("button.primary");
    await page.waitForURL((u) => u.pathname === "/");
  };
  await log("hydration", () => page.fill("#f-volume_ml", "333"));
  await log("stretch", () => page.fill("#f-minutes", "12"));
  await log("episode", async () => {
    await page.selectOption("#f-body_site", "calf_left");
    await page.check('input[name="intensity"][value="6"]');
  });
  await page.waitForSelector("#sync-status ul.pending li");
  let pending = await page.locator("#sync-status ul.pending li").count();
  check(pending === 3, `three entries marked not yet synced while offline (saw ${pending})`);
  await page.reload();
  await page.waitForSelector("#sync-status ul.pending li");
  pending = await page.locator("#sync-status ul.pending li").count();
  check(pending === 3, `still there after reloading offline (saw ${pending})`);
  check((await page.textContent("#sync-status")).includes("offline"), "the page says it is offline");

  // Online again: the outbox drains.
  await phone.setOffline(false);
  await page.waitForFunction(() => !document.querySelector("#sync-status ul.pending"), null, { timeout: 20_000 }).catch(() => {});
  check((await page.locator("#sync-status ul.pending li").count()) === 0, "synced once back online");
  await page.goto(`${base}/timeline`);
  const timeline = await page.textContent("main");
  check(timeline.includes("333 ml") && timeline.includes("12 min") && timeline.includes("Left calf, intensity 6/10"), "the timeline from the server shows all three");

  // A second device of the same person sees them.
  const laptop = await browser.newContext();
  const other = await laptop.newPage();
  await other.goto(`${base}/login`);
  await other.fill("#f-email", email);
  await other.fill("#f-password", password);
  await other.click("button.primary");
  await other.waitForURL(`${base}/`);
  await other.goto(`${base}/timeline`);
  check((await other.textContent("main")).includes("333 ml"), "a second browser sees the entries");

  // Logging online goes through the local store and lands at once, even when the form is sent
  // while the sync that opening the page started is still running (its pull held back here).
  let held = 0;
  await page.route("**/api/v1/sync/pull*", async (route) => {
    held++;
    await new Promise((r) => setTimeout(r, 700));
    // The page may have moved on meanwhile (the form's redirect cancels its pending pull).
    await route.continue().catch(() => {});
  });
  await page.goto(`${base}/log/hydration`);
  await page.fill("#f-volume_ml", "444");
  await page.click("button.primary");
  await page.waitForURL((u) => u.pathname === "/" && u.search.includes("saved=hydration") && !u.search.includes("offline"));
  await page.unroute("**/api/v1/sync/pull*");
  check(held > 0, "the pull of the sync that opening the page started was held back 700 ms");
  check((await page.textContent("main")).includes("444 ml"), "online logging shows the entry right away");

  // Accessibility: no axe-core violations (WCAG 2.x A/AA) on any page.
  const pages = ["/", "/log", "/log/episode", "/log/condition", "/timeline", "/trends", "/insights", "/technique", "/technique?body_site=neck&feel=deep_ache&duration=chronic&pressure=firm", "/settings", "/share", "/share/log", "/export", "/export?period=365"];
  const anonymous = ["/login", "/register"];
  const audit = (p, path) => auditPath(p, base, path);
  for (const path of pages) await audit(page, path);
  const fresh = await (await browser.newContext()).newPage();
  for (const path of anonymous) await audit(fresh, path);
  // Therapist pages: share with read_notes, redeem, audit the dashboard and the client view.
  await page.goto(`${base}/share`);
  await page.check('input[name="scope"][value="read_notes"]');
  await page.click("button.primary");
  const code = (await page.textContent("#share-code")).trim();
  await audit(page, "/share");
  const tpage = await (await browser.newContext({ viewport: { width: 768, height: 1024 } })).newPage();
  await tpage.goto(`${base}/register`);
  await tpage.fill("#f-display_name", "Sam Therapist");
  await tpage.fill("#f-email", `t-${email}`);
  await tpage.fill("#f-password", password);
  await tpage.check('input[name="role"][value="therapist"]');
  await tpage.click("button.primary");
  await tpage.waitForURL(`${base}/`);
  // The QR link carries the code in the fragment; the page fills it in.
  await tpage.goto(`${base}/clients#code=${code}`);
  check((await tpage.inputValue("#f-code")) === code, "the QR link fills in the share code");
  await tpage.click("button.primary");
  await tpage.waitForURL((u) => u.pathname.startsWith("/clients/"));
  const clientPath = new URL(tpage.url()).pathname;
  check((await tpage.textContent("main")).includes("Browser Test"), "the therapist opens the shared journal");
  await audit(tpage, clientPath);
  await audit(tpage, "/");
  // A therapist on a phone: nothing scrolls sideways either.
  await tpage.setViewportSize({ width: 360, height: 800 });
  for (const path of ["/", clientPath, "/settings"]) {
    await tpage.goto(`${base}${path}`);
    await fits(tpage, `therapist ${path}`);
  }
  await tpage.setViewportSize({ width: 768, height: 1024 });
  // Export for the doctor, at 360 px: the PDF downloads, a link opens the report without an
  // account, nothing scrolls sideways, and trends print with their tables open.
  const shots = process.env.UNKNOT_SHOTS;
  await page.goto(`${base}/export`);
  await fits(page, "/export");
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.click("text=Doctor report (PDF)"),
  ]);
  check(download.suggestedFilename().endsWith(".pdf"), `the report downloads as a PDF (${download.suggestedFilename()})`);
  await page.click("text=Make a link");
  const link = await page.getAttribute(".link-text a", "href");
  check(/\/r\/[0-9a-f]{32}$/.test(link || ""), `a report link is shown once (${link})`);
  const made = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]).analyze();
  check(made.violations.length === 0, `axe: /export with a new link ${made.violations.map((x) => x.id).join(", ")}`);
  if (shots) await page.screenshot({ path: `${shots}/export-phone.png`, fullPage: true });
  const doctor = await (await browser.newContext({ viewport: { width: 360, height: 800 } })).newPage();
  const reportPath = new URL(link).pathname;
  await audit(doctor, reportPath);
  check((await doctor.textContent("h1")).includes("Muscle spasm report"), "the doctor sees the report without an account");
  await fits(doctor, reportPath);
  if (shots) await doctor.screenshot({ path: `${shots}/report-phone.png`, fullPage: true });
  await page.goto(`${base}/trends`);
  await page.emulateMedia({ media: "print" });
  check(await page.isVisible("table.data"), "trends print with their number tables open");
  check(!(await page.isVisible("nav[aria-label=Main]")), "no navigation on paper");
  await page.emulateMedia({ media: "screen" });
  // Dark mode: the same pages keep their contrast.
  for (const p of [page, tpage]) await p.emulateMedia({ colorScheme: "dark" });
  for (const path of ["/", "/log/episode", "/timeline", "/trends", "/insights", "/settings", "/export", "/share/log"]) {
    await audit(page, path);
  }
  await audit(tpage, "/");
  await audit(tpage, clientPath);
  if (shots) {
    await page.goto(`${base}/`);
    await page.screenshot({ path: `${shots}/today-dark.png`, fullPage: true });
  }
  for (const p of [page, tpage]) await p.emulateMedia({ colorScheme: "light" });
  // The form error state too.
  await page.goto(`${base}/log/episode`);
  await page.evaluate(() => { document.querySelector("#f-occurred_at").value = ""; });
  await page.click("button.primary");
  await page.waitForSelector("#error-summary");
  const errors = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21aa"]).analyze();
  check(errors.violations.length === 0, `axe: episode form with errors ${errors.violations.map((x) => x.id).join(", ")}`);
} catch (e) {
  failures.push(`crashed: ${e.stack || e}`);
  console.log(`FAIL ${e.stack || e}`);
} finally {
  await finish(browser, deadline);
}
