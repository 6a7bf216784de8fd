// A team lead's live view of one conversation: its transcript and internal thread as they
// happen, a whisper to its expert, and the lead's controls (reassign, take over, the customer's
// restriction). Opening sends `history`, which also starts chatd's live feed; closing, `unwatch`.

import { classificationFacts, classificationHistory, classifyDialog } from '../shared/classify.js';
import { dialog } from '../shared/dialog.js';
import { clockTime, h, when } from '../shared/format.js';

export class LiveView {
  constructor(conn, monitor) {
    this.conn = conn;
    this.monitor = monitor; // for the experts board
    this.id = null;
    this.el = h('section', { class: 'live', 'aria-label': 'Conversation, live', hidden: true });
    const on = (type, f) => conn.addEventListener(type, (e) => f(e.detail));
    on('conversation', (s) => this.is(s.conversation) && ((this.snapshot = s), this.renderHead()));
    on('message', (m) => this.is(m.conversation) && (this.messages.set(m.seq, m), this.renderTranscript()));
    on('note', (n) => this.is(n.conversation) && (this.notes.set(n.seq, n), this.renderNotes()));
  }

  is(id) {
    return this.id !== null && id === this.id;
  }

  open(id) {
    if (this.id === id) return;
    this.close();
    this.id = id;
    this.joined = false;
    this.snapshot = null;
    this.messages = new Map();
    this.notes = new Map();
    this.layout();
    this.conn.resume(id);
    this.conn.request({ type: 'notes', conversation: id })
      .then((answer) => {
        for (const n of answer.notes) this.notes.set(n.seq, n);
        this.renderNotes();
      })
      .catch((e) => this.say(`The internal notes could not be read: ${e.message}`));
  }

  close() {
    if (this.id === null) return;
    const id = this.id;
    this.id = null;
    this.el.hidden = true;
    this.el.replaceChildren();
    // Forgotten by the connection too, so that a reconnect does not watch it again.
    this.conn.conversations.delete(id);
    this.conn.request({ type: 'unwatch', conversation: id }).catch(() => {});
  }

