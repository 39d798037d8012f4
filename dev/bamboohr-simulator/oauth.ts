import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { consentPage } from './consent-page.js';
import { errorResponse, mediaType, parseBasicAuth, parseJson, safeDecode, type SimResponse } from './http.js';
import type { SimOauthApp, SimOauthTokenStats, SimOauthUser } from './types.js';

/**
 * BambooHR's OAuth 2.0 authorization-code flow on a company's own URL: `authorize.php` (a consent
 * page, then a redirect carrying a code) and `token.php` (a code or a refresh token for an access
 * token), plus the look-up behind `Authorization: Bearer`. All in memory, on the simulator's clock.
 */

/** The app the local stack and the tests connect with. Its secret is deliberately not a secret. */
export const SIMULATOR_OAUTH_APP: Readonly<SimOauthApp> = Object.freeze({
  clientId: 'bamboohr-sync-local',
  clientSecret: 'bamboohr-sync-local-not-a-secret',
  name: 'bamboohr-sync (local)',
  redirectUris: 'loopback',
});

export const REDACTED = '[redacted]';

/** Parameters whose values must never reach the request log. */
const SECRET_PARAMS: ReadonlySet<string> = new Set(['client_secret', 'code', 'refresh_token', 'access_token']);

// RFC 6749 recommends codes live at most 10 minutes; a consent page gets as long to be answered.
const CODE_MS = 10 * 60_000;
const CONSENT_MS = 10 * 60_000;
const OFFLINE_SCOPE = 'offline_access';
const FORM = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json';

/** What a user approved: which app, where its code goes, for which scopes. */
interface Approval {
  clientId: string;
  redirectUri: string;
  scopes: readonly string[];
}

interface PendingConsent extends Approval {
  state: string | undefined;
  expiresAt: number;
}

interface IssuedCode extends Approval {
  expiresAt: number;
}

export interface AccessGrant {
  clientId: string;
  scopes: readonly string[];
  expiresAt: number;
}

interface RefreshGrant {
  clientId: string;
  scopes: readonly string[];
}

/** One company's side of OAuth: its approving user, and what was issued for it (never valid elsewhere). */
export interface OauthCompanyState {
  readonly subdomain: string;
  user: SimOauthUser;
  consents: Map<string, PendingConsent>;
  codes: Map<string, IssuedCode>;
  accessTokens: Map<string, AccessGrant>;
  refreshTokens: Map<string, RefreshGrant>;
  issued: { accessTokens: number; refreshTokens: number; refreshTokensUsed: number };
}

/** The raw request, secrets included: the log gets a redacted copy, these endpoints need the real values. */
export interface OauthRequest {
  method: string;
  /** The request's path: the consent form posts back to it. */
  path: string;
  query: URLSearchParams;
  contentType: string | undefined;
  body: string;
  authorization: string | undefined;
}

export interface OauthServerOptions {
  now: () => Date;
  accessTokenSeconds: number;
}

export interface OauthServer {
  /** Registers an app, or replaces the one with the same client id. */
  registerApp(app: SimOauthApp): void;
  newCompany(subdomain: string, user?: SimOauthUser): OauthCompanyState;
  /** `GET` shows the consent page, `POST` takes the user's decision. */
  authorize(company: OauthCompanyState, request: OauthRequest): SimResponse;
  token(company: OauthCompanyState, request: OauthRequest): SimResponse;
  /** The grant behind a Bearer token of this company, or null when unknown, expired or revoked. */
  accessGrant(company: OauthCompanyState, accessToken: string): AccessGrant | null;
  /** Every code, access token and refresh token of the company stops working. */
  revoke(company: OauthCompanyState): void;
  stats(company: OauthCompanyState): SimOauthTokenStats;
}

type TokenError = 'invalid_request' | 'invalid_client' | 'invalid_grant' | 'unsupported_grant_type';

interface TokenAnswer {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  refresh_token?: string;
  scope: string;
  companyDomain: string;
}

