// A map of regions coloured by one value each (ECharts, from npm; outlines from /assets/geo/…),
// shared by the 精准绩效 dashboard and the 科普员 coverage page. The page gives, as JSON:
//   outline  "51" (Sichuan by city) or a city's code (its counties)
//   only     optional: keep just this region's outline (a county drawn from its city's file)
//   label    what the colour means; values [{code, name, value (null: no data), text, lines?, link?}]
//   min/max  optional fixed range of the colour scale (else the values' own), unit (e.g. "%")
//   link     where a click goes, with {code} in it (a value's own `link` wins; none: no click)
// Tooltips show `lines` when a value has them, else "label：text". A page either calls
// `tianfuRegionMap.draw(figure, data)` or marks the figure with `data-region-map="<JSON id>"`.
// Without JavaScript the page's tables alone serve.
(function () {
  "use strict";
  function draw(figure, data) {
    if (!figure || !data || typeof echarts === "undefined") return;
    fetch("/assets/geo/" + encodeURIComponent(data.outline)).then(function (r) {
      return r.ok ? r.json() : null;
    }).then(function (geo) {
      if (!geo) { figure.hidden = true; return; }
      var name = "region-" + data.outline;
      if (data.only) {
        geo = { type: geo.type, features: geo.features.filter(function (f) {
          return f.properties && f.properties.code === data.only;
        }) };
        if (!geo.features.length) { figure.hidden = true; return; }
        name += "-" + data.only;
      }
      echarts.registerMap(name, geo);
      var numbers = data.values.filter(function (v) { return v.value !== null; }).map(function (v) { return v.value; });
      var fixed = typeof data.min === "number" && typeof data.max === "number";
      var min = fixed ? data.min : (numbers.length ? Math.min.apply(null, numbers) : 0);
      var max = fixed ? data.max : (numbers.length ? Math.max.apply(null, numbers) : 1);
      var unit = data.unit || "";
      var chart = echarts.init(figure, null, { renderer: "svg" });
      // Names and texts come from the server; escaped before ECharts puts them into HTML.
      var esc = echarts.format.encodeHTML;
      chart.setOption({
        title: { text: data.label, left: "center", textStyle: { fontSize: 14 } },
        tooltip: { trigger: "item", formatter: function (p) {
          if (!p.data) return esc(p.name) + "<br>无数据";
          if (p.data.lines) return [esc(p.name)].concat(p.data.lines.map(esc)).join("<br>");
          return esc(p.name) + "<br>" + esc(data.label) + "：" + esc(p.data.text);
        } },
        visualMap: { min: min, max: max > min ? max : min + 1, left: "left", bottom: 0, calculable: true,
                     text: fixed ? [max + unit, min + unit] : ["高", "低"],
                     inRange: { color: ["#f3f6e8", "#9bd08a", "#1a7f64"] } },
        series: [{
          type: "map", map: name, roam: true, selectedMode: false,
          label: { show: data.values.length < 30, fontSize: 9 },
          itemStyle: { borderColor: "#789" }, emphasis: { itemStyle: { areaColor: "#ffd27a" } },
          data: data.values.map(function (v) {
            return { name: v.name, value: v.value === null ? NaN : v.value, code: v.code, text: v.text,
                     lines: v.lines, link: v.link };
          })
        }]
      });
      chart.on("click", function (p) {
        if (!p.data || !p.data.code) return;
        var to = p.data.link || (data.link ? data.link.replace("{code}", encodeURIComponent(p.data.code)) : null);
        if (to) location.href = to;
      });
      window.addEventListener("resize", function () { chart.resize(); });
      figure.setAttribute("data-drawn", String(data.values.length));
    });
  }
  window.tianfuRegionMap = { draw: draw };
  // A figure that names its data (`data-region-map="<id of a JSON script>"`) draws itself.
  function drawMarked() {
    document.querySelectorAll("figure[data-region-map]").forEach(function (figure) {
      var node = document.getElementById(figure.getAttribute("data-region-map"));
      var data = null;
      try { data = node ? JSON.parse(node.textContent) : null; } catch (e) { data = null; }
      draw(figure, data);
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", drawMarked); else drawMarked();
})();
