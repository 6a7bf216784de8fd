// The chat widget: a help bubble and a chat panel that a host product embeds with one script
// tag. It lives in a shadow root (the host's styles cannot break it; the host themes it with
// --chat-* CSS variables) and speaks chat.v1 through ChatConnection.

import { ChatConnection, webSocketUrl } from '../shared/connection.js';
import { acceptDrops, attachmentView, Uploads, uploadView } from '../shared/attachments.js';
import { callView } from '../shared/call.js';
import { composer } from '../shared/composer.js';
import { clockTime, h, roughly, when } from '../shared/format.js';
import attachmentsCss from '../shared/attachments.css';
import widgetCss from './widget.css';

const TYPING_SHOWN_MS = 4000;

const CLOSED_REASONS = {
  resolved: 'This conversation is closed.',
  customer_left: 'You left the queue.',
  duplicate: 'This conversation continues in your other one.',
  escalated: 'We turned this conversation into a ticket and will follow up.',
  conduct: 'This conversation was closed under our conduct rules.',
  expired: 'This conversation was closed after a long silence.',
};

const SEVERITIES = [
  ['3', 'Normal'],
  ['2', 'High — it slows my work'],
  ['1', 'Critical — my work is blocked'],
  ['4', 'Low — it can wait'],
];

// What the customer asks for; none chosen leaves it to the expert.
const REQUEST_TYPES = [
  ['', 'Choose (optional)'],
  ['problem', 'Something is not working'],
  ['question', 'A question'],
  ['feature_request', 'An idea or a missing feature'],
  ['request', 'A request (access, a change, a setup)'],
];

// Ends a sentence once: "Ada L." stays "Ada L.", not "Ada L..".
function sentence(text) {
  return /[.!?…]$/.test(text) ? text : `${text}.`;
}

// One conversation as the widget knows it.
function blankConversation(id) {
  return { id, snapshot: null, messages: new Map(), notices: [], position: null, eta: null, opensAt: null, onCall: false,
    stayAt: null, typingUntil: 0, surveyDone: false };
}

class ChatWidget {
  constructor({ server, getToken, open = false, productArea = null }) {
    this.server = server;
    this.productArea = productArea; // where in the host product: chatd maps it to the skills needed
    this.continuesId = null; // the expired conversation a new one continues
    this.conversations = new Map();
    this.currentId = null;
    this.composing = false; // the start form is shown even though a conversation is open
    this.unread = 0;
    this.restrictedUntil = null;
    this.pendingOpen = null;
    this.tickets = new Map(); // ticket id -> what the ticket system last reported (status, updated_at)
    this.getToken = getToken;
    this.uploads = new Uploads({ server, getToken, onChange: () => this.renderTranscript() });
    this.mount();
    this.conn = new ChatConnection({ url: webSocketUrl(server), getToken, storageKey: 'chatd.widget.outbox' });
    this.wire();
    this.conn.start();
    if (open) this.toggle(true);
    setInterval(() => this.renderTyping(), 1000); // a typing notice fades by itself
  }

  mount() {
    this.host = h('div', { id: 'chatd-widget' });
    const root = this.host.attachShadow({ mode: 'open' });
    const style = document.createElement('style');
    style.textContent = attachmentsCss + widgetCss; // the widget's own rules after, to win
    this.bubble = h('button', { class: 'bubble', 'aria-expanded': 'false', 'aria-controls': 'chatd-panel',
      onclick: () => this.toggle() }, h('span', { class: 'bubble-label' }, 'Help'),
      (this.badge = h('span', { class: 'badge', hidden: true, 'aria-label': 'unread messages' })));
    this.statusLine = h('p', { class: 'connection', role: 'status' });
    this.title = h('h2', { id: 'chatd-title' }, 'Chat with an expert');
    this.body = h('div', { class: 'body' });
    this.panel = h('section', { id: 'chatd-panel', class: 'panel', role: 'dialog', 'aria-labelledby': 'chatd-title',
      hidden: true, onkeydown: (e) => e.key === 'Escape' && this.toggle(false) },
      h('header', {}, this.title,
        (this.newButton = h('button', { class: 'ghost new', onclick: () => this.startNew(), title: 'Start a new conversation' }, 'New')),
        h('button', { class: 'ghost close-panel', 'aria-label': 'Close the chat panel', onclick: () => this.toggle(false) }, '×')),
      this.statusLine, this.body);
    root.append(style, this.panel, this.bubble);
    document.body.append(this.host);
    this.root = root;
  }

