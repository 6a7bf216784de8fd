// Saved answers in the console: the list (the tenant's shared ones and the expert's own), a
// manager to create, edit and delete them, and the "/" search in the reply box that inserts
// one with its variables filled in and remembers its action for when the reply is sent.

import { dialog } from '../shared/dialog.js';
import { h } from '../shared/format.js';

export const VARIABLES = ['customer_name', 'customer_local_time', 'reopen_until', 'ticket', 'expert_name'];
const ACTIONS = { '': 'Nothing', hold: 'Put on hold', escalate: 'Escalate (the text is the summary)', propose_time: 'Propose a time',
  set_severity: 'Set the severity' };

// The text with each {variable} replaced; an unknown or empty one is left for the expert to see.
export function fill(text, values) {
  return text.replace(/\{([a-z_]+)\}/g, (whole, name) => (values[name] ? String(values[name]) : whole));
}

// Answers whose shortcut starts with, or whose title or text holds, what was typed after "/".
export function matching(answers, query) {
  const q = query.toLowerCase();
  const score = (a) => (a.shortcut?.toLowerCase().startsWith(q) ? 0 : a.title.toLowerCase().includes(q) ? 1
    : a.text.toLowerCase().includes(q) ? 2 : 3);
  return answers.map((a) => [score(a), a]).filter(([s]) => s < 3).sort((x, y) => x[0] - y[0]).map(([, a]) => a);
}

export class SavedAnswers {
  constructor(conn, onChange) {
    this.conn = conn;
    this.list = [];
    this.onChange = onChange;
  }

  load() {
    return this.conn.request({ type: 'answers' }).then((r) => this.took(r)).catch(() => {});
  }

  took(r) {
    this.list = r.answers;
    this.onChange?.();
    return r;
  }

  // The reply box: "/" at the start of a line opens the search; arrows choose, Enter or Tab insert.
  attach(input, context) {
    const box = h('ul', { class: 'answer-search', role: 'listbox', 'aria-label': 'Saved answers', hidden: true });
    let found = [];
    let at = 0;
    const query = () => {
      const upto = input.value.slice(0, input.selectionStart);
      const m = upto.match(/(?:^|\n)\/([^\s/]*)$/);
      return m ? { text: m[1], from: upto.length - m[1].length - 1 } : null;
    };
    const close = () => {
      box.hidden = true;
      found = [];
    };
    const draw = () => {
      box.replaceChildren(...found.map((a, i) => h('li', { role: 'option', 'aria-selected': String(i === at), class: i === at ? 'chosen' : '',
        onmousedown: (e) => { e.preventDefault(); at = i; insert(); } },
        h('strong', {}, a.title), a.shortcut ? h('span', { class: 'shortcut' }, ` /${a.shortcut}`) : null,
        a.shared ? h('span', { class: 'scope' }, ' shared') : null,
        h('span', { class: 'preview' }, fill(a.text, context.values())))));
      box.hidden = found.length === 0;
    };
    const insert = () => {
      const q = query();
      const a = found[at];
      if (!q || !a) return close();
      const text = fill(a.text, context.values());
      input.value = input.value.slice(0, q.from) + text + input.value.slice(input.selectionStart);
      input.selectionStart = input.selectionEnd = q.from + text.length;
      context.chosen(a);
      close();
      input.focus();
    };
    input.addEventListener('input', () => {
      const q = query();
      if (!q) return close();
      found = matching(this.list, q.text).slice(0, 8);
      at = 0;
      draw();
    });
    input.addEventListener('blur', () => setTimeout(close, 150));
    // Before the composer's own keys: Enter inserts instead of sending while the list is open.
    input.parentElement.addEventListener('keydown', (e) => {
      if (e.target !== input || box.hidden) return;
      const moves = { ArrowDown: 1, ArrowUp: -1 };
      if (moves[e.key]) at = (at + moves[e.key] + found.length) % found.length, draw();
      else if (e.key === 'Enter' || e.key === 'Tab') insert();
      else if (e.key === 'Escape') close();
      else return;
      e.preventDefault();
      e.stopPropagation();
    }, true);
    return box;
  }

