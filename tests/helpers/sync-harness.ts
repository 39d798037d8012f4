import type { SyncTenantDeps } from '../../lib/use-cases/sync-tenant.js';
import { aTenant, FAKE_API_KEY } from './builders.js';
import { FakeEmployeeSource } from './fake-employee-source.js';
import {
  FixedClock,
  InMemoryChangeFeed,
  InMemoryRunStore,
  InMemorySecretStore,
  InMemorySnapshotStore,
  InMemoryTenantStore,
  RecordingActivity,
  RecordingLog,
} from './in-memory-ports.js';
import type { Tenant } from '../../lib/model/tenant.js';

/** Every port of syncTenant as an in-memory fake, with one tenant registered. */
export const aSyncHarness = async (tenant: Partial<Tenant> = {}, source = new FakeEmployeeSource()) => {
  const tenants = new InMemoryTenantStore();
  const secrets = new InMemorySecretStore();
  const snapshots = new InMemorySnapshotStore();
  const feed = new InMemoryChangeFeed();
  const runs = new InMemoryRunStore();
  const clock = new FixedClock();
  const log = new RecordingLog();
  const activity = new RecordingActivity(clock);
  const registered = aTenant(tenant);
  await tenants.create(registered);
  await secrets.put(registered.tenantId, { apiKey: FAKE_API_KEY, webhookPrivateKey: null });
  const sourceInputs: Array<{ tenantId?: string; subdomain: string; apiKey?: string; accessToken?: string }> = [];
  const deps: SyncTenantDeps = {
    tenants,
    secrets,
    snapshots,
    feed,
    runs,
    clock,
    log,
    activity,
    employeeSource: (input) => {
      sourceInputs.push(input);
      return source;
    },
  };
  return { deps, tenants, secrets, snapshots, feed, runs, clock, log, activity, source, tenant: registered, sourceInputs };
};
