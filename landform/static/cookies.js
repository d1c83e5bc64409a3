/* The cookie banner without a reload. The page works without this file: every control is a plain form. */
(function () {
  "use strict";
  var root = document.getElementById("lf-cookies");
  if (!root) return;
  var version = root.getAttribute("data-version");
  var banner = document.getElementById("lf-cookie-banner");
  var dialog = document.getElementById("lf-cookie-dialog");
  // Global Privacy Control refuses tracking for the visitor, whatever they tick.
  var refused = navigator.globalPrivacyControl === true ? ["analytics", "marketing"] : [];
  var opener = null;

  function stored() {
    var match = document.cookie.match(/(?:^|;\s*)lf_consent=([^;]*)/);
    if (!match) return null;
    var parts = match[1].split(".");
    if (parts[0] !== version) return null; // made under another policy version: ask again
    return parts[1] === "none" || !parts[1] ? [] : parts[1].split("-");
  }

  function activate(granted) {
    granted = granted.filter(function (c) { return refused.indexOf(c) === -1; });
    // Consent-bound markup waits in <template data-category>; granting puts it in the page.
    document.querySelectorAll("template[data-category]").forEach(function (t) {
      if (granted.indexOf(t.getAttribute("data-category")) === -1) return;
      t.replaceWith(t.content.cloneNode(true));
    });
    document.querySelectorAll("[data-placeholder-for]").forEach(function (p) {
      if (granted.indexOf(p.getAttribute("data-placeholder-for")) !== -1) p.remove();
    });
    if (dialog) {
      dialog.querySelectorAll("input[name=category]:not(:disabled)").forEach(function (box) {
        box.checked = granted.indexOf(box.value) !== -1;
      });
    }
  }

  function openDialog(event) {
    if (!dialog || typeof dialog.showModal !== "function") return; // the link's page does the job
    event.preventDefault();
    opener = document.activeElement;
    dialog.showModal();
    var first = dialog.querySelector("input:not(:disabled)");
    if (first) first.focus();
  }

  function closeDialog() {
    if (dialog && dialog.open) dialog.close();
  }

  if (dialog) {
    dialog.addEventListener("close", function () {
      if (opener && document.contains(opener)) opener.focus();
      opener = null;
    });
    dialog.addEventListener("click", function (event) {
      if (event.target === dialog) closeDialog(); // a click on the backdrop
    });
  }

  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target : null;
    if (!target) return;
    if (target.closest("[data-cookie-settings]")) openDialog(event);
    else if (target.closest("[data-cookie-close]")) closeDialog();
  });

  function send(form, submitter) {
    var body = new URLSearchParams(new FormData(form, submitter));
    return fetch(form.action, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    }).then(function (response) {
      if (!response.ok) throw new Error("cookie choice refused: " + response.status);
      return response.json();
    });
  }

  // The banner's forms, and a video's "allow and load" button (a form with data-cookie-allow) anywhere on the page.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    if (!root.contains(form) && !form.hasAttribute("data-cookie-allow")) return;
    event.preventDefault();
    var block = form.hasAttribute("data-cookie-allow") ? form.closest("figure") : null;
    send(form, event.submitter).then(function (answer) {
      if (banner) banner.hidden = true;
      closeDialog();
      activate(answer.allowed);
      // The button that was pressed is gone with its placeholder: focus moves to what it loaded.
      var player = block && block.querySelector("iframe");
      if (player) player.focus();
    }).catch(function () {
      // The server still takes the plain form; submit() leaves out the pressed button, so add its value.
      if (event.submitter && event.submitter.name) {
        var pressed = document.createElement("input");
        pressed.type = "hidden";
        pressed.name = event.submitter.name;
        pressed.value = event.submitter.value;
        form.appendChild(pressed);
      }
      form.submit();
    });
  });

  var choice = stored();
  if (choice) {
    // A page re-shown without the server knowing the choice (or a cached one): apply what the cookie says.
    if (banner) banner.hidden = true;
    activate(choice);
  }
})();
