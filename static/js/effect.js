// The Effect page's charts, drawn from the tables beside them (no inline script: the page puts
// its figures in <table data-chart="line|bar" data-canvas="id"> with raw numbers in data-value;
// columns marked data-chart-skip stay table-only). The tables stay for screen readers.
(function () {
  "use strict";

  var COLOURS = ["#1f5f8b", "#c25b12", "#2e7d32", "#7b3f98", "#b71c1c", "#00838f", "#5d4037", "#455a64"];

  function readTable(table) {
    var heads = Array.prototype.slice.call(table.querySelectorAll("thead th")).slice(1);
    var keep = [];
    heads.forEach(function (th, n) {
      if (!th.hasAttribute("data-chart-skip")) keep.push({ index: n, label: th.textContent.trim() });
    });
    var labels = [];
    var series = keep.map(function () { return []; });
    table.querySelectorAll("tbody tr").forEach(function (tr) {
      labels.push(tr.querySelector("th").textContent.trim());
      var cells = tr.querySelectorAll("td");
      keep.forEach(function (column, k) {
        var cell = cells[column.index];
        series[k].push(cell ? Number(cell.getAttribute("data-value") || 0) : 0);
      });
    });
    return { labels: labels, columns: keep, series: series };
  }

  function draw(table) {
    var canvas = document.getElementById(table.getAttribute("data-canvas"));
    if (!canvas || typeof window.Chart === "undefined") return;
    var kind = table.getAttribute("data-chart") === "line" ? "line" : "bar";
    var data = readTable(table);
    var locale = document.documentElement.lang || "nl";
    var chart = new window.Chart(canvas, {
      type: kind,
      data: {
        labels: data.labels,
        datasets: data.columns.map(function (column, k) {
          var colour = COLOURS[k % COLOURS.length];
          return {
            label: column.label,
            data: data.series[k],
            borderColor: colour,
            backgroundColor: kind === "line" ? colour : colour + "cc",
            borderDash: kind === "line" && k % 2 === 1 ? [6, 4] : [],
            tension: 0.2,
            pointRadius: 0
          };
        })
      },
      options: {
        locale: locale,
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: "index", intersect: false },
        scales: { y: { beginAtZero: true } },
        plugins: { legend: { position: "bottom" } }
      }
    });
    canvas.setAttribute("data-drawn", String(chart.data.datasets.length));
  }

  function start() {
    document.querySelectorAll("table[data-chart]").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
