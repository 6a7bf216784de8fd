// Staff sign-in for the console and the monitor: a token from the host product, or, when chatd
// runs with development tokens, a demo identity. The token lives in this tab only.

import { h } from './format.js';

const KEY = 'chatd.staff-token';

export async function devTokensEnabled() {
  const res = await fetch('/dev/token', { cache: 'no-store' }).catch(() => null);
  return res !== null && res.status === 400; // on: the empty request is refused; off: 404
}

export async function devToken(params) {
  const res = await fetch(`/dev/token?${new URLSearchParams(params)}`, { cache: 'no-store' });
  const body = await res.json();
  if (!res.ok) throw new Error(body.message || `HTTP ${res.status}`);
  return body.token;
}

export function storedToken() {
  return sessionStorage.getItem(KEY);
}

export function forgetToken() {
  sessionStorage.removeItem(KEY);
}

// Resolves with a token: the stored one, one from ?user= with development tokens, or the form's.
export async function signIn(root, { role, title }) {
  const stored = storedToken();
  if (stored) return stored;
  const query = new URLSearchParams(location.search);
  const dev = await devTokensEnabled();
  if (dev && query.get('user')) {
    const token = await devToken({
      role,
      sub: query.get('user'),
      name: query.get('name') || query.get('user'),
      tenant: query.get('tenant') || 'acme',
    });
    sessionStorage.setItem(KEY, token);
    return token;
  }
  return new Promise((resolve) => {
    const error = h('p', { class: 'sign-in-error', role: 'alert' });
    const tokenField = h('textarea', { id: 'token', rows: 4, required: true, autocomplete: 'off', spellcheck: 'false' });
    const withToken = h(
      'form',
      {
        class: 'card',
        onsubmit: (e) => {
          e.preventDefault();
          sessionStorage.setItem(KEY, tokenField.value.trim());
          resolve(tokenField.value.trim());
        },
      },
      h('label', { for: 'token' }, `Your ${role} token (from your product, or \`chatctl token --role ${role}\`)`),
      tokenField,
      h('button', { type: 'submit' }, 'Sign in'),
    );
    const demoUser = h('input', { id: 'demo-user', value: role === 'expert' ? 'ada' : 'lead', required: true });
    const demoName = h('input', { id: 'demo-name', value: role === 'expert' ? 'Ada L.' : 'Team lead' });
    const demoTenant = h('input', { id: 'demo-tenant', value: 'acme', required: true });
    const demo = h(
      'form',
      {
        class: 'card',
        onsubmit: async (e) => {
          e.preventDefault();
          try {
            const token = await devToken({ role, sub: demoUser.value, name: demoName.value, tenant: demoTenant.value });
            sessionStorage.setItem(KEY, token);
            resolve(token);
          } catch (err) {
            error.textContent = err.message;
          }
        },
      },
      h('h2', {}, 'Demo sign-in'),
      h('p', { class: 'hint' }, 'chatd runs with development tokens: sign in as anyone.'),
      h('label', { for: 'demo-user' }, 'User id'),
      demoUser,
      h('label', { for: 'demo-name' }, 'Display name'),
      demoName,
      h('label', { for: 'demo-tenant' }, 'Tenant'),
      demoTenant,
      h('button', { type: 'submit' }, 'Sign in'),
    );
    root.replaceChildren(h('main', { class: 'sign-in' }, h('h1', {}, title), dev ? demo : null, withToken, error));
    (dev ? demoUser : tokenField).focus();
  });
}
