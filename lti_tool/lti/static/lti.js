/* TutorNet LTI login: continue at once when the browser keeps cookies in the LMS frame,
   otherwise ask for storage access (Safari) or offer to open the tool in a new window. */
(function () {
  "use strict";
  var box = document.querySelector("[data-lti-cookie-check]");
  if (!box) { return; }
  var form = document.getElementById("lti-continue");
  var probe = box.getAttribute("data-probe-cookie");

  function hasProbe() {
    return document.cookie.split(";").some(function (c) { return c.trim().indexOf(probe + "=") === 0; });
  }
  function blocked() {
    box.querySelector("[data-lti-checking]").hidden = true;
    box.querySelector("[data-lti-blocked]").hidden = false;
  }
  if (hasProbe()) { form.submit(); return; }
  if (document.hasStorageAccess && document.requestStorageAccess) {
    // Safari: storage access needs a click; the new-window button asks for it first.
    box.querySelector("[data-lti-new-window]").addEventListener("click", function (event) {
      event.preventDefault();
      document.requestStorageAccess().then(function () { form.submit(); }, function () {
        form.setAttribute("target", "_blank"); form.submit();
      });
    });
  }
  blocked();
})();
