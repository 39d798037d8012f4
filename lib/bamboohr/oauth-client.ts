import got from 'got';
import { z } from 'zod';
import { BambooHrResponseError, BambooHrUnavailableError } from '../errors.js';
import type { OAuthClient, OAuthTokens } from '../ports.js';

/** BambooHR's token answer (`token.php?request=token`). */
const tokenAnswerSchema = z.object({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  expires_in: z.coerce.number().int().positive().default(3600),
  refresh_token: z.string().min(1).optional(),
  scope: z.string().optional(),
});

const tokenErrorSchema = z.object({ error: z.string() });

/** `invalid_grant` and friends: BambooHR refused the code or the refresh token itself. */
export class TokenRefusedError extends Error {
  constructor(readonly error: string) {
    super(`BambooHR refused the grant (${error}).`);
    this.name = 'TokenRefusedError';
  }
}

export interface OAuthClientOptions {
  /** `https://{subdomain}.bamboohr.com`: token.php is under it. */
  companyUrl: string;
  credentials: () => Promise<{ clientId: string; clientSecret: string }>;
  timeoutMs?: number;
  now?: () => Date;
}

/**
 * BambooHR's token endpoint: an authorization code or a refresh token for tokens. Form-encoded, as
 * BambooHR's own SDK posts it. No code, token or secret ever reaches an error message: failures say
 * only what kind they were.
 */
export const createOAuthClient = (options: OAuthClientOptions): OAuthClient => {
  const now = options.now ?? (() => new Date());
  const tokenUrl = (subdomain: string) => `${options.companyUrl.replace('{subdomain}', encodeURIComponent(subdomain)).replace(/\/+$/, '')}/token.php?request=token`;
  const post = async (subdomain: string, form: Record<string, string>): Promise<OAuthTokens> => {
    const { clientId, clientSecret } = await options.credentials();
    let response;
    try {
      response = await got.post(tokenUrl(subdomain), {
        form: { ...form, client_id: clientId, client_secret: clientSecret },
        headers: { accept: 'application/json', 'user-agent': 'bamboohr-sync' },
        timeout: { request: options.timeoutMs ?? 15_000 },
        retry: { limit: 0 },
        throwHttpErrors: false,
        followRedirect: false,
        responseType: 'text',
      });
    } catch (error) {
      // got's error holds the request (the form, with the secret): only its code is kept.
      throw new BambooHrUnavailableError(subdomain, `the token endpoint did not answer (${(error as { code?: string }).code ?? 'network error'})`);
    }
    let body: unknown;
    try {
      body = JSON.parse(response.body);
    } catch {
      throw new BambooHrResponseError(subdomain, `the token endpoint answered ${response.statusCode} with something that is not JSON`, 'not JSON');
    }
    if (response.statusCode >= 400) {
      const refused = tokenErrorSchema.safeParse(body);
      if (refused.success && ['invalid_grant', 'invalid_client', 'unauthorized_client', 'access_denied'].includes(refused.data.error)) throw new TokenRefusedError(refused.data.error);
      if (response.statusCode >= 500 || response.statusCode === 429) throw new BambooHrUnavailableError(subdomain, `the token endpoint answered ${response.statusCode}`);
      throw new BambooHrResponseError(subdomain, `the token endpoint answered ${response.statusCode}${refused.success ? ` (${refused.data.error})` : ''}`, 'an error');
    }
    const parsed = tokenAnswerSchema.safeParse(body);
    if (!parsed.success) throw new BambooHrResponseError(subdomain, 'the token endpoint answered without an access token', 'a token answer without an access token');
    const t = parsed.data;
    return {
      accessToken: t.access_token,
      refreshToken: t.refresh_token ?? null,
      expiresAt: new Date(now().getTime() + t.expires_in * 1000).toISOString(),
      scopes: t.scope ? t.scope.split(/\s+/).filter(Boolean) : null,
    };
  };
  return {
    exchangeCode: ({ subdomain, code, redirectUri }) => post(subdomain, { grant_type: 'authorization_code', code, redirect_uri: redirectUri }),
    refresh: ({ subdomain, refreshToken }) => post(subdomain, { grant_type: 'refresh_token', refresh_token: refreshToken }),
  };
};
