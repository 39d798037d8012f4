import { OAUTH_SCOPES } from '../../lib/config.js';
import { BambooHrAuthError } from '../../lib/errors.js';
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
const WRONG_KEY = 'wrong-key-8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a';

const unusedOAuth: OAuthClient = {
  exchangeCode: async (): Promise<OAuthTokens> => {
    throw new Error('not used');
  },
  refresh: async (): Promise<OAuthTokens> => {
    throw new Error('not used');
  },
};

/** DynamoDB failing the write that gives the claim up. */
class ReleaseFailingInviteStore extends InMemoryInviteStore {
  override async release(): Promise<void> {
    throw Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), { name: 'ProvisionedThroughputExceededException' });
  }
}

describe('review: giving the claim up fails after BambooHR refused the key', () => {
  it("tells the customer BambooHR refused the key (the attempt's own error), not the claim's release failure", async () => {
    // Prepare: BambooHR refuses the pasted key
    const clock = new FixedClock();
    const source = new FakeEmployeeSource([aRawRow('1')]);
    source.failWith = new BambooHrAuthError('acme', 401);
    const deps: ConnectDeps = {
      tenants: new InMemoryTenantStore(),
      secrets: new InMemorySecretStore(),
      connecting: new InMemorySecretStore(),
      snapshots: new InMemorySnapshotStore(),
      feed: new InMemoryChangeFeed(),
      runs: new InMemoryRunStore(),
      clock,
      employeeSource: () => source,
      deployment: { publicBaseUrl: async () => PUBLIC_BASE_URL },
      activity: new RecordingActivity(clock),
      invites: new ReleaseFailingInviteStore(),
      oauth: unusedOAuth,
      markers: new InMemoryMarkerStore(clock),
      oauthApp: async () => ({ clientId: 'bamboohr-sync-app' }),
      companyUrl: 'https://{subdomain}.bamboohr.com',
      oauthScopes: OAUTH_SCOPES,
      inviteTtlHours: 168,
    };
    const token = (await createInvite(deps, 'acme', { actor: 'support' })).url.slice(`${PUBLIC_BASE_URL}/connect/`.length);

    // Act
    const answer = await connectWithKey(deps, token, { subdomain: 'acme', apiKey: WRONG_KEY }).catch((error: unknown) => error);

    // Assess
    expect(answer).toBeInstanceOf(BambooHrAuthError);
  });
});
