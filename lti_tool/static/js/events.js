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

/* Events: search-as-you-type for the person to add. The search form works without scripts (it
   reloads the page with the matches); with scripts the matches replace the list as one types. */
(function () {
  "use strict";
  var input = document.querySelector("input[data-candidates-url]");
  if (!input) { return; }
  var select = document.getElementById(input.getAttribute("data-candidates-select"));
  var status = document.getElementById(input.getAttribute("data-candidates-status"));
  var timer = null;
  var asked = 0;
  function show(candidates) {
    while (select.firstChild) { select.removeChild(select.firstChild); }
    candidates.forEach(function (c) {
      var option = document.createElement("option");
      option.value = c.value;
      option.textContent = c.label;
      select.appendChild(option);
    });
    if (status) { status.textContent = status.getAttribute("data-found").replace("{num}", candidates.length); }
  }
  function ask() {
    var query = input.value.trim();
    var mine = ++asked;
    if (query.length < 2) { show([]); return; }
    var url = input.getAttribute("data-candidates-url") + "?q=" + encodeURIComponent(query);
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) { return response.ok ? response.json() : {candidates: []}; })
      .then(function (data) { if (mine === asked) { show(data.candidates || []); } })
      .catch(function () { /* the Find button still works */ });
  }
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(ask, 250);
  });
})();
