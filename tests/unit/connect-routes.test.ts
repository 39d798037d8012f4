import { createHash } from 'node:crypto';
import { TokenRefusedError } from '../../lib/bamboohr/oauth-client.js';
import { OAUTH_SCOPES } from '../../lib/config.js';
import { handleConnect, type ConnectResponse } from '../../lib/connect/connect-routes.js';
import { BambooHrAuthError, BambooHrUnavailableError, BambooHrUnknownCompanyError, ConfigError, OAuthNotConfiguredError } from '../../lib/errors.js';
import type { HttpApiEvent } from '../../lib/http.js';
import type { EmployeeSourceFactory, OAuthClient, OAuthTokens } from '../../lib/ports.js';
import { createInvite, type ConnectDeps } from '../../lib/use-cases/connect-tenant.js';
import { aRawRow, aTenant, FAKE_API_KEY } from '../helpers/builders.js';
import { FakeEmployeeSource } from '../helpers/fake-employee-source.js';
import {
  FixedClock,
  InMemoryChangeFeed,
  InMemoryInviteStore,
  InMemoryMarkerStore,
  InMemoryRunStore,
  InMemorySecretStore,
  InMemorySnapshotStore,
  InMemoryTenantStore,
  RecordingActivity,
  RecordingLog,
} from '../helpers/in-memory-ports.js';

/**
 * The customer's connect pages (lib/connect/connect-routes.ts, lib/connect/pages.ts) driven with API
 * Gateway HTTP API (payload v2) events, as functions/connect.ts hands them over, on in-memory ports.
 */

const BASE = 'https://sync.example.com';
const OAUTH_TOKENS: OAuthTokens = {
  accessToken: 'oauth-access-token-9c1d2e3f4a5b6c7d',
  refreshToken: 'oauth-refresh-token-0a9b8c7d6e5f4a3b',
  expiresAt: '2026-11-25T11:00:00.000Z',
  scopes: [...OAUTH_SCOPES],
};

type ConnectEvent = HttpApiEvent & { cookies?: string[] };

