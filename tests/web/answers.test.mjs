// Saved answers in the expert console, in Chromium: made in the manager (shared and personal),
// found by typing "/" in a reply, inserted with the conversation's variables filled in, and
// followed by the answer's action once the reply is sent; a colleague finds only the shared one.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chatdAndBrowser, customerWidget, expertConsole, openConversation, shot } from './support/harness.mjs';

const env = chatdAndBrowser();

async function newAnswer(page, { title, text, shortcut, shared, action, minutes, severity }) {
  await page.getByRole('button', { name: 'New saved answer…' }).click();
  await page.fill('#answer-title', title);
  await page.fill('#answer-text', text);
  if (shortcut) await page.fill('#answer-shortcut', shortcut);
  if (action) await page.selectOption('#answer-action', action);
  if (minutes) await page.fill('#answer-minutes', String(minutes));
  if (severity) await page.selectOption('#answer-severity', String(severity));
  if (shared) await page.locator('input[name=shared]').check();
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await page.locator('.answer-list li', { hasText: title }).waitFor();
}

test('an expert saves answers, inserts one with "/" filled in for the customer, and its action follows the reply', async () => {
  const ada = await expertConsole(env.browser, env.chatd.url, 'ada', 'Ada L.');
  await ada.page.getByRole('button', { name: 'Saved answers' }).click();
  await ada.page.locator('.answer-list .empty').waitFor();
  await newAnswer(ada.page, { title: 'Refund policy', text: 'Hi {customer_name}, refunds take 5 business days. — {expert_name}',
    shortcut: 'refund', shared: true, action: 'propose_time', minutes: 90 });
  await newAnswer(ada.page, { title: 'Greeting', text: 'Hello {customer_name}, how can I help?', shortcut: 'hi' });
  await newAnswer(ada.page, { title: 'Outage', text: 'We are on it: this is an outage for us too.', shortcut: 'outage',
    action: 'set_severity', severity: 1 });
  await shot(ada.page, 'console-34-saved-answers');
  await ada.page.getByRole('button', { name: 'Done' }).click();

  const gil = await customerWidget(env.browser, env.chatd.url, 'gil', 'Gil G.');
  await openConversation(gil.page, 'Billing', 'Where is my refund?');
  await ada.page.locator('.offer', { hasText: 'Billing' }).waitFor();
  await ada.page.keyboard.press('Alt+a');
  await ada.page.locator('.pane-head .facts', { hasText: 'Billing' }).waitFor();

  await ada.page.locator('#reply').pressSequentially('/ref');
  const search = ada.page.locator('.answer-search');
  await search.locator('li.chosen', { hasText: 'Refund policy' }).waitFor();
  await search.locator('.preview', { hasText: 'Hi Gil G., refunds take 5 business days. — Ada L.' }).waitFor();
  await shot(ada.page, 'console-35-answer-search');
  await ada.page.keyboard.press('Enter');
  assert.equal(await ada.page.locator('#reply').inputValue(), 'Hi Gil G., refunds take 5 business days. — Ada L.');
  await ada.page.locator('.after-send', { hasText: 'propose a time in 90 minutes' }).waitFor();
  await ada.page.keyboard.press('Enter');
  await gil.page.locator('.transcript .message', { hasText: 'refunds take 5 business days' }).waitFor();
  await gil.page.getByRole('button', { name: 'Stay with Ada L.' }).waitFor();
  await ada.page.locator('.after-send').waitFor({ state: 'hidden' });

  // An answer that sets the severity: the conversation is severity 1 once the reply is sent.
  await ada.page.locator('#reply').pressSequentially('/outage');
  await search.locator('li.chosen', { hasText: 'Outage' }).waitFor();
  await ada.page.keyboard.press('Enter');
  await ada.page.locator('.after-send', { hasText: 'set the severity to 1' }).waitFor();
  await ada.page.keyboard.press('Enter');
  await ada.page.locator('.pane-head .facts .severity', { hasText: '1' }).waitFor();
  await ada.page.locator('details.classifications', { hasText: 'Reclassified 1×' }).waitFor();

  // A colleague finds the shared answer, never Ada's own.
  const ben = await expertConsole(env.browser, env.chatd.url, 'ben', 'Ben K.', 'away');
  await ben.page.getByRole('button', { name: 'Saved answers' }).click();
  await ben.page.locator('.answer-list li', { hasText: 'Refund policy' }).waitFor();
  assert.equal(await ben.page.locator('.answer-list li', { hasText: 'Greeting' }).count(), 0);
});
