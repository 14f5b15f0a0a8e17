// Sign-up: start the time zone list at the browser's own zone instead of UTC. Without
// this file the list starts at UTC, and the student picks their zone in it.
(function () {
  "use strict";
  var select = document.getElementById("timezone");
  if (!select || select.value !== "UTC") return; // a choice already made is kept
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