const authorizeQuerySchema = z.object({
  request: z.literal('authorize'),
  response_type: z.literal('code'),
  scope: z.string().optional(),
  state: z.string().optional(),
});
/** A JSON token request: a flat object of strings, like the form it stands for. */
const jsonParamsSchema = z.record(z.string(), z.string());
const codeGrantSchema = z.object({ code: z.string().min(1), redirect_uri: z.string().min(1) });
const refreshGrantSchema = z.object({ refresh_token: z.string().min(1) });

const newSecret = (): string => randomBytes(32).toString('base64url');

/** Constant-time comparison; hashing first gives both sides the same length. */
const sameSecret = (a: string, b: string): boolean =>
  timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());

/** `scope=a+b`: space-separated, order kept, duplicates dropped. */
const scopesOf = (scope: string | undefined): string[] => [...new Set((scope ?? '').split(/\s+/).filter((s) => s !== ''))];

/** Names of the parameters a schema refused, for an `error_description` that never echoes values. */
const refusedParams = (error: z.ZodError): string => `Missing or invalid: ${[...new Set(error.issues.map((i) => i.path.join('.')))].join(', ')}`;

/** application/x-www-form-urlencoded decoding (`+` is a space), as RFC 6749 wants for Basic client credentials. */
const formDecode = (text: string): string => safeDecode(text.replace(/\+/g, ' '));

const parseUrl = (text: string): URL | null => {
  try {
    return new URL(text);
  } catch {
    return null;
  }
};

const isLoopbackUri = (uri: string): boolean => {
  const url = parseUrl(uri);
  if (!url || url.hash !== '' || url.username !== '' || url.password !== '') return false;
  if (url.hostname === '127.0.0.1') return url.protocol === 'http:' || url.protocol === 'https:';
  return url.hostname === 'localhost' && url.protocol === 'http:';
};

const redirectAllowed = (app: SimOauthApp, uri: string): boolean =>
  app.redirectUris === 'loopback' ? isLoopbackUri(uri) : app.redirectUris.includes(uri);

/** A redirect to a verified URI, its own query parameters kept. */
const redirectWith = (redirectUri: string, params: Record<string, string | undefined>): SimResponse => {
  const url = new URL(redirectUri);
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined) url.searchParams.set(name, value);
  }
  return { status: 302, headers: { location: url.href, 'cache-control': 'no-store' }, body: '' };
};

const tokenJson = (status: number, value: unknown, headers: Record<string, string> = {}): SimResponse => ({
  status,
  headers: { 'content-type': 'application/json', 'cache-control': 'no-store', pragma: 'no-cache', ...headers },
  body: JSON.stringify(value),
});

/** Descriptions name parameters, never their values: no code, token or secret in an error. */
const tokenError = (error: TokenError, description: string, status = 400, headers: Record<string, string> = {}): SimResponse =>
  tokenJson(status, { error, error_description: description }, headers);

const validateApp = (app: SimOauthApp): void => {
  if (app.clientId === '' || app.clientSecret === '') throw new Error('An OAuth app needs a client id and a client secret');
  if (app.redirectUris === 'loopback') return;
  for (const uri of app.redirectUris) {
    const url = parseUrl(uri);
    if (!url || !/^https?:$/.test(url.protocol) || url.hash !== '') {
      throw new Error(`Redirect URI '${uri}' must be an absolute http(s) URL without a fragment`);
    }
  }
};

// ------------------------------------------------------------------ log redaction

const redactFormPair = (pair: string): string => {
  const eq = pair.indexOf('=');
  const rawName = eq < 0 ? pair : pair.slice(0, eq);
  return SECRET_PARAMS.has(formDecode(rawName)) ? `${rawName}=${REDACTED}` : pair;
};

const redactJson = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(redactJson);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, SECRET_PARAMS.has(k) ? REDACTED : redactJson(v)]));
};

