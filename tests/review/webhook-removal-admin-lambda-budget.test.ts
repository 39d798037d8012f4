import { generateEmployees } from '../../dev/bamboohr-simulator/demo-data.js';
import { createBambooHrSimulator } from '../../dev/bamboohr-simulator/simulator.js';
import { createBambooHrSourceFactory } from '../../lib/bamboohr/bamboohr-client.js';
import { loadConfig } from '../../lib/config.js';
import { registerTenant } from '../../lib/use-cases/register-tenant.js';
import { removeTenant } from '../../lib/use-cases/remove-tenant.js';
import { aTenantAdminDeps } from '../helpers/tenant-admin-deps.js';

/**
 * Found by the review of webhook deletion on removal: `DELETE /tenants/{id}` runs in the adminApi
 * Lambda (`timeout: 29`), whose BambooHR client honours a Retry-After of up to 60 s and retries 4
 * times. Removal asked BambooHR first, before the key or anything else was deleted, and waited for
 * it: a throttled webhook list left the tenant disabled ("being removed") with its key and data when
 * the Lambda was killed. Now BambooHR gets a deadline (shortened here), and the removal goes on.
 */
const KEY = 'admin-budget-key-3e9d1c7a5b2f4e6d';

const simulator = createBambooHrSimulator();
let apiBase = '';
let companyUrlTemplate = '';

beforeAll(async () => {
  simulator.addCompany({ subdomain: 'acme', keys: [{ apiKey: KEY }], employees: generateEmployees({ count: 5, seed: 3, today: '2026-01-01' }) });
  ({ apiBase, companyUrlTemplate } = await simulator.start());
});
afterAll(() => simulator.stop());

it('a removal does not wait on BambooHR beyond its deadline: a throttled webhook list (Retry-After) is reported, and the tenant is removed', async () => {
  // Prepare: the admin Lambda's BambooHR settings (the defaults: serverless.yml overrides none for adminApi)
  const config = loadConfig({ STAGE: 'prod', BAMBOOHR_API_BASE: apiBase, BAMBOOHR_COMPANY_URL: companyUrlTemplate });
  const deps = aTenantAdminDeps(createBambooHrSourceFactory(config.bamboohr), { deployment: { publicBaseUrl: async () => 'https://sync.example.com' }, webhookDeadlineMs: 300 });
  await registerTenant(deps, { tenantId: 'acme', subdomain: 'acme', apiKey: KEY, webhook: { createAtUrl: null } });
  expect(simulator.company('acme').webhooks).toHaveLength(1);
  // BambooHR throttles (it answers 429 with Retry-After on every throttled response, bamboohr-api.md)
  simulator.injectFault({ kind: 'status', status: 429, retryAfter: '2', times: 1, path: '/webhooks' });

  // Act
  const result = await removeTenant(deps, 'acme', 'support@example.com');

  // Assess
  expect(result.webhookProblem).toContain('did not answer in time');
  expect(result.webhookProblem).toContain('https://sync.example.com/webhooks/bamboohr/acme');
  expect(await deps.tenants.get('acme')).toBeNull();
  expect(await deps.secrets.get('acme')).toBeNull();
  // (The list is tried again after the Retry-After, in the background; let it end before the simulator stops.)
  await new Promise((resolve) => setTimeout(resolve, 2_500));
}, 15_000);
