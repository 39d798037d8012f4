import { OAUTH_SCOPES } from '../../lib/config.js';
import type { OAuthClient, OAuthTokens } from '../../lib/ports.js';
import { createInvite, finishOAuth, startOAuth } from '../../lib/use-cases/connect-tenant.js';
import { FixedClock, InMemoryInviteStore, InMemoryTenantStore } from '../helpers/in-memory-ports.js';
import { aConnectDeps, tokenOfLink } from '../helpers/connect-deps.js';

const HOUR = 3_600_000;

/**
 * BambooHR's token endpoint answering a consent given without `offline_access`: an access token for
 * an hour and no refresh token (the reference: "A refresh token is issued only with the
 * offline_access scope"); its `scope` says what was granted.
 */
class NoOfflineAccessTokenEndpoint implements OAuthClient {
  constructor(private readonly clock: FixedClock) {}
  async exchangeCode(): Promise<OAuthTokens> {
    return {
      accessToken: 'access-token-1-a9b8c7d6e5f4a3b2c1d0',
      refreshToken: null,
      expiresAt: new Date(this.clock.now().getTime() + HOUR).toISOString(),
      scopes: OAUTH_SCOPES.filter((s) => s !== 'offline_access'),
    };
  }
  async refresh(): Promise<OAuthTokens> {
    throw new Error('no refresh token was ever handed out');
  }
}

describe('review: an OAuth connection that cannot be refreshed', () => {
  it('does not register a tenant "connected" with a grant that has no refresh token (it stops working within the hour)', async () => {
    // Prepare: a register link for 'acme'; the admin approves without offline access
    const clock = new FixedClock();
    const tenants = new InMemoryTenantStore();
    const invites = new InMemoryInviteStore();
    const deps = aConnectDeps({
      tenants,
      clock,
      invites,
      oauth: new NoOfflineAccessTokenEndpoint(clock),
    });
    const token = tokenOfLink((await createInvite(deps, 'acme', { actor: 'support' })).url);
    const state = new URL((await startOAuth(deps, token, 'acme')).redirectTo).searchParams.get('state')!;

    // Act
    const outcome = await finishOAuth(deps, { code: 'the-code', state }, token).catch((error: unknown) => error);

    // Assess: the page must not say "Your BambooHR is connected" for a connection the worker will
    // refuse at its first refresh (OAuthGrantRefusedError: needs attention, a new connect link)
    expect(outcome).not.toMatchObject({ status: 'connected' });
  });
});
