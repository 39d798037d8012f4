import { TenantNotFoundError, ValidationError } from '../errors.js';
import { z } from 'zod';
import { employeeBefore, type ChangeRecord } from '../model/change.js';
import type { Employee } from '../model/employee.js';
import type { RunRecord } from '../model/run.js';
import type { Tenant } from '../model/tenant.js';
import type { ActivityEvent } from '../model/activity.js';
import type { ActivityLog, ChangeFeed, Clock, RunStore, SnapshotStore, TenantStore } from '../ports.js';

const STATUS_ORDER: Record<Tenant['status'], number> = { 'needs-attention': 0, active: 1, disabled: 2 };

/** What support sees of a tenant: never a key. */
export type TenantView = Tenant & { held: boolean; stale: boolean };

/** `held` lasts from a held run until a full run is applied (a webhook sync of one person in between does not end it). */
export const toTenantView = (tenant: Tenant): TenantView => ({
  ...tenant,
  held: tenant.heldRun !== null || tenant.lastRun?.status === 'held',
  stale: tenant.staleSince !== null,
});

/** Every tenant, those needing attention (or held) first, then by id. */
export const listTenants = async (deps: { tenants: Pick<TenantStore, 'list'> }, filter: { status?: Tenant['status'] | 'held' | 'stale' } = {}) => {
  const all: Tenant[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.tenants.list(cursor, 500);
    all.push(...page.tenants);
    cursor = page.cursor;
  } while (cursor);
  const rank = (t: TenantView) => (t.held ? -1 : t.stale && t.status === 'active' ? 0.5 : STATUS_ORDER[t.status]);
  return all
    .map(toTenantView)
    .filter((t) => !filter.status || (filter.status === 'held' ? t.held : filter.status === 'stale' ? t.stale : t.status === filter.status))
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

/** One employee as the listing shows it: the body the product was told, in the product or not, and the seq it reflects. */
export type ListedEmployee = Employee & { synced: boolean; seq: number };

/** The listing's cursor: where the snapshot store is, and the seq the whole listing reflects. */
const listingCursor = z.object({ c: z.string(), s: z.number().int().min(0) });

const encodeListingCursor = (storeCursor: string, seq: number): string => Buffer.from(JSON.stringify({ c: storeCursor, s: seq }), 'utf8').toString('base64url');

/**
 * A cursor of this listing, or one the store handed out before the listing carried a seq: then the
 * pages read before it reflect no known seq, so the listing reflects seq 0 (the product reads the
 * whole feed after it, and each employee's own seq keeps that exact).
 */
const decodeListingCursor = (cursor: string | undefined): { storeCursor?: string; seq?: number } => {
  if (!cursor) return {};
  try {
    const parsed = listingCursor.safeParse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    if (parsed.success) return { storeCursor: parsed.data.c, seq: parsed.data.s };
  } catch {
    // Not ours: the store validates it.
  }
  return { storeCursor: cursor, seq: 0 };
};

/**
 * The current state of every employee the product was ever told about, a page at a time: the
 * product's first load. Deactivated employees are included, marked `synced: false`.
 *
 * The protocol (README, "The change feed"): load every page, then read `changes?after=<seq>` and
 * apply each change unless the employee's own `seq` is already at or past it. That yields exactly the
 * current state even while syncs run between pages, because:
 * - `seq` is the feed's committed seq when the first page was read (carried in the cursor), and
 *   every page shows each employee at that point or later (the snapshot is written before a commit);
 * - a page never shows an uncommitted change: an entry whose seq is above the committed seq (read
 *   after the page) belongs to the one pending append, and is shown as it was before it (its body
 *   rebuilt from that change's `from` values; a newcomer of that append is left out).
 */
export const listEmployees = async (
  deps: { tenants: Pick<TenantStore, 'get'>; snapshots: Pick<SnapshotStore, 'page'>; feed: Pick<ChangeFeed, 'committedSeq' | 'readSeqs'> },
  tenantId: string,
  options: { cursor?: string; limit?: number } = {},
): Promise<{ employees: ListedEmployee[]; cursor: string | null; seq: number }> => {
  if (!(await deps.tenants.get(tenantId))) throw new TenantNotFoundError(tenantId);
  const limit = clamp(options.limit ?? 100, 1, 1000, 'limit');
  const { storeCursor, seq: carried } = decodeListingCursor(options.cursor);
  const seq = carried ?? (await deps.feed.committedSeq(tenantId));
  const page = await deps.snapshots.page(tenantId, storeCursor, limit);
  const committed = await deps.feed.committedSeq(tenantId);
  // The changes that made the uncommitted entries (newcomers of the pending append are simply left out).
  const pending = page.entries.filter((e) => (e.seq ?? 0) > committed && e.previous).map((e) => e.seq!);
  const changes = new Map<number, ChangeRecord>();
  if (pending.length > 0) for (const { record } of await deps.feed.readSeqs(tenantId, pending)) changes.set(record.seq, record);
  const employees = page.entries.flatMap((entry): ListedEmployee[] => {
    if ((entry.seq ?? 0) <= committed) return [{ ...entry.employee, synced: entry.state === 'synced', seq: entry.seq ?? 0 }];
    const change = changes.get(entry.seq!);
    if (!change || !entry.previous) return [];
    return [{ ...employeeBefore(change), synced: entry.previous.state === 'synced', seq: entry.previous.seq }];
  });
  return { employees, cursor: page.cursor ? encodeListingCursor(page.cursor, seq) : null, seq };
};

/** A tenant's activity, newest first (`before`: an event id, to page back). Kept `ACTIVITY_TTL_DAYS` (default 180). */
export const listActivity = async (
  deps: { tenants: Pick<TenantStore, 'get'>; activityLog: Pick<ActivityLog, 'list'> },
  tenantId: string,
  options: { limit?: number; before?: string } = {},
): Promise<ActivityEvent[]> => {
  const limit = clamp(options.limit ?? 50, 1, 500, 'limit');
  if (options.before !== undefined && !EVENT_ID.test(options.before)) {
    throw new ValidationError(
      `'before' must be the id of an activity event (like 2026-11-25T10:00:00.000Z#1a2b3c4d, from the last event of the previous page) or an ISO time; '${options.before.slice(0, 60)}${options.before.length > 60 ? '…' : ''}' is neither.`,
      'before',
    );
  }
  const events = await deps.activityLog.list(tenantId, limit, options.before);
  // A removed tenant's log outlives it (who removed it, and when): only an id never seen is unknown.
  if (events.length === 0 && !(await deps.tenants.get(tenantId))) throw new TenantNotFoundError(tenantId);
  return events;
};

/** An activity event's id (`<ISO time>#<hex>`), or a bare ISO time to page back from. */
const EVENT_ID = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?Z(#[0-9a-f]{1,32})?$/;

/** `1h`, `30m`, `2d` or an ISO date → an ISO date; what a bad one is, otherwise. */
export const parseSince = (input: string, now: Date): string => {
  const relative = /^(\d+)\s*([mhd])$/i.exec(input.trim());
  if (relative) {
    const unit = { m: 60_000, h: 3_600_000, d: 86_400_000 }[relative[2]!.toLowerCase() as 'm' | 'h' | 'd'];
    const at = new Date(now.getTime() - Number(relative[1]) * unit);
    if (Number.isNaN(at.getTime())) throw new ValidationError(`'${input}' reaches back further than any date: give a shorter duration (30m, 6h, 2d) or an ISO date.`, 'since');
    return at.toISOString();
  }
  const at = Date.parse(input);
  if (Number.isNaN(at)) throw new ValidationError(`'${input}' is not a time: give an ISO date (2026-11-25T10:00Z) or a duration back from now (30m, 6h, 2d).`, 'since');
  return new Date(at).toISOString();
};

/** Alerts of every tenant since a time (default: the last 24 h), newest first. */
export const listAlerts = async (
  deps: { activityLog: Pick<ActivityLog, 'alerts'>; clock: Clock },
  options: { since?: string; limit?: number } = {},
): Promise<{ since: string; alerts: ActivityEvent[] }> => {
  const since = parseSince(options.since ?? '24h', deps.clock.now());
  return { since, alerts: await deps.activityLog.alerts(since, clamp(options.limit ?? 100, 1, 500, 'limit')) };
};
