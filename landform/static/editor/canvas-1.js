/* Landform page editor, canvas side (version 1). Runs only inside the editor's frame (never on hosted
   pages): blocks become focusable and selectable, their texts editable in place as plain text; what
   happens is told to the editor with postMessage. The editor draws changes into this document itself. */
(function () {
  "use strict";
  if (window.parent === window) return;
  var origin = location.origin;
  function tell(message) { message.lf = true; window.parent.postMessage(message, origin); }
  function blockOf(el) { return el && el.closest ? el.closest("[data-block]") : null; }

  document.querySelectorAll("[data-block]").forEach(function (block) {
    block.tabIndex = 0;
  });
  document.querySelectorAll("[data-text]").forEach(function (el) {
    el.setAttribute("contenteditable", "plaintext-only");
    el.setAttribute("spellcheck", "true");
  });

  document.addEventListener("click", function (event) {
    if (event.target.closest("a, button, input, select, textarea, summary, label")) {
      if (!event.target.closest("[data-text]")) event.preventDefault();
      else if (event.target.closest("a")) event.preventDefault();
    }
    var block = blockOf(event.target);
    if (block) tell({kind: "select", id: block.getAttribute("data-block")});
  });
  document.addEventListener("submit", function (event) { event.preventDefault(); });

  document.addEventListener("keydown", function (event) {
    var block = blockOf(event.target);
    var mod = event.ctrlKey || event.metaKey;
    if (mod && (event.key === "z" || event.key === "Z" || event.key === "y")) {
      event.preventDefault();
      tell({kind: (event.key === "y" || event.shiftKey) ? "redo" : "undo"});
      return;
    }
    if (!block) return;
    var id = block.getAttribute("data-block");
    if (event.altKey && (event.key === "ArrowUp" || event.key === "ArrowDown")) {
      event.preventDefault();
      tell({kind: "move", id: id, step: event.key === "ArrowUp" ? -1 : 1});
    } else if (event.key === "Enter" && event.target === block) {
      event.preventDefault();
      tell({kind: "select", id: id, focus: true});
    } else if (event.key === "Enter" && event.target.hasAttribute("data-text") && event.target.tagName !== "P") {
      event.preventDefault();  // one-line texts stay on one line
    }
  });

  document.addEventListener("paste", function (event) {
    var el = event.target.closest && event.target.closest("[data-text]");
    if (!el) return;
    event.preventDefault();  // pasted HTML never arrives: only its text
    var text = (event.clipboardData || window.clipboardData).getData("text/plain");
    if (el.tagName !== "P") text = text.replace(/\s*\n\s*/g, " ");
    document.execCommand("insertText", false, text);
  });

  document.addEventListener("input", function (event) {
    var el = event.target.closest && event.target.closest("[data-text]");
    var block = blockOf(el);
    if (!el || !block) return;
    tell({kind: "text", id: block.getAttribute("data-block"), name: el.getAttribute("data-text"), value: el.innerText});
  });

  document.addEventListener("focusin", function (event) {
    var block = blockOf(event.target);
    if (block && event.target !== block) tell({kind: "select", id: block.getAttribute("data-block")});
  });

  tell({kind: "ready"});
})();
