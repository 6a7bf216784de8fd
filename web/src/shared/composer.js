// The reply box of the widget and the console: Enter sends, Shift+Enter starts a new line,
// typing is announced at most every few seconds, and every message goes through the outbox.

import { h } from './format.js';

const TYPING_EVERY_MS = 3000;

const MESSAGE_LIMIT = 4000; // bytes; a longer paste is sent as a text file

// conn: ChatConnection; conversation: () => the conversation's id and whether typing may be sent;
// onFiles(files): files chosen, pasted (a screenshot, or text too long for a message) or dropped.
export function composer({ conn, conversation, rows, label, placeholder, onSent, onFiles = null }) {
  let lastTyping = 0;
  const input = h('textarea', { id: 'reply', rows, maxlength: MESSAGE_LIMIT, 'aria-label': label, placeholder });
  const send = () => {
    const text = input.value.trim();
    if (!text) return;
    input.value = '';
    conn.enqueue({ type: 'send', conversation: conversation().id, text });
    onSent(text);
  };
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.altKey) {
      e.preventDefault();
      send();
    }
  });
  input.addEventListener('input', () => {
    const { id, typing } = conversation();
    if (!typing || Date.now() - lastTyping < TYPING_EVERY_MS) return;
    lastTyping = Date.now();
    conn.notify({ type: 'typing', conversation: id });
  });
  if (!onFiles) {
    return h('form', { class: 'composer', onsubmit: (e) => { e.preventDefault(); send(); } }, input,
      h('button', { type: 'submit', class: 'primary' }, 'Send'));
  }
  input.addEventListener('paste', (e) => {
    const files = [...(e.clipboardData?.files || [])];
    if (files.length) {
      e.preventDefault();
      return onFiles(files);
    }
    const text = e.clipboardData?.getData('text/plain') || '';
    if (new TextEncoder().encode(text).length > MESSAGE_LIMIT) {
      e.preventDefault();
      onFiles([new File([text], 'pasted.txt', { type: 'text/plain' })]);
    }
  });
  const picker = h('input', { type: 'file', multiple: true, hidden: true, id: 'attach-file',
    onchange: () => {
      onFiles([...picker.files]);
      picker.value = '';
    } });
  const attach = h('button', { type: 'button', class: 'secondary attach', title: 'Attach a file (or paste a screenshot, or drop files on the conversation)',
    onclick: () => picker.click() }, 'Attach');
  return h('form', { class: 'composer', onsubmit: (e) => { e.preventDefault(); send(); } }, attach, picker, input,
    h('button', { type: 'submit', class: 'primary' }, 'Send'));
}
