import { generateEmployees } from '../../dev/bamboohr-simulator/demo-data.js';
import {
  createBambooHrSimulator,
  SIMULATOR_OAUTH_APP,
  type SimulatorEndpoints,
} from '../../dev/bamboohr-simulator/simulator.js';

const KEY = 'sim-oauth-test-key';
// Never contacted: the tests read the redirect's Location instead of following it.
const REDIRECT_URI = 'http://127.0.0.1:9/oauth/callback?tenant=t-1';
const SYNC_SCOPES = 'employee report field offline_access';
const START = Date.parse('2024-06-01T12:00:00Z');

let clock = START;
const simulator = createBambooHrSimulator({ now: () => new Date(clock) });
let endpoints: SimulatorEndpoints;
// Company URLs: the helpers below take one, as the sync will.
let acme = '';
let globex = '';

beforeAll(async () => {
  for (const subdomain of ['acme', 'globex']) {
    simulator.addCompany({ subdomain, keys: [{ apiKey: KEY }], employees: generateEmployees({ count: 5, seed: 3, today: '2024-06-01' }) });
  }
  endpoints = await simulator.start();
  acme = endpoints.companyUrl('acme');
  globex = endpoints.companyUrl('globex');
});

afterAll(async () => {
  await simulator.stop();
});

beforeEach(() => {
  clock = START;
  simulator.clearFaults();
  simulator.clearRequests();
  simulator.company('acme').setOauthUser({});
});

// ------------------------------------------------------------------ helpers

interface TokenAnswer {
  access_token?: string;
  token_type?: string;
  expires_in?: number;
  refresh_token?: string;
  scope?: string;
  companyDomain?: string;
  error?: string;
  error_description?: string;
}

const authorizeUrl = (companyUrl: string, params: Record<string, string> = {}): string => {
  const url = new URL(`${companyUrl}/authorize.php`);
  const all = {
    request: 'authorize',
    response_type: 'code',
    client_id: SIMULATOR_OAUTH_APP.clientId,
    redirect_uri: REDIRECT_URI,
    scope: SYNC_SCOPES,
    state: 'state-1',
    ...params,
  };
  for (const [name, value] of Object.entries(all)) url.searchParams.set(name, value);
  return url.href;
};

const unescapeHtml = (text: string): string =>
  text.replace(/&(lt|gt|amp|apos|quot);/g, (_, name: string) => ({ lt: '<', gt: '>', amp: '&', apos: "'", quot: '"' })[name] ?? '');

const hiddenFields = (html: string): Record<string, string> =>
  Object.fromEntries([...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [m[1], unescapeHtml(m[2] ?? '')]));

const openConsent = async (companyUrl: string, params: Record<string, string> = {}) => {
  const response = await fetch(authorizeUrl(companyUrl, params), { redirect: 'manual' });
  return { response, html: await response.text() };
};

/** Posts the consent form as a browser would after a click on one of its buttons; returns the redirect. */
const decide = async (companyUrl: string, fields: Record<string, string>, decision: 'approve' | 'deny') => {
  const response = await fetch(`${companyUrl}/authorize.php`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ ...fields, decision }),
    redirect: 'manual',
  });
  const location = response.headers.get('location');
  return { response, location: location === null ? null : new URL(location) };
};

const authorizationCode = async (companyUrl: string, params: Record<string, string> = {}): Promise<string> => {
  const { html } = await openConsent(companyUrl, params);
  const { location } = await decide(companyUrl, hiddenFields(html), 'approve');
  return location?.searchParams.get('code') ?? '';
};

type BodyStyle = 'form' | 'json' | 'basic';

const requestToken = async (companyUrl: string, params: Record<string, string>, style: BodyStyle = 'form') => {
  const { client_id: clientId, client_secret: clientSecret, ...rest } = {
    client_id: SIMULATOR_OAUTH_APP.clientId,
    client_secret: SIMULATOR_OAUTH_APP.clientSecret,
    ...params,
  };
  const headers: Record<string, string> = {};
  let body: string;
  if (style === 'json') {
    headers['content-type'] = 'application/json';
    body = JSON.stringify({ client_id: clientId, client_secret: clientSecret, ...rest });
  } else if (style === 'basic') {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    headers.authorization = `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`;
    body = new URLSearchParams(rest).toString();
  } else {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams({ client_id: clientId, client_secret: clientSecret, ...rest }).toString();
  }
  const response = await fetch(`${companyUrl}/token.php?request=token`, { method: 'POST', headers, body });
  return { response, answer: (await response.json()) as TokenAnswer };
};