  toggle(open = this.panel.hidden) {
    this.panel.hidden = !open;
    this.bubble.setAttribute('aria-expanded', String(open));
    if (open) {
      this.unread = 0;
      this.renderBadge();
      this.render();
      const first = this.body.querySelector('textarea, input, button');
      if (first) first.focus();
    } else {
      this.bubble.focus();
    }
  }

  wire() {
    const on = (type, f) => this.conn.addEventListener(type, (e) => f(e.detail));
    on('status', ({ status }) => this.renderStatus(status));
    on('auth_error', (e) => this.renderStatus('offline', `Sign-in failed: ${e.message}`));
    on('welcome', (w) => {
      this.loadTickets();
      if (!this.currentId) {
        const open = w.conversations.filter((c) => c.state !== 'closed');
        if (open.length) this.currentId = open.sort((a, b) => b.opened_at.localeCompare(a.opened_at))[0].conversation;
      }
    });
    on('conversation', (s) => {
      this.conv(s.conversation).snapshot = s;
      if (s.position !== undefined) this.conv(s.conversation).position = s.position;
      if (s.estimated_wait_s !== undefined) this.conv(s.conversation).eta = s.estimated_wait_s;
      if (s.opens_at) this.conv(s.conversation).opensAt = s.opens_at;
      this.render();
    });
    on('queued', (e) => Object.assign(this.conv(e.conversation), { position: e.position, eta: e.estimated_wait_s ?? null }) && this.render());
    on('deferred', (e) => {
      const c = this.conv(e.conversation);
      c.opensAt = e.opens_at;
      c.onCall = Boolean(e.on_call);
      this.render();
    });
    on('message', (m) => this.onMessage(m));
    on('attachment_state', (e) => {
      for (const m of this.conv(e.conversation).messages.values())
        if (m.attachment?.id === e.attachment.id) m.attachment = e.attachment;
      if (e.conversation === this.currentId) this.renderTranscript();
    });
    on('typing', (e) => {
      this.conv(e.conversation).typingUntil = Date.now() + TYPING_SHOWN_MS;
      this.renderTyping();
    });
    on('assigned', (e) => this.notice(e.conversation, `${e.expert_name} joined the conversation.`));
    on('joined', (e) => this.notice(e.conversation, `${e.name}, a team lead, joined the conversation.`));
    on('held', (e) => this.notice(e.conversation, e.by === 'customer' ? 'You put the conversation on hold.' : 'Your expert put the conversation on hold.'));
    on('resumed', (e) => this.notice(e.conversation, 'The conversation continues.'));
    on('handed_off', (e) => this.notice(e.conversation,
      `${this.expertName(e.conversation)} had to step away. You keep your place in line for the next expert.`));
    on('stay_proposed', (e) => {
      this.conv(e.conversation).stayAt = e.at;
      this.render();
    });
    on('scheduled', (e) => {
      this.conv(e.conversation).stayAt = null;
      this.notice(e.conversation, `Agreed: ${this.expertName(e.conversation)} continues with you ${when(e.at)}.`);
    });
    on('saved', (e) => this.notice(e.conversation, `We saved this conversation. Reply before ${when(e.reopen_until)} to continue it.`));
    on('reopened', (e) => this.notice(e.conversation, 'Welcome back: the conversation is open again.'));
    on('duplicate', (e) => {
      this.currentId = e.kept;
      this.composing = false;
      this.notice(e.kept, 'You already have a conversation about this, so it continues here.');
    });
    on('escalated', (e) => {
      this.tickets.set(e.ticket, { ticket: e.ticket, conversation: e.conversation, topic: this.conv(e.conversation).snapshot?.topic || '' });
      this.notice(e.conversation, `We opened ticket ${e.ticket} for this and will contact you by ${when(e.respond_by)}.`);
    });
    on('ticket', (e) => {
      const t = this.tickets.get(e.ticket) || { ticket: e.ticket, conversation: e.conversation, topic: '' };
      this.tickets.set(e.ticket, { ...t, status: e.status, updated_at: e.updated_at });
      this.notice(e.conversation, `Your ticket ${e.ticket} is now: ${e.status}.`);
      this.renderTickets();
    });
    on('warned', (e) => this.notice(e.conversation,
      `Please keep the conversation respectful. This is warning ${e.offences}; further offences close the chat.`, 'warning'));
    on('restricted', (e) => {
      this.restrictedUntil = e.until;
      this.render();
    });
    on('closed', () => this.render());
    on('survey_request', () => this.render());
    on('settled', ({ item, ok, error }) => this.onSettled(item, ok, error));
  }