/** An HTTP API v2 event for one of the connect routes, as API Gateway builds it. */
const anEvent = (
  routeKey: string,
  options: { token?: string; query?: Record<string, string>; form?: Record<string, string>; body?: string; base64?: boolean; cookies?: string[]; headers?: Record<string, string> } = {},
): ConnectEvent => {
  const [method, template] = routeKey.split(' ') as [string, string];
  const path = template.replace('{token}', encodeURIComponent(options.token ?? ''));
  const text = options.form ? new URLSearchParams(options.form).toString() : options.body;
  return {
    routeKey,
    rawPath: path,
    rawQueryString: new URLSearchParams(options.query ?? {}).toString(),
    headers: {
      host: 'sync.example.com',
      'user-agent': 'Mozilla/5.0',
      ...(text !== undefined ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      ...options.headers,
    },
    ...(options.cookies ? { cookies: options.cookies } : {}),
    ...(options.query ? { queryStringParameters: options.query } : {}),
    ...(template.includes('{token}') ? { pathParameters: { token: options.token ?? '' } } : {}),
    ...(text !== undefined ? { body: options.base64 ? Buffer.from(text, 'utf8').toString('base64') : text } : {}),
    isBase64Encoded: options.base64 ?? false,
    requestContext: { http: { method, path } },
  };
};

class FakeOAuthClient implements OAuthClient {
  readonly exchanges: { subdomain: string; code: string; redirectUri: string }[] = [];
  readonly refreshes: { subdomain: string; refreshToken: string }[] = [];
  failWith: Error | null = null;
  async exchangeCode(input: { subdomain: string; code: string; redirectUri: string }) {
    this.exchanges.push(input);
    if (this.failWith) throw this.failWith;
    return { ...OAUTH_TOKENS };
  }
  async refresh(input: { subdomain: string; refreshToken: string }): Promise<OAuthTokens> {
    this.refreshes.push(input);
    return { accessToken: 'oauth-access-token-refreshed-1a2b3c4d', refreshToken: 'oauth-refresh-token-rotated-5e6f7a8b', expiresAt: '2026-11-25T14:00:00.000Z', scopes: null };
  }
}

const setup = async (options: { publicBaseUrl?: string; oauthConfigured?: boolean; exclusionField?: string | null } = {}) => {
  const publicBaseUrl = options.publicBaseUrl ?? BASE;
  const clock = new FixedClock();
  const tenants = new InMemoryTenantStore();
  const secrets = new InMemorySecretStore();
  const invites = new InMemoryInviteStore();
  const source = new FakeEmployeeSource([aRawRow('1'), aRawRow('2')]);
  const sourceInputs: Parameters<EmployeeSourceFactory>[0][] = [];
  const oauth = new FakeOAuthClient();
  const log = new RecordingLog();
  const deps: ConnectDeps & { log: RecordingLog; publicBaseUrl: string } = {
    tenants,
    secrets,
    connecting: new InMemorySecretStore(),
    snapshots: new InMemorySnapshotStore(),
    feed: new InMemoryChangeFeed(),
    runs: new InMemoryRunStore(),
    clock,
    employeeSource: (input) => {
      sourceInputs.push(input);
      return source;
    },
    deployment: { publicBaseUrl: async () => publicBaseUrl },
    activity: new RecordingActivity(clock),
    invites,
    oauth,
    markers: new InMemoryMarkerStore(clock),
    oauthApp: async () => {
      if (options.oauthConfigured === false) throw new OAuthNotConfiguredError("no secret 'bamboohr-sync/prod/oauth-client' (store {\"clientId\", \"clientSecret\"} there)");
      return { clientId: 'client-id-1234' };
    },
    companyUrl: 'https://{subdomain}.bamboohr.com',
    oauthScopes: OAUTH_SCOPES,
    inviteTtlHours: 168,
    log,
    publicBaseUrl,
  };
  const newInvite = async (tenantId = 'acme') => {
    const { url } = await createInvite(deps, tenantId, { exclusionField: options.exclusionField ?? null, actor: 'support@example.com' });
    return url.slice(url.lastIndexOf('/') + 1);
  };
  const token = await newInvite();
  const route = (event: ConnectEvent) => handleConnect(deps, event);
  return { deps, clock, tenants, secrets, invites, source, sourceInputs, oauth, log, token, newInvite, route };
};

type Setup = Awaited<ReturnType<typeof setup>>;

/** Leaves for BambooHR's consent page: the redirect, its state and the browser's cookie. */
const startOAuth = async (s: Setup, token = s.token, subdomain = 'acme') => {
  const response = await s.route(anEvent('GET /connect/{token}/oauth', { token, query: { subdomain } }));
  const location = new URL(response.headers.location ?? 'about:blank');
  const cookie = (response.cookies?.[0] ?? '').split(';')[0]!;
  return { response, location, state: location.searchParams.get('state') ?? '', cookie };
};

const attributesOf = (setCookie: string): string[] => setCookie.split(/;\s*/).slice(1);
const everything = (response: ConnectResponse): string => JSON.stringify(response);
const styleHashOf = (body: string): string => {
  const style = /<style>([\s\S]*?)<\/style>/.exec(body)?.[1] ?? '';
  return `'sha256-${createHash('sha256').update(style).digest('base64')}'`;
};

describe('connect routes', () => {
  describe('the connect page (GET /connect/{token})', () => {
    it('serves the page with both ways to connect, a strict CSP and no caching', async () => {
      // Prepare
      const s = await setup();

      // Act
      const response = await s.route(anEvent('GET /connect/{token}', { token: s.token }));

      // Assess
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.headers['referrer-policy']).toBe('no-referrer');
      expect(response.headers['x-frame-options']).toBe('DENY');
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.body).toContain('Connect with BambooHR');
      expect(response.body).toContain('Or paste an API key');
      expect(response.body).toContain(`<form method="get" action="/connect/${s.token}/oauth">`);
      expect(response.body).toContain(`<form method="post" action="/connect/${s.token}/key">`);
      expect(response.body).not.toMatch(/<script/i);
      expect(response.cookies).toBeUndefined();
      const csp = Object.fromEntries(response.headers['content-security-policy']!.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1).join(' ')]));
      expect(csp).toEqual({
        'default-src': "'none'",
        'style-src': styleHashOf(response.body),
        'img-src': "'self' data:",
        'form-action': "'self' https://*.bamboohr.com",
        'frame-ancestors': "'none'",
        'base-uri': "'none'",
      });
    });

    it('puts the token only in its own forms’ actions: not in headers, the title or anything else', async () => {
      // Prepare
      const s = await setup();

      // Act
      const response = await s.route(anEvent('GET /connect/{token}', { token: s.token }));

      // Assess
      expect(JSON.stringify(response.headers)).not.toContain(s.token);
      const actions = response.body.match(new RegExp(`action="/connect/${s.token}/(oauth|key)"`, 'g')) ?? [];
      expect(actions).toHaveLength(2);
      expect(response.body.split(s.token)).toHaveLength(actions.length + 1);
      expect(response.body).toContain('<meta name="referrer" content="no-referrer">');
    });

    it("names the product's account the link is for, so that an admin can tell a link meant for another company", async () => {
      // Prepare
      const s = await setup();

      // Act
      const response = await s.route(anEvent('GET /connect/{token}', { token: s.token }));

      // Assess
      expect(response.body).toContain("For the product's account <strong>acme</strong>");
    });

    it('offers only the API key when the OAuth app is not configured', async () => {
      // Prepare
      const s = await setup({ oauthConfigured: false });

      // Act
      const response = await s.route(anEvent('GET /connect/{token}', { token: s.token }));

      // Assess
      expect(response.statusCode).toBe(200);
      expect(response.body).not.toContain('/oauth"');
      expect(response.body).toContain(`action="/connect/${s.token}/key"`);
      expect(response.body).not.toContain('oauth-client');
    });

    it.each([
      ['an unknown link', async (_s: Setup) => 'A'.repeat(43)],
      ['a mistyped link', async (s: Setup) => s.token.slice(0, 42)],
      [
        'an expired link',
        async (s: Setup) => {
          s.clock.advance(168 * 3_600_000);
          return s.token;
        },
      ],
      [
        'a used link',
        async (s: Setup) => {
          await s.route(anEvent('POST /connect/{token}/key', { token: s.token, form: { subdomain: 'acme', apiKey: FAKE_API_KEY } }));
          return s.token;
        },
      ],
    ])('answers %s with 410 and the one page that says to ask for a new link', async (_case, linkOf) => {
      // Prepare
      const s = await setup();
      const token = await linkOf(s);
      const unknown = await s.route(anEvent('GET /connect/{token}', { token: 'B'.repeat(43) }));

      // Act
      const response = await s.route(anEvent('GET /connect/{token}', { token }));

      // Assess
      expect(response.statusCode).toBe(410);
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.body).toContain('This link does not work any more');
      expect(response.body).toContain('Ask your contact at the performance-review product for a new one.');
      expect(response.body).not.toContain(token);
      expect(response.body).not.toContain('Back to the connect page');
      // The same answer as for a link that never existed: nothing to probe.
      expect(response.body).toBe(unknown.body);
    });

    it('escapes whatever a made-up link carries', async () => {
      // Prepare
      const s = await setup();

      // Act
      const response = await s.route(anEvent('GET /connect/{token}', { token: '"><script>alert(1)</script>' }));

      // Assess
      expect(response.statusCode).toBe(410);
      expect(response.body).not.toContain('<script>');
      expect(response.body).not.toContain('alert(1)');
    });
  });

  describe('OAuth start (GET /connect/{token}/oauth)', () => {
    it("redirects to the company's BambooHR consent page with the app, the callback, offline_access and a state", async () => {
      // Prepare
      const s = await setup();

      // Act
      const { response, location, state } = await startOAuth(s);

      // Assess
      expect(response.statusCode).toBe(302);
      expect(response.body).toBe('');
      expect(response.headers['cache-control']).toBe('no-store');
      expect(`${location.origin}${location.pathname}`).toBe('https://acme.bamboohr.com/authorize.php');
      expect(Object.fromEntries(location.searchParams)).toEqual({
        request: 'authorize',
        response_type: 'code',
        client_id: 'client-id-1234',
        redirect_uri: `${BASE}/oauth/bamboohr/callback`,
        scope: OAUTH_SCOPES.join(' '),
        state,
      });
      expect(location.searchParams.get('scope')!.split(' ')).toContain('offline_access');
      expect(state).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(state).not.toBe(s.token);
      expect(s.invites.states.size).toBe(1);
    });

    it('binds the state to this browser with an HttpOnly, Secure, SameSite=Lax cookie on the whole site', async () => {
      // Prepare
      const s = await setup();

      // Act
      const { response } = await startOAuth(s);

      // Assess
      expect(response.cookies).toHaveLength(1);
      const [setCookie] = response.cookies!;
      expect(setCookie!.split(';')[0]).toBe(`bhs_connect=${s.token}`);
      expect(attributesOf(setCookie!)).toEqual(expect.arrayContaining(['Path=/', 'HttpOnly', 'Secure', 'SameSite=Lax', 'Max-Age=900']));
      expect(response.headers['set-cookie']).toBeUndefined();
    });

    it.each([['acme.bamboohr.com'], ['https://acme.bamboohr.com/'], ['ACME']])('takes the company address %p as the page asks for it', async (subdomain) => {
      // Prepare
      const s = await setup();

      // Act
      const { response, location } = await startOAuth(s, s.token, subdomain);

      // Assess
      expect(response.statusCode).toBe(302);
      expect(location.host).toBe('acme.bamboohr.com');
    });

    it.each([['https://evil.example.com/'], ['evil.example.com'], ['acme.bamboohr.com.evil.io'], ['acme.bamboohr.com@evil.example.com'], ['evil.example.com/x.bamboohr.com'], ['//evil.example.com'], ['acme/../../evil'], ['']])(
      'never redirects anywhere for the address %p: 400 and a page',
      async (subdomain) => {
        // Prepare
        const s = await setup();

        // Act
        const response = await s.route(anEvent('GET /connect/{token}/oauth', { token: s.token, query: { subdomain } }));

        // Assess
        expect(response.statusCode).toBe(400);
        expect(response.headers.location).toBeUndefined();
        expect(response.cookies).toBeUndefined();
        expect(response.body).toContain('Please check what you entered');
        expect(response.body).toContain(`href="/connect/${s.token}"`);
        expect(s.invites.states.size).toBe(0);
      },
    );

    it('answers an unknown link with 410 and no redirect', async () => {
      // Prepare
      const s = await setup();

      // Act
      const response = await s.route(anEvent('GET /connect/{token}/oauth', { token: 'C'.repeat(43), query: { subdomain: 'acme' } }));

      // Assess
      expect(response.statusCode).toBe(410);
      expect(response.headers.location).toBeUndefined();
      expect(response.cookies).toBeUndefined();
    });

    it('says OAuth is not available without naming the service’s own configuration', async () => {
      // Prepare
      const s = await setup({ oauthConfigured: false });

      // Act
      const response = await s.route(anEvent('GET /connect/{token}/oauth', { token: s.token, query: { subdomain: 'acme' } }));

      // Assess
      expect(response.statusCode).toBe(503);
      expect(response.headers.location).toBeUndefined();
      expect(response.body).toContain('API key');
      expect(response.body).toContain(`href="/connect/${s.token}"`);
      expect(response.body).not.toContain('oauth-client');
      expect(response.body).not.toContain('clientSecret');
      expect(s.log.text()).toContain("no secret 'bamboohr-sync/prod/oauth-client'");
    });

    it('shows no configuration of the service to the customer: logs it, answers 500', async () => {
      // Prepare
      const s = await setup();
      s.deps.deployment = {
        publicBaseUrl: async () => {
          throw new ConfigError('PUBLIC_BASE_URL is not set, so this deployment does not know its own public address. Set it (serverless.yml does on deploy).');
        },
      };

      // Act
      const response = await s.route(anEvent('GET /connect/{token}/oauth', { token: s.token, query: { subdomain: 'acme' } }));

      // Assess
      expect(response.statusCode).toBe(500);
      expect(response.headers.location).toBeUndefined();
      expect(response.body).toContain('Something went wrong on our side');
      expect(response.body).not.toContain('PUBLIC_BASE_URL');
      expect(s.log.text()).toContain('PUBLIC_BASE_URL is not set');
    });
  });

  describe('OAuth callback (GET /oauth/bamboohr/callback)', () => {
    it('exchanges the code, connects the company and clears the cookie', async () => {
      // Prepare
      const s = await setup();
      const { state, cookie } = await startOAuth(s);

      // Act
      const response = await s.route(anEvent('GET /oauth/bamboohr/callback', { query: { code: 'the-code', state }, cookies: [cookie] }));

      // Assess
      expect(response.statusCode).toBe(200);
      expect(response.body).toContain('Your BambooHR is connected');
      expect(response.body).toContain('data-status="connected"');
      expect(s.oauth.exchanges).toEqual([{ subdomain: 'acme', code: 'the-code', redirectUri: `${BASE}/oauth/bamboohr/callback` }]);
      expect(s.sourceInputs[0]).toEqual({ subdomain: 'acme', accessToken: OAUTH_TOKENS.accessToken });
      expect((await s.tenants.get('acme'))?.subdomain).toBe('acme');
      expect((await s.secrets.get('acme'))?.oauth?.refreshToken).toBe(OAUTH_TOKENS.refreshToken);
      expect(response.cookies).toHaveLength(1);
      expect(response.cookies![0]!.split(';')[0]).toBe('bhs_connect=');
      expect(attributesOf(response.cookies![0]!)).toEqual(expect.arrayContaining(['Path=/', 'HttpOnly', 'Secure', 'SameSite=Lax', 'Max-Age=0']));
      expect(everything(response)).not.toContain(OAUTH_TOKENS.accessToken);
      expect(everything(response)).not.toContain(OAUTH_TOKENS.refreshToken!);
      expect(everything(response)).not.toContain(s.token);
    });

    it('reads the cookie from the Cookie header too', async () => {
      // Prepare
      const s = await setup();
      const { state, cookie } = await startOAuth(s);

      // Act
      const response = await s.route(anEvent('GET /oauth/bamboohr/callback', { query: { code: 'the-code', state }, headers: { cookie: `other=1; ${cookie}` } }));

      // Assess
      expect(response.statusCode).toBe(200);
      expect(response.body).toContain('Your BambooHR is connected');
    });

    it.each([
      ['no state', (_state: string) => ({ code: 'the-code' })],
      ['an empty state', (_state: string) => ({ code: 'the-code', state: '' })],
      ['a tampered state', (state: string) => ({ code: 'the-code', state: `${state.slice(0, 42)}${state.endsWith('A') ? 'B' : 'A'}` })],
      ['a state of the wrong shape', (state: string) => ({ code: 'the-code', state: `${state}x` })],
    ])('refuses %s with 400 and a page saying to start over', async (_case, queryOf) => {
      // Prepare
      const s = await setup();
      const { state, cookie } = await startOAuth(s);

      // Act
      const response = await s.route(anEvent('GET /oauth/bamboohr/callback', { query: queryOf(state), cookies: [cookie] }));

      // Assess
      expect(response.statusCode).toBe(400);
      expect(response.body).toContain('This sign-in could not be finished');
      expect(response.body).toContain('Open your connect link again and start over.');
      expect(s.oauth.exchanges).toHaveLength(0);
      expect(s.tenants.items.size).toBe(0);
    });

    it.each([
      ['without the cookie', async (_s: Setup) => undefined],
      ['with the cookie of another invite (another browser)', async (s: Setup) => [`bhs_connect=${await s.newInvite('globex')}`]],
      ['with a cookie that is not a token', async (_s: Setup) => ['bhs_connect=not-a-token']],
    ])('refuses a state answered %s: 400, nothing exchanged', async (_case, cookiesOf) => {
      // Prepare
      const s = await setup();
      const { state } = await startOAuth(s);
      const cookies = await cookiesOf(s);

      // Act
      const response = await s.route(anEvent('GET /oauth/bamboohr/callback', { query: { code: 'the-code', state }, ...(cookies ? { cookies } : {}) }));

      // Assess
      expect(response.statusCode).toBe(400);
      expect(response.body).toContain('This sign-in could not be finished');
      expect(s.oauth.exchanges).toHaveLength(0);
      expect(s.tenants.items.size).toBe(0);
    });

    it('refuses a state used once already', async () => {
      // Prepare
      const s = await setup();
      const { state, cookie } = await startOAuth(s);
      await s.route(anEvent('GET /oauth/bamboohr/callback', { query: { code: 'the-code', state }, cookies: [cookie] }));

      // Act
      const response = await s.route(anEvent('GET /oauth/bamboohr/callback', { query: { code: 'the-code', state }, cookies: [cookie] }));

      // Assess
      expect(response.statusCode).toBe(400);
      expect(s.oauth.exchanges).toHaveLength(1);
    });

    it('refuses a state older than 15 minutes', async () => {
      // Prepare
      const s = await setup();
      const { state, cookie } = await startOAuth(s);
      s.clock.advance(15 * 60_000 + 1);

      // Act
      const response = await s.route(anEvent('GET /oauth/bamboohr/callback', { query: { code: 'the-code', state }, cookies: [cookie] }));

      // Assess
      expect(response.statusCode).toBe(400);
      expect(s.oauth.exchanges).toHaveLength(0);
    });

    it('answers a cookie that is not valid percent-encoding with 400, not a crash', async () => {
      // Prepare
      const s = await setup();
      const { state } = await startOAuth(s);

      // Act
      const response = await s.route(anEvent('GET /oauth/bamboohr/callback', { query: { code: 'the-code', state }, cookies: ['bhs_connect=%E0%A4%A'] }));

      // Assess
      expect(response.statusCode).toBe(400);
      expect(response.body).toContain('This sign-in could not be finished');
      expect(s.oauth.exchanges).toHaveLength(0);
    });

    it('says consent was denied, with a way back to the connect page, and saves nothing', async () => {
      // Prepare
      const s = await setup();
      const { state, cookie } = await startOAuth(s);

      // Act
      const response = await s.route(
        anEvent('GET /oauth/bamboohr/callback', { query: { error: 'access_denied', error_description: 'The user denied the request', state }, cookies: [cookie] }),
      );

      // Assess
      expect(response.statusCode).toBe(200);
      expect(response.body).toContain('Not connected');
      expect(response.body).toContain('the connection was not approved');
      expect(response.body).toContain(`<a href="/connect/${s.token}">Back to the connect page</a>`);
      expect(s.oauth.exchanges).toHaveLength(0);
      expect(s.tenants.items.size).toBe(0);
      expect(s.secrets.items.size).toBe(0);
      // The link still works.
      expect((await s.route(anEvent('GET /connect/{token}', { token: s.token }))).statusCode).toBe(200);
    });

    it('says consent was denied when BambooHR refuses the code', async () => {
      // Prepare
      const s = await setup();
      const { state, cookie } = await startOAuth(s);
      s.oauth.failWith = new TokenRefusedError('invalid_grant');

      // Act
      const response = await s.route(anEvent('GET /oauth/bamboohr/callback', { query: { code: 'the-code', state }, cookies: [cookie] }));

      // Assess
      expect(response.statusCode).toBe(200);
      expect(response.body).toContain('Not connected');
      expect(response.body).toContain(`href="/connect/${s.token}"`);
      expect(s.tenants.items.size).toBe(0);
    });

    it('shows the checklist and "Check again" when the grant cannot see Status', async () => {
      // Prepare
      const s = await setup();
      s.source.hiddenFields.add('status');
      const { state, cookie } = await startOAuth(s);

      // Act
      const response = await s.route(anEvent('GET /oauth/bamboohr/callback', { query: { code: 'the-code', state }, cookies: [cookie] }));

      // Assess
      expect(response.statusCode).toBe(200);
      expect(response.body).toContain('data-status="incomplete"');
      expect(response.body).toContain('BambooHR accepted the connection for <strong>acme</strong>');
      expect(response.body).toContain(`<form method="post" action="/connect/${s.token}/check"><button type="submit">Check again</button></form>`);
      expect(everything(response)).not.toContain(OAUTH_TOKENS.accessToken);
    });
  });

  describe('"Check again" after OAuth (POST /connect/{token}/check)', () => {
    it('connects with the kept grant, refreshing it first when it has expired meanwhile', async () => {
      // Prepare
      const s = await setup();
      s.source.hiddenFields.add('status');
      const { state, cookie } = await startOAuth(s);
      await s.route(anEvent('GET /oauth/bamboohr/callback', { query: { code: 'the-code', state }, cookies: [cookie] }));
      s.source.hiddenFields.clear();
      s.clock.advance(2 * 3_600_000);

      // Act
      const response = await s.route(anEvent('POST /connect/{token}/check', { token: s.token }));

      // Assess
      expect(response.statusCode).toBe(200);
      expect(response.body).toContain('Your BambooHR is connected');
      expect(s.oauth.refreshes).toEqual([{ subdomain: 'acme', refreshToken: OAUTH_TOKENS.refreshToken }]);
      expect(s.sourceInputs.at(-1)).toEqual({ subdomain: 'acme', accessToken: 'oauth-access-token-refreshed-1a2b3c4d' });
      expect(everything(response)).not.toContain('oauth-access-token-refreshed-1a2b3c4d');
      expect((await s.tenants.get('acme'))?.status).toBe('active');
    });
  });

  describe('API key (POST /connect/{token}/key)', () => {
    it('connects with a key that sees everything', async () => {
      // Prepare
      const s = await setup();

      // Act
      const response = await s.route(anEvent('POST /connect/{token}/key', { token: s.token, form: { subdomain: 'acme', apiKey: FAKE_API_KEY } }));

      // Assess
      expect(response.statusCode).toBe(200);
      expect(response.body).toContain('Your BambooHR is connected');
      expect(response.body).not.toContain('Check again');
      expect(s.sourceInputs[0]).toEqual({ subdomain: 'acme', apiKey: FAKE_API_KEY });
      expect(await s.secrets.get('acme')).toMatchObject({ apiKey: FAKE_API_KEY });
      expect(everything(response)).not.toContain(FAKE_API_KEY);
      expect(everything(response)).not.toContain(s.token);
    });

    it('reads a base64-encoded form body, as API Gateway may pass it', async () => {
      // Prepare
      const s = await setup();

      // Act
      const response = await s.route(anEvent('POST /connect/{token}/key', { token: s.token, form: { subdomain: 'acme', apiKey: FAKE_API_KEY }, base64: true }));

      // Assess
      expect(response.statusCode).toBe(200);
      expect(response.body).toContain('Your BambooHR is connected');
      expect(s.sourceInputs[0]).toEqual({ subdomain: 'acme', apiKey: FAKE_API_KEY });
    });

    it('shows a key that cannot see Status with that field crossed out, what to fix, and "Check again"', async () => {
      // Prepare
      const s = await setup();
      s.source.hiddenFields.add('status');

      // Act
      const response = await s.route(anEvent('POST /connect/{token}/key', { token: s.token, form: { subdomain: 'acme', apiKey: FAKE_API_KEY } }));

      // Assess
      expect(response.statusCode).toBe(200);
      expect(response.body).toContain('Almost connected');
      expect(response.body).toContain('BambooHR accepted the key for <strong>acme</strong>');
      expect(response.body).toMatch(/<li data-field="status" data-visible="false"><span class="no" aria-hidden="true">✗<\/span> Status<span class="fix">Required:/);
      expect(response.body).toMatch(/<li data-field="firstName" data-visible="true"><span class="yes" aria-hidden="true">✓<\/span> First Name<\/li>/);
      expect(response.body).toContain(`<form method="post" action="/connect/${s.token}/check"><button type="submit">Check again</button></form>`);
      expect(everything(response)).not.toContain(FAKE_API_KEY);
      expect(s.tenants.items.size).toBe(0);
      expect((await s.invites.get(createHash('sha256').update(s.token).digest('hex')))?.pending).toEqual({ subdomain: 'acme', via: 'api-key' });
    });

    it('shows a missing exclusion checkbox crossed out', async () => {
      // Prepare
      const s = await setup({ exclusionField: 'Keep Out' });

      // Act
      const response = await s.route(anEvent('POST /connect/{token}/key', { token: s.token, form: { subdomain: 'acme', apiKey: FAKE_API_KEY } }));

      // Assess
      expect(response.statusCode).toBe(200);
      expect(response.body).toContain('<li data-field="exclusion" data-visible="false"><span class="no" aria-hidden="true">✗</span> Checkbox “Keep Out”');
      expect(response.body).toContain(`action="/connect/${s.token}/check"`);
    });

    it('"Check again" connects once the access is fixed, and the link is spent', async () => {
      // Prepare
      const s = await setup();
      s.source.hiddenFields.add('status');
      await s.route(anEvent('POST /connect/{token}/key', { token: s.token, form: { subdomain: 'acme', apiKey: FAKE_API_KEY } }));
      s.source.hiddenFields.clear();

      // Act
      const response = await s.route(anEvent('POST /connect/{token}/check', { token: s.token }));

      // Assess
      expect(response.statusCode).toBe(200);
      expect(response.body).toContain('Your BambooHR is connected');
      expect(everything(response)).not.toContain(FAKE_API_KEY);
      expect((await s.tenants.get('acme'))?.status).toBe('active');
      expect((await s.route(anEvent('GET /connect/{token}', { token: s.token }))).statusCode).toBe(410);
    });

    it('"Check again" before anything was connected says so: 400', async () => {
      // Prepare
      const s = await setup();

      // Act
      const response = await s.route(anEvent('POST /connect/{token}/check', { token: s.token }));

      // Assess
      expect(response.statusCode).toBe(400);
      expect(response.body).toContain('Nothing to check yet');
    });

    it.each([
      ['no body', {}],
      ['an empty body', { body: '' }],
      ['a JSON body', { body: JSON.stringify({ subdomain: 'acme', apiKey: FAKE_API_KEY }) }],
      ['a body that is not base64', { body: '%%%not base64%%%', base64: true }],
      ['bad percent-encoding', { body: 'subdomain=%E0%A4%A&apiKey=%zz' }],
      ['no key', { form: { subdomain: 'acme' } }],
      ['a key with spaces', { form: { subdomain: 'acme', apiKey: `${FAKE_API_KEY} ${FAKE_API_KEY}` } }],
      ['a key too long', { form: { subdomain: 'acme', apiKey: `${FAKE_API_KEY}${'x'.repeat(600)}` } }],
      ['no address', { form: { apiKey: FAKE_API_KEY } }],
      ['an address elsewhere', { form: { subdomain: 'https://evil.example.com/', apiKey: FAKE_API_KEY } }],
    ])('answers %s with 400 and a page, calling nobody', async (_case, options) => {
      // Prepare
      const s = await setup();

      // Act
      const response = await s.route(anEvent('POST /connect/{token}/key', { token: s.token, ...options }));

      // Assess
      expect(response.statusCode).toBe(400);
      expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(response.body).toContain('Please check what you entered');
      expect(response.body).toContain(`href="/connect/${s.token}"`);
      expect(response.body).not.toContain(FAKE_API_KEY);
      expect(s.sourceInputs).toHaveLength(0);
      expect(s.secrets.items.size).toBe(0);
      expect(s.log.lines).toHaveLength(0);
    });

    it('takes the company address as the page asks for it (acme.bamboohr.com)', async () => {
      // Prepare
      const s = await setup();

      // Act
      const response = await s.route(anEvent('POST /connect/{token}/key', { token: s.token, form: { subdomain: ' acme.bamboohr.com ', apiKey: FAKE_API_KEY } }));

      // Assess
      expect(response.statusCode).toBe(200);
      expect(s.sourceInputs[0]).toEqual({ subdomain: 'acme', apiKey: FAKE_API_KEY });
    });

    it('answers a key for an unknown link with 410, never looking at the key', async () => {
      // Prepare
      const s = await setup();

      // Act
      const response = await s.route(anEvent('POST /connect/{token}/key', { token: 'D'.repeat(43), form: { subdomain: 'acme', apiKey: FAKE_API_KEY } }));

      // Assess
      expect(response.statusCode).toBe(410);
      expect(s.sourceInputs).toHaveLength(0);
      expect(everything(response)).not.toContain(FAKE_API_KEY);
    });

    it.each([
      ['refused by BambooHR', new BambooHrAuthError('acme', 401), 200, 'BambooHR did not accept it'],
      ['for an unknown company', new BambooHrUnknownCompanyError('acme'), 200, 'No such BambooHR company'],
      ['while BambooHR is down', new BambooHrUnavailableError('acme', `timeout calling /v1/employees?apiKey=${FAKE_API_KEY}`), 503, 'It did not work'],
      ['when something unexpected fails', new Error(`socket hang up sending Basic ${Buffer.from(`${FAKE_API_KEY}:x`).toString('base64')} and ${FAKE_API_KEY}`), 500, 'Something went wrong on our side'],
    ])('never echoes or logs the key %s', async (_case, error, status, title) => {
      // Prepare
      const s = await setup();
      s.source.failWith = error;

      // Act
      const response = await s.route(anEvent('POST /connect/{token}/key', { token: s.token, form: { subdomain: 'acme', apiKey: FAKE_API_KEY } }));

      // Assess
      expect(response.statusCode).toBe(status);
      expect(response.body).toContain(title);
      expect(response.body).toContain(`href="/connect/${s.token}"`);
      expect(everything(response)).not.toContain(FAKE_API_KEY);
      expect(s.log.text()).not.toContain(FAKE_API_KEY);
      expect(s.tenants.items.size).toBe(0);
      expect(s.secrets.items.size).toBe(0);
    });

    it("tells the customer about an unknown company in the customer's words, not support's command", async () => {
      // Prepare
      const s = await setup();
      s.source.failWith = new BambooHrUnknownCompanyError('acmme', 'acme');

      // Act
      const response = await s.route(anEvent('POST /connect/{token}/key', { token: s.token, form: { subdomain: 'acmme', apiKey: FAKE_API_KEY } }));

      // Assess
      expect(response.body).toContain('BambooHR has no company at acmme.bamboohr.com.');
      expect(response.body).not.toContain('bamboohr-sync');
      expect(response.body).not.toContain('--subdomain');
    });

    it('logs an unexpected failure (without the key) and keeps the link usable', async () => {
      // Prepare
      const s = await setup();
      s.source.failWith = new Error(`unexpected: ${FAKE_API_KEY}`);

      // Act
      await s.route(anEvent('POST /connect/{token}/key', { token: s.token, form: { subdomain: 'acme', apiKey: FAKE_API_KEY } }));

      // Assess
      expect(s.log.lines.map((l) => [l.level, l.message])).toEqual([['error', 'Connect page failed']]);
      expect(s.log.text()).toContain('[redacted]');
      expect((await s.route(anEvent('GET /connect/{token}', { token: s.token }))).statusCode).toBe(200);
    });

    it('escapes the address it refuses', async () => {
      // Prepare
      const s = await setup();

      // Act
      const response = await s.route(anEvent('POST /connect/{token}/key', { token: s.token, form: { subdomain: '<b>acme</b>', apiKey: FAKE_API_KEY } }));

      // Assess
      expect(response.statusCode).toBe(400);
      expect(response.body).not.toContain('<b>acme</b>');
      expect(response.body).toContain('&lt;b&gt;acme&lt;/b&gt;');
    });
  });

  describe('other requests', () => {
    it.each([['GET /connect/{token}/admin'], ['POST /connect/{token}'], ['GET /'], ['$default'], ['']])('answers the route %p with 404', async (routeKey) => {
      // Prepare
      const s = await setup();
      const event = { ...anEvent('GET /connect/{token}', { token: s.token }), routeKey };

      // Act
      const response = await s.route(event);

      // Assess
      expect(response.statusCode).toBe(404);
      expect(response.body).toContain('Not found');
      expect(response.headers['content-security-policy']).toContain("default-src 'none'");
    });

    it('answers an event without a route key with 404', async () => {
      // Prepare
      const s = await setup();
      const { routeKey: _routeKey, ...event } = anEvent('GET /connect/{token}', { token: s.token });

      // Act
      const response = await s.route(event);

      // Assess
      expect(response.statusCode).toBe(404);
    });

    it('reconnects an existing tenant through its link', async () => {
      // Prepare
      const s = await setup();
      await s.tenants.create(aTenant({ tenantId: 'initech', subdomain: 'initech' }));
      const token = await s.newInvite('initech');

      // Act
      const page = await s.route(anEvent('GET /connect/{token}', { token }));
      const response = await s.route(anEvent('POST /connect/{token}/key', { token, form: { subdomain: 'initech', apiKey: FAKE_API_KEY } }));

      // Assess
      expect(page.body).toContain('This replaces the connection the product has now.');
      expect(response.statusCode).toBe(200);
      expect(response.body).toContain('Your BambooHR is connected');
      expect(await s.secrets.get('initech')).toMatchObject({ apiKey: FAKE_API_KEY });
    });
  });

  describe('a reconnect link', () => {
    it('fills in the company it connects again, and when the new key cannot see everything, keeps the old one and offers the link again instead of "Check again"', async () => {
      // Prepare
      const s = await setup();
      await s.tenants.create(aTenant({ tenantId: 'initech', subdomain: 'initech', exclusionField: null, exclusionFieldId: null }));
      await s.secrets.put('initech', { apiKey: 'old-key-1a2b3c4d5e6f7a8b9c0d', webhookPrivateKey: null });
      const token = await s.newInvite('initech');
      s.source.hiddenFields.add('status');

      // Act
      const page = await s.route(anEvent('GET /connect/{token}', { token }));
      const response = await s.route(anEvent('POST /connect/{token}/key', { token, form: { subdomain: 'initech', apiKey: FAKE_API_KEY } }));

      // Assess
      expect(page.body).toContain('id="subdomain-key" name="subdomain" placeholder="yourcompany.bamboohr.com" autocomplete="off" autocapitalize="none" spellcheck="false" required value="initech"');
      expect(response.statusCode).toBe(200);
      expect(response.body).toContain('Almost connected');
      expect(response.body).not.toContain('Check again');
      expect(response.body).toContain(`<a href="/connect/${token}">connect again with this link</a>`);
      expect(await s.secrets.get('initech')).toMatchObject({ apiKey: 'old-key-1a2b3c4d5e6f7a8b9c0d' });
    });
  });

  describe('a public base URL with a path (a custom domain’s base path)', () => {
    const PREFIXED = 'https://example.com/prod';

    it('puts the prefix in the forms of the connect page', async () => {
      // Prepare
      const s = await setup({ publicBaseUrl: PREFIXED });

      // Act
      const response = await s.route(anEvent('GET /connect/{token}', { token: s.token }));

      // Assess
      expect(response.body).toContain(`action="/prod/connect/${s.token}/oauth"`);
      expect(response.body).toContain(`action="/prod/connect/${s.token}/key"`);
      expect(response.body).not.toContain(`action="/connect/`);
    });

    it('puts it in the redirect_uri and the cookie’s path', async () => {
      // Prepare
      const s = await setup({ publicBaseUrl: PREFIXED });

      // Act
      const { response, location } = await startOAuth(s);

      // Assess
      expect(location.searchParams.get('redirect_uri')).toBe('https://example.com/prod/oauth/bamboohr/callback');
      expect(attributesOf(response.cookies![0]!)).toEqual(expect.arrayContaining(['Path=/prod', 'HttpOnly', 'Secure', 'SameSite=Lax']));
    });

    it('completes the callback with the same redirect_uri and clears the cookie on that path', async () => {
      // Prepare
      const s = await setup({ publicBaseUrl: PREFIXED });
      const { state, cookie } = await startOAuth(s);

      // Act
      const response = await s.route(anEvent('GET /oauth/bamboohr/callback', { query: { code: 'the-code', state }, cookies: [cookie] }));

      // Assess
      expect(response.statusCode).toBe(200);
      expect(s.oauth.exchanges[0]?.redirectUri).toBe('https://example.com/prod/oauth/bamboohr/callback');
      expect(attributesOf(response.cookies![0]!)).toEqual(expect.arrayContaining(['Path=/prod', 'Max-Age=0']));
    });

    it('puts it in "Check again" and in the way back from a problem', async () => {
      // Prepare
      const s = await setup({ publicBaseUrl: PREFIXED });
      s.source.hiddenFields.add('status');

      // Act
      const incomplete = await s.route(anEvent('POST /connect/{token}/key', { token: s.token, form: { subdomain: 'acme', apiKey: FAKE_API_KEY } }));
      const problem = await s.route(anEvent('POST /connect/{token}/key', { token: s.token, form: { subdomain: 'acme' } }));

      // Assess
      expect(incomplete.body).toContain(`action="/prod/connect/${s.token}/check"`);
      expect(problem.body).toContain(`<a href="/prod/connect/${s.token}">Back to the connect page</a>`);
    });

    it('keeps the Secure flag whatever the case of the scheme', async () => {
      // Prepare
      const s = await setup({ publicBaseUrl: 'HTTPS://example.com/prod' });

      // Act
      const { response } = await startOAuth(s);

      // Assess
      expect(response.statusCode).toBe(302);
      expect(attributesOf(response.cookies![0]!)).toEqual(expect.arrayContaining(['Path=/prod', 'Secure']));
    });

    it('leaves Secure off for a plain-http local stack only', async () => {
      // Prepare
      const s = await setup({ publicBaseUrl: 'http://127.0.0.1:4010' });

      // Act
      const { response, location } = await startOAuth(s);

      // Assess
      expect(location.searchParams.get('redirect_uri')).toBe('http://127.0.0.1:4010/oauth/bamboohr/callback');
      expect(attributesOf(response.cookies![0]!)).toEqual(expect.arrayContaining(['Path=/', 'HttpOnly', 'SameSite=Lax']));
      expect(attributesOf(response.cookies![0]!)).not.toContain('Secure');
    });
  });
});
