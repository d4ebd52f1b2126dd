/* TutorNet page behaviour: iframe resizing for the LMS, confirmations, new-window links. */
(function () {
  "use strict";

  // Tell the LMS (Moodle, Canvas, the demo LMS) how tall the page is: lti.frameResize.
  var lastHeight = 0;
  function reportHeight() {
    if (window.parent === window) { return; }
    // The body's own height, not the document's: the document is never shorter than the frame,
    // so measuring it would let the frame grow but never shrink back on a shorter page.
    var height = Math.ceil(document.body.getBoundingClientRect().height);
    if (Math.abs(height - lastHeight) < 2) { return; }
    lastHeight = height;
    window.parent.postMessage({ subject: "lti.frameResize", height: height }, "*");
    // Older Moodle versions listen for a JSON string.
    window.parent.postMessage(JSON.stringify({ subject: "lti.frameResize", height: height }), "*");
  }
  window.addEventListener("load", reportHeight);
  if (window.ResizeObserver) {
    new ResizeObserver(reportHeight).observe(document.body);
  } else {
    window.setInterval(reportHeight, 500);
  }

  // Forms and buttons that ask before doing something that cannot be undone.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) { event.preventDefault(); }
  });

  // Search-as-you-type for a person (region-sized lists are never sent whole): an input with
  // data-search-url fills the selects named in data-search-selects with the JSON answer's
  // {"candidates": [{"value", "label"}]}; the form's own search button works without scripts.
  document.querySelectorAll("input[data-search-url]").forEach(function (input) {
    var selects = (input.getAttribute("data-search-selects") || "").split(" ").map(function (id) {
      return document.getElementById(id);
    }).filter(Boolean);
    var status = document.getElementById(input.getAttribute("data-search-status") || "");
    var timer = null, asked = 0;
    function show(candidates) {
      selects.forEach(function (select) {
        while (select.firstChild) { select.removeChild(select.firstChild); }
        candidates.forEach(function (c) {
          var option = document.createElement("option");
          option.value = c.value;
          option.textContent = c.label;
          select.appendChild(option);
        });
      });
      if (status) { status.textContent = status.getAttribute("data-found").replace("{num}", candidates.length); }
    }
    function ask() {
      var query = input.value.trim(), mine = ++asked;
      if (query.length < 2) { show([]); return; }
      fetch(input.getAttribute("data-search-url") + "?q=" + encodeURIComponent(query),
            { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (response) { return response.ok ? response.json() : { candidates: [] }; })
        .then(function (data) { if (mine === asked) { show(data.candidates || []); } })
        .catch(function () { /* the search button still works */ });
    }
    input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(ask, 250); });
  });

  // Auto-submitting forms (deep linking response, registration close) without inline scripts.
  document.querySelectorAll("form[data-autosubmit]").forEach(function (form) { form.submit(); });

  // Selects that apply at once (the language switch); the button stays for keyboard users.
  document.querySelectorAll("select[data-autosubmit-on-change]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });

  // Registration finished: ask the LMS to close the registration window.
  document.querySelectorAll("[data-lti-close]").forEach(function () {
    (window.opener || window.parent).postMessage({ subject: "org.imsglobal.lti.close" }, "*");
  });
})();
