import { resolveField } from '../bamboohr/resolve-field.js';
import { BambooHrDataError, ExclusionFieldNotFoundError } from '../errors.js';
import { BAMBOOHR_FIELD_NAMES, BAMBOOHR_SYNCED_FIELDS, type DiffedField } from '../model/employee.js';
import type { SyncJob } from '../model/job.js';
import type { RunRecord, Warning } from '../model/run.js';
import type { Tenant } from '../model/tenant.js';
import { silentLog, type Log } from '../logging.js';
import type { EmployeeSource, FeedState, SnapshotStore, SummaryChunkCache } from '../ports.js';
import { mapEmployee, type SourceEmployee } from '../sync/map-employee.js';
import type { PullScope, SyncPlan } from '../sync/plan-sync.js';
import { assertPullUsable, type SafeguardApproval } from '../sync/safeguards.js';
import { loadSummary, planAgainstSnapshot, type LoadedSummaryResult, type SnapshotBasis } from './plan-against-snapshot.js';

export interface PullAndPlanInput {
  tenant: Tenant;
  job: Pick<SyncJob, 'kind' | 'employeeIds' | 'deletedEmployeeIds'>;
  /** Support's approval of a held run, already checked for age by the caller; null otherwise. */
  approval: SafeguardApproval | null;
  source: EmployeeSource;
  snapshots: Pick<SnapshotStore, 'load' | 'get' | 'readSummaryChunks'>;
  /** For incremental jobs: the start of the last successful full or incremental run. */
  incrementalSince: string | null;
  /**
   * The feed's bookkeeping, with the snapshot summary's head: given, the plan reads the summary and
   * only the entries it needs; null (previews), it reads the whole snapshot.
   */
  feedState?: FeedState | null;
  /** The summary named by `feedState`, if the caller started reading it already (otherwise it is read alongside the pull). */
  summary?: Promise<LoadedSummaryResult> | null;
  /** Summary chunks decoded by earlier runs of this worker. */
  summaryCache?: SummaryChunkCache | undefined;
  log?: Log;
}

export interface PulledPlan {
  plan: SyncPlan;
  /** The kind actually run: an incremental job with no usable cursor runs as full. */
  kind: SyncJob['kind'];
  pulledCount: number;
  /** What the plan was made against (null when nothing had to be read: an incremental run with nothing changed). */
  basis: SnapshotBasis | null;
}

const EMPTY_PLAN: SyncPlan = {
  outcome: 'apply',
  changes: [],
  snapshotWrites: [],
  counts: { created: 0, updated: 0, deactivated: 0, reactivated: 0 },
  warnings: [],
  held: null,
  employeesSynced: 0,
  needs: [],
  orgStale: [],
  orgDecided: [],
};

/** At most this many entries are read before the plan asks for them (one BatchGetItem). */
export const PREFETCH_MAX = 100;

/** Resolves the key under which the tenant's exclusion checkbox comes back, failing closed. */
export const exclusionKeyOf = async (tenant: Tenant, source: EmployeeSource): Promise<string | null> => {
  if (tenant.exclusionField === null) return null;
  if (tenant.exclusionFieldId) return tenant.exclusionFieldId;
  const field = resolveField(await source.listFields(), tenant.exclusionField);
  if (!field) throw new ExclusionFieldNotFoundError(tenant.subdomain, tenant.exclusionField, tenant.tenantId);
  return field.id;
};

