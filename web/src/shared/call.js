// A video call offered in a conversation: its meeting link as a button that opens in a new tab.

import { h } from './format.js';

// Only an http(s) link becomes a button; anything else is shown as text.
export function callView(url) {
  let ok = false;
  try {
    ok = ['https:', 'http:'].includes(new URL(url).protocol);
  } catch {
    ok = false;
  }
  if (!ok) return h('p', { class: 'text' }, url);
  return h('div', { class: 'call' },
    h('p', { class: 'text' }, 'Your expert invites you to a video call.'),
    h('a', { class: 'call-button', href: url, target: '_blank', rel: 'noopener noreferrer' }, 'Join the video call'));
}