  // The customer's tickets and what their ticket system last said of each.
  loadTickets() {
    this.conn.request({ type: 'tickets' }).then((answer) => {
      for (const t of answer.tickets) this.tickets.set(t.ticket, t);
      this.renderTickets();
      if (this.current()) this.render();
    }).catch(() => {});
  }

  // Opens a ticket's conversation (closed, out of the welcome) to read it and its comments.
  showTicket(t) {
    const c = this.conv(t.conversation);
    if (!c.snapshot) c.snapshot = { conversation: t.conversation, topic: t.topic, state: 'closed', closed_reason: 'escalated', ticket: t.ticket };
    this.currentId = t.conversation;
    this.composing = false;
    this.conn.resume(t.conversation);
    this.render();
  }

  conv(id) {
    if (!this.conversations.has(id)) this.conversations.set(id, blankConversation(id));
    return this.conversations.get(id);
  }

  current() {
    return this.currentId ? this.conversations.get(this.currentId) : null;
  }

  expertName(id) {
    return this.conv(id).snapshot?.expert_name || 'Your expert';
  }

  notice(id, text, kind = 'info') {
    const c = this.conv(id);
    c.notices.push({ text, kind, after: Math.max(0, ...c.messages.keys()), at: Date.now() });
    this.render();
    if (kind === 'warning') this.announce(text);
  }

  onMessage(m) {
    const c = this.conv(m.conversation);
    c.messages.set(m.seq, m);
    if (m.attachment && m.client_id) this.uploads.arrived(m.client_id);
    if (m.from === 'expert') {
      c.typingUntil = 0;
      if (this.panel.hidden) {
        this.unread++;
        this.renderBadge();
      }
    }
    if (m.conversation === this.currentId) this.renderTranscript();
  }

  onSettled(item, ok, error) {
    if (item.type === 'open') {
      this.pendingOpen = null;
      if (ok) {
        this.currentId = ok.conversation;
        this.composing = false;
        this.conn.resume(ok.conversation);
        return this.render();
      }
      this.startError.textContent = this.explain(error);
      this.startButton.disabled = false;
      this.startButton.textContent = 'Start chat';
      return;
    }
    if (error) this.notice(item.conversation, `Not sent: ${this.explain(error)}`, 'warning');
    this.renderTranscript();
  }

  explain(error) {
    switch (error.code) {
      case 'restricted': return 'You cannot start conversations for a while.';
      case 'too_many_open': return 'You have the most open conversations allowed; continue in one of them.';
      case 'queue_full': return 'All our experts are very busy. Please try again in a few minutes.';
      case 'expired': return 'This conversation can no longer be continued; start a new one.';
      case 'illegal_transition': return 'This conversation is closed.';
      default: return error.message;
    }
  }

