// 精准绩效 in headless Chromium: a province administrator sets 内江's target in the indicator
// system's grid and saves a version; the dashboard draws the map of Sichuan coloured by score
// (screenshot) with the ranking; a click drills into 内江's counties (screenshot on a phone);
// 内江's score card links its figure to the ledger rows it was counted from. Run by the Rust
// test suite (crates/tianfu/tests/http/browser.rs):
//   node tests/browser/performance_flow.mjs <base-url> <staff-phone> <password> <year> <label>
import { launch, shots, signIn, DESKTOP, PHONE } from "./lib.mjs";
import assert from "node:assert/strict";

const [base, staffPhone, password, year, label = "run"] = process.argv.slice(2);

const browser = await launch();
try {
  const page = await signIn(browser, base, staffPhone, password, DESKTOP);
  await page.goto(`${base}/admin/indicators/${year}`);
  await page.locator('input[name="t.5110.workers_registered"]').fill("120");
  await page.locator('input[name="t.5110.orgs_registered"]').fill("12");
  await page.locator('input[name="note"]').fill("内江目标");
  await page.locator('#indicator-form button[type="submit"]').click();
  await page.waitForURL(/saved=1/);
  assert.match(await page.locator("main").innerText(), /已保存为第1版/);
  // A blank county cell shows what it gets from the city.
  await page.goto(`${base}/admin/indicators/${year}?city=5110`);
  const placeholder = await page.locator('input[name="t.511011.workers_registered"]').getAttribute("placeholder");
  assert.match(placeholder, /^24（由内江市目标/);
  console.log("the indicator system was saved");

  await page.goto(`${base}/admin/performance?year=${year}&period=m3`);
  await page.locator("#perf-map[data-drawn]").waitFor();
  assert.equal(await page.locator("#perf-map").getAttribute("data-drawn"), "21");
  assert.equal(await page.locator("#perf-ranking tbody tr").count(), 21);
  const neijiang = page.locator('#perf-ranking tr[data-region="5110"]');
  assert.match(await neijiang.innerText(), /内江市/);
  assert.equal(await page.locator("#perf-map svg path").count() > 21, true, "the outlines are drawn");
  await page.screenshot({ path: `${shots}performance-map-${label}.png`, fullPage: false });
  console.log("the map of Sichuan was drawn");

  // On a phone: 内江's counties.
  const phone = await signIn(browser, base, staffPhone, password, PHONE);
  await phone.goto(`${base}/admin/performance?year=${year}&period=m3`);
  await phone.locator('#perf-ranking tr[data-region="5110"] a', { hasText: "区县" }).click();
  await phone.waitForURL(/city=5110/);
  await phone.locator("#perf-map[data-drawn]").waitFor();
  assert.equal(await phone.locator("#perf-map").getAttribute("data-drawn"), "5");
  await phone.screenshot({ path: `${shots}performance-counties-${label}.png`, fullPage: true });
  console.log("the drill-down shows the counties");

  await page.locator('#perf-ranking tr[data-region="5110"] th a').click();
  await page.waitForURL(/\/admin\/performance\/regions\/5110/);
  await page.locator("#score-lines a").first().click();
  await page.waitForURL(/\/admin\/stats\/events/);
  const rows = await page.locator("main").innerText();
  assert.match(rows, /注册/);
  console.log("the score card leads to its ledger rows");
} finally {
  await browser.close();
}
