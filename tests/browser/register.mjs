// The register's pages in a real browser (Debian's Chromium, driven by
// Playwright): for bokmål, nynorsk and English, axe-core (WCAG 2.1 A and
// AA, and axe's best practices) on the search, a search with matches, a
// search with a field that is not valid, one entry, an unknown entry and
// the accessibility statement; the search submitted with JavaScript turned
// off; no sideways scrolling at phone widths; the skip link; the style
// sheet allowed by the page's Content-Security-Policy. Screenshots of each
// page (the search and the entry at phone width too) and axe's report go to
// the artifacts folder.
//
//   node register.mjs BASE_URL NUMBER [ARTIFACTS_DIR] [WORD]
//
// NUMBER is an entry in the register; WORD finds it (default "fjordvik").
// Exits 1 on any finding.

import { mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const axe = require("axe-core");

const [base, number, artifacts = "target/ci-artifacts", word = "fjordvik"] = process.argv.slice(2);
if (!base || !number) {
  console.error("usage: node register.mjs BASE_URL NUMBER [ARTIFACTS_DIR] [WORD]");
  process.exit(2);
}
mkdirSync(artifacts, { recursive: true });

const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 375, height: 740 };
const NARROWEST = 320; // WCAG 1.4.10: 1280 CSS pixels at 400 %
// The browser's own language, as a reader of each language would have it
// (date fields are drawn in it).
const LOCALES = { nb: "nb-NO", nn: "nn-NO", en: "en-GB" };
const TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"];

const failures = [];
const report = [];
const fail = (what) => {
  failures.push(what);
  console.log(`  FAIL ${what}`);
};
const ok = (what) => console.log(`  ok   ${what}`);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  // Playwright gives the browser a new, empty profile of its own.
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
});

/** Opens `url` in `page`; the answer's status and what the browser refused. */
async function open(page, url) {
  const refused = [];
  const listener = (message) => {
    if (message.type() === "error") refused.push(message.text());
  };
  page.on("console", listener);
  const response = await page.goto(url, { waitUntil: "load" });
  page.off("console", listener);
  return { status: response?.status(), refused };
}

/** Runs axe-core on the page; its violations. The page's policy allows no
 * script, so axe goes in through the DevTools protocol, as a test tool,
 * not as a script of the page. */
async function audit(page, name) {
  await page.evaluate(axe.source);
  const result = await page.evaluate(
    (tags) => window.axe.run(document, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] }),
    TAGS,
  );
  report.push({ page: name, url: page.url(), violations: result.violations });
  if (result.violations.length === 0) {
    ok(`${name}: axe finds nothing (${result.passes.length} rules pass)`);
  }
  for (const v of result.violations) {
    const where = v.nodes.map((n) => n.target.join(" ")).join(", ");
    fail(`${name}: axe ${v.id} (${v.impact}): ${v.help} at ${where}`);
  }
}

/** Whether the page scrolls sideways at `width`. */
async function noSidewaysScroll(page, width, name) {
  await page.setViewportSize({ width, height: PHONE.height });
  const { scroll, inner } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    inner: window.innerWidth,
  }));
  if (scroll > inner) fail(`${name}: scrolls sideways at ${width} px (${scroll} > ${inner})`);
  else ok(`${name}: no sideways scroll at ${width} px`);
}

async function shoot(page, file) {
  await page.screenshot({ path: path.join(artifacts, file), fullPage: true });
}

/** One page in the browser: its status, its language, the style sheet
 * applied under the policy, axe, and a screenshot; with `phone`, the
 * phone widths too. */