  startNew() {
    // After an expired conversation, the new one is linked to it (the expert sees the earlier one).
    const c = this.current();
    this.continuesId = c?.snapshot?.state === 'closed' && c.snapshot.closed_reason === 'expired' ? c.id : null;
    this.composing = true;
    this.render();
    this.body.querySelector('input, textarea')?.focus();
  }

  // ---- rendering -------------------------------------------------------------------------

  renderStatus(status, text) {
    const words = { online: '', connecting: 'Connecting…', offline: 'Offline — we will reconnect by ourselves.' };
    this.statusLine.textContent = text || words[status];
    this.statusLine.dataset.status = status;
    this.panel.dataset.connection = status;
  }

  renderBadge() {
    this.badge.hidden = this.unread === 0;
    this.badge.textContent = String(this.unread);
  }

  render() {
    if (this.panel.hidden) return;
    const c = this.current();
    const starting = this.composing || !c;
    this.newButton.hidden = starting;
    if (starting) this.renderStart();
    else this.renderConversation(c);
  }

  surveyPending(c) {
    return c.snapshot?.survey_requested && !c.surveyDone;
  }

  renderStart() {
    this.title.textContent = 'Chat with an expert';
    if (this.restrictedUntil && new Date(this.restrictedUntil) > new Date()) {
      this.body.dataset.view = 'restricted';
      this.body.replaceChildren(h('p', { class: 'banner warning' },
        `You cannot start new conversations until ${when(this.restrictedUntil)}.`));
      return;
    }
    if (this.body.dataset.view === 'start') return; // keep what the customer is typing
    this.body.dataset.view = 'start';
    const topic = h('input', { id: 'topic', name: 'topic', required: true, maxlength: 200, autocomplete: 'off',
      placeholder: 'e.g. Billing, Exports, SSO' });
    const severity = h('select', { id: 'severity', name: 'severity' }, SEVERITIES.map(([v, label]) => h('option', { value: v }, label)));
    const requestType = h('select', { id: 'request-type', name: 'request_type' },
      REQUEST_TYPES.map(([v, label]) => h('option', { value: v }, label)));
    const text = h('textarea', { id: 'first-message', name: 'text', required: true, rows: 4, maxlength: 4000,
      placeholder: 'Describe what you need help with' });
    this.startError = h('p', { class: 'error', role: 'alert' });
    this.startButton = h('button', { type: 'submit', class: 'primary' }, 'Start chat');
    const form = h('form', { class: 'start', onsubmit: (e) => {
      e.preventDefault();
      if (this.pendingOpen) return;
      this.startError.textContent = '';
      this.pendingOpen = this.conn.enqueue({ type: 'open', topic: topic.value.trim(), text: text.value.trim(),
        severity: Number(severity.value), ...(requestType.value ? { request_type: requestType.value } : {}),
        ...(this.productArea ? { product_area: this.productArea } : {}),
        ...(this.continuesId ? { continues: this.continuesId } : {}) });
      this.continuesId = null;
      this.startButton.disabled = true;
      this.startButton.textContent = this.conn.status === 'online' ? 'Starting…' : 'Starts when back online…';
    } },
      h('p', { class: 'hint' }, 'Tell us what it is about; a product expert will join you.'),
      h('label', { for: 'topic' }, 'Topic'), topic,
      h('label', { for: 'request-type' }, 'What is it?'), requestType,
      h('label', { for: 'severity' }, 'How urgent is it?'), severity,
      h('label', { for: 'first-message' }, 'Your message'), text,
      this.startError, this.startButton);
    const back = this.current() && h('button', { type: 'button', class: 'ghost', onclick: () => {
      this.composing = false;
      this.render();
    } }, '← Back to your conversation');
    this.ticketList = h('section', { class: 'tickets', 'aria-label': 'Your tickets' });
    this.body.replaceChildren(...[back, this.ticketList, form].filter(Boolean));
    this.renderTickets();
  }

