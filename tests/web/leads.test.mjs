// The team lead's desk in Chromium: a live view of a conversation opened from the expert board,
// a whisper the expert reads, the lead joining to write to the customer, an expert's call for help, a transfer to a colleague read before
// accepting, a lead's reassignment and settings — and the customer's widget receiving none of
// what staff say to each other.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chatdAndBrowser, expertConsole, openConversation, person, shot } from './support/harness.mjs';

const env = chatdAndBrowser();

test('a lead watches a conversation live, whispers, answers a call for help, and moves it between experts', async () => {
  const ada = await expertConsole(env.browser, env.chatd.url, 'ada', 'Ada L.');
  const ben = await expertConsole(env.browser, env.chatd.url, 'ben', 'Ben K.', 'away');
  const lead = await person(env.browser, { viewport: { width: 1400, height: 1100 } });
  await lead.page.goto(`${env.chatd.url}/monitor/?user=lena&name=${encodeURIComponent('Lena T.')}`);
  await lead.page.locator('.connection[data-status=online]').waitFor();

  const gil = await person(env.browser);
  const frames = [];
  gil.page.on('websocket', (ws) => ws.on('framereceived', (f) => frames.push(String(f.payload))));
  await gil.page.goto(`${env.chatd.url}/widget/demo.html?${new URLSearchParams({ user: 'gil', name: 'Gil G.', tier: 'enterprise' })}`);
  await gil.page.locator('#chatd-widget .bubble').click();
  await gil.page.locator('#chatd-panel[data-connection=online]').waitFor();
  await openConversation(gil.page, 'Billing', 'We were charged twice this month');
  await ada.page.locator('.offer', { hasText: 'Billing' }).waitFor();
  await ada.page.keyboard.press('Alt+a');
  await ada.page.locator('.pane-head .facts', { hasText: 'Billing' }).waitFor();

  // The lead opens it from Ada's row on the board and follows it live.
  await lead.page.locator('tr[data-expert=ada] button.link', { hasText: 'Gil G. · Billing' }).click();
  const live = lead.page.locator('section.live');
  await live.locator('.transcript .message', { hasText: 'We were charged twice this month' }).waitFor();
  await live.locator('.facts .expert', { hasText: 'Ada L.' }).waitFor();
  await gil.page.fill('#reply', 'Any update?');
  await gil.page.press('#reply', 'Enter');
  await live.locator('.transcript .message', { hasText: 'Any update?' }).waitFor();

  // A whisper reaches Ada's internal notes, marked as the lead's.
  await lead.page.fill('#whisper', 'SECRET-offer the refund, it is approved');
  await lead.page.press('#whisper', 'Enter');
  await ada.page.locator('.internal .note', { hasText: 'SECRET-offer the refund' }).locator('.author', { hasText: '(lead)' }).waitFor();

  // The lead joins and writes to the customer beside Ada; both see who joined.
  await live.getByRole('button', { name: 'Join' }).click();
  await gil.page.locator('.transcript', { hasText: 'Lena T., a team lead, joined the conversation.' }).waitFor();
  await lead.page.fill('#lead-reply', 'Lena here, the team lead: your refund is approved');
  await lead.page.press('#lead-reply', 'Enter');
  await gil.page.locator('.transcript .message', { hasText: 'your refund is approved' }).waitFor();
  await ada.page.locator('.transcript .message', { hasText: 'your refund is approved' }).waitFor();
  await live.locator('.transcript .message.mine', { hasText: 'your refund is approved' }).waitFor();

  // Ada asks for help; the lead sees it in Help requests.
  await ada.page.getByRole('button', { name: 'Ask a lead…' }).click();
  await ada.page.fill('#ask-lead-text', 'SECRET-customer wants a credit note too');
  await ada.page.getByRole('button', { name: 'Ask', exact: true }).click();
  await lead.page.locator('.help-request', { hasText: 'SECRET-customer wants a credit note too' }).waitFor();
  await live.locator('.internal .note', { hasText: 'Asked a team lead for help' }).waitFor();
  await shot(lead.page, 'monitor-10-live-view-and-help');

  // Ada transfers it to Ben, who reads the card in the offer before accepting.
  await ben.page.selectOption('#presence', 'available');
  await ada.page.getByRole('button', { name: 'Transfer…' }).click();
  await ada.page.locator('#transfer-to option[value="to:ben"]:not([disabled])').waitFor({ state: 'attached' });
  await ada.page.selectOption('#transfer-to', 'to:ben');
  await ada.page.fill('#transfer-note', 'SECRET-needs finance approval');
  await shot(ada.page, 'console-32-transfer');
  await ada.page.getByRole('button', { name: 'Transfer', exact: true }).click();
  const offer = ben.page.locator('.offer', { hasText: 'Billing' });
  await offer.locator('.card-line', { hasText: 'Transferred to Ben K.' }).waitFor();
  await offer.locator('.card-note', { hasText: 'SECRET-needs finance approval' }).waitFor();
  await shot(ben.page, 'console-33-transfer-offer');
  await offer.getByRole('button', { name: 'Accept' }).click();
  await live.locator('.facts .expert', { hasText: 'Ben K.' }).waitFor();
  await gil.page.locator('.banner[data-state=active]', { hasText: 'Ben K.' }).waitFor();

  // The lead gives it back to Ada without an offer, and sets Ben away, saying why.
  await live.getByRole('button', { name: 'Reassign…' }).click();
  await lead.page.selectOption('#reassign-to', 'ada');
  await lead.page.fill('#reassign-reason', 'Ada knows this account');
  await lead.page.getByRole('button', { name: 'Reassign', exact: true }).click();
  await live.locator('.facts .expert', { hasText: 'Ada L.' }).waitFor();
  await ada.page.locator('.pane-head .facts', { hasText: 'Billing' }).waitFor();
  // The lead raises its priority; the reason stays with staff.
  await live.getByRole('button', { name: 'Classify…' }).click();
  await lead.page.selectOption('#classify-priority', 'high');
  await lead.page.fill('#classify-reason', 'SECRET-renewal this week');
  await lead.page.getByRole('button', { name: 'Change', exact: true }).click();
  await live.locator('.facts .priority', { hasText: 'high' }).waitFor();
  await ada.page.locator('.pane-head .facts .priority', { hasText: 'high' }).waitFor();
  await ada.page.locator('details.classifications', { hasText: 'Reclassified 1×' }).waitFor();
  await lead.page.getByRole('button', { name: 'Set presence or capacity of Ben K.' }).click();
  await lead.page.selectOption('#set-presence', 'away');
  await lead.page.fill('#set-reason', 'Lunch cover');
  await lead.page.getByRole('button', { name: 'Set', exact: true }).click();
  await ben.page.waitForFunction(() => document.querySelector('#presence').value === 'away');
  await lead.page.locator('tr[data-expert=ben]', { hasText: 'away' }).waitFor();
  await shot(lead.page, 'monitor-11-reassigned');

  // A message after everything, so that the customer's socket has carried all that came before.
  await ada.page.fill('#reply', 'Ada again: the refund is on its way');
  await ada.page.press('#reply', 'Enter');
  await gil.page.locator('.transcript .message', { hasText: 'the refund is on its way' }).waitFor();
  assert.ok(frames.length > 5);
  for (const f of frames) assert.ok(!f.includes('SECRET-'), `a customer frame carried what staff said: ${f}`);
  assert.ok(!(await gil.page.locator('body').innerText()).includes('SECRET-'));
});
