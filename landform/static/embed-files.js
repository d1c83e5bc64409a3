/* Landform embed extension "files": a file picker for `file` fields, and the answers sent as multipart. */
(window.LandformX = window.LandformX || {}).files = ({ rows, h, on }) => {
  for (const r of rows) {
    const f = r.f;
    if (f.type != 'file') continue;
    const id = 'lf-' + f.name, hint = h('p', { class: 'h', id: id + '-l' }, f.limits);
    const input = h('input', { id, name: f.name, type: 'file', accept: f.accept, multiple: f.max_files > 1, required: f.required });
    r.cs[0].replaceWith(input, hint);
    r.cs = [input];
    // the limits stay announced with the field; mark() sets help and error ids, so keep ours first
    input.setAttribute('aria-describedby', hint.id);
  }
  // the FormData itself: the browser sends it as multipart/form-data, a simple CORS request
  on.body.push(fd => fd);
};
