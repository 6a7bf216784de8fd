// The rest of a conversation's life through the clients: outside business hours, saved and
// reopened by a reply, the expert's duplicate, escalation and conduct actions, and the
// console's keyboard. chatd runs here with short inactivity and a conduct word list.

import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import { test } from 'node:test';
import { chatdAndBrowser, customerWidget, expertConsole, openConversation, shot, transcript } from './support/harness.mjs';

// The team's ticket system: it takes chatd's tickets and reports back on them, signed.
const DESK_SECRET = 'a-shared-secret-of-the-ticket-system';
const tickets = [];
const desk = createServer((req, res) => {
  let body = '';
  req.on('data', (d) => (body += d));
  req.on('end', () => {
    tickets.push(JSON.parse(body));
    res.end('{}');
  });
});
await new Promise((resolve) => desk.listen(0, '127.0.0.1', resolve));
desk.unref();

// Standard hours that exclude this very hour, so that a Standard customer is deferred.
const hour = new Date().getUTCHours();
const closed = hour + 3 < 24 ? [hour + 2, hour + 3] : [1, 2];
const pad = (h) => String(h).padStart(2, '0');
const CONFIG = `
[policy]
inactivity_active_s = 3
conduct_words = ["idiot"]
[tiers.standard]
hours = "${pad(closed[0])}:00-${pad(closed[1])}:00"
[calls]
meeting_url = "https://meet.example.com/triage-{room}"
[[webhooks]]
name = "desk"
url = "http://127.0.0.1:${desk.address().port}/hooks"
secret = "${DESK_SECRET}"
events = ["ticket.created"]
`;

// What the ticket system posts back about a ticket, signed with the endpoint's secret.
async function reportOnTicket(base, ticket, report) {
  const body = JSON.stringify({ tenant: 'acme', ...report });
  const signature = `sha256=${createHmac('sha256', DESK_SECRET).update(body).digest('hex')}`;
  const res = await fetch(`${base}/api/v1/tickets/${ticket}/status`, { method: 'POST', body,
    headers: { 'Content-Type': 'application/json', 'X-Chatd-Endpoint': 'desk', 'X-Chatd-Signature': signature } });
  assert.equal(res.status, 200, await res.text());
}

const env = chatdAndBrowser(CONFIG);

const accept = async (expert, topic) => {
  await expert.page.locator('.offer', { hasText: topic }).waitFor();
  await expert.page.keyboard.press('Alt+a'); // the oldest offer
  await expert.page.locator('.pane-head .facts', { hasText: topic }).waitFor();
};

test('a Standard customer outside business hours is told when the team is back', async () => {
  const sam = await customerWidget(env.browser, env.chatd.url, 'sam', 'Sam S.', 'standard');
  await openConversation(sam.page, 'Billing', 'Where is my refund?');
  await sam.page.locator('.banner', { hasText: "We're outside business hours — we're back" }).waitFor();
  await shot(sam.page, 'widget-10-outside-hours');
});

test('a silent conversation is saved, and the customer reopens it by replying', async () => {
  const ada = await expertConsole(env.browser, env.chatd.url, 'ada', 'Ada L.');
  const gil = await customerWidget(env.browser, env.chatd.url, 'gil', 'Gil G.', 'enterprise');
  await openConversation(gil.page, 'Dashboards', 'My dashboard does not load');
  await accept(ada, 'Dashboards');
  await ada.page.locator('#reply').fill('Could you try again now?');
  await ada.page.locator('#reply').press('Enter');
  await gil.page.locator('.banner[data-state=saved]', { hasText: 'Reply before' }).waitFor({ timeout: 15000 });
  await shot(gil.page, 'widget-11-saved');
  await gil.page.locator('#reply').fill('Yes, it loads now, thanks');
  await gil.page.locator('#reply').press('Enter');
  await gil.page.locator('.notice', { hasText: 'the conversation is open again' }).waitFor();
  await accept(ada, 'Dashboards'); // offered to her again first
  await ada.page.locator('.message.theirs', { hasText: 'Yes, it loads now, thanks' }).waitFor();
  await ada.page.keyboard.press('Alt+c');
  await gil.page.locator('.banner[data-state=closed]').waitFor();
});

