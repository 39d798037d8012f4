import { OAUTH_SCOPES } from '../../lib/config.js';
import type { OAuthClient, OAuthTokens } from '../../lib/ports.js';
import { connectWithKey, createInvite, type ConnectDeps } from '../../lib/use-cases/connect-tenant.js';
import { aRawRow } from '../helpers/builders.js';
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
} from '../helpers/in-memory-ports.js';

const PUBLIC_BASE_URL = 'https://connect.example.com';
const KEY = 'good-key-8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a';

const unusedOAuth: OAuthClient = {
  exchangeCode: async (): Promise<OAuthTokens> => {
    throw new Error('not used');
  },
  refresh: async (): Promise<OAuthTokens> => {
    throw new Error('not used');
  },
};

/** DynamoDB failing the one write that spends the link (throttled, a network blip). */
class SpendFailingInviteStore extends InMemoryInviteStore {
  override async spend(): Promise<boolean> {
    throw Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), { name: 'ProvisionedThroughputExceededException' });
  }
}

describe('review: spending the link fails after the tenant was registered', () => {
  it('still tells the customer their BambooHR is connected (it is: the tenant is registered and active)', async () => {
    // Prepare
    const clock = new FixedClock();
    const tenants = new InMemoryTenantStore();
    const deps: ConnectDeps = {
      tenants,
      secrets: new InMemorySecretStore(),
      connecting: new InMemorySecretStore(),
      snapshots: new InMemorySnapshotStore(),
      feed: new InMemoryChangeFeed(),
      runs: new InMemoryRunStore(),
      clock,
      employeeSource: () => new FakeEmployeeSource([aRawRow('1'), aRawRow('2')]),
      deployment: { publicBaseUrl: async () => PUBLIC_BASE_URL },
      activity: new RecordingActivity(clock),
      invites: new SpendFailingInviteStore(),
      oauth: unusedOAuth,
      markers: new InMemoryMarkerStore(clock),
      oauthApp: async () => ({ clientId: 'bamboohr-sync-app' }),
      companyUrl: 'https://{subdomain}.bamboohr.com',
      oauthScopes: OAUTH_SCOPES,
      inviteTtlHours: 168,
    };
    const token = (await createInvite(deps, 'acme', { actor: 'support' })).url.slice(`${PUBLIC_BASE_URL}/connect/`.length);

    // Act
    const answer = await connectWithKey(deps, token, { subdomain: 'acme', apiKey: KEY }).catch((error: unknown) => error);

    // Assess: the tenant is registered and active, and the page says so (not "something went wrong; nothing was saved")
    expect((await tenants.get('acme'))?.status).toBe('active');
    expect(answer).toMatchObject({ status: 'connected', tenantId: 'acme' });
  });
});