/** Pulls the employees a job asks for and plans the sync against the snapshot. Writes nothing. */
export const pullAndPlan = async (input: PullAndPlanInput): Promise<PulledPlan> => {
  const { tenant, job, source } = input;
  let kind = job.kind;
  let employeeIds = job.employeeIds ?? [];
  let deletedIds = job.deletedEmployeeIds ?? [];

  if (kind === 'incremental') {
    if (input.incrementalSince === null) {
      kind = 'full';
    } else {
      const changed = await source.fetchChangedSince(input.incrementalSince);
      employeeIds = changed.employees.filter((e) => e.action !== 'Deleted').map((e) => e.id);
      deletedIds = changed.employees.filter((e) => e.action === 'Deleted').map((e) => e.id);
      if (employeeIds.length === 0 && deletedIds.length === 0) {
        return { plan: { ...EMPTY_PLAN, employeesSynced: tenant.lastRun?.employeesSynced ?? 0 }, kind, pulledCount: 0, basis: null };
      }
    }
  }

  const exclusionKey = await exclusionKeyOf(tenant, source);
  const fields = exclusionKey === null ? [...BAMBOOHR_FIELD_NAMES] : [...BAMBOOHR_FIELD_NAMES, exclusionKey];
  const full = kind === 'full';
  const requestedIds = full ? undefined : [...new Set([...employeeIds, ...deletedIds])];
  // The summary is read while BambooHR answers, if the caller has not started already (unused if the pull fails or a field is hidden).
  const loading: Promise<LoadedSummaryResult> | null =
    input.summary ?? (input.feedState ? loadSummary({ snapshots: input.snapshots, summaryCache: input.summaryCache }, tenant.tenantId, input.feedState) : null);
  loading?.catch(() => undefined);
  // A targeted run's employees changed, as a rule (BambooHR said so): their entries, which the plan
  // will need for the changes' `from` values, are read while BambooHR answers too.
  const usableSummary = input.feedState?.summary && !input.feedState.summaryStale;
  const prefetched = requestedIds && usableSummary && requestedIds.length <= PREFETCH_MAX ? input.snapshots.get(tenant.tenantId, requestedIds) : null;
  prefetched?.catch(() => undefined);
  const report = await source.fetchReport({ fields, ...(requestedIds ? { employeeIds: requestedIds } : {}) });

  assertPullUsable({
    subdomain: tenant.subdomain,
    tenantId: tenant.tenantId,
    full,
    employeeCount: report.employees.length,
    missingFields: report.missingFields,
    exclusion: exclusionKey === null || tenant.exclusionField === null ? null : { name: tenant.exclusionField, key: exclusionKey },
  });

  const { employees: pulled, duplicateWarning } = mapRows(report.employees, tenant.subdomain, exclusionKey);
  const unknownFields = new Set<DiffedField>(
    BAMBOOHR_SYNCED_FIELDS.filter((f) => report.missingFields.includes(f.apiName)).flatMap((f) => f.feeds),
  );
  const returned = new Set(pulled.map((e) => e.id));
  const scope: PullScope = full ? { kind: 'full' } : { kind: 'partial', confirmedDeletedIds: deletedIds.filter((id) => !returned.has(id)) };
  const { plan, basis } = await planAgainstSnapshot(
    { snapshots: input.snapshots, log: input.log ?? silentLog },
    {
      tenantId: tenant.tenantId,
      state: input.feedState ?? null,
      loading,
      prefetched,
      plan: { pulled, scope, unknownFields, safeguards: tenant.safeguards, approval: input.approval },
    },
  );
  if (duplicateWarning) plan.warnings.push(duplicateWarning);
  return { plan, kind, pulledCount: pulled.length, basis };
};

/**
 * Maps raw rows. The same id twice with the same data is tolerated (warned); the same id with
 * different data makes the answer unusable, since either row could be the truth.
 */
const mapRows = (
  rows: Parameters<typeof mapEmployee>[0][],
  subdomain: string,
  exclusionKey: string | null,
): { employees: SourceEmployee[]; duplicateWarning: Warning | null } => {
  const byId = new Map<string, SourceEmployee>();
  const duplicates: string[] = [];
  for (const row of rows) {
    const employee = mapEmployee(row, { subdomain, exclusionKey });
    const seen = byId.get(employee.id);
    if (seen) {
      if (JSON.stringify(seen) !== JSON.stringify(employee)) {
        throw new BambooHrDataError(subdomain, `employee ${employee.id} appears twice with different data`);
      }
      duplicates.push(employee.id);
      continue;
    }
    byId.set(employee.id, employee);
  }
  const duplicateWarning: Warning | null =
    duplicates.length === 0
      ? null
      : {
          code: 'duplicate-employee-id',
          message: `BambooHR returned ${duplicates.length} employee(s) more than once with identical data; each was synced once.`,
          employeeIds: duplicates.slice(0, 20),
          count: duplicates.length,
        };
  return { employees: [...byId.values()], duplicateWarning };
};

/** The start of the last successful run that covered the whole company (full or incremental). */
export const incrementalCursor = (runs: readonly RunRecord[]): string | null =>
  runs.find((r) => r.status === 'succeeded' && (r.kind === 'full' || r.kind === 'incremental'))?.startedAt ?? null;