const exchangeCode = (companyUrl: string, code: string, style: BodyStyle = 'form', redirectUri = REDIRECT_URI) =>
  requestToken(companyUrl, { grant_type: 'authorization_code', code, redirect_uri: redirectUri }, style);

const refresh = (companyUrl: string, refreshToken: string) => requestToken(companyUrl, { grant_type: 'refresh_token', refresh_token: refreshToken });

/** Consent, approval and code exchange: the tokens of a freshly connected app. */
const connect = async (companyUrl: string, scope = SYNC_SCOPES): Promise<TokenAnswer> => {
  const code = await authorizationCode(companyUrl, { scope });
  return (await exchangeCode(companyUrl, code)).answer;
};

const report = (companyUrl: string, authorization: string, fields = ['firstName', 'workEmail']) =>
  fetch(`${companyUrl}/api/v1/reports/custom?format=JSON&onlyCurrent=true`, {
    method: 'POST',
    headers: { authorization, accept: 'application/json', 'content-type': 'application/json' },
    body: JSON.stringify({ title: 't', fields }),
  });

const bearer = (accessToken: string | undefined): string => `Bearer ${accessToken ?? ''}`;

// ------------------------------------------------------------------ tests

describe('BambooHR simulator OAuth: authorize.php', () => {
  it('renders a consent page naming the app, the company and the scopes, with Approve and Deny', async () => {
    // Act
    const { response, html } = await openConsent(acme);

    // Assess
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    expect(html).toContain(SIMULATOR_OAUTH_APP.name);
    expect(html).toContain('<strong id="company">acme</strong>');
    for (const scope of SYNC_SCOPES.split(' ')) expect(html).toContain(`<li>${scope}</li>`);
    expect(html).toContain('<button type="submit" id="approve" name="decision" value="approve">Approve</button>');
    expect(html).toContain('<button type="submit" id="deny" name="decision" value="deny">Deny</button>');
    expect(html).toContain('action="/companies/acme/authorize.php"');
    expect(html).not.toMatch(/<script|<link|src=/);
    expect(hiddenFields(html)).toMatchObject({ client_id: SIMULATOR_OAUTH_APP.clientId, redirect_uri: REDIRECT_URI, state: 'state-1' });
    expect(hiddenFields(html).consent).toMatch(/^\S{20,}$/);
  });

  it('redirects an approval with a code and the state, keeping the redirect URI’s own query', async () => {
    // Prepare
    const { html } = await openConsent(acme);

    // Act
    const { response, location } = await decide(acme, hiddenFields(html), 'approve');

    // Assess
    expect(response.status).toBe(302);
    expect(`${location?.origin}${location?.pathname}`).toBe('http://127.0.0.1:9/oauth/callback');
    expect(location?.searchParams.get('tenant')).toBe('t-1');
    expect(location?.searchParams.get('state')).toBe('state-1');
    expect(location?.searchParams.get('code')).toMatch(/^\S{20,}$/);
  });

  it('redirects a denial with access_denied and the state, and no code', async () => {
    // Prepare
    const { html } = await openConsent(acme);

    // Act
    const { response, location } = await decide(acme, hiddenFields(html), 'deny');

    // Assess
    expect(response.status).toBe(302);
    expect(location?.searchParams.get('error')).toBe('access_denied');
    expect(location?.searchParams.get('error_description')).toBeTruthy();
    expect(location?.searchParams.get('state')).toBe('state-1');
    expect(location?.searchParams.has('code')).toBe(false);
  });

  it('answers a consent form only once', async () => {
    // Prepare
    const { html } = await openConsent(acme);
    const fields = hiddenFields(html);
    await decide(acme, fields, 'deny');

    // Act
    const { response, location } = await decide(acme, fields, 'approve');

    // Assess
    expect(response.status).toBe(400);
    expect(location).toBeNull();
  });

  it('refuses a consent form whose hidden fields were changed', async () => {
    // Prepare
    const { html } = await openConsent(acme);
    const tampered = { ...hiddenFields(html), redirect_uri: 'http://127.0.0.1:9/elsewhere' };

    // Act
    const { response, location } = await decide(acme, tampered, 'approve');

    // Assess
    expect(response.status).toBe(400);
    expect(location).toBeNull();
  });

  it('answers 404 for a company that does not exist', async () => {
    // Act
    const { response } = await openConsent(endpoints.companyUrl('no-such-company'));

    // Assess
    expect(response.status).toBe(404);
    expect(response.headers.get('location')).toBeNull();
  });

  it.each([
    ['an unknown client', { client_id: 'no-such-app' }],
    ['an unregistered redirect URI', { redirect_uri: 'https://attacker.example/callback' }],
    ['a redirect URI with a fragment', { redirect_uri: 'http://127.0.0.1:9/callback#x' }],
  ])('shows a 400 page and never redirects for %s', async (_, params) => {
    // Act
    const { response, html } = await openConsent(acme, params);

    // Assess
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toContain('text/html');
    expect(response.headers.get('location')).toBeNull();
    expect(html).not.toContain('attacker.example');
  });

  it('redirects other invalid parameters with invalid_request once the redirect URI is verified', async () => {
    // Act
    const { response } = await openConsent(acme, { response_type: 'token' });
    const location = new URL(response.headers.get('location') ?? '');

    // Assess
    expect(response.status).toBe(302);
    expect(location.searchParams.get('error')).toBe('invalid_request');
    expect(location.searchParams.get('state')).toBe('state-1');
  });

  it('accepts any loopback redirect URI for a loopback app, and only the listed ones for another app', async () => {
    // Prepare
    simulator.registerOauthApp({
      clientId: 'partner',
      clientSecret: 'partner-secret',
      name: 'Partner',
      redirectUris: ['https://partner.example/cb'],
    });

    // Act
    const localhost = await openConsent(acme, { redirect_uri: 'http://localhost:51234/cb' });
    const listed = await openConsent(acme, { client_id: 'partner', redirect_uri: 'https://partner.example/cb' });
    const loopbackForPartner = await openConsent(acme, { client_id: 'partner', redirect_uri: 'http://127.0.0.1:9/cb' });

    // Assess
    expect(localhost.response.status).toBe(200);
    expect(listed.response.status).toBe(200);
    expect(listed.html).toContain('Partner');
    expect(loopbackForPartner.response.status).toBe(400);
  });
});

