// The queue monitor: the tenant's live queue in routing order, every expert's presence and
// load, and the last hour in charts — from the monitor subscription (a snapshot, then deltas).
// A team lead opens any conversation live (LiveView) and acts on it and on the experts.

import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import '../shared/staff.css';
import './monitor.css';
import { ChatConnection, webSocketUrl } from '../shared/connection.js';
import { dialog } from '../shared/dialog.js';
import { clock, clockTime, h, secondsSince } from '../shared/format.js';
import { forgetToken, signIn } from '../shared/sign_in.js';
import { LiveView } from './live_view.js';

const TIERS = ['enterprise', 'standard'];
const COLORS = { enterprise: '#6941c6', standard: '#475467', response: '#2f5bd3', utilization: '#067647' };
const app = document.getElementById('app');

class Monitor {
  constructor(token) {
    this.entries = new Map(); // conversation -> queue entry
    this.order = [];
    this.experts = new Map();
    this.tiers = null;
    this.minutes = []; // [{at, arrivals, wait_s, first_response_s, utilization}]
    this.help = []; // experts' requests for help, newest first
    this.conn = new ChatConnection({ url: webSocketUrl(location.origin), getToken: async () => token });
    this.layout();
    const on = (type, f) => this.conn.addEventListener(type, (e) => f(e.detail));
    on('status', ({ status, reason }) => {
      this.statusEl.textContent = status === 'online' ? 'Live' : status === 'connecting' ? 'Connecting…' : `Offline — ${reason || 'reconnecting'}`;
      this.statusEl.dataset.status = status;
    });
    on('auth_error', (e) => {
      this.statusEl.textContent = `Sign-in refused: ${e.message}`;
      forgetToken();
    });
    on('welcome', (w) => {
      this.tenantEl.textContent = w.tenant;
      this.conn.request({ type: 'subscribe' }).catch(() => {});
    });
    on('queue_snapshot', (q) => this.snapshot(q));
    on('queue_delta', (q) => this.delta(q));
    on('sla_breached', () => this.render());
    on('help_requested', (e) => {
      this.help = [e, ...this.help].slice(0, 20);
      this.renderHelp();
    });
    this.conn.start();
    setInterval(() => this.tick(), 1000);
    window.addEventListener('resize', () => this.resizeCharts());
  }

  layout() {
    this.statusEl = h('span', { class: 'connection', role: 'status' });
    this.tenantEl = h('span', { class: 'tenant' });
    this.tilesEl = h('section', { class: 'tiles', 'aria-label': 'Queue by tier' });
    this.queueBody = h('tbody');
    this.expertsBody = h('tbody');
    this.chartsEl = h('section', { class: 'charts', 'aria-label': 'The last hour' });
    this.helpEl = h('ul', { class: 'help-requests' });
    this.live = new LiveView(this.conn, this);
    app.replaceChildren(
      h('header', { class: 'topbar' }, h('strong', {}, 'chatd · Queue monitor'), this.tenantEl, this.statusEl,
        h('button', { class: 'ghost', onclick: () => { forgetToken(); location.reload(); } }, 'Sign out')),
      h('main', { class: 'monitor' },
        this.tilesEl,
        this.live.el,
        h('section', { class: 'queue', 'aria-label': 'Waiting conversations' },
          h('h2', {}, 'Waiting, in routing order'),
          h('table', {}, h('thead', {}, h('tr', {}, ['#', 'Tier', 'Sev.', 'Topic', 'Customer', 'Region', 'Waiting', 'SLA', 'Reserved for']
            .map((t) => h('th', { scope: 'col' }, t)))), this.queueBody)),
        h('section', { class: 'experts', 'aria-label': 'Experts' },
          h('h2', {}, 'Experts'),
          h('table', {}, h('thead', {}, h('tr', {}, ['Expert', 'Presence', 'Load', 'Skills', 'Conversations', ''].map((t) => h('th', { scope: 'col' }, t)))),
            this.expertsBody),
          h('h2', {}, 'Help requests'), this.helpEl),
        this.chartsEl));
    this.makeCharts();
    this.renderHelp();
  }

