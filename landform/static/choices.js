/* Landform cookie banner for a tenant's own website. No dependencies, no eval, no inline styles on the host.
   <script src=".../choices.js" data-landform-site="TENANT" async></script>
   Scripts wait as <script type="text/plain" data-category="analytics" src="..."> (or <template data-category>)
   until their category is allowed; [data-landform-cookie-settings] reopens the choice.
   With data-landform-consent-mode (and without async, above any Google tag) it also sets Google Consent Mode v2:
   everything denied by default, then analytics_storage from "analytics" and ad_storage, ad_user_data and
   ad_personalization from "marketing". It only writes to the page's dataLayer; nothing goes to Google from us. */
(() => {
  const warn = e => console.warn('Landform:', e);
  const CSS = `:host{all:initial}
.b,.d{font:15px/1.5 system-ui,-apple-system,sans-serif;color:#1d2939;background:#fff;box-sizing:border-box}
.b{position:fixed;z-index:2147483000;left:1em;right:1em;bottom:1em;max-width:46em;margin:0 auto;padding:1.25em 1.5em;border-radius:12px;box-shadow:0 8px 32px #1018283d;border-top:4px solid #0f766e}
h2{font-size:1.15em;margin:0 0 .4em}p{margin:0 0 .9em}
.a{display:flex;flex-wrap:wrap;gap:.6em}
button{font:inherit;font-weight:650;padding:.7em 1.2em;border-radius:8px;cursor:pointer;border:2px solid #0f766e;background:#0f766e;color:#fff;flex:1 1 9em}
button.l{background:#fff;color:#0f766e}
button:focus-visible,input:focus-visible,a:focus-visible{outline:3px solid #84caff;outline-offset:2px}
.d{border:0;border-radius:12px;padding:1.5em;max-width:34em;width:calc(100% - 2em);box-shadow:0 8px 32px #10182866}
.d::backdrop{background:#10182866}
.c{display:grid;grid-template-columns:auto 1fr;gap:.2em .6em;margin:0 0 .9em}
.c input{width:1.2em;height:1.2em;margin:.2em 0 0;accent-color:#0f766e}.c label{font-weight:650}
.c p{grid-column:2;margin:0;color:#5d6b7e;font-size:.92em}
a{color:#0f766e}`;

  const h = (tag, attrs, ...kids) => {
    const el = document.createElement(tag);
    for (const k in attrs) attrs[k] == null || attrs[k] === false || el.setAttribute(k, attrs[k] === true ? '' : attrs[k]);
    el.append(...kids.filter(k => k != null && k !== false));
    return el;
  };

  const me = document.currentScript;
  const slug = me && me.dataset.landformSite;
  if (!slug) return;
  const api = `${new URL(me.src).origin}/consent/site/${encodeURIComponent(slug)}/`;
  const gpc = navigator.globalPrivacyControl === true;
  const REFUSED = gpc ? ['analytics', 'marketing'] : [];
  let def, host, root, banner, dialog;

  // Google Consent Mode v2: Google's own gtag() shape (it reads the Arguments object, not an array).
  const consentMode = me.hasAttribute('data-landform-consent-mode');
  function gtag() { (window.dataLayer = window.dataLayer || []).push(arguments) }
  const signals = granted => {
    const on = c => granted.includes(c) && !REFUSED.includes(c) ? 'granted' : 'denied';
    return { ad_storage: on('marketing'), ad_user_data: on('marketing'), ad_personalization: on('marketing'), analytics_storage: on('analytics') };
  };
  const cookieCats = () => {
    const m = document.cookie.match(/(?:^|;\s*)lf_consent=([^;]*)/);
    return m && m[1].split('.')[1];
  };
  if (consentMode) {
    // Before any Google tag runs: denied, and Google waits briefly for the visitor's stored choice.
    gtag('consent', 'default', { ...signals([]), wait_for_update: 500 });
    const cats = cookieCats();
    // A returning visitor's choice at once (its policy version is checked when the texts arrive).
    if (cats && cats !== 'none') gtag('consent', 'update', signals(cats.split('-')));
  }

  const stored = () => {
    const m = document.cookie.match(/(?:^|;\s*)lf_consent=([^;]*)/);
    if (!m || !def) return null;
    const [version, cats] = m[1].split('.');
    if (version !== String(def.version)) return null; // another policy version: ask again
    return !cats || cats === 'none' ? [] : cats.split('-');
  };

  // Scripts and markup waiting for a category come alive once it is allowed.
  const activate = granted => {
    granted = granted.filter(c => !REFUSED.includes(c));
    if (consentMode) gtag('consent', 'update', signals(granted));
    for (const el of document.querySelectorAll('script[type="text/plain"][data-category],template[data-category]')) {
      if (!granted.includes(el.dataset.category)) continue;
      if (el.tagName === 'TEMPLATE') { el.replaceWith(el.content.cloneNode(true)); continue }
      const live = document.createElement('script');
      for (const a of el.attributes) if (a.name !== 'type') live.setAttribute(a.name, a.value);
      live.text = el.text;
      el.replaceWith(live);
    }
    document.dispatchEvent(new CustomEvent('landform:consent', { detail: { granted: ['necessary', ...granted] } }));
  };

  const send = (choice, cats) => {
    const body = new URLSearchParams({ choice, gpc: gpc ? '1' : '0' });
    for (const c of cats) body.append('category', c);
    return fetch(api, { method: 'POST', body, credentials: 'omit', headers: { Accept: 'application/json' } })
      .then(r => { if (r.ok) return r.json(); throw Error('HTTP ' + r.status) });
  };

  const decide = (choice, cats) => {
    send(choice, cats).then(answer => {
      const secure = location.protocol === 'https:' ? ';Secure' : '';
      document.cookie = `lf_consent=${answer.value};path=/;max-age=${183 * 86400};SameSite=Lax${secure}`;
      if (banner) banner.hidden = true;
      if (dialog && dialog.open) dialog.close();
      activate(answer.allowed.filter(c => c !== 'necessary'));
    }).catch(warn);
  };

  const openDialog = () => {
    if (!dialog) return;
    const granted = stored() || [];
    for (const box of dialog.querySelectorAll('input[name=category]:not(:disabled)')) box.checked = granted.includes(box.value);
    dialog.showModal();
    const first = dialog.querySelector('input:not(:disabled)');
    if (first) first.focus();
  };

  const build = () => {
    const t = def.texts;
    host = h('div', { 'data-landform-cookies': '' });
    root = host.attachShadow({ mode: 'open' });
    // a constructed sheet passes a strict host CSP (style-src without 'unsafe-inline')
    try {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(CSS);
      root.adoptedStyleSheets = [sheet];
    } catch (_) { root.append(h('style', {}, CSS)) }
    const choose = h('button', { type: 'button', class: 'l' }, t.choose);
    choose.onclick = openDialog;
    const accept = h('button', { type: 'button' }, t.accept), reject = h('button', { type: 'button' }, t.reject);
    accept.onclick = () => decide('all', []);
    reject.onclick = () => decide('none', []);
    banner = h('section', { class: 'b', role: 'region', 'aria-labelledby': 'lf-t', hidden: true },
      h('h2', { id: 'lf-t' }, t.title), h('p', {}, t.body, ' ', h('a', { href: def.policy_url, target: '_blank', rel: 'noopener' }, t.policy)),
      h('div', { class: 'a' }, accept, reject, choose));
    const rows = def.categories.map(c => {
      const off = c.key === 'necessary' || REFUSED.includes(c.key);
      return h('div', { class: 'c' },
        h('input', { type: 'checkbox', id: `lf-${c.key}`, name: 'category', value: c.key, checked: c.key === 'necessary', disabled: off, 'aria-describedby': `lf-${c.key}-h` }),
        h('label', { for: `lf-${c.key}` }, c.name),
        h('p', { id: `lf-${c.key}-h` }, c.description, REFUSED.includes(c.key) ? ' ' + t.gpc : ''));
    });
    const save = h('button', { type: 'button' }, t.save), close = h('button', { type: 'button', class: 'l' }, t.close);
    save.onclick = () => decide('custom', [...dialog.querySelectorAll('input[name=category]:checked:not(:disabled)')].map(b => b.value));
    close.onclick = () => dialog.close();
    dialog = h('dialog', { class: 'd', 'aria-labelledby': 'lf-dt' }, h('h2', { id: 'lf-dt' }, t.settings), ...rows, h('div', { class: 'a' }, save, close));
    root.append(banner, dialog);
    document.body.append(host);
  };

  const start = () => {
    const lang = (document.documentElement.lang || navigator.language || '').slice(0, 2).toLowerCase();
    fetch(`${api}?lang=${encodeURIComponent(lang)}`, { credentials: 'omit' })
      .then(r => { if (r.ok) return r.json(); throw Error('HTTP ' + r.status) })
      .then(d => {
        def = d;
        build();
        const choice = stored();
        if (choice) activate(choice);
        else {
          // No choice under this policy version (an older one's counted above): denied until one is made.
          if (consentMode && cookieCats()) gtag('consent', 'update', signals([]));
          banner.hidden = false;
        }
        document.addEventListener('click', e => {
          const opener = e.target instanceof Element && e.target.closest('[data-landform-cookie-settings]');
          if (opener) { e.preventDefault(); openDialog() }
        });
        window.LandformCookies = { open: openDialog, granted: () => ['necessary', ...((stored() || []).filter(c => !REFUSED.includes(c)))] };
      }).catch(warn);
  };

  try {
    document.readyState === 'loading' ? document.addEventListener('DOMContentLoaded', start) : start();
  } catch (e) { warn(e) }
})();
