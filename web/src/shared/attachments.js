// Files in the chat, for the widget and the console: uploads with a progress bar and a retry
// (the same client id, so a retry is stored once), and attachments shown as what they are —
// a preview for pictures, a monospace viewer for logs and snippets, a download for the rest.
// Bytes are fetched with the bearer token (never a token in a URL) into blob: URLs.

import { h } from './format.js';

const TEXT_SHOWN_BYTES = 512 * 1024; // a longer text file is downloaded, not shown

export function formatSize(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(bytes < 10240 ? 1 : 0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function isImage(type) {
  return ['image/png', 'image/jpeg', 'image/gif', 'image/webp'].includes(type);
}

function isText(type) {
  return type.startsWith('text/') || ['application/json', 'application/xml', 'application/csv', 'application/javascript'].includes(type);
}

function newClientId() {
  return `f-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
}

// The uploads of one client, each { clientId, conversation, file, name, loaded, state: 'sending' | 'failed', error }.
export class Uploads {
  // server: chatd's origin; getToken: async () => token; onChange: called whenever any upload moves.
  constructor({ server, getToken, onChange }) {
    this.server = server;
    this.getToken = getToken;
    this.onChange = onChange;
    this.items = [];
  }

  add(conversation, file, name = file.name || 'pasted.png') {
    const u = { clientId: newClientId(), conversation, file, name, loaded: 0, state: 'sending', error: null };
    this.items.push(u);
    this.send(u);
    return u;
  }

  retry(u) {
    u.state = 'sending';
    u.error = null;
    u.loaded = 0;
    this.send(u);
  }

  cancel(u) {
    u.xhr?.abort();
    this.items = this.items.filter((x) => x !== u);
    this.onChange();
  }

  of(conversation) {
    return this.items.filter((u) => u.conversation === conversation);
  }

  // The message of an upload arrived (over the WebSocket, perhaps before the HTTP answer).
  arrived(clientId) {
    const before = this.items.length;
    this.items = this.items.filter((u) => u.clientId !== clientId);
    if (this.items.length !== before) this.onChange();
  }

  async send(u) {
    this.onChange();
    let token;
    try {
      token = await this.getToken();
    } catch (e) {
      return this.failed(u, `cannot sign in: ${e.message}`);
    }
    const query = `name=${encodeURIComponent(u.name)}&client_id=${encodeURIComponent(u.clientId)}`;
    const xhr = new XMLHttpRequest();
    u.xhr = xhr;
    xhr.open('POST', `${this.server}/api/v1/conversations/${encodeURIComponent(u.conversation)}/attachments?${query}`);
    xhr.setRequestHeader('Authorization', `Bearer ${token}`);
    xhr.setRequestHeader('Content-Type', u.file.type || 'application/octet-stream');
    xhr.upload.onprogress = (e) => {
      u.loaded = e.loaded;
      this.onChange();
    };
    xhr.onload = () => {
      if (xhr.status === 200) return this.arrived(u.clientId);
      let message = `the server answered ${xhr.status}`;
      try {
        message = JSON.parse(xhr.responseText).message || message;
      } catch { /* not JSON */ }
      this.failed(u, message);
    };
    xhr.onerror = () => this.failed(u, 'the connection dropped');
    xhr.ontimeout = () => this.failed(u, 'the upload timed out');
    xhr.send(u.file);
  }

  failed(u, error) {
    u.state = 'failed';
    u.error = error;
    this.onChange();
  }
}

// Attachments' bytes, fetched once per page.
const blobs = new Map(); // id -> Promise<Blob>

function fetchBlob(server, getToken, id) {
  if (!blobs.has(id)) {
    const p = (async () => {
      const res = await fetch(`${server}/api/v1/attachments/${encodeURIComponent(id)}`,
        { headers: { Authorization: `Bearer ${await getToken()}` }, cache: 'no-store' });
      if (!res.ok) {
        const body = await res.json().catch(() => ({}));
        throw Object.assign(new Error(body.message || `answered ${res.status}`), { code: body.code });
      }
      return res.blob();
    })();
    p.catch(() => blobs.delete(id)); // a failure is tried again next time
    blobs.set(id, p);
  }
  return blobs.get(id);
}

function saveAs(blob, name) {
  const a = h('a', { href: URL.createObjectURL(blob), download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10000);
}

const views = new Map(); // id -> element: a transcript drawn again keeps its pictures and open viewers

// What a message's attachment shows. `mask`: what text a viewer shows instead of the file's own (the console hides secrets).
export function attachmentView(att, options) {
  const key = `${att.id}:${att.state}`;
  if (!views.has(key)) views.set(key, makeAttachmentView(att, options));
  return views.get(key);
}

function makeAttachmentView(att, { server, getToken, mask = (t) => t }) {
  const box = h('div', { class: 'attachment', 'data-attachment': att.id, 'data-state': att.state });
  const meta = h('span', { class: 'file-meta' }, `${att.name} · ${formatSize(att.size)}`);
  if (att.state === 'scanning') {
    box.append(meta, h('span', { class: 'file-state' }, 'Checking for viruses…'));
    untilScanned(att, { server, getToken, mask }, box);
    return box;
  }
  if (att.state === 'quarantined') {
    box.append(meta, h('span', { class: 'file-state warning' }, 'Blocked by the virus check'));
    return box;
  }
  const problem = h('span', { class: 'file-state warning', role: 'alert' });
  const download = h('button', { type: 'button', class: 'ghost file-download', onclick: () =>
    fetchBlob(server, getToken, att.id).then((b) => saveAs(b, att.name)).catch((e) => (problem.textContent = e.message)) }, 'Download');
  if (isImage(att.content_type)) {
    const img = h('img', { class: 'file-preview', alt: att.name, loading: 'lazy' });
    fetchBlob(server, getToken, att.id).then((b) => {
      img.src = URL.createObjectURL(b);
    }).catch((e) => (problem.textContent = `Cannot show the picture: ${e.message}`));
    const open = h('button', { type: 'button', class: 'file-open', title: `Open ${att.name}`,
      onclick: () => img.src && window.open(img.src, '_blank', 'noopener') }, img);
    box.append(open, h('span', { class: 'file-line' }, meta, download), problem);
    return box;
  }
  const ext = (att.name.match(/\.([A-Za-z0-9]{1,5})$/)?.[1] || 'file').toUpperCase();
  box.append(h('span', { class: 'file-line' }, h('span', { class: 'file-icon', 'aria-hidden': 'true' }, ext), meta, download), problem);
  if (isText(att.content_type) && att.size <= TEXT_SHOWN_BYTES) {
    const viewer = h('pre', { class: 'file-text', hidden: true, tabindex: '0' });
    const view = h('button', { type: 'button', class: 'ghost file-view', 'aria-expanded': 'false', onclick: async () => {
      if (viewer.hidden && !viewer.textContent) {
        try {
          viewer.textContent = mask(await (await fetchBlob(server, getToken, att.id)).text());
        } catch (e) {
          problem.textContent = e.message;
          return;
        }
      }
      viewer.hidden = !viewer.hidden;
      view.textContent = viewer.hidden ? 'View' : 'Hide';
      view.setAttribute('aria-expanded', String(!viewer.hidden));
    } }, 'View');
    box.querySelector('.file-line').append(view);
    box.append(viewer);
  }
  return box;
}

// A file shown as `scanning` from history may have been scanned since (the live verdict,
// attachment_state, came while this page was away): asked again now and then until it is not.
function untilScanned(att, options, box, tries = 0) {
  if (tries >= 20) return;
  setTimeout(() => {
    fetchBlob(options.server, options.getToken, att.id).then(() => 'clean', (e) => e.code || 'failed').then((state) => {
      if (state === 'scanning' || state === 'failed') return untilScanned(att, options, box, tries + 1);
      box.replaceWith(attachmentView({ ...att, state }, options));
    });
  }, Math.min(30000, 3000 * 2 ** Math.min(tries, 3)));
}

// A pending upload in the transcript: its progress, or why it failed with Retry.
export function uploadView(u, uploads) {
  const percent = Math.round((100 * u.loaded) / Math.max(1, u.file.size));
  const item = h('div', { class: 'attachment upload', 'data-upload': u.clientId, 'data-state': u.state },
    h('span', { class: 'file-meta' }, `${u.name} · ${formatSize(u.file.size)}`));
  if (u.state === 'sending') {
    item.append(h('progress', { max: '100', value: String(percent), 'aria-label': `Uploading ${u.name}` }),
      h('span', { class: 'file-state' }, `${percent}%`));
  } else {
    item.append(h('span', { class: 'file-state warning', role: 'alert' }, `Not sent: ${u.error}`),
      h('button', { type: 'button', class: 'secondary file-retry', onclick: () => uploads.retry(u) }, 'Retry'),
      h('button', { type: 'button', class: 'ghost', onclick: () => uploads.cancel(u) }, 'Discard'));
  }
  return item;
}

// Files dropped on `element` go to `onFiles`; the element shows it may take them.
export function acceptDrops(element, onFiles) {
  const has = (e) => [...(e.dataTransfer?.types || [])].includes('Files');
  element.addEventListener('dragover', (e) => {
    if (!has(e)) return;
    e.preventDefault();
    element.classList.add('dropping');
  });
  element.addEventListener('dragleave', () => element.classList.remove('dropping'));
  element.addEventListener('drop', (e) => {
    element.classList.remove('dropping');
    if (!has(e)) return;
    e.preventDefault();
    onFiles([...e.dataTransfer.files]);
  });
}