  snapshot(q) {
    this.entries = new Map(q.queue.map((e) => [e.conversation, e]));
    this.order = q.queue.map((e) => e.conversation);
    this.experts = new Map(q.experts.map((x) => [x.expert, x]));
    this.tiers = q.tiers;
    this.minutes = q.stats || [];
    this.render();
    this.updateCharts();
  }

  delta(d) {
    for (const e of d.upsert) this.entries.set(e.conversation, e);
    for (const id of d.remove) this.entries.delete(id);
    if (d.order) this.order = d.order.filter((id) => this.entries.has(id));
    for (const x of d.experts) this.experts.set(x.expert, x);
    if (d.tiers) this.tiers = d.tiers;
    if (d.minute && d.minute.at) this.addMinute(d.minute);
    this.render();
  }

  addMinute(m) {
    const last = this.minutes[this.minutes.length - 1];
    if (last && last.at === m.at) this.minutes[this.minutes.length - 1] = m;
    else this.minutes.push(m);
    const hourAgo = Date.now() - 3600 * 1000;
    this.minutes = this.minutes.filter((x) => new Date(x.at).getTime() > hourAgo - 60000);
    this.updateCharts();
  }

  // ---- rendering -------------------------------------------------------------------------

  render() {
    this.renderTiles();
    this.renderQueue();
    this.renderExperts();
  }

  waiting(e) {
    return secondsSince(e.queued_at);
  }

  // Seconds until the first answer falls due: the server's clock (paused on hold, in business
  // hours where the tier counts them), else the plain target.
  slaLeft(e) {
    if (e.sla_due) return -secondsSince(e.sla_due);
    return e.sla_target_s > 0 ? e.sla_target_s - this.waiting(e) : null;
  }

  slaState(e) {
    const left = this.slaLeft(e);
    if (e.sla_breached || (left !== null && left < 0)) return 'breached';
    if (e.sla_predicted) return 'predicted';
    if (left !== null && e.sla_target_s > 0 && left < 0.25 * e.sla_target_s) return 'at-risk';
    return 'ok';
  }

  slaText(e, sla) {
    if (sla === 'breached') return 'breached';
    const left = this.slaLeft(e);
    if (left === null) return '—';
    const text = `${clock(Math.max(0, left))} left`;
    // The staffing model's estimate says the answer will come too late.
    if (sla !== 'predicted') return text;
    const why = e.estimated_wait_s === null || e.estimated_wait_s === undefined ? 'nobody available' : `est. wait ${clock(e.estimated_wait_s)}`;
    return `${text} · will breach (${why})`;
  }

  renderTiles() {
    const tiles = TIERS.map((t) => {
      const waiting = [...this.entries.values()].filter((e) => e.tier === t);
      const longest = Math.max(0, ...waiting.map((e) => this.waiting(e)));
      const breached = waiting.filter((e) => this.slaState(e) === 'breached').length;
      return h('div', { class: `tile ${t}`, 'data-tier': t },
        h('h2', {}, t === 'enterprise' ? 'Enterprise' : 'Standard'),
        h('p', { class: 'depth' }, h('span', { class: 'number', 'data-depth': t }, String(waiting.length)), ' waiting'),
        h('p', { class: 'longest' }, `longest wait ${clock(longest)}`),
        breached ? h('p', { class: 'breaches' }, `${breached} past SLA`) : null);
    });
    const available = [...this.experts.values()].filter((x) => x.connected && x.presence === 'available');
    const load = available.reduce((n, x) => n + x.load, 0);
    const capacity = available.reduce((n, x) => n + x.capacity, 0);
    tiles.push(h('div', { class: 'tile experts-tile' }, h('h2', {}, 'Experts'),
      h('p', { class: 'depth' }, h('span', { class: 'number' }, String(available.length)), ' available'),
      h('p', { class: 'longest' }, `${load} of ${capacity} slots in use`)));
    this.tilesEl.replaceChildren(...tiles);
  }

