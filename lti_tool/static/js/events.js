/* Events: the grading screen. Absent/excused carry no score, so their score input is disabled. */
(function () {
  "use strict";
  document.querySelectorAll("select[data-score-input]").forEach(function (select) {
    var input = document.getElementById(select.getAttribute("data-score-input"));
    if (!input) { return; }
    function sync() {
      var attended = select.value === "present" || select.value === "late";
      input.disabled = !attended;
      input.setAttribute("aria-disabled", String(!attended));
    }
    select.addEventListener("change", sync);
    sync();
  });
  // Disabled inputs are not submitted: the server clears the score of absent/excused people anyway.
})();

