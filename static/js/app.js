// CS Dashboard behaviour. No inline scripts anywhere (the Content Security Policy forbids them).
(function () {
  "use strict";

  // Forms with data-confirm ask before they submit.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  // Live fragments (hx-trigger="every Ns [liveEnabled()]") pause while the tab is hidden.
  window.liveEnabled = function () { return document.visibilityState === "visible"; };
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && window.htmx) {
      document.querySelectorAll("[data-live]").forEach(function (el) { window.htmx.trigger(el, "live-refresh"); });
    }
  });
})();
