/* Theme editor: redraws the preview and the WCAG AA contrast checks while the marketer picks colours.
   The page works without it: the server draws both for the saved colours. */
(() => {
  const HEX = /^#[0-9a-f]{6}$/i;
  const lum = hex => {
    const c = [1, 3, 5].map(i => parseInt(hex.slice(i, i + 2), 16) / 255)
      .map(v => (v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  };
  const ratio = (a, b) => {
    const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05);
  };
  // The same choice as themes.on_primary: white or near-black, whichever reads better.
  const onPrimary = p => (ratio('#ffffff', p) >= ratio('#101828', p) ? '#ffffff' : '#101828');

  const wire = editor => {
    if (editor.dataset.themeWired) return;
    editor.dataset.themeWired = '1';
    const settings = JSON.parse(editor.dataset.settings || '{}');
    const preview = editor.querySelector('[data-theme-preview]');
    const checks = editor.querySelector('[data-contrast-checks]');
    const field = name => editor.querySelector(`[name="${name}"]`);
    // A field's own value, else the brand's (shown as its placeholder or data-inherit), else nothing.
    const colour = name => {
      const el = field(name);
      const v = el.value.trim();
      return HEX.test(v) ? v : !v && HEX.test(el.placeholder) ? el.placeholder : null;
    };
    const choice = name => field(name).value || field(name).dataset.inherit || '';

    const draw = () => {
      const t = { primary: colour('primary'), text: colour('text'), background: colour('background') };
      if (!t.primary || !t.text || !t.background) return; // half-typed: keep the last good drawing
      const on = onPrimary(t.primary);
      const props = { '--accent': t.primary, '--on-accent': on, '--ink': t.text, '--bg': t.background,
        '--font': settings.fonts[choice('font')], '--radius': settings.buttons[choice('buttons')] };
      for (const [k, v] of Object.entries(props)) if (v) preview.style.setProperty(k, v);
      const found = { text: ratio(t.text, t.background), links: ratio(t.primary, t.background), buttons: ratio(on, t.primary) };
      let failing = 0;
      for (const p of checks.querySelectorAll('[data-check]')) {
        const key = p.dataset.check;
        if (key == 'ok') continue;
        const ok = found[key] >= settings.aa;
        failing += !ok;
        p.hidden = ok;
        if (!ok) p.textContent = p.dataset.template.replace('{ratio}', found[key].toFixed(1));
      }
      checks.querySelector('[data-check="ok"]').hidden = failing > 0;
    };

    // A colour picker beside each text field, kept in step both ways (only with JS: it needs the sync).
    for (const text of editor.querySelectorAll('[data-colour]')) {
      const picker = document.createElement('input');
      picker.type = 'color';
      picker.className = 'colour-picker';
      picker.setAttribute('aria-label', text.labels[0] ? text.labels[0].textContent : text.name);
      const sync = () => { const c = colour(text.name); if (c) picker.value = c.toLowerCase(); };
      sync();
      picker.addEventListener('input', () => { text.value = picker.value; draw(); });
      text.addEventListener('input', () => { sync(); draw(); });
      text.after(picker);
    }
    for (const name of ['font', 'buttons']) field(name).addEventListener('change', draw);
    draw();
  };
  const start = () => document.querySelectorAll('[data-theme-editor]').forEach(wire);
  start();
  // Loaded by layout/app.html: hx-boost swaps the body and runs no script in it, so wire each swap's editor.
  document.addEventListener('htmx:afterSettle', start);
})();