/**
 * A body as the log keeps it: secret values replaced, the rest as sent. A body that is neither a
 * form nor JSON cannot be searched for secrets, so it is redacted whole.
 */
export const redactBody = (body: string, contentType: string | undefined): string => {
  if (body === '') return body;
  const type = mediaType(contentType);
  if (type === FORM) return body.split('&').map(redactFormPair).join('&');
  const json = type === JSON_TYPE ? parseJson(body) : undefined;
  return json === undefined ? REDACTED : JSON.stringify(redactJson(json));
};

/** Query parameters as the log keeps them (the same object when there is nothing to hide). */
export const redactParams = (params: Record<string, string>): Record<string, string> =>
  Object.keys(params).some((name) => SECRET_PARAMS.has(name))
    ? Object.fromEntries(Object.entries(params).map(([k, v]) => [k, SECRET_PARAMS.has(k) ? REDACTED : v]))
    : params;

// ------------------------------------------------------------------ the server

export const createOauthServer = (options: OauthServerOptions): OauthServer => {
  const apps = new Map<string, SimOauthApp>();
  const nowMs = (): number => options.now().getTime();

  const pruneExpired = <T extends { expiresAt: number }>(map: Map<string, T>): void => {
    const now = nowMs();
    for (const [key, entry] of map) if (entry.expiresAt <= now) map.delete(key);
  };

  /** Takes (and so spends) an entry that expires; null when absent or expired. */
  const takeUnexpired = <T extends { expiresAt: number }>(map: Map<string, T>, key: string | undefined): T | null => {
    if (key === undefined) return null;
    const entry = map.get(key);
    map.delete(key);
    return entry !== undefined && entry.expiresAt > nowMs() ? entry : null;
  };

  // ---------------------------------------------------------------- authorize.php

  /** The app and redirect URI a request names, once both check out: nothing is ever redirected before. */
  const verifiedClient = (params: Record<string, string>): { app: SimOauthApp; redirectUri: string } | SimResponse => {
    const app = apps.get(params.client_id ?? '');
    if (!app) return errorResponse(400, 'Unknown client_id: no OAuth app is registered under it');
    const redirectUri = params.redirect_uri ?? '';
    if (!redirectAllowed(app, redirectUri)) return errorResponse(400, 'The redirect_uri is not registered for this OAuth app');
    return { app, redirectUri };
  };

  const showConsent = (company: OauthCompanyState, request: OauthRequest): SimResponse => {
    const params = Object.fromEntries(request.query);
    const client = verifiedClient(params);
    if ('status' in client) return client;
    const parsed = authorizeQuerySchema.safeParse(params);
    if (!parsed.success) {
      return redirectWith(client.redirectUri, { error: 'invalid_request', error_description: refusedParams(parsed.error), state: params.state });
    }
    const scopes = scopesOf(parsed.data.scope);
    const consent = newSecret();
    pruneExpired(company.consents);
    company.consents.set(consent, {
      clientId: client.app.clientId,
      redirectUri: client.redirectUri,
      scopes,
      state: parsed.data.state,
      expiresAt: nowMs() + CONSENT_MS,
    });
    return consentPage({
      appName: client.app.name,
      subdomain: company.subdomain,
      scopes,
      action: request.path,
      fields: {
        request: 'authorize',
        response_type: 'code',
        client_id: client.app.clientId,
        redirect_uri: client.redirectUri,
        scope: scopes.join(' '),
        state: parsed.data.state,
        consent,
      },
    });
  };

  /** Whether the posted form is the page that was shown (the consent token alone is not enough). */
  const matchesConsent = (pending: PendingConsent, form: Record<string, string>): boolean =>
    form.client_id === pending.clientId &&
    form.redirect_uri === pending.redirectUri &&
    scopesOf(form.scope).join(' ') === pending.scopes.join(' ') &&
    (form.state ?? '') === (pending.state ?? '');

  const issueCode = (company: OauthCompanyState, approval: Approval): string => {
    const code = newSecret();
    pruneExpired(company.codes);
    const { clientId, redirectUri, scopes } = approval;
    company.codes.set(code, { clientId, redirectUri, scopes, expiresAt: nowMs() + CODE_MS });
    return code;
  };

  const decide = (company: OauthCompanyState, request: OauthRequest): SimResponse => {
    if (mediaType(request.contentType) !== FORM) return errorResponse(400, `The consent form is posted as ${FORM}`);
    const form = Object.fromEntries(new URLSearchParams(request.body));
    const pending = takeUnexpired(company.consents, form.consent);
    if (!pending) return errorResponse(400, 'This consent page expired or was already answered: start the authorization again');
    if (!matchesConsent(pending, form)) return errorResponse(400, 'The consent form does not match the page that was shown');
    if (form.decision === 'deny') {
      return redirectWith(pending.redirectUri, { error: 'access_denied', error_description: 'The user denied access', state: pending.state });
    }
    if (form.decision !== 'approve') {
      return redirectWith(pending.redirectUri, {
        error: 'invalid_request',
        error_description: 'decision must be approve or deny',
        state: pending.state,
      });
    }
    return redirectWith(pending.redirectUri, { code: issueCode(company, pending), state: pending.state });
  };

  // ---------------------------------------------------------------- token.php

  /** The parameters of a token request: a form (BambooHR's SDK) or a JSON object (some integrations). */
  const tokenParams = (request: OauthRequest): Record<string, string> | null => {
    const type = mediaType(request.contentType);
    if (type === FORM) return Object.fromEntries(new URLSearchParams(request.body));
    if (type !== JSON_TYPE) return null;
    const parsed = jsonParamsSchema.safeParse(parseJson(request.body));
    return parsed.success ? parsed.data : null;
  };

  /** The app behind client_id/client_secret or HTTP Basic (one of the two, never both: RFC 6749 2.3). */
  const authenticateClient = (params: Record<string, string>, authorization: string | undefined): SimOauthApp | SimResponse => {
    const basic = parseBasicAuth(authorization);
    const basicId = basic ? formDecode(basic.user) : undefined;
    if (basic && params.client_secret !== undefined) {
      return tokenError('invalid_request', 'Authenticate the client once: HTTP Basic or client_secret, not both');
    }
    if (basicId !== undefined && params.client_id !== undefined && params.client_id !== basicId) {
      return tokenError('invalid_request', 'client_id differs from the HTTP Basic client');
    }
    const app = apps.get(basicId ?? params.client_id ?? '');
    const secret = basic ? formDecode(basic.password) : params.client_secret;
    if (!app || secret === undefined || !sameSecret(secret, app.clientSecret)) {
      return tokenError('invalid_client', 'Client authentication failed', 401, basic ? { 'www-authenticate': 'Basic realm="token.php"' } : {});
    }
    return app;
  };

  const issueTokens = (company: OauthCompanyState, clientId: string, scopes: readonly string[]): TokenAnswer => {
    pruneExpired(company.accessTokens);
    const accessToken = newSecret();
    company.accessTokens.set(accessToken, { clientId, scopes, expiresAt: nowMs() + options.accessTokenSeconds * 1000 });
    company.issued.accessTokens += 1;
    const answer: TokenAnswer = {
      access_token: accessToken,
      token_type: 'Bearer',
      expires_in: options.accessTokenSeconds,
      scope: scopes.join(' '),
      companyDomain: company.subdomain,
    };
    // BambooHR issues a refresh token only with offline_access.
    if (!scopes.includes(OFFLINE_SCOPE)) return answer;
    const refreshToken = newSecret();
    company.refreshTokens.set(refreshToken, { clientId, scopes });
    company.issued.refreshTokens += 1;
    return { ...answer, refresh_token: refreshToken };
  };

  const redeemCode = (company: OauthCompanyState, app: SimOauthApp, params: Record<string, string>): SimResponse => {
    const parsed = codeGrantSchema.safeParse(params);
    if (!parsed.success) return tokenError('invalid_request', refusedParams(parsed.error));
    // Single use: the first redemption spends the code, even a failed one.
    const issued = takeUnexpired(company.codes, parsed.data.code);
    if (!issued || issued.clientId !== app.clientId) return tokenError('invalid_grant', 'The authorization code is invalid, expired or already used');
    if (issued.redirectUri !== parsed.data.redirect_uri) {
      return tokenError('invalid_grant', 'The redirect_uri differs from the one the code was issued for');
    }
    return tokenJson(200, issueTokens(company, app.clientId, issued.scopes));
  };

  const redeemRefreshToken = (company: OauthCompanyState, app: SimOauthApp, params: Record<string, string>): SimResponse => {
    const parsed = refreshGrantSchema.safeParse(params);
    if (!parsed.success) return tokenError('invalid_request', refusedParams(parsed.error));
    const grant = company.refreshTokens.get(parsed.data.refresh_token);
    if (!grant || grant.clientId !== app.clientId) {
      return tokenError('invalid_grant', 'The refresh token is invalid, revoked or already used');
    }
    // Rotation: the old refresh token stops working the moment the new one is issued.
    company.refreshTokens.delete(parsed.data.refresh_token);
    company.issued.refreshTokensUsed += 1;
    return tokenJson(200, issueTokens(company, app.clientId, grant.scopes));
  };

  const token = (company: OauthCompanyState, request: OauthRequest): SimResponse => {
    if (request.method !== 'POST') return tokenError('invalid_request', 'token.php takes POST', 405, { allow: 'POST' });
    if (request.query.get('request') !== 'token') return tokenError('invalid_request', 'token.php needs ?request=token');
    const params = tokenParams(request);
    if (!params) return tokenError('invalid_request', `Send the parameters as ${FORM} or as a JSON object of strings`);
    const app = authenticateClient(params, request.authorization);
    if ('status' in app) return app;
    switch (params.grant_type) {
      case 'authorization_code':
        return redeemCode(company, app, params);
      case 'refresh_token':
        return redeemRefreshToken(company, app, params);
      case undefined:
        return tokenError('invalid_request', 'Missing: grant_type');
      default:
        return tokenError('unsupported_grant_type', 'grant_type must be authorization_code or refresh_token');
    }
  };

  // ---------------------------------------------------------------- public

  return {
    registerApp: (app) => {
      validateApp(app);
      apps.set(app.clientId, { ...app, redirectUris: app.redirectUris === 'loopback' ? 'loopback' : [...app.redirectUris] });
    },

    newCompany: (subdomain, user = {}) => ({
      subdomain,
      user: { ...user },
      consents: new Map(),
      codes: new Map(),
      accessTokens: new Map(),
      refreshTokens: new Map(),
      issued: { accessTokens: 0, refreshTokens: 0, refreshTokensUsed: 0 },
    }),

    authorize: (company, request) => {
      if (request.method === 'GET') return showConsent(company, request);
      if (request.method === 'POST') return decide(company, request);
      return errorResponse(405, 'Method not allowed', { allow: 'GET, POST' });
    },

    token,

    accessGrant: (company, accessToken) => {
      const grant = company.accessTokens.get(accessToken);
      return grant !== undefined && grant.expiresAt > nowMs() ? grant : null;
    },

    revoke: (company) => {
      company.codes.clear();
      company.accessTokens.clear();
      company.refreshTokens.clear();
    },

    stats: (company) => {
      const now = nowMs();
      return {
        activeAccessTokens: [...company.accessTokens.values()].filter((grant) => grant.expiresAt > now).length,
        accessTokensIssued: company.issued.accessTokens,
        activeRefreshTokens: company.refreshTokens.size,
        refreshTokensIssued: company.issued.refreshTokens,
        refreshTokensUsed: company.issued.refreshTokensUsed,
      };
    },
  };
};
