// 精准科普 on a phone (390 px) in headless Chromium: a farmer registers choosing 农民 and 柑橘,
// sees the county's 柑橘 article first in the feed with its reason, asks a question; a scientist
// answers it; the farmer accepts the answer. Run by the Rust test suite
// (crates/tianfu/tests/http/browser.rs):
//   node tests/browser/kepu_flow.mjs <base-url> <farmer-phone> <scientist-phone> <password> <local-title> <label> <sms-outbox-file>
import { fillSmsCode, launch, newPage, shots, signIn } from "./lib.mjs";
import assert from "node:assert/strict";

const [base, farmerPhone, scientistPhone, password, localTitle, label = "run", outbox] = process.argv.slice(2);

const browser = await launch();
try {
  const farmer = await newPage(browser); // a phone
  await farmer.goto(`${base}/register`);
  await farmer.getByLabel("群众").check();
  await farmer.locator('input[name="name"]').fill("邓大哥");
  await farmer.locator('input[name="phone"]').fill(farmerPhone);
  await farmer.locator('input[name="password"]').fill(password);
  await farmer.locator('input[name="password_confirm"]').fill(password);
  await fillSmsCode(farmer, outbox, farmerPhone);
  await farmer.locator('select[name="city"]').selectOption("5116");
  // The county list starts with every county of the province: wait until htmx has redrawn it
  // with 广安市's alone, or the redraw lands after the county is chosen and clears it.
  await farmer.waitForFunction(() => {
    const options = [...document.querySelectorAll('select[name="county"] option')].map((o) => o.textContent);
    return options.includes("邻水县") && !options.includes("威远县");
  });
  await farmer.locator('select[name="county"]').selectOption("511623");
  await farmer.waitForFunction(() => document.querySelector('select[name="township"]') !== null);
  assert.equal(await farmer.locator('select[name="county"]').inputValue(), "511623");
  await farmer.locator('input[name="audience"][value="farmer"]').check();
  await farmer.locator('input[name="interests"]').fill("柑橘");
  await farmer.locator('input[name="agree"]').check();
  await farmer.locator('form[action="/register"] button[type="submit"]').click();
  await farmer.waitForURL(/\/me\?welcome=1$/);

  // The feed: the county's own 柑橘 article first, saying why.
  await farmer.locator('nav a[href="/kepu"]:visible').click();
  await farmer.waitForURL(/\/kepu$/);
  const first = farmer.locator("#feed li").first();
  assert.equal(await first.locator(".title").innerText(), localTitle);
  assert.match(await first.locator(".reason").innerText(), /因为您关注“柑橘”/);
  const width = await farmer.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `the feed fits the phone (${width}px)`);
  await farmer.screenshot({ path: `${shots}kepu-feed-${label}.png`, fullPage: true });

  // Read it, then ask.
  await first.locator("a").first().click();
  await farmer.waitForURL(/\/kepu\/resources\/\d+$/);
  assert.match(await farmer.locator("h1").innerText(), new RegExp(localTitle));
  await farmer.locator(".kepu-actions a[href=\"/kepu/ask\"]").click();
  await farmer.waitForURL(/\/kepu\/ask$/);
  await farmer.locator('input[name="title"]').fill("柑橘叶子发黄是什么原因");
  await farmer.getByRole("button", { name: "下一步" }).click();
  await farmer.locator('#ask-form textarea[name="body"]').fill("我家十亩柑橘，最近新叶发黄、叶脉还是绿的，该怎么办？");
  await farmer.locator('#ask-form select[name="channel"]').selectOption("agriculture");
  await farmer.locator("#ask-form").getByRole("button", { name: "提交问题" }).click();
  await farmer.waitForURL(/\/kepu\/questions\/\d+$/);
  const questionUrl = farmer.url();

  // A scientist answers from their own phone.
  const scientist = await signIn(browser, base, scientistPhone, password);
  await scientist.goto(questionUrl);
  await scientist.locator('#answer-form textarea[name="body"]').fill("新叶黄化而叶脉绿多是缺铁或缺锌，先测土，再叶面喷施螯合铁，同时改良酸化土壤。");
  await scientist.locator("#answer-form").getByRole("button", { name: "提交" }).click();
  await scientist.waitForURL(new RegExp(`${new URL(questionUrl).pathname}`));
  assert.match(await scientist.locator("main").innerText(), /螯合铁/);

  // The farmer accepts it.
  await farmer.reload();
  await farmer.locator('select[name="rating"]').first().selectOption("5");
  await farmer.getByRole("button", { name: "采纳这个回答" }).first().click();
  await farmer.waitForURL(new RegExp(`${new URL(questionUrl).pathname}`));
  assert.match(await farmer.locator("main").innerText(), /已采纳/);
  await farmer.screenshot({ path: `${shots}kepu-question-${label}.png`, fullPage: true });
  console.log("the farmer accepted the scientist's answer");
} finally {
  await browser.close();
}
