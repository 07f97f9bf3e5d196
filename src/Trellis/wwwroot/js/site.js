// Small behaviours every page may use, declared by data attributes instead of inline handlers
// (the Content-Security-Policy allows no inline script): data-print prints the page; data-menu-toggle opens and closes
// the main menu on a phone (app.css collapses it behind the button).
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach((button) => {
    button.addEventListener("click", () => window.print());
  });
  document.querySelectorAll("[data-menu-toggle]").forEach((button) => {
    button.addEventListener("click", () => {
      const bar = button.closest(".topbar");
      bar.classList.toggle("open");
      button.setAttribute("aria-expanded", String(bar.classList.contains("open")));
    });
  });
})();
