import { AmbiguousEmployeeError, BambooHrDataError, EmployeeNotFoundError, ExclusionFieldNotFoundError, SecretMissingError, TenantNotFoundError } from '../errors.js';
import type { ChangeRecord } from '../model/change.js';
import { BAMBOOHR_FIELD_NAMES, BAMBOOHR_SYNCED_FIELDS, compareIds, type DiffedField } from '../model/employee.js';
import type { SnapshotEntry } from '../model/snapshot.js';
import type { Tenant } from '../model/tenant.js';
import type { ChangeFeed, EmployeeSourceFactory, RunStore, SecretStore, SnapshotStore, TenantStore } from '../ports.js';
import { explainVerdict, type Reason, type Verdict } from '../sync/explain.js';
import { mapEmployee, normaliseDate, type SourceEmployee } from '../sync/map-employee.js';
import { planSync } from '../sync/plan-sync.js';
import { exclusionKeyOf } from './pull-and-plan.js';
import { credentialsOf, usableSecret, type CredentialDeps } from './tenant-credentials.js';

export interface ExplainDeps extends Partial<Pick<CredentialDeps, 'oauth' | 'markers'>> {
  clock: CredentialDeps['clock'];
  tenants: Pick<TenantStore, 'get'>;
  secrets: SecretStore;
  employeeSource: EmployeeSourceFactory;
  snapshots: Pick<SnapshotStore, 'load'>;
  feed: Pick<ChangeFeed, 'readSeqs' | 'committedSeq'>;
  runs: Pick<RunStore, 'get'>;
}

/** Someone a search found: in the product (from the snapshot) or only in BambooHR. */
export interface EmployeeCandidate {
  employeeId: string;
  name: string | null;
  workEmail: string | null;
  employeeNumber: string | null;
  inProduct: boolean;
}

/** A person in the org picture: their state in the product. */
export interface OrgNode {
  employeeId: string;
  name: string | null;
  state: 'synced' | 'excluded' | 'inactive' | 'deleted' | 'not-synced';
}

export interface EmployeeExplanation {
  tenantId: string;
  employeeId: string;
  verdict: Verdict;
  reasons: Reason[];
  /** What BambooHR says now, to this key. */
  bamboohr: {
    found: boolean;
    employee: SourceEmployee | null;
    exclusion: 'ticked' | 'unticked' | 'unreadable' | 'not-visible' | 'off';
    hiddenFields: string[];
    terminationDate: string | null;
  };
  /** What the product was last told (null: never). */
  product: (Pick<SnapshotEntry, 'employee' | 'state' | 'reason'> & { seq: number | null }) | null;
  /** The person's changes in the feed, newest first (kept CHANGE_TTL_DAYS). */
  history: Array<Pick<ChangeRecord, 'seq' | 'type' | 'reason' | 'changes' | 'runId' | 'at'>>;
  /** Their place in the org as the product knows it: the manager chain (nearest first) and the direct reports. */
  org: { chain: OrgNode[]; reports: OrgNode[]; moreReports: number };
  /** BambooHR requests this explanation made (one targeted report, plus a lookup when the person is not in the product). */
  bamboohrRequests: number;
}

const HISTORY_LIMIT = 25;
const CHAIN_LIMIT = 20;
const REPORTS_LIMIT = 50;
const LOOKUP_FIELDS = ['employeeNumber', 'firstName', 'lastName', 'preferredName', 'workEmail'];

const fullName = (e: { firstName?: unknown; lastName?: unknown; preferredName?: unknown }): string | null => {
  const text = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : null);
  return [text(e.preferredName) ?? text(e.firstName), text(e.lastName)].filter(Boolean).join(' ') || null;
};

const stateOf = (entry: SnapshotEntry | undefined): OrgNode['state'] =>
  !entry ? 'not-synced' : entry.state === 'synced' ? 'synced' : ((entry.reason ?? 'inactive') as OrgNode['state']);

/** Does `who` match this person: the id, the email, the employee number, or every word of a name. */
const matcher = (who: string) => {
  const q = who.trim().toLowerCase();
  const words = q.split(/\s+/).filter(Boolean);
  return (p: { id: string; workEmail?: unknown; employeeNumber?: unknown; firstName?: unknown; lastName?: unknown; preferredName?: unknown; middleName?: unknown }): boolean => {
    if (p.id.toLowerCase() === q) return true;
    if (q.includes('@')) return typeof p.workEmail === 'string' && p.workEmail.trim().toLowerCase() === q;
    if (typeof p.employeeNumber === 'string' && p.employeeNumber.trim().toLowerCase() === q) return true;
    const names = [p.firstName, p.middleName, p.lastName, p.preferredName].filter((v): v is string => typeof v === 'string').map((v) => v.toLowerCase());
    return words.length > 0 && words.every((w) => names.some((n) => n === w || (w.length >= 2 && n.startsWith(w))));
  };
};

