// A whole conversation through the three real clients in Chromium: a customer in the widget,
// two experts in their consoles, chatd and Redis real.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chatdAndBrowser, customerWidget, devToken, expertConsole, openConversation, shot, transcript } from './support/harness.mjs';

const env = chatdAndBrowser();

test('a customer is queued, offered, accepted, chats, holds, is handed off to a second expert, and rates the chat', async () => {
  const ada = await expertConsole(env.browser, env.chatd.url, 'ada', 'Ada L.', 'away');
  const bob = await expertConsole(env.browser, env.chatd.url, 'bob', 'Bob K.', 'away');
  const alice = await customerWidget(env.browser, env.chatd.url, 'alice', 'Alice A.', 'enterprise', { query: { region: 'de' } });
  const w = alice.page;
  await shot(w, 'widget-1-start');

  // Queued while nobody is available: the place in line (no estimate without an expert).
  await openConversation(w, 'Billing', 'My invoice total is wrong', 2);
  await w.locator('.banner[data-state=queued]', { hasText: "You're number 1 in line" }).waitFor();
  await shot(w, 'widget-2-queued');

  // Ada becomes available: the offer arrives with a countdown; she accepts.
  await ada.page.selectOption('#presence', 'available');
  const offer = ada.page.locator('.offer', { hasText: 'Billing' });
  await offer.waitFor();
  assert.match(await offer.locator('.countdown').textContent(), /\d+ s left/);
  assert.match(await ada.page.title(), /New offer/);
  await shot(ada.page, 'console-1-offer');
  await offer.getByRole('button', { name: 'Accept' }).click();
  await w.locator('.banner[data-state=active]', { hasText: "You're chatting with Ada L." }).waitFor();
  await w.locator('.notice', { hasText: 'Ada L. joined the conversation.' }).waitFor();

  // The console shows the opening message, the customer's tier, region and local time.
  await ada.page.locator('.transcript .message', { hasText: 'My invoice total is wrong' }).waitFor();
  const facts = await ada.page.locator('.pane-head').textContent();
  assert.match(facts, /enterprise/);
  assert.match(facts, /Europe\/Berlin/);
  await ada.page.locator('.earlier', { hasText: 'No earlier conversations.' }).waitFor();

  // Typing shows on the other side; messages go both ways with timestamps.
  await ada.page.locator('#reply').pressSequentially('Let me look', { delay: 10 });
  await w.locator('.typing', { hasText: 'Ada L. is typing…' }).waitFor();
  await ada.page.locator('#reply').press('Enter');
  await w.locator('.message.theirs', { hasText: 'Let me look' }).waitFor();
  assert.match(await w.locator('.message.theirs time').first().textContent(), /\d{2}:\d{2}/);
  await w.locator('#reply').fill('It is invoice INV-2291');
  await w.locator('#reply').press('Enter');
  await ada.page.locator('.message.theirs', { hasText: 'It is invoice INV-2291' }).waitFor();
  await shot(w, 'widget-3-chatting');
  await shot(ada.page, 'console-2-conversation');

  // Hold by the expert, resume by the customer.
  await ada.page.getByRole('button', { name: 'Hold' }).click();
  await w.locator('.banner[data-state=on_hold]').waitFor();
  await shot(w, 'widget-4-on-hold');
  await w.getByRole('button', { name: 'Resume' }).click();
  await w.locator('.banner[data-state=active]').waitFor();

  // The customer asks to stay with Ada; Ada proposes a time; the customer sees the choice.
  await w.getByRole('button', { name: 'Continue later with Ada L.' }).click();
  await ada.page.locator('.banner', { hasText: 'The customer asked to continue with you later.' }).waitFor();
  await ada.page.getByRole('button', { name: 'Propose a time…' }).click();
  await ada.page.getByRole('button', { name: 'Propose', exact: true }).click();
  const choice = w.locator('.choice', { hasText: 'Ada L. can continue with you' });
  await choice.waitFor();
  await shot(w, 'widget-5-stay-choice');
  await choice.getByRole('button', { name: 'Next available expert' }).click();

  // Ada hands off with a note; Bob becomes available, is offered it, accepts and sees everything.
  await ada.page.getByRole('button', { name: 'Hand off…' }).click();
  await ada.page.fill('#hand-off-note', 'Bob knows the invoice engine');
  await ada.page.getByRole('button', { name: 'Hand off', exact: true }).click();
  await w.locator('.notice', { hasText: 'Ada L. had to step away' }).waitFor();
  await bob.page.selectOption('#presence', 'available');
  await bob.page.locator('.offer', { hasText: 'Billing' }).getByRole('button', { name: 'Accept' }).click();
  await w.locator('.banner[data-state=active]', { hasText: 'Bob K.' }).waitFor();
  await bob.page.locator('.message', { hasText: 'It is invoice INV-2291' }).waitFor();
  assert.deepEqual(await transcript(bob.page), ['My invoice total is wrong', 'Let me look', 'It is invoice INV-2291']);
  await bob.page.locator('#reply').fill('Fixed: the total is corrected');
  await bob.page.locator('#reply').press('Enter');
  await w.locator('.message.theirs', { hasText: 'Fixed: the total is corrected' }).waitFor();
  assert.equal(await w.locator('.message.theirs .author').last().textContent(), 'Bob K.');

  // Bob closes; the customer answers the survey, and it is stored.
  await bob.page.getByRole('button', { name: 'Close', exact: true }).click();
  await w.locator('.banner[data-state=closed]').waitFor();
  await w.locator('form.survey').waitFor();
  await shot(w, 'widget-6-survey');
  await w.locator('.star', { hasText: '5' }).click();
  await w.fill('#survey-comment', 'Quick and clear');
  await w.getByRole('button', { name: 'Send feedback' }).click();
  await w.locator('.thanks').waitFor();

  const id = await w.locator('#chatd-widget').evaluate(() => window.ChatdWidget.instance.currentId);
  const lead = await devToken(env.chatd.url, { role: 'monitor', sub: 'lead', tenant: 'acme' });
  const stored = await (await fetch(`${env.chatd.url}/api/v1/conversations/${id}`, { headers: { Authorization: `Bearer ${lead}` } })).json();
  assert.equal(stored.conversation.survey.rating, 5);
  assert.equal(stored.conversation.survey.comment, 'Quick and clear');
  assert.deepEqual(stored.transcript.map((m) => m.text),
    ['My invoice total is wrong', 'Let me look', 'It is invoice INV-2291', 'Fixed: the total is corrected']);

  // Her next conversation shows the expert the one before (Ada steps away so that Bob gets it).
  await ada.page.selectOption('#presence', 'away');
  await w.getByRole('button', { name: 'Start a new conversation' }).click();
  await openConversation(w, 'Exports', 'The PDF export cuts off the last page');
  await bob.page.locator('.offer', { hasText: 'Exports' }).getByRole('button', { name: 'Accept' }).click();
  await bob.page.locator('.pane-head h2', { hasText: 'Alice A.' }).waitFor();
  const earlier = bob.page.locator('details.earlier');
  await earlier.locator('summary', { hasText: 'Earlier conversations (1)' }).click();
  await earlier.locator('li', { hasText: 'Billing' }).waitFor();
  assert.match(await earlier.locator('li').textContent(), /resolved · Bob K\./);
  await shot(bob.page, 'console-3-earlier-conversations');
});