test('for severity 1 the expert offers a video call, and the customer gets a button that opens the meeting', async () => {
  const ada = await expertConsole(env.browser, env.chatd.url, 'ada', 'Ada L.');
  const ivy = await customerWidget(env.browser, env.chatd.url, 'ivy', 'Ivy I.', 'enterprise');
  await openConversation(ivy.page, 'Outage', 'Production is down for all users', 1);
  await accept(ada, 'Outage');
  await ada.page.getByRole('button', { name: 'Offer a video call' }).click();
  const join = ivy.page.getByRole('link', { name: 'Join the video call' });
  await join.waitFor();
  assert.match(await join.getAttribute('href'), /^https:\/\/meet\.example\.com\/triage-[0-9a-f]{16}$/);
  assert.equal(await join.getAttribute('target'), '_blank');
  assert.equal(await join.getAttribute('rel'), 'noopener noreferrer');
  await ada.page.locator('.message.mine', { hasText: 'Video call offered' }).waitFor();
  await shot(ivy.page, 'widget-13-video-call');
  await ada.page.keyboard.press('Alt+c');
});

test('below severity 1 the console offers no video call', async () => {
  const ada = await expertConsole(env.browser, env.chatd.url, 'ada', 'Ada L.');
  const joy = await customerWidget(env.browser, env.chatd.url, 'joy', 'Joy J.', 'enterprise');
  await openConversation(joy.page, 'Exports', 'How do I export a dashboard?', 3);
  await accept(ada, 'Exports');
  await ada.page.getByRole('button', { name: 'Escalate…' }).waitFor();
  assert.equal(await ada.page.getByRole('button', { name: 'Offer a video call' }).count(), 0);
  await ada.page.keyboard.press('Alt+c');
});

test('the expert marks a duplicate, escalates, and reports conduct; the customer sees each', async () => {
  const ada = await expertConsole(env.browser, env.chatd.url, 'ada', 'Ada L.');
  const hal = await customerWidget(env.browser, env.chatd.url, 'hal', 'Hal H.', 'enterprise');
  const w = hal.page;
  await openConversation(w, 'Permissions', 'A viewer can edit dashboards', null, 'question');
  await accept(ada, 'Permissions');
  await ada.page.locator('.facts .request-type', { hasText: 'a question' }).waitFor();
  const first = await w.evaluate(() => window.ChatdWidget.instance.currentId);
  await w.getByRole('button', { name: 'New' }).click();
  await openConversation(w, 'Roles', 'Role editor shows an empty list');
  await accept(ada, 'Roles');

  // Ada closes the second as a duplicate of the first (the same customer's, picked for her).
  await ada.page.getByRole('button', { name: 'Mark duplicate…' }).click();
  assert.equal(await ada.page.inputValue('#duplicate-of'), first);
  await ada.page.getByRole('button', { name: 'Close as duplicate' }).click();
  await w.locator('.notice', { hasText: 'You already have a conversation about this' }).waitFor();
  assert.equal(await w.evaluate(() => window.ChatdWidget.instance.currentId), first);

  // Escalation of the first: the customer learns the ticket.
  await ada.page.locator(`.conversation-item[data-conversation="${first}"]`).click();
  // First Ada reclassifies it: a problem, severity 2; the reason stays with staff.
  await ada.page.getByRole('button', { name: 'Classify…' }).click();
  await ada.page.selectOption('#classify-severity', '2');
  await ada.page.selectOption('#classify-request_type', 'problem');
  await ada.page.fill('#classify-reason', 'Editors can change roles they should only view');
  await ada.page.getByRole('button', { name: 'Change', exact: true }).click();
  await ada.page.locator('.facts .severity', { hasText: '2' }).waitFor();
  await ada.page.locator('.facts .request-type', { hasText: 'a problem' }).waitFor();
  await ada.page.locator('details.classifications', { hasText: 'Reclassified 2×' }).waitFor();
  await ada.page.getByRole('button', { name: 'Escalate…' }).click();
  await ada.page.fill('#escalate-summary', 'Viewer role grants edit rights');
  await ada.page.getByRole('button', { name: 'Escalate', exact: true }).click();
  await w.locator('.banner[data-state=closed]', { hasText: 'Ticket: T-' }).waitFor();
  await w.locator('.notice', { hasText: /We opened ticket T-\S+ for this and will contact you by \S/ }).waitFor();

  // A rude message is warned; the expert reports conduct and the conversation closes.
  await w.getByRole('button', { name: 'Start a new conversation' }).click();
  await openConversation(w, 'Alerts', 'Alerts fire twice');
  await accept(ada, 'Alerts');
  await w.locator('#reply').fill('you idiot');
  await w.locator('#reply').press('Enter');
  await w.locator('.notice.warning', { hasText: 'Please keep the conversation respectful' }).waitFor();
  await shot(w, 'widget-12-conduct-warning');
  await ada.page.getByRole('button', { name: 'Report conduct…' }).click();
  await ada.page.getByRole('button', { name: 'Report and close' }).click();
  await w.locator('.banner[data-state=closed]', { hasText: 'conduct rules' }).waitFor();
  assert.deepEqual(await transcript(w), ['Alerts fire twice', 'you idiot']);
  assert.equal(await w.getByText('Editors can change roles they should only view').count(), 0);
});

