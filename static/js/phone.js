// Small screens. The side menu folds behind a "Menu" button, and the cells of a data table carry
// the name of their column (data-label), so the CSS can stack each row as a card on a phone.
// Loaded without defer in <head> so the "js" class is on <html> before the first paint: without
// JavaScript the menu simply stays open.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function labelCells(table) {
    const heads = [...table.querySelectorAll("thead th")].map((th) => th.textContent.trim());
    table.querySelectorAll("tbody tr").forEach((row) => {
      const cells = [...row.children];
      if (cells.some((cell) => cell.colSpan > 1)) return;
      cells.forEach((cell, index) => {
        // An empty cell has nothing to name: on a phone it is left out of the card.
        if (!cell.textContent.trim() && !cell.querySelector("img, input, select, button")) {
          cell.dataset.empty = "";
        }
        if (heads[index] && !cell.hasAttribute("data-label")) cell.dataset.label = heads[index];
      });
    });
  }

  // On a phone a page's filters fold behind a button named like the form, so the list itself is
  // on the first screen; they stay open while a filter is in use.
  function foldFilters() {
    if (!window.matchMedia("(max-width: 48rem)").matches) return;
    document.querySelectorAll("form.filters[role=search][aria-label]").forEach((form, index) => {
      if (!form.id) form.id = "filters-" + (index + 1);
      const active = [...new FormData(form).values()].some((value) => String(value).trim());
      const button = document.createElement("button");
      button.type = "button";
      button.className = "button filters-toggle";
      button.setAttribute("aria-controls", form.id);
      button.setAttribute("aria-expanded", active ? "true" : "false");
      button.textContent = form.getAttribute("aria-label");
      form.classList.toggle("is-folded", !active);
      button.addEventListener("click", () => {
        const open = button.getAttribute("aria-expanded") !== "true";
        button.setAttribute("aria-expanded", open ? "true" : "false");
        form.classList.toggle("is-folded", !open);
        if (open) {
          const first = form.querySelector("select, input:not([type=hidden])");
          if (first) first.focus();
        }
      });
      form.before(button);
    });
  }

  function init() {
    foldFilters();
    document.querySelectorAll("table.table").forEach(labelCells);
    document.addEventListener("htmx:afterSwap", (event) => {
      event.target.querySelectorAll("table.table").forEach(labelCells);
    });
    const toggle = document.querySelector(".nav-toggle");
    const menu = toggle && document.getElementById(toggle.getAttribute("aria-controls"));
    if (!menu) return;

    function setOpen(open) {
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      menu.classList.toggle("is-open", open);
    }

    toggle.addEventListener("click", () => {
      setOpen(toggle.getAttribute("aria-expanded") !== "true");
    });
    document.addEventListener("keydown", (event) => {
      if (event.key !== "Escape" || toggle.getAttribute("aria-expanded") !== "true") return;
      setOpen(false);
      toggle.focus();
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
