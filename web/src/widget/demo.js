// The demo host page: who the customer is comes from the query (?user=&name=&tier=&region=),
// and the token from chatd's development endpoint, as a real product would mint it server-side.
(function () {
  const query = new URLSearchParams(location.search);
  const form = document.getElementById('identity');
  for (const name of ['user', 'name', 'tier', 'region', 'tenant']) if (query.has(name)) form.elements[name].value = query.get(name);
  form.addEventListener('submit', () => {}); // a GET to this page with the new identity

  const accent = document.getElementById('accent');
  accent.addEventListener('input', () => document.documentElement.style.setProperty('--chat-accent', accent.value));

  async function getToken() {
    const params = new URLSearchParams({
      role: 'customer',
      sub: form.elements.user.value,
      name: form.elements.name.value,
      tier: form.elements.tier.value,
      tenant: form.elements.tenant.value,
    });
    if (form.elements.region.value) params.set('region', form.elements.region.value);
    const res = await fetch(`/dev/token?${params}`, { cache: 'no-store' });
    const body = await res.json();
    if (!res.ok) {
      document.getElementById('demo-error').textContent =
        res.status === 404 ? 'chatd runs without development tokens (start it with --dev-tokens).' : body.message;
      throw new Error(body.message);
    }
    return body.token;
  }

  window.addEventListener('load', () => window.ChatdWidget.start({ getToken, open: query.get('open') === '1', productArea: query.get('area') }));
})();