describe('BambooHR simulator OAuth: token.php and Bearer calls', () => {
  it.each<BodyStyle>(['form', 'json', 'basic'])('exchanges a code (%s) for tokens that call the API', async (style) => {
    // Prepare
    const code = await authorizationCode(acme);

    // Act
    const { response, answer } = await exchangeCode(acme, code, style);
    const reportResponse = await report(acme, bearer(answer.access_token));
    const reportAnswer = (await reportResponse.json()) as { employees: unknown[] };

    // Assess
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(answer).toEqual({
      access_token: expect.any(String),
      token_type: 'Bearer',
      expires_in: 3600,
      refresh_token: expect.any(String),
      scope: SYNC_SCOPES,
      companyDomain: 'acme',
    });
    expect(reportResponse.status).toBe(200);
    expect(reportAnswer.employees).toHaveLength(5);
  });

  it('spends a code on its first use', async () => {
    // Prepare
    const code = await authorizationCode(acme);
    await exchangeCode(acme, code);

    // Act
    const { response, answer } = await exchangeCode(acme, code);

    // Assess
    expect(response.status).toBe(400);
    expect(answer.error).toBe('invalid_grant');
  });

  it('refuses a code with another redirect_uri than the one it was issued for', async () => {
    // Prepare
    const code = await authorizationCode(acme);

    // Act
    const { response, answer } = await exchangeCode(acme, code, 'form', 'http://127.0.0.1:9/oauth/callback');

    // Assess
    expect(response.status).toBe(400);
    expect(answer.error).toBe('invalid_grant');
  });

  it('refuses a code once 10 minutes have passed', async () => {
    // Prepare
    const code = await authorizationCode(acme);
    clock += 10 * 60_000;

    // Act
    const { answer } = await exchangeCode(acme, code);

    // Assess
    expect(answer.error).toBe('invalid_grant');
  });

  it('answers 401 invalid_client for a wrong client secret, and never echoes it', async () => {
    // Prepare
    const code = await authorizationCode(acme);

    // Act
    const { response, answer } = await requestToken(acme, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT_URI,
      client_secret: 'wrong-secret',
    });

    // Assess
    expect(response.status).toBe(401);
    expect(answer.error).toBe('invalid_client');
    expect(JSON.stringify(answer)).not.toContain('wrong-secret');
  });

  it('answers invalid_request for a JSON body that is not an object of strings', async () => {
    // Act
    const response = await fetch(`${acme}/token.php?request=token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'authorization_code', code: 42 }),
    });

    // Assess
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'invalid_request' });
  });

  it.each([
    ['an unknown grant type', { grant_type: 'password' }, 'unsupported_grant_type'],
    ['a code grant without a code', { grant_type: 'authorization_code', redirect_uri: REDIRECT_URI }, 'invalid_request'],
    ['no grant type', {}, 'invalid_request'],
  ])('answers 400 for %s', async (_, params, error) => {
    // Act
    const { response, answer } = await requestToken(acme, params);

    // Assess
    expect(response.status).toBe(400);
    expect(answer.error).toBe(error);
    expect(answer.error_description).toBeTruthy();
  });

  it('issues no refresh token without offline_access', async () => {
    // Act
    const answer = await connect(acme, 'employee report');

    // Assess
    expect(answer.access_token).toBeTruthy();
    expect(answer).not.toHaveProperty('refresh_token');
    expect(answer.scope).toBe('employee report');
  });

  it('rotates refresh tokens: a refresh gives a new pair and the old refresh token stops working', async () => {
    // Prepare
    const first = await connect(acme);
    const before = simulator.company('acme').oauthTokens();

    // Act
    const second = await refresh(acme, first.refresh_token ?? '');
    const reused = await refresh(acme, first.refresh_token ?? '');
    const third = await refresh(acme, second.answer.refresh_token ?? '');

    // Assess
    expect(second.response.status).toBe(200);
    expect(second.answer.refresh_token).toBeTruthy();
    expect(second.answer.refresh_token).not.toBe(first.refresh_token);
    expect(second.answer.access_token).not.toBe(first.access_token);
    expect((await report(acme, bearer(second.answer.access_token))).status).toBe(200);
    expect(reused.response.status).toBe(400);
    expect(reused.answer.error).toBe('invalid_grant');
    expect(third.response.status).toBe(200);
    const after = simulator.company('acme').oauthTokens();
    expect(after.refreshTokensIssued - before.refreshTokensIssued).toBe(2);
    expect(after.refreshTokensUsed - before.refreshTokensUsed).toBe(2);
  });

  it('refuses an expired access token with 401, and a refresh still works', async () => {
    // Prepare
    const tokens = await connect(acme);
    clock += 3600 * 1000;

    // Act
    const expired = await report(acme, bearer(tokens.access_token));
    const refreshed = await refresh(acme, tokens.refresh_token ?? '');

    // Assess
    expect(expired.status).toBe(401);
    expect(expired.headers.get('x-bamboohr-error-message')).toBeTruthy();
    expect(refreshed.response.status).toBe(200);
    expect((await report(acme, bearer(refreshed.answer.access_token))).status).toBe(200);
  });

  it('uses the configured access token lifetime', async () => {
    // Prepare
    const local = createBambooHrSimulator({ oauthAccessTokenSeconds: 5 });
    local.addCompany({ subdomain: 'acme', keys: [], employees: [] });
    const localAcme = (await local.start()).companyUrl('acme');

    // Act
    const answer = await connect(localAcme);
    await local.stop();

    // Assess
    expect(answer.expires_in).toBe(5);
  });

  it('stops every token of a company that revokes the app', async () => {
    // Prepare
    const tokens = await connect(acme);
    const other = await connect(globex);

    // Act
    simulator.company('acme').revokeOauth();
    const call = await report(acme, bearer(tokens.access_token));
    const refreshed = await refresh(acme, tokens.refresh_token ?? '');

    // Assess
    expect(call.status).toBe(401);
    expect(refreshed.answer.error).toBe('invalid_grant');
    expect(simulator.company('acme').oauthTokens()).toMatchObject({ activeAccessTokens: 0, activeRefreshTokens: 0 });
    expect((await report(globex, bearer(other.access_token))).status).toBe(200);
  });

  it("refuses a company's tokens on another company", async () => {
    // Prepare
    const tokens = await connect(acme);

    // Act
    const call = await report(globex, bearer(tokens.access_token));
    const refreshed = await refresh(globex, tokens.refresh_token ?? '');

    // Assess
    expect(call.status).toBe(401);
    expect(refreshed.answer.error).toBe('invalid_grant');
  });

  it('creates a webhook with a token only when it has the webhooks scope', async () => {
    // Prepare
    const withoutScope = await connect(acme);
    const withScope = await connect(acme, `${SYNC_SCOPES} webhooks`);
    const createWebhook = (accessToken: string | undefined) =>
      fetch(`${acme}/api/v1/webhooks`, {
        method: 'POST',
        headers: { authorization: bearer(accessToken), accept: 'application/json', 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'sync', url: 'https://sync.example/webhooks/acme', format: 'json', monitorFields: ['firstName'] }),
      });

    // Act
    const refused = await createWebhook(withoutScope.access_token);
    const created = await createWebhook(withScope.access_token);

    // Assess
    expect(refused.status).toBe(403);
    expect(refused.headers.get('x-bamboohr-error-message')).toContain('webhooks');
    expect(created.status).toBe(201);
    expect(simulator.company('acme').webhooks.at(-1)).toMatchObject({ createdWithOauthClient: SIMULATOR_OAUTH_APP.clientId });
  });

  it("leaves the approving user's hidden fields out of the report, like a key's", async () => {
    // Prepare
    const tokens = await connect(acme);
    simulator.company('acme').setOauthUser({ hiddenFields: ['workEmail'] });

    // Act
    const response = await report(acme, bearer(tokens.access_token));
    const answer = (await response.json()) as { fields: Array<{ id: string }>; employees: Array<Record<string, string>> };

    // Assess
    expect(answer.fields.map((f) => f.id)).toEqual(['firstName']);
    expect(answer.employees.every((e) => !('workEmail' in e))).toBe(true);
  });

  it('takes the oauth user of a company added with one', async () => {
    // Prepare
    simulator.addCompany({
      subdomain: 'initech',
      keys: [],
      employees: generateEmployees({ count: 2, seed: 1, today: '2024-06-01' }),
      oauthUser: { hiddenFields: ['firstName'] },
    });
    const initech = endpoints.companyUrl('initech');
    const tokens = await connect(initech);

    // Act
    const answer = (await (await report(initech, bearer(tokens.access_token))).json()) as { fields: Array<{ id: string }> };
    simulator.removeCompany('initech');

    // Assess
    expect(answer.fields.map((f) => f.id)).toEqual(['workEmail']);
  });

  it('still serves API keys (Basic) under the company URL, and only Basic on the gateway', async () => {
    // Prepare
    const tokens = await connect(acme);

    // Act
    const basic = await report(acme, `Basic ${Buffer.from(`${KEY}:x`).toString('base64')}`);
    const bearerOnGateway = await fetch(`${endpoints.apiBase}/acme/v1/meta/fields`, {
      headers: { authorization: bearer(tokens.access_token), accept: 'application/json' },
    });

    // Assess
    expect(basic.status).toBe(200);
    expect(bearerOnGateway.status).toBe(401);
  });
});

describe('BambooHR simulator OAuth: log and faults', () => {
  it('logs OAuth requests without Authorization or secret values', async () => {
    // Prepare
    const code = await authorizationCode(acme);
    simulator.clearRequests();

    // Act
    const { answer } = await exchangeCode(acme, code, 'json');
    await requestToken(acme, { grant_type: 'refresh_token', refresh_token: answer.refresh_token ?? '' }, 'basic');
    await report(acme, bearer(answer.access_token));

    // Assess
    const log = JSON.stringify(simulator.company('acme').requests);
    for (const secret of [code, answer.refresh_token, answer.access_token, SIMULATOR_OAUTH_APP.clientSecret]) {
      expect(log).not.toContain(secret);
    }
    const [exchange, refreshed] = simulator.company('acme').requests;
    expect(JSON.parse(exchange?.body ?? '{}')).toMatchObject({ grant_type: 'authorization_code', code: '[redacted]', client_secret: '[redacted]' });
    expect(refreshed?.body).toBe('grant_type=refresh_token&refresh_token=[redacted]');
    expect(refreshed?.auth).toEqual({ user: SIMULATOR_OAUTH_APP.clientId, password: '[redacted]' });
    expect(simulator.company('acme').requests.every((r) => !('authorization' in r.headers))).toBe(true);
  });

  it('applies injected faults to token.php, without spending the code', async () => {
    // Prepare
    const code = await authorizationCode(acme);
    simulator.injectFault({ kind: 'status', status: 503, path: 'token.php', subdomain: 'acme', retryAfter: '1' });

    // Act
    const faulted = await fetch(`${acme}/token.php?request=token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI }),
    });
    const retried = await exchangeCode(acme, code);

    // Assess
    expect(faulted.status).toBe(503);
    expect(faulted.headers.get('retry-after')).toBe('1');
    expect(retried.response.status).toBe(200);
    expect(simulator.company('acme').requests.find((r) => r.path.endsWith('token.php'))?.fault).toBe('status');
  });

  it('applies injected faults to the Bearer API path', async () => {
    // Prepare
    const tokens = await connect(acme);
    simulator.injectFault({ kind: 'status', status: 429, path: '/api/v1/reports/custom', subdomain: 'acme' });

    // Act
    const faulted = await report(acme, bearer(tokens.access_token));
    const next = await report(acme, bearer(tokens.access_token));

    // Assess
    expect(faulted.status).toBe(429);
    expect(next.status).toBe(200);
  });
});