  renderTickets() {
    if (!this.ticketList || !this.ticketList.isConnected) {
      // In a conversation: its banner says its ticket's status.
      if (this.current() && this.body.dataset.view === `conversation:${this.currentId}`) this.renderBanner(this.current());
      return;
    }
    const all = [...this.tickets.values()];
    this.ticketList.hidden = all.length === 0;
    this.ticketList.replaceChildren(h('h3', {}, 'Your tickets'), h('ul', {}, all.map((t) => h('li', { 'data-ticket': t.ticket },
      h('button', { type: 'button', class: 'link', onclick: () => this.showTicket(t) }, t.topic ? `${t.topic} (${t.ticket})` : t.ticket),
      h('span', { class: 'ticket-status' }, t.status ? `${t.status}${t.updated_at ? ` · ${when(t.updated_at)}` : ''}` : 'Opened')))));
  }

  renderConversation(c) {
    if (this.body.dataset.view !== `conversation:${c.id}`) {
      this.body.dataset.view = `conversation:${c.id}`;
      this.banner = h('div', { class: 'banner', role: 'status' });
      this.log = h('ol', { class: 'transcript', role: 'log', 'aria-live': 'polite', 'aria-label': 'Messages', tabindex: '0' });
      // Follow new messages unless the reader scrolled up to read older ones.
      this.log.addEventListener('scroll', () => {
        this.log.dataset.pinned = String(this.log.scrollHeight - this.log.scrollTop - this.log.clientHeight < 40);
      });
      acceptDrops(this.log, (files) => this.attach(c, files));
      this.typing = h('p', { class: 'typing', 'aria-live': 'polite' });
      this.actions = h('div', { class: 'actions' });
      this.composer = this.makeComposer(c);
      this.live = h('p', { class: 'visually-hidden', 'aria-live': 'assertive' });
      this.body.replaceChildren(this.banner, this.log, this.typing, this.actions, this.composer, this.live);
      // The start form just went away with the focus in it: keep the keyboard in the panel.
      if (!this.root.activeElement) this.composer.querySelector('textarea').focus();
    }
    const s = c.snapshot;
    this.title.textContent = s?.topic || 'Your conversation';
    this.renderBanner(c);
    this.renderActions(c);
    this.renderTranscript();
    this.renderTyping();
    this.composer.hidden = !s || s.state === 'closed';
  }

  renderBanner(c) {
    const s = c.snapshot;
    let text = '';
    let kind = 'info';
    if (!s) text = 'Loading…';
    else if (s.state === 'queued' || s.state === 'offered') {
      if (c.opensAt && new Date(c.opensAt) > Date.now()) {
        text = c.onCall
          ? `We're outside business hours, so our on-call team has been told about this urgent issue. Everyone is back ${when(c.opensAt)}; you keep your place in line.`
          : `We're outside business hours — we're back ${when(c.opensAt)}. You keep your place in line.`;
      } else {
        text = s.state === 'offered' ? 'An expert is about to join…' : c.position ? `You're number ${c.position} in line.` : 'You are in line.';
        if (c.eta !== null && c.eta !== undefined && s.state === 'queued') text += ` Estimated wait: ${roughly(c.eta)}.`;
      }
    } else if (s.state === 'active') text = sentence(`You're chatting with ${s.expert_name}`);
    else if (s.state === 'on_hold') text = 'On hold. Send a message or press Resume to continue.';
    else if (s.state === 'scheduled') text = sentence(`${s.expert_name} will continue with you ${when(s.scheduled_at)}`);
    else if (s.state === 'saved') text = `We saved this conversation. Reply before ${when(s.reopen_until)} to continue it.`;
    else if (s.state === 'closed') {
      text = CLOSED_REASONS[s.closed_reason] || 'This conversation is closed.';
      // The same reason after an expert had joined: the customer ended a chat, not a wait.
      if (s.closed_reason === 'customer_left' && s.expert_name) text = 'You ended this chat.';
      if (s.ticket) {
        const status = this.tickets.get(s.ticket)?.status;
        text += status ? ` Ticket ${s.ticket}: ${status}.` : ` Ticket: ${s.ticket}.`;
      }
      kind = 'closed';
    }
    this.banner.textContent = text;
    this.banner.dataset.state = s?.state || 'loading';
    this.banner.className = `banner ${kind}`;
  }

