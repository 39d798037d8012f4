import { TenantNotFoundError } from '../errors.js';
import type { ChangeFeed, RunStore, SecretStore, SnapshotStore, TenantStore } from '../ports.js';

/**
 * Deletes everything of a tenant: the secret first (so that no sync can run with it), then the
 * snapshot, the feed, the runs and last the record (so that a failure half-way can be re-run).
 */
export const removeTenant = async (
  deps: { tenants: TenantStore; secrets: SecretStore; snapshots: SnapshotStore; feed: ChangeFeed; runs: RunStore },
  tenantId: string,
): Promise<void> => {
  if (!(await deps.tenants.get(tenantId))) throw new TenantNotFoundError(tenantId);
  await deps.secrets.delete(tenantId);
  await deps.snapshots.deleteAll(tenantId);
  await deps.feed.deleteAll(tenantId);
  await deps.runs.deleteAll(tenantId);
  await deps.tenants.delete(tenantId);
};
