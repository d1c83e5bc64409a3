/* Landform embed form. Served as is, at most 4 KB gzipped: no cookies, storage or HTML parsing. */
(() => {
  const warn = e => console.warn('Landform:', e), X = {};
  // For a 429 and for when the form cannot load (other texts come with the form)
  const T = {
    en: ['Too many attempts. Please wait a minute.', 'Open the form'],
    nl: ['Te veel pogingen. Wacht even een minuut.', 'Open het formulier']
  };
  const TYPE = { email: 'email', phone: 'tel', website: 'url', date: 'date', date_of_birth: 'date', checkbox: 'checkbox', consent: 'checkbox' };
  const MODE = { number: 'decimal', kvk_number: 'numeric', rsin: 'numeric' };
  // em, not rem: the host's root font size must not matter. The brand comes with the form (`css`): it
  // sets --accent, --on-accent, --radius and --font on :host; these are the defaults until then.
  const CSS = `:host{display:block!important;--accent:#0f766e;--on-accent:#fff;--radius:8px;--font:system-ui,-apple-system,sans-serif}
.lf{all:initial;display:block;font:16px/1.6 var(--font);color:#1d2939;background:#fff;border-radius:14px;border-top:4px solid var(--accent);padding:2em;box-shadow:0 1px 3px #1018281a,0 12px 32px -12px #1018282e}
*{box-sizing:border-box}[hidden]{display:none!important}p{margin:0}
h2{font-size:1.5em;line-height:1.25;margin:0 0 .8em}
.f{margin:0 0 1.1em;padding:0;border:0;min-width:0}
label,legend{display:block;font-weight:600;line-height:1.35;margin:0 0 .4em;padding:0}
.r,.e{color:#b42318}.o,.h{color:#5d6b7e;font-weight:400}.o,.e,.h{font-size:.9em}
.e,.h{line-height:1.4;margin-top:.4em}.e{font-weight:500}
input,select,textarea{display:block;width:100%;font:inherit;line-height:1.4;padding:.75em .85em;margin:0;border:1px solid #868f9f;border-radius:8px;background:#fff;color:inherit}
:is(input,select,textarea,button,a):focus-visible{outline:0;border-color:var(--accent);box-shadow:0 0 0 3px color-mix(in srgb,var(--accent) 25%,#0000)}
.c{display:grid;grid-template-columns:auto 1fr;gap:.65em;margin:0 0 .5em}
.c input{width:1.25em;height:1.25em;margin:.15em 0 0;accent-color:var(--accent)}
.c label{font-weight:400;margin:0;line-height:1.5}.c p{grid-column:1/-1}
.x :is(input,select,textarea){border-color:#b42318;background:#fffbfa}
.a{background:#fdecea;color:#7a271a;border-left:4px solid #b42318;border-radius:8px;padding:.7em .9em;margin:0 0 1.25em}
button,.g{display:block;width:100%;min-height:3.25em;font:inherit;font-weight:700;font-size:1.05em;line-height:1.3;text-wrap:balance;text-align:center;text-decoration:none;color:var(--on-accent);background:var(--accent);border:0;border-radius:var(--radius);padding:.85em 1em;margin-top:.5em;cursor:pointer}
:is(button,.g):hover{background:color-mix(in srgb,var(--accent) 80%,#000)}
.ok{text-align:center;outline:0}
.ok::before{content:"\\2713";display:block;width:3em;line-height:3em;margin:0 auto .8em;border-radius:50%;background:color-mix(in srgb,var(--accent) 11%,#fff);color:var(--accent);font-size:1.2em;font-weight:700}
a{color:var(--accent);font-weight:600}.m{margin-top:1em;text-align:center;font-size:.8em}.m a{color:#5d6b7e;font-weight:400}
@media(max-width:480px){.lf{padding:1.25em 1em}button{font-size:1em}}`;
  // a stylesheet in a shadow root: constructed (a host's CSP style-src allows those), else a <style>
  const style = (root, css) => {
    try {
      const s = new CSSStyleSheet();
      s.replaceSync(css);
      root.adoptedStyleSheets = [...root.adoptedStyleSheets, s];
    } catch (_) { root.append(h('style', {}, css)) }
  };

  // an element; null/false attributes left out
  const h = (tag, attrs, ...kids) => {
    const el = document.createElement(tag);
    for (const k in attrs) attrs[k] == null || attrs[k] === false || el.setAttribute(k, attrs[k] === true ? '' : attrs[k]);
    el.append(...kids.filter(k => k != null && k !== false));
    return el;
  };
  const hidden = (name, value) => h('input', { type: 'hidden', name, value });
  // a hidden field's value: referrer, page_url or utm_* from the address
  const carried = src => (src == 'referrer' ? document.referrer : src == 'page_url' ? location.href
    : new URLSearchParams(location.search).get(src) || '').slice(0, 500);

  const mount = (host, key, origin) => {
    const root = host.attachShadow({ mode: 'open' }), box = h('div', { class: 'lf' });
    style(root, CSS);
    root.append(box);
    let lang = (host.dataset.lang || document.documentElement.lang || navigator.language || '').slice(0, 2).toLowerCase();
    const t = i => (T[lang] || T.en)[i], url = `${origin}/f/${encodeURIComponent(key)}`;
    // the page's own utm_* parameters travel along, so views and answers are counted per campaign
    const query = () => {
      const q = new URLSearchParams(location.search);
      for (const k of [...q.keys()]) /^utm_/.test(k) || q.delete(k);
      q.set('lang', lang);
      return q;
    };
    // a refused website is told why (`refused` names the setting that allows it)
    const load = () => fetch(`${url}/embed?${query()}`, { credentials: 'omit' })
      .then(r => r.json().catch(() => ({})).then(d => { if (r.ok) return d; throw d.refused || Error('HTTP ' + r.status) }));

    load().then(async def => {
      lang = def.language || lang;
      def.css && style(root, def.css);
      const msg = def.messages || {}, rows = [], label = def.submit_label;
      const alert = h('p', { class: 'a', role: 'alert', hidden: true });
      const status = h('p', { role: 'status', tabindex: -1 });
      const btn = h('button', {}, label);
      const token = hidden(def.token_field, def.token);
      const form = h('form', { novalidate: true }, alert);
      const say = text => { alert.textContent = text || ''; alert.hidden = !text };
      const mark = (r, text) => {
        r.err.textContent = text || '';
        r.err.hidden = !text;
        r.w.classList.toggle('x', !!text);
        for (const c of r.cs) {
          c.setAttribute('aria-invalid', !!text);
          const ids = [r.help && r.help.id, text && r.err.id].filter(Boolean).join(' ');
          ids ? c.setAttribute('aria-describedby', ids) : c.removeAttribute('aria-describedby');
        }
      };

      for (const f of def.fields || []) {
        const { name, type, value: v = '', options: opts = [] } = f, id = 'lf-' + name;
        if (type == 'hidden') { form.append(hidden(name, carried(f.source || name))); continue }
        const kind = TYPE[type], check = kind == 'checkbox', radio = type == 'radio';
        const a = { name, required: f.required, placeholder: f.placeholder, autocomplete: f.autocomplete, inputmode: MODE[type] };
        const cap = h(radio ? 'legend' : 'label', { for: !radio && id }, f.label, f.required
          ? h('span', { class: 'r', 'aria-hidden': 'true' }, ' *') : !check && msg.optional && h('span', { class: 'o' }, ` (${msg.optional})`));
        const cs = radio ? opts.map((o, i) => h('input', { ...a, id: id + i, type, value: o.value, checked: o.value == v }))
          : type == 'select' ? [h('select', { ...a, id }, h('option', { value: '' }, f.placeholder),
            ...opts.map(o => h('option', { value: o.value, selected: o.value == v }, o.label)))]
          : type == 'textarea' ? [h('textarea', { ...a, id, rows: 4 }, v)]
          : [h('input', { ...a, id, type: kind, value: check ? 'on' : v, checked: check && /^(on|true|1|yes|ja)$/.test(v) })];
        const r = { f, cs, err: h('p', { class: 'e', id: id + '-e' }), help: f.help && h('p', { class: 'h', id: id + '-h' }, f.help) };
        const parts = check ? [cs[0], cap]
          : [cap, ...radio ? cs.map((c, i) => h('div', { class: 'c' }, c, h('label', { for: c.id }, opts[i].label))) : cs];
        r.w = h(radio ? 'fieldset' : 'div', { class: check ? 'f c' : 'f' }, ...parts, r.help, r.err);
        mark(r);
        rows.push(r);
        form.append(r.w);
      }
      form.append(token, hidden(def.honeypot, ''), btn);

      // extensions the form needs (def.ext): embed-NAME.js, loaded once per page, may add hooks to `on`
      const on = { check: [], body: [], result: [] };
      for (const n of def.ext || []) await (X[n] = X[n] || new Promise((onload, onerror) => document.head.append(
        Object.assign(h('script', { src: `${origin}/embed-${n}.js` }), { onload, onerror })))), LandformX[n]({ def, form, box, btn, rows, h, mark, say, lang, origin, on });
      const submit = async () => {
        for (const c of on.check) if (!await c()) return
        btn.disabled = true;
        btn.textContent = msg.sending;
        const fd = new FormData(form), to = new URL(def.action, origin);
        let body = new URLSearchParams(fd);
        for (const b of on.body) body = b(fd);
        to.searchParams.set('lang', lang);
        let res, d = {};
        try {
          res = await fetch(to, { method: 'POST', body, credentials: 'omit', headers: { Accept: 'application/json' } });
          d = await res.json();
        } catch (e) { warn(e) }
        btn.disabled = false;
        btn.textContent = label;
        const s = res && res.status, errors = d.errors || {};
        if (on.result.some(r => r(s, d))) return;
        if (s > 199 && s < 300) {
          const to = d.redirect_url;
          if (/^https?:/.test(to)) { try { top.location.href = to } catch (_) { location.href = to } return }
          form.remove();
          status.className = 'ok';
          status.textContent = d.message;
          status.focus();
        } else if (s == 422) {
          const bad = rows.filter(r => (mark(r, errors[r.f.name]), errors[r.f.name]));
          say(errors._form || (bad[0] ? msg.invalid : Object.values(errors)[0]));
          (bad[0] ? bad[0].cs[0] : btn).focus();
          // token expired? get a fresh one
          if (errors._form) load().then(n => { token.value = n.token }, warn);
        } else say(s == 429 ? msg.too_many || t(0) : msg.network);
      };
      form.onsubmit = e => { e.preventDefault(); btn.disabled || submit().catch(warn) };
      // "Made with Landform", on plans that keep it
      const b = def.badge;
      box.append(def.title ? h('h2', {}, def.title) : '', form, status, b ? h('p', { class: 'm' }, h('a', { href: b.url, target: '_blank', rel: 'noopener' }, b.text)) : '');
    }).catch(e => {
      // not loadable here: link to the hosted form
      warn(e);
      box.append(h('a', { class: 'g', href: `${url}?${query()}`, target: '_top' }, t(1) + ' →'));
    });
  };

  try {
    const me = document.currentScript, key = me.dataset.landformForm, origin = new URL(me.src).origin;
    const start = () => {
      // free placeholders, else after the tag
      const spots = [...document.querySelectorAll('[data-landform-form]')].filter(el => el.tagName != 'SCRIPT');
      const free = spots.filter(el => !el._landform);
      if (key && !spots.some(el => el.dataset.landformForm == key)) me.after(free[free.length] = h('div'));
      for (const el of free) {
        el._landform = 1;
        try { mount(el, el.dataset.landformForm || key, origin) } catch (e) { warn(e) }
      }
    };
    const safeStart = () => {
      try { start() } catch (e) { warn(e) }
      // placeholders a single-page app adds later
      new MutationObserver(ms => {
        for (const m of ms) for (const n of m.addedNodes) if (n.querySelectorAll) {
          for (const el of [n, ...n.querySelectorAll('[data-landform-form]')]) {
            if (el._landform || el.tagName == 'SCRIPT' || !el.dataset.landformForm) continue;
            el._landform = 1;
            try { mount(el, el.dataset.landformForm, origin) } catch (e) { warn(e) }
          }
        }
      }).observe(document.documentElement, { childList: true, subtree: true });
    };
    document.readyState == 'loading' ? document.addEventListener('DOMContentLoaded', safeStart) : safeStart();
  } catch (e) { warn(e) }
})();
