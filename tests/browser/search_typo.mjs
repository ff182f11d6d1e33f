// A visitor searches with a typo (甘橘), is asked 您是不是要找“柑橘”, follows it and opens the
// listing — on a phone (390 px) and on a desktop (1280 px). Run by crates/tianfu/tests/http/browser.rs:
//   node tests/browser/search_typo.mjs <base-url> <listing title> <label>
// Screenshots land in tests/browser/screenshots/ (not committed).
import { DESKTOP, PHONE, launch, newPage, shots } from "./lib.mjs";
import assert from "node:assert/strict";

const [base, title, label = "run"] = process.argv.slice(2);

const browser = await launch();
try {
  for (const [name, viewport] of [["phone", PHONE], ["desktop", DESKTOP]]) {
    const page = await newPage(browser, viewport);
    await page.goto(`${base}/search`);
    await page.locator('form.search-form input[name="q"]').fill("甘橘");
    await page.locator('form.search-form button[type="submit"]').click();
    await page.waitForURL(/\/search\?/);
    const suggestion = page.locator("#suggestion");
    await suggestion.waitFor();
    assert.match(await suggestion.innerText(), /您是不是要找：柑橘/);
    assert.match(await suggestion.innerText(), /已为您显示“柑橘”的结果/);
    await page.screenshot({ path: `${shots}search-typo-${name}-${label}.png`, fullPage: true });

    await page.locator("#suggestion-link").click();
    await page.waitForURL((url) => url.searchParams.get("q") === "柑橘");
    assert.equal(await page.locator('form.search-form input[name="q"]').inputValue(), "柑橘");
    assert.equal(await page.locator("#suggestion").count(), 0, "the corrected search needs no correction");
    const hit = page.locator("#results a", { hasText: title }).first();
    await hit.waitFor();
    await page.screenshot({ path: `${shots}search-typo-followed-${name}-${label}.png`, fullPage: true });
    await hit.click();
    await page.waitForURL(/\/offers\/\d+$/);
    assert.equal((await page.locator("h1").innerText()).trim(), title);
    await page.screenshot({ path: `${shots}search-typo-listing-${name}-${label}.png`, fullPage: true });
    console.log(`${name}: typo forgiven, listing opened`);
    await page.context().close();
  }
} finally {
  await browser.close();
}
