import type { OAuthGrant, TenantSecret, WebhookRegistration } from '../../lib/ports.js';
import { usableSecret, type CredentialDeps } from '../../lib/use-cases/tenant-credentials.js';
import { updateTenant, type UpdateTenantDeps } from '../../lib/use-cases/update-tenant.js';
import { aRawRow, aTenant } from '../helpers/builders.js';
import { RotatingTokenEndpoint } from '../helpers/connect-deps.js';
import { FakeEmployeeSource } from '../helpers/fake-employee-source.js';
import { FixedClock, InMemoryMarkerStore, InMemorySecretStore, InMemorySnapshotStore, InMemoryTenantStore, RecordingActivity } from '../helpers/in-memory-ports.js';

const HOUR = 3_600_000;
const WEBHOOK_KEY = 'whk-old-3a5c7e9b1d0f2a4c6e8a';

/** A BambooHR whose webhook creation takes a moment, during which something else can happen. */
class SlowWebhookSource extends FakeEmployeeSource {
  meanwhile: (() => Promise<void>) | null = null;
  override async createWebhook(input: { name: string; url: string; monitorFields: string[] }): Promise<WebhookRegistration> {
    if (this.meanwhile) await this.meanwhile();
    await super.createWebhook(input);
    return { id: '2', privateKey: 'whk-new-8c6a4e2f0d9b7c5a3e1f' };
  }
}

describe('review: support changing the webhook of an OAuth tenant while a worker rotates its grant', () => {
  it("keeps the grant the worker rotated to: the update does not write back the spent refresh token (the tenant's connection survives)", async () => {
    // Prepare: an OAuth tenant, its grant G1 (refresh token refresh-1) valid for another hour
    const clock = new FixedClock();
    const tenant = aTenant({ tenantId: 'acme', subdomain: 'acme' });
    const tenants = new InMemoryTenantStore();
    await tenants.create(tenant);
    const secrets = new InMemorySecretStore();
    const g1: OAuthGrant = { accessToken: 'access-1-7f3a9c1e5b2d8f4a', refreshToken: 'refresh-1-2b8d4f6a0c1e3a5c', expiresAt: new Date(clock.now().getTime() + HOUR).toISOString(), scopes: ['employee', 'webhooks', 'offline_access'] };
    await secrets.put('acme', { apiKey: null, oauth: g1, webhookPrivateKey: WEBHOOK_KEY });
    const oauth = new RotatingTokenEndpoint(clock);
    oauth.live.add(g1.refreshToken!);
    const markers = new InMemoryMarkerStore(clock);
    const source = new SlowWebhookSource([aRawRow('1'), aRawRow('2')]);
    const deps: UpdateTenantDeps = {
      tenants,
      secrets,
      employeeSource: () => source,
      clock,
      snapshots: new InMemorySnapshotStore(),
      deployment: { publicBaseUrl: async () => 'https://sync.example.com' },
      activity: new RecordingActivity(clock),
      oauth,
      markers,
    };
    const worker: CredentialDeps = { secrets, clock, oauth, markers, sleep: async () => undefined };
    // While support's update is creating the webhook in BambooHR, a worker gets a 401 for access-1 and
    // rotates the grant (refresh-1 is spent at BambooHR; G2 is saved by compare-and-set).
    source.meanwhile = async () => {
      source.meanwhile = null;
      await usableSecret(worker, tenant, { apiKey: null, oauth: g1, webhookPrivateKey: WEBHOOK_KEY }, { refused: true });
    };

    // Act: support creates a webhook for the tenant (tenant update acme --create-webhook)
    await updateTenant(deps, 'acme', { webhook: { createAtUrl: null }, actor: 'support' });

    // Assess: the stored grant can still be refreshed (the next 401 or expiry does not end the connection)
    const stored = (await secrets.get('acme', { fresh: true })) as TenantSecret;
    await expect(usableSecret(worker, tenant, stored, { refused: true })).resolves.toMatchObject({ oauth: expect.objectContaining({ accessToken: expect.any(String) }) });
  });
});