  renderQueue() {
    const rows = this.order.map((id, i) => {
      const e = this.entries.get(id);
      const sla = this.slaState(e);
      return h('tr', { class: `sla-${sla}`, 'data-conversation': id, 'data-tier': e.tier },
        h('td', {}, String(i + 1)),
        h('td', {}, h('span', { class: `tier ${e.tier}` }, e.tier)),
        h('td', {}, String(e.severity)),
        h('td', {}, h('button', { class: 'link', title: 'Open live', onclick: () => this.live.open(id) }, e.topic)),
        h('td', {}, e.customer_name),
        h('td', {}, e.region || '—'),
        h('td', { class: 'wait', 'data-queued-at': e.queued_at }, clock(this.waiting(e))),
        h('td', { class: 'sla' }, this.slaText(e, sla)),
        h('td', {}, e.reserved_for || ''));
    });
    if (!rows.length) rows.push(h('tr', {}, h('td', { colspan: 9, class: 'empty' }, 'Nobody is waiting.')));
    this.queueBody.replaceChildren(...rows);
  }

  renderExperts() {
    const experts = [...this.experts.values()].sort((a, b) => a.name.localeCompare(b.name));
    const rows = experts.map((x) => h('tr', { class: `presence-${x.connected ? x.presence : 'disconnected'}`, 'data-expert': x.expert },
      h('td', {}, x.name),
      h('td', {}, h('span', { class: 'presence' }, x.connected ? x.presence : `${x.presence}, disconnected`)),
      h('td', {}, h('meter', { min: 0, max: Math.max(1, x.capacity), value: x.load, 'aria-label': `load of ${x.name}` }),
        ` ${x.load} / ${x.capacity}`),
      h('td', { class: 'skills' }, [(x.skills || []).join(', ') || '—', x.auto_accept ? ' · auto-accept' : ''].join('')),
      h('td', { class: 'their-conversations' }, (x.conversations || []).map((c) => h('button',
        { class: 'link', 'data-conversation': c.conversation, title: `${c.state.replace('_', ' ')} — open live`, onclick: () => this.live.open(c.conversation) },
        `${c.customer_name} · ${c.topic}`, this.replyClock(c)))),
      h('td', {}, h('button', { class: 'secondary', 'aria-label': `Set presence or capacity of ${x.name}`, onclick: () => this.setExpert(x) }, 'Set…'))));
    if (!rows.length) rows.push(h('tr', {}, h('td', { colspan: 6, class: 'empty' }, 'No experts yet.')));
    this.expertsBody.replaceChildren(...rows);
  }

  // A customer waiting for this expert's answer: how long, red past the next-response target.
  replyClock(c) {
    if (!c.waiting_since) return null;
    const late = c.reply_late || (c.reply_due && secondsSince(c.reply_due) > 0);
    return h('span', { class: `reply-clock${late ? ' late' : ''}`, 'data-waiting-since': c.waiting_since },
      ` · customer waiting ${clock(secondsSince(c.waiting_since))}`);
  }

  renderHelp() {
    const items = this.help.map((e) => h('li', { class: 'help-request', 'data-conversation': e.conversation },
      h('p', {}, h('strong', {}, e.name), ' asks for help · ', h('time', { datetime: e.at }, clockTime(e.at))),
      e.text ? h('p', { class: 'text' }, e.text) : null,
      h('button', { class: 'secondary', onclick: () => this.live.open(e.conversation) }, 'Open the conversation')));
    this.helpEl.replaceChildren(...(items.length ? items : [h('li', { class: 'empty' }, 'None.')]));
  }