async function check(context, lang, name, url, expected, phone) {
  const page = await context.newPage();
  const { status, refused } = await open(page, url);
  const label = `${lang} ${name}`;
  if (status !== expected) fail(`${label}: status ${status}, not ${expected} (${url})`);
  const htmlLang = await page.evaluate(() => document.documentElement.lang);
  if (htmlLang !== lang) fail(`${label}: <html lang="${htmlLang}">`);
  const styled = await page.evaluate(() => getComputedStyle(document.querySelector("header.site")).backgroundColor);
  if (styled !== "rgb(15, 44, 76)") fail(`${label}: the style sheet is not applied (${styled})`);
  const blocked = refused.filter((t) => /Content Security Policy/i.test(t));
  if (blocked.length) fail(`${label}: the policy refused: ${blocked.join("; ")}`);
  await audit(page, label);
  await shoot(page, `register-${lang}-${name}-desktop.png`);
  if (phone) {
    await noSidewaysScroll(page, NARROWEST, label);
    await noSidewaysScroll(page, PHONE.width, label);
    await audit(page, `${label} (phone)`);
    await shoot(page, `register-${lang}-${name}-phone.png`);
  }
  await page.close();
}

/** The search form sent by its button, in a browser with JavaScript off. */
async function searchWithoutScript(lang) {
  const context = await browser.newContext({ javaScriptEnabled: false, viewport: DESKTOP, locale: LOCALES[lang] });
  const page = await context.newPage();
  await open(page, `${base}/register?lang=${lang}`);
  await page.fill("#q", word);
  await page.selectOption("#transfers_abroad", "");
  await Promise.all([page.waitForURL(/[?&]q=/), page.click("form.search button[type=submit]")]);
  const url = new URL(page.url());
  const found = await page.locator(`a[href^="/register/${number}?"]`).count();
  if (url.searchParams.get("q") !== word || url.searchParams.get("lang") !== lang) {
    fail(`${lang} search without JavaScript: went to ${page.url()}`);
  } else if (found === 0) {
    fail(`${lang} search without JavaScript: ${number} not among the matches at ${page.url()}`);
  } else {
    ok(`${lang} search without JavaScript finds ${number} (${url.search})`);
  }
  await context.close();
}

/** Tab from the top reaches the skip link first, and it leads to the main content. */
async function skipLink(context, lang) {
  const page = await context.newPage();
  await open(page, `${base}/register?lang=${lang}`);
  await page.keyboard.press("Tab");
  const first = await page.evaluate(() => document.activeElement?.className);
  const visible = await page.evaluate(() => {
    const r = document.activeElement.getBoundingClientRect();
    return r.top >= 0 && r.height > 0;
  });
  await page.screenshot({ path: path.join(artifacts, `register-${lang}-skip-link.png`), clip: { x: 0, y: 0, width: 640, height: 160 } });
  await page.keyboard.press("Enter");
  const target = await page.evaluate(() => document.activeElement?.id);
  if (first !== "skip" || !visible || target !== "main") {
    fail(`${lang} skip link: first tab stop "${first}" (visible: ${visible}), then focus on "${target}"`);
  } else {
    ok(`${lang} skip link is the first tab stop, visible, and moves focus to the main content`);
  }
  await page.close();
}

try {
  for (const lang of ["nb", "nn", "en"]) {
    console.log(`${lang}:`);
    const context = await browser.newContext({ viewport: DESKTOP, locale: LOCALES[lang] });
    const q = encodeURIComponent(word);
    await check(context, lang, "search", `${base}/register?lang=${lang}`, 200, true);
    await check(context, lang, "matches", `${base}/register?lang=${lang}&q=${q}&law=&sector=`, 200, false);
    await check(context, lang, "invalid", `${base}/register?lang=${lang}&law=nonsense&registered_from=2026-13-01`, 400, false);
    await check(context, lang, "entry", `${base}/register/${number}?lang=${lang}`, 200, true);
    await check(context, lang, "unknown", `${base}/register/2000-999999?lang=${lang}`, 404, false);
    await check(context, lang, "accessibility", `${base}/register/accessibility?lang=${lang}`, 200, false);
    await skipLink(context, lang);
    await context.close();
    await searchWithoutScript(lang);
  }
} finally {
  await browser.close();
  writeFileSync(path.join(artifacts, "axe-report.json"), JSON.stringify(report, null, 2));
}

if (failures.length) {
  console.log(`browser: ${failures.length} finding(s); screenshots and axe-report.json in ${artifacts}`);
  process.exit(1);
}
console.log(`browser: every check passed; screenshots and axe-report.json in ${artifacts}`);
