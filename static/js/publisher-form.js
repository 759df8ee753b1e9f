/* The publishing settings form shows only the fields the chosen publisher uses.
   Every field carries data-for-kinds="webhook mastodon ..."; without JavaScript all stay visible
   and the server ignores what a kind does not use. */
(function () {
  "use strict";
  function apply(select) {
    var kind = select.value;
    var form = select.form;
    form.querySelectorAll("[data-for-kinds]").forEach(function (element) {
      var kinds = element.getAttribute("data-for-kinds").split(" ");
      element.hidden = kinds.indexOf(kind) === -1;
    });
    form.querySelectorAll("fieldset[data-group]").forEach(function (group) {
      var shown = group.querySelectorAll("[data-for-kinds]:not([hidden])").length;
      group.hidden = shown === 0;
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var select = document.querySelector("select[data-publisher-kind]");
    if (!select) {
      return;
    }
    select.addEventListener("change", function () { apply(select); });
    apply(select);
  });
})();
