// Forms that take a while to answer (checking or applying a roster of thousands of
// people) carry data-busy-label="Checking…". On submit their submit button is
// disabled and shows a spinner with that label, so the person can see the work has
// started and a second click does not send the form again.
(function () {
  "use strict";

  function markBusy(form, button) {
    if (!button.dataset.idleHtml) button.dataset.idleHtml = button.innerHTML;
    button.disabled = true;
    button.setAttribute("aria-disabled", "true");
    button.innerHTML =
      '<span class="spinner-border spinner-border-sm me-1" aria-hidden="true"></span>' +
      '<span role="status"></span>';
    button.querySelector("[role=status]").textContent = form.dataset.busyLabel;
  }

  function reset(form) {
    delete form.dataset.busy;
    form.querySelectorAll("button[data-idle-html]").forEach(function (button) {
      button.innerHTML = button.dataset.idleHtml;
      button.disabled = false;
      button.removeAttribute("aria-disabled");
    });
  }

  document.querySelectorAll("form[data-busy-label]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.busy) {
        event.preventDefault(); // already on its way
        return;
      }
      form.dataset.busy = "true";
      const button = event.submitter || form.querySelector("button[type=submit], button:not([type])");
      // Disabled after this turn, so a named button's value still goes with the form.
      if (button) window.setTimeout(markBusy, 0, form, button);
    });
  });

  // Coming back with the browser's Back button may show the page as it was left
  // (busy); make its buttons usable again.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) document.querySelectorAll("form[data-busy-label]").forEach(reset);
  });
})();
