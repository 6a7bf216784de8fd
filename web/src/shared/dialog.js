// A modal form for the staff pages: fields, Cancel and a submit button; the submit's promise
// closes it, or shows its error in the form.

import { h } from './format.js';

export function dialog(title, fields, submitLabel, onSubmit) {
  const error = h('p', { class: 'error', role: 'alert' });
  const form = h('form', { method: 'dialog' }, h('h2', {}, title), ...fields, error,
    h('div', { class: 'buttons' },
      h('button', { type: 'button', class: 'ghost', onclick: () => dlg.close() }, 'Cancel'),
      h('button', { type: 'submit', class: 'primary' }, submitLabel)));
  const dlg = h('dialog', { class: 'dialog' }, form);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      await onSubmit(new FormData(form));
      dlg.close();
    } catch (err) {
      error.textContent = err.message;
    }
  });
  dlg.addEventListener('close', () => dlg.remove());
  document.body.append(dlg);
  dlg.showModal();
  return dlg;
}
