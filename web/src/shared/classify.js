// A conversation's classification for staff pages: what the protocol's request types are
// called, the dialog that changes severity, type or priority with a reason, and the history
// of changes (staff only: a reason never reaches the customer).

import { dialog } from './dialog.js';
import { h, when } from './format.js';

export const REQUEST_TYPES = { problem: 'a problem', question: 'a question', feature_request: 'a feature request', request: 'a request' };

// Sends `classify` with only what changed.
export function classifyDialog(conn, s) {
  const select = (name, label, options, current) => [h('label', { for: `classify-${name}` }, label),
    h('select', { id: `classify-${name}`, name },
      options.map(([value, text]) => h('option', { value, selected: String(current ?? '') === value ? '' : null }, text)))];
  dialog('Classify the conversation', [
    ...select('severity', 'Severity', [['1', '1 — critical'], ['2', '2 — high'], ['3', '3 — normal'], ['4', '4 — low']], s.severity),
    ...select('request_type', 'Request type', [['', 'not given'], ...Object.entries(REQUEST_TYPES)], s.request_type),
    ...select('priority', 'Priority', [['high', 'high'], ['normal', 'normal'], ['low', 'low — response times not critical']], s.priority),
    h('label', { for: 'classify-reason' }, 'Why (kept for staff, never shown to the customer)'),
    h('textarea', { id: 'classify-reason', name: 'reason', rows: 2, maxlength: 2000, required: true })], 'Change',
  (data) => {
    const r = { type: 'classify', conversation: s.conversation, reason: data.get('reason').trim() };
    if (Number(data.get('severity')) !== s.severity) r.severity = Number(data.get('severity'));
    if (data.get('request_type') && data.get('request_type') !== s.request_type) r.request_type = data.get('request_type');
    if (data.get('priority') !== s.priority) r.priority = data.get('priority');
    return conn.request(r);
  });
}

export function classificationFacts(s) {
  return [h('dt', {}, 'Severity'), h('dd', { class: 'severity' }, String(s.severity)),
    h('dt', {}, 'Type'), h('dd', { class: 'request-type' }, REQUEST_TYPES[s.request_type] || 'not given'),
    h('dt', {}, 'Priority'), h('dd', { class: 'priority' }, s.priority || 'normal')];
}

export function classificationHistory(s) {
  if (!s.classifications?.length) return null;
  return h('details', { class: 'classifications' }, h('summary', {}, `Reclassified ${s.classifications.length}×`),
    h('ul', {}, s.classifications.map((k) => h('li', {},
      `${k.field.replace('_', ' ')}: ${k.from || 'not given'} → ${k.to} by ${k.by}, ${when(k.at)}: ${k.reason}`))));
}
