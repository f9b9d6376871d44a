// Charts: each [data-chart] element carries its chart as JSON (no script in the page: the Content
// Security Policy allows none inline); this draws it with Chart.js (static/vendor/, from npm, built by
// `make assets`). Without script or without the library the summary table beside it stays the chart.
(function () {
  "use strict";

  var charts = [];

  function intlLocale(code) {
    var text = (code || "en").replace(/_/g, "-");
    if (/^zh-hans/i.test(text)) { return "zh-Hans-CN"; }
    return text;
  }

  function safeZone(zone) {
    try { new Intl.DateTimeFormat("en", { timeZone: zone }); return zone; } catch (e) { return "UTC"; }
  }

  function css(el, name, fallback) {
    var value = window.getComputedStyle(el).getPropertyValue(name);
    return (value && value.trim()) || fallback;
  }

  // Numbers: ticks read 1.2M / 120万 beyond ten thousand, 13,067 CNY for money; tooltips give the figure.
  function numbers(locale, kind, unit, highest) {
    var places = kind === "money" ? (highest < 10 ? 2 : 0) : (kind === "rate" && highest < 10 ? 1 : 0);
    var plain = new Intl.NumberFormat(locale, { maximumFractionDigits: places });
    var compact = new Intl.NumberFormat(locale, { notation: "compact", maximumFractionDigits: 1 });
    var full = new Intl.NumberFormat(locale, { maximumFractionDigits: kind === "money" ? 2 : (kind === "rate" ? 1 : 0) });
    var suffix = kind === "money" && unit ? " " + unit : "";
    return {
      tick: function (v) {
        if (kind !== "money" && Math.abs(v) >= 10000) { return compact.format(v); }
        return plain.format(v) + suffix;
      },
      full: function (v) { return v === null || v === undefined ? "—" : full.format(v) + suffix; }
    };
  }

  // Times in the person's time zone (the page's), in the site's one format: 2026-12-01 17:30 CST.
  function times(locale, zone, label, span) {
    var opts = { timeZone: zone, hourCycle: "h23" };
    var parts = new Intl.DateTimeFormat("en-CA", {
      timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit"
    });
    var hours = new Intl.DateTimeFormat(locale, Object.assign({ hour: "2-digit", minute: "2-digit" }, opts));
    var days = new Intl.DateTimeFormat(locale, Object.assign({ month: "2-digit", day: "2-digit" }, opts));
    function exact(ms) {
      var p = {};
      parts.formatToParts(new Date(ms)).forEach(function (part) { p[part.type] = part.value; });
      return p.year + "-" + p.month + "-" + p.day + " " + p.hour + ":" + p.minute + (label ? " " + label : "");
    }
    return {
      tick: function (ms) { return (span > 36 * 3600 * 1000 ? days : hours).format(new Date(ms)); },
      exact: exact
    };
  }

  function palette(el) {
    var colours = [];
    for (var i = 1; i <= 6; i += 1) { colours.push(css(el, "--chart-" + i, "#1f6feb")); }
    return colours;
  }

  function draw(host) {
    var spec;
    try { spec = JSON.parse(host.getAttribute("data-chart")); } catch (e) { return; }
    var canvas = host.querySelector("canvas");
    if (!spec || !canvas || !window.Chart) { return; }
    var locale = intlLocale(spec.locale || document.documentElement.lang);
    var zone = safeZone(spec.timeZone || "UTC");
    var xs = [];
    var ys = [];
    spec.series.forEach(function (s) {
      s.points.forEach(function (p) { xs.push(p[0]); if (p[1] !== null) { ys.push(p[1]); } });
    });
    if (xs.length < 2) { return; }
    var low = Math.min.apply(null, xs);
    var high = Math.max.apply(null, xs);
    var top = ys.length ? Math.max.apply(null, ys.map(Math.abs)) : 0;
    var num = numbers(locale, spec.number, spec.unit, top);
    var time = times(locale, zone, spec.zoneLabel, high - low);
    var colours = palette(host);
    var fg = css(host, "--fg", "#1d2733");
    var muted = css(host, "--muted", "#5a6675");
    var line = css(host, "--line", "#dde3ea");
    host.hidden = false;
    var chart = new window.Chart(canvas, {
      type: "line",
      data: {
        datasets: spec.series.map(function (s, i) {
          var colour = colours[i % colours.length];
          return {
            label: s.label,
            data: s.points.map(function (p) { return { x: p[0], y: p[1] }; }),
            borderColor: colour,
            backgroundColor: colour,
            borderWidth: 2,
            borderDash: i >= colours.length ? [6, 3] : undefined,
            pointRadius: s.points.length < 40 ? 2 : 0,
            pointHoverRadius: 4,
            spanGaps: true,
            tension: 0
          };
        })
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        normalized: true,
        interaction: { mode: "nearest", axis: "x", intersect: false },
        scales: {
          x: {
            type: "linear", min: low, max: high,
            ticks: { callback: time.tick, maxTicksLimit: 6, maxRotation: 0, color: muted },
            grid: { color: line }
          },
          y: {
            beginAtZero: true,
            ticks: { callback: num.tick, maxTicksLimit: 6, color: muted },
            grid: { color: line },
            title: { display: !!spec.unit, text: spec.unit, color: muted }
          }
        },
        plugins: {
          legend: { position: "bottom", labels: { color: fg, boxWidth: 12, boxHeight: 12 } },
          tooltip: {
            callbacks: {
              title: function (items) { return items.length ? time.exact(items[0].parsed.x) : ""; },
              label: function (item) { return item.dataset.label + ": " + num.full(item.parsed.y); }
            }
          }
        }
      }
    });
    charts.push({ host: host, chart: chart });
  }

  function drawAll() {
    charts.forEach(function (c) { c.chart.destroy(); });
    charts = [];
    document.querySelectorAll("[data-chart]").forEach(draw);
  }

  function loadLibrary(url, done) {
    if (window.Chart) { done(); return; }
    var script = document.createElement("script");
    script.src = url;
    script.onload = done;
    script.onerror = function () { /* no library: the summary tables stay */ };
    document.head.appendChild(script);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var first = document.querySelector("[data-chart][data-chart-lib]");
    if (!first || !first.getAttribute("data-chart-lib")) { return; }
    loadLibrary(first.getAttribute("data-chart-lib"), function () {
      drawAll();
      // The colours follow the system's light or dark scheme, also when it changes.
      if (window.matchMedia) {
        var scheme = window.matchMedia("(prefers-color-scheme: dark)");
        if (scheme.addEventListener) { scheme.addEventListener("change", drawAll); }
      }
    });
  });
})();
