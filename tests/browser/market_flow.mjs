// The market's main flow through the pages in headless Chromium: a scientist publishes a
// capability, staff approve it, an enterprise finds it by a Chinese word, opens an inquiry and
// proposes a deal, and both sides sign. Run by the Rust test suite
// (crates/tianfu/tests/http/browser.rs):
//   node tests/browser/market_flow.mjs <base-url> <scientist-phone> <staff-phone> <org-phone> <password> <label>
import { launch, shots, signIn as signInAt } from "./lib.mjs";
import assert from "node:assert/strict";

const [base, scientist, staff, org, password, label = "run"] = process.argv.slice(2);
const title = "柑橘裂果综合防控技术服务";

const browser = await launch();

/// Each person gets a browser context of their own, like their own phone.
const signIn = (phone) => signInAt(browser, base, phone, password);

try {
  // The scientist publishes a capability; it waits for review.
  const worker = await signIn(scientist);
  await worker.goto(`${base}/me/listings/new?kind=offer`);
  await worker.locator('input[name="title"]').fill(title);
  await worker.locator('select[name="service_type"]').selectOption("consulting");
  await worker.locator('textarea[name="description"]').fill("针对柑橘裂果、日灼，提供水肥一体化方案与现场指导。");
  await worker.locator('select[name="industry"]').selectOption("A01");
  await worker.locator('input[name="keywords"]').fill("柑橘，裂果，水肥一体化");
  await worker.locator('input[name="price"]').fill("8000");
  await worker.getByRole("button", { name: "提交审核" }).click();
  await worker.waitForURL(/\/offers\/\d+$/);
  const offerPath = new URL(worker.url()).pathname;
  assert.match(await worker.locator("body").innerText(), /待审核/);

  // Staff of the city approve it from their review queue.
  const reviewer = await signIn(staff);
  await reviewer.goto(`${base}/admin/reviews`);
  const row = reviewer.locator("article", { hasText: title });
  await row.getByRole("button", { name: "通过", exact: true }).click();
  await reviewer.waitForURL(/\/admin\/reviews/);
  assert.doesNotMatch(await reviewer.locator("main").innerText(), new RegExp(title));

  // The enterprise finds it by a Chinese word (the indexer makes it searchable within a second).
  const buyer = await signIn(org);
  let found = false;
  for (let attempt = 0; attempt < 30 && !found; attempt++) {
    await buyer.goto(`${base}/search`);
    await buyer.locator('input[name="q"]').first().fill("裂果");
    await buyer.locator('form[action="/search"] button[type="submit"]').first().click();
    await buyer.waitForURL(/\/search\?/);
    found = (await buyer.locator(`a[href="${offerPath}"]`).count()) > 0;
    if (!found) await buyer.waitForTimeout(200);
  }
  assert.ok(found, "the approved capability is found by 裂果");
  assert.equal(await buyer.locator("mark", { hasText: "裂果" }).first().innerText(), "裂果");
  await buyer.screenshot({ path: `${shots}search-${label}.png`, fullPage: true });
  await buyer.locator(`a[href="${offerPath}"]`).first().click();
  await buyer.waitForURL(new RegExp(`${offerPath}$`));

  // It opens an inquiry, then proposes a deal in the thread.
  await buyer.locator('textarea[name="message"]').fill("我们果园今年裂果严重，想请专家来看看。");
  await buyer.getByRole("button", { name: "发起洽谈" }).click();
  await buyer.waitForURL(/\/me\/inquiries\/\d+$/);
  assert.match(await buyer.locator(".thread").innerText(), /裂果严重/);
  await buyer.locator("summary", { hasText: "签订交易" }).click();
  await buyer.locator('select[name="contract_type"]').selectOption("consulting");
  await buyer.locator('input[name="amount_yuan"]').fill("8000");
  await buyer.getByRole("button", { name: "提出交易意向" }).click();
  // The deal's own page: where it stands, what happened, the moves.
  await buyer.waitForURL(/\/me\/deals\/\d+\?done=proposed$/);
  assert.match(await buyer.locator('[role="status"]').innerText(), /已提出交易意向/);
  assert.equal(await buyer.locator("#deal-stage").innerText(), "意向");
  assert.equal(await buyer.locator(".deal-progress li.current").innerText(), "意向");
  await buyer.getByRole("button", { name: "进入“洽谈”" }).click();
  await buyer.waitForURL(/done=moved$/);
  await buyer.getByRole("button", { name: "确认签约" }).click();
  await buyer.waitForURL(/done=signed$/);
  assert.match(await buyer.locator("main").innerText(), /等待对方确认/);

  // The scientist sees the inquiry and signs from the list of deals: the deal is signed.
  await worker.goto(`${base}/me/inquiries`);
  assert.match(await worker.locator("main").innerText(), new RegExp(title));
  await worker.goto(`${base}/me/deals`);
  await worker.locator("article.deal").first().getByRole("button", { name: "确认签约" }).click();
  await worker.waitForURL(/\/me\/deals\/\d+\?done=moved$/);
  assert.equal(await worker.locator("#deal-stage").innerText(), "签约");
  assert.equal(await worker.locator(".deal-progress li.current").innerText(), "签约");
  // The deal links back to the conversation and the capability it came from.
  assert.ok(await worker.locator('#deal-links a[href^="/me/inquiries/"]').count() === 1);
  assert.ok(await worker.locator(`#deal-links a[href="${offerPath}"]`).count() === 1);
  await worker.screenshot({ path: `${shots}deal-${label}.png`, fullPage: true });
  console.log("deal signed by both sides");
} finally {
  await browser.close();
}
