"use strict";
// The periodic task admin (django-celery-beat's change form, templates/admin/djcelery/):
// under the crontab field, say in words when the chosen schedule runs.
(function () {
  var data = document.getElementById("readable-crontabs");
  var field = document.querySelector(".field-crontab");
  if (!data || !field) return;
  var readable = JSON.parse(data.textContent);
  var help = field.querySelector(".help");
  var original = help ? help.textContent : "";
  var translation = document.querySelector(".field-crontab_translation");
  if (translation) translation.style.display = "none";
  field.addEventListener("change", function () {
    var select = document.getElementById("id_crontab");
    if (!help || !select) return;
    help.textContent = original;
    help.appendChild(document.createElement("br"));
    help.appendChild(document.createTextNode("Translation: " + (readable[select.value] || "")));
  });
})();
