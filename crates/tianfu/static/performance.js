// 精准绩效 dashboard: the map of Sichuan (or of one city's counties) coloured by the chosen score
// or figure, a click on a region drilling down, and the monthly trend (ECharts, from npm;
// outlines from /assets/geo/…, drawn by region-map.js). Without JavaScript the ranking table
// alone serves.
(function () {
  "use strict";
  function json(id) {
    var node = document.getElementById(id);
    if (!node) return null;
    try { return JSON.parse(node.textContent); } catch (e) { return null; }
  }
  // The map itself is region-map.js's, shared with the 科普员 coverage page.
  function drawMap(data) {
    if (window.tianfuRegionMap) window.tianfuRegionMap.draw(document.getElementById("perf-map"), data);
  }
  function drawTrend(data) {
    var figure = document.getElementById("perf-trend");
    if (!figure || !data) { if (figure) figure.hidden = true; return; }
    var chart = echarts.init(figure, null, { renderer: "svg" });
    chart.setOption({
      title: { text: data.region + " · " + data.label + " · 月度趋势", left: "center", textStyle: { fontSize: 14 } },
      tooltip: { trigger: "axis" },
      grid: { left: 48, right: 16, bottom: 32, top: 40 },
      xAxis: { type: "category", data: data.months },
      yAxis: { type: "value" },
      series: [{ type: "line", data: data.values, connectNulls: false, itemStyle: { color: "#1a7f64" } }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  function drawPress(data) {
    var figure = document.getElementById("press-trend");
    if (!figure || !data) return;
    var chart = echarts.init(figure, null, { renderer: "svg" });
    chart.setOption({
      title: { text: "本年度月度趋势", left: "center", textStyle: { fontSize: 14 } },
      tooltip: { trigger: "axis" },
      legend: { bottom: 0 },
      grid: { left: 48, right: 48, bottom: 48, top: 40 },
      xAxis: { type: "category", data: data.months },
      yAxis: [{ type: "value" }, { type: "value", position: "right" }],
      series: data.series.map(function (s, i) {
        return { name: s.name, type: i === 2 ? "bar" : "line", yAxisIndex: i === 2 ? 1 : 0, data: s.values };
      })
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  function draw() {
    if (typeof echarts === "undefined") return;
    drawMap(json("perf-map-data"));
    drawTrend(json("perf-trend-data"));
    drawPress(json("press-trend-data"));
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw); else draw();
})();
