// Small behaviours every page may use, declared by data attributes instead of inline handlers
// (the Content-Security-Policy allows no inline script): data-print prints the page.
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach((button) => {
    button.addEventListener("click", () => window.print());
  });
})();
