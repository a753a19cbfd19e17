"use strict";
// A "Copy" button beside a read-only address. Without JavaScript (or where the
// browser refuses the clipboard) the button stays hidden and the address is
// selected on focus, ready to copy by hand.
(function () {
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    var field = document.getElementById(button.getAttribute("data-copy"));
    var status = document.getElementById(field.id.replace(/-url$/, "") + "-copied");
    field.addEventListener("focus", function () { field.select(); });
    if (!navigator.clipboard) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(field.value).then(function () {
        if (status) status.textContent = "Copied. Now paste it into your calendar app.";
      }, function () {
        field.select();
      });
    });
  });
})();
