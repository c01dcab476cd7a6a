// Unknot progressive enhancement. Everything works without this file.
(function () {
  "use strict";
  // Tell the server the device's UTC offset (minutes east of UTC) for new entries.
  var offset = String(-new Date().getTimezoneOffset());
  document.querySelectorAll('input[data-fill="utc-offset"]').forEach(function (el) {
    if (!el.value) { el.value = offset; }
  });
  // Preselect the device's time zone where none is chosen yet.
  var tz = "";
  try { tz = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { tz = ""; }
  var zone = document.getElementById("f-timezone");
  if (zone && !zone.value && tz) {
    for (var i = 0; i < zone.options.length; i++) {
      if (zone.options[i].value === tz) { zone.value = tz; break; }
    }
  }
  // Copy buttons: shown only when the clipboard can be used.
  document.querySelectorAll("button[data-copy]").forEach(function (btn) {
    var target = document.getElementById(btn.getAttribute("data-copy"));
    if (!target || !navigator.clipboard) { return; }
    btn.hidden = false;
    btn.addEventListener("click", function () {
      navigator.clipboard.writeText(target.textContent.trim()).then(function () {
        btn.textContent = "Copied";
      });
    });
  });
  // Move focus to the error summary so screen reader users hear what to fix.
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
})();
