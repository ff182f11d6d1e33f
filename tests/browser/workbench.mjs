// A clerk's morning in headless Chromium, once on a phone (390 px) and once on a desktop
// (1280 px): the county's staff member lands on the workbench (工作台), sees the new tickets
// counted, starts on the most urgent ticket, and works three tickets in a row with
// 保存并完成此步 and 下一单; then finds a person in the ticket list by name, completes a step
// from the list (desktop), and reads the report's twelve-month chart. No page scrolls sideways.
// Run by the Rust test suite (crates/tianfu/tests/http/browser.rs):
//   node tests/browser/workbench.mjs <base-url> <staff-phone> <password> <name-to-search> <label>
import { DESKTOP, PHONE, launch, shots, signIn } from "./lib.mjs";
import assert from "node:assert/strict";

const [base, staff, password, searchName, label = "run"] = process.argv.slice(2);

const browser = await launch();

async function fitsWidth(page, width, where) {
  const scroll = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(scroll <= width + 1, `${where} is ${scroll}px wide at ${width}px`);
}

async function workDay(viewport, size) {
  const page = await signIn(browser, base, staff, password, viewport);
  await page.goto(`${base}/admin`);
  const fresh = Number(await page.locator("#count-fresh strong").innerText());
  assert.ok(fresh >= 3, `新分派 counts the new tickets (${fresh})`);
  await fitsWidth(page, viewport.width, "the workbench");
  await page.screenshot({ path: `${shots}workbench-${size}-${label}.png`, fullPage: true });

  await page.locator("#start-work").click();
  await page.waitForURL(/\/admin\/tickets\/\d+$/);
  const seen = new Set();
  for (let i = 0; i < 3; i += 1) {
    const id = new URL(page.url()).pathname.split("/").pop();
    assert.ok(!seen.has(id), `下一单 led to a ticket not yet worked (${id})`);
    seen.add(id);
    const form = page.locator("#followup-form");
    await form.locator('select[name="channel"]').selectOption("phone");
    await form.locator('textarea[name="note"]').fill(`电话联系第${i + 1}位，已了解其专长`);
    await page.locator("#save-complete").click();
    await page.waitForURL(/done=saved-completed/);
    assert.match(await page.locator("#notice").innerText(), /已保存跟进记录，并完成“首次联系”/);
    assert.match(await page.locator("#steps tr", { hasText: "首次联系" }).innerText(), /已完成/);
    if (i === 0) {
      await fitsWidth(page, viewport.width, "the ticket page");
      await page.screenshot({ path: `${shots}workbench-ticket-${size}-${label}.png`, fullPage: true });
    }
    await page.locator("#next-ticket").click();
    await page.waitForURL(/\/admin\/tickets\/\d+$/);
  }

  // The list: a countdown on every open ticket, search by name.
  await page.goto(`${base}/admin/tickets?mine=true`);
  assert.ok(await page.locator(".ticket-card mark.countdown").count() >= 3, "countdowns");
  await page.locator('input[name="q"]').fill(searchName);
  await page.getByRole("button", { name: "筛选" }).click();
  await page.waitForURL(/q=/);
  assert.equal(await page.locator(".ticket-card").count(), 1);
  assert.match(await page.locator("#tickets").innerText(), new RegExp(searchName));
  await fitsWidth(page, viewport.width, "the ticket list");
  await page.screenshot({ path: `${shots}workbench-list-${size}-${label}.png`, fullPage: true });
  if (size === "desktop") {
    await page.locator(".ticket-card").first().getByRole("button", { name: "完成此步" }).click();
    await page.waitForURL(/done=step/);
    assert.match(await page.locator("#notice").innerText(), /已完成.*的步骤“了解专长与意向”/);
    assert.ok(page.url().includes("q="), "back to the same filtered list");
  }

  // The report: people with tappable phones, the twelve months drawn.
  await page.goto(`${base}/admin/tickets/report`);
  await page.locator("#nanny-trend[data-drawn='12']").waitFor();
  assert.ok(await page.locator('#nannies a[href^="tel:"]').count() >= 1, "a tappable phone");
  await fitsWidth(page, viewport.width, "the report");
  await page.screenshot({ path: `${shots}workbench-report-${size}-${label}.png`, fullPage: true });
  return seen.size;
}

try {
  const worked = (await workDay(PHONE, "phone")) + (await workDay(DESKTOP, "desktop"));
  console.log(`worked ${worked} tickets from the workbench`);
} finally {
  await browser.close();
}
