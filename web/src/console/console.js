// The expert console: presence and capacity, offers with a countdown, the conversations an
// expert holds with unread counts and clocks, and a pane to work one conversation.

import { acceptDrops, attachmentView, Uploads, uploadView } from '../shared/attachments.js';
import { composer } from '../shared/composer.js';
import { classificationFacts, classificationHistory, classifyDialog } from '../shared/classify.js';
import { dialog } from '../shared/dialog.js';
import { ChatConnection, webSocketUrl } from '../shared/connection.js';
import { clock, clockTime, h, secondsSince, when } from '../shared/format.js';
import { forgetToken, signIn } from '../shared/sign_in.js';
import { beep } from '../shared/notify.js';
import { maskSecrets, secretMasker } from '../shared/secrets.js';
import { SavedAnswers } from './saved_answers.js';
import '../shared/staff.css';
import '../shared/attachments.css';
import './console.css';

const TYPING_SHOWN_MS = 4000;
const app = document.getElementById('app');

const SHORTCUTS = [
  ['Alt+A', 'accept the oldest offer'],
  ['Alt+D', 'decline the oldest offer'],
  ['Alt+J / Alt+K', 'next / previous conversation'],
  ['Alt+R', 'write a reply'],
  ['Alt+H', 'hold or resume'],
  ['Alt+O', 'hand off'],
  ['Alt+T', 'transfer to a colleague or a team'],
  ['Alt+C', 'close the conversation'],
  ['Escape', 'close a dialog'],
];

// A hand-off card: the note, what was tried, what was promised and by when (any of them).
const hasCard = (x) => x.note || x.tried || x.promised || x.promised_at || x.to || x.team;
const cardLines = (x) => [
  x.to || x.team ? h('span', { class: 'card-line transferred' }, x.to ? `Transferred to ${x.to_name || x.to}` : `Transferred to team ${x.team}`) : null,
  x.note ? h('span', { class: 'card-note' }, x.note) : null,
  x.tried ? h('span', { class: 'card-line' }, `Tried: ${x.tried}`) : null,
  x.promised || x.promised_at ? h('span', { class: 'card-line' },
    `Promised: ${x.promised || '—'}${x.promised_at ? ` (by ${when(x.promised_at)})` : ''}`) : null].filter(Boolean);

class Console {
  constructor(token) {
    this.offers = new Map(); // id -> offered event
    this.conversations = new Map(); // id -> {snapshot, messages, unread, notices, typingUntil, breached, stayRequested}
    this.selectedId = null;
    this.mentions = []; // notes naming me, newest first
    this.colleagues = new Map(); // user -> the board's entry (presence, load, capacity, skills)
    this.presence = 'offline';
    this.layout();
    this.getToken = async () => token;
    this.uploads = new Uploads({ server: location.origin, getToken: this.getToken, onChange: () => this.renderTranscript() });
    this.conn = new ChatConnection({ url: webSocketUrl(location.origin), getToken: this.getToken,
      storageKey: 'chatd.console.outbox' });
    this.answers = new SavedAnswers(this.conn);
    this.mask = maskSecrets;
    this.loadSettings();
    this.wire();
    this.renderMentions();
    this.conn.start();
    setInterval(() => this.tick(), 1000);
    document.addEventListener('keydown', (e) => this.shortcut(e));
    document.addEventListener('visibilitychange', () => this.renderTitle());
  }

  layout() {
    this.statusEl = h('span', { class: 'connection', role: 'status' });
    this.presenceEl = h('select', { id: 'presence', 'aria-label': 'Presence', onchange: () => this.setPresence(this.presenceEl.value) },
      ['available', 'away', 'offline'].map((p) => h('option', { value: p }, p[0].toUpperCase() + p.slice(1))));
    this.capacityEl = h('input', { id: 'capacity', type: 'number', min: 0, max: 100, value: 3, 'aria-label': 'Capacity',
      onchange: () => this.setCapacity(Number(this.capacityEl.value)) });
    this.autoAcceptEl = h('input', { id: 'auto-accept', type: 'checkbox',
      onchange: () => this.setAutoAccept(this.autoAcceptEl.checked) });
    // The skills routing uses for me: those my token grants, which I may narrow.
    this.skillsEl = h('details', { class: 'skills-menu' }, h('summary', {}, 'Skills'));
    this.queueEl = h('span', { class: 'queue-depth' });
    this.meEl = h('span', { class: 'me' });
    this.offersEl = h('ul', { class: 'offers', 'aria-label': 'Offers' });
    this.listEl = h('ul', { class: 'conversation-list', 'aria-label': 'Your conversations' });
    this.mentionsEl = h('ul', { class: 'mentions', 'aria-label': 'Mentions' });
    this.paneEl = h('section', { class: 'pane', 'aria-label': 'Conversation' }, h('p', { class: 'empty' }, 'No conversation selected.'));
    this.toastEl = h('p', { class: 'toast', role: 'alert' });
    app.replaceChildren(
      h('header', { class: 'topbar' },
        h('strong', {}, 'chatd · Expert console'), this.meEl,
        h('label', { for: 'presence' }, 'Presence'), this.presenceEl,
        h('label', { for: 'capacity' }, 'Capacity'), this.capacityEl,
        h('label', { for: 'auto-accept' }, this.autoAcceptEl, ' Auto-accept'),
        this.skillsEl,
        this.queueEl, this.statusEl,
        h('button', { class: 'ghost', onclick: () => this.answers.manage() }, 'Saved answers'),
        h('button', { class: 'ghost', onclick: () => this.help() }, 'Shortcuts'),
        h('button', { class: 'ghost', onclick: () => { forgetToken(); location.reload(); } }, 'Sign out')),
      h('div', { class: 'columns' },
        h('aside', { class: 'sidebar' }, h('h2', {}, 'Offers'), this.offersEl, h('h2', {}, 'Conversations'), this.listEl,
          h('h2', {}, 'Mentions'), this.mentionsEl),
        this.paneEl),
      this.toastEl);
  }

