// The 科普员 coverage map in headless Chromium: 内江's 科普 staff open the coverage page, the
// map of the city's five counties is drawn coloured by the share of townships with a 科普员
// (read back from the ECharts instance: codes, values, the fill of each region), the tooltip
// says "已覆盖 X / Y 个乡镇（街道）", and a click on 东兴区 opens its own page, where the
// county's outline stands alone. The county's staff cannot open the city's page. Run by the
// Rust test suite (crates/tianfu/tests/http/browser_kepu_map.rs):
//   node tests/browser/kepu_coverage_map.mjs <base-url> <city-staff> <county-staff> <password>
//        <county code> <expected share of the county> <label>
import { launch, shots, signIn, DESKTOP, PHONE } from "./lib.mjs";
import assert from "node:assert/strict";

const [base, cityPhone, countyPhone, password, county, share, label = "run"] = process.argv.slice(2);

/// The drawn map's regions: code, value and the fill ECharts gave each one.
async function regions(page) {
  return page.evaluate(() => {
    const chart = echarts.getInstanceByDom(document.getElementById("coverage-map"));
    const series = chart.getModel().getSeriesByIndex(0);
    const data = series.getData();
    const option = chart.getOption();
    return {
      min: option.visualMap[0].min,
      max: option.visualMap[0].max,
      items: option.series[0].data.map((d, i) => ({
        code: d.code, name: d.name, value: d.value, fill: String(data.getItemVisual(i, "style").fill),
      })),
    };
  });
}

const browser = await launch();
try {
  const page = await signIn(browser, base, cityPhone, password, DESKTOP);
  await page.goto(`${base}/admin/kepu/sharers/coverage`);
  await page.locator("#coverage-map[data-drawn]").waitFor();
  assert.equal(await page.locator("#coverage-map").getAttribute("data-drawn"), "5");
  const city = await regions(page);
  assert.deepEqual([city.min, city.max], [0, 100]);
  assert.deepEqual(city.items.map((r) => r.code).sort(), ["511002", "511011", "511024", "511025", "511083"]);
  const covered = city.items.find((r) => r.code === county);
  assert.equal(covered.value, Number(share), JSON.stringify(covered));
  const empty = city.items.filter((r) => r.code !== county);
  assert.ok(empty.every((r) => r.value === 0), JSON.stringify(empty));
  // Coloured: the covered county's fill differs from the uncovered ones', which share theirs.
  assert.notEqual(covered.fill, empty[0].fill);
  assert.equal(new Set(empty.map((r) => r.fill)).size, 1);
  assert.ok(await page.locator("#coverage-map svg path").count() >= 5, "the outlines are drawn");
  // The grids (the accessible version) are below the map.
  assert.ok(await page.locator(`section.coverage-county[data-county="${county}"] li.covered`).count() >= 1);
  console.log("the city's map is coloured by coverage");

  // The tooltip over the covered county, then a click on it opens its page.
  const point = await page.evaluate((code) => {
    const chart = echarts.getInstanceByDom(document.getElementById("coverage-map"));
    const item = chart.getOption().series[0].data.find((d) => d.code === code);
    const region = chart.getModel().getSeriesByIndex(0).coordinateSystem.getRegion(item.name);
    const [x, y] = chart.convertToPixel({ seriesIndex: 0 }, region.getCenter());
    const box = document.getElementById("coverage-map").getBoundingClientRect();
    return { x: box.left + x, y: box.top + y };
  }, county);
  await page.mouse.move(point.x, point.y);
  await page.locator("#coverage-map div", { hasText: "已覆盖 " }).last().waitFor();
  const tip = await page.locator("#coverage-map div", { hasText: "已覆盖 " }).last().innerText();
  assert.match(tip, /已覆盖 \d+ \/ \d+ 个乡镇（街道）/);
  assert.match(tip, /在任科普员 \d+ 人/);
  await page.screenshot({ path: `${shots}kepu-coverage-city-${label}.png`, fullPage: false });
  await page.mouse.click(point.x, point.y);
  await page.waitForURL(new RegExp(`region_code=${county}$`));
  await page.locator("#coverage-map[data-drawn]").waitFor();
  assert.equal(await page.locator("#coverage-map").getAttribute("data-drawn"), "1");
  const alone = await regions(page);
  assert.deepEqual(alone.items.map((r) => [r.code, r.value]), [[county, Number(share)]]);
  assert.match(await page.locator("main").innerText(), /乡镇（街道）暂无地图边界/);
  console.log("a click opened the county's page");

  // The county's staff on a phone: their own map; the city's page is refused.
  const phone = await signIn(browser, base, countyPhone, password, PHONE);
  await phone.goto(`${base}/admin/kepu/sharers/coverage`);
  await phone.locator("#coverage-map[data-drawn]").waitFor();
  assert.equal(await phone.locator("#coverage-map").getAttribute("data-drawn"), "1");
  await phone.screenshot({ path: `${shots}kepu-coverage-county-${label}.png`, fullPage: true });
  const refused = await phone.goto(`${base}/admin/kepu/sharers/coverage?region_code=5110`);
  assert.equal(refused.status(), 403);
  console.log("the county cannot open the city's page");
} finally {
  await browser.close();
}
