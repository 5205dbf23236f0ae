/* The dashboard's charts, drawn from the JSON the page carries in #chart-data (no inline script).
 * Tooltips are drawn on the canvas (renderMode "richText"): ECharts' HTML tooltips write style
 * attributes into their markup, which the Content-Security-Policy (style-src 'self') refuses. */
document.addEventListener("DOMContentLoaded", function () {
  if (!window.echarts) return;
  var d = JSON.parse(document.getElementById("chart-data").textContent);
  var trend = echarts.init(document.getElementById("chart-trend"));
  trend.setOption({tooltip: {trigger: "axis", renderMode: "richText"}, legend: {}, xAxis: {type: "category", data: d.months},
    yAxis: {type: "value"}, series: d.trend.map(function (s) { return {name: s.name, type: "line", data: s.data}; })});
  var status = echarts.init(document.getElementById("chart-status"));
  status.setOption({tooltip: {trigger: "item", renderMode: "richText"}, series: [{type: "pie", radius: ["35%", "65%"], data: d.status}]});
  var el = document.getElementById("chart-children");
  if (el) {
    var children = echarts.init(el);
    children.setOption({tooltip: {trigger: "axis", renderMode: "richText"}, legend: {}, xAxis: {type: "category", data: d.children.names},
      yAxis: {type: "value"}, series: [
        {name: d.labels.new, type: "bar", data: d.children.new},
        {name: d.labels.closed, type: "bar", data: d.children.closed},
        {name: d.labels.overdue, type: "bar", data: d.children.overdue}]});
    children.on("click", function (p) { window.location = d.children.urls[p.dataIndex]; });
  }
});