  wire() {
    const on = (type, f) => this.conn.addEventListener(type, (e) => f(e.detail));
    on('status', ({ status, reason }) => {
      this.statusEl.textContent = status === 'online' ? 'Online' : status === 'connecting' ? 'Connecting…' : `Offline — ${reason || 'reconnecting'}`;
      this.statusEl.dataset.status = status;
    });
    on('auth_error', (e) => {
      this.toast(`Sign-in refused: ${e.message}`);
      forgetToken();
    });
    on('welcome', (w) => {
      this.me = w;
      this.meEl.textContent = w.name;
      this.autoAcceptEl.checked = !!w.auto_accept;
      this.renderSkills(w.granted_skills || [], w.skills || []);
      this.conn.request({ type: 'subscribe' }).catch(() => {});
      this.answers.load();
    });
    on('presence', (e) => {
      if (this.presence !== e.presence && this.presence !== 'offline' && e.presence === 'away')
        this.toast('You were set away (a missed offer or a lost connection).');
      this.presence = e.presence;
      this.presenceEl.value = e.presence;
    });
    on('conversation', (s) => {
      const c = this.conv(s.conversation);
      const wasMine = c.snapshot && this.holds(c.snapshot);
      c.snapshot = s;
      if (this.holds(s)) {
        this.conn.resume(s.conversation, s.epoch);
        if (!c.earlier) this.loadEarlier(c);
      }
      else if (wasMine && s.state !== 'closed') c.leftUs = true;
      if (!this.selectedId && this.holds(s)) this.selectedId = s.conversation;
      this.render();
    });
    on('offered', (e) => {
      this.offers.set(e.conversation, { ...e, total_s: Math.max(1, (new Date(e.expires_at) - Date.now()) / 1000) });
      this.alert();
      this.renderOffers();
    });
    on('offer_withdrawn', (e) => {
      this.offers.delete(e.conversation);
      if (e.missed) this.toast('An offer timed out.');
      this.renderOffers();
    });
    on('assigned', (e) => {
      this.offers.delete(e.conversation);
      this.selectedId = e.conversation;
      this.conn.refresh(e.conversation);
      this.render();
    });
    on('message', (m) => {
      const c = this.conv(m.conversation);
      c.messages.set(m.seq, m);
      if (m.attachment && m.client_id) this.uploads.arrived(m.client_id);
      if (m.from === 'customer') {
        c.typingUntil = 0;
        if (m.conversation !== this.selectedId || document.hidden) {
          c.unread++;
          this.alert();
        }
      } else {
        c.replyLate = false; // answered
      }
      this.render();
    });
    on('attachment_state', (e) => {
      for (const m of this.conv(e.conversation).messages.values())
        if (m.attachment?.id === e.attachment.id) m.attachment = e.attachment;
      if (e.conversation === this.selectedId) this.renderTranscript();
    });
    on('typing', (e) => {
      this.conv(e.conversation).typingUntil = Date.now() + TYPING_SHOWN_MS;
      this.renderTyping();
    });
    on('stay_requested', (e) => {
      this.conv(e.conversation).stayRequested = true;
      this.note(e.conversation, 'The customer would like to continue with you later: propose a time.');
      this.render();
    });
    on('sla_breached', (e) => {
      if (!this.conversations.has(e.conversation)) return; // a queue-wide notice for subscribers
      // The first answer's clock, or (next_response) a customer waiting again past its target.
      if (e.clock === 'next_response') this.conv(e.conversation).replyLate = true;
      else if (e.clock !== 'update') this.conv(e.conversation).breached = true;
      this.render();
    });
    on('held', (e) => this.note(e.conversation, e.by === 'customer' ? 'The customer put it on hold.' : 'On hold.'));
    on('resumed', (e) => this.note(e.conversation, 'Resumed.'));
    on('joined', (e) => this.note(e.conversation, `${e.name}, a team lead, joined the conversation.`));
    on('handed_off', (e) => {
      const to = e.to ? ` to ${this.colleagues.get(e.to)?.name || e.to}` : e.team ? ` to team ${e.team}` : '';
      this.note(e.conversation, `${e.to || e.team ? 'Transferred' : 'Handed off'}${to}${e.note ? `: ${e.note}` : '.'}`);
    });
    on('scheduled', (e) => this.note(e.conversation, `Agreed: you continue ${when(e.at)}.`));
    on('saved', (e) => this.note(e.conversation, `Saved: the customer may reopen it until ${when(e.reopen_until)}.`));
    on('reopened', (e) => this.note(e.conversation, 'The customer reopened it.'));
    on('warned', (e) => this.note(e.conversation, `The customer was warned (offence ${e.offences}).`));
    on('duplicate', (e) => this.note(e.conversation, `Duplicate of ${e.kept}.`));
    on('escalated', (e) => this.note(e.conversation, `Escalated as ${e.ticket}; initial contact due by ${when(e.respond_by)}.`));
    on('ticket', (e) => this.note(e.conversation, `The ticket system set ${e.ticket} to: ${e.status}.`));
    on('closed', (e) => this.note(e.conversation, `Closed (${e.reason}).`));
    on('note', (n) => this.noted(n));
    on('queue_snapshot', (q) => this.board(q));
    on('queue_delta', (q) => this.board(q));
    on('settled', ({ item, error }) => {
      if (error) this.toast(`Not sent: ${error.message}`);
      if (item.conversation === this.selectedId) this.renderTranscript();
    });
  }

