// The widget and the console in the real world: a network cut, a reload, a duplicate opening,
// a phone screen.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chatdAndBrowser, customerWidget, expertConsole, openConversation, shot, transcript } from './support/harness.mjs';

const env = chatdAndBrowser();

test('a network cut and a reload in the middle of a conversation lose and repeat nothing', async () => {
  const ada = await expertConsole(env.browser, env.chatd.url, 'ada', 'Ada L.');
  const cara = await customerWidget(env.browser, env.chatd.url, 'cara', 'Cara C.', 'enterprise');
  const w = cara.page;
  await openConversation(w, 'Reports', 'The weekly report is empty');
  await ada.page.locator('.offer', { hasText: 'Reports' }).getByRole('button', { name: 'Accept' }).click();
  await w.locator('.banner[data-state=active]').waitFor();
  await ada.page.locator('#reply').fill('Checking the report now');
  await ada.page.locator('#reply').press('Enter');
  await w.locator('.message.theirs', { hasText: 'Checking the report now' }).waitFor();

  // The customer's network goes away: they keep typing; the expert keeps writing.
  await cara.context.setOffline(true);
  await w.locator('.connection[data-status=offline]').waitFor();
  await w.locator('#reply').fill('Typed while offline');
  await w.locator('#reply').press('Enter');
  await w.locator('.message.pending', { hasText: 'Typed while offline' }).waitFor();
  await shot(w, 'widget-7-offline');
  await ada.page.locator('#reply').fill('Sent while you were away');
  await ada.page.locator('#reply').press('Enter');
  await ada.page.locator('.message.mine:not(.pending)', { hasText: 'Sent while you were away' }).waitFor();

  // Back online: the missed message arrives once, the offline one is sent once.
  await cara.context.setOffline(false);
  await w.locator('.message.mine:not(.pending)', { hasText: 'Typed while offline' }).waitFor();
  await w.locator('.message.theirs', { hasText: 'Sent while you were away' }).waitFor();
  await ada.page.locator('.message.theirs', { hasText: 'Typed while offline' }).waitFor();
  const expected = ['The weekly report is empty', 'Checking the report now', 'Typed while offline', 'Sent while you were away'];
  const sameSet = (a) => [...a].sort().join('|');
  assert.equal(sameSet(await transcript(w)), sameSet(expected));
  assert.equal(sameSet(await transcript(ada.page)), sameSet(expected));

  // A reload restores the conversation, in order, each message once.
  await w.reload();
  await w.locator('#chatd-widget .bubble').click();
  await w.locator('.message.theirs', { hasText: 'Sent while you were away' }).waitFor();
  const seqs = await w.locator('.transcript .message').evaluateAll((els) => els.map((e) => Number(e.dataset.seq)));
  assert.deepEqual(seqs, [1, 2, 3, 4]);
  assert.equal(sameSet(await transcript(w)), sameSet(expected));
  await ada.page.reload();
  await ada.page.locator('.message', { hasText: 'Typed while offline' }).waitFor();
  assert.equal((await transcript(ada.page)).length, 4);
});

test('opening the same issue again takes the customer to their existing conversation', async () => {
  const dan = await customerWidget(env.browser, env.chatd.url, 'dan', 'Dan D.', 'standard');
  const w = dan.page;
  await openConversation(w, 'Exports', 'The CSV export fails with an error');
  const first = await w.evaluate(() => window.ChatdWidget.instance.currentId);
  await w.getByRole('button', { name: 'New' }).click();
  await openConversation(w, 'Exports', 'The CSV export still fails with an error');
  await w.locator('.notice', { hasText: 'You already have a conversation about this' }).waitFor();
  assert.equal(await w.evaluate(() => window.ChatdWidget.instance.currentId), first);
  assert.deepEqual(await transcript(w), ['The CSV export fails with an error', 'The CSV export still fails with an error']);
  await shot(w, 'widget-8-duplicate');
});

test('on a phone the panel takes the screen and the keyboard reaches every control', async () => {
  const eve = await customerWidget(env.browser, env.chatd.url, 'eve', 'Eve P.', 'standard',
    { context: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true } });
  const w = eve.page;
  const box = await w.locator('#chatd-panel').boundingBox();
  assert.equal(Math.round(box.width), 390);
  assert.equal(await w.locator('#chatd-widget').evaluate((el) => el.shadowRoot.activeElement?.id), 'topic');
  await w.keyboard.type('Access');
  await w.keyboard.press('Tab'); // what it is
  await w.keyboard.press('Tab'); // how urgent
  await w.keyboard.press('Tab');
  await w.keyboard.type('I cannot log in');
  await w.keyboard.press('Tab');
  await w.keyboard.press('Enter');
  await w.locator('.banner:is([data-state=queued], [data-state=offered])').waitFor(); // Ada is still available
  assert.equal(await w.locator('.transcript').getAttribute('aria-live'), 'polite');
  await shot(w, 'widget-9-phone');
  await w.keyboard.press('Escape');
  assert.equal(await w.locator('#chatd-panel').isHidden(), true);
  assert.equal(await w.locator('.bubble').getAttribute('aria-expanded'), 'false');
});
