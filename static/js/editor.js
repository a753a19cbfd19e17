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
  const versionInput = form.querySelector("input[name=version]");
  const autosaveUrl = form.dataset.autosaveUrl;
  const intervalMs = Math.max(2, parseInt(form.dataset.autosaveInterval || "10", 10)) * 1000;
  let dirty = false;
  let inflight = null;
  let submitting = false;
  let idleTimer = null;
  let conflicted = false;  // saved elsewhere since this page loaded: wait for the person's choice

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
  // Switching template moves what was written into the new template's fields, so
  // nothing typed is lost: free text goes into the first section, and sections come
  // back into the body (with their headings when more than one has text).
  const stageLabels = {};
  form.querySelectorAll("textarea[data-template]").forEach(function (el) {
    const label = form.querySelector("label[for='" + el.id + "']");
    stageLabels[el.name] = label ? label.textContent.replace("*", "").trim() : el.name;
  });
  function sectionFields(template) {
    return Array.prototype.slice.call(form.querySelectorAll("textarea[data-template='" + template + "']"));
  }
  function textOf(template) {
    if (template === "free") return form.querySelector("textarea[name=body]").value.trim();
    const filled = sectionFields(template).filter(function (el) { return el.value.trim(); });
    if (filled.length === 1 && filled[0] === sectionFields(template)[0]) return filled[0].value.trim();
    return filled.map(function (el) { return "### " + stageLabels[el.name] + "\n\n" + el.value.trim(); }).join("\n\n");
  }
  function clearText(template) {
    if (template === "free") form.querySelector("textarea[name=body]").value = "";
    else sectionFields(template).forEach(function (el) { el.value = ""; });
  }
  function carryText(from, to) {
    const text = textOf(from);
    if (!text || from === to) return;
    const target = to === "free" ? form.querySelector("textarea[name=body]") : sectionFields(to)[0];
    if (!target) return;
    clearText(from);
    target.value = target.value.trim() ? target.value.trim() + "\n\n" + text : text;
  }
  let shownTemplate = templateSelect.value;
  templateSelect.addEventListener("change", function () {
    carryText(shownTemplate, templateSelect.value);
    shownTemplate = templateSelect.value;
    showTemplate();
    updateCounter();
  });
  kindSelect.addEventListener("change", showClientFields);
  showTemplate();
  showClientFields();

  // --- local backup ------------------------------------------------------
  // The copy records which entry it belongs to and the server's saved time when it
  // was taken, so it is only offered when it holds text the server doesn't have.
  const backupNote = form.querySelector("[data-backup-status]");
  const NOT_RESTORED = ["entry_id", "version", "action", "csrfmiddlewaretoken"];
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
    const copy = { at: new Date().toISOString(), entry: entryIdInput.value || null, serverSavedAt: form.dataset.savedAt || null, values: fieldValues() };
    try {
      localStorage.setItem(storageKey(), JSON.stringify(copy));
      if (backupNote) backupNote.hidden = true;
    } catch (e) {
      // Storage full or disabled: the server copy still stands, but say so.
      if (backupNote) backupNote.hidden = false;
    }
  }
  function clearBackup() {
    try { localStorage.removeItem(storageKey()); localStorage.removeItem("reflect-draft-new"); } catch (e) {}
  }
  function readBackup(key) {
    try { return JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { return null; }
  }
  function differsFrom(backup, values) {
    return Object.keys(backup.values).some(function (k) {
      return NOT_RESTORED.indexOf(k) === -1 && k in values && (backup.values[k] || "").trim() !== (values[k] || "").trim();
    });
  }
  // The user's latest entry, as the server has it (new page only): a copy of a new
  // entry that a last save on leaving did reach is already there.
  function alreadyOnServer(backup) {
    const script = document.getElementById("latest-entry");
    const latest = script ? JSON.parse(script.textContent || "null") : null;
    return !!latest && !differsFrom({ values: latest.values }, backup.values);
  }
  function offerRestore() {
    const key = storageKey();
    if (entryIdInput.value) {
      // A copy of this entry from before its first save: drop it once the server has it.
      const first = readBackup("reflect-draft-new");
      if (first && first.values && !differsFrom(first, fieldValues())) try { localStorage.removeItem("reflect-draft-new"); } catch (e) {}
    }
    const backup = readBackup(key);
    if (!backup || !backup.values) return;
    const savedAt = form.dataset.savedAt;
    // Saved again since the copy was taken (server times, so no clock skew): the
    // server's text is the newer one.
    const staleCopy = entryIdInput.value && savedAt && backup.serverSavedAt && new Date(savedAt) > new Date(backup.serverSavedAt);
    const belongsElsewhere = backup.entry && backup.entry !== entryIdInput.value;
    if (staleCopy || belongsElsewhere || !differsFrom(backup, fieldValues()) || (!entryIdInput.value && alreadyOnServer(backup))) {
      if (!belongsElsewhere) try { localStorage.removeItem(key); } catch (e) {}
      return;
    }
    const banner = document.getElementById("restore-banner");
    banner.querySelector("[data-restore-time]").textContent = hhmm(new Date(backup.at));
    banner.classList.remove("d-none");
    banner.querySelector("[data-restore-apply]").addEventListener("click", function () {
      Object.keys(backup.values).forEach(function (name) {
        if (NOT_RESTORED.indexOf(name) !== -1) return;
        form.querySelectorAll("[name='" + CSS.escape(name) + "']").forEach(function (el) {
          if (el.type === "radio" || el.type === "checkbox") el.checked = el.value === backup.values[name];
          else el.value = backup.values[name];
        });
      });
      shownTemplate = templateSelect.value;
      showTemplate(); showClientFields(); updateCounter();
      banner.classList.add("d-none");
      markDirty();
    });
    banner.querySelector("[data-restore-dismiss]").addEventListener("click", function () {
      try { localStorage.removeItem(key); } catch (e) {}
      banner.classList.add("d-none");
    });
  }

  // --- length ------------------------------------------------------------
  const bodyMax = parseInt(form.dataset.bodyMax || "100000", 10);
  const uploadMax = parseInt(form.dataset.uploadMax || "2621440", 10);
  const counter = form.querySelector("[data-length-counter]");
  function textLength() {
    const template = templateSelect.value;
    if (template === "free") return form.querySelector("textarea[name=body]").value.trim().length;
    return sectionFields(template).filter(function (el) { return el.value.trim(); }).reduce(function (n, el) {
      return n + el.value.trim().length + stageLabels[el.name].length + 8;
    }, 0);
  }
  function updateCounter() {
    if (!counter) return;
    const n = textLength();
    counter.textContent = n.toLocaleString("en-GB") + " of " + bodyMax.toLocaleString("en-GB") + " characters" +
      (n > bodyMax ? ": too long to save; please shorten it or split it into two entries." : n > bodyMax * 0.9 ? ": nearing the limit." : "");
    counter.classList.toggle("text-danger", n > bodyMax * 0.9);
  }
  function tooBigToSend() {
    let size = 0;
    new FormData(form).forEach(function (value) { size += typeof value === "string" ? value.length : 0; });
    return size > uploadMax;
  }
  const TOO_BIG = "This entry is too long to save: it is far over the limit of " + bodyMax.toLocaleString("en-GB") +
    " characters. Please shorten it or split it into two entries.";
  updateCounter();
  form.addEventListener("input", updateCounter);

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
    form.dataset.savedAt = data.updated_at || data.saved_at;
  }
  function firstError(errors) {
    const key = Object.keys(errors)[0];
    return key ? errors[key][0] : "please check the form";
  }

  // --- a save from a page older than the entry ------------------------------
  const conflictPanel = document.getElementById("conflict-panel");
  function showConflict(data) {
    conflicted = true;
    dirty = true;
    if (!conflictPanel) { say("Not saved: " + data.message, true); return; }
    conflictPanel.querySelector("[data-conflict-title]").textContent = data.server_title || "(no title)";
    conflictPanel.querySelector("[data-conflict-body]").textContent = data.server_body || "";
    conflictPanel.querySelector("[data-conflict-take]").href = form.action;
    conflictPanel.hidden = false;
    conflictPanel.focus();
    conflictPanel.dataset.serverVersion = data.server_version;
    say("Not saved: changed in another tab or window. Choose above which text to keep.", true);
  }
  if (conflictPanel) {
    conflictPanel.querySelector("[data-conflict-keep]").addEventListener("click", function () {
      // Saving against the version seen means: I have seen it, keep mine.
      const page = (versionInput.value.split(":")[1] || "");
      versionInput.value = conflictPanel.dataset.serverVersion + ":" + page;
      conflicted = false;
      conflictPanel.hidden = true;
      dirty = true;
      save();
    });
    conflictPanel.querySelector("[data-conflict-take]").addEventListener("click", function () {
      clearBackup();
      submitting = true; // leaving for the saved text: no save on the way out
    });
  }

  function save() {
    if (!dirty || submitting || conflicted) return inflight || Promise.resolve();
    if (inflight) return inflight;
    dirty = false;
    say("Saving…");
    const body = new FormData(form);
    inflight = fetch(autosaveUrl, { method: "POST", body: body, credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) {
        const isJson = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
        if (!isJson && (response.status === 413 || response.status === 400)) {
          dirty = true;
          say(response.status === 413 ? TOO_BIG : "Not saved: the server could not accept this text. It is still here in the page.", true);
          return;
        }
        if (response.redirected || !isJson) {
          dirty = true;
          say("Not saved: you have been signed out. Your text is kept in this browser; sign in again in another tab.", true);
          return;
        }
        return response.json().then(function (data) {
          if (data.conflict) { showConflict(data); return; }
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
    if (!dirty || submitting || !navigator.sendBeacon || tooBigToSend()) return;
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
    if (tooBigToSend()) { say(TOO_BIG, true); return; }
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

  // A page shown again with validation errors already holds what was typed.
  const errors = document.getElementById("form-errors");
  if (errors) errors.focus();
  else offerRestore();
})();
