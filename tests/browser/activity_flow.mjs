// 科普 on the ground on phones (390 px) in headless Chromium: the county's 科普 staff opens the
// check-in screen; a resident finds the activity near them, signs up, scans the screen's QR
// code (opens its link), confirms and sees the check-in among their activities; the screen
// moves on to a fresh code; a volunteer signs up to serve, checks in with that code and sees
// the hours credited, on their hours page and certificate. Run by the Rust test suite (crates/tianfu/tests/http/browser.rs):
//   node tests/browser/activity_flow.mjs <base-url> <staff-phone> <resident-phone> <volunteer-phone> <password> <activity-id> <label>
import { launch, shots, signIn } from "./lib.mjs";
import assert from "node:assert/strict";

const [base, staffPhone, residentPhone, volunteerPhone, password, activityId, label = "run"] = process.argv.slice(2);

/// What the venue's screen shows now: the link in its QR image.
async function screenLink(screen) {
  return await screen.locator("#screen-code .qr").getAttribute("data-link");
}

const browser = await launch();
try {
  const screen = await signIn(browser, base, staffPhone, password);
  await screen.goto(`${base}/kepu/activities/${activityId}/screen`);
  await screen.locator("#screen-code svg").waitFor();
  const firstLink = await screenLink(screen);
  assert.match(firstLink, /\/kepu\/checkin\?activity=\d+&code=[2-9A-Z]{8}$/);
  await screen.screenshot({ path: `${shots}activity-screen-${label}.png` });

  // The resident finds the activity near home and signs up.
  const resident = await signIn(browser, base, residentPhone, password);
  await resident.goto(`${base}/kepu`);
  await resident.locator("#activities-link").click();
  await resident.waitForURL(/\/kepu\/activities$/);
  await resident.locator(`#activities article[data-activity="${activityId}"] a`).click();
  await resident.locator('#signup-form button[type="submit"]').click();
  assert.match(await resident.locator("#notice").innerText(), /报名成功/);
  assert.equal(await resident.locator("#signup-status").innerText(), "报名成功");
  const width = await resident.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `the activity page fits the phone (${width}px)`);

  // Scanning opens the code's link; one tap confirms.
  await resident.goto(firstLink);
  await resident.locator('#checkin-form button[type="submit"]').click();
  await resident.locator("#checkin-done").waitFor();
  await resident.screenshot({ path: `${shots}activity-checked-in-${label}.png`, fullPage: true });
  await resident.goto(`${base}/me/activities`);
  assert.match(await resident.locator("#my-activities").innerText(), /已签到/);
  console.log("the resident checked in");

  // The screen shows a fresh code once the first is spent (htmx polls it).
  await screen.waitForFunction(
    (old) => document.querySelector("#screen-code .qr")?.getAttribute("data-link") !== old,
    firstLink,
    { timeout: 15000 },
  );
  const secondLink = await screenLink(screen);
  assert.match(await screen.locator("#checked-count").innerText(), /^1$/);

  // A volunteer serves the activity: signs up as one, checks in, sees the hours.
  const volunteer = await signIn(browser, base, volunteerPhone, password);
  await volunteer.goto(`${base}/kepu/activities/${activityId}`);
  await volunteer.locator('#signup-form input[name="role"][value="volunteer"]').check();
  await volunteer.locator('#signup-form button[type="submit"]').click();
  assert.match(await volunteer.locator("#signup-status").innerText(), /报名成功/);
  await volunteer.goto(secondLink);
  await volunteer.locator('#checkin-form button[type="submit"]').click();
  assert.equal(await volunteer.locator("#minutes").innerText(), "2.0");
  // …and sees them in their hours and on the year's certificate.
  await volunteer.locator('#checkin-done a[href="/me/volunteer"]').click();
  await volunteer.waitForURL(/\/me\/volunteer$/);
  assert.equal(await volunteer.locator("#hours").innerText(), "2.0");
  await volunteer.locator("#certificate-link").click();
  await volunteer.waitForURL(/\/me\/volunteer\/certificate/);
  assert.equal(await volunteer.locator("#cert-hours").innerText(), "2.0");
  await volunteer.screenshot({ path: `${shots}volunteer-certificate-${label}.png`, fullPage: true });
  console.log("the volunteer's hours were credited");

  // The first code, used once, is refused to anyone else.
  await volunteer.goto(firstLink);
  await volunteer.locator('#checkin-form button[type="submit"]').click();
  assert.match(await volunteer.locator("#error").innerText(), /签到/);
} finally {
  await browser.close();
}