  renderActions(c) {
    const s = c.snapshot;
    const items = [];
    const act = (label, type, extra = {}, cls = 'secondary') => h('button', { class: cls, onclick: (e) => {
      e.currentTarget.disabled = true;
      this.conn.request({ type, conversation: c.id, ...extra }).catch((err) => this.notice(c.id, this.explain(err), 'warning'));
    } }, label);
    if (c.stayAt && s && s.state !== 'closed' && s.state !== 'scheduled') {
      items.push(h('div', { class: 'choice', role: 'group', 'aria-label': 'Stay with your expert' },
        h('p', {}, `${s.expert_name || 'Your expert'} can continue with you ${when(c.stayAt)}.`),
        act(`Stay with ${s.expert_name || 'this expert'}`, 'stay_accept', { at: c.stayAt }, 'primary'),
        h('button', { class: 'ghost', onclick: () => { c.stayAt = null; this.render(); } }, 'Next available expert')));
    }
    if (s?.state === 'active') {
      items.push(act('Hold', 'hold'));
      items.push(act(`Continue later with ${s.expert_name}`, 'stay_request'));
    }
    if (s?.state === 'on_hold') items.push(act('Resume', 'resume'));
    if (s && s.state !== 'closed') items.push(act(s.state === 'queued' || s.state === 'offered' ? 'Leave the queue' : 'End chat', 'close'));
    if (s?.state === 'closed' && this.surveyPending(c)) items.push(this.makeSurvey(c));
    if (s?.state === 'closed' && c.surveyDone) items.push(h('p', { class: 'thanks' }, 'Thank you for your feedback!'));
    if (s?.state === 'closed') items.push(h('button', { class: 'secondary', onclick: () => this.startNew() }, 'Start a new conversation'));
    this.actions.replaceChildren(...items);
  }

  makeSurvey(c) {
    const stars = [1, 2, 3, 4, 5].map((n) => h('label', { class: 'star' },
      h('input', { type: 'radio', name: 'rating', value: String(n), required: true }), h('span', { 'aria-hidden': 'true' }, '★'), h('span', {}, `${n}`)));
    const comment = h('textarea', { id: 'survey-comment', rows: 2, maxlength: 2000, placeholder: 'Anything we should know? (optional)' });
    const form = h('form', { class: 'survey', onsubmit: (e) => {
      e.preventDefault();
      const rating = Number(new FormData(form).get('rating'));
      const req = { type: 'survey', conversation: c.id, rating };
      if (comment.value.trim()) req.comment = comment.value.trim();
      form.querySelector('button').disabled = true;
      this.conn.request(req).then(() => { c.surveyDone = true; this.render(); })
        .catch((err) => { form.querySelector('button').disabled = false; this.notice(c.id, this.explain(err), 'warning'); });
    } },
      h('fieldset', {}, h('legend', {}, 'How did we do? (1 = poor, 5 = excellent)'), h('div', { class: 'stars' }, stars)),
      h('label', { for: 'survey-comment' }, 'Comment'), comment,
      h('button', { type: 'submit', class: 'primary' }, 'Send feedback'));
    return form;
  }

  makeComposer(c) {
    return composer({ conn: this.conn, rows: 2, label: 'Your message',
      placeholder: 'Write a message — Enter sends, Shift+Enter for a new line',
      conversation: () => ({ id: c.id, typing: ['active', 'on_hold'].includes(c.snapshot?.state) }),
      onSent: () => this.renderTranscript(), onFiles: (files) => this.attach(c, files) });
  }

