// Sign-up: start the time zone list at the browser's own zone instead of UTC. Without
// this file the list starts at UTC, and the student picks their zone in it.
(function () {
  "use strict";
  var select = document.getElementById("timezone");
  // Only on a form not yet sent: after an error, the zone the student chose is kept.
  if (!select || !select.form || !select.form.hasAttribute("data-fresh")) return;
  var zone;
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch (error) {
    return;
  }
  for (var i = 0; i < select.options.length; i++) {
    if (select.options[i].value === zone) {
      select.value = zone;
      return;
    }
  }
})();
