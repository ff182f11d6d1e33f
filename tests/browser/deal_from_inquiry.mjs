// A scientist answers an enterprise's inquiry on their capability and proposes the deal from the
// thread — the form starts from the capability's kind and price, names the enterprise's need,
// takes the scope, dates and the contract — then both sign from the deal's page, which shows its
// stage bar and, once signed, the need's nanny ticket closed. Run at a phone's width and a
// desktop's by the Rust test suite (crates/tianfu/tests/http/browser.rs):
//   node tests/browser/deal_from_inquiry.mjs <base-url> <scientist-phone> <enterprise-phone> <password> <need-title> <phone|desktop> <label>
import { DESKTOP, PHONE, launch, shots, signIn } from "./lib.mjs";
import assert from "node:assert/strict";

const [base, scientistPhone, enterprisePhone, password, needTitle, size, label = "run"] = process.argv.slice(2);
const viewport = size === "desktop" ? DESKTOP : PHONE;

const fits = async (page) => {
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= viewport.width, `no sideways scrolling at ${viewport.width}px (${width}px)`);
};

const browser = await launch();
try {
  const scientist = await signIn(browser, base, scientistPhone, password, viewport);
  await scientist.goto(`${base}/me/inquiries`);
  await scientist.locator('main a[href^="/me/inquiries/"]').first().click();
  await scientist.waitForURL(/\/me\/inquiries\/\d+$/);
  await scientist.locator('textarea[name="body"]').fill("可以，下周二上门看鸡群。");
  await scientist.getByRole("button", { name: "发送" }).click();
  await scientist.waitForURL(/\/me\/inquiries\/\d+\?done=\w+$/);
  assert.match(await scientist.locator(".thread").innerText(), /下周二上门/);

  await scientist.locator("summary", { hasText: "签订交易" }).click();
  // The form starts from the capability: its kind and its price.
  assert.equal(await scientist.locator('select[name="contract_type"]').inputValue(), "service");
  assert.equal(await scientist.locator('input[name="amount_yuan"]').inputValue(), "50000");
  await scientist.locator('select[name="need_id"]').selectOption({ label: needTitle });
  await scientist.locator('textarea[name="scope"]').fill("上门诊断鸡群，制定饲喂方案，三个月跟踪");
  await scientist.locator('input[name="starts_on"]').fill("2030-03-01");
  await scientist.locator('input[name="ends_on"]').fill("2030-05-31");
  await scientist.locator('input[name="contract"]').setInputFiles({
    name: "技术服务合同.pdf", mimeType: "application/pdf", buffer: Buffer.from("%PDF-1.4\n% test contract\n"),
  });
  await fits(scientist);
  await scientist.getByRole("button", { name: "提出交易意向" }).click();
  await scientist.waitForURL(/\/me\/deals\/\d+\?done=proposed$/);
  const dealPath = new URL(scientist.url()).pathname;
  assert.match(await scientist.locator('[role="status"]').innerText(), /已提出交易意向/);
  assert.equal(await scientist.locator(".deal-progress li.current").innerText(), "意向");
  assert.match(await scientist.locator("#deal-scope").innerText(), /制定饲喂方案/);
  assert.equal(await scientist.locator("#contract-link").count(), 1);
  await fits(scientist);
  await scientist.screenshot({ path: `${shots}deal-proposed-${size}-${label}.png`, fullPage: true });

  // The enterprise finds it among its deals (cards with the same bar), and signs.
  const enterprise = await signIn(browser, base, enterprisePhone, password, viewport);
  await enterprise.goto(`${base}/me/deals`);
  const card = enterprise.locator("article.deal").first();
  assert.equal(await card.locator(".deal-progress li.current").innerText(), "意向");
  await fits(enterprise);
  await card.getByRole("link", { name: "详情" }).click();
  await enterprise.waitForURL(new RegExp(`${dealPath}$`));
  await enterprise.getByRole("button", { name: "进入“洽谈”" }).click();
  await enterprise.waitForURL(/done=moved$/);
  await enterprise.getByRole("button", { name: "确认签约" }).click();
  await enterprise.waitForURL(/done=signed$/);

  await scientist.goto(`${base}${dealPath}`);
  await scientist.getByRole("button", { name: "确认签约" }).click();
  await scientist.waitForURL(/done=moved$/);
  assert.equal(await scientist.locator(".deal-progress li.current").innerText(), "签约");

  // Signed: the enterprise's page shows the need's ticket closed by the deal (the nanny's
  // follower runs beside the request; look again for a little while).
  let links = "";
  for (let tries = 0; tries < 30; tries++) {
    await enterprise.goto(`${base}${dealPath}`);
    links = await enterprise.locator("#deal-links").innerText();
    if (/一单一策.*已办结/.test(links)) break;
    await enterprise.waitForTimeout(500);
  }
  assert.match(links, /一单一策.*已办结/);
  assert.match(links, /洽谈记录/);
  await fits(enterprise);
  await enterprise.screenshot({ path: `${shots}deal-signed-${size}-${label}.png`, fullPage: true });
  console.log("the deal proposed from the inquiry was signed and closed the need's ticket");
} finally {
  await browser.close();
}
