/* The form builder, version 1 (no build step): the side panel edits the draft as the marketer works,
   the canvas shows it as visitors will see it (drawn by the server with the hosted form's template),
   autosave with a revision check (a second tab is told before it overwrites), undo and redo.
   The builder works without it: templates/forms/_builder.html posts plain forms. */
(() => {
  const root = document.querySelector('[data-form-builder]');
  if (!root || root.dataset.ready) return;
  root.dataset.ready = '1';
  const T = JSON.parse(root.querySelector('[data-builder-texts]').textContent);
  const ORDER = { types: T.types.map(p => p[0]), targets: T.targets.map(p => p[0]) };
  for (const list of ['types', 'targets', 'sources']) T[list] = Object.fromEntries(T[list]);
  const LANGS = Object.keys(T.languages);
  const csrf = (document.querySelector('input[name="_csrf_token"]') || {}).value || '';
  const fmt = (text, values) => text.replace(/%\((\w+)\)[sd]/g, (_m, k) => String(values[k] ?? ''));
  const $ = (selector, scope = root) => scope.querySelector(selector);
  const h = (tag, attrs = {}, ...children) => {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (v === false || v == null) continue;
      if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v === true ? '' : v);
    }
    node.append(...children.filter(c => c != null && c !== false));
    return node;
  };
  const CHECKS = ['checkbox', 'consent'];
  const OPTIONS = ['select', 'radio'];
  const ALWAYS_ASKED = ['email', 'consent', 'date_of_birth', 'hidden'];
  const headers = { 'content-type': 'application/json', accept: 'application/json', 'x-csrftoken': csrf };

  const bar = $('[data-builder-bar]');
  const panel = $('[data-builder-panel]');
  const outline = $('[data-outline]');
  const frame = $('[data-canvas]');
  const stateLine = $('[data-save-state]');
  const undoButton = $('[data-undo]');
  const redoButton = $('[data-redo]');
  const conflictBox = $('[data-conflict]');
  const publishForm = document.querySelector('[data-publish-form]');
  const announcer = h('p', { class: 'visually-hidden', 'aria-live': 'polite' });
  panel.append(announcer);

  let state = null; // {fields, submit_label}: the draft as the marketer sees it, a working copy
  let draft = null; // draft-1.js (shared with the page editor): history, autosave, the revision check
  let lang = LANGS.includes(document.documentElement.lang) ? document.documentElement.lang : LANGS[0];
  let selected = null;
  let errors = {};
  let counter = 0;
  const names = {}; // machine names the server gave new fields, by their key here

  const say = text => { announcer.textContent = ''; setTimeout(() => { announcer.textContent = text; }, 30); };
  const textOf = (f, part, code = lang) => ((f[part] || {})[code] || '').trim();
  const anyText = (f, part) => LANGS.map(c => textOf(f, part, c)).find(Boolean) || '';
  const title = f => (f.type === 'hidden' ? `${T.hidden}: ${f.param || T.sources[f.source] || f.source}`
    : f.type === 'step' ? `${T.step}: ${textOf(f, 'label') || anyText(f, 'label')}`
      : textOf(f, 'label') || anyText(f, 'label') || T.types[f.type]);
  const missing = f => (f.type === 'hidden' ? [] : LANGS.filter(c => ['label', 'help', 'placeholder'].some(p => anyText(f, p) && !textOf(f, p, c))));
  const find = key => state.fields.findIndex(f => f.key === key);
  // Conditional logic and steps: editor/form-rules-1.js.
  const rules = window.LandformRules({ h, T, state: () => state, names, change: (...a) => change(...a), title });

  // A change: made to the working copy, handed to the draft (typing in one box is one step until a pause).
  const change = (mutate, group = null, { panelToo = true } = {}) => {
    mutate();
    draft.change(state, group);
    if (panelToo) renderPanel();
    else { renderHistory(); refreshItem(selected); }
    redraw();
  };
  // Undo, redo, or theirs adopted after a conflict: draw that state.
  const restore = next => {
    state = next;
    if (selected && selected !== '_submit' && find(selected) < 0) selected = null;
    const focused = document.activeElement && document.activeElement.id;
    renderPanel();
    if (focused && document.getElementById(focused)) document.getElementById(focused).focus();
    highlight();
    redraw();
  };
  const undo = () => draft.undo();
  const redo = () => draft.redo();
  const answered = answer => {
    for (const [key, name] of Object.entries(answer.renamed || {})) names[key] = name;
    if (answer.purposes) T.purposes = answer.purposes;
    for (const [key, id] of Object.entries(answer.new_purposes || {})) {
      const f = state.fields.find(x => x.key === key || x.name === key);
      if (f) { f.purpose_id = id; delete f.new_purpose; }
    }
    if (answer.new_purposes) renderPanel();
    errors = answer.errors || {};
    if ('can_publish' in answer) setPublish(answer.can_publish);
    renderErrors();
  };
  const saving = () => Boolean(draft && draft.dirty());
  const flush = async () => {
    for (let tries = 0; tries < 50 && draft.dirty() && !draft.conflict; tries += 1) {
      await draft.saveNow();
      await new Promise(done => setTimeout(done, 100));
    }
  };

  const showConflict = answer => {
    $('[data-conflict-text]').textContent = fmt(T.conflict, { who: answer.saved_by || T.someone, when: answer.saved_at || '' });
    conflictBox.hidden = false;
    conflictBox.theirs = answer;
    $('[data-conflict-keep]').focus();
  };
  $('[data-conflict-keep]').addEventListener('click', () => {
    conflictBox.hidden = true;
    draft.overwrite(conflictBox.theirs.revision);
  });
  $('[data-conflict-reload]').addEventListener('click', () => {
    // Theirs, drawn; the marketer's own version stays one undo away.
    const theirs = conflictBox.theirs;
    conflictBox.hidden = true;
    setPublish(theirs.can_publish);
    draft.adopt({ fields: theirs.fields, submit_label: theirs.submit_label }, theirs.revision);
  });

  const setPublish = can => {
    const button = document.querySelector('[data-publish]');
    if (button) button.disabled = !can;
    const badge = document.querySelector('[data-unpublished]');
    if (badge) badge.hidden = !can;
  };

  // The canvas: the server draws the draft with the visitor's template; clicking a field selects it.
  const canvas = () => { try { return frame.contentDocument; } catch { return null; } };
  const fit = () => {
    const doc = canvas();
    if (doc && doc.documentElement) frame.style.height = `${doc.documentElement.scrollHeight}px`;
  };
  const highlight = () => {
    const doc = canvas();
    if (!doc) return;
    for (const node of doc.querySelectorAll('[data-field]')) {
      if (node.dataset.field === selected) node.setAttribute('data-selected', '');
      else node.removeAttribute('data-selected');
      node.draggable = node.dataset.field !== '_submit';
    }
  };
  let dragged = null; // the key of the field being dragged, in the canvas or the outline
  const wireCanvas = () => {
    const doc = canvas();
    if (!doc || !doc.body || doc.body.dataset.wired) return;
    doc.body.dataset.wired = '1';
    const fieldOf = event => event.target.closest && event.target.closest('[data-field]');
    doc.addEventListener('click', event => {
      const node = fieldOf(event);
      if (!node) return;
      event.preventDefault();
      select(node.dataset.field, { focus: true });
    }, true);
    doc.addEventListener('focusin', event => {
      const node = fieldOf(event);
      if (node && node.dataset.field !== selected) select(node.dataset.field);
    });
    doc.addEventListener('submit', event => event.preventDefault(), true);
    // Drag a field in the canvas to move it; the outline beside it does the same, and by keyboard.
    const dropAt = event => {
      const node = fieldOf(event);
      if (!node) return -1;
      if (node.dataset.field === '_submit') return state.fields.length;
      const box = node.getBoundingClientRect();
      const at = find(node.dataset.field);
      return event.clientY < box.top + box.height / 2 ? at : at + 1;
    };
    const unmark = () => { for (const node of doc.querySelectorAll('[data-drop-before]')) node.removeAttribute('data-drop-before'); };
    doc.addEventListener('dragstart', event => {
      const node = fieldOf(event);
      if (!node || node.dataset.field === '_submit') return;
      dragged = node.dataset.field;
      event.dataTransfer.effectAllowed = 'move';
      event.dataTransfer.setData('text/plain', dragged);
    });
    doc.addEventListener('dragover', event => {
      if (!dragged) return;
      event.preventDefault();
      const at = dropAt(event);
      unmark();
      const before = [...doc.querySelectorAll('[data-field]')].find(node => (node.dataset.field === '_submit' ? state.fields.length : find(node.dataset.field)) === at);
      if (before) before.setAttribute('data-drop-before', '');
    });
    doc.addEventListener('drop', event => {
      if (!dragged) return;
      event.preventDefault();
      unmark();
      const at = dropAt(event);
      const from = find(dragged);
      if (at >= 0 && from >= 0) move(dragged, at > from ? at - 1 : at, 'drag');
    });
    doc.addEventListener('dragend', () => { dragged = null; unmark(); });
    highlight();
    fit();
  };
  frame.addEventListener('load', () => { wireCanvas(); if (state) redraw(); });
  let drawn = 0;
  let drawTimer = null;
  const redraw = () => { clearTimeout(drawTimer); drawTimer = setTimeout(draw, 40); };
  const draw = async () => {
    const ticket = ++drawn;
    const body = JSON.stringify({ fields: state.fields, submit_label: state.submit_label, language: lang });
    const response = await fetch(root.dataset.canvasUrl, { method: 'POST', headers: { ...headers, accept: 'text/html' }, body }).catch(() => null);
    if (!response || !response.ok || ticket !== drawn) return;
    const html = await response.text();
    const doc = canvas();
    const old = doc && doc.querySelector('form.lf-form');
    if (!old || ticket !== drawn) return;
    const template = doc.createElement('template');
    template.innerHTML = html;
    const form = template.content.querySelector('form.lf-form');
    if (!form) return;
    old.replaceWith(form);
    doc.documentElement.lang = lang;
    highlight();
    fit();
  };

  // The side panel.
  const select = (key, { focus = false } = {}) => {
    selected = key;
    renderPanel();
    highlight();
    if (key === '_submit') {
      const input = $('#fe-submit');
      if (focus && input) { input.focus(); input.select(); }
      return;
    }
    const field = key && state.fields[find(key)];
    if (!field) return;
    say(fmt(T.selected, { label: title(field) }));
    const editor = $('#field-editor');
    if (focus && editor) {
      const first = editor.querySelector('input, textarea, select, button');
      if (first) first.focus({ preventScroll: true });
      editor.scrollIntoView({ block: 'nearest' });
    }
  };
  const move = (key, to, how = 'button') => {
    const from = find(key);
    if (from < 0 || to < 0 || to >= state.fields.length || to === from) return;
    change(() => state.fields.splice(to, 0, ...state.fields.splice(from, 1)));
    const item = outline.querySelector(`li[data-key="${CSS.escape(key)}"]`);
    const again = how === 'button' && item && item.querySelector(`[data-move="${to < from ? 'up' : 'down'}"]:not(:disabled)`);
    (again || (item && item.querySelector('.outline-select')) || outline).focus();
    say(fmt(T.moved, { label: title(state.fields[to]), n: to + 1, total: state.fields.length }));
  };
  const newKey = () => `new-${Date.now().toString(36)}-${++counter}`;
  const newField = type => {
    const f = { key: newKey(), name: '', type, required: false, label: { [lang]: T.types[type] }, help: {}, placeholder: {}, options: [] };
    if (type === 'hidden') {
      const taken = new Set(state.fields.map(x => x.source));
      f.source = Object.keys(T.sources).find(s => !taken.has(s)) || Object.keys(T.sources)[0];
      f.label = {};
    }
    if (type === 'step') f.label = {};
    if (OPTIONS.includes(type)) f.options = [1, 2].map(n => ({ value: '', label: { [lang]: fmt(T.option, { n }) } }));
    if (type === 'file') Object.assign(f, { accept: T.file_kinds.map(([code]) => code), max_mb: 5, max_files: 1 });
    return f;
  };
  const add = (type, at) => {
    const f = newField(type);
    change(() => state.fields.splice(at, 0, f));
    select(f.key, { focus: true });
    const input = $('#fe-label');
    if (input) input.select();
  };
  const duplicate = key => {
    const at = find(key);
    const copy = { ...JSON.parse(JSON.stringify(state.fields[at])), key: newKey(), name: '' };
    change(() => state.fields.splice(at + 1, 0, copy));
    select(copy.key, { focus: true });
  };
  const remove = key => {
    const at = find(key);
    const gone = state.fields[at];
    selected = null;
    change(() => { rules.dropRulesOn(gone); state.fields.splice(at, 1); });
    const note = h('p', { class: 'removed-note', 'data-removed-note': '' }, fmt(T.removed, { label: title(gone) }), ' ',
      h('button', { type: 'button', class: 'button', onclick: () => { note.remove(); undo(); select(gone.key, { focus: true }); } }, T.undo));
    outline.before(note);
    note.querySelector('button').focus();
  };

  const typeChooser = (id, labelText, onAdd) => {
    const choice = h('select', { id }, ...ORDER.types.map(code => h('option', { value: code }, T.types[code])));
    return h('div', { class: 'add-here' },
      h('label', { for: id }, labelText),
      h('div', { class: 'add-row' }, choice, h('button', { type: 'button', class: 'button', onclick: () => onAdd(choice.value) }, T.add)));
  };
  const textBox = (f, part, multiline = false) => {
    const id = `fe-${part}`;
    const other = LANGS.find(c => c !== lang);
    const gap = () => !textOf(f, part) && Boolean(textOf(f, part, other));
    const note = h('p', { class: 'help missing', id: `${id}-missing` }, fmt(T.missing, { language: T.languages[lang], other: T.languages[other] }));
    const wrap = h('div', { class: 'field' });
    const show = () => { note.hidden = !gap(); wrap.classList.toggle('has-gap', gap()); };
    const attrs = { id, lang, placeholder: textOf(f, part, other) || null, 'aria-describedby': `${id}-missing`,
      oninput: event => { change(() => { f[part] = { ...(f[part] || {}), [lang]: event.target.value }; }, `${f.key}:${part}:${lang}`, { panelToo: false }); show(); } };
    const input = multiline ? h('textarea', { ...attrs, rows: 2 }) : h('input', { ...attrs, maxlength: part === 'placeholder' ? 100 : 300 });
    input.value = (f[part] || {})[lang] || '';
    wrap.append(h('label', { for: id }, `${T[part]} (${T.languages[lang]})`), input, note);
    show();
    return wrap;
  };
  const checkBox = (f, prop, text) => h('div', { class: 'field check' },
    h('input', { type: 'checkbox', id: `fe-${prop}`, checked: Boolean(f[prop]), onchange: event => change(() => { f[prop] = event.target.checked; }) }),
    h('label', { for: `fe-${prop}` }, text));
  const editor = f => {
    const box = h('div', { class: 'field-editor', id: 'field-editor' });
    if (errors[f.key]) box.append(h('p', { class: 'error', id: 'fe-error' }, errors[f.key]));
    if (f.type === 'hidden') {
      box.append(hiddenSource(f));
    } else if (f.type === 'step') {
      box.append(textBox(f, 'label'), rules.box(f, 'show_if'), rules.box(f, 'skip_to'));
    } else {
      box.append(textBox(f, 'label', CHECKS.includes(f.type)), textBox(f, 'help'));
      if (!CHECKS.includes(f.type) && f.type !== 'radio') box.append(textBox(f, 'placeholder'));
      if (OPTIONS.includes(f.type)) {
        const area = h('textarea', { id: 'fe-options', lang, rows: Math.max(3, f.options.length + 1),
          oninput: event => change(() => {
            const lines = event.target.value.split('\n');
            f.options = lines.map((line, i) => ({ value: (f.options[i] || {}).value || '', label: { ...((f.options[i] || {}).label || {}), [lang]: line } }))
              .filter(o => LANGS.some(c => (o.label[c] || '').trim()));
          }, `${f.key}:options:${lang}`, { panelToo: false }) });
        area.value = f.options.map(o => o.label[lang] || '').join('\n');
        box.append(h('div', { class: 'field' }, h('label', { for: 'fe-options' }, `${T.options} (${T.languages[lang]})`), area));
      }
      if (f.type === 'text') {
        const target = h('select', { id: 'fe-maps_to', onchange: event => change(() => { f.maps_to = event.target.value; }) },
          ...ORDER.targets.map(code => h('option', { value: code, selected: (f.maps_to || '') === code }, T.targets[code])));
        box.append(h('div', { class: 'field' }, h('label', { for: 'fe-maps_to' }, T.maps_to), target));
      }
      if (f.type === 'consent') {
        // Every consent box names its purpose: one of the tenant's, or a new one named here (created on save).
        const purpose = h('select', { id: 'fe-purpose', onchange: event => change(() => {
          const chosen = T.purposes.find(p => p.id === event.target.value);
          f.purpose_id = event.target.value;
          if (chosen) f.label = { ...chosen.text };
        }) }, h('option', { value: '' }, T.no_purpose),
        ...T.purposes.map(p => h('option', { value: p.id, selected: f.purpose_id === p.id }, `${p.name} (v${p.version})`)),
        h('option', { value: 'new', selected: f.purpose_id === 'new' }, T.new_purpose));
        box.append(h('div', { class: 'field' }, h('label', { for: 'fe-purpose' }, T.purpose), purpose));
        if (f.purpose_id === 'new') {
          // Sent when the name is complete (change, not input): each save with a name creates a purpose.
          const name = h('input', { id: 'fe-new-purpose', maxlength: 120, value: f.new_purpose || '',
            onchange: event => change(() => { f.new_purpose = event.target.value; }) });
          box.append(h('div', { class: 'field' }, h('label', { for: 'fe-new-purpose' }, T.new_purpose_name), name));
        }
      }
      if (f.type === 'file') {
        for (const [code, name] of T.file_kinds) {
          box.append(h('div', { class: 'field check' },
            h('input', { type: 'checkbox', id: `fe-accept-${code}`, checked: (f.accept || []).includes(code),
              onchange: event => change(() => {
                f.accept = T.file_kinds.map(([c]) => c).filter(c => (c === code ? event.target.checked : (f.accept || []).includes(c)));
              }) }),
            h('label', { for: `fe-accept-${code}` }, name)));
        }
        for (const [prop, text, most] of [['max_mb', T.max_mb, 10], ['max_files', T.max_files, 5]]) {
          box.append(h('div', { class: 'field' }, h('label', { for: `fe-${prop}` }, text),
            h('input', { id: `fe-${prop}`, type: 'number', min: 1, max: most, value: f[prop] || 1,
              onchange: event => change(() => { f[prop] = event.target.value; }) })));
        }
      }
      box.append(checkBox(f, 'required', T.required));
      if (!ALWAYS_ASKED.includes(f.type)) box.append(checkBox(f, 'progressive', T.progressive));
      box.append(rules.box(f, 'show_if'));
    }
    // Before it goes: which rules use its answer (removing it removes those rules too).
    const users = rules.usedBy(f);
    if (users.length) box.append(h('p', { class: 'help warn', id: 'fe-used-by' }, fmt(T.logic.used_by, { names: users.map(title).join(', ') })));
    box.append(h('div', { class: 'editor-actions' },
      ['hidden', 'step'].includes(f.type) ? null : h('button', { type: 'button', class: 'button', onclick: () => duplicate(f.key) }, T.duplicate),
      h('button', { type: 'button', class: 'button danger', 'aria-describedby': users.length ? 'fe-used-by' : null, onclick: () => remove(f.key) },
        users.length ? T.logic.remove_anyway : T.remove)));
    box.append(typeChooser('fe-add-type', T.add_here, type => add(type, find(f.key) + 1)));
    markInvalid(box);
    return box;
  };
  // A hidden field: what it carries; a parameter of the page address is named, and may wait for consent.
  const hiddenSource = f => {
    const wrap = h('div', {});
    const source = h('select', { id: 'fe-source', onchange: e => change(() => { f.source = e.target.value; }) },
      ...Object.keys(T.sources).map(code => h('option', { value: code, selected: f.source === code }, T.sources[code])));
    wrap.append(h('div', { class: 'field' }, h('label', { for: 'fe-source' }, T.carries), source));
    if (f.source !== 'url_param') return wrap;
    const param = h('input', { id: 'fe-param', maxlength: 40, spellcheck: 'false', 'aria-describedby': 'fe-param-help',
      oninput: e => change(() => { f.param = e.target.value.trim(); }, `${f.key}:param`, { panelToo: false }) });
    param.value = f.param || '';
    const boxes = state.fields.filter(x => x.type === 'consent' && (x.name || names[x.key]));
    const consent = h('select', { id: 'fe-consent-field', onchange: e => change(() => { f.consent_field = e.target.value; }) },
      h('option', { value: '' }, T.logic.no_consent_field),
      ...boxes.map(x => h('option', { value: x.name || names[x.key], selected: f.consent_field === (x.name || names[x.key]) }, title(x))));
    wrap.append(h('div', { class: 'field' }, h('label', { for: 'fe-param' }, T.logic.param), param, h('p', { class: 'help', id: 'fe-param-help' }, T.logic.param_help)),
      h('div', { class: 'field' }, h('label', { for: 'fe-consent-field' }, T.logic.consent_field), consent));
    return wrap;
  };
  const icon = (glyph, text, onclick, disabled, direction) => h('button', { type: 'button', class: 'icon', 'aria-label': text, title: text, disabled, 'data-move': direction, onclick }, glyph);
  const item = (f, i) => {
    const open = f.key === selected;
    const badges = missing(f).map(code => h('span', { class: 'badge warn' }, fmt(T.missing_short, { code: code.toUpperCase() })));
    const li = h('li', { class: `outline-item${open ? ' selected' : ''}${errors[f.key] ? ' has-problem' : ''}`, 'data-key': f.key, 'data-step': f.type === 'step', draggable: 'true' },
      h('span', { class: 'drag-handle', 'aria-hidden': 'true' }, '⠿'),
      h('button', { type: 'button', class: 'outline-select', 'aria-expanded': String(open), 'aria-controls': open ? 'field-editor' : null,
        onclick: () => select(open ? null : f.key, { focus: !open }) },
      h('span', { class: 'outline-label' }, title(f)), ' ', h('span', { class: 'outline-type' }, T.types[f.type]), ...badges),
      h('span', { class: 'outline-tools' },
        icon('↑', `${T.move_up}: ${title(f)}`, () => move(f.key, i - 1), i === 0, 'up'),
        icon('↓', `${T.move_down}: ${title(f)}`, () => move(f.key, i + 1), i === state.fields.length - 1, 'down')));
    if (open) li.append(editor(f));
    return li;
  };
  const refreshItem = key => {
    const at = find(key);
    const li = at >= 0 && outline.querySelector(`li[data-key="${CSS.escape(key)}"]`);
    if (!li) return;
    const f = state.fields[at];
    li.querySelector('.outline-label').textContent = title(f);
    const select = li.querySelector('.outline-select');
    for (const badge of select.querySelectorAll('.badge')) badge.remove();
    select.append(...missing(f).map(code => h('span', { class: 'badge warn' }, fmt(T.missing_short, { code: code.toUpperCase() }))));
  };
  // The problem is told where it is: above the field's texts, and tied to its label's input.
  const markInvalid = box => {
    const input = box && box.querySelector('#fe-label');
    if (!input) return;
    const bad = Boolean(errors[selected]);
    input.setAttribute('aria-invalid', String(bad));
    input.setAttribute('aria-describedby', bad ? 'fe-error fe-label-missing' : 'fe-label-missing');
  };
  const renderErrors = () => {
    for (const li of outline.children) li.classList.toggle('has-problem', Boolean(errors[li.dataset.key]));
    const box = $('#field-editor');
    const shown = $('#fe-error');
    if (shown) shown.remove();
    if (box && errors[selected]) box.prepend(h('p', { class: 'error', id: 'fe-error' }, errors[selected]));
    markInvalid(box);
  };
  const renderHistory = () => {
    undoButton.disabled = !draft.canUndo();
    redoButton.disabled = !draft.canRedo();
  };
  const renderPanel = () => {
    for (const note of root.querySelectorAll('[data-removed-note]')) if (!note.contains(document.activeElement)) note.remove();
    outline.replaceChildren(...state.fields.map(item));
    const end = $('[data-add-end]');
    end.replaceChildren(typeChooser('fe-add-end', T.add_end, type => add(type, state.fields.length)));
    const submit = h('input', { id: 'fe-submit', lang, maxlength: 60, oninput: event => change(() => { state.submit_label = { ...state.submit_label, [lang]: event.target.value }; }, `submit:${lang}`, { panelToo: false }) });
    submit.value = state.submit_label[lang] || '';
    $('[data-submit-text]').replaceChildren(h('label', { for: 'fe-submit' }, `${T.submit} (${T.languages[lang]})`), submit);
    for (const button of root.querySelectorAll('[data-lang]')) button.setAttribute('aria-pressed', String(button.dataset.lang === lang));
    renderHistory();
  };

  // Drag and drop in the outline; Alt+Arrow up and down (and the arrow buttons) do the same by keyboard.
  const dropIndex = event => {
    const li = event.target.closest && event.target.closest('li[data-key]');
    if (!li) return -1;
    const box = li.getBoundingClientRect();
    const at = find(li.dataset.key);
    return event.clientY < box.top + box.height / 2 ? at : at + 1;
  };
  outline.addEventListener('dragstart', event => {
    const li = event.target.closest('li[data-key]');
    if (!li) return;
    dragged = li.dataset.key;
    event.dataTransfer.effectAllowed = 'move';
    event.dataTransfer.setData('text/plain', dragged);
    li.classList.add('dragging');
  });
  outline.addEventListener('dragover', event => {
    if (!dragged) return;
    event.preventDefault();
    const at = dropIndex(event);
    for (const li of outline.children) li.classList.toggle('drop-before', find(li.dataset.key) === at);
    outline.classList.toggle('drop-end', at === state.fields.length);
  });
  outline.addEventListener('drop', event => {
    if (!dragged) return;
    event.preventDefault();
    const at = dropIndex(event);
    const from = find(dragged);
    if (at >= 0 && from >= 0) move(dragged, at > from ? at - 1 : at, 'drag');
  });
  outline.addEventListener('dragend', () => {
    dragged = null;
    outline.classList.remove('drop-end');
    for (const li of outline.children) li.classList.remove('dragging', 'drop-before');
  });
  outline.addEventListener('keydown', event => {
    if (!event.altKey || !['ArrowUp', 'ArrowDown'].includes(event.key)) return;
    const li = event.target.closest('li[data-key]');
    if (!li || event.target.closest('.field-editor')) return;
    event.preventDefault();
    move(li.dataset.key, find(li.dataset.key) + (event.key === 'ArrowUp' ? -1 : 1), 'key');
  });

  for (const button of root.querySelectorAll('[data-lang]')) {
    button.addEventListener('click', () => { lang = button.dataset.lang; renderPanel(); redraw(); });
  }
  undoButton.addEventListener('click', undo);
  redoButton.addEventListener('click', redo);
  document.addEventListener('keydown', event => {
    if (!root.isConnected || !draft || !(event.ctrlKey || event.metaKey) || event.key.toLowerCase() !== 'z') return;
    event.preventDefault();
    if (event.shiftKey) redo(); else undo();
  });
  document.addEventListener('htmx:beforeRequest', () => { if (root.isConnected && draft) draft.flush(); });
  if (publishForm) {
    // Publish what the marketer sees: a save still waiting goes first, then the form is sent as a plain
    // post (the page comes back with the new version).
    publishForm.addEventListener('submit', async event => {
      if (!saving()) return;
      event.preventDefault();
      event.stopImmediatePropagation();
      await flush();
      HTMLFormElement.prototype.submit.call(publishForm);
    }, true);
  }

  fetch(root.dataset.draftUrl, { headers: { accept: 'application/json' } })
    .then(response => response.json())
    .then(stored => {
      state = { fields: stored.fields, submit_label: stored.submit_label };
      draft = new window.LandformDraft({
        url: root.dataset.draftUrl,
        csrf,
        revision: stored.revision,
        state,
        body: s => ({ submit_label: s.submit_label, fields: s.fields.map(f => ({ ...f, name: f.name || names[f.key] || '' })) }),
        status: stateLine,
        labels: {
          saving: T.saving,
          saved: T.saved,
          invalid: fmt(T.not_saved, { why: T.field_problem }),
          conflict: fmt(T.not_saved, { why: T.conflict_why }),
          offline: fmt(T.not_saved, { why: T.offline }),
          failed: fmt(T.not_saved, { why: '' }).trim(),
        },
        onAnswer: answered,
        onConflict: showConflict,
        onChange: restore,
      });
      setPublish(stored.can_publish);
      root.querySelector('[data-plain-fields]').hidden = true;
      panel.hidden = false;
      bar.hidden = false;
      root.classList.add('is-live');
      renderPanel();
      wireCanvas();
      redraw();
    });
})();
