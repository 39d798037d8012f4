import type { WebhookRegistration } from '../../lib/ports.js';
import { connectWithKey, createInvite } from '../../lib/use-cases/connect-tenant.js';
import { aRawRow, aTenant } from '../helpers/builders.js';
import { FakeEmployeeSource } from '../helpers/fake-employee-source.js';
import { FixedClock, InMemorySecretStore, InMemoryTenantStore } from '../helpers/in-memory-ports.js';
import { aConnectDeps, tokenOfLink } from '../helpers/connect-deps.js';

const OLD_KEY = 'old-key-0f1e2d3c4b5a69788796a5b4c3d2e1f0';
const NEW_KEY = 'new-key-8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a';

/** The company's BambooHR (the base keeps the webhooks created); `meanwhile` runs during the second field list (updateTenant's check). */
class CompanyBambooHr extends FakeEmployeeSource {
  meanwhile: (() => Promise<void>) | null = null;
  private lists = 0;
  override async listFields() {
    this.lists += 1;
    if (this.lists === 2 && this.meanwhile) await this.meanwhile();
    return super.listFields();
  }
  override async createWebhook(input: { name: string; url: string; monitorFields: string[] }): Promise<WebhookRegistration> {
    const { id } = await super.createWebhook(input);
    return { id, privateKey: `webhook-key-${this.webhooks.length}-5c7e9a1b3d` };
  }
}

describe("review: a reconnect while a sync moves the tenant's status", () => {
  it('leaves one webhook in BambooHR when the customer tries the link again after the reconnect failed on the status change', async () => {
    // Prepare: an active tenant without a webhook; its old key was just revoked; a reconnect link
    const clock = new FixedClock();
    const tenants = new InMemoryTenantStore();
    await tenants.create(aTenant({ tenantId: 'acme', subdomain: 'acme', status: 'active', webhookEnabled: false }));
    const secrets = new InMemorySecretStore();
    await secrets.put('acme', { apiKey: OLD_KEY, webhookPrivateKey: null });
    const company = new CompanyBambooHr([aRawRow('1'), aRawRow('2')]);
    const deps = aConnectDeps({
      tenants,
      secrets,
      clock,
      employeeSource: () => company,
    });
    const token = tokenOfLink((await createInvite(deps, 'acme', { actor: 'support' })).url);
    // The hourly sync, run with the revoked key, finishes while the reconnect checks the new key: needs-attention.
    company.meanwhile = async () => {
      company.meanwhile = null;
      await tenants.recordRun(
        'acme',
        { runId: 'run-1', kind: 'full', status: 'failed', startedAt: clock.now().toISOString(), finishedAt: clock.now().toISOString(), counts: {}, warnings: 0, error: 'BambooHR rejected the API key', employeesSynced: null },
        { status: 'needs-attention', reason: 'BambooHR rejected the API key', from: ['active', 'needs-attention'], attention: { since: clock.now().toISOString(), probes: 0, nextProbeAt: clock.now().toISOString() } },
      );
    };

    // Act: the customer connects with the new key; the page says it did not work; they open the link and try again
    const first = await connectWithKey(deps, token, { subdomain: 'acme', apiKey: NEW_KEY }).catch((error: unknown) => error);
    const again = await connectWithKey(deps, token, { subdomain: 'acme', apiKey: NEW_KEY }).catch((error: unknown) => error);

    // Assess: connected in the end, with one webhook in the customer's BambooHR (not a second whose first sibling nobody can verify)
    expect([first, again].filter((outcome) => (outcome as { status?: string }).status === 'connected')).toHaveLength(1);
    expect((await tenants.get('acme'))?.status).toBe('active');
    expect(await secrets.get('acme')).toMatchObject({ apiKey: NEW_KEY, webhookPrivateKey: 'webhook-key-1-5c7e9a1b3d' });
    expect(company.webhooks).toHaveLength(1);
  });
});
