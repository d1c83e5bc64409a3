/* Landform page editor, version 1: the outline, the side panel and the canvas (the page drawn by the hosted
   template in a frame). One draft (static/editor/draft-1.js) autosaves every change. Without this script
   the editor's plain forms still work (this script hides them). */
(function boot() {
  "use strict";
  var root = document.getElementById("page-editor");
  if (!root || root.getAttribute("data-ready")) return;
  // A boosted navigation (htmx) loads the two scripts in any order: wait for the draft's.
  if (!window.LandformDraft) { setTimeout(boot, 20); return; }
  root.setAttribute("data-ready", "1");
  var setup = JSON.parse(document.getElementById("editor-setup").textContent);
  var T = JSON.parse(document.getElementById("editor-text").textContent);
  var specs = setup.specs, langs = setup.languages;
  var state = {blocks: setup.blocks, theme: setup.theme, seo: setup.seo};
  var lang = setup.language, selected = null, errors = {}, problems = setup.problems, needsRender = false;
  var frame = document.getElementById("canvas");
  var outline = document.getElementById("outline");
  var panel = document.getElementById("panel-fields"), panelTitle = document.getElementById("panel-title");
  var publishForm = document.querySelector("form[action$='/publish']");
  var canvasUrl = "/app/pages/" + setup.page + "/canvas?lang=";

  function fmt(text, values) { return text.replace(/\{(\w+)\}/g, function (m, k) { return values[k]; }); }
  function h(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      var v = attrs[k];
      if (v === null || v === undefined || v === false) return;
      if (k === "text") node.textContent = v;
      else if (k.slice(0, 2) === "on") node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v === true ? "" : v);
    });
    (children || []).forEach(function (c) { if (c) node.appendChild(c); });
    return node;
  }
  function find(id) { for (var i = 0; i < state.blocks.length; i++) if (state.blocks[i].id === id) return i; return -1; }
  function block(id) { return state.blocks[find(id)]; }
  function other(code) { return langs.filter(function (l) { return l !== code; }); }
  function texts(b, code) { return (b.text && b.text[code]) || {}; }
  function missing(b) {
    return specs[b.type].texts.filter(function (t) {
      return !texts(b, lang)[t[0]] && other(lang).some(function (o) { return texts(b, o)[t[0]]; });
    });
  }
  function snippet(b) {
    var t = specs[b.type].texts.map(function (x) { return texts(b, lang)[x[0]]; }).filter(Boolean)[0] || "";
    return t.length > 48 ? t.slice(0, 47) + "…" : t;
  }
  function canvasDoc() { try { return frame.contentDocument; } catch (e) { return null; } }
  function inCanvas(id) { var d = canvasDoc(); return d ? d.querySelector('[data-block="' + id + '"]') : null; }

  var draft = new window.LandformDraft({
    url: "/app/pages/" + setup.page + "/draft", csrf: root.getAttribute("data-csrf"), revision: setup.revision,
    state: state, labels: T.status, status: document.getElementById("save-state"),
    body: function (s) { return {blocks: s.blocks, theme: s.theme, seo: s.seo}; },
    onAnswer: function (answer) {
      drawSettingErrors(answer.settings_errors || {});
      var before = JSON.stringify([errors, problems]);
      errors = answer.errors || {};
      problems = answer.problems || {};
      setPublishable(answer.publishable);
      if (JSON.stringify([errors, problems]) !== before) { drawOutline(); drawPanel(); }
      if (needsRender) { needsRender = false; reloadCanvas(); }
    },
    onConflict: showConflict,
    onChange: function (s) {
      state = s;
      if (selected && find(selected) < 0) selected = null;
      drawAll();
      drawSettings();
      if (draft.dirty()) needsRender = true; else reloadCanvas();
    }
  });

  function commit(key, structural) {
    document.getElementById("removed").hidden = true;
    draft.change(state, key);
    if (structural) needsRender = true;
    drawHistory();
  }
  function drawHistory() {
    root.querySelectorAll("[data-action=undo]").forEach(function (b) { b.disabled = !draft.canUndo(); });
    root.querySelector("[data-action=redo]").disabled = !draft.canRedo();
  }
  function setPublishable(flag) {
    if (publishForm) publishForm.querySelector("button").disabled = !flag;
  }

  /* The canvas */
  function reloadCanvas() {
    var win = frame.contentWindow, y = win ? win.scrollY : 0;
    frame.addEventListener("load", function restore() {
      frame.removeEventListener("load", restore);
      if (frame.contentWindow) frame.contentWindow.scrollTo(0, y);
    });
    frame.src = canvasUrl + lang;
  }
  function decorateCanvas() {
    var d = canvasDoc();
    if (!d) return;
    d.querySelectorAll("[data-block]").forEach(function (el) {
      var b = block(el.getAttribute("data-block"));
      if (!b) return;
      el.setAttribute("data-label", specs[b.type].label);
      el.setAttribute("aria-label", specs[b.type].label);
      el.classList.toggle("lf-selected", el.getAttribute("data-block") === selected);
    });
  }
  function orderCanvas() {
    var d = canvasDoc(), main = d && d.querySelector("main");
    if (!main) return;
    state.blocks.forEach(function (b) {
      var el = inCanvas(b.id);
      if (el && el.parentNode === main) main.appendChild(el);
    });
    main.querySelectorAll(":scope > [data-block]").forEach(function (el) {
      if (find(el.getAttribute("data-block")) < 0) el.remove();
    });
  }

  /* Changes */
  function setText(id, name, value, fromCanvas) {
    var b = block(id);
    if (!b) return;
    b.text = b.text || {};
    b.text[lang] = Object.assign({}, texts(b, lang));
    b.text[lang][name] = value;
    commit("text:" + id + ":" + lang + ":" + name, false);
    if (fromCanvas) {
      var field = document.getElementById("pf-" + name);
      if (field && selected === id) field.value = value;
    } else {
      var el = inCanvas(id);
      var target = el && el.querySelector('[data-text="' + name + '"]');
      if (target && value) target.textContent = value; else needsRender = true;
    }
    drawOutline();  // its snippet and missing-translation badge
  }
  function setData(id, name, value) {
    var b = block(id);
    b.data = Object.assign({}, b.data);
    b.data[name] = value;
    commit("data:" + id + ":" + name, true);
  }
  function moveTo(id, index) {
    var from = find(id);
    if (from < 0 || index < 0 || index >= state.blocks.length || index === from) return;
    var moved = state.blocks.splice(from, 1)[0];
    state.blocks.splice(index, 0, moved);
    commit(null, true);
    orderCanvas();
    drawOutline();
    T.moved && announce(fmt(T.moved, {block: specs[moved.type].label, place: index + 1}));
  }
  function move(id, step) { moveTo(id, find(id) + step); focusItem(id); }
  function uid() { return Math.random().toString(16).slice(2, 10); }
  function fresh(type) {
    var spec = specs[type], data = {}, text = {};
    spec.data.forEach(function (d) {
      var kind = d[1], choices = spec.choices[d[0]];
      data[d[0]] = kind === "consent" ? false : kind === "images" ? [] : kind === "choice" && choices ? choices[0][0] : "";
    });
    if (data.button_link !== undefined && (type === "hero" || type === "cta")) data.button_link = "#form";
    langs.forEach(function (l) { text[l] = {}; spec.texts.forEach(function (t) { text[l][t[0]] = ""; }); });
    return {id: uid(), type: type, data: data, text: text};
  }
  function add(type, index) {
    var b = fresh(type);
    state.blocks.splice(index, 0, b);
    commit(null, true);
    select(b.id);
    focusItem(b.id);
  }
  function duplicate(id) {
    var copy = JSON.parse(JSON.stringify(block(id)));
    copy.id = uid();
    state.blocks.splice(find(id) + 1, 0, copy);
    commit(null, true);
    select(copy.id);
    focusItem(copy.id);
  }
  function remove(id) {
    var b = block(id), index = find(id);
    state.blocks.splice(index, 1);
    if (selected === id) selected = null;
    commit(null, true);
    orderCanvas();
    drawAll();
    var toast = document.getElementById("removed");
    toast.querySelector("span").textContent = fmt(T.removed, {block: specs[b.type].label});
    toast.hidden = false;
    toast.querySelector("button").focus();
  }
  function announce(text) { document.getElementById("announce").textContent = text; }

  /* Selection */
  function select(id, focusPanel) {
    selected = id;
    drawOutline();
    drawPanel();
    decorateCanvas();
    var el = inCanvas(id);
    if (el && !focusPanel) el.scrollIntoView({block: "nearest"});
    if (focusPanel) {
      var first = panel.querySelector("input, textarea, select");
      if (first) first.focus();
    }
  }
  function focusItem(id) {
    var btn = outline.querySelector('[data-id="' + id + '"] .pick');
    if (btn) btn.focus();
  }

  /* The outline */
  var ICONS = {up: "M12 19V5M5 12l7-7 7 7", down: "M12 5v14M5 12l7 7 7-7", copy: "M8 8h11v11H8zM5 16V5h11", remove: "M6 6l12 12M18 6L6 18"};
  function tool(label, icon, action) {
    var svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    var path = document.createElementNS("http://www.w3.org/2000/svg", "path");
    path.setAttribute("d", ICONS[icon]);
    svg.appendChild(path);
    return h("button", {type: "button", "class": "button small icon", "aria-label": label, title: label, onclick: action}, [svg]);
  }
  function addHere(index) {
    var li = h("li", {"class": "add-here"});
    var open = h("button", {type: "button", "class": "add-toggle", text: "+ " + T.add_here, "aria-expanded": "false"});
    open.addEventListener("click", function () {
      var id = "add-type-" + index;
      var select = h("select", {id: id}, Object.keys(specs).map(function (k) { return h("option", {value: k, text: specs[k].label}); }));
      var form = h("div", {"class": "add-form"}, [
        h("label", {"for": id, text: T.block_type}), select,
        h("button", {type: "button", "class": "button small primary", text: T.add, onclick: function () { add(select.value, index); }}),
        h("button", {type: "button", "class": "button small", text: T.cancel, onclick: function () { drawOutline(); }})
      ]);
      li.replaceChildren(form);
      select.focus();
    });
    li.appendChild(open);
    return li;
  }
  var dragged = null;
  function drawOutline() {
    var active = document.activeElement, keep = null;
    if (active && outline.contains(active) && active.closest("[data-id]")) {
      var was = active.closest("[data-id]");
      keep = [was.getAttribute("data-id"), [].indexOf.call(was.querySelectorAll("button"), active)];
    }
    var items = [];
    state.blocks.forEach(function (b, i) {
      var spec = specs[b.type], gaps = missing(b), label = spec.label;
      if (i > 0) items.push(addHere(i));
      var li = h("li", {"class": "outline-item" + (b.id === selected ? " selected" : "") + (problems[b.id] || errors[b.id] ? " has-problem" : ""), "data-id": b.id, draggable: "true"}, [
        h("span", {"class": "grip", "aria-hidden": "true", text: "⠿"}),
        h("button", {type: "button", "class": "pick", "aria-current": b.id === selected ? "true" : null, onclick: function () { select(b.id); }}, [
          h("span", {"class": "pick-kind", text: label}),
          h("span", {"class": "pick-text", text: snippet(b) || T.empty}),
          gaps.length ? h("span", {"class": "badge warn", text: fmt(T.missing_badge, {lang: lang.toUpperCase()})}) : null
        ]),
        h("span", {"class": "tools"}, [
          i > 0 ? tool(fmt(T.move_up, {block: label}), "up", function () { move(b.id, -1); }) : null,
          i < state.blocks.length - 1 ? tool(fmt(T.move_down, {block: label}), "down", function () { move(b.id, 1); }) : null,
          tool(fmt(T.duplicate, {block: label}), "copy", function () { duplicate(b.id); }),
          tool(fmt(T.remove, {block: label}), "remove", function () { remove(b.id); })
        ])
      ]);
      li.addEventListener("keydown", function (e) {
        if (e.altKey && (e.key === "ArrowUp" || e.key === "ArrowDown")) { e.preventDefault(); move(b.id, e.key === "ArrowUp" ? -1 : 1); }
      });
      li.addEventListener("dragstart", function (e) { dragged = b.id; e.dataTransfer.effectAllowed = "move"; e.dataTransfer.setData("text/plain", b.id); li.classList.add("dragging"); });
      li.addEventListener("dragend", function () { dragged = null; li.classList.remove("dragging"); });
      li.addEventListener("dragover", function (e) {
        if (!dragged) return;
        e.preventDefault();
        var r = li.getBoundingClientRect(), after = e.clientY > r.top + r.height / 2;
        li.classList.toggle("drop-after", after);
        li.classList.toggle("drop-before", !after);
      });
      li.addEventListener("dragleave", function () { li.classList.remove("drop-before", "drop-after"); });
      li.addEventListener("drop", function (e) {
        e.preventDefault();
        var id = dragged || e.dataTransfer.getData("text/plain"), after = li.classList.contains("drop-after");
        li.classList.remove("drop-before", "drop-after");
        if (!id || id === b.id) return;
        var from = find(id), to = find(b.id) + (after ? 1 : 0);
        moveTo(id, from < to ? to - 1 : to);
      });
      items.push(li);
    });
    items.push(addHere(state.blocks.length && state.blocks[state.blocks.length - 1].type === "footer" ? state.blocks.length - 1 : state.blocks.length));
    outline.replaceChildren.apply(outline, items);
    var again = keep && outline.querySelector('[data-id="' + keep[0] + '"]');
    if (again) { var buttons = again.querySelectorAll("button"); (buttons[keep[1]] || buttons[0]).focus(); }
    decorateCanvas();
  }

  /* The side panel */
  function fieldError(b, key) { return (errors[b.id] || {})[key]; }
  function wrap(id, label, control, error, extra) {
    if (error) { control.setAttribute("aria-invalid", "true"); control.setAttribute("aria-describedby", id + "-error"); }
    return h("div", {"class": "field" + (error ? " has-error" : "")}, [h("label", {"for": id, text: label}), control, extra || null, error ? h("p", {"class": "error", id: id + "-error", text: error}) : null]);
  }
  function textField(b, t) {
    var name = t[0], id = "pf-" + name, value = texts(b, lang)[name] || "";
    var control = t[2] ? h("textarea", {id: id, rows: t[1] > 1000 ? 8 : 3, maxlength: t[1]}) : h("input", {id: id, type: "text", maxlength: t[1]});
    control.value = value;
    control.addEventListener("input", function () { setText(b.id, name, control.value, false); });
    var note = null, theirs = other(lang).map(function (o) { return [o, texts(b, o)[name]]; }).filter(function (x) { return x[1]; })[0];
    if (!value && theirs) note = h("p", {"class": "help missing-note", text: fmt(T.missing_note, {lang: T.languages[theirs[0]], text: theirs[1].length > 80 ? theirs[1].slice(0, 79) + "…" : theirs[1]})});
    if (name === "markdown") note = h("p", {"class": "help", text: T.markdown_help});
    return wrap(id, t[3], control, fieldError(b, lang + "_" + name), note);
  }
  function imageChoice(b, name, multiple, label) {
    var chosen = b.data[name], group = "pf-" + name;
    var choices = (multiple ? [] : [h("label", {"class": "image-choice none"}, [h("input", {type: "radio", name: group, value: "", checked: !chosen}), h("span", {text: T.no_image})])])
      .concat(setup.images.map(function (img) {
        var on = multiple ? (chosen || []).indexOf(img[0]) >= 0 : chosen === img[0];
        return h("label", {"class": "image-choice"}, [
          h("input", {type: multiple ? "checkbox" : "radio", name: group, value: img[0], checked: on}),
          h("img", {src: img[3], alt: "", width: img[1], height: img[2], loading: "lazy"}),
          h("span", {text: img[1] + " × " + img[2]})
        ]);
      }));
    var box = h("div", {"class": "image-choices"}, choices);
    box.addEventListener("change", function () {
      var picked = [].slice.call(box.querySelectorAll("input:checked")).map(function (i) { return i.value; });
      // Several images keep the order they were ticked in (logos are shown in it).
      var kept = multiple ? (b.data[name] || []).filter(function (id) { return picked.indexOf(id) >= 0; }) : [];
      picked.forEach(function (id) { if (kept.indexOf(id) < 0) kept.push(id); });
      setData(b.id, name, multiple ? kept : (picked[0] || ""));
    });
    var upload = h("input", {id: group + "-upload", type: "file", accept: "image/png,image/jpeg,image/webp,image/gif"});
    var status = h("p", {"class": "help", role: "status"});
    upload.addEventListener("change", function () {
      if (!upload.files.length) return;
      var body = new FormData();
      body.append("image", upload.files[0]);
      status.textContent = T.uploading;
      fetch("/app/pages/" + setup.page + "/images", {method: "POST", body: body, credentials: "same-origin", headers: {"x-csrftoken": root.getAttribute("data-csrf")}})
        .then(function (r) { return r.json().then(function (a) { return [r.status, a]; }); })
        .then(function (res) {
          if (res[0] !== 201) { status.textContent = (res[1].errors || {}).image || T.status.failed; return; }
          setup.images.push([res[1].id, res[1].width, res[1].height, res[1].url]);
          setData(b.id, name, multiple ? (b.data[name] || []).concat([res[1].id]) : res[1].id);
          drawPanel();
        }, function () { status.textContent = T.status.offline; });
    });
    var error = fieldError(b, name);
    return h("fieldset", {"class": "image-field" + (error ? " has-error" : "")}, [
      h("legend", {text: label}), box,
      h("div", {"class": "field"}, [h("label", {"for": group + "-upload", text: T.upload}), upload, status]),
      error ? h("p", {"class": "error", text: error}) : null
    ]);
  }
  function dataField(b, d) {
    var name = d[0], kind = d[1], id = "pf-" + name, value = b.data[name], control, error = fieldError(b, name);
    if (kind === "image" || kind === "images") return imageChoice(b, name, kind === "images", d[2]);
    if (kind === "consent") {
      control = h("input", {type: "checkbox", id: id, checked: !!value});
      control.addEventListener("change", function () { setData(b.id, name, control.checked); });
      return h("div", {"class": "field check consent"}, [control, h("label", {"for": id, text: d[2]})]);
    }
    if (kind === "form" || kind === "choice") {
      var options = kind === "form" ? [["", T.choose_form]].concat(setup.forms) : (specs[b.type].choices[name] || []);
      control = h("select", {id: id}, options.map(function (o) { return h("option", {value: o[0], text: o[1], selected: o[0] === value}); }));
      control.addEventListener("change", function () { setData(b.id, name, control.value); });
      return wrap(id, d[2], control, error);
    }
    control = h("input", {id: id, type: kind === "video" ? "url" : "text", maxlength: kind === "name" ? 120 : 2000});
    control.value = value || "";
    control.addEventListener("input", function () { setData(b.id, name, control.value); });
    return wrap(id, d[2], control, error, kind === "link" ? h("p", {"class": "help", text: T.link_help}) : null);
  }
  function drawPanel() {
    var b = selected && block(selected);
    var active = document.activeElement, focused = active && panel.contains(active) ? active.id : null;
    var range = focused && typeof active.selectionStart === "number" ? [active.selectionStart, active.selectionEnd] : null;
    if (!b) {
      panelTitle.textContent = T.panel;
      panel.replaceChildren(h("p", {"class": "help", text: T.select_prompt}));
      return;
    }
    var spec = specs[b.type];
    panelTitle.textContent = spec.label;
    var parts = [h("p", {"class": "help", text: fmt(T.editing_in, {lang: T.languages[lang]})})];
    if (problems[b.id]) parts.push(h("p", {"class": "alert alert-error", text: problems[b.id]}));
    spec.texts.forEach(function (t) { parts.push(textField(b, t)); });
    spec.data.forEach(function (d) { parts.push(dataField(b, d)); });
    panel.replaceChildren.apply(panel, parts);
    var again = focused && document.getElementById(focused);
    if (again) {
      again.focus();
      if (range && typeof again.setSelectionRange === "function") again.setSelectionRange(range[0], range[1]);
    }
  }
  function drawAll() { drawOutline(); drawPanel(); drawHistory(); }

  /* Conflicts */
  var conflict = document.getElementById("conflict"), pending = null;
  function showConflict(answer) {
    pending = answer;
    document.getElementById("conflict-text").textContent = fmt(T.conflict_text, {who: answer.saved_by, when: answer.saved_at});
    conflict.hidden = false;
    conflict.querySelector("button").focus();
  }
  root.addEventListener("click", function (e) {
    var action = e.target.closest("[data-action]");
    if (!action) return;
    var what = action.getAttribute("data-action");
    if (what === "undo") { draft.undo(); document.getElementById("removed").hidden = true; }
    else if (what === "redo") draft.redo();
    else if (what === "settings") { document.getElementById("page-settings").open = true; }
    else if (what === "keep-mine" && pending) { conflict.hidden = true; needsRender = true; draft.overwrite(pending.revision); }
    else if (what === "take-theirs" && pending) { conflict.hidden = true; draft.adopt(theirs(pending), pending.revision); }
    drawHistory();
  });

  /* The page settings the draft autosaves (theme, titles, search descriptions); the rest keeps its buttons. */
  var settingForms = [document.getElementById("settings-form"), document.getElementById("theme-form")];
  var settingFields = [], applying = false;
  Object.keys(setup.theme).forEach(function (name) {
    settingFields.push({name: name, part: "theme", form: settingForms[1], key: name});
  });
  Object.keys(setup.seo).forEach(function (code) {
    Object.keys(setup.seo[code]).forEach(function (name) {
      settingFields.push({name: code + "_" + name, part: "seo", form: settingForms[0], lang: code, key: name});
    });
  });
  settingFields = settingFields.filter(function (f) { return f.form && (f.el = f.form.elements[f.name]); });
  function settingValue(s, f) { return f.lang ? s.seo[f.lang][f.key] : s.theme[f.key]; }
  function theirs(answer) {
    var s = {blocks: answer.blocks, theme: {}, seo: {}};
    Object.keys(setup.theme).forEach(function (n) { s.theme[n] = (answer.theme || {})[n] || ""; });
    Object.keys(setup.seo).forEach(function (code) {
      s.seo[code] = {};
      Object.keys(setup.seo[code]).forEach(function (n) { s.seo[code][n] = ((answer.seo || {})[code] || {})[n] || ""; });
    });
    return s;
  }
  function readSettings(e) {
    if (applying || e.target.type === "file") return;
    var changed = null;
    settingFields.forEach(function (f) {
      if (settingValue(state, f) === f.el.value) return;
      if (f.lang) state.seo[f.lang][f.key] = f.el.value; else state.theme[f.key] = f.el.value;
      changed = f.name;
    });
    if (changed) commit("setting:" + changed, true);
  }
  function drawSettings() {
    applying = true;
    settingFields.forEach(function (f) {
      if (f.el.value === settingValue(state, f)) return;
      f.el.value = settingValue(state, f);
      f.el.dispatchEvent(new Event(f.el.tagName === "SELECT" ? "change" : "input", {bubbles: true}));
    });
    applying = false;
  }
  function drawSettingErrors(found) {
    settingFields.forEach(function (f) {
      var box = f.el.closest(".field"), old = box.querySelector(".error");
      if (old) old.remove();
      var id = "e-" + f.name, described = (f.el.getAttribute("aria-describedby") || "").split(" ").filter(function (x) { return x && x !== id; });
      box.classList.toggle("has-error", !!found[f.name]);
      if (found[f.name]) {
        var p = document.createElement("p");
        p.className = "error";
        p.id = id;
        p.textContent = found[f.name];
        box.appendChild(p);
        described.push(id);
        f.el.setAttribute("aria-invalid", "true");
      } else f.el.removeAttribute("aria-invalid");
      if (described.length) f.el.setAttribute("aria-describedby", described.join(" ")); else f.el.removeAttribute("aria-describedby");
    });
  }
  settingForms.forEach(function (form) {
    if (!form) return;
    form.addEventListener("input", readSettings);
    form.addEventListener("change", readSettings);
  });
  var mirror = document.getElementById("settings-save-state"), say = draft.say;
  draft.say = function (text, kind) {
    say.call(draft, text, kind);
    mirror.textContent = text;
    mirror.setAttribute("data-state", kind);
  };
  document.getElementById("autosave-note").hidden = false;

  /* Language and width */
  function setLang(code) {
    lang = code;
    root.querySelectorAll("[data-lang]").forEach(function (b) { b.setAttribute("aria-pressed", String(b.getAttribute("data-lang") === code)); });
    frame.src = canvasUrl + code;
    drawAll();
  }
  root.querySelectorAll("[data-lang]").forEach(function (b) { b.addEventListener("click", function () { setLang(b.getAttribute("data-lang")); }); });
  /* The page at a phone's, a tablet's or a laptop's width; scaled down when the editor is narrower. */
  var wrapEl = frame.parentNode, width = 1280;
  function fit() {
    // On a phone the toggle is hidden (builder.css): the page is shown as phones show it.
    var shown = window.innerWidth < 800 ? 390 : width;
    var room = wrapEl.clientWidth, scale = Math.min(1, room / shown);
    wrapEl.classList.toggle("scaled", scale < 1);
    frame.style.width = shown + "px";
    frame.style.transform = scale < 1 ? "scale(" + scale + ")" : "";
    frame.style.height = scale < 1 ? (wrapEl.clientHeight / scale) + "px" : "";
  }
  root.querySelectorAll("[data-width]").forEach(function (b) {
    b.addEventListener("click", function () {
      width = Number(b.getAttribute("data-width"));
      root.querySelectorAll("[data-width]").forEach(function (x) { x.setAttribute("aria-pressed", String(x === b)); });
      fit();
    });
  });
  if (window.ResizeObserver) new ResizeObserver(fit).observe(wrapEl);

  /* Messages from the canvas */
  window.addEventListener("message", function (e) {
    var m = e.data;
    if (e.origin !== location.origin || e.source !== frame.contentWindow || !m || !m.lf) return;
    if (m.kind === "ready") decorateCanvas();
    else if (m.kind === "select" && selected !== m.id) select(m.id, m.focus);
    else if (m.kind === "select" && m.focus) select(m.id, true);
    else if (m.kind === "text") setText(m.id, m.name, m.value, true);
    else if (m.kind === "move") { move(m.id, m.step); var el = inCanvas(m.id); if (el) el.focus(); }
    else if (m.kind === "undo") draft.undo();
    else if (m.kind === "redo") draft.redo();
  });
  document.addEventListener("keydown", function (e) {
    if (!(e.ctrlKey || e.metaKey) || !root.contains(e.target)) return;
    if (e.key === "z" || e.key === "Z") { e.preventDefault(); if (e.shiftKey) draft.redo(); else draft.undo(); }
    else if (e.key === "y") { e.preventDefault(); draft.redo(); }
  });
  /* Publish (or save a setting) with what is on screen: the draft is saved first, then the form goes. */
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!draft.dirty() || root.contains(form) || draft.conflict || form.getAttribute("data-saved-first")) return;
    e.preventDefault();
    e.stopImmediatePropagation();
    form.setAttribute("data-saved-first", "1");  // once: offline, the browser's own leave-page question stays
    draft.saveNow().then(function () { form.requestSubmit(e.submitter || undefined); });
  }, true);

  /* The problems listed above the editor point at blocks: select them here. */
  document.addEventListener("click", function (e) {
    var link = e.target.closest && e.target.closest('a[href^="#block-"]');
    if (!link || find(link.getAttribute("href").slice(7)) < 0) return;
    e.preventDefault();
    select(link.getAttribute("href").slice(7), true);
  });

  root.hidden = false;
  var opened = new URLSearchParams(location.search).get("open");
  if (opened && document.getElementById(opened) && !location.hash) document.getElementById(opened).scrollIntoView();
  document.getElementById("blocks-classic").hidden = true;
  setPublishable(setup.publishable);
  setLang(lang);
})();
