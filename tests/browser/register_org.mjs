// Registers an organisation through the pages in headless Chromium, logs out, logs in again and
// checks the account page. Run by the Rust test suite (crates/tianfu/tests/http/browser.rs):
//   node tests/browser/register_org.mjs <base-url> <phone> <credit-code> <label> <sms-outbox-file>
// Screenshots land in tests/browser/screenshots/ (not committed).
import { fillSmsCode, launch, newPage, shots } from "./lib.mjs";
import assert from "node:assert/strict";

const [base, phone, creditCode, label = "run", outbox] = process.argv.slice(2);
const password = "Browser2026";

const browser = await launch();
try {
  const page = await newPage(browser); // a phone

  await page.goto(`${base}/register`);
  await page.getByLabel("企事业单位").check();
  await page.locator('input[name="name"]').fill("赵春梅");
  await page.locator('input[name="phone"]').fill(phone);
  await page.locator('input[name="password"]').fill(password);
  await page.locator('input[name="password_confirm"]').fill(password);
  await fillSmsCode(page, outbox, phone);

  // Choosing the city makes htmx redraw the picker with only that city's counties.
  await page.locator('select[name="city"]').selectOption("5110");
  await page.waitForFunction(() => {
    const options = [...document.querySelectorAll('select[name="county"] option')].map((o) => o.textContent);
    return options.includes("威远县") && !options.includes("邻水县");
  });
  await page.locator('select[name="county"]').selectOption("511024");
  // Choosing the county adds the optional fourth select, its townships (乡镇/街道).
  await page.waitForFunction(() =>
    [...document.querySelectorAll('select[name="township"] option')].some((o) => o.textContent === "严陵镇"));
  await page.locator('select[name="township"]').selectOption("511024100");

  await page.locator('input[name="org_name"]').fill("四川威远天晟食品有限公司");
  await page.locator('select[name="org_type"]').selectOption("enterprise");
  await page.locator('input[name="credit_code"]').fill(creditCode);
  await page.screenshot({ path: `${shots}register-${label}.png`, fullPage: true });
  await page.locator('input[name="agree"]').check();
  await page.locator('form[action="/register"] button[type="submit"]').click();

  await page.waitForURL(/\/me\?welcome=1$/);
  assert.match(await page.locator("body").innerText(), /注册成功/);
  assert.equal(await page.locator("#profile-org").innerText(), "四川威远天晟食品有限公司");

  await page.getByRole("button", { name: "退出" }).click();
  await page.waitForURL(`${base}/`);
  await page.locator('nav a[href="/login"]').click();
  await page.locator('input[name="phone"]').fill(phone);
  await page.locator('input[name="password"]').fill(password);
  await page.locator('form[action="/login"] button[type="submit"]').click();

  await page.waitForURL(/\/me$/);
  assert.equal(await page.locator("#profile-name").innerText(), "赵春梅");
  assert.equal(await page.locator("#profile-role").innerText(), "企事业单位");
  assert.equal(await page.locator("#profile-region").innerText(), "四川省 内江市 威远县 严陵镇");
  assert.equal(await page.locator("#profile-credit-code").innerText(), creditCode);
  await page.screenshot({ path: `${shots}account-${label}.png`, fullPage: true });
  console.log("account page shows the organisation");
} finally {
  await browser.close();
}
