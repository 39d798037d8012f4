import { BambooHrAuthError } from '../../lib/errors.js';
import { registerTenant } from '../../lib/use-cases/register-tenant.js';
import { removeTenant } from '../../lib/use-cases/remove-tenant.js';
import { aRawRow, FAKE_API_KEY } from '../helpers/builders.js';
import { FakeEmployeeSource } from '../helpers/fake-employee-source.js';
import { aTenantAdminDeps } from '../helpers/tenant-admin-deps.js';

const BASE = 'https://hooks.example.com';
const URL = `${BASE}/webhooks/bamboohr/acme`;

/**
 * Found by the review of webhook deletion on removal: the first refused deletion stopped the others.
 * BambooHR as its OpenAPI spec describes it: List Webhooks returns the webhooks "owned by the
 * authenticated user", but Delete Webhook works only with "the same credentials that created it"
 * (403 otherwise). The simulator ties both to the key, so it cannot show this. Ids in `byOldKey`
 * were created by an earlier key of the same user (support rotated it with `tenant update
 * --api-key-stdin`, then `--create-webhook` made the current webhook with the new key).
 */
class SpecBambooHr extends FakeEmployeeSource {
  readonly byOldKey = new Set<string>();
  override async deleteWebhook(id: string): Promise<void> {
    if (this.byOldKey.has(id)) throw new BambooHrAuthError('acme', 403, 'acme', 'You do not have permission to delete this webhook');
    return super.deleteWebhook(id);
  }
}

it("deletes the tenant's webhooks it can even when BambooHR refuses to delete an earlier one listed before them", async () => {
  // Prepare: webhook 1 made with the old key (listed first), webhook 2 made with the current key, both calling the tenant
  const source = new SpecBambooHr([aRawRow('1'), aRawRow('2')]);
  const deps = aTenantAdminDeps(() => source);
  await registerTenant(deps, { tenantId: 'acme', subdomain: 'acme', apiKey: FAKE_API_KEY, webhook: { createAtUrl: null } });
  source.byOldKey.add('1');
  source.webhooks.push({ id: '2', url: URL });

  // Act
  const result = await removeTenant(deps, 'acme', 'support@example.com');

  // Assess: the live webhook (the one whose private key was stored) goes; the old one is reported
  expect(source.webhooks).toEqual([{ id: '1', url: URL }]);
  expect(result.webhooksDeleted).toBe(1);
  expect(result.webhookProblem).toContain(URL);
});
