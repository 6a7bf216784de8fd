// The performance benchmark (docs/performance.md): the machine's floors and chatd, measured by
// the same load generator in one run, printed side by side with their ratios.
// Run through bench/run.sh, which builds everything first. Options: --quick (short runs, for
// trying the benchmark itself), --only a,b,c,d,e,sim,line,nodes,takeover,files,webhooks (some scenarios).

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const build = path.resolve(root, process.env.CHAT_BENCH_BUILD || 'build/release');
const bin = (p) => path.join(build, p);
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const onlyAt = args.indexOf('--only');
const only = onlyAt >= 0 ? new Set(args[onlyAt + 1].split(',')) : null;
const wanted = (s) => !only || only.has(s);

// Sizes of the scenarios (issue 5); --quick shrinks times, not shapes.
const size = {
  conversations: 1000,
  steadyRate: 2000,
  steadySeconds: quick ? 5 : 20,
  closedSeconds: quick ? 5 : 15,
  rounds: quick ? 1 : 3,
  idle: quick ? 2000 : 10000,
  holdSeconds: 4,
  burst: 2000,
  burstExperts: 50,
  stored: quick ? 20000 : 100000,
  storedOpen: quick ? 2000 : 10000,
  nodeTenants: 4,
  nodeSeconds: quick ? 5 : 15,
  kills: quick ? 5 : 20,
};

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'chat-bench-'));
const outDir = path.join(build, 'bench');
fs.mkdirSync(outDir, { recursive: true });
const children = new Set();

function log(...a) {
  console.error('bench:', ...a);
}

