// A nanny's day in headless Chromium: the county's staff member opens "我的保姆单", finds the
// ticket the new scientist's registration opened, first submits a follow-up without a channel
// (refused beside the field, the note kept), then logs a phone call with its outcome and marks
// the first step done; the scientist then sees their nanny and the progress in their workspace.
// Run by the Rust test suite (crates/tianfu/tests/http/browser.rs):
//   node tests/browser/nanny_followup.mjs <base-url> <staff-phone> <scientist-phone> <scientist-name> <password> <label>
import { DESKTOP, launch, shots, signIn as signInAt } from "./lib.mjs";
import assert from "node:assert/strict";

const [base, staff, scientist, scientistName, password, label = "run"] = process.argv.slice(2);

const browser = await launch();

const signIn = (phone) => signInAt(browser, base, phone, password, DESKTOP);

try {
  const nanny = await signIn(staff);
  await nanny.locator("a", { hasText: "我的保姆单" }).first().click();
  await nanny.waitForURL(/\/admin\/tickets\?mine=true/);
  await nanny.getByRole("link", { name: `科技工作者${scientistName}` }).click();
  await nanny.waitForURL(/\/admin\/tickets\/\d+$/);
  const ticketPath = new URL(nanny.url()).pathname;

  // Without a channel the form comes back, the note still there, the reason beside the field.
  const note = "电话联系，了解到其擅长柑橘病虫害防治，愿意对接果园需求。";
  const form = nanny.locator("#followup-form");
  await form.locator('textarea[name="note"]').fill(note);
  await form.locator('select[name="channel"]').evaluate((s) => s.removeAttribute("required"));
  await form.getByRole("button", { name: "保存跟进记录" }).click();
  await nanny.waitForLoadState();
  assert.match(await nanny.locator(".field-error").first().innerText(), /联系方式/);
  assert.equal(await nanny.locator('#followup-form textarea[name="note"]').inputValue(), note);

  await nanny.locator('#followup-form select[name="channel"]').selectOption("phone");
  await nanny.locator('#followup-form input[name="outcome"]').fill("约定下周上门走访");
  await nanny.locator("#followup-form").getByRole("button", { name: "保存跟进记录" }).click();
  await nanny.waitForURL(new RegExp(`${ticketPath}$`));
  const history = await nanny.locator("#history").innerText();
  assert.match(history, /电话/);
  assert.match(history, /约定下周上门走访/);

  // The first step, 首次联系, is done.
  await nanny.locator("#steps tr", { hasText: "首次联系" }).getByRole("button", { name: "完成" }).click();
  await nanny.waitForURL(new RegExp(`${ticketPath}$`));
  assert.match(await nanny.locator("#steps tr", { hasText: "首次联系" }).innerText(), /已完成/);
  await nanny.screenshot({ path: `${shots}nanny-ticket-${label}.png`, fullPage: true });

  // The scientist sees who their nanny is and what happened.
  const served = await signIn(scientist);
  await served.getByRole("link", { name: "我的专属服务" }).click();
  await served.waitForURL(/\/me\/nanny$/);
  const text = await served.locator("main").innerText();
  assert.match(text, /您的服务专员/);
  assert.match(text, /约定下周上门走访/);
  assert.doesNotMatch(text, /擅长柑橘病虫害防治/, "the nanny's working note stays with staff");
  console.log("nanny logged a follow-up and the scientist sees it");
} finally {
  await browser.close();
}
