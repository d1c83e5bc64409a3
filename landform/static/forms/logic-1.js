/* Hosted forms with rules, piping or steps (linked only by forms that use them).
   The same rules as landform/forms/logic.py: fields walked in order, a rule sees only the answers of shown
   fields before it. The server has the final word; without this script every field stays visible and a
   stepped form goes one step per request. */
(() => {
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
  const holds = (r, answers) => {
    const a = answers[r.field] || '', v = r.value == null ? '' : r.value, op = r.op;
    if (op == 'filled') return a != '';
    if (op == 'empty') return a == '';
    if (a == '') return false;
    const low = s => String(s).trim().toLowerCase();
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
      const b = day(a), now = new Date(), years = num(v);
      if (!b || years == null) return false;
      const t = [now.getFullYear(), now.getMonth() + 1, now.getDate()];
      return t[0] - b[0] - (t[1] < b[1] || (t[1] == b[1] && t[2] < b[2]) ? 1 : 0) < years;
    }
    return false;
  };
  const shows = (c, answers) => !c || !c.rules || !c.rules.length
    || (c.match == 'any' ? c.rules.some(r => holds(r, answers)) : c.rules.every(r => holds(r, answers)));

  const answerOf = box => {
    const cs = [...box.querySelectorAll('input,select,textarea')];
    if (cs[0] && cs[0].type == 'checkbox') return cs[0].checked ? 'on' : '';
    if (cs[0] && cs[0].type == 'radio') return (cs.find(c => c.checked) || {}).value || '';
    return cs[0] ? cs[0].value.trim() : '';
  };

  const init = form => {
    let answers = {};
    try { answers = JSON.parse(form.dataset.lfAnswers || '{}') } catch (_) { }
    // Walk the fields in order: hidden ones are disabled, so they are neither checked nor sent.
    const apply = () => {
      const seen = { ...answers };
      for (const box of form.querySelectorAll('[data-name]')) {
        const show = shows(box.dataset.showIf && JSON.parse(box.dataset.showIf), seen);
        box.hidden = !show;
        for (const c of box.querySelectorAll('input,select,textarea')) c.disabled = !show;
        if (show) seen[box.dataset.name] = answerOf(box);
      }
      for (const el of form.querySelectorAll('[data-pipe]')) {
        el.textContent = el.dataset.pipe.replace(/\{([a-z][a-z0-9_]{0,59})\}/g, (_, n) => (seen[n] || '').slice(0, 100));
      }
    };
    apply();
    form.addEventListener('input', apply);
    form.addEventListener('change', apply);
    // Counted once per page view for the drop-off funnel; nothing identifies the visitor.
    form.addEventListener('input', () => {
      fetch(form.dataset.lfStart, { method: 'POST', keepalive: true, credentials: 'omit' }).catch(() => { });
    }, { once: true });
    if (!form.querySelector('[name=_step]')) return;
    // A step at a time without reloading the page: the server checks the step and sends the next one.
    form.addEventListener('submit', async e => {
      // Finish later goes to its own page (its formaction), as without JavaScript.
      if (e.submitter && e.submitter.name == '_later_go') return;
      const nav = e.submitter && e.submitter.name == '_nav';
      // The last step is the submission itself: the browser sends it and shows the answer.
      if (!nav && form.dataset.last != null) return;
      // A form with a file field posts every step multipart to its files route, as the browser would.
      const fd = new FormData(form), body = form.enctype == 'multipart/form-data' ? fd : new URLSearchParams(fd);
      if (nav) body.set('_nav', 'back');
      e.preventDefault();
      let html;
      try {
        const res = await fetch(form.action, { method: 'POST', body, credentials: 'same-origin' });
        if (res.redirected) { location.href = res.url; return }
        html = await res.text();
      } catch (_) { form.submit(); return }
      const next = new DOMParser().parseFromString(html, 'text/html').querySelector('form.lf-form');
      if (!next) { document.open(); document.write(html); document.close(); return }
      const fresh = document.importNode(next, true);
      form.replaceWith(fresh);
      init(fresh);
      // Errors: the first one takes the focus (the alert is read out); else the new step's title.
      const target = fresh.querySelector('[autofocus]') || fresh.querySelector('.lf-progress-text');
      if (target) { target.focus(); target.scrollIntoView({ block: 'center' }) }
    });
  };
  for (const form of document.querySelectorAll('form[data-lf-logic]')) init(form);
})();
