/* Landform popup and slide-in: shows the embedded form on exit intent, after some seconds or at a scroll depth.
   Loaded by embed.js for a script tag with data-landform-popup="popup" or "slide-in". Once per page view,
   remembered nowhere; only with the visitor's functional-cookie consent (the tenant's banner, choices.js)
   it stays away for data-landform-days days, noted in localStorage. */
(() => {
  const me = document.querySelector('script[data-landform-popup]');
  if (!me) return;
  const d = me.dataset, key = d.landformForm, slide = d.landformPopup == 'slide-in';
  const trigger = d.landformTrigger || 'time', after = +d.landformAfter || 0, days = +d.landformDays || 0;
  const nl = (document.documentElement.lang || navigator.language || '').slice(0, 2).toLowerCase() == 'nl';
  const note = 'landform-popup:' + key, DAY = 864e5;
  const CSS = `dialog{border:0;padding:0;margin:auto;background:none;width:min(34em,calc(100vw - 1.5em));max-height:calc(100vh - 1.5em);overflow:auto;overscroll-behavior:contain}
dialog::backdrop{background:#101828a6}
.s{position:fixed;inset:auto 1em 1em auto;margin:0;max-height:min(44em,calc(100vh - 2em));box-shadow:0 12px 40px -8px #10182866;border-radius:14px}
.w{position:relative}
button{position:absolute;top:.6em;right:.6em;z-index:1;width:2.75em;height:2.75em;border:0;border-radius:50%;background:#f2f4f7;color:#1d2939;font:600 20px/1 system-ui,sans-serif;cursor:pointer}
button:hover{background:#e4e7ec}button:focus-visible{outline:3px solid #1d2939;outline-offset:2px}
@media(max-width:480px){.s{inset:auto .75em .75em .75em;width:auto}}`;

  // with functional consent only: the tenant's banner says whether the visitor gave it
  const consented = () => { try { return window.LandformCookies.granted().includes('functional') } catch (_) { return false } };
  const recently = () => { try { return days && consented() && Date.now() - (+localStorage.getItem(note) || 0) < days * DAY } catch (_) { return false } };

  const wrap = document.createElement('div'), root = wrap.attachShadow({ mode: 'open' });
  const dialog = document.createElement('dialog'), box = document.createElement('div'), close = document.createElement('button');
  try {
    const s = new CSSStyleSheet();
    s.replaceSync(CSS);
    root.adoptedStyleSheets = [s];
  } catch (_) { const s = document.createElement('style'); s.textContent = CSS; root.append(s) }
  dialog.className = slide ? 's' : 'p';
  box.className = 'w';
  close.type = 'button';
  close.textContent = '\u00d7';
  close.setAttribute('aria-label', nl ? 'Sluiten' : 'Close');
  box.append(close, document.createElement('slot'));
  dialog.append(box);
  root.append(dialog);

  let shown = false, before = null, host = null;
  const hide = () => dialog.open && dialog.close();
  close.onclick = hide;
  // a click on the backdrop (the dialog itself, outside its box) closes the popup
  dialog.onclick = e => e.target == dialog && hide();
  // modal: Escape closes it natively; the slide-in is not modal, so it listens itself
  document.addEventListener('keydown', e => e.key == 'Escape' && slide && dialog.open && hide());
  dialog.addEventListener('close', () => { before && before.focus && before.focus() });
  // Tab and Shift+Tab go round the close button and the form's controls (inside the form's shadow root)
  dialog.addEventListener('keydown', e => {
    if (e.key != 'Tab' || slide || !host || !host.shadowRoot) return;
    const all = [close, ...host.shadowRoot.querySelectorAll('a[href],button,input,select,textarea')]
      .filter(el => el.type != 'hidden' && !el.disabled && el.getClientRects().length);
    const at = root.activeElement || host.shadowRoot.activeElement, edge = e.shiftKey ? all[0] : all[all.length - 1];
    if (at == edge) { e.preventDefault(); (e.shiftKey ? all[all.length - 1] : all[0]).focus() }
  });

  const open = () => {
    if (shown || recently()) return;
    shown = true;
    if (!host) return;
    const title = host.shadowRoot && host.shadowRoot.querySelector('h2');
    dialog.setAttribute('aria-label', title ? title.textContent : nl ? 'Formulier' : 'Form');
    before = document.activeElement;
    slide ? dialog.show() : (dialog.setAttribute('aria-modal', 'true'), dialog.showModal());
    close.focus();
    try { days && consented() && localStorage.setItem(note, Date.now()) } catch (_) { /* storage refused: once per view */ }
  };

  // the form's element: a placeholder for this form, else the one embed.js put right after its script
  const find = () => [...document.querySelectorAll('[data-landform-form]')].find(el => el.tagName != 'SCRIPT' && el.dataset.landformForm == key)
    || (me.nextElementSibling && me.nextElementSibling.shadowRoot ? me.nextElementSibling : null);
  // kept out of sight (in the closed dialog) from the moment it exists
  const stow = () => { (host = find()) ? wrap.append(host) : setTimeout(stow, 30) };
  document.body.append(wrap);
  stow();

  if (trigger == 'exit') document.addEventListener('mouseout', e => { !e.relatedTarget && e.clientY <= 0 && open() });
  else if (trigger == 'scroll') {
    const depth = () => {
      const el = document.documentElement, seen = (scrollY + innerHeight) / el.scrollHeight * 100;
      seen >= (after || 50) && (removeEventListener('scroll', depth), open());
    };
    addEventListener('scroll', depth, { passive: true });
  } else setTimeout(open, after * 1000);
})();
