import { OAUTH_SCOPES } from '../../lib/config.js';
import type { OAuthClient, OAuthTokens } from '../../lib/ports.js';
import { connectWithKey, createInvite, InviteInvalidError, type ConnectDeps } from '../../lib/use-cases/connect-tenant.js';
import { registerTenant } from '../../lib/use-cases/register-tenant.js';
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
const SUPPORT_KEY = 'support-key-8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a';
const CUSTOMER_KEY = 'customer-key-1a2b3c4d5e6f7a8b9c0d1e2f3a4b';

const unusedOAuth: OAuthClient = {
  exchangeCode: async (): Promise<OAuthTokens> => {
    throw new Error('not used');
  },
  refresh: async (): Promise<OAuthTokens> => {
    throw new Error('not used');
  },
};

/** A BambooHR answering the customer's key slowly (its first field list waits for `gate`). */
class GatedSource extends FakeEmployeeSource {
  private first = true;
  constructor(
    rows: ReturnType<typeof aRawRow>[],
    private readonly gate: Promise<void>,
  ) {
    super(rows);
  }
  override async listFields() {
    if (this.first) {
      this.first = false;
      await this.gate;
    }
    return super.listFields();
  }
}

describe('review: support registering the id while a complete connection of its register link is checked', () => {
  it("answers the customer that the link is done (as the incomplete path does), not with support's 'tenant update' command", async () => {
    // Prepare: a register link for 'acme'; the customer's key sees everything, BambooHR is slow to answer it
    const clock = new FixedClock();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const customerSource = new GatedSource([aRawRow('1'), aRawRow('2')], gate);
    const supportSource = new FakeEmployeeSource([aRawRow('1'), aRawRow('2')]);
    const tenants = new InMemoryTenantStore();
    const deps: ConnectDeps = {
      tenants,
      secrets: new InMemorySecretStore(),
      connecting: new InMemorySecretStore(),
      snapshots: new InMemorySnapshotStore(),
      feed: new InMemoryChangeFeed(),
      runs: new InMemoryRunStore(),
      clock,
      employeeSource: (input) => (input.apiKey === CUSTOMER_KEY ? customerSource : supportSource),
      deployment: { publicBaseUrl: async () => PUBLIC_BASE_URL },
      activity: new RecordingActivity(clock),
      invites: new InMemoryInviteStore(),
      oauth: unusedOAuth,
      markers: new InMemoryMarkerStore(clock),
      oauthApp: async () => ({ clientId: 'bamboohr-sync-app' }),
      companyUrl: 'https://{subdomain}.bamboohr.com',
      oauthScopes: OAUTH_SCOPES,
      inviteTtlHours: 168,
    };
    const token = (await createInvite(deps, 'acme', { actor: 'support' })).url.slice(`${PUBLIC_BASE_URL}/connect/`.length);

    // Act: the customer's connection starts; support registers 'acme' with `tenant add` meanwhile; BambooHR answers
    const customer = connectWithKey(deps, token, { subdomain: 'acme', apiKey: CUSTOMER_KEY }).catch((error: unknown) => error);
    await new Promise((resolve) => setImmediate(resolve));
    await registerTenant(deps, { tenantId: 'acme', subdomain: 'acme', apiKey: SUPPORT_KEY, exclusionField: null, actor: 'support' });
    release();
    const answer = await customer;

    // Assess: the link is done (the tenant was registered by support), in the customer's words
    expect(answer).toBeInstanceOf(InviteInvalidError);
    expect((answer as Error).message).not.toContain('bamboohr-sync');
  });
});
