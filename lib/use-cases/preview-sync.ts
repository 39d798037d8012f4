import { SecretMissingError, TenantNotFoundError } from '../errors.js';
import type { ChangeDraft } from '../model/change.js';
import type { ChangeCounts, HeldRun, Warning } from '../model/run.js';
import type { ChangeFeed, EmployeeSourceFactory, SecretStore, SnapshotStore, TenantStore } from '../ports.js';
import { evaluateSafeguard } from '../sync/safeguards.js';
import { credentialsOf, usableSecret, type CredentialDeps } from './tenant-credentials.js';
import { pullAndPlan } from './pull-and-plan.js';

export interface SyncPreview {
  tenantId: string;
  outcome: 'apply' | 'held';
  counts: ChangeCounts;
  /** The first changes a real run would write (all of them up to `limit`). */
  changes: ChangeDraft[];
  totalChanges: number;
  warnings: Warning[];
  held: HeldRun | null;
  employeesSynced: number;
  pulled: number;
}

/**
 * A dry run: pulls and diffs exactly as the worker would, and writes nothing at all: the preview
 * before a tenant's first real sync, or of what a held run would do.
 */
export const previewSync = async (
  deps: Partial<Pick<CredentialDeps, 'oauth' | 'markers'>> & {
    clock: CredentialDeps['clock'];
    tenants: Pick<TenantStore, 'get'>;
    secrets: SecretStore;
    snapshots: SnapshotStore;
    feed: Pick<ChangeFeed, 'pending' | 'readRange'>;
    employeeSource: EmployeeSourceFactory;
  },
  tenantId: string,
  options: { allowDeactivations?: boolean; limit?: number } = {},
): Promise<SyncPreview> => {
  const tenant = await deps.tenants.get(tenantId);
  if (!tenant) throw new TenantNotFoundError(tenantId);
  const secret = await deps.secrets.get(tenantId);
  if (!secret) throw new SecretMissingError(tenantId);
  const source = deps.employeeSource({ tenantId, subdomain: tenant.subdomain, ...credentialsOf(await usableSecret(deps, tenant, secret)) });
  // An append an interrupted run left behind is in the feed already: preview from the snapshot as the
  // next real run will see it after rolling that append forward, without writing anything here.
  const pending = await deps.feed.pending(tenantId);
  const interrupted = pending ? await deps.feed.readRange(tenantId, pending.firstSeq, pending.lastSeq) : [];
  const snapshots: SnapshotStore =
    interrupted.length === 0
      ? deps.snapshots
      : Object.assign(Object.create(deps.snapshots) as SnapshotStore, {
          load: async (id: string) => {
            const snapshot = await deps.snapshots.load(id);
            for (const append of interrupted) snapshot.set(append.snapshot.employee.id, append.snapshot);
            return snapshot;
          },
        });
  // Plan with the go-ahead, so that the preview lists who a held run would deactivate; then ask the
  // safeguard what a real run would do.
  const { plan, pulledCount } = await pullAndPlan({
    tenant,
    job: { kind: 'full' },
    approval: { kind: 'all' },
    source,
    snapshots,
    incrementalSince: null,
  });
  const { created, reactivated, deactivated } = plan.counts;
  const held = evaluateSafeguard({
    departures: plan.changes.filter((c) => c.type === 'deactivated'),
    returns: plan.changes.filter((c) => c.type === 'reactivated'),
    syncedBefore: plan.employeesSynced - created - reactivated + deactivated,
    settings: tenant.safeguards,
    approval: options.allowDeactivations ? { kind: 'all' } : null,
  });
  const limit = options.limit ?? 50;
  return {
    tenantId,
    outcome: held ? 'held' : 'apply',
    counts: plan.counts,
    changes: plan.changes.slice(0, limit),
    totalChanges: plan.changes.length,
    warnings: plan.warnings,
    held,
    employeesSynced: plan.employeesSynced,
    pulled: pulledCount,
  };
};
