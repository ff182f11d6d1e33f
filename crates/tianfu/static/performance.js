// 精准绩效 dashboard: the map of Sichuan (or of one city's counties) coloured by the chosen score
// or figure, a click on a region drilling down, and the monthly trend (ECharts, from npm;
// outlines from /assets/geo/…). Without JavaScript the ranking table alone serves.
(function () {
  "use strict";
  function json(id) {
    var node = document.getElementById(id);
    if (!node) return null;
    try { return JSON.parse(node.textContent); } catch (e) { return null; }
  }
  function drawMap(data) {
    var figure = document.getElementById("perf-map");
    if (!figure || !data) return;
    fetch("/assets/geo/" + encodeURIComponent(data.outline)).then(function (r) {
      return r.ok ? r.json() : null;
    }).then(function (geo) {
      if (!geo) { figure.hidden = true; return; }
      var name = "perf-" + data.outline;
      echarts.registerMap(name, geo);
      var numbers = data.values.filter(function (v) { return v.value !== null; }).map(function (v) { return v.value; });
      var max = numbers.length ? Math.max.apply(null, numbers) : 1;
      var min = numbers.length ? Math.min.apply(null, numbers) : 0;
      var chart = echarts.init(figure, null, { renderer: "svg" });
      var esc = echarts.format.encodeHTML;
      chart.setOption({
        title: { text: data.label, left: "center", textStyle: { fontSize: 14 } },
        tooltip: { trigger: "item", formatter: function (p) {
          return esc(p.name) + "<br>" + esc(data.label) + "：" + esc(p.data ? p.data.text : "无数据");
        } },
        visualMap: { min: min, max: max > min ? max : min + 1, left: "left", bottom: 0, calculable: true,
                     text: ["高", "低"], inRange: { color: ["#f3f6e8", "#9bd08a", "#1a7f64"] } },
        series: [{
          type: "map", map: name, roam: true, selectedMode: false,
          label: { show: data.values.length < 30, fontSize: 9 },
          itemStyle: { borderColor: "#789" }, emphasis: { itemStyle: { areaColor: "#ffd27a" } },
          data: data.values.map(function (v) {
            return { name: v.name, value: v.value === null ? NaN : v.value, code: v.code, text: v.text };
          })
        }]
      });
      chart.on("click", function (p) {
        if (p.data && p.data.code) location.href = data.link.replace("{code}", encodeURIComponent(p.data.code));
      });
      window.addEventListener("resize", function () { chart.resize(); });
      figure.setAttribute("data-drawn", String(data.values.length));
    });
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
