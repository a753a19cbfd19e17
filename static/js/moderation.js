// Moderation: "Use first/second marker's" buttons. Without JavaScript each one posts
// the form and the server shows it again with that marking put in; here the same
// happens in place, with no round trip. Nothing is saved until Save draft or Complete.
(function () {
  "use strict";
  var form = document.getElementById("grid-form");
  if (!form) return;

  form.addEventListener("click", function (event) {
    var button = event.target.closest("button[name=use]");
    if (!button) return;
    event.preventDefault();
    var level = button.dataset.levelInput && document.getElementById(button.dataset.levelInput);
    if (level) {
      level.checked = true;
      level.dispatchEvent(new Event("change", { bubbles: true })); // the live total listens
    }
    var text = document.getElementById(button.dataset.textInput);
    if (text) text.value = button.dataset.text || "";
    var status = document.getElementById(button.dataset.status);
    if (status) status.textContent = button.dataset.note;
  });
})();
