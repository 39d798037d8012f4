import type { ChangeDraft, DeactivationReason } from '../model/change.js';
import { DIFFED_FIELDS, SOURCE_EMPLOYEE_FIELDS, type DiffedField, type Employee } from '../model/employee.js';
import { ZERO_COUNTS, type ChangeCounts, type HeldRun, type Warning } from '../model/run.js';
import type { SnapshotEntry } from '../model/snapshot.js';
import type { SafeguardSettings } from '../model/tenant.js';
import type { SourceEmployee } from './map-employee.js';
import { evaluateDeactivations } from './safeguards.js';
import { collectWarnings } from './warnings.js';

/** What the pull covered: the whole company, or some employees (webhook or incremental). */
export type PullScope =
  | { kind: 'full' }
  | {
      kind: 'partial';
      /** Ids BambooHR reported as deleted and no longer returns: only these may be deactivated as `deleted`. */
      confirmedDeletedIds: readonly string[];
    };

export interface PlanInput {
  previous: ReadonlyMap<string, SnapshotEntry>;
  pulled: readonly SourceEmployee[];
  scope: PullScope;
  /** Fields the key could not see in this pull: unknown, never cleared, never diffed. */
  unknownFields: ReadonlySet<DiffedField>;
  safeguards: SafeguardSettings;
  allowDeactivations: boolean;
}

export interface SyncPlan {
  /** `held`: the deactivation safeguard stopped the run; nothing may be applied. */
  outcome: 'apply' | 'held';
  /** Ordered: created and reactivated (managers before their reports), then updated, then deactivated. */
  changes: ChangeDraft[];
  /** Snapshot entries to write: one per change, plus bookkeeping-only updates. */
  snapshotWrites: SnapshotEntry[];
  counts: ChangeCounts;
  warnings: Warning[];
  held: HeldRun | null;
  /** Employees in the product after this run. */
  employeesSynced: number;
}

const compareIds = (a: string, b: string): number => {
  const na = Number(a);
  const nb = Number(b);
  if (Number.isInteger(na) && Number.isInteger(nb) && na !== nb) return na - nb;
  return a < b ? -1 : a > b ? 1 : 0;
};

const sameValue = (a: unknown, b: unknown): boolean => {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => v === b[i]);
  return a === b;
};

const fieldChanges = (before: Employee, after: Employee, unknown: ReadonlySet<DiffedField>): ChangeDraft['changes'] => {
  const changes: ChangeDraft['changes'] = {};
  for (const field of DIFFED_FIELDS) {
    if (unknown.has(field)) continue;
    if (!sameValue(before[field], after[field])) changes[field] = { from: before[field], to: after[field] };
  }
  return changes;
};

const fromSnapshot = (entry: SnapshotEntry): SourceEmployee => {
  const { managerId: _m, directReportIds: _d, ...fields } = entry.employee;
  return { ...fields, sourceManagerId: entry.sourceManagerId, excluded: entry.reason === 'excluded' };
};

/** Fills the fields the key could not see with what the product already has. */
const withKnownValues = (source: SourceEmployee, previous: SnapshotEntry | undefined, unknown: ReadonlySet<DiffedField>): SourceEmployee => {
  if (unknown.size === 0) return source;
  const filled: SourceEmployee = { ...source };
  const prior = previous?.employee;
  for (const field of SOURCE_EMPLOYEE_FIELDS) {
    if (unknown.has(field) && field !== 'status') (filled as Record<string, unknown>)[field] = prior ? prior[field] : null;
  }
  if (unknown.has('managerId')) filled.sourceManagerId = previous ? previous.sourceManagerId : null;
  return filled;
};

/**
 * The pure heart of a sync: previous snapshot + fresh pull → ordered changes, snapshot writes,
 * warnings and the safeguard's verdict. No I/O, no clock.
 */
