// What every browser test starts with: headless Chromium (Debian's package, or CHROMIUM_PATH),
// a folder for screenshots (tests/browser/screenshots/, not committed), and signing a person
// in through the login page in a browser context of their own, like their own phone.
import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";

export const shots = new URL("./screenshots/", import.meta.url).pathname;
mkdirSync(shots, { recursive: true });

export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1280, height: 900 };

export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync"],
  });
}

/// A fresh page of its own context, with the suite's patience for slow CI machines.
export async function newPage(browser, viewport = PHONE) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  page.setDefaultTimeout(15000);
  return page;
}

/// Signs `phone` in and waits for the workspace.
export async function signIn(browser, base, phone, password, viewport = PHONE) {
  const page = await newPage(browser, viewport);
  await page.goto(`${base}/login`);
  await page.locator('input[name="phone"]').fill(phone);
  await page.locator('input[name="password"]').fill(password);
  await page.locator('form[action="/login"] button[type="submit"]').click();
  await page.waitForURL(/\/me$/);
  return page;
}

/// Clicks the form's 获取验证码, waits for the page to say it was sent, reads the code from the
/// SMS outbox file the test app writes (its path is the script's last argument), and types it.
export async function fillSmsCode(page, outbox, phone) {
  const { readFileSync, existsSync } = await import("node:fs");
  await page.locator("button[data-send-code]").click();
  await page.locator("[data-code-status]").filter({ hasText: "验证码已发送" }).waitFor();
  for (let tries = 0; tries < 100; tries += 1) {
    if (existsSync(outbox)) {
      const line = readFileSync(outbox, "utf8").split("\n").reverse().find((l) => l.split("\t")[1] === phone);
      const code = line && line.match(/(?<!\d)\d{6}(?!\d)/);
      if (code) {
        await page.locator('input[name="sms_code"]').fill(code[0]);
        return code[0];
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no code for ${phone} in ${outbox}`);
}
