// Files in the chat, in both clients: the customer attaches a screenshot from the widget and
// both sides see it as a picture; an upload cut by the network is retried; the expert pastes a
// screenshot and drops a log, which the customer downloads; a log's secrets are masked in the
// expert's viewer.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chatdAndBrowser, customerWidget, expertConsole, openConversation, shot } from './support/harness.mjs';

// The deployment masks its own licence keys too ([files] secret_patterns).
const env = chatdAndBrowser(`
[tiers.standard]
hours = "always"
[regions.de]
timezone = "Europe/Berlin"
[files]
secret_patterns = ["ACME-[0-9]{6}"]
`);

const loaded = (img) => img.evaluate((el) => el.complete && el.naturalWidth > 0);

test('files go both ways: attached, pasted, dropped, retried after a cut, shown as pictures or text', async () => {
  const ada = await expertConsole(env.browser, env.chatd.url, 'ada', 'Ada L.');
  const gil = await customerWidget(env.browser, env.chatd.url, 'gil', 'Gil G.');
  await openConversation(gil.page, 'Checkout', 'The pay button is grey');
  await ada.page.locator('.offer', { hasText: 'Checkout' }).waitFor();
  await ada.page.keyboard.press('Alt+a');
  await gil.page.locator('.banner[data-state=active]').waitFor();

  // A real PNG: a picture of the customer's own page.
  const screenshot = await gil.page.screenshot({ clip: { x: 0, y: 0, width: 320, height: 200 } });
  await gil.page.locator('#attach-file').setInputFiles({ name: 'grey-button.png', mimeType: 'image/png', buffer: screenshot });
  const mine = gil.page.locator('.transcript .message.mine .attachment img.file-preview');
  await mine.waitFor();
  await gil.page.waitForFunction(() => {
    const img = document.querySelector('#chatd-widget').shadowRoot.querySelector('.transcript .attachment img.file-preview');
    return img && img.complete && img.naturalWidth === 320;
  });
  const seen = ada.page.locator('.transcript .message.theirs .attachment img.file-preview');
  await seen.waitFor();
  await ada.page.waitForFunction(() => document.querySelector('.transcript .attachment img.file-preview')?.naturalWidth === 320);
  assert.ok(await loaded(seen));
  await ada.page.locator('.transcript .attachment .file-meta', { hasText: 'grey-button.png' }).waitFor();
  await shot(gil.page, 'widget-30-screenshot-sent');
  await shot(ada.page, 'console-30-screenshot-received');

  // The network drops the next upload: the widget says so and offers Retry, which sends it once.
  let cut = true;
  await gil.page.route('**/attachments?**', (route) => (cut ? ((cut = false), route.abort('connectionreset')) : route.continue()));
  const log = '09:00:01 POST /pay 500\n09:00:02 retry with password=hunter2 and Authorization: Bearer abcdefghijklmnop1234\n09:00:03 licence ACME-123456 refused\n';
  await gil.page.locator('#attach-file').setInputFiles({ name: 'console.log', mimeType: 'text/plain', buffer: Buffer.from(log) });
  const failed = gil.page.locator('.attachment.upload[data-state=failed]');
  await failed.locator('.file-state', { hasText: 'Not sent' }).waitFor();
  await shot(gil.page, 'widget-31-upload-failed');
  await failed.getByRole('button', { name: 'Retry' }).click();
  await gil.page.locator('.attachment.upload').waitFor({ state: 'detached' });
  const logItem = ada.page.locator('.transcript .attachment', { hasText: 'console.log' });
  await logItem.getByRole('button', { name: 'View' }).click();
  const viewer = logItem.locator('pre.file-text');
  await viewer.waitFor();
  const shown = await viewer.textContent();
  assert.ok(shown.includes('POST /pay 500'));
  assert.ok(!shown.includes('hunter2') && !shown.includes('abcdefghijklmnop1234'), `a secret was shown: ${shown}`);
  assert.ok(!shown.includes('ACME-123456') && shown.includes('licence ••••••'), `the deployment's pattern was not applied: ${shown}`);
  await shot(ada.page, 'console-31-log-viewer');
  assert.equal(await ada.page.locator('.transcript .attachment', { hasText: 'console.log' }).count(), 1);

  // The expert pastes a screenshot into the reply box and drops a log on the transcript.
  const png = screenshot.toString('base64');
  await ada.page.evaluate((b64) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const data = new DataTransfer();
    data.items.add(new File([bytes], 'image.png', { type: 'image/png' }));
    document.querySelector('#reply').dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
  }, png);
  await gil.page.locator('.transcript .message.theirs .attachment img.file-preview').waitFor();
  await ada.page.evaluate(() => {
    const data = new DataTransfer();
    data.items.add(new File(['step 1: clear the cache\nstep 2: reload\n'], 'steps.txt', { type: 'text/plain' }));
    const log = document.querySelector('.transcript');
    log.dispatchEvent(new DragEvent('dragover', { dataTransfer: data, bubbles: true, cancelable: true }));
    log.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
  });
  const steps = gil.page.locator('.transcript .attachment', { hasText: 'steps.txt' });
  await steps.waitFor();
  const download = gil.page.waitForEvent('download');
  await steps.getByRole('button', { name: 'Download' }).click();
  const saved = await download;
  assert.equal(saved.suggestedFilename(), 'steps.txt');
  await shot(gil.page, 'widget-32-files-received');

  // The customer's transcript, in order: the opening text, then four files.
  const files = await gil.page.locator('.transcript .attachment .file-meta').allTextContents();
  assert.deepEqual(files.map((t) => t.split(' · ')[0]), ['grey-button.png', 'console.log', 'image.png', 'steps.txt']);
});
