"use strict";
// "Tick every trainee on this page", and a count of the ticks. Without JavaScript the
// header box stays hidden and each trainee is ticked on their own.
(function () {
  var all = document.getElementById("pick-all");
  var boxes = Array.prototype.slice.call(document.querySelectorAll('input[name="trainees"][form="assign-form"]'));
  var count = document.getElementById("ticked-count");
  if (!all || !boxes.length) return;
  all.hidden = false;
  function sync() {
    var ticked = boxes.filter(function (box) { return box.checked; }).length;
    all.checked = ticked === boxes.length;
    all.indeterminate = ticked > 0 && ticked < boxes.length;
    if (count) count.textContent = ticked === 1 ? "1 trainee ticked" : ticked + " trainees ticked";
  }
  all.addEventListener("change", function () {
    boxes.forEach(function (box) { box.checked = all.checked; });
    sync();
  });
  boxes.forEach(function (box) { box.addEventListener("change", sync); });
  sync();
})();
