// Keyboard shortcuts for studying: Space or Enter shows the answer, 1-4 rate the card.
// Everything works without this file; it only saves reaching for the mouse.
(function () {
  "use strict";
  var sent = false;
  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || event.repeat) return;
    var target = event.target;
    if (target && /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)) return;
    var show = document.getElementById("show-answer");
    // Space and Enter belong to a focused link, button or summary (Log out, the menu, the
    // skip link): only elsewhere on the page do they show the answer.
    // (<main tabindex="-1"> takes the focus on a click anywhere in the page: not a control.)
    var control =
      target &&
      target.closest &&
      target.closest("a[href],button,summary,[tabindex]:not([tabindex='-1'])");
    if (show && (event.key === " " || event.key === "Enter") && (!control || control === show)) {
      event.preventDefault();
      window.location.assign(show.href);
      return;
    }
    var button = document.querySelector('.rate-buttons button[data-key="' + event.key + '"]');
    if (button && !sent) {
      event.preventDefault();
      sent = true; // one rating per card, however fast the keys come
      button.click();
    }
  });
})();
