import { BambooHrRateLimitedError, BambooHrUnavailableError } from '../../lib/errors.js';
import { registerTenant } from '../../lib/use-cases/register-tenant.js';
import { removeTenant } from '../../lib/use-cases/remove-tenant.js';
import { aRawRow, FAKE_API_KEY } from '../helpers/builders.js';
import { FakeEmployeeSource } from '../helpers/fake-employee-source.js';
import { RecordingActivity } from '../helpers/in-memory-ports.js';
import { aTenantAdminDeps } from '../helpers/tenant-admin-deps.js';

const BASE = 'https://hooks.example.com';

/**
 * Found by the review of webhook deletion on removal: every failure was silent for a tenant without
 * a webhook key, not only a refused key. A tenant registered with --create-webhook whose webhook key was then dropped (`tenant update
 * --no-webhook`: webhookEnabled false, the secret's webhookPrivateKey null). The webhook the service
 * made is still in BambooHR (remove-tenant.ts itself: "left by --no-webhook"; and the update's own
 * deletion is best effort), and removal does delete it when BambooHR answers.
 */
const aTenantWithoutWebhookKey = async () => {
  const source = new FakeEmployeeSource([aRawRow('1'), aRawRow('2')]);
  const activity = new RecordingActivity();
  const deps = aTenantAdminDeps(() => source, { activity });
  await registerTenant(deps, { tenantId: 'acme', subdomain: 'acme', apiKey: FAKE_API_KEY, webhook: { createAtUrl: null } });
  const tenant = (await deps.tenants.get('acme'))!;
  await deps.tenants.save({ ...tenant, webhookEnabled: false }, { expectedStatus: 'active' });
  await deps.secrets.put('acme', { apiKey: FAKE_API_KEY, webhookPrivateKey: null });
  expect(source.webhooks).toEqual([{ id: '1', url: `${BASE}/webhooks/bamboohr/acme` }]);
  return { deps, source, activity };
};

describe('removeTenant of a tenant without a webhook key, whose webhook is still in BambooHR', () => {
  it.each([
    ['BambooHR is unavailable', new BambooHrUnavailableError('acme', 'HTTP 503 after 5 attempt(s)')],
    ['BambooHR rate-limits', new BambooHrRateLimitedError('acme', 120)],
  ])('reports the webhook it could not delete when %s (only a refused key is said to be "no news")', async (_what, failure) => {
    // Prepare
    const { deps, source, activity } = await aTenantWithoutWebhookKey();
    source.failWith = failure;

    // Act
    const result = await removeTenant(deps, 'acme', 'support@example.com');

    // Assess: the webhook is left in BambooHR, and support is told which one
    expect(source.webhooks).toHaveLength(1);
    expect(result.webhookProblem).toContain(`${BASE}/webhooks/bamboohr/acme`);
    expect(activity.events.at(-1)?.message).toContain(`${BASE}/webhooks/bamboohr/acme`);
  });
});
