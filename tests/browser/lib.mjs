// Shared pieces of the browser tests: Debian's Chromium, a check that records failures, an
// axe-core audit (WCAG 2.x A/AA, 2.2 AA), a "fits the phone" check and a tap counter.
import { chromium } from "playwright-core";
import { AxeBuilder } from "@axe-core/playwright";

export const failures = [];
export const check = (ok, what) => {
  console.log(`${ok ? "ok  " : "FAIL"} ${what}`);
  if (!ok) failures.push(what);
};

export async function launch(minutes) {
  const browser = await chromium.launch({
    executablePath: process.env.UNKNOT_CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  const deadline = setTimeout(() => { console.log(`FAIL browser tests took longer than ${minutes} minutes`); process.exit(1); }, minutes * 60_000);
  return { browser, deadline };
}

export const TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

// axe on the page as it is now.
export async function auditHere(page, what) {
  const v = (await new AxeBuilder({ page }).withTags(TAGS).analyze()).violations;
  check(v.length === 0, `axe: ${what} ${v.map((x) => `${x.id} (${x.nodes.length}: ${x.nodes.slice(0, 2).map((n) => n.target.join(" ")).join(", ")})`).join("; ")}`);
}

export async function audit(page, base, path) {
  await page.goto(`${base}${path}`);
  await auditHere(page, path);
}

// Nothing scrolls sideways at the page's viewport width.
export async function fits(page, what) {
  const [w, vw] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  check(w <= vw, `${what} fits ${vw} px (is ${w})`);
}

// Clicks, counted: a flow that names a number of taps is checked against it.
export function tapCounter(page) {
  const t = { count: 0 };
  t.tap = async (locator) => { t.count++; await locator.click(); };
  t.reset = () => { t.count = 0; };
  return t;
}

export async function finish(browser, deadline) {
  clearTimeout(deadline);
  await browser.close();
  console.log(`${failures.length === 0 ? "browser tests passed" : "browser tests failed"}: ${failures.length} failed`);
  process.exit(failures.length === 0 ? 0 : 1);
}
