import type { SummaryChunkCache } from '../../lib/ports.js';
import type { RawEmployeeRow } from '../../lib/bamboohr/raw-schema.js';
import type { SyncJob } from '../../lib/model/job.js';
import type { SummaryLimits } from '../../lib/sync/snapshot-summary.js';
import { syncTenant, type SyncTenantResult } from '../../lib/use-cases/sync-tenant.js';
import { aRawRow } from './builders.js';
import { FakeEmployeeSource } from './fake-employee-source.js';
import { aSyncHarness } from './sync-harness.js';

export const EXCLUSION = { exclusionField: 'Skip Elevo Sync', exclusionFieldId: '4501' };

/** A seeded PRNG (mulberry32): the same seed, the same scenario. */
export const seeded = (seed: number) => {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (n: number) => Math.floor(next() * n), pick: <T,>(list: readonly T[]): T => list[Math.floor(next() * list.length)]! };
};

/** A company of `count` with a few levels of managers, every row carrying the exclusion box unticked. */
export const aCompany = (count: number): RawEmployeeRow[] =>
  Array.from({ length: count }, (_, i) => {
    const id = String(i + 1);
    const manager = i === 0 ? '' : String(Math.max(1, Math.floor(i / 3)));
    return aRawRow(id, { supervisorEId: manager, '4501': '0' });
  });

const clone = <T,>(value: T): T => structuredClone(value);

/**
 * Two tenants fed the same BambooHR and the same jobs: one plans against the snapshot summary (as
 * the worker does), the other always reads the whole snapshot (the summary is hidden from it). What
 * they write must be the same, change for change and entry for entry.
 */
export const aTwinSync = async (rows: RawEmployeeRow[], limits?: SummaryLimits, options: { cache?: SummaryChunkCache } = {}) => {
  const summary = await aSyncHarness(EXCLUSION, new FakeEmployeeSource(rows.map(clone)));
  if (limits) summary.deps.summaryLimits = limits;
  // As a warm worker: chunks decoded by earlier runs are not read again.
  if (options.cache) summary.deps.summaryCache = options.cache;
  const full = await aSyncHarness(EXCLUSION, new FakeEmployeeSource(rows.map(clone)));
  const state = full.feed.state.bind(full.feed);
  full.feed.state = async (tenantId) => ({ ...(await state(tenantId)), summary: null });
  /** Applies the same edit to both companies. */
  const edit = (change: (source: FakeEmployeeSource) => void) => {
    change(summary.source);
    change(full.source);
  };
  const run = async (job: SyncJob): Promise<[SyncTenantResult | Error, SyncTenantResult | Error]> => {
    const attempt = (h: typeof summary) => syncTenant(h.deps, clone(job)).catch((error: unknown) => error as Error);
    return [await attempt(summary), await attempt(full)];
  };
  return { summary, full, edit, run };
};

/** What a harness has written, for comparing two: the feed as the product reads it, and the snapshot. */
export const written = async (h: Awaited<ReturnType<typeof aSyncHarness>>) => {
  const feed = h.feed.all('acme').map(({ at: _at, runId: _runId, ...record }) => record);
  const snapshot = [...(h.snapshots.items.get('acme')?.values() ?? [])].map(clone).sort((a, b) => (a.employee.id < b.employee.id ? -1 : 1));
  return { feed, snapshot, committed: await h.feed.committedSeq('acme') };
};
