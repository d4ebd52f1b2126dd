/* Surveys: print button of the report; typing an "other" answer ticks its option. No inline scripts (CSP). */
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
  document.querySelectorAll("input[data-other-for]").forEach(function (input) {
    input.addEventListener("input", function () {
      var box = document.getElementById(input.getAttribute("data-other-for"));
      if (box && input.value.trim()) { box.checked = true; }
    });
  });
})();