test('the ticket system reports on an escalated conversation; the customer sees its status and its comment, after a reload too', async () => {
  const ada = await expertConsole(env.browser, env.chatd.url, 'ada', 'Ada L.');
  const kim = await customerWidget(env.browser, env.chatd.url, 'kim', 'Kim K.', 'enterprise');
  await openConversation(kim.page, 'Exports', 'The CSV export times out after a minute');
  await accept(ada, 'Exports');
  await ada.page.getByRole('button', { name: 'Escalate…' }).click();
  await ada.page.fill('#escalate-summary', 'CSV export of large tables times out');
  await ada.page.getByRole('button', { name: 'Escalate', exact: true }).click();
  await kim.page.locator('.banner[data-state=closed]', { hasText: 'Ticket: T-' }).waitFor();
  const conversation = await kim.page.evaluate(() => window.ChatdWidget.instance.currentId);
  const ticket = `T-${conversation}`;
  // The ticket reached the desk; the desk answers on it.
  const deadline = Date.now() + 10000;
  while (!tickets.some((t) => t.data?.ticket?.id === ticket) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  assert.ok(tickets.some((t) => t.data?.ticket?.id === ticket), 'the ticket reached the ticket system');
  await reportOnTicket(env.chatd.url, ticket, { status: 'In progress',
    comment: { id: 'desk-1', author: 'Jane (Support)', text: 'We reproduced the timeout and are fixing it.' } });

  await kim.page.locator('.notice', { hasText: `Your ticket ${ticket} is now: In progress.` }).waitFor();
  await kim.page.locator('.banner[data-state=closed]', { hasText: `Ticket ${ticket}: In progress.` }).waitFor();
  await kim.page.locator('.message.theirs', { hasText: 'We reproduced the timeout and are fixing it.' })
    .locator('.author', { hasText: `Jane (Support) · on ticket ${ticket}` }).waitFor();
  await shot(kim.page, 'widget-14-ticket-status');
  // The expert who escalated it sees the same, in her console.
  await ada.page.locator('.notice', { hasText: `The ticket system set ${ticket} to: In progress.` }).waitFor();
  await ada.page.locator('.message', { hasText: 'We reproduced the timeout and are fixing it.' })
    .locator('.author', { hasText: `Jane (Support) · on ticket ${ticket}` }).waitFor();

  // Later, in a new page: the start screen lists the ticket with its status, and opens it.
  await kim.page.reload();
  await kim.page.locator('#chatd-widget .bubble').click();
  const item = kim.page.locator(`.tickets li[data-ticket="${ticket}"]`);
  await item.locator('.ticket-status', { hasText: 'In progress' }).waitFor();
  await reportOnTicket(env.chatd.url, ticket, { status: 'Solved' });
  await item.locator('.ticket-status', { hasText: 'Solved' }).waitFor();
  await shot(kim.page, 'widget-15-tickets');
  await item.getByRole('button').click();
  await kim.page.locator('.message.theirs', { hasText: 'We reproduced the timeout and are fixing it.' }).waitFor();
  await kim.page.locator('.banner', { hasText: `Ticket ${ticket}: Solved.` }).waitFor();
  assert.deepEqual(await transcript(kim.page), ['The CSV export times out after a minute', 'We reproduced the timeout and are fixing it.']);
});
