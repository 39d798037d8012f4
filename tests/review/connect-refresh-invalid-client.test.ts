import { TokenRefusedError } from '../../lib/bamboohr/oauth-client.js';
import { OAuthGrantRefusedError } from '../../lib/errors.js';
import type { OAuthClient, OAuthTokens } from '../../lib/ports.js';
import { usableSecret } from '../../lib/use-cases/tenant-credentials.js';
import { aTenant } from '../helpers/builders.js';
import { FixedClock, InMemoryMarkerStore, InMemorySecretStore } from '../helpers/in-memory-ports.js';

/** BambooHR refusing the app itself: its client secret was rotated in the developer portal, or mistyped in BAMBOOHR_OAUTH_CLIENT. */
class AppRefusingTokenEndpoint implements OAuthClient {
  readonly refreshedWith: string[] = [];
  async exchangeCode(): Promise<OAuthTokens> {
    throw new TokenRefusedError('invalid_client');
  }
  async refresh({ refreshToken }: { subdomain: string; refreshToken: string }): Promise<OAuthTokens> {
    this.refreshedWith.push(refreshToken);
    throw new TokenRefusedError('invalid_client');
  }
}

describe("review: BambooHR refusing the OAuth app's own credentials on a refresh", () => {
  it("reports the deployment's OAuth app as misconfigured (the operators' problem), not the tenant's grant as refused (a new connect link for every OAuth customer)", async () => {
    // Prepare: an OAuth tenant whose access token is about to expire
    const clock = new FixedClock();
    const secrets = new InMemorySecretStore();
    const secret = {
      apiKey: null,
      oauth: { accessToken: 'access-0ld-7f3a9c1e5b2d8f4a6c0e', refreshToken: 'refresh-0ld-2b8d4f6a0c1e3a5c7e9b', expiresAt: new Date(clock.now().getTime() + 60_000).toISOString(), scopes: ['offline_access'] },
      webhookPrivateKey: null,
    };
    await secrets.put('acme', secret);
    const oauth = new AppRefusingTokenEndpoint();

    // Act
    const error = await usableSecret({ secrets, clock, oauth, markers: new InMemoryMarkerStore(clock), sleep: async () => undefined }, aTenant(), secret).catch((e: unknown) => e);

    // Assess: as finishOAuth does for the same answer (connect-tenant.ts): not a refused grant
    // (OAuthGrantRefusedError parks the tenant as needs-attention, alerting "send the customer a new connect link")
    // (e.g. OAuthNotConfiguredError, or an error of its own that alerts the operators once).
    expect(error).not.toBeInstanceOf(OAuthGrantRefusedError);
    expect((error as { needsAttention?: boolean }).needsAttention).not.toBe(true);
  });
});
