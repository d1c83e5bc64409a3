/* Landform drafts, version 1: autosave with a version check, undo and redo, a visible saved state.
   Shared by the page editor and the form builder; plain script, no build step.

   var draft = new LandformDraft({
     url: "/app/pages/ID/draft", csrf: TOKEN, revision: 3, state: {...},
     body: function (state) { return {blocks: state.blocks}; },   // what a save sends (revision is added)
     status: element,                                              // an aria-live element for Saving…/Saved
     labels: {saving, saved, invalid, conflict, offline, failed},
     onAnswer: function (answer, httpStatus) {},                   // every 200/422 answer (publishable, errors)
     onConflict: function (answer) {},                             // 409: answer.revision, saved_by, saved_at
     onChange: function (state) {}                                 // undo, redo, adopt: draw the state again
   });
   draft.change(newState, "field-key")  // a new state; the same key within a moment replaces the last step
   draft.undo(); draft.redo(); draft.canUndo(); draft.canRedo(); draft.saveNow();
   draft.overwrite(revision)  // after a conflict: keep mine, saved over theirs (theirs stays in undo)
   draft.adopt(state, revision)  // after a conflict: take theirs; mine stays one undo away
*/
(function () {
  "use strict";

  function copy(value) { return JSON.parse(JSON.stringify(value)); }

  function LandformDraft(options) {
    this.options = options;
    this.revision = options.revision;
    this.history = [copy(options.state)];
    this.at = 0;
    this.savedJSON = JSON.stringify(options.state);
    this.timer = null;
    this.inflight = false;
    this.conflict = false;
    this.lastKey = null;
    this.lastAt = 0;
    var self = this;
    window.addEventListener("pagehide", function () { self.flush(); });
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") self.flush();
    });
    window.addEventListener("beforeunload", function (event) {
      if (self.dirty()) { event.preventDefault(); event.returnValue = ""; }
    });
  }

  LandformDraft.prototype.state = function () { return copy(this.history[this.at]); };
  LandformDraft.prototype.dirty = function () {
    return this.inflight || JSON.stringify(this.history[this.at]) !== this.savedJSON;
  };
  LandformDraft.prototype.canUndo = function () { return this.at > 0; };
  LandformDraft.prototype.canRedo = function () { return this.at < this.history.length - 1; };

  LandformDraft.prototype.change = function (state, key) {
    var now = Date.now();
    var same = key && key === this.lastKey && now - this.lastAt < 1500 && this.at === this.history.length - 1;
    this.history.length = this.at + 1;
    if (same && this.at > 0) {
      this.history[this.at] = copy(state);
    } else {
      this.history.push(copy(state));
      if (this.history.length > 100) this.history.shift();
      this.at = this.history.length - 1;
    }
    this.lastKey = key || null;
    this.lastAt = now;
    this.schedule();
  };

  LandformDraft.prototype.step = function (by) {
    this.at += by;
    this.lastKey = null;
    if (this.options.onChange) this.options.onChange(this.state());
    this.schedule();
  };
  LandformDraft.prototype.undo = function () { if (this.canUndo()) this.step(-1); };
  LandformDraft.prototype.redo = function () { if (this.canRedo()) this.step(1); };

  LandformDraft.prototype.say = function (text, kind) {
    var el = this.options.status;
    if (!el) return;
    el.textContent = text;
    el.setAttribute("data-state", kind);
  };

  LandformDraft.prototype.schedule = function () {
    var self = this;
    clearTimeout(this.timer);
    if (this.conflict) return;
    this.say(this.options.labels.saving, "saving");
    this.timer = setTimeout(function () { self.saveNow(); }, this.options.delay || 800);
  };

  LandformDraft.prototype.request = function (keepalive) {
    var sent = this.history[this.at];
    var body = this.options.body ? this.options.body(sent) : {state: sent};
    body.revision = this.revision;
    return {
      sentJSON: JSON.stringify(sent),
      init: {
        method: "POST",
        credentials: "same-origin",
        keepalive: !!keepalive,
        headers: {"content-type": "application/json", "accept": "application/json", "x-csrftoken": this.options.csrf},
        body: JSON.stringify(body)
      }
    };
  };

  LandformDraft.prototype.saveNow = function () {
    var self = this;
    clearTimeout(this.timer);
    if (this.conflict) return Promise.resolve();
    if (this.inflight) { this.again = true; return this.current; }
    if (!this.dirty()) { this.say(this.options.labels.saved, "saved"); return Promise.resolve(); }
    var req = this.request(false);
    this.inflight = true;
    this.say(this.options.labels.saving, "saving");
    this.current = fetch(this.options.url, req.init).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (answer) {
        self.inflight = false;
        self.answered(response.status, answer, req.sentJSON);
      });
    }, function () {
      self.inflight = false;
      self.say(self.options.labels.offline, "error");
      self.timer = setTimeout(function () { self.saveNow(); }, 5000);
    });
    return this.current;
  };

  LandformDraft.prototype.answered = function (status, answer, sentJSON) {
    if (status === 409) {
      this.conflict = true;
      this.say(this.options.labels.conflict, "error");
      if (this.options.onConflict) this.options.onConflict(answer);
      return;
    }
    if (status === 200 || status === 422) {
      this.revision = answer.revision;
      this.savedJSON = sentJSON;
      this.say(status === 200 ? this.options.labels.saved : this.options.labels.invalid, status === 200 ? "saved" : "error");
      if (this.options.onAnswer) this.options.onAnswer(answer, status);
      if (this.again || this.dirty()) { this.again = false; this.schedule(); }
      return;
    }
    var why = answer && answer.errors ? Object.keys(answer.errors).map(function (k) { return answer.errors[k]; }).join(" ") : "";
    this.say(this.options.labels.failed + (why ? " " + why : ""), "error");
  };

  LandformDraft.prototype.flush = function () {
    if (this.conflict || this.inflight || !this.dirty()) return;
    clearTimeout(this.timer);
    var req = this.request(true);
    fetch(this.options.url, req.init).catch(function () {});
  };

  LandformDraft.prototype.overwrite = function (revision) {
    this.conflict = false;
    this.revision = revision;
    this.savedJSON = null;
    this.schedule();
  };

  LandformDraft.prototype.adopt = function (state, revision) {
    this.conflict = false;
    this.revision = revision;
    this.savedJSON = JSON.stringify(state);
    this.history.length = this.at + 1;
    this.history.push(copy(state));
    this.at = this.history.length - 1;
    this.lastKey = null;
    if (this.options.onChange) this.options.onChange(this.state());
    this.say(this.options.labels.saved, "saved");
  };

  window.LandformDraft = LandformDraft;
})();
