import { TenantNotFoundError, ValidationError } from '../errors.js';
import type { ChangeRecord } from '../model/change.js';
import type { Employee } from '../model/employee.js';
import type { RunRecord } from '../model/run.js';
import type { Tenant } from '../model/tenant.js';
import type { ChangeFeed, RunStore, SnapshotStore, TenantStore } from '../ports.js';

const STATUS_ORDER: Record<Tenant['status'], number> = { 'needs-attention': 0, active: 1, disabled: 2 };

/** What support sees of a tenant: never a key. */
export type TenantView = Tenant & { held: boolean };

export const toTenantView = (tenant: Tenant): TenantView => ({ ...tenant, held: tenant.lastRun?.status === 'held' });

/** Every tenant, those needing attention (or held) first, then by id. */
export const listTenants = async (deps: { tenants: Pick<TenantStore, 'list'> }, filter: { status?: Tenant['status'] | 'held' } = {}) => {
  const all: Tenant[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.tenants.list(cursor, 500);
    all.push(...page.tenants);
    cursor = page.cursor;
  } while (cursor);
  const rank = (t: TenantView) => (t.held ? -1 : STATUS_ORDER[t.status]);
  return all
    .map(toTenantView)
    .filter((t) => !filter.status || (filter.status === 'held' ? t.held : t.status === filter.status))
    .sort((a, b) => rank(a) - rank(b) || a.tenantId.localeCompare(b.tenantId));
};

export const showTenant = async (
  deps: { tenants: Pick<TenantStore, 'get'>; runs: Pick<RunStore, 'list'> },
  tenantId: string,
  runLimit = 10,
): Promise<{ tenant: TenantView; runs: RunRecord[] }> => {
  const tenant = await deps.tenants.get(tenantId);
  if (!tenant) throw new TenantNotFoundError(tenantId);
  return { tenant: toTenantView(tenant), runs: await deps.runs.list(tenantId, runLimit) };
};

export const listRuns = async (deps: { tenants: Pick<TenantStore, 'get'>; runs: Pick<RunStore, 'list'> }, tenantId: string, limit = 20) => {
  if (!(await deps.tenants.get(tenantId))) throw new TenantNotFoundError(tenantId);
  return deps.runs.list(tenantId, clamp(limit, 1, 200, 'limit'));
};

export const getRun = async (deps: { runs: Pick<RunStore, 'get'> }, tenantId: string, runId: string) => deps.runs.get(tenantId, runId);

const clamp = (value: number, min: number, max: number, name: string): number => {
  if (!Number.isInteger(value) || value < min) throw new ValidationError(`'${name}' must be a whole number from ${min} to ${max}.`, name);
  return Math.min(value, max);
};

/**
 * The change feed as the product reads it: committed changes after `after`, in seq order. The
 * product stores `nextAfter` and asks again from there, so it catches up after any outage.
 */
export const listChanges = async (
  deps: { tenants: Pick<TenantStore, 'get'>; feed: Pick<ChangeFeed, 'list'> },
  tenantId: string,
  options: { after?: number; limit?: number } = {},
): Promise<{ changes: ChangeRecord[]; nextAfter: number }> => {
  if (!(await deps.tenants.get(tenantId))) throw new TenantNotFoundError(tenantId);
  const after = options.after ?? 0;
  if (!Number.isInteger(after) || after < 0) throw new ValidationError("'after' must be a whole number of 0 or more (the last seq you read).", 'after');
  return deps.feed.list(tenantId, after, clamp(options.limit ?? 100, 1, 1000, 'limit'));
};

/** The current snapshot, a page at a time: the product's first load. Deactivated employees included, marked. */
export const listEmployees = async (
  deps: { tenants: Pick<TenantStore, 'get'>; snapshots: Pick<SnapshotStore, 'page'> },
  tenantId: string,
  options: { cursor?: string; limit?: number } = {},
): Promise<{ employees: (Employee & { synced: boolean })[]; cursor: string | null }> => {
  if (!(await deps.tenants.get(tenantId))) throw new TenantNotFoundError(tenantId);
  const page = await deps.snapshots.page(tenantId, options.cursor, clamp(options.limit ?? 100, 1, 1000, 'limit'));
  return {
    employees: page.entries.map((e) => ({ ...e.employee, synced: e.state === 'synced' })),
    cursor: page.cursor ?? null,
  };
};
