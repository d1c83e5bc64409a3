/* Landform embed extension "steps": rules, steps, piping and scales (forms/logic.py's rules, the same
   walk). Loaded by embed.js only for forms that use them; at most 3 KB gzipped as served. */
(window.LandformX = window.LandformX || {}).steps = ({ def, form, box, btn, rows, h, mark, say, lang, origin, on }) => {
  const day = t => {
    const m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(t), n = m || /^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$/.exec(t);
    if (!n) return null;
    const [y, mo, d] = m ? [+m[1], +m[2], +m[3]] : [+n[3], +n[2], +n[1]], at = new Date(Date.UTC(y, mo - 1, d));
    return at.getUTCFullYear() == y && at.getUTCMonth() == mo - 1 && at.getUTCDate() == d ? [y, mo, d] : null;
  };
  const num = t => {
    t = String(t).replace(',', '.').replace(/ /g, '');
    return /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t) && Math.abs(+t) < 1e15 ? +t : null;
  };
  const cmp = (a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
  const low = s => String(s).trim().toLowerCase();
  const holds = (r, seen) => {
    const a = seen[r.field] || '', v = r.value == null ? '' : r.value, op = r.op;
    if (op == 'filled') return a != '';
    if (op == 'empty') return a == '';
    if (a == '') return false;
    if (op == 'equals') return low(a) == low(v);
    if (op == 'one_of') return [].concat(v).map(low).includes(low(a));
    if (op == 'above' || op == 'below') {
      const x = num(a), y = num(v);
      return x != null && y != null && (op == 'above' ? x > y : x < y);
    }
    if (op == 'before' || op == 'after') {
      const x = day(a), y = day(String(v));
      return !!x && !!y && (op == 'before' ? cmp(x, y) < 0 : cmp(x, y) > 0);
    }
    if (op == 'younger_than') {
      const b = day(a), now = new Date(), t = [now.getFullYear(), now.getMonth() + 1, now.getDate()];
      return !!b && t[0] - b[0] - (cmp([0, t[1], t[2]], [0, b[1], b[2]]) < 0) < num(v);
    }
    return false;
  };
  const shows = (c, seen) => !c || !(c.rules || []).length
    || (c.match == 'any' ? c.rules.some(r => holds(r, seen)) : c.rules.every(r => holds(r, seen)));
  const val = r => {
    const c = r.cs.filter(c => c.type != 'radio' || c.checked)[0];
    return !c ? '' : c.type == 'checkbox' ? (c.checked ? 'on' : '') : c.value.trim();
  };
  const msg = def.step_messages || {}, steps = def.steps || [], label = btn.textContent;
  const root = box.getRootNode(), css = `.s{display:flex;flex-wrap:wrap;gap:.35em}.s label{flex:1 0 2.4em;margin:0;text-align:center;border:1px solid #868f9f;border-radius:8px;padding:.5em 0;cursor:pointer}
.s label{position:relative}.s input{position:absolute;inset:0;opacity:0;height:100%;margin:0;cursor:pointer}.s label:has(:checked){background:var(--accent);color:var(--on-accent);border-color:var(--accent)}.s label:has(:focus-visible){outline:3px solid var(--accent)}
.p{font-size:.9em;color:#5d6b7e;margin:0 0 .4em;outline:0}progress{display:block;width:100%;height:.5em;margin:0 0 1.4em;border:0;border-radius:1em;overflow:hidden;background:#e4e7ec}
progress::-webkit-progress-bar{background:#e4e7ec}progress::-webkit-progress-value{background:var(--accent)}progress::-moz-progress-bar{background:var(--accent)}.b{background:none;color:var(--accent);text-decoration:underline}`;
  try {
    const s = new CSSStyleSheet();
    s.replaceSync(css);
    root.adoptedStyleSheets = [...root.adoptedStyleSheets, s];
  } catch (_) { root.append(h('style', {}, css)) }
  // Scales: a row of numbered radio buttons in a fieldset, instead of the text box embed.js made.
  for (const r of rows) {
    const [lo, hi] = { rating: [1, 5], nps: [0, 10] }[r.f.type] || [];
    if (lo == null) continue;
    const name = r.f.name, cs = [];
    for (let n = lo; n <= hi; n++) cs.push(h('input', { type: 'radio', name, value: n, id: `lf-${name}${n}`, required: r.f.required }));
    const w = h('fieldset', { class: 'f' }, h('legend', {}, ...r.w.querySelector('label').childNodes),
      h('div', { class: 's' }, ...cs.map(c => h('label', { for: c.id }, c, c.value))), r.help, r.err);
    r.w.replaceWith(w);
    Object.assign(r, { w, cs });
    mark(r);
  }
  const progress = h('p', { class: 'p', tabindex: -1 }), bar = h('progress'), back = h('button', { type: 'button', class: 'b' }, msg.back);
  let cur = 0, shown = [0];
  // The walk of logic.py: a rule sees the shown answers before it; hidden rows are disabled, so not sent.
  const apply = () => {
    const seen = {};
    let skip = null;
    shown = [];
    (steps.length ? steps : [{}]).forEach((s, i) => {
      if (skip != null && s.name != skip) return;
      skip = null;
      if (!shows(s.show_if, seen)) return;
      shown.push(i);
      for (const r of rows) if ((r.f.step | 0) == i && shows(r.f.show_if, seen)) r.on = 1, seen[r.f.name] = val(r);
      const j = s.skip_to;
      if (j && steps.slice(i + 1).some(t => t.name == j.step) && shows(j, seen)) skip = j.step;
    });
    const pipe = t => t.replace(/\{([a-z][a-z0-9_]{0,59})\}/g, (_, n) => (seen[n] || '').slice(0, 100));
    for (const r of rows) {
      r.w.hidden = !r.on || (steps.length && (r.f.step | 0) != cur);
      for (const c of r.cs) c.disabled = !r.on;
      r.on = 0;
      if (r.f.pipe) r.w.querySelector('label,legend').firstChild.textContent = pipe(r.f.pipe);
    }
    if (!steps.length) return;
    const at = shown.indexOf(cur), t = pipe(steps[cur].title || '');
    progress.textContent = (msg.of || '').replace('{n}', at + 1).replace('{t}', shown.length) + (t ? ': ' + t : '');
    bar.max = shown.length;
    bar.value = at + 1;
    back.hidden = !at;
    btn.textContent = at < shown.length - 1 ? msg.next : label;
  };
  const go = i => {
    cur = i;
    say();
    apply();
    progress.focus();
    progress.scrollIntoView({ block: 'nearest' });
  };
  form.addEventListener('input', apply);
  form.addEventListener('change', apply);
  // Counted once for the drop-off funnel; nothing identifies the visitor.
  // (hosted_url, not action: a form with files posts to its own /files route)
  form.addEventListener('input', () => fetch(def.hosted_url + '/start', { method: 'POST', credentials: 'omit', keepalive: true }).catch(() => { }), { once: true });
  if (steps.length) {
    form.prepend(progress, bar);
    btn.after(back);
    back.onclick = () => go(shown[shown.indexOf(cur) - 1]);
    // Next: the server checks this step's answers; nothing is stored before the last step.
    on.check.push(async () => {
      const at = shown.indexOf(cur);
      if (at == shown.length - 1) return true;
      // the body as the submission sends it: multipart once the files extension asks for it
      const fd = new FormData(form), to = new URL(def.action, origin);
      let body = new URLSearchParams(fd);
      for (const b of on.body) body = b(fd);
      body.set('_step', steps[cur].name);
      to.searchParams.set('lang', lang);
      btn.disabled = true;
      let res, d = {};
      try {
        res = await fetch(to, { method: 'POST', body, credentials: 'omit', headers: { Accept: 'application/json' } });
        d = await res.json();
      } catch (_) { }
      btn.disabled = false;
      const errors = d.errors || {}, bad = rows.filter(r => (mark(r, errors[r.f.name]), errors[r.f.name]));
      if (res && res.ok) go(shown[at + 1]);
      else if (bad[0]) say(def.messages.invalid), bad[0].cs[0].focus();
      else say(def.messages.network);
      return false;
    });
    // An answer refused on the last step may belong to an earlier one: show that step first.
    on.result.push((s, d) => {
      const r = s == 422 && rows.find(r => (d.errors || {})[r.f.name]);
      if (r) cur = r.f.step | 0, apply();
      return false;
    });
  }
  apply();
};
