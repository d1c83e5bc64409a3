/* Copy buttons: <button data-copy="ID"> copies the text of the element with that id and says so in the
   nearest [data-copy-status] (an aria-live region). Without this script the button stays hidden and the
   text box is selected and copied by hand. Every dashboard page loads it (layout/app.html); hosted pages never. */
(() => {
  const wire = button => {
    if (button.dataset.copyWired) return;
    button.dataset.copyWired = '1';
    button.hidden = false;
    const status = button.parentElement.querySelector('[data-copy-status]');
    const say = text => { if (status) status.textContent = text; };
    button.addEventListener('click', async () => {
      const source = document.getElementById(button.dataset.copy);
      if (!source) return;
      say('');
      try {
        await navigator.clipboard.writeText(source.value || source.textContent);
        say(button.dataset.copied);
      } catch (_) {
        source.focus();
        source.select();
        say(button.dataset.copyFailed);
      }
    });
  };
  const start = () => document.querySelectorAll('button[data-copy]').forEach(wire);
  start();
  // hx-boost swaps the body and runs no script in it: wire what each swap brings
  document.addEventListener('htmx:afterSettle', start);
})();
