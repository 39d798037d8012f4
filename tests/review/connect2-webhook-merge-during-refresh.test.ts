import type { OAuthGrant, TenantSecret } from '../../lib/ports.js';
import { usableSecret, type CredentialDeps } from '../../lib/use-cases/tenant-credentials.js';
import { updateTenant, type UpdateTenantDeps } from '../../lib/use-cases/update-tenant.js';
import { aRawRow, aTenant } from '../helpers/builders.js';
import { RotatingTokenEndpoint } from '../helpers/connect-deps.js';
import { FakeEmployeeSource } from '../helpers/fake-employee-source.js';
import { FixedClock, InMemoryMarkerStore, InMemorySecretStore, InMemorySnapshotStore, InMemoryTenantStore, RecordingActivity } from '../helpers/in-memory-ports.js';

const HOUR = 3_600_000;
const OLD_WEBHOOK_KEY = 'whk-old-3a5c7e9b1d0f2a4c6e8a';
const NEW_WEBHOOK_KEY = 'whk-new-7b9d1f3a5c2e4a6c8e0b';

describe('review: a webhook-key merge landing while a worker rotates the grant', () => {
  it("keeps the grant the worker rotated to when support's webhook change is saved while BambooHR answers the refresh", async () => {
    // Prepare: an OAuth tenant with grant G1 (refresh-1), still valid by the clock; BambooHR refused access-1 (401)
    const clock = new FixedClock();
    const tenant = aTenant({ tenantId: 'acme', subdomain: 'acme', webhookEnabled: true });
    const tenants = new InMemoryTenantStore();
    await tenants.create(tenant);
    const secrets = new InMemorySecretStore();
    const g1: OAuthGrant = { accessToken: 'access-1-7f3a9c1e5b2d8f4a', refreshToken: 'refresh-1-2b8d4f6a0c1e3a5c', expiresAt: new Date(clock.now().getTime() + HOUR).toISOString(), scopes: ['employee', 'webhooks', 'offline_access'] };
    const stored: TenantSecret = { apiKey: null, oauth: g1, webhookPrivateKey: OLD_WEBHOOK_KEY };
    await secrets.put('acme', stored);
    const oauth = new RotatingTokenEndpoint(clock);
    oauth.live.add(g1.refreshToken!);
    const markers = new InMemoryMarkerStore(clock);
    const deps: UpdateTenantDeps = {
      tenants,
      secrets,
      employeeSource: () => new FakeEmployeeSource([aRawRow('1'), aRawRow('2')]),
      clock,
      snapshots: new InMemorySnapshotStore(),
      deployment: { publicBaseUrl: async () => 'https://sync.example.com' },
      activity: new RecordingActivity(clock),
      oauth,
      markers,
    };
    const worker: CredentialDeps = { secrets, clock, oauth, markers, sleep: async () => undefined };
    // While BambooHR answers the worker's refresh (refresh-1 already spent there), support pastes a new webhook key.
    oauth.during = async () => {
      await updateTenant(deps, 'acme', { webhook: { privateKey: NEW_WEBHOOK_KEY }, actor: 'support' });
    };

    // Act: the worker's 401 path refreshes the grant
    const refreshed = await usableSecret(worker, tenant, stored, { refused: true }).catch((error: unknown) => error);

    // Assess: the worker got the rotated grant, and the stored secret has it, with support's new webhook key
    expect(refreshed).toMatchObject({ oauth: { refreshToken: 'refresh-2-4d6f8a0b2c1e3f5a' } });
    expect(await secrets.get('acme', { fresh: true })).toMatchObject({ oauth: { refreshToken: 'refresh-2-4d6f8a0b2c1e3f5a' }, webhookPrivateKey: NEW_WEBHOOK_KEY });
  });
});