const candidateOfEntry = (entry: SnapshotEntry): EmployeeCandidate => ({
  employeeId: entry.employee.id,
  name: fullName(entry.employee),
  workEmail: entry.employee.workEmail,
  employeeNumber: entry.employee.employeeNumber,
  inProduct: entry.state === 'synced',
});

const tenantAndSource = async (deps: ExplainDeps, tenantId: string) => {
  const tenant = await deps.tenants.get(tenantId);
  if (!tenant) throw new TenantNotFoundError(tenantId);
  const secret = await deps.secrets.get(tenantId);
  if (!secret) throw new SecretMissingError(tenantId);
  return { tenant, source: deps.employeeSource({ tenantId, subdomain: tenant.subdomain, ...credentialsOf(await usableSecret(deps, tenant, secret)) }) };
};

/**
 * People matching a search (an id, an email, an employee number or a name): in the product first;
 * if nobody there matches, one BambooHR request for everyone's names and emails. Read-only.
 */
export const searchEmployees = async (deps: ExplainDeps, tenantId: string, who: string, options: { limit?: number } = {}): Promise<{ candidates: EmployeeCandidate[]; bamboohrRequests: number }> => {
  const limit = Math.min(Math.max(options.limit ?? 20, 1), 100);
  if (who.trim() === '') return { candidates: [], bamboohrRequests: 0 };
  const { tenant, source } = await tenantAndSource(deps, tenantId);
  const snapshot = await deps.snapshots.load(tenantId);
  return search(tenant, source, snapshot, who, limit);
};

const search = async (
  tenant: Tenant,
  source: ReturnType<EmployeeSourceFactory>,
  snapshot: ReadonlyMap<string, SnapshotEntry>,
  who: string,
  limit: number,
): Promise<{ candidates: EmployeeCandidate[]; bamboohrRequests: number }> => {
  void tenant;
  const matches = matcher(who);
  const exact = snapshot.get(who.trim());
  if (exact) return { candidates: [candidateOfEntry(exact)], bamboohrRequests: 0 };
  const inProduct = [...snapshot.values()].filter((e) => matches(e.employee)).map(candidateOfEntry);
  if (inProduct.length > 0) return { candidates: inProduct.sort((a, b) => compareIds(a.employeeId, b.employeeId)).slice(0, limit), bamboohrRequests: 0 };
  // Nobody the product knows: maybe someone it was never told about (no work email, excluded...).
  const before = source.requestCount;
  const lookup = await source.fetchReport({ fields: LOOKUP_FIELDS });
  const found = lookup.employees
    .filter((row) => matches(row))
    .map((row) => ({
      employeeId: row.id,
      name: fullName({ firstName: row.firstName, lastName: row.lastName, preferredName: row.preferredName }),
      workEmail: typeof row.workEmail === 'string' && row.workEmail.trim() !== '' ? row.workEmail.trim().toLowerCase() : null,
      employeeNumber: typeof row.employeeNumber === 'string' && row.employeeNumber !== '' ? row.employeeNumber : null,
      inProduct: false,
    }))
    .sort((a, b) => compareIds(a.employeeId, b.employeeId));
  return { candidates: found.slice(0, limit), bamboohrRequests: source.requestCount - before };
};

/**
 * Why is (or isn't) this person in the product? Resolves `who`, makes one targeted BambooHR request
 * for them, and puts side by side what BambooHR says, what the product was told, their history in
 * the feed and what the next run would send; then a verdict with reasons. Reads only: it never
 * writes to the feed or the snapshot.
 */
