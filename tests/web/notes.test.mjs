// The internal thread in the expert console: a note in the conversation's pane, a colleague
// named with @ told in their Mentions and answering from there, and the customer's widget
// never receiving a frame of it.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chatdAndBrowser, expertConsole, openConversation, person, shot } from './support/harness.mjs';

const env = chatdAndBrowser();

test('an expert writes an internal note, the colleague it names answers, takes the hand-off card, and the customer sees none of it', async () => {
  const ada = await expertConsole(env.browser, env.chatd.url, 'ada', 'Ada L.');
  const ben = await expertConsole(env.browser, env.chatd.url, 'ben', 'Ben K.', 'away');

  // The customer's page, every WebSocket frame it receives recorded from the start.
  const gil = await person(env.browser);
  const frames = [];
  gil.page.on('websocket', (ws) => ws.on('framereceived', (f) => frames.push(String(f.payload))));
  await gil.page.goto(`${env.chatd.url}/widget/demo.html?${new URLSearchParams({ user: 'gil', name: 'Gil G.', tier: 'enterprise' })}`);
  await gil.page.locator('#chatd-widget .bubble').click();
  await gil.page.locator('#chatd-panel[data-connection=online]').waitFor();
  await openConversation(gil.page, 'SSO', 'Okta login loops forever');

  await ada.page.locator('.offer', { hasText: 'SSO' }).waitFor();
  await ada.page.keyboard.press('Alt+a');
  await ada.page.locator('.pane-head .facts', { hasText: 'SSO' }).waitFor();
  await ada.page.locator('.internal .notes .empty').waitFor();

  const secret = 'Legacy SSO tenant, do not promise a fix date. @ben can you check the IdP?';
  await ada.page.locator('#note').fill(secret);
  await ada.page.locator('#note').press('Enter');
  await ada.page.locator('.internal .note', { hasText: 'Legacy SSO tenant' }).waitFor();

  const mention = ben.page.locator('.mentions .mention', { hasText: 'Legacy SSO tenant' });
  await mention.waitFor();
  await shot(ben.page, 'console-20-mentioned');
  await mention.locator('input').fill('SAML trace shows a clock skew');
  await mention.locator('input').press('Enter');
  await ada.page.locator('.internal .note', { hasText: 'SAML trace shows a clock skew' }).waitFor();
  await shot(ada.page, 'console-21-internal-notes');

  // A chat message after the notes, so that the customer's socket has carried everything since.
  await ada.page.locator('#reply').fill('We are looking into it');
  await ada.page.locator('#reply').press('Enter');
  await gil.page.locator('.transcript .message', { hasText: 'We are looking into it' }).waitFor();
  // Ada hands off with a card; Ben reads it in the offer before accepting, and in the thread after.
  await ada.page.getByRole('button', { name: 'Hand off…' }).click();
  await ada.page.fill('#hand-off-note', 'Needs someone with Okta admin');
  await ada.page.fill('#hand-off-tried', 'Cleared cookies, tried a new browser');
  await ada.page.fill('#hand-off-promised', 'A call back with the fix');
  await ada.page.fill('#hand-off-by', '2030-01-07T15:00');
  await ada.page.getByRole('button', { name: 'Hand off', exact: true }).click();
  await ben.page.selectOption('#presence', 'available');
  const offer = ben.page.locator('.offer', { hasText: 'SSO' });
  await offer.locator('.card-line', { hasText: 'Tried: Cleared cookies, tried a new browser' }).waitFor();
  await offer.locator('.card-line', { hasText: 'Promised: A call back with the fix (by' }).waitFor();
  await shot(ben.page, 'console-22-hand-off-card');
  await offer.getByRole('button', { name: 'Accept' }).click();
  await ben.page.locator('.internal .note', { hasText: 'Tried: Cleared cookies' }).waitFor();
  await ben.page.locator('.internal .note', { hasText: 'Legacy SSO tenant' }).waitFor();
  await gil.page.locator('.banner[data-state=active]', { hasText: 'Ben K.' }).waitFor();

  assert.ok(frames.length > 3);
  for (const f of frames) {
    for (const secret of ['Legacy SSO', 'clock skew', 'Okta admin', 'Cleared cookies', 'call back with the fix'])
      assert.ok(!f.includes(secret), `a customer frame carried a note: ${f}`);
    assert.notEqual(JSON.parse(f).type, 'note');
  }
  assert.ok(!(await gil.page.locator('body').innerText()).includes('Legacy SSO'));
});