// Starts a program and resolves once a line of its output matches `ready` (with the match).
function start(name, file, argv, ready, env = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(file, argv, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let text = '';
    const timer = setTimeout(() => reject(new Error(`${name} did not start:\n${text}`)), 60000);
    const onData = (d) => {
      text += d;
      const m = text.match(ready);
      if (m && timer) {
        clearTimeout(timer);
        resolve({ child, match: m, output: () => text });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => {
      children.delete(child);
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code}) before it was ready:\n${text}`));
    });
  });
}

const exited = (child) => child.exitCode !== null || child.signalCode !== null;

async function stop(proc) {
  if (!proc || exited(proc.child)) return;
  const gone = new Promise((r) => proc.child.once('exit', r));
  proc.child.kill('SIGTERM');
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), 10000);
  await gone;
  clearTimeout(timer);
}

// Runs a program to its end; resolves with its output (rejects on failure unless allowed).
function run(file, argv, { allowFailure = false, onLine } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(file, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => {
      err += d;
      if (onLine) for (const line of String(d).split('\n')) if (line) onLine(line, child);
    });
    // 'close', not 'exit': the output may still be arriving when the process has exited.
    child.on('close', (code) => {
      children.delete(child);
      if (code !== 0 && !allowFailure) reject(new Error(`${path.basename(file)} failed (${code}):\n${out}${err}`));
      else resolve({ code, out, err });
    });
  });
}

function rssKiB(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(status.match(/VmRSS:\s+(\d+)/)[1]);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// --- Redis ------------------------------------------------------------------------------------

const redisDir = path.join(work, 'redis');
fs.mkdirSync(redisDir);
const redisSock = path.join(redisDir, 'redis.sock');
const redisUrl = `unix://${redisSock}`;

async function startRedis() {
  // As chatd's embedded Redis runs: AOF, fsync every second, no RDB snapshots.
  return start('redis-server', 'redis-server', ['--port', '0', '--unixsocket', redisSock, '--unixsocketperm', '700',
    '--dir', redisDir, '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '', '--daemonize', 'no'],
  /ready to accept connections/i);
}

async function redisCli(...a) {
  return (await run('redis-cli', ['-s', redisSock, ...a])).out;
}

async function commandStats() {
  const stats = {};
  for (const line of (await redisCli('INFO', 'commandstats')).split('\n')) {
    const m = line.match(/^cmdstat_(\w+):calls=(\d+)/);
    if (m) stats[m[1]] = Number(m[2]);
  }
  return stats;
}

// --- servers ----------------------------------------------------------------------------------

const secret = 'bench-' + Math.random().toString(36).slice(2) + Math.random().toString(36).slice(2);
const secretFile = path.join(work, 'token-secret');
fs.writeFileSync(secretFile, secret);

function chatdConfig(extra = '') {
  const file = path.join(work, 'chatd.toml');
  // Rate limits protect a live server from one client; the benchmark measures capacity, so
  // they are lifted. Both tiers are served at all hours.
  fs.writeFileSync(file, `[server]
port = 0
threads = 2
data_dir = "${path.join(work, 'chatd-data')}"
redis = "${redisUrl}"
token_secret = "${secret}"

[limits]
frames_per_second = 1000000.0
frame_burst = 1000000.0
customer_messages_per_second = 1000000.0
customer_message_burst = 1000000.0
max_connections = 30000
max_queue = 100000

[tiers.standard]
hours = "always"
${extra}`);
  return file;
}

// One chatd node of several on the benchmark's Redis (`id` unique), its own port.
function startNode(id) {
  return start(`chatd ${id}`, bin('server/chatd'), ['--config', chatdConfig(), '--node-id', id],
    /listening on http:\/\/127\.0\.0\.1:(\d+)/);
}

// CPU seconds a process has used (user + system).
function cpuSeconds(pid) {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (100/s)
}

async function metric(port, name) {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(name + ' '));
  return line ? Number(line.split(' ')[1]) : 0;
}

// The node named in each shard's lease (the 64 shards of the default configuration).
async function leaseHolders() {
  const keys = (await redisCli('--scan', '--pattern', 'chat:{*}:lease')).split('\n').filter(Boolean);
  if (!keys.length) return [];
  return (await redisCli('MGET', ...keys)).split('\n').filter(Boolean).map((v) => v.split(' ')[0]);
}

// Until every shard's lease names one of `ids`; how long that took (ms), or null.
async function allHeldBy(ids, withinMs) {
  const began = Date.now();
  while (Date.now() - began < withinMs) {
    const holders = await leaseHolders();
    if (holders.length === 64 && holders.every((h) => ids.includes(h))) return Date.now() - began;
    await sleep(20);
  }
  return null;
}

async function startServer(kind) {
  if (kind === 'echo') return start('chat-floor-echo', bin('bench/chat-floor-echo'), ['0', '2'], /listening on 127\.0\.0\.1:(\d+)/);
  if (kind === 'relay')
    return start('chat-floor-relay', bin('bench/chat-floor-relay'), ['0', redisUrl, '2'], /listening on 127\.0\.0\.1:(\d+)/);
  await redisCli('FLUSHALL');
  return start('chatd', bin('server/chatd'), ['--config', chatdConfig()], /listening on http:\/\/127\.0\.0\.1:(\d+)/);
}

async function loadgen(name, kind, port, extra) {
  const json = path.join(outDir, `${name}-${kind}.json`);
  const argv = ['--target', kind, '--port', String(port), '--json', json, '--progress', 'no', ...extra];
  if (kind === 'chatd') argv.push('--secret-file', secretFile);
  const r = await run(bin('tools/chat-loadgen'), argv, { allowFailure: true });
  if (!fs.existsSync(json)) throw new Error(`chat-loadgen wrote no result:\n${r.out}${r.err}`);
  const result = JSON.parse(fs.readFileSync(json, 'utf8'));
  log(`${name} on ${kind}:\n${r.out.trimEnd()}`);
  return result;
}

const pairs = (n) => ['--customers', String(n), '--experts', String(n)];

// --- scenarios --------------------------------------------------------------------------------

const results = { machine: { cores: os.cpus().length, model: os.cpus()[0]?.model }, quick, sizes: size };

// One fresh server of `kind` for one measurement.
async function withServer(kind, measure) {
  const s = await startServer(kind);
  try {
    return await measure(Number(s.match[1]), s);
  } finally {
    await stop(s);
  }
}

const steady = (kind, round) => withServer(kind, (port) => loadgen(`a-steady-${round}`, kind, port, [...pairs(size.conversations),
  '--rate', String(size.steadyRate), '--messages', '1000000', '--duration', String(size.steadySeconds), '--timeout', '300']));

const closedLoop = (kind, round) => withServer(kind, async (port) => {
  const before = kind === 'chatd' ? await commandStats() : null;
  const tripsBefore = kind === 'chatd' ? await metric(port, 'chatd_redis_requests_total') : 0;
  const result = await loadgen(`b-closed-${round}`, kind, port, [...pairs(size.conversations), '--messages', '1000000',
    '--duration', String(size.closedSeconds), '--timeout', '300']);
  if (before) {
    // Redis counts the commands a Function runs as well as the FCALL itself: chatd counts
    // what it sends (each pipeline one round trip).
    result.redis_trips = (await metric(port, 'chatd_redis_requests_total')) - tripsBefore;
    const after = await commandStats();
    result.redis = {};
    for (const [k, v] of Object.entries(after)) if (k !== 'info' && v - (before[k] || 0) > 0) result.redis[k] = v - (before[k] || 0);
  }
  return result;
});

const idle = (kind) => withServer(kind, async (port, s) => {
  await sleep(500);
  const base = rssKiB(s.child.pid);
  let held = null;
  const json = path.join(outDir, `c-idle-${kind}.json`);
  const argv = ['--target', kind, '--port', String(port), '--json', json, '--customers', String(size.idle), '--experts', '0',
    '--open', 'no', '--messages', '0', '--hold', String(size.holdSeconds), '--progress', 'yes', '--timeout', '300',
    '--connect-window', '500'];
  if (kind === 'chatd') argv.push('--secret-file', secretFile);
  await run(bin('tools/chat-loadgen'), argv, {
    allowFailure: true,
    onLine: (line) => {
      // Connected and authenticated: the server's memory now holds every connection.
      if (line.startsWith('connected:')) setTimeout(() => (held = rssKiB(s.child.pid)), 1500);
    },
  });
  const out = JSON.parse(fs.readFileSync(json, 'utf8'));
  const r = { connections: out.connections.open, rss_base_kib: base, rss_held_kib: held,
    kib_per_connection: held ? (held - base) / out.connections.open : null, errors: out.error_count };
  log(`c-idle on ${kind}: ${JSON.stringify(r)}`);
  return r;
});

// 1, 2 and 3 nodes on one Redis under the same closed loop: one chat-loadgen per tenant, each
// on node (tenant mod nodes), so a tenant's requests land on its shard's owner or are forwarded.
async function nodes(count) {
  await redisCli('FLUSHALL');
  const started = [];
  try {
    for (let i = 1; i <= count; ++i) started.push(await startNode(`bench-${i}`));
    const ids = started.map((_, i) => `bench-${i + 1}`);
    if ((await allHeldBy(ids, 15000)) === null) throw new Error('the nodes did not share the shards');
    await settled(count);
    const ports = started.map((n) => Number(n.match[1]));
    const cpu0 = started.map((n) => cpuSeconds(n.child.pid));
    const fwd0 = await Promise.all(ports.map((p) => metric(p, 'chatd_forwarded_requests_total')));
    const per = Math.floor(size.conversations / size.nodeTenants);
    const runs = await Promise.all([...Array(size.nodeTenants).keys()].map((t) =>
      loadgen(`n-${count}-nodes-t${t}`, 'chatd', ports[t % count], [...pairs(per), '--tenant', `tenant-${t}`,
        '--messages', '1000000', '--duration', String(size.nodeSeconds), '--timeout', '300'])));
    const cpu = started.map((n, i) => cpuSeconds(n.child.pid) - cpu0[i]);
    const fwd = (await Promise.all(ports.map((p) => metric(p, 'chatd_forwarded_requests_total')))).map((v, i) => v - fwd0[i]);
    const messages = runs.reduce((a, r) => a + r.messages.delivered, 0);
    const perSecond = runs.reduce((a, r) => a + r.messages.per_second, 0);
    const requests = runs.reduce((a, r) => a + r.messages.sent, 0);
    const r = { nodes: count, messages_per_second: perSecond, messages,
      cpu_us_per_message: cpu.map((c) => (messages ? (c * 1e6) / messages : null)),
      forwarded_share: requests ? fwd.reduce((a, b) => a + b, 0) / requests : 0,
      errors: runs.reduce((a, r2) => a + r2.error_count, 0) };
    log(`nodes ${count}: ${JSON.stringify(r)}`);
    return r;
  } finally {
    for (const n of started) await stop(n);
  }
}

// Until the shards stay where they are for 3 s with every one of `count` nodes holding some
// (a node that joined gets its share back a few seconds after it is heard).
async function settled(count) {
  let last = '';
  let since = Date.now();
  for (const began = Date.now(); Date.now() - began < 30000; await sleep(100)) {
    const holders = await leaseHolders();
    const now = holders.join(',');
    if (now !== last) [last, since] = [now, Date.now()];
    else if (Date.now() - since >= 3000 && new Set(holders).size === count && holders.length === 64) return;
  }
  log(`the shards did not settle over ${count} nodes within 30 s`);
}

// kill -9 of the node owning most shards, `size.kills` times: until the other holds every shard.
async function takeovers() {
  await redisCli('FLUSHALL');
  const times = [];
  let a = await startNode('bench-a');
  let b = await startNode('bench-b');
  try {
    for (let k = 0; k < size.kills; ++k) {
      if ((await allHeldBy(['bench-a', 'bench-b'], 15000)) === null) throw new Error('the nodes did not share the shards');
      await sleep(2500); // both settled and owning some
      const holders = await leaseHolders();
      const victim = holders.filter((h) => h === 'bench-a').length >= holders.length / 2 ? 'a' : 'b';
      const [dead, alive] = victim === 'a' ? [a, 'bench-b'] : [b, 'bench-a'];
      dead.child.kill('SIGKILL');
      const took = await allHeldBy([alive], 15000);
      times.push(took);
      log(`takeover ${k + 1}/${size.kills} after kill -9 of bench-${victim}: ${took} ms`);
      await new Promise((r) => (exited(dead.child) ? r() : dead.child.once('exit', r)));
      if (victim === 'a') a = await startNode('bench-a');
      else b = await startNode('bench-b');
    }
  } finally {
    await stop(a);
    await stop(b);
  }
  const sorted = times.filter((t) => t !== null).sort((x, y) => x - y);
  const r = { kills: times.length, p50_ms: sorted[Math.floor((sorted.length - 1) / 2)], max_ms: sorted[sorted.length - 1],
    not_taken: times.length - sorted.length };
  log(`takeovers: ${JSON.stringify(r)}`);
  return r;
}

// The median of a figure over rounds (the machine is noisy; rounds alternate floor and chatd).
function median(runs, pick) {
  const v = runs.map(pick).filter((x) => x !== undefined && x !== null).sort((a, b) => a - b);
  return v.length ? v[Math.floor((v.length - 1) / 2)] : null;
}

const burst = () => withServer('chatd', (port) => loadgen('d-burst', 'chatd', port, ['--customers', String(size.burst),
  '--experts', String(size.burstExperts), '--capacity', String(Math.ceil(size.burst / size.burstExperts)),
  '--open-rate', String(size.burst), '--messages', '0', '--timeout', '120']));

async function recovery() {
  // As Redis keeps its AOF (rewritten whenever it doubles), and the worst case: every write replayed.
  const result = {};
  for (const [name, rewrite] of [['rewritten', '1'], ['replayed', '0']]) {
    const r = await run(bin('bench/chat-bench-recovery'), ['--conversations', String(size.stored), '--open',
      String(size.storedOpen), '--rewrite-aof', rewrite]);
    log(`e-recovery (AOF ${name}):\n${r.out.trimEnd()}`);
    result[name] = JSON.parse(r.out.split('\n').find((l) => l.startsWith('{')));
  }
  return result;
}

// Files in the chat: 20 MiB uploads through chatd against the same bytes into a synced file
// over loopback, and chatd's resident memory meanwhile.
async function files() {
  return withServer('chatd', async (port, s) => {
    const r = await run(bin('bench/chat-bench-files'), ['--port', String(port), '--pid', String(s.child.pid),
      '--secret-file', secretFile, '--dir', work, '--mib', '20', '--uploads', quick ? '3' : '7']);
    log(`files: ${r.out.trim()}`);
    return JSON.parse(r.out);
  });
}

// The webhook outbox: an event's way from its commit to a receiver, and how many per second,
// against the same signed POSTs sent straight to the same receiver.
async function webhooks() {
  const receiverPort = await new Promise((resolve) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
  const hookSecret = 'bench-hook-' + Math.random().toString(36).slice(2);
  await redisCli('FLUSHALL');
  const config = chatdConfig(`
[policy]
max_open_per_customer = 100000

[[webhooks]]
name = "bench"
url = "http://127.0.0.1:${receiverPort}/hooks"
secret = "${hookSecret}"
events = ["conversation.opened"]
timeout_ms = 60000
`);
  const s = await start('chatd', bin('server/chatd'), ['--config', config], /listening on http:\/\/127\.0\.0\.1:(\d+)/);
  try {
    const r = await run(bin('bench/chat-bench-webhooks'), ['--port', s.match[1], '--receiver-port', String(receiverPort),
      '--secret-file', secretFile, '--hook-secret', hookSecret, '--events', quick ? '1000' : '5000',
      '--latency-samples', quick ? '100' : '300']);
    log(`webhooks: ${r.out.trim()}`);
    return JSON.parse(r.out);
  } finally {
    await stop(s);
  }
}

async function line() {
  // The core alone: openings into a line nobody can take from, and a hand-off into it.
  const r = await run(bin('bench/chat-bench-line'), ['--conversations', quick ? '2000' : '10000', '--held', quick ? '1000' : '5000', '--format', 'json']);
  return JSON.parse(r.out);
}

async function simulation() {
  // A day of a 2,000-expert team under 700,000 arrivals an hour: more than a million
  // conversations routed.
  const r = await run(bin('tools/chat-sim'), ['--experts', '2000', '--capacity', '3', '--hours', quick ? '0.2' : '2',
    '--arrivals-per-hour', 'enterprise=200000,standard=500000', '--handle-minutes', '0.5', '--format', 'json']);
  return JSON.parse(r.out);
}

// --- report -----------------------------------------------------------------------------------

function fmt(v, digits = 1) {
  if (v === null || v === undefined || Number.isNaN(v)) return '-';
  return Number(v).toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

function report(res) {
  const rows = [];
  const row = (what, chatd, floor, floorName, ratio, target, ok) =>
    rows.push({ what, chatd, floor, floorName, ratio, target, verdict: ok === undefined ? '' : ok ? 'met' : 'NOT MET' });
  const { chatd = {}, relay = {}, echo = {} } = res;
  const n = (runs) => (runs?.length > 1 ? ` (median of ${runs.length})` : '');
  if (chatd.closed?.length) {
    const c = median(chatd.closed, (r) => r.messages.per_second);
    const f = median(relay.closed || [], (r) => r.messages.per_second);
    row(`b closed loop: messages/s${n(chatd.closed)}`, fmt(c, 0), fmt(f, 0), 'relay', f ? c / f : null, '>= 0.60 x relay',
      f ? c / f >= 0.6 : undefined);
    const e = median(echo.closed || [], (r) => r.messages.per_second);
    if (e) row('  (echo floor)', '', fmt(e, 0), 'echo', c / e, '', undefined);
  }
  if (chatd.steady?.length) {
    const pick = (key) => (r) => r.messages.delivery[key];
    const d = (key) => median(chatd.steady, pick(key));
    const f = (key) => median(relay.steady || [], pick(key));
    row(`a 2,000 msg/s: p50 ms${n(chatd.steady)}`, fmt(d('p50_ms'), 3), fmt(f('p50_ms'), 3), 'relay', f('p50_ms') ? d('p50_ms') / f('p50_ms') : null,
      '< 1 ms', d('p50_ms') < 1);
    row('a 2,000 msg/s: p99 ms', fmt(d('p99_ms'), 3), fmt(f('p99_ms'), 3), 'relay', f('p99_ms') ? d('p99_ms') / f('p99_ms') : null,
      '<= 2 x relay', f('p99_ms') ? d('p99_ms') <= 2 * f('p99_ms') : undefined);
    row('a 2,000 msg/s: p99.9 ms', fmt(d('p999_ms'), 3), fmt(f('p999_ms'), 3), 'relay', f('p999_ms') ? d('p999_ms') / f('p999_ms') : null, '', undefined);
    const sent = chatd.steady.reduce((t, r) => t + r.messages.sent, 0);
    const delivered = chatd.steady.reduce((t, r) => t + r.messages.delivered, 0);
    row('a delivered / sent (all rounds)', `${delivered}/${sent}`, '', '', null, 'no loss',
      chatd.steady.every((r) => r.error_count === 0) && delivered === sent);
  }
  const redisRun = chatd.closed?.find((r) => r.redis);
  if (redisRun) {
    const m = redisRun.messages.delivered;
    let commands = 0;
    for (const [k, v] of Object.entries(redisRun.redis)) {
      if (k === 'config' || k === 'info' || k === 'flushall' || k === 'fcall') continue;
      commands += v;
    }
    const trips = redisRun.redis_trips;
    row('b Redis commands / message', fmt(commands / m, 2), '1.00', 'relay', null, '', undefined);
    row('b Redis round trips / message', fmt(trips / m, 3), '1.00', 'relay', trips / m, '<= 1', trips / m <= 1);
  }
  if (chatd.idle) {
    const c = chatd.idle.kib_per_connection;
    const e = echo.idle?.kib_per_connection;
    row('c idle RSS KiB / connection', fmt(c, 1), fmt(e, 1), 'echo', e ? c / e : null, '<= 12 KiB', c <= 12);
  }
  if (res.burst) {
    const b = res.burst.conversations;
    row('d burst: all offered after last open, ms', fmt(b.last_open_to_all_offered_ms, 0), '', '', null, '<= 2000 ms',
      b.last_open_to_all_offered_ms >= 0 && b.last_open_to_all_offered_ms <= 2000);
  }
  if (res.recovery) {
    const { rewritten: w, replayed: p } = res.recovery;
    row('e restart to serving (first welcome), ms', fmt(w.first_welcome_ms, 0), '', '', null, '<= 2000 ms', w.first_welcome_ms <= 2000);
    row('  of which Redis loading its data, ms', fmt(w.redis_loading_ms, 0), '', '', null, '', undefined);
    row('e same, AOF never rewritten (worst), ms', fmt(p.first_welcome_ms, 0), '', '', null, '', undefined);
    row('  of which Redis replaying its AOF, ms', fmt(p.redis_loading_ms, 0), '', '', null, '', undefined);
  }
  if (res.simulation) {
    const s = res.simulation.speed;
    row('chat-sim: routed / minute (one core)', fmt(s.routed_per_minute, 0), '', '', null, '>= 1,000,000', s.routed_per_minute >= 1e6);
  }
  if (res.line) {
    const last = res.line.openings[res.line.openings.length - 1];
    row(`core: an opening into a line of ${last.line}, us`, fmt(last.us_per_opening, 1), '', '', null, '', undefined);
    const h = res.line.hand_off;
    row(`core: hand-off of ${h.conversations} into a line of ${h.line}, ms`, fmt(h.ms, 1), '', '', null, '', undefined);
    const m = res.line.messages;
    row('core: a chat message with the reply clocks, us', fmt(m.us_with_reply_clocks, 2), fmt(m.us_floor, 2),
      'no reply clocks', m.ratio, '', undefined);
  }
  if (res.files) {
    const f = res.files;
    row(`files: ${f.mib} MiB upload, MiB/s (median of ${f.uploads})`, fmt(f.chatd_mib_per_s, 0), fmt(f.floor_mib_per_s, 0),
      'socket+fsync', f.ratio, '', undefined);
    row(`files: chatd RSS growth during ${f.mib} MiB uploads, KiB`, fmt(f.rss_growth_kib, 0), '', '', null,
      'streams, not buffered', f.rss_growth_kib < 4096);
  }
  if (res.webhooks) {
    const w = res.webhooks;
    row(`webhooks: backlog of ${w.events} events (${w.customers} tenants) delivered/s`, fmt(w.delivered_per_s, 0), fmt(w.floor_posts_per_s, 0),
      'one POST loop', w.ratio, '', undefined);
    row('webhooks: stored -> received p50 / p99, ms', `${fmt(w.latency_p50_ms, 2)} / ${fmt(w.latency_p99_ms, 2)}`,
      fmt(w.floor_post_p50_ms, 2), 'one POST', null, '', undefined);
  }
  if (res.redis_floor) {
    row('Redis floor: XADD round trip p50 us', '', fmt(res.redis_floor.xadd.p50_us, 1), 'redis', null, '', undefined);
  }
  const header = ['figure', 'chatd', 'floor', 'of', 'ratio', 'target', ''];
  const table = [header, ...rows.map((r) => [r.what, r.chatd, r.floor, r.floorName, r.ratio == null ? '' : fmt(r.ratio, 2), r.target, r.verdict])];
  const widths = header.map((_, i) => Math.max(...table.map((t) => String(t[i]).length)));
  const lines = table.map((t) => t.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  '));
  return [lines[0], lines[0].replace(/./g, '-'), ...lines.slice(1)].join('\n');
}

// Several nodes on one Redis, and takeovers.
function nodesReport(res) {
  const table = [['nodes on one Redis', 'messages/s', 'vs 1 node', 'chatd CPU µs per message, per node', 'forwarded']];
  const one = res.nodes?.[0]?.messages_per_second;
  for (const n of res.nodes || [])
    table.push([`${n.nodes} node${n.nodes > 1 ? 's' : ''}`, fmt(n.messages_per_second, 0), one ? fmt(n.messages_per_second / one, 2) : '',
      n.cpu_us_per_message.map((c) => fmt(c, 1)).join(' / '), `${fmt(n.forwarded_share * 100, 0)} %`]);
  if (res.takeover)
    table.push([`takeover after kill -9 (${res.takeover.kills} kills)`, `p50 ${res.takeover.p50_ms} ms`, `max ${res.takeover.max_ms} ms`,
      res.takeover.not_taken ? `${res.takeover.not_taken} not taken` : '', '']);
  const widths = table[0].map((_, i) => Math.max(...table.map((t) => String(t[i]).length)));
  const lines = table.map((t) => t.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  '));
  return [lines[0], lines[0].replace(/./g, '-'), ...lines.slice(1)].join('\n');
}

// --- main -------------------------------------------------------------------------------------

async function main() {
  const redis = await startRedis();
  try {
    if (wanted('a') || wanted('b')) {
      const r = await run(bin('bench/chat-floor-redis'), [redisUrl, quick ? '5000' : '20000']);
      results.redis_floor = JSON.parse(r.out);
      log(`Redis floor: ${r.out.trim()}`);
    }
    for (const kind of ['echo', 'relay', 'chatd']) results[kind] = { steady: [], closed: [] };
    for (let round = 1; round <= size.rounds; ++round) {
      for (const kind of ['relay', 'chatd']) {
        log(`--- round ${round}: ${kind}`);
        if (wanted('a')) results[kind].steady.push(await steady(kind, round));
        if (wanted('b')) results[kind].closed.push(await closedLoop(kind, round));
      }
    }
    if (wanted('b')) results.echo.closed.push(await closedLoop('echo', 1));
    if (wanted('c')) {
      results.echo.idle = await idle('echo');
      results.chatd.idle = await idle('chatd');
    }
    if (wanted('d')) results.burst = await burst();
    if (wanted('nodes')) results.nodes = [await nodes(1), await nodes(2), await nodes(3)];
    if (wanted('takeover')) results.takeover = await takeovers();
    if (wanted('files')) results.files = await files();
    if (wanted('webhooks')) results.webhooks = await webhooks();
  } finally {
    await stop(redis);
  }
  if (wanted('e')) results.recovery = await recovery();
  if (wanted('sim')) results.simulation = await simulation();
  if (wanted('line')) results.line = await line();
  const file = path.join(outDir, 'results.json');
  fs.writeFileSync(file, JSON.stringify(results, null, 2) + '\n');
  console.log(`\nchatd benchmark — ${results.machine.cores} cores, ${results.machine.model}${quick ? ' (quick)' : ''}\n`);
  console.log(report(results));
  if (results.nodes || results.takeover) console.log('\n' + nodesReport(results));
  console.log(`\nAll figures: ${file}`);
}

function cleanup() {
  for (const c of children) c.kill('SIGKILL');
  fs.rmSync(work, { recursive: true, force: true });
}
process.on('SIGINT', () => {
  cleanup();
  process.exit(130);
});
main()
  .then(() => cleanup())
  .catch((e) => {
    console.error('bench:', e.message);
    cleanup();
    process.exit(1);
  });
