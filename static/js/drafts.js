// Drafts for every form where someone writes more than a line (the portfolio summary,
// a marking, comments and replies): a form that carries data-draft (the template tag
// {% draft_attrs %}) has what is typed kept as the person's draft on the server a
// moment after they stop typing and when the page is left, and in this browser on
// every keystroke in case the server can't be reached (offline, or signed out). When
// the form comes back (a reload, another visit, after signing in again), unsent text
// is put back, with a way to undo that. Leaving with unsent changes asks first.
// The journal editor has its own autosave (editor.js): it saves the entry itself.
(function () {
  "use strict";
  const OWN = ["csrfmiddlewaretoken", "_draft", "_draft_nonce", "_discard", "action"];
  const IDLE_MS = 2000;
  const tracked = [];

  function hhmm(date) {
    return String(date.getHours()).padStart(2, "0") + ":" + String(date.getMinutes()).padStart(2, "0");
  }
  function nonce() {
    return Math.random().toString(36).slice(2) + Date.now().toString(36);
  }
  function snapshot(form) {
    const values = {};
    new FormData(form).forEach(function (value, name) {
      if (OWN.indexOf(name) !== -1 || typeof value !== "string") return;
      (values[name] = values[name] || []).push(value);
    });
    return values;
  }
  function same(a, b) {
    const names = Object.keys(a).concat(Object.keys(b));
    return names.every(function (name) {
      const x = (a[name] || []).map(function (v) { return v.trim(); }).join("\u0000");
      const y = (b[name] || []).map(function (v) { return v.trim(); }).join("\u0000");
      return x === y;
    });
  }
  function hasText(values) {
    return Object.keys(values).some(function (name) {
      return values[name].some(function (v) { return v.trim(); });
    });
  }
  function apply(form, values) {
    Object.keys(values).forEach(function (name) {
      form.querySelectorAll("[name='" + CSS.escape(name) + "']").forEach(function (el) {
        if (el.type === "hidden" || el.type === "file" || el.type === "submit") return;
        if (el.type === "checkbox" || el.type === "radio") el.checked = values[name].indexOf(el.value) !== -1;
        else if (el.multiple) Array.prototype.forEach.call(el.options, function (o) { o.selected = values[name].indexOf(o.value) !== -1; });
        else el.value = values[name][0] || "";
      });
    });
    // Fields that were empty when the draft was kept are not in it: leave them as shown.
    const details = form.closest("details");
    if (details) details.open = true;
  }
  function local(token) {
    try { return JSON.parse(localStorage.getItem("reflect-form-" + token) || "null"); } catch (e) { return null; }
  }
  function keepLocal(token, copy) {
    try { localStorage.setItem("reflect-form-" + token, JSON.stringify(copy)); return true; } catch (e) { return false; }
  }
  function dropLocal(token) {
    try { localStorage.removeItem("reflect-form-" + token); } catch (e) {}
  }
  function hidden(form, name, value) {
    let input = form.querySelector("input[type=hidden][name='" + name + "']");
    if (!input) {
      input = document.createElement("input");
      input.type = "hidden"; input.name = name;
      form.appendChild(input);
    }
    input.value = value;
    return input;
  }

  function Draft(form) {
    this.form = form;
    this.token = form.dataset.draft;
    this.url = form.dataset.draftUrl;
    this.initial = snapshot(form);
    this.dirty = false;      // typed since the server last had it
    this.sending = false;    // the form itself is being sent
    this.timer = null;
    hidden(form, "_draft", this.token);
    // Set before any submit handler (htmx's included) reads the form, so whichever
    // runs first sends the nonce this page records for the sending.
    this.nonceInput = hidden(form, "_draft_nonce", nonce());
    this.status = document.createElement("p");
    this.status.className = "form-text mb-2";
    this.status.setAttribute("aria-live", "polite");
    this.status.dataset.draftStatus = "";
    // Just above the form's buttons, where the person looks before sending.
    const button = form.querySelector("button[type=submit]:not([hidden]), button:not([type]):not([hidden])");
    const anchor = button && (button.parentNode === form ? button : button.parentNode);
    if (anchor && anchor.parentNode) anchor.parentNode.insertBefore(this.status, anchor);
    else form.appendChild(this.status);
    const self = this;
    form.addEventListener("input", function () { self.changed(); });
    form.addEventListener("change", function () { self.changed(); });
    form.addEventListener("submit", function () { self.submitted(); });
  }
  Draft.prototype.say = function (text, isError) {
    this.status.textContent = text;
    this.status.classList.toggle("text-danger", !!isError);
  };
  Draft.prototype.unsent = function () {
    return !this.sending && document.contains(this.form) && !same(snapshot(this.form), this.initial);
  };
  Draft.prototype.changed = function () {
    const self = this;
    this.dirty = true;
    if (!keepLocal(this.token, { at: new Date().toISOString(), values: snapshot(this.form) })) {
      this.say("This browser could not keep a copy of your text (its storage is full or turned off).", true);
    }
    clearTimeout(this.timer);
    this.timer = setTimeout(function () { self.save(); }, IDLE_MS);
  };
  Draft.prototype.body = function () {
    const body = new FormData(this.form);
    body.delete("action");
    return body;
  };
  Draft.prototype.save = function () {
    const self = this;
    if (!this.dirty || this.sending || !document.contains(this.form)) return;
    this.dirty = false;
    fetch(this.url, { method: "POST", body: this.body(), credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (data) {
          if (response.ok && data.saved) {
            dropLocal(self.token);
            self.say(data.saved_label + ", not sent yet.");
            return;
          }
          self.dirty = true;
          if (response.status === 401) self.say("Not kept on the server: you have been signed out. Your text is kept in this browser; sign in again in another tab.", true);
          // Signing in again (in another tab) renews the form's security token.
          else if (response.status === 403) self.say("Not kept on the server: this page is out of date, as you signed in again. Your text is kept in this browser; reload the page to carry on.", true);
          else self.say("Not kept on the server: " + (data.message || "the server could not keep it just now. Your text is still here."), true);
        });
      })
      .catch(function () {
        self.dirty = true;
        self.say("Not kept on the server: no connection. Your text is kept in this browser.", true);
      });
  };
  Draft.prototype.flush = function () {
    if (!this.dirty || this.sending || !navigator.sendBeacon || !document.contains(this.form)) return;
    if (navigator.sendBeacon(this.url, this.body())) this.dirty = false;
  };
  Draft.prototype.submitted = function () {
    // The browser's copy records which sending carried it: if that sending is the last
    // the server received, the copy is not offered again.
    keepLocal(this.token, { at: new Date().toISOString(), values: snapshot(this.form), nonce: this.nonceInput.value });
    this.sending = true;
    this.dirty = false;
    clearTimeout(this.timer);
    const self = this;
    setTimeout(function () { self.nonceInput.value = nonce(); self.sending = false; self.initial = snapshot(self.form); }, 0);
  };
  // What came back from the server (and this browser) when the page opened.
  Draft.prototype.resume = function (server) {
    const self = this;
    if (this.form.dataset.draftEcho !== undefined) {
      // Shown again in answer to its own sending (with errors, or a choice made on the
      // page): the form holds what was sent, which is not kept anywhere yet, so it is
      // the draft now, and leaving asks first.
      dropLocal(this.token);
      this.initial = {};
      if (hasText(snapshot(this.form))) { this.dirty = true; this.save(); }
      return;
    }
    let copy = local(this.token);
    if (copy && copy.nonce && server.sent_nonce === copy.nonce) { dropLocal(this.token); copy = null; }
    // A copy in this browser exists only while the server lacks it, so it is the newer.
    const values = copy ? copy.values : server.values;
    const when = copy ? hhmm(new Date(copy.at)) : server.saved_label;
    const current = snapshot(this.form);
    if (!values || !hasText(values) || same(Object.assign({}, current, values), current)) {
      if (copy) dropLocal(this.token);
      return;
    }
    apply(this.form, values);
    const note = document.createElement("div");
    note.className = "alert alert-info py-2 d-flex flex-wrap align-items-center gap-2";
    note.setAttribute("role", "status");
    note.dataset.draftRestored = "";
    const text = document.createElement("span");
    text.textContent = "Your unsent text from " + when + " is back in the form below; it has not been sent yet.";
    const undo = document.createElement("button");
    undo.type = "button";
    undo.className = "btn btn-sm btn-outline-secondary";
    undo.textContent = "Discard it";
    undo.addEventListener("click", function () {
      apply(self.form, current);
      self.initial = current;
      clearTimeout(self.timer);
      self.dirty = false;
      dropLocal(self.token);
      const body = new FormData();
      body.append("csrfmiddlewaretoken", (self.form.querySelector("[name=csrfmiddlewaretoken]") || {}).value || "");
      body.append("_draft", self.token);
      body.append("_discard", "1");
      fetch(self.url, { method: "POST", body: body, credentials: "same-origin" });
      note.remove();
      self.say("Discarded.");
    });
    note.appendChild(text);
    note.appendChild(undo);
    this.form.insertBefore(note, this.form.firstChild);
    this.changed();
  };

  function start(root) {
    const forms = [];
    if (root.matches && root.matches("form[data-draft]")) forms.push(root);
    if (root.querySelectorAll) root.querySelectorAll("form[data-draft]").forEach(function (f) { forms.push(f); });
    const fresh = forms.filter(function (f) { return !f.dataset.draftStarted; }).map(function (f) {
      f.dataset.draftStarted = "1";
      const draft = new Draft(f);
      tracked.push(draft);
      return draft;
    });
    if (!fresh.length) return;
    const query = fresh.map(function (d) { return "t=" + encodeURIComponent(d.token); }).join("&");
    fetch(fresh[0].url + "?" + query, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { drafts: {} }; })
      .catch(function () { return { drafts: {} }; })
      .then(function (data) {
        fresh.forEach(function (d) { d.resume(data.drafts[d.token] || { values: {}, sent_nonce: "" }); });
      });
  }

  start(document);
  document.addEventListener("htmx:load", function (event) { start(event.detail.elt); });
  function flushAll() { tracked.forEach(function (d) { d.flush(); }); }
  document.addEventListener("visibilitychange", function () { if (document.visibilityState === "hidden") flushAll(); });
  window.addEventListener("pagehide", flushAll);
  window.addEventListener("beforeunload", function (event) {
    if (tracked.some(function (d) { return d.unsent(); })) {
      flushAll();
      event.preventDefault();
      event.returnValue = "";
    }
  });
})();
