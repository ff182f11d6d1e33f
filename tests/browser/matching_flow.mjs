// Intelligent matching in headless Chromium: an egg farm that wrote "鸡下蛋少" opens 为您推荐 and
// finds the capability matched to its need with the reason (the synonym explained), dismisses
// it (gone, and gone from the need's page too), then on its need's page finds the scientist
// matched by their studio and opens the studio.
// Run by the Rust test suite (crates/tianfu/tests/http/browser.rs):
//   node tests/browser/matching_flow.mjs <base-url> <org-phone> <password> <need-id> <offer-title> <studio-name> <label>
import { launch, shots, signIn } from "./lib.mjs";
import assert from "node:assert/strict";

const [base, org, password, needId, offerTitle, studioName, label = "run"] = process.argv.slice(2);

const browser = await launch();

try {
  const page = await signIn(browser, base, org, password);

  await page.goto(`${base}/me/recommendations`);
  const card = page.locator("article.recommendation", { hasText: offerTitle });
  await card.waitFor();
  const reasons = await card.locator(".reasons").innerText();
  assert.match(reasons, /下蛋少/, "the colloquial words are explained");
  assert.match(reasons, /产蛋率/);
  await page.screenshot({ path: `${shots}recommendations-${label}.png`, fullPage: true });
  await card.getByRole("button", { name: "不感兴趣" }).click();
  await page.waitForURL(/\/me\/recommendations/);
  assert.equal(await page.locator("article.recommendation", { hasText: offerTitle }).count(), 0);

  await page.goto(`${base}/needs/${needId}`);
  const matches = page.locator("#matches");
  assert.match(await matches.locator("h2").innerText(), /智能匹配/);
  assert.equal(await matches.locator("li", { hasText: offerTitle }).count(), 0, "a dismissed match stays gone");
  const expert = matches.locator("li", { hasText: studioName });
  assert.match(await expert.innerText(), /科创工作室/);
  await page.screenshot({ path: `${shots}need-matches-${label}.png`, fullPage: true });
  await expert.getByRole("link", { name: studioName }).click();
  await page.waitForURL(/\/studios\/\d+$/);
  assert.equal(await page.locator("#studio-name").innerText(), studioName);
  console.log("the farm dismissed a recommendation and found the expert by their studio");
} finally {
  await browser.close();
}
