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
