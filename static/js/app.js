// CS Dashboard behaviour. No inline scripts anywhere (the Content Security Policy forbids them).
// Loaded in <head> without defer, so that the "js" class is set before the page is drawn (the
// navigation folds behind its Menu button on narrow screens only when script can open it again).
(function () {
  "use strict";

  document.documentElement.classList.add("js");

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

  // The navigation's Menu button (narrow screens): opens and closes the menu, Esc closes it.
  function setupMenu() {
    var toggle = document.querySelector(".navtoggle");
    var bar = toggle && toggle.closest(".topbar");
    if (!toggle || !bar) { return; }
    toggle.hidden = false;
    function set(open) {
      bar.classList.toggle("nav-open", open);
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    }
    toggle.addEventListener("click", function () { set(!bar.classList.contains("nav-open")); });
    bar.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && bar.classList.contains("nav-open")) { set(false); toggle.focus(); }
    });
  }

  // Tables scroll inside their own box, not the page: a table outside a card gets a wrapper.
  function wrapTables(root) {
    (root || document).querySelectorAll("table.table").forEach(function (table) {
      var parent = table.parentElement;
      if (!parent || parent.classList.contains("table-wrap") || parent.closest(".card, #job-rows")) { return; }
      var wrap = document.createElement("div");
      wrap.className = "table-wrap";
      parent.insertBefore(wrap, table);
      wrap.appendChild(table);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setupMenu();
    wrapTables(document);
  });
  document.addEventListener("htmx:afterSwap", function (event) { wrapTables(event.target); });
})();
