// The journal editor: template switching, and autosave so that nothing typed is
// lost — to the server every few seconds while typing and when the page is left,
// and to this browser's storage on every keystroke in case the server can't be
// reached (offline, or the session has expired).
(function () {
  "use strict";
  const form = document.getElementById("entry-form");
  if (!form) return;

  const status = form.querySelector("[data-save-status]");
  const entryIdInput = form.querySelector("input[name=entry_id]");
  const autosaveUrl = form.dataset.autosaveUrl;
  const intervalMs = Math.max(2, parseInt(form.dataset.autosaveInterval || "10", 10)) * 1000;
  let dirty = false;
  let inflight = null;
  let submitting = false;
  let idleTimer = null;

  // --- template and kind switching -------------------------------------
  const templateSelect = form.querySelector("select[name=template]");
  const kindSelect = form.querySelector("select[name=kind]");
  const clientFields = form.querySelector("[data-client-fields]");

  function showTemplate() {
    form.querySelectorAll("[data-template-group]").forEach(function (group) {
      group.hidden = group.dataset.templateGroup !== templateSelect.value;
    });
  }
  function showClientFields() {
    if (clientFields) clientFields.hidden = kindSelect.value !== "client_work";
  }
  templateSelect.addEventListener("change", showTemplate);
  kindSelect.addEventListener("change", showClientFields);
  showTemplate();
  showClientFields();

  // --- local backup ------------------------------------------------------
  function storageKey() {
    return "reflect-draft-" + (entryIdInput.value || "new");
  }
  function fieldValues() {
    const values = {};
    new FormData(form).forEach(function (value, key) {
      if (key !== "csrfmiddlewaretoken") values[key] = value;
    });
    return values;
  }
  function backupLocally() {
    try {
      localStorage.setItem(storageKey(), JSON.stringify({ at: new Date().toISOString(), values: fieldValues() }));
    } catch (e) { /* storage full or disabled: the server copy still stands */ }
  }
  function clearBackup() {
    try { localStorage.removeItem(storageKey()); localStorage.removeItem("reflect-draft-new"); } catch (e) {}
  }
  function offerRestore() {
    let backup = null;
    try { backup = JSON.parse(localStorage.getItem(storageKey()) || "null"); } catch (e) {}
    if (!backup) return;
    const savedAt = form.dataset.savedAt ? new Date(form.dataset.savedAt) : null;
    if (savedAt && new Date(backup.at) <= savedAt) return;
    const current = fieldValues();
    const differs = Object.keys(backup.values).some(function (k) { return k !== "entry_id" && backup.values[k] !== current[k]; });
    if (!differs) return;
    const banner = document.getElementById("restore-banner");
    banner.querySelector("[data-restore-time]").textContent = hhmm(new Date(backup.at));
    banner.classList.remove("d-none");
    banner.querySelector("[data-restore-apply]").addEventListener("click", function () {
      Object.keys(backup.values).forEach(function (name) {
        if (name === "entry_id") return;
        form.querySelectorAll("[name='" + CSS.escape(name) + "']").forEach(function (el) {
          if (el.type === "radio" || el.type === "checkbox") el.checked = el.value === backup.values[name];
          else el.value = backup.values[name];
        });
      });
      showTemplate(); showClientFields();
      banner.classList.add("d-none");
      markDirty();
    });
    banner.querySelector("[data-restore-dismiss]").addEventListener("click", function () {
      clearBackup(); banner.classList.add("d-none");
    });
  }

  // --- saving to the server ----------------------------------------------
  function hhmm(date) {
    return String(date.getHours()).padStart(2, "0") + ":" + String(date.getMinutes()).padStart(2, "0");
  }
  function say(text, isError) {
    status.textContent = text;
    status.classList.toggle("text-danger", !!isError);
  }
  function adopt(data) {
    if (!entryIdInput.value) {
      try { localStorage.removeItem("reflect-draft-new"); } catch (e) {}
      entryIdInput.value = data.id;
      form.action = data.edit_url;
      history.replaceState(null, "", data.edit_url);
    }
    form.dataset.savedAt = data.saved_at;
  }
  function firstError(errors) {
    const key = Object.keys(errors)[0];
    return key ? errors[key][0] : "please check the form";
  }

  function save() {
    if (!dirty || submitting) return inflight || Promise.resolve();
    if (inflight) return inflight;
    dirty = false;
    say("Saving…");
    const body = new FormData(form);
    inflight = fetch(autosaveUrl, { method: "POST", body: body, credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) {
        const isJson = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
        if (response.redirected || !isJson) {
          dirty = true;
          say("Not saved: you have been signed out. Your text is kept in this browser; sign in again in another tab.", true);
          return;
        }
        return response.json().then(function (data) {
          if (data.saved) {
            adopt(data);
            clearBackup();
            say(data.saved_label);
          } else {
            dirty = true;
            say("Not saved yet: " + (data.message || firstError(data.errors)), true);
          }
        });
      })
      .catch(function () {
        dirty = true;
        say("Not saved: no connection. Your text is kept in this browser and will be saved when you're back online.", true);
      })
      .finally(function () { inflight = null; });
    return inflight;
  }

  function markDirty() {
    dirty = true;
    backupLocally();
    clearTimeout(idleTimer);
    idleTimer = setTimeout(save, 3000);
  }
  form.addEventListener("input", markDirty);
  form.addEventListener("change", markDirty);
  setInterval(save, intervalMs);

  // Leaving the page: the beacon outlives the tab.
  function flush() {
    if (!dirty || submitting || !navigator.sendBeacon) return;
    if (navigator.sendBeacon(autosaveUrl, new FormData(form))) dirty = false;
  }
  document.addEventListener("visibilitychange", function () { if (document.visibilityState === "hidden") flush(); });
  window.addEventListener("pagehide", flush);

  // Publishing or saving while an autosave is still on its way must not make a
  // second entry: wait for it, then submit to the entry it created.
  form.addEventListener("submit", function (event) {
    if (submitting) return;
    const submitter = event.submitter;
    event.preventDefault();
    submitting = true;
    clearTimeout(idleTimer);
    (inflight || Promise.resolve()).then(function () {
      let action = form.querySelector("input[type=hidden][name=action]");
      if (!action) {
        action = document.createElement("input");
        action.type = "hidden"; action.name = "action";
        form.appendChild(action);
      }
      action.value = submitter && submitter.value ? submitter.value : "draft";
      form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
      HTMLFormElement.prototype.submit.call(form);
    });
  });

  offerRestore();
  const errors = document.getElementById("form-errors");
  if (errors) errors.focus();
})();
