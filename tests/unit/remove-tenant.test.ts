import { BambooHrAuthError } from '../../lib/errors.js';
import { registerTenant } from '../../lib/use-cases/register-tenant.js';
import { removeTenant } from '../../lib/use-cases/remove-tenant.js';
import { aRawRow, FAKE_API_KEY } from '../helpers/builders.js';
import { FakeEmployeeSource } from '../helpers/fake-employee-source.js';
import { RecordingActivity } from '../helpers/in-memory-ports.js';
import { aTenantAdminDeps } from '../helpers/tenant-admin-deps.js';

const BASE = 'https://hooks.example.com';

/** A tenant 'acme' registered (with a webhook made by the service, or without), and the ports to remove it with. */
const aRegisteredTenant = async (webhook: boolean) => {
  const source = new FakeEmployeeSource([aRawRow('1'), aRawRow('2')]);
  const activity = new RecordingActivity();
  const deps = aTenantAdminDeps(() => source, { activity });
  await registerTenant(deps, { tenantId: 'acme', subdomain: 'acme', apiKey: FAKE_API_KEY, ...(webhook ? { webhook: { createAtUrl: null } } : {}) });
  return { deps, source, activity };
};

describe('removeTenant', () => {
  it("deletes the webhook it made in BambooHR for the tenant, and only that one, before the key goes", async () => {
    // Prepare: the same BambooHR user also has a webhook of another tenant and one of another deployment
    const { deps, source, activity } = await aRegisteredTenant(true);
    source.webhooks.push({ id: '7', url: `${BASE}/webhooks/bamboohr/other` }, { id: '8', url: 'https://staging.example.com/webhooks/bamboohr/acme' });

    // Act
    const result = await removeTenant(deps, 'acme', 'support@example.com');

    // Assess
    expect(result).toEqual({ webhooksDeleted: 1, webhookProblem: null });
    expect(source.deletedWebhooks).toEqual(['1']);
    expect(source.webhooks.map((w) => w.id)).toEqual(['7', '8']);
    expect(await deps.secrets.get('acme')).toBeNull();
    expect(await deps.tenants.get('acme')).toBeNull();
    expect(activity.events.at(-1)).toMatchObject({ type: 'removed', details: { webhooksDeleted: 1, webhookProblem: null } });
  });

  it('removes the tenant all the same when BambooHR refuses the key, and says which webhook to delete by hand', async () => {
    // Prepare: the customer revoked the key
    const { deps, source } = await aRegisteredTenant(true);
    source.failWith = new BambooHrAuthError('acme', 401, 'acme');

    // Act
    const result = await removeTenant(deps, 'acme');

    // Assess
    expect(result.webhooksDeleted).toBe(0);
    expect(result.webhookProblem).toContain(`${BASE}/webhooks/bamboohr/acme`);
    expect(result.webhookProblem).not.toContain(FAKE_API_KEY);
    expect(await deps.tenants.get('acme')).toBeNull();
    expect(await deps.secrets.get('acme')).toBeNull();
  });

  it('says nothing of webhooks for a tenant without one whose key is refused, and asks nothing of BambooHR without a way to reach it', async () => {
    // Prepare
    const refused = await aRegisteredTenant(false);
    refused.source.failWith = new BambooHrAuthError('acme', 401, 'acme');
    const offline = await aRegisteredTenant(true);
    const requestsBefore = offline.source.requestCount;
    const { employeeSource: _e, deployment: _d, ...withoutBambooHr } = offline.deps;

    // Act
    const quiet = await removeTenant(refused.deps, 'acme');
    const unasked = await removeTenant(withoutBambooHr, 'acme');

    // Assess
    expect(quiet).toEqual({ webhooksDeleted: 0, webhookProblem: null });
    expect(unasked).toEqual({ webhooksDeleted: 0, webhookProblem: null });
    expect(offline.source.requestCount).toBe(requestsBefore);
    expect(await offline.deps.tenants.get('acme')).toBeNull();
  });

  it("names the settings page when a tenant's webhook was not made by its key (its private key pasted)", async () => {
    // Prepare: a webhook made in BambooHR's settings, its key pasted at registration
    const { deps, source } = await aRegisteredTenant(false);
    const secret = (await deps.secrets.get('acme'))!;
    await deps.secrets.put('acme', { ...secret, webhookPrivateKey: 'pasted-webhook-key-0123456789' });
    const tenant = (await deps.tenants.get('acme'))!;
    await deps.tenants.save({ ...tenant, webhookEnabled: true }, { expectedStatus: 'active' });

    // Act
    const result = await removeTenant(deps, 'acme');

    // Assess
    expect(source.deletedWebhooks).toEqual([]);
    expect(result.webhookProblem).toContain("made in BambooHR's settings");
  });
});