  layout() {
    this.headEl = h('div', { class: 'live-head' });
    this.logEl = h('ol', { class: 'transcript', role: 'log', 'aria-live': 'polite', 'aria-label': 'Transcript' });
    this.notesEl = h('ol', { class: 'notes', 'aria-label': 'Internal notes' });
    this.statusEl = h('p', { class: 'live-status', role: 'status' });
    const box = h('textarea', { id: 'whisper', rows: 2, maxlength: 4000, 'aria-label': 'Whisper to the expert',
      placeholder: 'Whisper — only the expert and staff see it' });
    const send = () => {
      const text = box.value.trim();
      if (!text) return;
      box.disabled = true;
      this.whisper(text)
        .then(() => { box.value = ''; })
        .catch((e) => this.say(`Not sent: ${e.message}`))
        .finally(() => { box.disabled = false; box.focus(); });
    };
    box.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !e.shiftKey) {
        e.preventDefault();
        send();
      }
    });
    this.el.replaceChildren(this.headEl, this.statusEl,
      h('div', { class: 'live-columns' },
        this.talkEl = h('div', { class: 'live-talk' }, this.logEl),
        h('section', { class: 'internal', 'aria-label': 'Internal notes' },
          h('h3', {}, 'Internal notes ', h('span', { class: 'staff-only' }, 'staff only')),
          this.notesEl,
          h('div', { class: 'note-composer' }, box, h('button', { class: 'secondary', onclick: send }, 'Whisper')))));
    this.el.hidden = false;
    this.renderHead();
    this.renderTranscript();
    this.renderNotes();
  }

  // A note in the thread: chatd sends it to the conversation's expert, never to the customer.
  whisper(text) {
    const id = this.id;
    const clientId = `w-${crypto.randomUUID()}`;
    return this.conn.request({ type: 'note', conversation: id, text, client_id: clientId }).then((ok) => {
      if (!this.is(id)) return;
      const me = this.conn.welcome || {};
      this.notes.set(ok.seq, { conversation: id, seq: ok.seq, at: ok.at, author: `${me.tenant}/${me.user}`, role: 'monitor',
        name: me.name || '', text, mentions: [] });
      this.renderNotes();
    });
  }

  say(text) {
    if (this.statusEl) this.statusEl.textContent = text;
  }

  renderHead() {
    if (this.id === null) return;
    const s = this.snapshot;
    if (!s) return this.headEl.replaceChildren(h('h2', {}, 'Opening…'));
    const expert = s.expert ? this.monitor.experts.get(s.expert)?.name || s.expert : '—';
    const button = (label, f, cls = 'secondary') => h('button', { class: cls, onclick: f }, label);
    const moving = ['queued', 'offered', 'active', 'on_hold'].includes(s.state);
    this.headEl.replaceChildren(
      h('h2', {}, s.customer_name, h('span', { class: `tier ${s.tier}` }, s.tier)),
      h('dl', { class: 'facts' },
        h('dt', {}, 'Topic'), h('dd', {}, s.topic),
        h('dt', {}, 'State'), h('dd', { class: 'state' }, s.state.replace('_', ' ')),
        h('dt', {}, 'Expert'), h('dd', { class: 'expert' }, expert),
        ...classificationFacts(s),
        h('dt', {}, 'Opened'), h('dd', {}, when(s.opened_at))),
      ...[classificationHistory(s)].filter(Boolean),
      h('div', { class: 'actions', role: 'toolbar', 'aria-label': 'Lead actions' },
        moving ? button(s.state === 'queued' ? 'Place with…' : 'Reassign…', () => this.reassign()) : null,
        moving ? button('Take over', () => this.takeOver()) : null,
        ['active', 'on_hold'].includes(s.state) && !this.joined ? button('Join', () => this.join()) : null,
        s.state !== 'closed' ? button('Classify…', () => classifyDialog(this.conn, s)) : null,
        button('Restriction…', () => this.restriction()),
        button('Close view', () => this.close(), 'ghost')));
  }

  renderTranscript() {
    if (this.id === null) return;
    const msgs = [...this.messages.values()].sort((a, b) => a.seq - b.seq);
    this.logEl.replaceChildren(...(msgs.length ? msgs.map((m) => h('li', { class: `message ${m.from === 'customer' ? 'theirs' : 'mine'}`, 'data-seq': String(m.seq) },
      h('p', { class: 'author' }, m.name, ' ', h('time', { datetime: m.at }, clockTime(m.at))),
      h('p', { class: 'text' }, m.attachment ? `📎 ${m.attachment.name}` : m.text))) : [h('li', { class: 'empty' }, 'No messages yet.')]));
    this.logEl.scrollTop = this.logEl.scrollHeight;
  }

  renderNotes() {
    if (this.id === null) return;
    const notes = [...this.notes.values()].sort((a, b) => a.seq - b.seq);
    this.notesEl.replaceChildren(...(notes.length ? notes.map((n) => h('li', { class: 'note', 'data-seq': String(n.seq) },
      h('p', { class: 'author' }, n.name, n.role === 'monitor' ? ' (lead)' : '', ' ', h('time', { datetime: n.at }, clockTime(n.at))),
      h('p', { class: 'text' }, n.text))) : [h('li', { class: 'empty' }, 'No notes yet.')]));
  }

  reassign() {
    const id = this.id;
    const experts = [...this.monitor.experts.values()].filter((x) => x.expert !== this.snapshot?.expert)
      .sort((a, b) => a.name.localeCompare(b.name));
    const ready = (x) => x.connected && x.presence !== 'offline' && x.load < x.capacity;
    dialog(this.snapshot?.state === 'queued' ? 'Place with an expert' : 'Reassign to another expert', [
      h('p', { class: 'meta' }, 'The expert gets it at once, without an offer.'),
      h('label', { for: 'reassign-to' }, 'Expert'),
      h('select', { id: 'reassign-to', name: 'to', required: true }, h('option', { value: '' }, 'Choose…'),
        experts.map((x) => h('option', { value: x.expert, disabled: !ready(x) },
          `${x.name} — ${ready(x) ? `${x.presence}, ${x.load}/${x.capacity}` : x.connected ? `${x.presence}, full` : 'disconnected'}`))),
      h('label', { for: 'reassign-reason' }, 'Reason'),
      h('input', { id: 'reassign-reason', name: 'reason', type: 'text', maxlength: 2000 })], 'Reassign',
    (data) => this.conn.request({ type: 'reassign', conversation: id, to: data.get('to'), reason: data.get('reason').trim() }));
  }

  // Joined, the lead writes to the customer beside the expert, from a reply box under the transcript.
  join() {
    const id = this.id;
    this.conn.request({ type: 'join', conversation: id }).then(() => {
      if (!this.is(id)) return;
      this.joined = true;
      this.renderHead();
      const input = h('textarea', { id: 'lead-reply', rows: 2, maxlength: 4000, 'aria-label': 'Write to the customer',
        placeholder: 'Write to the customer — Enter sends' });
      input.addEventListener('keydown', (e) => {
        if (e.key !== 'Enter' || e.shiftKey) return;
        e.preventDefault();
        const text = input.value.trim();
        if (!text) return;
        input.value = '';
        this.conn.enqueue({ type: 'send', conversation: id, text });
      });
      this.talkEl.append(input);
      input.focus();
    }).catch((e) => this.say(e.message));
  }

  takeOver() {
    this.conn.request({ type: 'take_over', conversation: this.id })
      .then(() => this.say('It is yours now: answer it in the expert console.'))
      .catch((e) => this.say(e.message));
  }

  restriction() {
    const user = this.snapshot?.customer;
    if (!user) return;
    const later = new Date(Date.now() + 30 * 86400000);
    const local = new Date(later.getTime() - later.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
    dialog(`Restriction of ${this.snapshot.customer_name}`, [
      h('p', { class: 'meta' }, 'Lift the customer\'s conduct restriction, or extend it. The reason is kept in the audit log.'),
      h('label', { for: 'restriction-what' }, 'Change'),
      h('select', { id: 'restriction-what', name: 'what' }, h('option', { value: 'lift' }, 'Lift it now'), h('option', { value: 'extend' }, 'Extend it to…')),
      h('label', { for: 'restriction-until' }, 'Until (your local time, when extending)'),
      h('input', { id: 'restriction-until', name: 'until', type: 'datetime-local', value: local }),
      h('label', { for: 'restriction-reason' }, 'Reason'),
      h('input', { id: 'restriction-reason', name: 'reason', type: 'text', maxlength: 2000, required: true })], 'Apply',
    (data) => {
      const request = { type: 'restriction', user, reason: data.get('reason').trim() };
      if (data.get('what') === 'extend') request.until = new Date(data.get('until')).toISOString().replace(/\.\d{3}Z$/, 'Z');
      return this.conn.request(request).then(() => this.say(request.until ? 'Restriction extended.' : 'Restriction lifted.'));
    });
  }
}
