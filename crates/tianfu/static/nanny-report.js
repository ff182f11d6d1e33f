// 保姆式服务统计: the last twelve months as a line chart (ECharts, from npm). Without
// JavaScript the table under 查看数据 serves.
(function () {
  "use strict";
  function draw() {
    var figure = document.getElementById("nanny-trend");
    var node = document.getElementById("nanny-trend-data");
    if (!figure || !node || typeof echarts === "undefined") { if (figure) figure.hidden = true; return; }
    var data;
    try { data = JSON.parse(node.textContent); } catch (e) { figure.hidden = true; return; }
    if (!data || !data.months) { figure.hidden = true; return; }
    var chart = echarts.init(figure, null, { renderer: "svg" });
    chart.setOption({
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 40, right: 16, bottom: 28, top: 36 },
      xAxis: { type: "category", data: data.months.map(function (m) { return m.slice(2); }) },
      yAxis: { type: "value", minInterval: 1 },
      color: ["#0d47a1", "#1a7f64", "#b3261e"],
      series: data.series.map(function (s) { return { name: s.name, type: "line", smooth: true, data: s.values }; })
    });
    window.addEventListener("resize", function () { chart.resize(); });
    figure.setAttribute("data-drawn", String(data.months.length));
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw); else draw();
})();