  holds(s) {
    return s.expert === this.me?.user && !['closed', 'queued', 'offered'].includes(s.state);
  }

  conv(id) {
    if (!this.conversations.has(id))
      this.conversations.set(id, { id, snapshot: null, messages: new Map(), unread: 0, notices: [], typingUntil: 0,
        breached: false, replyLate: false, stayRequested: false, leftUs: false, earlier: null, notes: null });
    return this.conversations.get(id);
  }

  loadEarlier(c) {
    c.earlier = 'loading';
    this.conn.request({ type: 'earlier', conversation: c.id })
      .then((answer) => {
        c.earlier = answer.conversations;
        if (c.id === this.selectedId) this.renderPane();
      })
      .catch(() => {
        c.earlier = null; // asked again with the next snapshot
      });
  }

  earlierList(c) {
    if (!Array.isArray(c.earlier)) return h('p', { class: 'earlier empty' }, 'Looking up earlier conversations…');
    if (!c.earlier.length) return h('p', { class: 'earlier empty' }, 'No earlier conversations.');
    return h('details', { class: 'earlier' },
      h('summary', {}, `Earlier conversations (${c.earlier.length})`),
      h('ul', {}, c.earlier.map((e) => h('li', { 'data-conversation': e.conversation },
        h('strong', {}, e.topic), ` · ${when(e.opened_at)} · ${e.closed_reason || e.state.replace('_', ' ')}`,
        e.expert_name ? ` · ${e.expert_name}` : '', e.ticket ? ` · ${e.ticket}` : ''))));
  }

  // ---- the internal thread (staff only) ------------------------------------------------

  myKey() {
    return this.me ? `${this.me.tenant}/${this.me.user}` : '';
  }

  noted(n) {
    const c = this.conv(n.conversation);
    if (c.notes) c.notes.set(n.seq, n);
    if (n.mentions.includes(this.myKey()) && n.author !== this.myKey()) {
      this.mentions = [n, ...this.mentions.filter((m) => m.conversation !== n.conversation || m.seq !== n.seq)].slice(0, 20);
      this.renderMentions();
      this.toast(`${n.name} mentioned you: ${n.text}`);
      this.alert();
    }
    if (n.conversation === this.selectedId) this.renderNotes(c);
  }

  loadNotes(c) {
    c.notes = new Map();
    this.conn.request({ type: 'notes', conversation: c.id })
      .then((answer) => {
        for (const n of answer.notes) c.notes.set(n.seq, n);
        if (c.id === this.selectedId) this.renderNotes(c);
      })
      .catch(() => {
        c.notes = null; // asked again the next time the pane is drawn
      });
  }

  // The writer's own note comes back as the ok (its number and time), not as an event.
  addNote(id, text) {
    const clientId = `n-${crypto.randomUUID()}`;
    return this.conn.request({ type: 'note', conversation: id, text, client_id: clientId }).then((ok) => {
      const c = this.conv(id);
      c.notes?.set(ok.seq, { conversation: id, seq: ok.seq, at: ok.at, author: this.myKey(), role: 'expert',
        name: this.me?.name || '', text, mentions: [], client_id: clientId });
      if (id === this.selectedId) this.renderNotes(c);
      return ok;
    });
  }

