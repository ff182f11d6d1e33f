// 云展厅 on a phone (390×844) in headless Chromium: a visitor opens the fair's page, goes into
// a city's hall, opens a project and submits 我感兴趣 with a message; the project's owner signs
// in and finds the inquiry — with that message — among their inquiries. Run by the Rust test
// suite (crates/tianfu/tests/http/browser.rs):
//   node tests/browser/fair_hall_flow.mjs <base-url> <visitor-phone> <owner-phone> <password> <fair-id> <hall-code> <project-title> <label>
import { launch, shots, signIn as signInAt } from "./lib.mjs";
import assert from "node:assert/strict";

const [base, visitorPhone, ownerPhone, password, fairId, hall, title, label = "run"] = process.argv.slice(2);
const message = "我们合作社的柑橘园想引进这项检测技术，请问如何合作？";

const browser = await launch();
const signIn = (phone) => signInAt(browser, base, phone, password);

/// The page is no wider than the phone.
async function fits(page, what) {
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `${what} fits the phone (${width}px)`);
}

try {
  const visitor = await signIn(visitorPhone);
  await visitor.goto(`${base}/fairs/${fairId}`);
  await fits(visitor, "the fair's page");
  await visitor.locator(`#halls a[data-hall="${hall}"]`).click();
  await visitor.waitForURL(new RegExp(`/fairs/${fairId}/halls/${hall}$`));
  await fits(visitor, "the hall");
  await visitor.screenshot({ path: `${shots}fair-hall-${label}.png`, fullPage: true });
  await visitor.locator("#projects article h3 a", { hasText: title }).click();
  await visitor.waitForURL(/\/fairs\/\d+\/projects\/\d+$/);
  await fits(visitor, "the project's page");
  await visitor.locator('#interest-form textarea[name="message"]').fill(message);
  await visitor.getByRole("button", { name: "我感兴趣" }).click();
  await visitor.waitForURL(/\?done=interest$/);
  assert.match(await visitor.locator("#notice").innerText(), /转给项目方/);
  assert.equal(await visitor.locator("#interest-form").count(), 0, "the form gives way to the inquiry's link");
  await visitor.locator("#my-inquiry").waitFor();
  await visitor.screenshot({ path: `${shots}fair-interest-${label}.png`, fullPage: true });
  console.log("the visitor expressed interest");

  const owner = await signIn(ownerPhone);
  await owner.goto(`${base}/me/inquiries`);
  await owner.locator("#inquiries a", { hasText: title }).first().click();
  await owner.waitForURL(/\/me\/inquiries\/\d+$/);
  assert.match(await owner.locator(".thread").innerText(), /引进这项检测技术/);
  await owner.screenshot({ path: `${shots}fair-owner-inquiry-${label}.png`, fullPage: true });
  console.log("the owner sees the interest");
} finally {
  await browser.close();
}
