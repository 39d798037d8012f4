import type { Log } from '../logging.js';
import type { SnapshotEntry } from '../model/snapshot.js';
import type { FeedState, SnapshotStore, SummaryChunkCache, SummaryChunkKey } from '../ports.js';
import { planSync, type PlanInput, type SyncPlan } from '../sync/plan-sync.js';
import {
  assembleDecoded,
  buildSummary,
  decodeHead,
  decodeHeadChunk,
  stubMatches,
  stubOf,
  SUMMARY_LIMITS,
  SummaryCorruptError,
  updateSummary,
  type LoadedSummary,
  type SummaryHead,
  type SummaryLimits,
  type SummaryStub,
  type SummaryWrite,
} from '../sync/snapshot-summary.js';

/**
 * What a plan was made against: the summary (and the few entries it needed read), or the whole
 * snapshot (the first sync, a summary missing, stale or failing its own check, a key that cannot
 * see every field), in which case the run rebuilds the summary.
 */
export type SnapshotBasis =
  | { mode: 'summary'; summary: LoadedSummary; version: number; entriesRead: number; /** Chunks read (the others were decoded by this worker before). */ chunksRead: number }
  | { mode: 'full'; previous: Map<string, SnapshotEntry>; version: number | null; head: SummaryHead | null; reason: string; entriesRead: number };

export interface PlannedAgainstSnapshot {
  plan: SyncPlan;
  basis: SnapshotBasis;
}

/**
 * The summary named by the feed's bookkeeping, checked; or why it cannot be used. Chunks a warm worker
 * decoded before under the same name and checksum are not read again (`chunksRead` counts the others).
 */
export const loadSummary = async (
  deps: { snapshots: Pick<SnapshotStore, 'readSummaryChunks'>; summaryCache?: SummaryChunkCache | undefined },
  tenantId: string,
  state: Pick<FeedState, 'summary' | 'summaryStale' | 'committedSeq'>,
): Promise<{ summary: LoadedSummary; version: number; chunksRead: number } | { summary: null; reason: string }> => {
  if (!state.summary) return { summary: null, reason: 'no summary yet' };
  if (state.summaryStale) return { summary: null, reason: 'the summary is stale (a run wrote the snapshot and did not finish)' };
  try {
    const head = decodeHead(state.summary.head);
    if (head.committedSeq !== state.committedSeq) {
      return { summary: null, reason: `the feed moved to seq ${state.committedSeq} without the summary (saved at ${head.committedSeq}): written by an older version` };
    }
    const cache = deps.summaryCache;
    const keyOf = (index: number): SummaryChunkKey => ({ tenantId, index, of: head.chunks.length, slot: head.chunks[index]!.slot, sum: head.chunks[index]!.sum });
    const decoded = head.chunks.map((_, index) => cache?.get(keyOf(index)));
    const missing = decoded.flatMap((chunk, index) => (chunk ? [] : [index]));
    if (missing.length > 0) {
      const bytes = await deps.snapshots.readSummaryChunks(tenantId, missing.map((index) => ({ index, slot: head.chunks[index]!.slot })));
      missing.forEach((index, i) => (decoded[index] = decodeHeadChunk(head, index, bytes[i] ?? null)));
    }
    const summary = assembleDecoded(head, decoded as SummaryStub[][]);
    // Kept once the whole summary checked out (a chunk in the wrong place is not kept).
    if (cache) for (const index of missing) cache.set(keyOf(index), summary.chunks[index]!);
    return { summary, version: state.summary.version, chunksRead: missing.length };
  } catch (error) {
    if (error instanceof SummaryCorruptError) return { summary: null, reason: error.message };
    throw error;
  }
};

/**
 * Plans a sync reading as little of the snapshot as it can: the summary's stubs first; then only
 * the entries the plan needs in full (those that change, their managers' when the org moves, rows
 * frozen for a missing exclusion box), each checked against its stub; then the plan again. Anything
 * unexpected (a stub that does not describe its entry) falls back to reading the whole snapshot,
 * which is always right.
 */
export type LoadedSummaryResult = Awaited<ReturnType<typeof loadSummary>>;

