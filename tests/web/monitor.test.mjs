// The queue monitor in Chromium: live from the subscription, Enterprise ahead of Standard.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chatdAndBrowser, customerWidget, expertConsole, openConversation, person, shot } from './support/harness.mjs';

const env = chatdAndBrowser();

test('the monitor shows an Enterprise customer ahead of an earlier Standard one, with both counts, live', async () => {
  const lead = await person(env.browser, { viewport: { width: 1400, height: 1000 } });
  await lead.page.goto(`${env.chatd.url}/monitor/?user=lead&name=Team%20lead`);
  await lead.page.locator('.connection[data-status=online]').waitFor();
  await lead.page.locator('td.empty', { hasText: 'Nobody is waiting.' }).waitFor();
  const ada = await expertConsole(env.browser, env.chatd.url, 'ada', 'Ada L.', 'away');

  const sam = await customerWidget(env.browser, env.chatd.url, 'sam', 'Sam S.', 'standard');
  await openConversation(sam.page, 'Exports', 'The CSV export is slow');
  await lead.page.locator('.tile.standard [data-depth=standard]', { hasText: '1' }).waitFor();
  const erin = await customerWidget(env.browser, env.chatd.url, 'erin', 'Erin E.', 'enterprise');
  await openConversation(erin.page, 'SSO', 'Our SAML login is broken', 1);
  await lead.page.locator('.tile.enterprise [data-depth=enterprise]', { hasText: '1' }).waitFor();

  // Routing order: Erin (Enterprise) first although Sam came first.
  const rows = lead.page.locator('.queue tbody tr');
  await assert.doesNotReject(rows.nth(1).waitFor());
  assert.deepEqual(await rows.locator('td:nth-child(5)').allTextContents(), ['Erin E.', 'Sam S.']);
  assert.deepEqual(await rows.evaluateAll((trs) => trs.map((tr) => tr.dataset.tier)), ['enterprise', 'standard']);
  await sam.page.locator('.banner', { hasText: "You're number 2 in line" }).waitFor();
  await erin.page.locator('.banner', { hasText: "You're number 1 in line" }).waitFor();

  // The expert board, and charts drawn by uPlot from the server's minute figures.
  await lead.page.locator('tr[data-expert=ada]', { hasText: 'away' }).waitFor();
  assert.equal(await lead.page.locator('.chart .uplot').count(), 4);
  const arrived = () => lead.page.evaluate(() => window.chatdMonitor.minutes
    .reduce((n, m) => n + m.arrivals.enterprise + m.arrivals.standard, 0));
  assert.equal(await arrived(), 2);
  await shot(lead.page, 'monitor-1-two-waiting');

  // Ada (one conversation at a time) takes Erin's: the queue, the board and the tiles move
  // without a reload, and Sam, still waiting, gets an estimate.
  await ada.page.fill('#capacity', '1');
  await ada.page.press('#capacity', 'Tab');
  await lead.page.locator('tr[data-expert=ada]', { hasText: '0 / 1' }).waitFor();
  await ada.page.selectOption('#presence', 'available');
  await ada.page.locator('.offer', { hasText: 'SSO' }).getByRole('button', { name: 'Accept' }).click();
  await lead.page.locator('.tile.enterprise [data-depth=enterprise]', { hasText: '0' }).waitFor();
  await lead.page.locator('tr[data-expert=ada]', { hasText: '1 / 1' }).waitFor();
  assert.deepEqual(await rows.locator('td:nth-child(5)').allTextContents(), ['Sam S.']);
  await sam.page.locator('.banner', { hasText: "You're number 1 in line. Estimated wait: about" }).waitFor();
  const waits = await lead.page.evaluate(() => window.chatdMonitor.minutes.map((m) => m.wait_s.enterprise).filter((x) => x !== null));
  assert.equal(waits.length, 1); // Erin's wait at assignment, in the minute it happened
  await shot(lead.page, 'monitor-2-after-assignment');
});