export const explainEmployee = async (deps: ExplainDeps, tenantId: string, who: string): Promise<EmployeeExplanation> => {
  const { tenant, source } = await tenantAndSource(deps, tenantId);
  const snapshot = await deps.snapshots.load(tenantId);

  // 1. Who: an id the product knows, else a search (the product, then BambooHR).
  let employeeId: string;
  if (snapshot.has(who.trim())) employeeId = who.trim();
  else {
    const { candidates } = await search(tenant, source, snapshot, who, 50);
    if (candidates.length > 1) throw new AmbiguousEmployeeError(who, candidates);
    if (candidates.length === 1) employeeId = candidates[0]!.employeeId;
    else if (/^\d+$/.test(who.trim())) employeeId = who.trim(); // an id BambooHR may not show: say so
    else throw new EmployeeNotFoundError(tenantId, who);
  }

  // 2. What BambooHR says now: one targeted request.
  // A missing exclusion field is said by the verdict (the box is not visible), not thrown.
  const exclusionKey = await exclusionKeyOf(tenant, source).catch((error: unknown) => {
    if (error instanceof ExclusionFieldNotFoundError) return null;
    throw error;
  });
  const fields = [...BAMBOOHR_FIELD_NAMES, ...(exclusionKey ? [exclusionKey] : []), 'terminationDate'];
  const report = await source.fetchReport({ fields, employeeIds: [employeeId] });
  const row = report.employees.find((r) => r.id === employeeId) ?? null;
  let bamboohr: SourceEmployee | null = null;
  if (row) {
    try {
      bamboohr = mapEmployee(row, { subdomain: tenant.subdomain, exclusionKey });
    } catch (error) {
      if (!(error instanceof BambooHrDataError)) throw error;
    }
  }
  // The exclusion field gone (or hidden from the key): nobody may be created or changed, as a run would fail closed.
  if (bamboohr && tenant.exclusionField !== null && exclusionKey === null) bamboohr = { ...bamboohr, excluded: true, exclusionUnknown: true };
  const hidden = BAMBOOHR_SYNCED_FIELDS.filter((f) => report.missingFields.includes(f.apiName));
  const unknownFields = new Set<DiffedField>(hidden.flatMap((f) => f.feeds));

  // 3. What the product was told, and what the next run would send for this person.
  const entry = snapshot.get(employeeId);
  const plan = bamboohr
    ? planSync({
        previous: snapshot,
        pulled: [bamboohr],
        scope: { kind: 'partial', confirmedDeletedIds: [] },
        unknownFields,
        safeguards: tenant.safeguards,
        approval: { kind: 'all' },
      })
    : null;
  const change = plan?.changes.find((c) => c.employeeId === employeeId) ?? null;
  const pendingChange =
    change ?? (!bamboohr && entry?.state === 'synced' ? { type: 'deactivated' as const, reason: 'deleted' as const, changes: {} } : null);

  // 4. A held run that would change them.
  const heldRunId = tenant.heldRun?.runId ?? (tenant.lastRun?.status === 'held' ? tenant.lastRun.runId : null);
  const held = heldRunId ? await deps.runs.get(tenantId, heldRunId) : null;
  const inHeld = held?.status === 'held' ? held.held?.sample.find((s) => s.employeeId === employeeId) : undefined;

  // 5. History: each feed item names the change before it (its snapshot entry's `previous`).
  const committed = await deps.feed.committedSeq(tenantId);
  const history: EmployeeExplanation['history'] = [];
  let seq = entry?.seq ?? 0;
  while (seq > 0 && history.length < HISTORY_LIMIT) {
    const [append] = await deps.feed.readSeqs(tenantId, [seq]);
    if (!append || append.record.employeeId !== employeeId) break;
    if (append.record.seq <= committed) {
      const { type, reason, changes, runId, at } = append.record;
      history.push({ seq: append.record.seq, type, reason, changes, runId, at });
    }
    seq = append.snapshot.previous?.seq ?? 0;
  }
  const lastDeactivation = history.find((h) => h.type === 'deactivated');

  // 6. The org around them, as the product knows it.
  const managerId = bamboohr?.sourceManagerId ?? entry?.sourceManagerId ?? null;
  const chain: OrgNode[] = [];
  const seen = new Set<string>([employeeId]);
  for (let id = managerId; id !== null && !seen.has(id) && chain.length < CHAIN_LIMIT; ) {
    seen.add(id);
    const e = snapshot.get(id);
    chain.push({ employeeId: id, name: e ? fullName(e.employee) : null, state: stateOf(e) });
    id = e?.sourceManagerId ?? null;
  }
  const allReports = [...snapshot.values()]
    .filter((e) => e.sourceManagerId === employeeId && e.employee.id !== employeeId)
    .map((e) => ({ employeeId: e.employee.id, name: fullName(e.employee), state: stateOf(e) }))
    .sort((a, b) => compareIds(a.employeeId, b.employeeId));

  const managerEntry = managerId ? snapshot.get(managerId) : undefined;
  const { verdict, reasons } = explainVerdict({
    tenantId,
    employeeId,
    bamboohr,
    hiddenFields: hidden.map((f) => f.uiName),
    terminationDate: row ? normaliseDate(row.terminationDate) : null,
    product: entry ?? null,
    manager: managerId ? { id: managerId, name: managerEntry ? fullName(managerEntry.employee) : null, product: managerEntry ?? null } : null,
    pendingChange,
    heldRun: inHeld && heldRunId ? { runId: heldRunId, type: inHeld.type } : null,
    deactivatedBy: lastDeactivation && lastDeactivation.reason ? { runId: lastDeactivation.runId, at: lastDeactivation.at, reason: lastDeactivation.reason } : null,
    exclusionField: tenant.exclusionField,
  });

  return {
    tenantId,
    employeeId,
    verdict,
    reasons,
    bamboohr: {
      found: row !== null,
      employee: bamboohr,
      exclusion:
        tenant.exclusionField === null
          ? 'off'
          : !bamboohr || bamboohr.exclusionUnknown
            ? 'not-visible'
            : bamboohr.exclusionUnreadable
              ? 'unreadable'
              : bamboohr.excluded
                ? 'ticked'
                : 'unticked',
      hiddenFields: hidden.map((f) => f.uiName),
      terminationDate: row ? normaliseDate(row.terminationDate) : null,
    },
    product: entry ? { employee: entry.employee, state: entry.state, reason: entry.reason, seq: entry.seq ?? null } : null,
    history,
    org: { chain, reports: allReports.slice(0, REPORTS_LIMIT), moreReports: Math.max(0, allReports.length - REPORTS_LIMIT) },
    bamboohrRequests: source.requestCount,
  };
};