  // A lead sets an expert's presence and capacity, saying why (it is in the audit log).
  setExpert(x) {
    dialog(`Presence and capacity of ${x.name}`, [
      h('label', { for: 'set-presence' }, 'Presence'),
      h('select', { id: 'set-presence', name: 'presence' }, ['available', 'away', 'offline'].map((p) =>
        h('option', { value: p, selected: p === x.presence }, p[0].toUpperCase() + p.slice(1)))),
      h('label', { for: 'set-capacity' }, 'Capacity (conversations at once)'),
      h('input', { id: 'set-capacity', name: 'capacity', type: 'number', min: 0, max: 100, value: x.capacity, required: true }),
      h('label', { for: 'set-reason' }, 'Reason'),
      h('input', { id: 'set-reason', name: 'reason', type: 'text', maxlength: 2000 })], 'Set',
    (data) => {
      const request = { type: 'set_expert', expert: x.expert, reason: data.get('reason').trim() };
      if (data.get('presence') !== x.presence) request.presence = data.get('presence');
      if (Number(data.get('capacity')) !== x.capacity) request.capacity = Number(data.get('capacity'));
      if (!request.presence && request.capacity === undefined) return Promise.resolve();
      return this.conn.request(request);
    });
  }

  tick() {
    const now = Date.now();
    const last = this.minutes[this.minutes.length - 1];
    // Quiet minutes still pass: the charts keep time without waiting for an event.
    if (last && now - new Date(last.at).getTime() >= 60000) {
      const at = new Date(Math.floor(now / 60000) * 60000).toISOString().replace('.000Z', 'Z');
      this.addMinute({ at, arrivals: { enterprise: 0, standard: 0 }, wait_s: { enterprise: null, standard: null },
        first_response_s: null, utilization: last.utilization });
    }
    this.render();
  }

  // ---- charts ----------------------------------------------------------------------------

  makeCharts() {
    // Two bars per minute, side by side.
    const bar = (align) => uPlot.paths.bars({ size: [0.45, 14], align });
    const specs = [
      { key: 'arrivals', title: 'Arrivals per minute', series: TIERS.map((t, i) => ({ label: t, stroke: COLORS[t], fill: `${COLORS[t]}99`, paths: bar(i ? 1 : -1) })) },
      { key: 'waits', title: 'Average wait at assignment (s)', series: TIERS.map((t) => ({ label: t, stroke: COLORS[t], width: 2, spanGaps: true, points: { show: true } })) },
      { key: 'response', title: 'First response (s)', series: [{ label: 'first response', stroke: COLORS.response, width: 2, spanGaps: true, points: { show: true } }] },
      { key: 'utilization', title: 'Utilisation (%)', series: [{ label: 'utilisation', stroke: COLORS.utilization, fill: `${COLORS.utilization}22`, width: 2 }] },
    ];
    this.charts = specs.map((spec) => {
      const box = h('figure', { class: 'chart', 'data-chart': spec.key }, h('figcaption', {}, spec.title));
      this.chartsEl.append(box);
      const plot = new uPlot({
        width: 400, height: 180,
        // Always the last hour, however few minutes have data.
        scales: { x: { time: true, range: () => [Date.now() / 1000 - 3600, Date.now() / 1000 + 60] }, y: spec.key === 'utilization' ? { range: [0, 100] } : { range: (u, min, max) => [0, Math.max(1, max)] } },
        series: [{}, ...spec.series],
        axes: [{}, { size: 50 }],
        legend: { show: true, live: false },
      }, this.chartData(spec.key), box);
      return { spec, plot, box };
    });
    requestAnimationFrame(() => this.resizeCharts());
  }

  chartData(key) {
    const xs = this.minutes.map((m) => new Date(m.at).getTime() / 1000);
    switch (key) {
      case 'arrivals': return [xs, ...TIERS.map((t) => this.minutes.map((m) => m.arrivals[t]))];
      case 'waits': return [xs, ...TIERS.map((t) => this.minutes.map((m) => m.wait_s[t]))];
      case 'response': return [xs, this.minutes.map((m) => m.first_response_s)];
      default: return [xs, this.minutes.map((m) => (m.utilization === null ? null : Math.round(m.utilization * 100)))];
    }
  }

  updateCharts() {
    for (const c of this.charts || []) c.plot.setData(this.chartData(c.spec.key));
  }

  resizeCharts() {
    for (const c of this.charts || []) c.plot.setSize({ width: Math.max(240, c.box.clientWidth - 8), height: 180 });
  }
}

signIn(app, { role: 'monitor', title: 'Queue monitor' }).then((token) => {
  window.chatdMonitor = new Monitor(token); // for the browser console and the tests
});
