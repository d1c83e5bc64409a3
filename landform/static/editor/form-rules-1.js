/* The form builder's rules (forms/logic.py): "show this field only when…", a step's "skip to…", and which
   rules use a field before it is removed. form-builder-1.js calls it with its helpers; rules name fields by
   their stable machine name, so they survive reordering. */
window.LandformRules = ({ h, T, state, names, change, title }) => {
  const L = T.logic;
  const OPS = Object.fromEntries(L.ops);
  const nameOf = f => f.name || names[f.key] || '';
  const conditions = f => [f.show_if, f.skip_to].filter(Boolean);

  // The fields a rule may look at: answered before this field is shown (for a step's skip: before the
  // next step, so its own fields count too).
  const candidates = (f, prop) => {
    const at = state().fields.indexOf(f);
    let end = at;
    if (prop === 'skip_to') {
      const next = state().fields.findIndex((x, i) => i > at && x.type === 'step');
      end = next < 0 ? state().fields.length : next;
    }
    return state().fields.slice(0, end).filter(x => x.type !== 'step' && x.type !== 'hidden' && nameOf(x));
  };
  const laterSteps = f => state().fields.slice(state().fields.indexOf(f) + 1).filter(x => x.type === 'step' && nameOf(x));

  const valueBox = (f, prop, rule, i, source) => {
    const id = `fr-${prop}-${i}-value`;
    if (['filled', 'empty'].includes(rule.op)) return null;
    const set = value => change(() => { rule.value = value; }, `${f.key}:${prop}:${i}`, { panelToo: false });
    let input;
    if (source && (source.options || []).length && ['equals', 'one_of'].includes(rule.op)) {
      input = h('select', { id, multiple: rule.op === 'one_of', onchange: e => set(rule.op === 'one_of' ? [...e.target.selectedOptions].map(o => o.value) : e.target.value) },
        ...source.options.map(o => h('option', { value: o.value, selected: [].concat(rule.value).includes(o.value) }, o.label.nl || o.label.en || o.value)));
    } else {
      const type = ['before', 'after'].includes(rule.op) ? 'date' : ['above', 'below', 'younger_than'].includes(rule.op) ? 'number' : 'text';
      input = h('input', { id, type, oninput: e => set(rule.op === 'one_of' ? e.target.value.split(',').map(v => v.trim()).filter(Boolean) : e.target.value) });
      input.value = [].concat(rule.value == null ? '' : rule.value).join(', ');
    }
    return h('div', { class: 'field' }, h('label', { for: id }, L.value), input);
  };

  const ruleRow = (f, prop, rule, i, choices) => {
    const source = choices.find(x => nameOf(x) === rule.field);
    const fieldId = `fr-${prop}-${i}-field`, opId = `fr-${prop}-${i}-op`;
    return h('li', { class: 'rule' },
      h('div', { class: 'field' }, h('label', { for: fieldId }, L.field),
        h('select', { id: fieldId, onchange: e => change(() => { rule.field = e.target.value; rule.value = ''; }) },
          ...choices.map(x => h('option', { value: nameOf(x), selected: nameOf(x) === rule.field }, title(x))))),
      h('div', { class: 'field' }, h('label', { for: opId }, L.op),
        h('select', { id: opId, onchange: e => change(() => { rule.op = e.target.value; rule.value = ''; }) },
          ...Object.keys(OPS).map(op => h('option', { value: op, selected: op === rule.op }, OPS[op])))),
      valueBox(f, prop, rule, i, source),
      h('button', { type: 'button', class: 'icon danger', 'aria-label': `${L.remove_rule} ${i + 1}`, title: L.remove_rule,
        onclick: () => change(() => { f[prop].rules.splice(i, 1); if (!f[prop].rules.length && prop === 'show_if') delete f[prop]; }) }, '✕'));
  };

  // One condition: a fieldset with all/any, its rules, and a button to add one.
  const box = (f, prop) => {
    const choices = candidates(f, prop);
    const legend = prop === 'skip_to' ? L.skip_to : f.type === 'step' ? L.show_step : L.show_if;
    const set = f[prop];
    const wrap = h('fieldset', { class: 'rules', 'data-rules': prop }, h('legend', {}, legend));
    if (prop === 'skip_to') {
      const steps = laterSteps(f).slice(1);
      wrap.append(h('div', { class: 'field' }, h('label', { for: 'fr-skip-step', class: 'visually-hidden' }, L.skip_to),
        h('select', { id: 'fr-skip-step', onchange: e => change(() => {
          if (!e.target.value) delete f.skip_to;
          else f.skip_to = { ...(f.skip_to || { match: 'all', rules: [] }), step: e.target.value };
        }) }, h('option', { value: '' }, L.no_skip), ...steps.map(s => h('option', { value: nameOf(s), selected: set && set.step === nameOf(s) }, title(s))))));
      if (!set) return wrap;
    }
    if (!choices.length) { wrap.append(h('p', { class: 'help' }, L.no_earlier)); return wrap; }
    if (set && set.rules.length > 1) {
      wrap.append(h('div', { class: 'field' }, h('label', { for: `fr-${prop}-match`, class: 'visually-hidden' }, L.all),
        h('select', { id: `fr-${prop}-match`, onchange: e => change(() => { set.match = e.target.value; }) },
          h('option', { value: 'all', selected: set.match !== 'any' }, L.all), h('option', { value: 'any', selected: set.match === 'any' }, L.any))));
    }
    if (set && set.rules.length) wrap.append(h('ol', { class: 'rule-list' }, ...set.rules.map((r, i) => ruleRow(f, prop, r, i, choices))));
    else if (prop === 'show_if') wrap.append(h('p', { class: 'help' }, L.none_yet));
    wrap.append(h('button', { type: 'button', class: 'button', onclick: () => change(() => {
      f[prop] = f[prop] || { match: 'all', rules: [] };
      f[prop].rules.push({ field: nameOf(choices[choices.length - 1]), op: 'equals', value: '' });
    }) }, L.add_rule));
    return wrap;
  };

  // The fields and steps whose rules use this field's answer.
  const usedBy = f => {
    const name = nameOf(f);
    return name ? state().fields.filter(x => x !== f && conditions(x).some(c => c.rules.some(r => r.field === name))) : [];
  };
  const dropRulesOn = f => {
    const name = nameOf(f);
    for (const x of state().fields) {
      for (const prop of ['show_if', 'skip_to']) {
        if (!x[prop]) continue;
        x[prop].rules = x[prop].rules.filter(r => r.field !== name);
        if (!x[prop].rules.length) delete x[prop];
      }
    }
  };
  return { box, usedBy, dropRulesOn, OPS };
};
