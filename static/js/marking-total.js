"use strict";
// Live total while choosing levels in the marking grid; the server recomputes it on every save.
(function () {
  var form = document.getElementById("grid-form");
  var out = form && form.querySelector("[data-total]");
  if (!out) return;
  form.addEventListener("change", function () {
    var total = 0;
    form.querySelectorAll("input[data-points]:checked").forEach(function (input) {
      total += parseInt(input.dataset.points, 10) || 0;
    });
    out.textContent = total;
  });
})();
