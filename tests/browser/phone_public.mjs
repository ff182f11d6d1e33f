// Phone first for the public (issue 17, parts 4 and 5), at 390 px and at 1280 px: an organisation
// registers (ticking the consent box), sees 发布需求 as its next step and posts a need; a visitor
// opens a listing on a phone, taps the sticky 立即咨询 bar, signs in and lands in the inquiry form
// with the cursor in it. No page scrolls sideways. Run by crates/tianfu/tests/http/browser.rs:
//   node tests/browser/phone_public.mjs <base> <outbox> <label> <password> <offer-id> <offer-title>
//        <visitor-phone> <phone-390> <credit-code-390> <phone-1280> <credit-code-1280>
import { DESKTOP, PHONE, fillSmsCode, launch, newPage, shots } from "./lib.mjs";
import assert from "node:assert/strict";

const [base, outbox, label, password, offerId, offerTitle, visitor, ...orgs] = process.argv.slice(2);

async function noSidewaysScroll(page, what) {
  const [scroll, client] = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
  assert.ok(scroll <= client, `${what}: ${scroll}px wide in a ${client}px window`);
}

async function registerAndPostNeed(browser, viewport, phone, creditCode, width) {
  const page = await newPage(browser, viewport);
  await page.goto(`${base}/register`);
  await noSidewaysScroll(page, `register at ${width}`);
  await page.getByLabel("企事业单位").check();
  await page.locator('input[name="name"]').fill("何秀英");
  await page.locator('input[name="phone"]').fill(phone);
  await page.locator('input[name="password"]').fill(password);
  await page.locator('input[name="password_confirm"]').fill(password);
  await fillSmsCode(page, outbox, phone);
  await page.locator('select[name="city"]').selectOption("5116");
  await page.waitForFunction(() =>
    [...document.querySelectorAll('select[name="county"] option')].some((o) => o.textContent === "邻水县"));
  await page.locator('select[name="county"]').selectOption("511623");
  await page.locator('input[name="org_name"]').fill(`邻水县丰收柑橘专业合作社${width}`);
  await page.locator('select[name="org_type"]').selectOption("cooperative");
  await page.locator('input[name="credit_code"]').fill(creditCode);

  // Without the consent box the form comes back, saying so and keeping what was typed.
  await page.locator('form[action="/register"] button[type="submit"]').click();
  await page.locator("#accepted_terms-error").waitFor();
  assert.match(await page.locator("#accepted_terms-error").innerText(), /用户协议/);
  assert.equal(await page.locator('input[name="org_name"]').inputValue(), `邻水县丰收柑橘专业合作社${width}`);
  await page.locator('input[name="password"]').fill(password);
  await page.locator('input[name="password_confirm"]').fill(password);
  await page.locator('input[name="agree"]').check();
  await page.screenshot({ path: `${shots}phone-public-register-${width}-${label}.png`, fullPage: true });
  await page.locator('form[action="/register"] button[type="submit"]').click();
  await page.waitForURL(/\/me\?welcome=1$/);

  // The next step is the obvious one.
  const next = page.locator("#next-steps a", { hasText: "发布需求" });
  assert.ok(await next.isVisible(), "发布需求 is shown");
  assert.match(await page.locator("#next-steps").innerText(), /合作社|发布需求/);
  await noSidewaysScroll(page, `welcome at ${width}`);
  await page.screenshot({ path: `${shots}phone-public-welcome-${width}-${label}.png`, fullPage: true });
  await next.click();
  await page.waitForURL(/\/me\/listings\/new\?kind=need/);
  await page.locator('input[name="title"]').fill(`柑橘裂果严重求技术指导${width}`);
  await page.locator('select[name="need_kind"]').selectOption("problem");
  await page.locator('textarea[name="description"]').fill("合作社的柑橘今年裂果严重，想请专家指导水肥管理。");
  await page.locator('select[name="industry"]').selectOption({ index: 1 });
  await page.locator('input[name="keywords"]').fill("柑橘，裂果");
  await page.locator('main form[method="post"] button[type="submit"]').click();
  await page.waitForURL(/\/needs\/\d+$/);
  assert.match(await page.locator("#listing-status").innerText(), /待审核|审核/);
  await noSidewaysScroll(page, `the new need at ${width}`);
  await page.context().close();
}

const browser = await launch();
try {
  await registerAndPostNeed(browser, PHONE, orgs[0], orgs[1], 390);
  await registerAndPostNeed(browser, DESKTOP, orgs[2], orgs[3], 1280);

  // A visitor on a phone: the tab bar at the bottom, the sticky bar above it.
  const phone = await newPage(browser, PHONE);
  await phone.goto(`${base}/`);
  assert.ok(await phone.locator("nav.tabbar").isVisible(), "the tab bar on a phone");
  assert.ok(await phone.locator("#latest .listing-card", { hasText: offerTitle }).isVisible(), "latest listings on the home page");
  await noSidewaysScroll(phone, "home at 390");
  await phone.screenshot({ path: `${shots}phone-public-home-390-${label}.png`, fullPage: true });
  await phone.goto(`${base}/offers/${offerId}`);
  const bar = phone.locator("#contact-bar");
  assert.equal(await bar.evaluate((el) => getComputedStyle(el).position), "fixed");
  const box = await bar.boundingBox();
  assert.ok(box.y + box.height <= PHONE.height && box.y > PHONE.height / 2, `the bar sits at the bottom (${box.y})`);
  await noSidewaysScroll(phone, "listing at 390");
  await phone.screenshot({ path: `${shots}phone-public-listing-390-${label}.png` });
  await phone.locator("#contact-now").click();
  await phone.waitForURL(/\/login\?next=/);
  await phone.locator('input[name="phone"]').fill(visitor);
  await phone.locator('input[name="password"]').fill(password);
  await phone.locator('form[action="/login"] button[type="submit"]').click();
  await phone.waitForURL(new RegExp(`/offers/${offerId}#inquiry$`));
  await phone.waitForFunction(() => document.activeElement && document.activeElement.id === "inquiry-message");
  await phone.locator("#inquiry-message").fill("我们合作社想请您来指导蛋鸡养殖，请问什么时候方便？");
  await phone.screenshot({ path: `${shots}phone-public-inquiry-390-${label}.png` });
  await phone.locator('#inquiry form button[type="submit"]').click();
  await phone.waitForURL(/\/me\/inquiries\/\d+$/);
  await noSidewaysScroll(phone, "the inquiry at 390");

  // On a wide screen: the normal header, no tab bar, the bar is an ordinary row of buttons.
  const wide = await newPage(browser, DESKTOP);
  await wide.goto(`${base}/offers/${offerId}`);
  assert.equal(await wide.locator("nav.tabbar").isVisible(), false);
  assert.ok(await wide.locator(".site-header a", { hasText: "找专家·找需求" }).isVisible());
  assert.equal(await wide.locator("#contact-bar").evaluate((el) => getComputedStyle(el).position), "static");
  await noSidewaysScroll(wide, "listing at 1280");
  await wide.screenshot({ path: `${shots}phone-public-listing-1280-${label}.png`, fullPage: true });
  console.log("organisations registered and posted needs; the visitor inquired from the sticky bar");
} finally {
  await browser.close();
}
