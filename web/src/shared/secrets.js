// Secrets that customers paste in logs without meaning to — bearer tokens, API keys, passwords
// in URLs — masked in what an expert is shown (the file itself is unchanged).

const PATTERNS = [
  /(Bearer\s+)[A-Za-z0-9._~+/-]{12,}=*/gi,
  /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, // a JWT anywhere
  /(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:)[^\s@/]+(?=@)/gi, // scheme://user:PASSWORD@host
  /(\b(?:api[_-]?key|apikey|access[_-]?token|auth[_-]?token|secret|client[_-]?secret|password|passwd|pwd)["']?\s*[:=]\s*["']?)[^\s"',;&]+/gi,
  /\bAKIA[0-9A-Z]{16}\b/g, // an AWS access key id
  /\b(?:sk|pk|rk)_(?:live|test)_[A-Za-z0-9]{10,}\b/g, // payment providers' keys
  /\bgh[pousr]_[A-Za-z0-9]{30,}\b/g, // GitHub tokens
];

export function maskSecrets(text) {
  let out = text;
  for (const p of PATTERNS) out = out.replace(p, (match, keep) => (typeof keep === 'string' ? `${keep}••••••` : '••••••'));
  return out;
}