export const planAgainstSnapshot = async (
  deps: { snapshots: Pick<SnapshotStore, 'load' | 'get' | 'readSummaryChunks'>; log: Log },
  input: {
    tenantId: string;
    state: Pick<FeedState, 'summary' | 'summaryStale' | 'committedSeq'> | null;
    plan: Omit<PlanInput, 'previous'>;
    /** The summary, if the caller started reading it already (the worker does, as soon as it has the feed's bookkeeping). */
    loading?: Promise<LoadedSummaryResult> | null;
    /**
     * Entries the caller read already, while BambooHR answered (a targeted run's employees): those the
     * plan needs are used as if read after it, checked against their stubs alike; the rest are not used.
     * A failed read is no answer: the plan reads what it needs itself.
     */
    prefetched?: Promise<readonly SnapshotEntry[]> | null;
  },
): Promise<PlannedAgainstSnapshot> => {
  const { tenantId } = input;
  let reason = 'no summary asked for';
  if (input.state && input.plan.unknownFields.size > 0) reason = 'the key cannot see every field: their told values are read in full';
  else if (input.state) {
    const loaded = await (input.loading ?? loadSummary(deps, tenantId, input.state));
    if (loaded.summary) {
      const { summary, version, chunksRead } = loaded;
      const first = planSync({ ...input.plan, previous: summary.stubs });
      if (first.needs.length === 0) {
        // (Entries read early are counted though unused: they were read.)
        const early = input.prefetched ? (await input.prefetched.catch(() => [] as readonly SnapshotEntry[])).length : 0;
        return { plan: first, basis: { mode: 'summary', summary, version, entriesRead: early, chunksRead } };
      }
      const { entries, read } = await entriesNeeded(deps, tenantId, first.needs, input.prefetched);
      const mismatch = first.needs.length !== entries.length || entries.some((entry) => !stubMatches(summary.stubs.get(entry.employee.id)!, entry));
      if (!mismatch) {
        const previous = new Map<string, SnapshotEntry | SummaryStub>(summary.stubs);
        for (const entry of entries) previous.set(entry.employee.id, entry);
        const second = planSync({ ...input.plan, previous });
        if (second.needs.length === 0) return { plan: second, basis: { mode: 'summary', summary, version, entriesRead: read, chunksRead } };
        reason = `the plan still needed ${second.needs.length} entries after reading them`;
      } else reason = 'the summary does not describe the snapshot it was read with';
      deps.log.warn('Snapshot summary not used: reading the whole snapshot', { tenantId, reason });
    } else reason = loaded.reason;
  }
  const previous = await deps.snapshots.load(tenantId);
  const plan = planSync({ ...input.plan, previous });
  return {
    plan,
    basis: { mode: 'full', previous, version: input.state?.summary?.version ?? null, head: readableHead(input.state), reason, entriesRead: previous.size },
  };
};

/** The entries of `needs`: those read early, and the others read now; `read` counts every entry read. */
const entriesNeeded = async (
  deps: { snapshots: Pick<SnapshotStore, 'get'> },
  tenantId: string,
  needs: readonly string[],
  prefetched: Promise<readonly SnapshotEntry[]> | null | undefined,
): Promise<{ entries: SnapshotEntry[]; read: number }> => {
  const early = prefetched ? await prefetched.catch(() => [] as readonly SnapshotEntry[]) : [];
  const wanted = new Set(needs);
  const found = new Map<string, SnapshotEntry>();
  for (const entry of early) if (wanted.has(entry.employee.id)) found.set(entry.employee.id, entry);
  const missing = needs.filter((id) => !found.has(id));
  const rest = missing.length > 0 ? await deps.snapshots.get(tenantId, missing) : [];
  return { entries: [...found.values(), ...rest], read: early.length + rest.length };
};

/** The current head if it can be read: a rebuilt summary is written beside the chunks it names. */
const readableHead = (state: Pick<FeedState, 'summary'> | null): SummaryHead | null => {
  if (!state?.summary) return null;
  try {
    return decodeHead(state.summary.head);
  } catch {
    return null;
  }
};

/**
 * The summary after a run applies its plan (null: nothing to save). Against the summary: the stubs
 * of the entries written and of the synced employees whose `orgDerived` changed, into its delta or
 * folded into the chunks they touch. Against the whole snapshot: a new summary of it all.
 * A held run writes nothing, so the summary stays as it is.
 */
export const summaryAfter = (basis: SnapshotBasis, plan: SyncPlan, committedSeq: number, limits: SummaryLimits = SUMMARY_LIMITS): SummaryWrite | null => {
  if (plan.outcome === 'held') return null;
  const orgStale = new Set(plan.orgStale);
  const written = new Map(plan.snapshotWrites.map((entry) => [entry.employee.id, entry]));
  const stubFor = (entry: SnapshotEntry) => stubOf(entry, entry.state !== 'synced' || !orgStale.has(entry.employee.id));
  if (basis.mode === 'full') {
    const all: SummaryStub[] = [];
    for (const [id, entry] of basis.previous) if (!written.has(id)) all.push(stubFor(entry));
    for (const entry of written.values()) all.push(stubFor(entry));
    return buildSummary(all, basis.head, limits, committedSeq);
  }
  const changed: SummaryStub[] = [...written.values()].map(stubFor);
  const decided = plan.orgDecided === 'all' ? basis.summary.stubs.keys() : plan.orgDecided;
  for (const id of decided) {
    const stub = basis.summary.stubs.get(id);
    if (!stub || stub.state !== 'synced' || written.has(id)) continue;
    const derived = !orgStale.has(id);
    if (stub.orgDerived !== derived) changed.push({ ...stub, orgDerived: derived });
  }
  return updateSummary(basis.summary, changed, limits, committedSeq);
};
