import { TokenRefusedError } from '../../lib/bamboohr/oauth-client.js';
import { OAUTH_SCOPES } from '../../lib/config.js';
import type { OAuthClient, OAuthTokens } from '../../lib/ports.js';
import type { ConnectDeps } from '../../lib/use-cases/connect-tenant.js';
import { aRawRow } from './builders.js';
import { FakeEmployeeSource } from './fake-employee-source.js';
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
} from './in-memory-ports.js';

/** The public address the connect links of `aConnectDeps` are made under. */
export const CONNECT_BASE_URL = 'https://connect.example.com';

/** A token endpoint the test does not expect to be called. */
export const unusedOAuth: OAuthClient = {
  exchangeCode: async (): Promise<OAuthTokens> => {
    throw new Error('not used');
  },
  refresh: async (): Promise<OAuthTokens> => {
    throw new Error('not used');
  },
};

/**
 * The ports of the connect use cases, in memory: a company of two employees, no token endpoint, the
 * OAuth app `bamboohr-sync-app`. Give what the test arranges or looks at (its stores, its clock...).
 */
export const aConnectDeps = <T extends Partial<ConnectDeps>>(overrides: T = {} as T): ConnectDeps & T => {
  const clock = overrides.clock ?? new FixedClock();
  return {
    tenants: new InMemoryTenantStore(),
    secrets: new InMemorySecretStore(),
    connecting: new InMemorySecretStore(),
    snapshots: new InMemorySnapshotStore(),
    feed: new InMemoryChangeFeed(),
    runs: new InMemoryRunStore(),
    employeeSource: () => new FakeEmployeeSource([aRawRow('1'), aRawRow('2')]),
    deployment: { publicBaseUrl: async () => CONNECT_BASE_URL },
    activity: new RecordingActivity(clock),
    invites: new InMemoryInviteStore(),
    oauth: unusedOAuth,
    markers: new InMemoryMarkerStore(clock),
    oauthApp: async () => ({ clientId: 'bamboohr-sync-app' }),
    companyUrl: 'https://{subdomain}.bamboohr.com',
    oauthScopes: OAUTH_SCOPES,
    inviteTtlHours: 168,
    ...overrides,
    clock,
  };
};

/** The token of a connect link (its last path segment). */
export const tokenOfLink = (url: string): string => url.slice(url.lastIndexOf('/') + 1);

/**
 * BambooHR's token endpoint with rotating refresh tokens: a refresh token works once; redeeming a
 * spent (or unknown) one is `invalid_grant`, as the reference says rotation works. `during` runs
 * (once) while BambooHR answers a refresh, after it spent the old token. Access tokens last an hour.
 */
export class RotatingTokenEndpoint implements OAuthClient {
  readonly live = new Set<string>();
  during: (() => Promise<void>) | null = null;
  private n = 1;
  constructor(private readonly clock: FixedClock) {}
  async exchangeCode(): Promise<OAuthTokens> {
    throw new Error('not used here');
  }
  async refresh({ refreshToken }: { subdomain: string; refreshToken: string }): Promise<OAuthTokens> {
    if (!this.live.delete(refreshToken)) throw new TokenRefusedError('invalid_grant');
    this.n += 1;
    const next = { accessToken: `access-${this.n}-9e1c3a5b7d2f4a6c`, refreshToken: `refresh-${this.n}-4d6f8a0b2c1e3f5a` };
    this.live.add(next.refreshToken);
    if (this.during) {
      const during = this.during;
      this.during = null;
      await during();
    }
    return { ...next, expiresAt: new Date(this.clock.now().getTime() + 3_600_000).toISOString(), scopes: null };
  }
}