  manage() {
    const listEl = h('ul', { class: 'answer-list' });
    const draw = () => listEl.replaceChildren(...(this.list.length ? this.list.map((a) => h('li', { 'data-answer': a.id },
      h('p', {}, h('strong', {}, a.title), a.shortcut ? ` · /${a.shortcut}` : '', a.shared ? ' · shared' : ' · mine',
        a.action ? ` · then ${ACTIONS[a.action].toLowerCase()}${a.action === 'propose_time' ? ` in ${a.in_minutes} min` : ''}${a.action === 'set_severity' ? ` ${a.severity}` : ''}` : ''),
      h('p', { class: 'text' }, a.text),
      h('div', { class: 'buttons' },
        h('button', { type: 'button', class: 'secondary', onclick: () => this.edit(a).then(draw) }, 'Edit'),
        h('button', { type: 'button', class: 'danger', onclick: () => this.remove(a).then(draw).catch((e) => alertIn(listEl, e)) }, 'Delete'))))
      : [h('li', { class: 'empty' }, 'No saved answers yet.')]));
    draw();
    this.load().then(draw);
    dialog('Saved answers', [
      h('p', { class: 'meta' }, `Type / in a reply to insert one. Variables: ${VARIABLES.map((v) => `{${v}}`).join(' ')}.`),
      h('button', { type: 'button', class: 'secondary', onclick: () => this.edit(null).then(draw) }, 'New saved answer…'),
      listEl], 'Done', async () => {});
  }

  // The form for a new answer (a null one) or an existing one; resolves once saved or cancelled.
  edit(a) {
    return new Promise((resolve) => {
      const action = h('select', { id: 'answer-action', name: 'action' }, Object.entries(ACTIONS).map(([v, label]) =>
        h('option', { value: v, selected: (a?.action || '') === v }, label)));
      const dlg = dialog(a ? 'Edit saved answer' : 'New saved answer', [
        h('label', { for: 'answer-title' }, 'Title'),
        h('input', { id: 'answer-title', name: 'title', required: true, maxlength: 200, value: a?.title || '' }),
        h('label', { for: 'answer-text' }, 'Text'),
        h('textarea', { id: 'answer-text', name: 'text', required: true, rows: 4, maxlength: 4000 }, a?.text || ''),
        h('label', { for: 'answer-shortcut' }, 'Shortcut (after /)'),
        h('input', { id: 'answer-shortcut', name: 'shortcut', pattern: '[A-Za-z0-9._:@-]{1,64}', value: a?.shortcut || '' }),
        h('label', { for: 'answer-action' }, 'Then'),
        action,
        h('label', { for: 'answer-minutes' }, 'Propose a time in (minutes)'),
        h('input', { id: 'answer-minutes', name: 'minutes', type: 'number', min: 1, max: 43200, value: a?.in_minutes || 60 }),
        h('label', { for: 'answer-severity' }, 'Set the severity to'),
        h('select', { id: 'answer-severity', name: 'severity' }, ['1', '2', '3', '4'].map((v) =>
          h('option', { value: v, selected: String(a?.severity || 3) === v ? '' : null }, v))),
        h('label', {}, h('input', { type: 'checkbox', name: 'shared', checked: a ? a.shared : false, disabled: !!a }),
          ' Shared with the team')], 'Save',
      (data) => {
        const request = { type: 'answer_save', title: data.get('title').trim(), text: data.get('text').trim(),
          shared: a ? a.shared : data.get('shared') === 'on' };
        if (a) request.answer = a.id;
        if (data.get('shortcut').trim()) request.shortcut = data.get('shortcut').trim();
        if (data.get('action')) request.action = data.get('action');
        if (request.action === 'propose_time') request.in_minutes = Number(data.get('minutes'));
        if (request.action === 'set_severity') request.severity = Number(data.get('severity'));
        return this.conn.request(request).then((r) => this.took(r));
      });
      dlg.addEventListener('close', () => resolve());
    });
  }

  remove(a) {
    return this.conn.request({ type: 'answer_delete', answer: a.id, shared: a.shared }).then((r) => this.took(r));
  }
}

function alertIn(el, e) {
  el.prepend(h('li', { class: 'error', role: 'alert' }, e.message));
}
