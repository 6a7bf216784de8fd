// A chat.v1 connection that survives the real world: it signs in with a fresh token on every
// connect, reconnects with backoff, resumes every conversation from the last sequence number
// it has shown, and sends messages typed while offline exactly once when back.

const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 15000;
const PING_EVERY_MS = 20000;
const PONG_WITHIN_MS = 10000;

// Errors a request was answered with, as {code, message}; `offline` when the socket closed first.
export class RequestError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

function randomId(prefix) {
  const bytes = new Uint8Array(8);
  crypto.getRandomValues(bytes);
  return prefix + Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export function webSocketUrl(base) {
  const url = new URL('/ws', base);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.toString();
}

export class ChatConnection extends EventTarget {
  // getToken: async () => token string; storageKey: where unsent messages survive a reload.
  constructor({ url, getToken, storageKey = null }) {
    super();
    this.url = url;
    this.getToken = getToken;
    this.storageKey = storageKey;
    this.status = 'connecting'; // connecting | online | offline
    this.welcome = null;
    this.conversations = new Map(); // id -> {seen seqs, contiguous, knownLast, epoch, live}
    this.pending = new Map(); // request id -> {resolve, reject}
    this.outbox = this.loadOutbox(); // [{type, conversation?, text, client_id, ...}]
    this.inFlight = new Set(); // client_ids sent on this socket, not yet answered
    this.nextId = 1;
    this.retryMs = RETRY_MIN_MS;
    this.ws = null;
    this.stopped = false;
    this.onOnline = () => this.reconnectNow();
    this.onOffline = () => this.drop('the browser is offline');
    window.addEventListener('online', this.onOnline);
    window.addEventListener('offline', this.onOffline);
  }

  start() {
    this.connect();
    return this;
  }

  stop() {
    this.stopped = true;
    window.removeEventListener('online', this.onOnline);
    window.removeEventListener('offline', this.onOffline);
    clearTimeout(this.retryTimer);
    this.drop('stopped');
  }

  emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }

  setStatus(status, reason = '') {
    if (this.status === status) return;
    this.status = status;
    this.emit('status', { status, reason });
  }

  async connect() {
    if (this.stopped) return;
    clearTimeout(this.retryTimer);
    this.setStatus('connecting');
    let token;
    try {
      token = await this.getToken();
    } catch (e) {
      return this.retryLater(`cannot get a token: ${e.message}`);
    }
    if (this.stopped) return;
    const ws = new WebSocket(this.url, 'chat.v1');
    this.ws = ws;
    ws.onopen = () => ws.send(JSON.stringify({ type: 'hello', id: 'hello', token }));
    ws.onmessage = (e) => this.ws === ws && this.receive(e.data);
    ws.onclose = (e) => {
      if (this.ws !== ws) return;
      // 1008: chatd refused this page (origin, abuse): reconnecting would be refused again.
      if (e.code === 1008) return this.refusedForGood(e.reason || 'chatd refused this connection');
      // 4001: the token expired; a fresh one is fetched at once.
      if (e.code === 4001) this.retryMs = RETRY_MIN_MS;
      this.lost(e.reason || `closed (${e.code})`);
    };
    ws.onerror = () => {};
  }

  retryLater(reason) {
    this.setStatus('offline', reason);
    if (this.stopped) return;
    // Full jitter: a restarted chatd is not hit by every client in the same millisecond.
    const wait = Math.round(this.retryMs * (0.5 + Math.random() / 2));
    this.retryMs = Math.min(this.retryMs * 2, RETRY_MAX_MS);
    this.retryTimer = setTimeout(() => this.connect(), wait);
  }

  refusedForGood(reason) {
    this.refused = true;
    this.lost(reason);
  }

  reconnectNow() {
    if (this.status === 'online' || this.stopped || this.refused) return;
    this.retryMs = RETRY_MIN_MS;
    this.connect();
  }

  // Closes the socket now (offline, no pong, stop); reconnecting follows unless stopped.
  drop(reason) {
    const ws = this.ws;
    if (!ws) return;
    try {
      ws.close();
    } catch {}
    this.lost(reason);
  }

  lost(reason) {
    this.ws = null;
    clearInterval(this.pingTimer);
    clearTimeout(this.pongTimer);
    for (const { reject } of this.pending.values()) reject(new RequestError('offline', 'the connection was lost'));
    this.pending.clear();
    this.inFlight.clear();
    for (const c of this.conversations.values()) c.live = false;
    if (this.refused) return this.setStatus('refused', reason);
    if (!navigator.onLine) return this.setStatus('offline', 'the browser is offline');
    this.retryLater(reason);
  }

  receive(text) {
    let msg;
    try {
      msg = JSON.parse(text);
    } catch {
      return;
    }
    this.handle(msg);
  }

  handle(msg) {
    if (msg.type === 'welcome') return this.welcomed(msg);
    if (msg.type === 'pong') clearTimeout(this.pongTimer);
    if (msg.id && this.pending.has(msg.id)) {
      const { resolve, reject } = this.pending.get(msg.id);
      this.pending.delete(msg.id);
      if (msg.type === 'error') reject(new RequestError(msg.code, msg.message));
      else resolve(msg);
    }
    if (msg.type === 'error' && msg.id === 'hello') {
      // A refused token will not get better by retrying at once; the host may mint a new one.
      this.emit('auth_error', msg);
      return this.drop(msg.message);
    }
    if (msg.type === 'conversation') {
      const c = this.track(msg.conversation);
      c.epoch = msg.epoch;
      c.knownLast = Math.max(c.knownLast, msg.last_seq || 0);
    }
    if (msg.type === 'resync') {
      const c = this.track(msg.conversation);
      c.seen.clear();
      c.contiguous = 0;
      c.epoch = msg.epoch;
    }
    if (msg.type === 'message') {
      const c = this.track(msg.conversation);
      if (c.seen.has(msg.seq)) return; // already shown: a replay overlapping a live delivery
      c.seen.add(msg.seq);
      while (c.seen.has(c.contiguous + 1)) c.contiguous++;
    }
    if (msg.type === 'reconnect') this.retryMs = RETRY_MIN_MS;
    this.emit('event', msg);
    this.emit(msg.type, msg);
  }

  welcomed(msg) {
    this.welcome = msg;
    this.retryMs = RETRY_MIN_MS;
    this.setStatus('online');
    this.pingTimer = setInterval(() => this.heartbeat(), PING_EVERY_MS);
    this.emit('welcome', msg);
    for (const snapshot of msg.conversations) this.emit('conversation', snapshot);
    for (const snapshot of msg.conversations) this.resume(snapshot.conversation, snapshot.epoch);
    for (const [id, c] of this.conversations) if (!c.live && c.seen.size > 0) this.resume(id, c.epoch);
    this.flush();
  }

  heartbeat() {
    if (!this.ws || this.status !== 'online') return;
    this.request({ type: 'ping' }).catch(() => {});
    clearTimeout(this.pongTimer);
    this.pongTimer = setTimeout(() => this.drop('no answer to ping'), PONG_WITHIN_MS);
  }

  track(id) {
    if (!this.conversations.has(id))
      this.conversations.set(id, { seen: new Set(), contiguous: 0, knownLast: 0, epoch: null, live: false });
    return this.conversations.get(id);
  }

  // Replays what this page has not shown yet, then keeps the conversation live. Messages are
  // told apart by seq, so a replay that overlaps live deliveries shows each message once.
  resume(id, epoch) {
    const c = this.track(id);
    if (c.live) return;
    c.live = true;
    if (epoch && !c.epoch) c.epoch = epoch;
    const req = { type: 'history', conversation: id, after: c.contiguous };
    if (c.epoch) req.epoch = c.epoch;
    this.request(req)
      .then((ok) => {
        // One answer holds at most a page: ask for the next one while the snapshot says more.
        if (ok.seq !== undefined && ok.seq < c.knownLast && ok.seq > req.after) {
          c.live = false;
          this.resume(id);
        }
      })
      .catch(() => {
        c.live = false;
      });
  }

  // Replays again what this page may have missed while it could not see the conversation
  // (an expert who gets it back after a hand-off or a reopening).
  refresh(id) {
    this.track(id).live = false;
    if (this.status === 'online') this.resume(id);
  }

  // Sends a request and resolves with its answer (ok, pong, …) or rejects with RequestError.
  request(msg) {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN || this.status !== 'online')
      return Promise.reject(new RequestError('offline', 'not connected'));
    const id = `r${this.nextId++}`;
    const promise = new Promise((resolve, reject) => this.pending.set(id, { resolve, reject }));
    this.ws.send(JSON.stringify({ ...msg, id }));
    return promise;
  }

  // Fire-and-forget frames (typing).
  notify(msg) {
    if (this.ws && this.status === 'online') this.ws.send(JSON.stringify(msg));
  }

  // A chat message or an opening: kept until chatd acknowledges it, sent once per socket,
  // retried with the same client_id after a reconnect (chatd stores it once).
  enqueue(msg) {
    const item = { ...msg, client_id: msg.client_id || randomId('m-') };
    this.outbox.push(item);
    this.saveOutbox();
    this.flush();
    return item;
  }

  flush() {
    if (this.status !== 'online') return;
    const me = `${this.welcome.tenant}/${this.welcome.user}`;
    for (const item of this.outbox) {
      // The outbox outlives a page; only its owner's items are theirs to send.
      if (item.owner && item.owner !== me) continue;
      if (this.inFlight.has(item.client_id)) continue;
      item.owner = me;
      this.inFlight.add(item.client_id);
      const { owner, ...frame } = item;
      this.request(frame)
        .then((ok) => this.settle(item, ok, null))
        .catch((err) => {
          this.inFlight.delete(item.client_id);
          if (err.code === 'offline' || err.code === 'unavailable' || err.code === 'rate_limited') {
            if (err.code !== 'offline') setTimeout(() => this.flush(), 1000);
            return;
          }
          this.settle(item, null, err);
        });
    }
    this.saveOutbox();
  }

  settle(item, ok, err) {
    // chatd answers a send with its seq and time instead of echoing it to this connection.
    if (ok && item.type === 'send' && ok.at) {
      this.handle({ type: 'message', conversation: ok.conversation, seq: ok.seq, from: this.welcome.role,
        name: this.welcome.name, text: item.text, at: ok.at, client_id: item.client_id });
    }
    this.inFlight.delete(item.client_id);
    this.outbox = this.outbox.filter((m) => m.client_id !== item.client_id);
    this.saveOutbox();
    this.emit('settled', { item, ok, error: err });
  }

  loadOutbox() {
    if (!this.storageKey) return [];
    try {
      return JSON.parse(localStorage.getItem(this.storageKey) || '[]');
    } catch {
      return [];
    }
  }

  saveOutbox() {
    if (!this.storageKey) return;
    try {
      localStorage.setItem(this.storageKey, JSON.stringify(this.outbox));
    } catch {}
  }
}
