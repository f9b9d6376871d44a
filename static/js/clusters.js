// Cluster pages: "select all" for the host mapping list. No inline scripts (the CSP forbids them).
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    if (event.target && event.target.id === "hosts-select-all") {
      document.querySelectorAll('input[name="hosts_id"]').forEach(function (box) {
        box.checked = event.target.checked;
      });
    }
  });
})();
