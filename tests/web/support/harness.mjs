// What every browser test needs: a real chatd (with its embedded Redis) on a free port serving
// the built clients, a real headless Chromium (Debian's, driven by playwright-core), and
// screenshots into the build folder. Everything started here is stopped in `after`.

import { spawn } from 'node:child_process';
import { after, before } from 'node:test';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, '..', '..', '..', 'web', 'package.json'));
const { chromium } = require('playwright-core');

const CHATD = process.env.CHATD_PATH;
const WEB_ROOT = process.env.CHAT_WEB_ROOT;
const SHOTS = process.env.CHAT_SCREENSHOTS || join(tmpdir(), 'chatd-screenshots');

// Standard hours are "always" so that the tests do not depend on the day they run.
const TEST_CONFIG = `
[tiers.standard]
hours = "always"
[regions.de]
timezone = "Europe/Berlin"
`;

// `config`: TOML that replaces the test default (Standard hours "always").
export async function startChatd(config = TEST_CONFIG) {
  if (!CHATD || !WEB_ROOT) throw new Error('CHATD_PATH and CHAT_WEB_ROOT must be set (ctest sets them)');
  const dir = mkdtempSync(join(tmpdir(), 'chatd-web-'));
  writeFileSync(join(dir, 'chatd.toml'), config);
  const child = spawn(CHATD, ['--config', join(dir, 'chatd.toml'), '--port', '0', '--data-dir', join(dir, 'data'),
    '--web-root', WEB_ROOT, '--dev-tokens'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`chatd did not start:\n${output}`)), 30000);
    const read = (chunk) => {
      output += chunk;
      const m = output.match(/listening on http:\/\/127\.0\.0\.1:(\d+)/);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.on('exit', (code) => reject(new Error(`chatd exited (${code}):\n${output}`)));
  });
  const stop = async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.on('exit', resolve));
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 15000);
    await exited;
    clearTimeout(killer);
    rmSync(dir, { recursive: true, force: true });
  };
  process.on('exit', () => child.exitCode === null && child.kill('SIGKILL'));
  return { port, url: `http://127.0.0.1:${port}`, stop, output: () => output };
}

// One chatd and one browser for a test file: started before its tests, stopped after them.
export function chatdAndBrowser(config) {
  const env = { chatd: null, browser: null };
  before(async () => {
    env.chatd = await startChatd(config);
    env.browser = await launchBrowser();
  });
  after(async () => {
    await env.browser?.close();
    await env.chatd?.stop();
  });
  return env;
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
}

// A fresh browser profile (its own storage), as a separate person on a separate machine.
export async function person(browser, options = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, ...options });
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && console.error(`browser console: ${m.text()}`));
  return { context, page };
}

export async function shot(page, name) {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`) });
}

export async function devToken(base, params) {
  const res = await fetch(`${base}/dev/token?${new URLSearchParams(params)}`);
  if (!res.ok) throw new Error(`dev token: HTTP ${res.status}`);
  return (await res.json()).token;
}

// The expert console of `user`, signed in, online, with the given presence.
export async function expertConsole(browser, base, user, name, presence = 'available') {
  const p = await person(browser);
  await p.page.goto(`${base}/console/?user=${user}&name=${encodeURIComponent(name)}`);
  await p.page.locator('.connection[data-status=online]').waitFor();
  await p.page.selectOption('#presence', presence);
  await p.page.waitForFunction((want) => document.querySelector('#presence').value === want, presence);
  return p;
}

// A host page with the widget, as customer `user`, the panel open.
export async function customerWidget(browser, base, user, name, tier = 'enterprise', extra = {}) {
  const p = await person(browser, extra.context || {});
  const query = new URLSearchParams({ user, name, tier, ...(extra.query || {}) });
  await p.page.goto(`${base}/widget/demo.html?${query}`);
  await p.page.locator('#chatd-widget .bubble').click();
  await p.page.locator('#chatd-panel[data-connection=online]').waitFor();
  return p;
}

export async function openConversation(page, topic, text, severity, requestType) {
  await page.fill('#topic', topic);
  if (severity) await page.selectOption('#severity', String(severity));
  if (requestType) await page.selectOption('#request-type', requestType);
  await page.fill('#first-message', text);
  await page.click('form.start button[type=submit]');
  await page.locator('.banner[data-state]').waitFor();
}

// Texts of the messages a page shows in its transcript, in order.
export async function transcript(page) {
  return page.locator('.transcript .message:not(.pending) .text').allTextContents();
}
