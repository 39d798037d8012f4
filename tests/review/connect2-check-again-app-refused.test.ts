import { createHash } from 'node:crypto';
import { TokenRefusedError } from '../../lib/bamboohr/oauth-client.js';
import { OAUTH_SCOPES } from '../../lib/config.js';
import { handleConnect } from '../../lib/connect/connect-routes.js';
import type { HttpApiEvent } from '../../lib/http.js';
import type { OAuthClient, OAuthTokens } from '../../lib/ports.js';
import { connectingKeyOf, createInvite } from '../../lib/use-cases/connect-tenant.js';
import { FixedClock, InMemoryInviteStore, InMemorySecretStore, RecordingLog } from '../helpers/in-memory-ports.js';
import { aConnectDeps } from '../helpers/connect-deps.js';

const BASE = 'https://sync.example.com';

/** BambooHR refusing the app itself on every refresh: its client secret was rotated and not yet stored. */
const appRefusingOAuth: OAuthClient = {
  exchangeCode: async (): Promise<OAuthTokens> => {
    throw new Error('not used');
  },
  refresh: async (): Promise<OAuthTokens> => {
    throw new TokenRefusedError('invalid_client');
  },
};

describe("review: 'Check again' while BambooHR refuses the OAuth app", () => {
  it("tells the customer it is not available (operators' configuration is logged, not shown), as the callback does", async () => {
    // Prepare: a register link whose OAuth connection was incomplete: its grant is kept for "Check again",
    // and has expired since (the customer took an hour fixing the access level)
    const clock = new FixedClock();
    const secrets = new InMemorySecretStore();
    const invites = new InMemoryInviteStore();
    const log = new RecordingLog();
    const deps = aConnectDeps({
      secrets,
      clock,
      deployment: { publicBaseUrl: async () => BASE },
      invites,
      oauth: appRefusingOAuth,
      oauthApp: async () => ({ clientId: 'client-id-1234' }),
      log,
      publicBaseUrl: BASE,
    });
    const { url } = await createInvite(deps, 'acme', { actor: 'support@example.com' });
    const token = url.slice(url.lastIndexOf('/') + 1);
    const hash = createHash('sha256').update(token, 'utf8').digest('hex');
    await invites.setPending(hash, { subdomain: 'acme', via: 'oauth' });
    await deps.connecting.put(connectingKeyOf(hash), {
      apiKey: null,
      oauth: { accessToken: 'oauth-access-token-9c1d2e3f4a5b6c7d', refreshToken: 'oauth-refresh-token-0a9b8c7d6e5f4a3b', expiresAt: '2026-11-25T11:00:00.000Z', scopes: [...OAUTH_SCOPES] },
      webhookPrivateKey: null,
    });
    clock.advance(2 * 3_600_000);
    const event: HttpApiEvent = {
      routeKey: 'POST /connect/{token}/check',
      rawPath: `/connect/${token}/check`,
      rawQueryString: '',
      headers: { host: 'sync.example.com', 'content-type': 'application/x-www-form-urlencoded' },
      pathParameters: { token },
      body: '',
      isBase64Encoded: false,
      requestContext: { http: { method: 'POST', path: `/connect/${token}/check` } },
    };

    // Act
    const response = await handleConnect(deps, event);

    // Assess: no operators' instructions (the app's secret name, its JSON) on the customer's page; the operators hear of it
    expect(response.body).not.toContain('BAMBOOHR_OAUTH_CLIENT');
    expect(response.body).not.toContain('clientSecret');
    expect(log.lines.some((l) => l.level === 'error')).toBe(true);
  });
});
