import type { TenantSecret } from './ports.js';

/**
 * Every secret value this process has read or written (tenants' API keys, webhook keys, tokens), so
 * that the logger can blank them wherever they turn up, key name or not: in a message, an error's
 * text, a URL. Values shorter than 8 characters are not kept (they would blank ordinary words).
 */
const remembered = new Set<string>();
const MAX_REMEMBERED = 20_000;
const MIN_LENGTH = 8;

export const rememberSecretValue = (value: string | null | undefined): void => {
  const trimmed = value?.trim();
  if (!trimmed || trimmed.length < MIN_LENGTH || remembered.has(trimmed)) return;
  // A long-lived process reading many tenants' keys keeps the most recent ones.
  if (remembered.size >= MAX_REMEMBERED) remembered.delete(remembered.values().next().value as string);
  remembered.add(trimmed);
  const encoded = encodeURIComponent(trimmed);
  if (encoded !== trimmed) remembered.add(encoded);
};

/** Credentials recognisable by their shape, whoever's they are. */
const CREDENTIAL_SHAPES: ReadonlyArray<[RegExp, string]> = [
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{6,}/gi, '$1 [redacted]'],
  [/([?&;](?:api[_-]?key|apikey|key|token|access_token|refresh_token|id_token|code|client_secret|password|secret|signature)=)[^&\s"'#]+/gi, '$1[redacted]'],
  [/\b(x-api-key|x-bamboohr-signature|authorization)(["']?\s*[:=]\s*["']?)[^\s"',}]+/gi, '$1$2[redacted]'],
];

/** The text with every remembered secret value, and anything shaped like a credential, blanked. */
export const scrubSecretValues = (text: string): string => {
  let out = text;
  for (const secret of remembered) if (out.includes(secret)) out = out.split(secret).join('[redacted]');
  for (const [shape, replacement] of CREDENTIAL_SHAPES) out = out.replace(shape, replacement);
  return out;
};

/** Every secret value that passes through a secret store is one the logger must never print. */
export const rememberTenantSecret = <T extends TenantSecret | null>(secret: T): T => {
  rememberSecretValue(secret?.apiKey);
  rememberSecretValue(secret?.webhookPrivateKey);
  rememberSecretValue(secret?.oauth?.accessToken);
  rememberSecretValue(secret?.oauth?.refreshToken);
  return secret;
};
