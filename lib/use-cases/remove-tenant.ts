import { TenantNotFoundError } from '../errors.js';
import type { ChangeFeed, RunStore, SecretStore, SnapshotStore, TenantStore } from '../ports.js';
import type { ActivityRecorder } from './record-activity.js';

/**
 * Deletes everything of a tenant: it is disabled first (no new scheduled or webhook job runs), then
 * the secret goes (so that no queued job can run with it), then the snapshot, the feed (whose seq
 * counter stays, see DynamoDbChangeFeed.deleteAll), the runs, and last the record, so that a
 * failure half-way can simply be run again.
 */
export const removeTenant = async (
  deps: { tenants: TenantStore; secrets: SecretStore; snapshots: SnapshotStore; feed: ChangeFeed; runs: RunStore; activity: ActivityRecorder },
  tenantId: string,
  actor = 'unknown',
): Promise<void> => {
  const tenant = await deps.tenants.get(tenantId);
  if (!tenant) throw new TenantNotFoundError(tenantId);
  if (tenant.status !== 'disabled') await deps.tenants.save({ ...tenant, status: 'disabled', statusReason: 'being removed' }, { expectedStatus: tenant.status });
  await deps.secrets.delete(tenantId);
  await deps.snapshots.deleteAll(tenantId);
  await deps.feed.deleteAll(tenantId);
  await deps.runs.deleteAll(tenantId);
  await deps.tenants.delete(tenantId);
  // Kept after the tenant (until its TTL): who removed it, and when.
  await deps.activity.record({ tenantId, type: 'removed', actor, message: 'Removed: its key, configuration, snapshot, change feed and runs are deleted.' });
};
