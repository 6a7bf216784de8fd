// Secrets that customers paste in logs without meaning to — bearer tokens, API keys, passwords
// in URLs, and what the deployment adds ([files] secret_patterns) — masked in what an expert is
// shown (the file itself is unchanged).

const PATTERNS = [
  /(Bearer\s+)[A-Za-z0-9._~+/-]{12,}=*/gi,
  /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, // a JWT anywhere
  /(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:)[^\s@/]+(?=@)/gi, // scheme://user:PASSWORD@host
  /(\b(?:api[_-]?key|apikey|access[_-]?token|auth[_-]?token|secret|client[_-]?secret|password|passwd|pwd)["']?\s*[:=]\s*["']?)[^\s"',;&]+/gi,
  /\bAKIA[0-9A-Z]{16}\b/g, // an AWS access key id
  /\b(?:sk|pk|rk)_(?:live|test)_[A-Za-z0-9]{10,}\b/g, // payment providers' keys
  /\bgh[pousr]_[A-Za-z0-9]{30,}\b/g, // GitHub tokens
];

function mask(text, patterns) {
  let out = text;
  for (const p of patterns) out = out.replace(p, (match, keep) => (typeof keep === 'string' ? `${keep}••••••` : '••••••'));
  return out;
}

export function maskSecrets(text) {
  return mask(text, PATTERNS);
}

// A masker with the deployment's patterns too (sources of regular expressions; a pattern that
// does not compile is left out and reported, the others still apply).
export function secretMasker(sources = []) {
  const extra = [];
  for (const source of sources) {
    try {
      extra.push(new RegExp(source, 'gi'));
    } catch (e) {
      console.warn(`secret pattern ${source} left out: ${e.message}`);
    }
  }
  const all = [...PATTERNS, ...extra];
  return (text) => mask(text, all);
}
