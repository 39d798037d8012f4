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

/**
 * As a refused key leaves a synced tenant: needs attention (its alert sent), probes pending. For tests
 * of what follows: probes, support's fixes, `recovered`.
 */
export const parkForAttention = (h: Awaited<ReturnType<typeof aSyncHarness>>, options: { probes?: number; nextProbeInMs?: number } = {}): void => {
  const parked = h.tenants.items.get(h.tenant.tenantId)!;
  parked.status = 'needs-attention';
  parked.statusReason = `BambooHR rejected the API key for '${h.tenant.subdomain}' (401).`;
  const now = h.clock.now().getTime();
  parked.attention = { since: new Date(now).toISOString(), probes: options.probes ?? 1, nextProbeAt: new Date(now + (options.nextProbeInMs ?? 3_600_000)).toISOString() };
};