export const planSync = (input: PlanInput): SyncPlan => {
  const { previous, unknownFields } = input;

  // 1. The universe of employees known after this pull.
  const universe = new Map<string, SourceEmployee>();
  if (input.scope.kind === 'partial') {
    for (const [id, entry] of previous) {
      if (entry.state === 'synced' || entry.reason !== 'deleted') universe.set(id, fromSnapshot(entry));
    }
    for (const id of input.scope.confirmedDeletedIds) universe.delete(id);
  }
  for (const source of input.pulled) universe.set(source.id, withKnownValues(source, previous.get(source.id), unknownFields));

  // 2. Who is in the product after this run.
  const synced = new Set<string>();
  for (const [id, source] of universe) {
    if (source.excluded || source.status !== 'active') continue;
    if (previous.get(id)?.state === 'synced' || source.workEmail !== null) synced.add(id);
  }

  // 3. Derive the org tree among synced employees.
  const managerOf = (source: SourceEmployee): string | null =>
    source.sourceManagerId !== null && source.sourceManagerId !== source.id && synced.has(source.sourceManagerId)
      ? source.sourceManagerId
      : null;
  const reports = new Map<string, string[]>();
  for (const id of synced) {
    const managerId = managerOf(universe.get(id)!);
    if (managerId === null) continue;
    const list = reports.get(managerId);
    if (list) list.push(id);
    else reports.set(managerId, [id]);
  }
  for (const list of reports.values()) list.sort(compareIds);

  const toEmployee = (source: SourceEmployee, inProduct: boolean): Employee => {
    const { sourceManagerId: _s, excluded: _e, exclusionUnreadable: _u, ...fields } = source;
    return { ...fields, managerId: managerOf(source), directReportIds: inProduct ? (reports.get(source.id) ?? []) : [] };
  };

  // 4. Diff.
  const created: ChangeDraft[] = [];
  const reactivated: ChangeDraft[] = [];
  const updated: ChangeDraft[] = [];
  const deactivated: ChangeDraft[] = [];
  const snapshotWrites: SnapshotEntry[] = [];
  const deactivate = (prior: SnapshotEntry, reason: DeactivationReason, employee: Employee, sourceManagerId: string | null) => {
    const changes = reason === 'inactive' ? fieldChanges(prior.employee, employee, unknownFields) : {};
    deactivated.push({ type: 'deactivated', reason, employeeId: employee.id, changes, employee });
    snapshotWrites.push({ employee, state: 'deactivated', reason, sourceManagerId });
  };

  for (const [id, source] of universe) {
    const prior = previous.get(id);
    if (synced.has(id)) {
      const employee = toEmployee(source, true);
      const entry: SnapshotEntry = { employee, state: 'synced', reason: null, sourceManagerId: source.sourceManagerId };
      if (!prior) {
        created.push({ type: 'created', reason: null, employeeId: id, changes: {}, employee });
        snapshotWrites.push(entry);
      } else if (prior.state === 'deactivated') {
        reactivated.push({ type: 'reactivated', reason: null, employeeId: id, changes: fieldChanges(prior.employee, employee, unknownFields), employee });
        snapshotWrites.push(entry);
      } else {
        const changes = fieldChanges(prior.employee, employee, unknownFields);
        if (Object.keys(changes).length > 0) {
          updated.push({ type: 'updated', reason: null, employeeId: id, changes, employee });
          snapshotWrites.push(entry);
        } else if (prior.sourceManagerId !== source.sourceManagerId) {
          snapshotWrites.push(entry); // bookkeeping only: no change for the product
        }
      }
    } else if (prior?.state === 'synced') {
      // Someone who asked to be left out: the product gets what it already had, nothing new.
      if (source.excluded) deactivate(prior, 'excluded', prior.employee, prior.sourceManagerId);
      else deactivate(prior, 'inactive', toEmployee(source, false), source.sourceManagerId);
    }
  }

  // Synced employees no longer in the universe: deleted in BambooHR. Only a full pull, or a
  // deletion BambooHR confirmed, proves that.
  const deletable = input.scope.kind === 'full' ? null : new Set(input.scope.confirmedDeletedIds);
  for (const [id, prior] of previous) {
    if (prior.state !== 'synced' || universe.has(id)) continue;
    if (deletable === null || deletable.has(id)) deactivate(prior, 'deleted', prior.employee, prior.sourceManagerId);
  }

  // 5. Order: managers before reports for arrivals; ids ascending otherwise.
  const depth = (id: string): number => {
    let d = 0;
    let current = universe.get(id);
    const seen = new Set<string>([id]);
    while (current) {
      const managerId = managerOf(current);
      if (managerId === null || seen.has(managerId)) break;
      seen.add(managerId);
      d += 1;
      current = universe.get(managerId);
    }
    return d;
  };
  const byId = (a: ChangeDraft, b: ChangeDraft) => compareIds(a.employeeId, b.employeeId);
  const arrivals = [...created, ...reactivated];
  const depths = new Map(arrivals.map((c) => [c.employeeId, depth(c.employeeId)]));
  arrivals.sort((a, b) => depths.get(a.employeeId)! - depths.get(b.employeeId)! || byId(a, b));
  updated.sort(byId);
  deactivated.sort(byId);
  const changes = [...arrivals, ...updated, ...deactivated];

  const counts: ChangeCounts = {
    ...ZERO_COUNTS,
    created: created.length,
    reactivated: reactivated.length,
    updated: updated.length,
    deactivated: deactivated.length,
  };
  const syncedBefore = [...previous.values()].filter((e) => e.state === 'synced').length;
  const held = evaluateDeactivations({
    deactivations: deactivated,
    syncedBefore,
    settings: input.safeguards,
    allowed: input.allowDeactivations,
  });
  const warnings = collectWarnings({ universe, synced, previous, managerOf, unknownFields });

  return {
    outcome: held ? 'held' : 'apply',
    changes: held ? [] : changes,
    snapshotWrites: held ? [] : snapshotWrites,
    counts,
    warnings,
    held,
    employeesSynced: held ? syncedBefore : synced.size,
  };
};