  attach(c, files) {
    if (!['queued', 'offered', 'active', 'on_hold', 'scheduled', 'saved'].includes(c.snapshot?.state)) return;
    for (const f of files) this.uploads.add(c.id, f);
  }

  renderTranscript() {
    const c = this.current();
    if (!c || !this.log || this.body.dataset.view !== `conversation:${c.id}`) return;
    const items = [];
    const notices = [...c.notices];
    const bySeq = [...c.messages.values()].sort((a, b) => a.seq - b.seq);
    for (const m of bySeq) {
      while (notices.length && notices[0].after < m.seq) items.push(this.noticeItem(notices.shift()));
      items.push(this.messageItem(m));
    }
    items.push(...notices.map((n) => this.noticeItem(n)));
    const shown = new Set(bySeq.map((m) => m.client_id).filter(Boolean));
    for (const item of this.conn.outbox)
      if (item.type === 'send' && item.conversation === c.id && !shown.has(item.client_id))
        items.push(h('li', { class: 'message mine pending', 'data-client-id': item.client_id },
          h('p', { class: 'text' }, item.text), h('p', { class: 'meta' }, this.conn.status === 'online' ? 'Sending…' : 'Waiting for connection…')));
    for (const u of this.uploads.of(c.id)) items.push(h('li', { class: 'message uploading' }, uploadView(u, this.uploads)));
    this.log.replaceChildren(...items);
    if (this.log.dataset.pinned !== 'false') this.log.scrollTop = this.log.scrollHeight;
  }

  messageItem(m) {
    const mine = m.from === 'customer';
    return h('li', { class: `message ${mine ? 'mine' : 'theirs'}`, 'data-seq': String(m.seq) },
      mine ? null : h('p', { class: 'author' }, m.ticket ? `${m.name} · on ticket ${m.ticket}` : m.name),
      m.attachment ? attachmentView(m.attachment, { server: this.server, getToken: this.getToken })
        : m.call_url ? callView(m.call_url) : h('p', { class: 'text' }, m.text),
      h('p', { class: 'meta' }, h('time', { datetime: m.at }, clockTime(m.at))));
  }

  noticeItem(n) {
    return h('li', { class: `notice ${n.kind}` }, n.text);
  }

  renderTyping() {
    const c = this.current();
    if (!c || !this.typing) return;
    const typing = c.typingUntil > Date.now() && this.conn.status === 'online';
    this.typing.textContent = typing ? `${this.expertName(c.id)} is typing…` : '';
  }

  announce(text) {
    if (this.live) this.live.textContent = text;
  }
}

// Starts the widget. `getToken` (async) or `token`; `server` defaults to where this script came from.
function start(options = {}) {
  if (window.ChatdWidget.instance) return window.ChatdWidget.instance;
  const server = options.server || scriptOrigin;
  const getToken = options.getToken || (async () => options.token);
  window.ChatdWidget.instance = new ChatWidget({ server, getToken, open: options.open, productArea: options.productArea });
  return window.ChatdWidget.instance;
}

const script = document.currentScript;
const scriptOrigin = script ? new URL(script.src).origin : location.origin;
window.ChatdWidget = { start, instance: null };

// <script src=".../chat-widget.js" data-token="…"> or data-token-url="/my-product/chat-token"
// (and data-product-area="billing": where in the product the page is)
if (script?.dataset.token || script?.dataset.tokenUrl) {
  const { token, tokenUrl } = script.dataset;
  const getToken = tokenUrl
    ? async () => (await (await fetch(tokenUrl, { credentials: 'include' })).json()).token
    : async () => token;
  const go = () => start({ getToken, productArea: script.dataset.productArea || null });
  if (document.body) go();
  else document.addEventListener('DOMContentLoaded', go);
}
