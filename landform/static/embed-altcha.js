/* Landform proof of work (the ALTCHA protocol), solved with SubtleCrypto: for the embed and hosted forms. */
(() => {
  const hex = b => Array.from(new Uint8Array(b), x => x.toString(16).padStart(2, '0')).join('');
  // the number whose SHA-256 with the salt is the challenge, as the payload the server verifies;
  // hashed in batches, so the page stays responsive without a worker (a host's CSP may forbid them)
  const solve = async c => {
    const enc = new TextEncoder(), sha = n => crypto.subtle.digest('SHA-256', enc.encode(c.salt + n));
    for (let n = 0; n <= c.maxNumber; n += 250) {
      const found = (await Promise.all(Array.from({ length: 250 }, (_, i) => sha(n + i)))).findIndex(x => hex(x) == c.challenge);
      if (found >= 0) {
        const { algorithm, challenge, salt, signature } = c;
        return btoa(JSON.stringify({ algorithm, challenge, number: n + found, salt, signature }));
      }
    }
    throw Error('challenge not solved');
  };

  // In the embed: solve up front when the form always asks, or when the server answers 403 with a challenge.
  (window.LandformX = window.LandformX || {}).altcha = ctx => {
    const input = ctx.h('input', { type: 'hidden', name: 'altcha' }), solving = c => solve(c).then(v => { input.value = v });
    let pending = ctx.def.altcha ? solving(ctx.def.altcha) : null, tries = 0;
    ctx.form.append(input);
    ctx.on.check.push(() => Promise.resolve(pending).then(() => true, () => true));
    ctx.on.result.push((status, d) => {
      if (status != 403 || !d.challenge || ++tries > 2) return false;
      ctx.say(d.message);
      pending = solving(d.challenge).then(() => ctx.form.requestSubmit(), e => console.warn('Landform:', e));
      return true;
    });
  };

  // On a hosted form: solve at once; a press of the button before that waits for it.
  for (const input of document.querySelectorAll('input[data-lf-altcha]')) {
    const form = input.form;
    let done = false, send = input.hasAttribute('data-lf-resubmit');
    solve(JSON.parse(input.dataset.lfAltcha)).then(v => {
      input.value = v;
      done = true;
      send && form.requestSubmit();
    }, e => console.warn('Landform:', e));
    form.addEventListener('submit', e => { if (!done) { e.preventDefault(); send = true } });
  }
})();
