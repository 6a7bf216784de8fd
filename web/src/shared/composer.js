// The reply box of the widget and the console: Enter sends, Shift+Enter starts a new line,
// typing is announced at most every few seconds, and every message goes through the outbox.

import { h } from './format.js';

const TYPING_EVERY_MS = 3000;

// conn: ChatConnection; conversation: () => the conversation's id and whether typing may be sent.
export function composer({ conn, conversation, rows, label, placeholder, onSent }) {
  let lastTyping = 0;
  const input = h('textarea', { id: 'reply', rows, maxlength: 4000, 'aria-label': label, placeholder });
  const send = () => {
    const text = input.value.trim();
    if (!text) return;
    input.value = '';
    conn.enqueue({ type: 'send', conversation: conversation().id, text });
    onSent();
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
  return h('form', { class: 'composer', onsubmit: (e) => { e.preventDefault(); send(); } }, input,
    h('button', { type: 'submit', class: 'primary' }, 'Send'));
}