  notesSection(c) {
    this.notesListEl = h('ol', { class: 'notes', 'aria-label': 'Internal notes' });
    const box = h('textarea', { id: 'note', rows: 2, maxlength: 4000, 'aria-label': 'Internal note',
      placeholder: 'Internal note — only staff see it; @name tells a colleague' });
    const send = () => {
      const text = box.value.trim();
      if (!text) return;
      box.disabled = true;
      this.addNote(c.id, text)
        .then(() => { box.value = ''; })
        .catch((e) => this.toast(`Note not saved: ${e.message}`))
        .finally(() => { box.disabled = false; box.focus(); });
    };
    box.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !e.shiftKey) {
        e.preventDefault();
        send();
      }
    });
    return h('section', { class: 'internal', 'aria-label': 'Internal notes' },
      h('h3', {}, 'Internal notes ', h('span', { class: 'staff-only' }, 'staff only')),
      this.notesListEl,
      h('div', { class: 'note-composer' }, box, h('button', { class: 'secondary', onclick: send }, 'Add note')));
  }

  renderNotes(c) {
    if (!this.notesListEl || this.paneEl.dataset.view !== c.id) return;
    const notes = [...(c.notes?.values() || [])].sort((a, b) => a.seq - b.seq);
    this.notesListEl.replaceChildren(...(notes.length ? notes.map((n) => this.noteItem(n))
      : [h('li', { class: 'empty' }, 'No notes yet.')]));
  }

  noteItem(n) {
    return h('li', { class: `note${n.mentions.includes(this.myKey()) ? ' mentions-me' : ''}`, 'data-seq': String(n.seq) },
      h('p', { class: 'author' }, n.name, n.role === 'monitor' ? ' (lead)' : '', ' ',
        h('time', { datetime: n.at }, clockTime(n.at))),
      h('p', { class: 'text' }, n.text));
  }

  renderMentions() {
    const items = this.mentions.map((n) => {
      const reply = h('input', { type: 'text', 'aria-label': 'Reply in the thread', placeholder: 'Reply in the thread' });
      reply.addEventListener('keydown', (e) => {
        if (e.key !== 'Enter' || !reply.value.trim()) return;
        const text = reply.value.trim();
        reply.disabled = true;
        this.addNote(n.conversation, text)
          .then(() => { reply.value = ''; this.toast('Note added.'); })
          .catch((err) => this.toast(`Note not saved: ${err.message}`))
          .finally(() => { reply.disabled = false; });
      });
      const topic = this.conversations.get(n.conversation)?.snapshot?.topic;
      return h('li', { class: 'mention', 'data-conversation': n.conversation },
        h('p', { class: 'author' }, `${n.name} · ${topic || n.conversation} · `, h('time', { datetime: n.at }, clockTime(n.at))),
        h('p', { class: 'text' }, n.text), reply);
    });
    this.mentionsEl.replaceChildren(...(items.length ? items : [h('li', { class: 'empty' }, 'None.')]));
  }

  note(id, text) {
    const c = this.conv(id);
    c.notices.push({ text, after: Math.max(0, ...c.messages.keys()) });
    if (id === this.selectedId) this.renderTranscript();
  }

  board(q) {
    if (q.tiers) {
      const t = q.tiers;
      this.queueEl.textContent = `Queue: ${t.enterprise.depth} Enterprise · ${t.standard.depth} Standard`;
    }
    for (const x of q.experts || []) this.colleagues.set(x.expert, x);
    if (this.transferSelect?.isConnected) this.refreshTransferChoices();
    const mine = (q.experts || []).find((x) => x.expert === this.me?.user);
    if (mine && document.activeElement !== this.capacityEl) {
      this.capacityEl.value = mine.capacity;
    }
  }

  setPresence(p) {
    this.conn.request({ type: 'presence', presence: p }).catch((e) => this.toast(e.message));
  }

  setAutoAccept(on) {
    this.conn.request({ type: 'auto_accept', on }).catch((e) => {
      this.autoAcceptEl.checked = !on;
      this.toast(e.message);
    });
  }

  renderSkills(granted, active) {
    const summary = h('summary', {}, granted.length ? `Skills: ${active.join(', ') || 'none'}` : 'No skills');
    const boxes = granted.map((k) => h('label', {},
      h('input', { type: 'checkbox', value: k, checked: active.includes(k) || null,
        onchange: () => {
          const chosen = [...this.skillsEl.querySelectorAll('input:checked')].map((i) => i.value);
          this.conn.request({ type: 'skills', skills: chosen })
            .then(() => this.renderSkills(granted, chosen))
            .catch((e) => this.toast(e.message));
        } }), ` ${k}`));
    this.skillsEl.replaceChildren(summary, ...boxes);
  }

  setCapacity(n) {
    this.conn.request({ type: 'capacity', capacity: n }).catch((e) => this.toast(e.message));
  }

  act(type, id, extra = {}) {
    return this.conn.request({ type, conversation: id, ...extra }).catch((e) => {
      this.toast(`${type.replace('_', ' ')}: ${e.message}`);
      throw e;
    });
  }

  accept(id) {
    this.act('accept', id).then(() => {
      this.offers.delete(id);
      this.selectedId = id;
      this.render();
    }).catch(() => {});
  }

  decline(id) {
    this.act('decline', id).then(() => {
      this.offers.delete(id);
      this.renderOffers();
    }).catch(() => {});
  }

  select(id) {
    this.selectedId = id;
    this.conv(id).unread = 0;
    this.render();
    this.paneEl.querySelector('#reply')?.focus();
  }

  // ---- rendering -------------------------------------------------------------------------

  mine() {
    return [...this.conversations.values()].filter((c) => c.snapshot && (this.holds(c.snapshot) || c.id === this.selectedId))
      .sort((a, b) => a.snapshot.opened_at.localeCompare(b.snapshot.opened_at));
  }

  render() {
    this.renderOffers();
    this.renderList();
    this.renderPane();
    this.renderTitle();
  }

  renderTitle() {
    const unread = [...this.conversations.values()].reduce((n, c) => n + c.unread, 0);
    const waiting = this.offers.size + unread;
    document.title = `${waiting ? `(${waiting}) ` : ''}${this.offers.size ? 'New offer — ' : ''}chatd console`;
  }

  // Rebuilt only when the offers change, so that a focused Accept button keeps its focus;
  // the countdowns tick in place.
  renderOffers() {
    const ids = [...this.offers.keys()].join(' ');
    if (this.offersEl.dataset.ids !== ids) {
      this.offersEl.dataset.ids = ids;
      const items = [...this.offers.values()].map((o) => h('li', { class: `offer tier-${o.tier}`, 'data-conversation': o.conversation },
        h('p', { class: 'offer-title' }, h('span', { class: `tier ${o.tier}` }, o.tier), ` ${o.topic}`),
        h('p', { class: 'meta' }, `${o.customer_name} · severity ${o.severity}${o.region ? ` · ${o.region}` : ''}`),
        o.required_skills?.length ? h('p', { class: 'skills' }, `Needs: ${o.required_skills.join(', ')}`) : null,
        o.continues ? h('p', { class: 'meta continues' }, `Continues ${o.continues}`) : null,
        ...(o.hand_offs || []).filter(hasCard).map((x) => h('div', { class: 'hand-off-note' },
          h('strong', {}, `${x.from_name || x.from}: `), ...cardLines(x))),
        h('progress', { max: Math.round(o.total_s), 'aria-label': 'time left to accept' }),
        h('p', { class: 'countdown' }),
        h('div', { class: 'buttons' },
          h('button', { class: 'primary', onclick: () => this.accept(o.conversation) }, 'Accept'),
          h('button', { class: 'ghost', onclick: () => this.decline(o.conversation) }, 'Decline'))));
      this.offersEl.replaceChildren(...(items.length ? items : [h('li', { class: 'empty' }, 'No offers.')]));
    }
    for (const el of this.offersEl.querySelectorAll('.offer')) {
      const o = this.offers.get(el.dataset.conversation);
      const left = Math.max(0, (new Date(o.expires_at) - Date.now()) / 1000);
      el.querySelector('progress').value = Math.min(o.total_s, left);
      el.querySelector('.countdown').textContent = `${Math.ceil(left)} s left`;
    }
    this.renderTitle();
  }

  renderList() {
    const items = this.mine().map((c) => {
      const s = c.snapshot;
      return h('li', {}, h('button', {
        class: `conversation-item${c.id === this.selectedId ? ' selected' : ''}${c.breached || c.replyLate ? ' breached' : ''}`,
        'aria-current': c.id === this.selectedId ? 'true' : null, 'data-conversation': c.id,
        onclick: () => this.select(c.id) },
        h('span', { class: 'who' }, s.customer_name, h('span', { class: `tier ${s.tier}` }, s.tier)),
        h('span', { class: 'topic' }, s.topic),
        h('span', { class: 'state' }, s.state.replace('_', ' ')),
        h('span', { class: 'clock', 'data-clock': c.id }, this.clockText(c)),
        c.unread ? h('span', { class: 'unread', 'aria-label': `${c.unread} unread` }, String(c.unread)) : null));
    });
    this.listEl.replaceChildren(...(items.length ? items : [h('li', { class: 'empty' }, 'None yet.')]));
  }

  // How long the customer has waited for this expert: since their first unanswered message.
  clockText(c) {
    const msgs = [...c.messages.values()].sort((a, b) => a.seq - b.seq);
    let first = msgs.length;
    while (first > 0 && msgs[first - 1].from === 'customer') first -= 1;
    const open = `open ${clock(secondsSince(c.snapshot.opened_at))}`;
    if (c.breached && !msgs.some((m) => m.from === 'expert')) return `SLA breached · ${open}`;
    if (first < msgs.length) {
      return `waiting ${clock(secondsSince(msgs[first].at))}${c.replyLate ? ' · past the reply target' : ''}`;
    }
    return open;
  }

  renderPane() {
    const c = this.selectedId && this.conversations.get(this.selectedId);
    if (!c || !c.snapshot) {
      this.paneEl.dataset.view = '';
      this.paneEl.replaceChildren(h('p', { class: 'empty' }, 'No conversation selected.'));
      return;
    }
    if (this.paneEl.dataset.view !== c.id) {
      this.paneEl.dataset.view = c.id;
      this.headEl = h('div', { class: 'pane-head' });
      this.logEl = h('ol', { class: 'transcript', role: 'log', 'aria-live': 'polite', 'aria-label': 'Transcript', tabindex: '0' });
      this.logEl.addEventListener('scroll', () => {
        this.logEl.dataset.pinned = String(this.logEl.scrollHeight - this.logEl.scrollTop - this.logEl.clientHeight < 40);
      });
      acceptDrops(this.logEl, (files) => this.attach(c, files));
      this.typingEl = h('p', { class: 'typing', 'aria-live': 'polite' });
      this.actionsEl = h('div', { class: 'actions', role: 'toolbar', 'aria-label': 'Conversation actions' });
      this.composerEl = this.composer(c);
      const answerBox = this.answers.attach(this.composerEl.querySelector('#reply'),
        { values: () => this.answerValues(c), chosen: (a) => this.chose(c, a) });
      this.afterSendEl = h('p', { class: 'after-send', role: 'status' });
      this.paneEl.replaceChildren(this.headEl, this.logEl, this.typingEl, answerBox, this.afterSendEl, this.composerEl, this.actionsEl,
        this.notesSection(c));
      this.renderAfterSend(c);
      if (!c.notes) this.loadNotes(c);
    }
    const s = c.snapshot;
    this.headEl.replaceChildren(...[
      h('h2', {}, s.customer_name, h('span', { class: `tier ${s.tier}` }, s.tier)),
      h('dl', { class: 'facts' },
        h('dt', {}, 'Topic'), h('dd', {}, s.topic),
        ...classificationFacts(s),
        h('dt', {}, 'Region'), h('dd', {}, s.region || '—'),
        h('dt', {}, 'Local time'), h('dd', { class: 'local-time' }, this.localTime(s)),
        h('dt', {}, 'State'), h('dd', { class: 'state' }, s.state.replace('_', ' ')),
        h('dt', {}, 'Opened'), h('dd', {}, when(s.opened_at)),
        ...(s.required_skills?.length ? [h('dt', {}, 'Needs'), h('dd', { class: 'skills' }, s.required_skills.join(', '))] : []),
        ...(s.continues ? [h('dt', {}, 'Continues'), h('dd', { class: 'continues' }, s.continues)] : [])),
      this.handOffNotes(s),
      classificationHistory(s),
      c.stayRequested && s.state !== 'scheduled' ? h('p', { class: 'banner' }, 'The customer asked to continue with you later.') : null,
      this.earlierList(c),
      c.leftUs ? h('p', { class: 'banner' }, 'This conversation is no longer yours.') : null].filter(Boolean));
    this.renderActions(c);
    this.renderNotes(c);
    this.renderTranscript();
    this.renderTyping();
    this.composerEl.hidden = !this.holds(s);
  }

  // What experts before this one left for whoever comes next: staff only, never sent to a customer.
  handOffNotes(s) {
    const cards = (s.hand_offs || []).filter(hasCard);
    if (!cards.length) return null;
    return h('section', { class: 'hand-offs', 'aria-label': 'Hand-off notes' },
      h('h3', {}, 'Hand-off notes'),
      h('ul', {}, cards.map((x) => h('li', {}, h('strong', {}, x.from_name || x.from), ` · ${when(x.at)}: `, ...cardLines(x)))));
  }

  localTime(s) {
    try {
      return `${clockTime(new Date().toISOString(), s.timezone || 'UTC')} (${s.timezone || 'UTC'})`;
    } catch {
      return '—';
    }
  }

  renderActions(c) {
    const s = c.snapshot;
    if (!this.holds(s)) return this.actionsEl.replaceChildren();
    const button = (label, key, f, cls = 'secondary') => h('button', { class: cls, title: key ? `Shortcut: ${key}` : null, onclick: f }, label);
    const id = c.id;
    this.actionsEl.replaceChildren(
      s.state === 'on_hold' ? button('Resume', 'Alt+H', () => this.act('resume', id).catch(() => {}))
        : button('Hold', 'Alt+H', () => this.act('hold', id).catch(() => {})),
      button('Hand off…', 'Alt+O', () => this.handOff(id)),
      button('Transfer…', 'Alt+T', () => this.transfer(id)),
      button('Ask a lead…', null, () => this.askLead(id)),
      button('Propose a time…', null, () => this.proposeTime(id)),
      button('Mark duplicate…', null, () => this.markDuplicate(id)),
      button('Classify…', null, () => this.classify(id)),
      this.calls && s.severity <= this.calls.max_severity ? button('Offer a video call', null, () => this.offerCall(id)) : null,
      button('Escalate…', null, () => this.escalate(id)),
      button('Report conduct…', null, () => this.reportConduct(id), 'danger'),
      button('Close', 'Alt+C', () => this.act('close', id).catch(() => {}), 'primary'));
  }

  renderTranscript() {
    const c = this.selectedId && this.conversations.get(this.selectedId);
    if (!c || !this.logEl || this.paneEl.dataset.view !== c.id) return;
    const items = [];
    const notices = [...c.notices];
    const msgs = [...c.messages.values()].sort((a, b) => a.seq - b.seq);
    for (const m of msgs) {
      while (notices.length && notices[0].after < m.seq) items.push(h('li', { class: 'notice' }, notices.shift().text));
      items.push(h('li', { class: `message ${m.from === 'expert' && !m.ticket ? 'mine' : 'theirs'}`, 'data-seq': String(m.seq) },
        h('p', { class: 'author' }, m.name, m.ticket ? ` · on ticket ${m.ticket}` : '', ' ', h('time', { datetime: m.at }, clockTime(m.at))),
        m.attachment ? attachmentView(m.attachment, { server: location.origin, getToken: this.getToken, mask: this.mask })
          : m.call_url ? h('p', { class: 'text' }, 'Video call offered: ', h('a', { href: m.call_url, target: '_blank', rel: 'noopener noreferrer' }, m.call_url))
            : h('p', { class: 'text' }, m.text)));
    }
    items.push(...notices.map((n) => h('li', { class: 'notice' }, n.text)));
    const shown = new Set(msgs.map((m) => m.client_id));
    for (const o of this.conn.outbox)
      if (o.conversation === c.id && !shown.has(o.client_id))
        items.push(h('li', { class: 'message mine pending' }, h('p', { class: 'author' }, 'Sending…'), h('p', { class: 'text' }, o.text)));
    for (const u of this.uploads.of(c.id)) items.push(h('li', { class: 'message mine pending' }, uploadView(u, this.uploads)));
    this.logEl.replaceChildren(...items);
    if (this.logEl.dataset.pinned !== 'false') this.logEl.scrollTop = this.logEl.scrollHeight;
  }

  renderTyping() {
    const c = this.selectedId && this.conversations.get(this.selectedId);
    if (!c || !this.typingEl) return;
    this.typingEl.textContent = c.typingUntil > Date.now() && this.conn.status === 'online' ? `${c.snapshot.customer_name} is typing…` : '';
  }

  composer(c) {
    return composer({ conn: this.conn, rows: 3, label: 'Reply', placeholder: 'Reply — Enter sends, Shift+Enter for a new line',
      conversation: () => ({ id: c.id, typing: this.holds(c.snapshot) }),
      onSent: (text) => {
        this.renderTranscript();
        this.afterSend(c, text);
      },
      onFiles: (files) => this.attach(c, files) });
  }

  // The deployment's settings for staff: more secret patterns to mask in logs.
  async loadSettings() {
    try {
      const res = await fetch('/api/v1/settings', { headers: { Authorization: `Bearer ${await this.getToken()}` } });
      if (!res.ok) return;
      const settings = await res.json();
      this.mask = secretMasker(settings.secret_patterns || []);
      this.calls = settings.video_calls || null; // { max_severity } when calls are configured
      this.renderTranscript();
      const c = this.selectedId && this.conversations.get(this.selectedId);
      if (c) this.renderActions(c);
    } catch {
      // The built-in patterns stay.
    }
  }

  // What a saved answer's variables stand for in this conversation.
  answerValues(c) {
    const s = c.snapshot;
    return { customer_name: s.customer_name, customer_local_time: this.localTime(s), reopen_until: s.reopen_until ? when(s.reopen_until) : '',
      ticket: s.ticket || '', expert_name: this.me?.name || '' };
  }

  // A saved answer with an action: done once the reply that holds it is sent.
  chose(c, a) {
    c.afterSend = a.action ? { action: a.action, in_minutes: a.in_minutes, severity: a.severity, title: a.title } : null;
    this.renderAfterSend(c);
  }

  renderAfterSend(c) {
    if (!this.afterSendEl || this.paneEl.dataset.view !== c.id) return;
    const labels = { hold: 'put it on hold', escalate: 'escalate it with this reply as the summary',
      propose_time: `propose a time in ${c.afterSend?.in_minutes} minutes`, set_severity: `set the severity to ${c.afterSend?.severity}` };
    this.afterSendEl.replaceChildren(...(c.afterSend ? [`After sending: ${labels[c.afterSend.action]} (from “${c.afterSend.title}”) `,
      h('button', { class: 'ghost', 'aria-label': 'Do not do it', onclick: () => this.chose(c, {}) }, '✕')] : []));
  }

  afterSend(c, text) {
    const then = c.afterSend;
    if (!then) return;
    c.afterSend = null;
    this.renderAfterSend(c);
    if (then.action === 'set_severity' && c.snapshot?.severity === then.severity) return; // already so
    const at = new Date(Date.now() + (then.in_minutes || 0) * 60000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const request = { hold: { type: 'hold', conversation: c.id }, escalate: { type: 'escalate', conversation: c.id, summary: text.slice(0, 2000) },
      propose_time: { type: 'stay_propose', conversation: c.id, at },
      set_severity: { type: 'classify', conversation: c.id, severity: then.severity, reason: `saved answer “${then.title}”` } }[then.action];
    // After the reply: the outbox sends in order, and a request waits for its own answer.
    this.conn.request(request).catch((e) => this.toast(`${then.action.replace('_', ' ')}: ${e.message}`));
  }

  attach(c, files) {
    if (!this.holds(c.snapshot)) return;
    for (const f of files) this.uploads.add(c.id, f);
  }

  tick() {
    for (const o of this.offers.values())
      if (new Date(o.expires_at) < Date.now() - 5000) this.offers.delete(o.conversation); // chatd withdraws it
    this.renderOffers();
    for (const el of this.listEl.querySelectorAll('[data-clock]')) {
      const c = this.conversations.get(el.dataset.clock);
      if (c) el.textContent = this.clockText(c);
    }
    const local = this.paneEl.querySelector('.local-time');
    const c = this.selectedId && this.conversations.get(this.selectedId);
    if (local && c?.snapshot) local.textContent = this.localTime(c.snapshot);
    this.renderTyping();
  }

  // ---- dialogs ---------------------------------------------------------------------------

  handOff(id) {
    dialog('Hand off to another expert', [
      h('p', { class: 'meta' }, 'The next expert reads this card before accepting; it stays in the internal notes. The customer never sees it.'),
      h('label', { for: 'hand-off-note' }, 'Note for the next expert'),
      h('textarea', { id: 'hand-off-note', name: 'note', rows: 2, maxlength: 2000 }),
      h('label', { for: 'hand-off-tried' }, 'What was tried'),
      h('textarea', { id: 'hand-off-tried', name: 'tried', rows: 2, maxlength: 2000 }),
      h('label', { for: 'hand-off-promised' }, 'What the customer was promised'),
      h('input', { id: 'hand-off-promised', name: 'promised', type: 'text', maxlength: 2000 }),
      h('label', { for: 'hand-off-by' }, 'Promised by (your local time)'),
      h('input', { id: 'hand-off-by', name: 'by', type: 'datetime-local' })], 'Hand off',
    (data) => {
      const card = {};
      for (const k of ['note', 'tried', 'promised']) if (data.get(k).trim()) card[k] = data.get(k).trim();
      if (data.get('by')) card.promised_at = new Date(data.get('by')).toISOString().replace(/\.\d{3}Z$/, 'Z');
      return this.conn.request({ type: 'hand_off', conversation: id, ...card });
    });
  }

  // To a named colleague (who must accept) or a team; the card goes with it as with a hand-off.
  transfer(id) {
    this.transferSelect = h('select', { id: 'transfer-to', name: 'to', required: true });
    this.refreshTransferChoices();
    dialog('Transfer', [
      h('p', { class: 'meta' }, 'It keeps its place in the queue and its response clock. If the colleague declines or misses it, it goes back to the queue in its place. The customer never sees the card.'),
      h('label', { for: 'transfer-to' }, 'Transfer to'),
      this.transferSelect,
      h('label', { for: 'transfer-note' }, 'Note for whoever takes it'),
      h('textarea', { id: 'transfer-note', name: 'note', rows: 2, maxlength: 2000 }),
      h('label', { for: 'transfer-tried' }, 'What was tried'),
      h('textarea', { id: 'transfer-tried', name: 'tried', rows: 2, maxlength: 2000 })], 'Transfer',
    (data) => {
      const [kind, ...rest] = String(data.get('to')).split(':');
      const request = { type: 'transfer', conversation: id, [kind === 'team' ? 'team' : 'to']: rest.join(':') };
      for (const k of ['note', 'tried']) if (data.get(k).trim()) request[k] = data.get(k).trim();
      return this.conn.request(request);
    });
  }

  // The choices follow the board while the dialog is open: a colleague who turns available can be chosen.
  refreshTransferChoices() {
    const select = this.transferSelect;
    const others = [...this.colleagues.values()].filter((x) => x.expert !== this.me?.user)
      .sort((a, b) => a.name.localeCompare(b.name));
    const free = (x) => x.connected && x.presence === 'available' && x.load < x.capacity;
    const teams = [...new Set(others.flatMap((x) => x.skills || []))].sort();
    const chosen = select.value;
    select.replaceChildren(h('option', { value: '' }, 'Choose…'),
      h('optgroup', { label: 'A colleague (they accept or decline)' }, others.map((x) => h('option',
        { value: `to:${x.expert}`, disabled: !free(x) }, `${x.name} — ${free(x) ? `available, ${x.load}/${x.capacity}` : x.connected ? x.presence : 'disconnected'}`))),
      h('optgroup', { label: 'A team (its experts get it in its place)' }, teams.map((t) => h('option', { value: `team:${t}` }, `Team ${t}`))));
    const still = [...select.options].find((o) => o.value === chosen && !o.disabled);
    select.value = still ? chosen : '';
  }

  askLead(id) {
    dialog('Ask a team lead for help', [
      h('label', { for: 'ask-lead-text' }, 'What do you need?'),
      h('textarea', { id: 'ask-lead-text', name: 'text', rows: 3, maxlength: 2000 })], 'Ask',
    (data) => this.conn.request({ type: 'ask_lead', conversation: id, text: data.get('text').trim() })
      .then(() => this.toast('A team lead was asked; it is in the internal notes too.')));
  }

  proposeTime(id) {
    const soon = new Date(Date.now() + 3600000);
    soon.setMinutes(0, 0, 0);
    const local = new Date(soon.getTime() - soon.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
    dialog('Propose a time to continue', [
      h('label', { for: 'stay-at' }, 'Continue with this customer at (your local time)'),
      h('input', { id: 'stay-at', name: 'at', type: 'datetime-local', value: local, required: true })], 'Propose',
    (data) => this.conn.request({ type: 'stay_propose', conversation: id, at: new Date(data.get('at')).toISOString() }));
  }

  markDuplicate(id) {
    const s = this.conv(id).snapshot;
    const others = [...this.conversations.values()].filter((c) => c.id !== id && c.snapshot &&
      c.snapshot.customer === s.customer && c.snapshot.state !== 'closed');
    dialog('Mark as a duplicate', [
      h('label', { for: 'duplicate-of' }, `The other conversation of ${s.customer_name} that this one repeats`),
      h('input', { id: 'duplicate-of', name: 'of', list: 'duplicate-candidates', required: true, autocomplete: 'off',
        value: others[0]?.id || '' }),
      h('datalist', { id: 'duplicate-candidates' }, others.map((c) => h('option', { value: c.id }, c.snapshot.topic)))],
    'Close as duplicate', (data) => this.conn.request({ type: 'mark_duplicate', conversation: id, of: data.get('of').trim() }));
  }

  // Severity, request type and priority, changed with a reason the customer never sees.
  classify(id) {
    classifyDialog(this.conn, this.conv(id).snapshot);
  }

  // A message with the meeting's link, which the customer's widget shows as a button.
  offerCall(id) {
    this.conn.request({ type: 'offer_call', conversation: id, client_id: `v-${crypto.randomUUID()}` })
      .catch((e) => this.toast(`The call was not offered: ${e.message}`));
  }

  escalate(id) {
    dialog('Escalate to a ticket', [
      h('label', { for: 'escalate-summary' }, 'Summary for the ticket'),
      h('textarea', { id: 'escalate-summary', name: 'summary', rows: 4, maxlength: 2000, required: true })], 'Escalate',
    (data) => this.conn.request({ type: 'escalate', conversation: id, summary: data.get('summary').trim() }));
  }

  reportConduct(id) {
    dialog('Report conduct', [
      h('p', {}, 'This closes the conversation and restricts the customer from opening new ones for a while.')],
    'Report and close', () => this.conn.request({ type: 'report_conduct', conversation: id }));
  }

  help() {
    dialog('Keyboard shortcuts', [h('dl', { class: 'shortcuts' }, SHORTCUTS.flatMap(([k, what]) => [h('dt', {}, k), h('dd', {}, what)]))],
      'OK', async () => {});
  }

  shortcut(e) {
    if (!e.altKey || e.ctrlKey || e.metaKey) return;
    const oldest = [...this.offers.values()].sort((a, b) => a.expires_at.localeCompare(b.expires_at))[0];
    const list = this.mine();
    const at = list.findIndex((c) => c.id === this.selectedId);
    const selected = this.selectedId && this.conversations.get(this.selectedId);
    const key = e.key.toLowerCase();
    const actions = {
      a: () => oldest && this.accept(oldest.conversation),
      d: () => oldest && this.decline(oldest.conversation),
      j: () => list.length && this.select(list[(at + 1) % list.length].id),
      k: () => list.length && this.select(list[(at - 1 + list.length) % list.length].id),
      r: () => this.paneEl.querySelector('#reply')?.focus(),
      h: () => selected && this.act(selected.snapshot.state === 'on_hold' ? 'resume' : 'hold', selected.id).catch(() => {}),
      o: () => selected && this.handOff(selected.id),
      t: () => selected && this.transfer(selected.id),
      c: () => selected && this.act('close', selected.id).catch(() => {}),
    };
    if (actions[key]) {
      e.preventDefault();
      actions[key]();
    }
  }

  // A new offer or message: the title counts it; a chime when the console is not in front.
  alert() {
    this.renderTitle();
    if (document.hidden || !document.hasFocus()) beep();
  }

  toast(text) {
    this.toastEl.textContent = text;
    clearTimeout(this.toastTimer);
    this.toastTimer = setTimeout(() => (this.toastEl.textContent = ''), 6000);
  }
}

signIn(app, { role: 'expert', title: 'Expert console' }).then((token) => new Console(token));
