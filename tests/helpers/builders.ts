import type { RawEmployeeRow } from '../../lib/bamboohr/raw-schema.js';
import type { Employee } from '../../lib/model/employee.js';
import type { SyncJob } from '../../lib/model/job.js';
import type { RunRecord } from '../../lib/model/run.js';
import type { SnapshotEntry } from '../../lib/model/snapshot.js';
import { DEFAULT_SAFEGUARDS, type Tenant } from '../../lib/model/tenant.js';
import type { SourceEmployee } from '../../lib/sync/map-employee.js';

/** A known fake key: tests assert that it never shows up anywhere it must not. */
export const FAKE_API_KEY = 'fake-key-5f3c9a1e7b2d4c6e8a0b1c2d3e4f5a6b';

export const aSourceEmployee = (id: string, overrides: Partial<SourceEmployee> = {}): SourceEmployee => ({
  id,
  employeeNumber: `E${id}`,
  status: 'active',
  firstName: `First${id}`,
  middleName: null,
  lastName: `Last${id}`,
  preferredName: null,
  workEmail: `person${id}@example.com`,
  hireDate: '2020-01-15',
  originalHireDate: null,
  jobTitle: 'Engineer',
  department: 'Engineering',
  division: null,
  location: 'Remote',
  sourceManagerId: null,
  excluded: false,
  ...overrides,
});

export const anEmployee = (id: string, overrides: Partial<Employee> = {}): Employee => {
  const { sourceManagerId: _s, excluded: _e, ...fields } = aSourceEmployee(id);
  return { ...fields, managerId: null, directReportIds: [], ...overrides };
};

export const aSyncedEntry = (employee: Employee, sourceManagerId: string | null = employee.managerId): SnapshotEntry => ({
  employee,
  state: 'synced',
  reason: null,
  sourceManagerId,
});

export const aRawRow = (id: string, overrides: Record<string, unknown> = {}): RawEmployeeRow => ({
  id,
  employeeNumber: `E${id}`,
  status: 'Active',
  firstName: `First${id}`,
  middleName: '',
  lastName: `Last${id}`,
  preferredName: '',
  workEmail: `Person${id}@Example.com`,
  hireDate: '2020-01-15',
  originalHireDate: '0000-00-00',
  jobTitle: 'Engineer',
  department: 'Engineering',
  division: '',
  location: 'Remote',
  supervisorEId: '',
  ...overrides,
});

export const aTenant = (overrides: Partial<Tenant> = {}): Tenant => ({
  tenantId: 'acme',
  subdomain: 'acme',
  exclusionField: null,
  exclusionFieldId: null,
  status: 'active',
  statusReason: null,
  safeguards: { ...DEFAULT_SAFEGUARDS },
  webhookEnabled: false,
  createdAt: '2026-11-01T00:00:00.000Z',
  updatedAt: '2026-11-01T00:00:00.000Z',
  lastRun: null,
  attention: null,
  lastSuccessAt: null,
  staleSince: null,
  activeSince: null,
  heldRun: null,
  recoveryPending: false,
  ...overrides,
});

let jobCounter = 0;
export const aJob = (overrides: Partial<SyncJob> = {}): SyncJob => {
  jobCounter += 1;
  return {
    jobId: `job-${jobCounter}`,
    tenantId: 'acme',
    kind: 'full',
    requestedAt: '2026-11-25T10:00:00.000Z',
    requestedBy: 'schedule',
    ...overrides,
  };
};

/** A snapshot map from entries. */
export const snapshotOf = (...entries: SnapshotEntry[]): Map<string, SnapshotEntry> =>
  new Map(entries.map((e) => [e.employee.id, e]));

/** A run record as the worker starts it: running, nothing counted yet. */
export const aRunRecord = (overrides: Partial<RunRecord> = {}): RunRecord => ({
  tenantId: 'acme',
  runId: '2026-03-01T12:00:00.000Z-job-1',
  jobId: 'job-1',
  kind: 'full',
  requestedBy: 'schedule',
  startedAt: '2026-03-01T12:00:00.000Z',
  finishedAt: null,
  status: 'running',
  counts: { created: 0, updated: 0, deactivated: 0, reactivated: 0 },
  warnings: [],
  held: null,
  error: null,
  feed: null,
  employeesSynced: null,
  bamboohrRequests: null,
  attempts: 1,
  waits: 0,
  ...overrides,
});
