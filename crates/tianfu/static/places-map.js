// 科普场所地图: the places of the list as points over Sichuan's city outlines (ECharts, from
// npm; outlines from /assets/geo/51). Without JavaScript the list alone serves.
(function () {
  "use strict";
  function draw() {
    var figure = document.getElementById("places-map");
    if (!figure || typeof echarts === "undefined") return;
    var pins = [];
    try { pins = JSON.parse(figure.getAttribute("data-pins") || "[]"); } catch (e) { pins = []; }
    if (!pins.length) { figure.hidden = true; return; }
    fetch("/assets/geo/51").then(function (r) { return r.ok ? r.json() : null; }).then(function (geo) {
      if (!geo) { figure.hidden = true; return; }
      echarts.registerMap("sichuan", geo);
      var chart = echarts.init(figure, null, { renderer: "svg" });
      chart.setOption({
        // Names are typed by people: escaped before ECharts puts them into HTML.
        tooltip: { trigger: "item", formatter: function (p) {
          var esc = echarts.format.encodeHTML;
          return p.data ? esc(p.data.name) + "<br>" + esc(p.data.kind) : esc(p.name);
        } },
        geo: { map: "sichuan", roam: true, itemStyle: { areaColor: "#eef4f8", borderColor: "#8aa" },
               emphasis: { itemStyle: { areaColor: "#d9ecf7" } } },
        series: [{
          type: "scatter", coordinateSystem: "geo", symbolSize: 10,
          itemStyle: { color: "#1a7f64" },
          data: pins.map(function (p) { return { name: p.name, kind: p.kind, id: p.id, value: [p.lng, p.lat] }; })
        }]
      });
      chart.on("click", function (p) { if (p.data && p.data.id) location.href = "/kepu/places/" + p.data.id; });
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw); else draw();
})();
