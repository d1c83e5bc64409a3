/* Landform embed extension "later": a Finish later button. It opens the finish-later step on the form's own
   site in a new tab with the answers so far, posted (never in an address); the visitor ticks there. */
(window.LandformX = window.LandformX || {}).later = ({ def, form, box, btn, h, lang, origin }) => {
  const root = box.getRootNode(), b = h('button', { type: 'button', class: 'fl' }, def.later.label);
  try {
    const s = new CSSStyleSheet();
    s.replaceSync('.fl{background:none;color:var(--accent);text-decoration:underline}.fl:hover{background:none}');
    root.adoptedStyleSheets = [...root.adoptedStyleSheets, s];
  } catch (_) { }
  b.onclick = () => {
    const to = new URL(def.later.action, origin);
    to.searchParams.set('lang', lang);
    const f = h('form', { method: 'post', action: to, target: '_blank', hidden: true });
    for (const [k, v] of new FormData(form)) typeof v == 'string' && f.append(h('input', { type: 'hidden', name: k, value: v }));
    document.body.append(f);
    f.submit();
    f.remove();
  };
  btn.after(b);
};
