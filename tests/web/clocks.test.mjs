// The response-time clocks in Chromium: the monitor predicts a breach for a customer nobody can
// answer in time, then shows a customer waiting again on their expert's row and marks it late
// past the next-response target; the console says so too; the customer sees none of it.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chatdAndBrowser, expertConsole, openConversation, person, shot } from './support/harness.mjs';

// Enterprise answers a customer who writes again within 3 seconds (a real clock: kept short).
const env = chatdAndBrowser(`
[tiers.standard]
hours = "always"
[tiers.enterprise]
next_response = ["3s", "3s", "3s", "3s"]
`);

test('the monitor predicts a breach, then shows a customer waiting again and marks the wait late', async () => {
  const lead = await person(env.browser, { viewport: { width: 1400, height: 1000 } });
  await lead.page.goto(`${env.chatd.url}/monitor/?user=lead&name=Team%20lead`);
  await lead.page.locator('.connection[data-status=online]').waitFor();
  const ada = await expertConsole(env.browser, env.chatd.url, 'ada', 'Ada L.', 'away');

  // Nobody is available: the first answer is predicted to come too late.
  const erin = await person(env.browser);
  const frames = [];
  erin.page.on('websocket', (ws) => ws.on('framereceived', (f) => frames.push(String(f.payload))));
  await erin.page.goto(`${env.chatd.url}/widget/demo.html?${new URLSearchParams({ user: 'erin', name: 'Erin E.', tier: 'enterprise' })}`);
  await erin.page.locator('#chatd-widget .bubble').click();
  await erin.page.locator('#chatd-panel[data-connection=online]').waitFor();
  await openConversation(erin.page, 'SSO', 'Our SAML login is broken', 1);
  const row = lead.page.locator('.queue tbody tr[data-tier=enterprise]');
  await row.locator('td.sla', { hasText: 'will breach (nobody available)' }).waitFor();
  assert.match(await row.getAttribute('class'), /sla-predicted/);
  await shot(lead.page, 'monitor-12-predicted-breach');

  // Ada takes it and answers; Erin writes again: her row shows Erin waiting, then late.
  await ada.page.selectOption('#presence', 'available');
  await ada.page.locator('.offer', { hasText: 'SSO' }).getByRole('button', { name: 'Accept' }).click();
  await ada.page.fill('#reply', 'Looking at your SAML settings now');
  await ada.page.press('#reply', 'Enter');
  await erin.page.locator('.transcript .message', { hasText: 'Looking at your SAML settings' }).waitFor();
  await erin.page.fill('#reply', 'Any news?');
  await erin.page.press('#reply', 'Enter');
  const waiting = lead.page.locator('tr[data-expert=ada] .reply-clock');
  await waiting.filter({ hasText: 'customer waiting' }).waitFor();
  await lead.page.locator('tr[data-expert=ada] .reply-clock.late').waitFor({ timeout: 10000 });
  await ada.page.locator('.conversation-item.breached .clock', { hasText: 'past the reply target' }).waitFor();
  await shot(lead.page, 'monitor-13-customer-waiting-late');
  await shot(ada.page, 'console-36-reply-late');

  // Ada answers: the wait is over on both screens.
  await ada.page.fill('#reply', 'Fixed: please sign in again');
  await ada.page.press('#reply', 'Enter');
  await erin.page.locator('.transcript .message', { hasText: 'Fixed: please sign in again' }).waitFor();
  await waiting.waitFor({ state: 'detached' });
  await ada.page.locator('.conversation-item:not(.breached)').waitFor();
  assert.ok(frames.length > 3);
  for (const f of frames) assert.ok(!f.includes('sla_'), `a customer frame carried a clock: ${f}`);
});
