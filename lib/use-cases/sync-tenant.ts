import { BambooHrAuthError, BambooHrRateLimitedError, errorMessage, OAuthGrantRefusedError, SecretMissingError, SyncError, TenantNotFoundError } from '../errors.js';
import { credentialAfterRefusal, credentialsOf, usableSecret, type CredentialDeps } from './tenant-credentials.js';
import type { SyncJob } from '../model/job.js';
import { ZERO_COUNTS, type RunRecord, type Warning } from '../model/run.js';
import type { SafeguardApproval } from '../sync/safeguards.js';
import type { Tenant } from '../model/tenant.js';
import type { Log } from '../logging.js';
import type { SnapshotEntry } from '../model/snapshot.js';
import type {
  FeedState,
  PendingAppend,
  TenantSecret,
  ChangeFeed,
  Clock,
  FeedAppend,
  EmployeeSourceFactory,
  RunStore,
  SecretStore,
  SnapshotStore,
  SummaryChunkCache,
  StatusTransition,
  TenantStatusWriter,
  TenantStore,
} from '../ports.js';
import { encodeHead, type SummaryLimits } from '../sync/snapshot-summary.js';
import type { SyncPlan } from '../sync/plan-sync.js';
import { loadSummary, summaryAfter, type LoadedSummaryResult, type SnapshotBasis } from './plan-against-snapshot.js';
import { incrementalCursor, pullAndPlan } from './pull-and-plan.js';
import type { ActivityRecorder } from './record-activity.js';

/** A message that goes on with another sentence ends with a stop. */
const asSentence = (text: string): string => (/[.!?)]$/.test(text.trim()) ? text.trim() : `${text.trim()}.`);

export interface SyncTenantDeps extends Partial<Pick<CredentialDeps, 'oauth' | 'markers' | 'sleep'>> {
  tenants: TenantStore & TenantStatusWriter;
  secrets: SecretStore;
  employeeSource: EmployeeSourceFactory;
  snapshots: SnapshotStore;
  feed: ChangeFeed;
  runs: RunStore;
  clock: Clock;
  log: Log;
  activity: ActivityRecorder;
  /** Deliveries of one job that may end in a failure (rate-limit waits aside) before it is given up (default 5). */
  maxAttempts?: number;
  /** The snapshot summary's sizes (tests make them tiny, to fold and rebuild often). */
  summaryLimits?: SummaryLimits;
  /** Summary chunks decoded by earlier runs of this worker (none: every run reads its chunks). */
  summaryCache?: SummaryChunkCache | undefined;
}

export const DEFAULT_MAX_ATTEMPTS = 5;

export type SyncTenantResult =
  | { outcome: 'skipped'; reason: string; run: RunRecord | null }
  | { outcome: 'duplicate'; run: RunRecord }
  | { outcome: 'succeeded' | 'held' | 'failed'; run: RunRecord };

/** One run per job: a redelivered job finds its run again by this id; a redriven one starts a new run. */
export const runIdFor = (job: Pick<SyncJob, 'jobId' | 'requestedAt' | 'redrive'>): string =>
  `${runTimeOf(job)}-${job.jobId}${job.redrive ? `-r${job.redrive.count}` : ''}`;

/**
 * The time part of a run id: when the job was requested; for a scheduled job, the start of its
 * period, which its id names (`schedule-20261125T1000-acme`), so that the period's one job is one
 * run whatever its requestedAt (a slot time that moves when SYNC_SCHEDULE changes, or the time the
 * hourly scheduler before slots gave it).
 */
const runTimeOf = (job: Pick<SyncJob, 'jobId' | 'requestedAt'>): string => {
  const period = /^schedule-(\d{8})T(\d{4})-/.exec(job.jobId);
  const digits = period ? `${period[1]}${period[2]}` : job.requestedAt.replace(/[^0-9]/g, '');
  return digits.slice(0, 17).padEnd(17, '0');
};

const FINISHED = (run: RunRecord): boolean =>
  run.status === 'succeeded' || run.status === 'held' || (run.status === 'failed' && run.error?.retryable === false);

/**
 * Runs one sync job for one tenant: load the tenant, get its key, pull, plan, and write only the
 * differences. Non-retryable failures put the tenant in `needs-attention` and are returned; retryable
 * ones are thrown after the run is recorded, so that the queue tries again later.
 */
export const syncTenant = async (deps: SyncTenantDeps, job: SyncJob): Promise<SyncTenantResult> => {
  const tenant = await deps.tenants.get(job.tenantId);
  if (!tenant) throw new TenantNotFoundError(job.tenantId);
  if (tenant.status === 'disabled') return { outcome: 'skipped', reason: 'tenant disabled', run: null };
  if (tenant.status === 'needs-attention' && job.requestedBy !== 'support' && job.requestedBy !== 'probe') {
    return { outcome: 'skipped', reason: `tenant needs attention: ${tenant.statusReason ?? ''}`, run: null };
  }
  // A probe acts as one only while the tenant still needs attention: support may have fixed it since.
  const probe = job.requestedBy === 'probe' && tenant.status === 'needs-attention';

  const runId = runIdFor(job);
  const startedAt = deps.clock.now().toISOString();
  const fresh: RunRecord = {
    tenantId: tenant.tenantId,
    runId,
    jobId: job.jobId,
    kind: job.kind,
    requestedBy: job.requestedBy,
    startedAt,
    finishedAt: null,
    status: 'running',
    counts: { ...ZERO_COUNTS },
    warnings: [],
    held: null,
    error: null,
    feed: null,
    employeesSynced: null,
    bamboohrRequests: null,
    attempts: 1,
    waits: 0,
  };
  // Reads the run does not depend on, at once with claiming the run: the key, and the feed's
  // bookkeeping (a pending append, the summary's head), then the summary it names (not for an
  // incremental job, which may find nothing changed and need none). A duplicate run drops what they read.
  const stateRead = deps.feed.state(tenant.tenantId);
  const early = Promise.all([deps.secrets.get(tenant.tenantId), stateRead]);
  early.catch(() => undefined);
  // As soon as the bookkeeping is in: mostly read before BambooHR is asked rather than while it answers.
  // (A pending append is repaired first, which leaves the summary stale: then nothing is read, and the plan reads the whole snapshot.)
  const summaryRead: Promise<LoadedSummaryResult> | null =
    job.kind === 'incremental' ? null : stateRead.then((state) => loadSummary(deps, tenant.tenantId, state.pending ? { ...state, summaryStale: true } : state));
  summaryRead?.catch(() => undefined);
  const started = await deps.runs.start(fresh);
  if (!started.created && FINISHED(started.existing)) return { outcome: 'duplicate', run: started.existing };
  const run: RunRecord = started.created ? fresh : { ...started.existing, status: 'running', startedAt, error: null, attempts: started.existing.attempts + 1 };
  if (!started.created) {
    // Counted before anything runs, so that a delivery that dies (timeout, out of memory) counts too.
    const maxAttempts = deps.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    const failed = started.existing.attempts - started.existing.waits;
    if (failed >= maxAttempts) {
      const last = started.existing.error?.message ?? 'each delivery stopped before its run finished (a timeout or a crash)';
      run.status = 'failed';
      run.error = { code: 'gave-up', message: `Gave up after ${failed} failed attempts; the last: ${last}`, retryable: true };
      run.finishedAt = startedAt;
      await deps.runs.finish(run);
      logRun(deps.log, run);
      throw new GiveUpError(run, failed);
    }
    await deps.runs.finish(run);
  }

  let requests = 0;
  let attention: string | null = null;
  let snapshotRead: Record<string, unknown> | null = null;
  try {
    const [stored, state] = await early;
    if (!stored) throw new SecretMissingError(tenant.tenantId);
    // An OAuth grant about to expire is refreshed (and saved) before it is used.
    const secret = await usableSecret(deps, tenant, stored);
    const sourceFor = (s: TenantSecret) => deps.employeeSource({ tenantId: tenant.tenantId, subdomain: tenant.subdomain, ...credentialsOf(s) });
    let source = sourceFor(secret);

    let feedState = state;
    if (feedState.pending) {
      await repairPendingAppend(deps, tenant.tenantId, feedState.pending);
      feedState = { ...feedState, pending: null, summaryStale: true, committedSeq: Math.max(feedState.committedSeq, feedState.pending.lastSeq) };
    }

    const since = job.kind === 'incremental' ? incrementalCursor(await deps.runs.list(tenant.tenantId, 20)) : null;
    const approval = approvalOf(job, deps.clock.now());
    // The early read of the summary serves the first pull; a pull again (after a refused key) reuses
    // it if it succeeded and reads again if it failed, as the first pull's failure may have been its.
    const summaryFor = (again: boolean): Promise<LoadedSummaryResult> | null =>
      summaryRead && again ? summaryRead.catch(() => loadSummary(deps, tenant.tenantId, feedState)) : summaryRead;
    const pull = (again = false) =>
      pullAndPlan({
        tenant,
        job,
        approval: approval.approval,
        source,
        snapshots: deps.snapshots,
        incrementalSince: since,
        feedState,
        summary: summaryFor(again),
        summaryCache: deps.summaryCache,
        log: deps.log,
      });
    try {
      const { plan, kind, basis } = await pull().catch(async (error: unknown) => {
        if (!(error instanceof BambooHrAuthError)) throw error;
        requests += source.requestCount;
        // A refused access token is refreshed once; a refused key may be a cached one support has just replaced.
        const again = await credentialAfterRefusal(deps, tenant, secret);
        if (!again) {
          requests -= source.requestCount;
          throw error;
        }
        source = sourceFor(again);
        if (!secret.oauth) return pull(true);
        return pull(true).catch((refused: unknown) => {
          throw refused instanceof BambooHrAuthError ? new OAuthGrantRefusedError(tenant.tenantId, tenant.subdomain) : refused;
        });
      });
      snapshotRead = basis
        ? { mode: basis.mode, entriesRead: basis.entriesRead, ...(basis.mode === 'full' ? { reason: basis.reason } : { summaryChunksRead: basis.chunksRead }) }
        : null;
      run.kind = kind;
      run.counts = plan.counts;
      run.warnings = plan.warnings;
      run.employeesSynced = plan.employeesSynced;
      if (plan.outcome === 'held') {
        run.status = 'held';
        run.held = plan.held;
        if (job.approval || job.allowDeactivations) run.warnings = [...run.warnings, approvalNotApplied(job, approval.expired)];
      } else {
        run.feed = await applyPlan(deps, tenant.tenantId, runId, plan, basis, feedState);
        run.status = 'succeeded';
      }
    } finally {
      requests += source.requestCount;
    }
  } catch (error) {
    run.status = 'failed';
    const retryAfterSeconds = error instanceof BambooHrRateLimitedError ? error.retryAfterSeconds : null;
    run.error = {
      code: error instanceof SyncError ? error.code : 'internal',
      message: errorMessage(error),
      // A probe is not retried: the next one comes on the schedule.
      retryable: !probe && (error instanceof SyncError ? error.retryable : true),
      ...(retryAfterSeconds !== null ? { retryAfterSeconds } : {}),
    };
    // Waiting out a rate limit BambooHR announced is no failure of the job's own.
    if (retryAfterSeconds !== null) run.waits += 1;
    if (error instanceof SyncError && error.needsAttention) attention = error.message;
    else if (probe) attention = tenant.statusReason ?? run.error.message;
  }
  run.bamboohrRequests = requests;
  run.finishedAt = deps.clock.now().toISOString();
  const [, moved] = await Promise.all([deps.runs.finish(run), recordOnTenant(deps, tenant, run, attention)]);
  await recordActivityOf(deps, { tenant, job, run, attention, moved });
  logRun(deps.log, run, snapshotRead);

  if (run.status === 'failed' && run.error?.retryable) throw new RetryLaterError(run);
  return { outcome: run.status as 'succeeded' | 'held' | 'failed', run };
};

/**
 * A job given up after its attempts (see decideRetry) parks its tenant in needs-attention, so that
 * further syncs back off as probes (1 h, 2 h, 4 h...) rather than each failing five times and
 * dead-lettering a job every period. The reason names what failed and where the job went.
 */
export const parkAfterGivingUp = async (
  deps: Pick<SyncTenantDeps, 'tenants' | 'clock' | 'activity'>,
  run: RunRecord,
  deliveryReason: string,
): Promise<void> => {
  const tenant = await deps.tenants.get(run.tenantId);
  if (!tenant || tenant.status === 'disabled') return;
  const reason =
    `Syncs of this tenant keep failing: ${deliveryReason}. The last job is in the dead-letter queue (bamboohr-sync dlq list); ` +
    `fix the cause and redrive it, or let the automatic probes find it working again.`;
  const moved = await deps.tenants.recordRun(tenant.tenantId, summaryOf(tenant, run), {
    status: 'needs-attention',
    reason,
    from: ['active', 'needs-attention'],
    attention: attentionAfterFailure(tenant, deps.clock.now()),
  });
  if (moved && tenant.status === 'active') {
    await deps.activity.record({
      tenantId: tenant.tenantId,
      type: 'needs-attention',
      actor: 'worker',
      runId: run.runId,
      message: `${asSentence(reason)} Until then nothing is synced; probes follow after 1 h, 2 h, 4 h... (at most daily).`,
      details: { code: run.error?.code ?? null },
    });
  }
};

/** The time between automatic probes of a tenant that needs attention: 1 h, doubling, at most a day. */
export const probeDelayMs = (probes: number): number => Math.min(24, 2 ** probes) * 3_600_000;

/** The probe bookkeeping after a run that needs attention: a first one starts the clock, a failed probe doubles the wait. */
export const attentionAfterFailure = (tenant: Tenant, now: Date): NonNullable<Tenant['attention']> => {
  const previous = tenant.status === 'needs-attention' ? tenant.attention : null;
  const probes = previous ? previous.probes + 1 : 0;
  return { since: previous?.since ?? now.toISOString(), probes, nextProbeAt: new Date(now.getTime() + probeDelayMs(probes)).toISOString() };
};

/** How long support's approval of a held run stays good: a job redriven days later is judged again. */
export const APPROVAL_TTL_MS = 24 * 3_600_000;

const approvalOf = (job: SyncJob, now: Date): { approval: SafeguardApproval | null; expired: boolean } => {
  if (!job.approval) return { approval: null, expired: false };
  const expired = now.getTime() - Date.parse(job.requestedAt) > APPROVAL_TTL_MS;
  return { approval: expired ? null : { kind: 'fingerprint', fingerprint: job.approval.fingerprint }, expired };
};

const approvalNotApplied = (job: SyncJob, expired: boolean): Warning => ({
  code: 'approval-not-applied',
  message: !job.approval
    ? 'This job carried a go-ahead not bound to a held run (an old or redriven job), so the safeguard judged the run again. Review it, then allow it with: bamboohr-sync sync <tenantId> --allow-deactivations'
    : expired
      ? `The approval of held run '${job.approval.heldRunId}' is older than 24 h, so the safeguard judged the run again. Review it, then allow it again if it is right.`
      : `The approval of held run '${job.approval.heldRunId}' covered other departures or returns than this run would make (BambooHR's data changed since), so it was held again. Review it, then allow it if it is right.`,
});

/** Thrown for a failed run that the queue should try again; carries the recorded run. */
export class RetryLaterError extends Error {
  constructor(readonly run: RunRecord) {
    super(`Sync of '${run.tenantId}' failed and will be retried: ${run.error?.message ?? ''}`);
    this.name = 'RetryLaterError';
  }
}

/** Thrown for a job that failed as often as it may: the worker moves it to the dead-letter queue. */
export class GiveUpError extends Error {
  constructor(
    readonly run: RunRecord,
    readonly failedAttempts: number,
  ) {
    super(`Sync of '${run.tenantId}' gave up after ${failedAttempts} failed attempts: ${run.error?.message ?? ''}`);
    this.name = 'GiveUpError';
  }
}

/*
 * Write order, and why a worker may die at any point without losing or repeating a change:
 *   1. reserve a seq range for this run (a `pending` marker on the tenant's feed), which also marks
 *      the snapshot summary stale, in the same write;
 *   2. write the feed items at those seqs (idempotent puts: the same seq is the same item);
 *   3. write the snapshot entries (idempotent puts of each employee's after-state);
 *   4. write the summary's new chunks, if any, each to the slot the current head does not name (so the
 *      summary the head describes is never overwritten);
 *   5. commit: clear `pending`, which makes the range visible to the product, and in the same write
 *      switch the summary's head to the new one and clear its stale mark.
 * The feed is written before the snapshot, so a change can never be in the snapshot (and thus never
 * be emitted again) without being in the feed. A worker that dies after 1, 2, 3 or 4 leaves `pending`
 * behind. The next run of that tenant (the same SQS message redelivered, or any later job: the FIFO
 * group serialises them) first rolls it forward in repairPendingAppend: it writes the snapshot entry
 * stored with every feed item in the range (exactly what the dead run meant to write), then commits,
 * leaving the summary marked stale. Its own diff then starts from a snapshot that already holds those
 * changes, so nothing is emitted twice. Dying before 1 leaves nothing behind, and the rerun simply
 * computes the same changes again.
 *
 * The summary only ever lets a run skip reading an entry when it is trusted: saved by the same write
 * that ended the last snapshot write (5, or saveSummary below), and not marked stale since. Every
 * snapshot write is preceded by the stale mark (1, or markSummaryStale for a run that writes only
 * bookkeeping and reserves no seqs), so a worker that dies between a snapshot write and the summary's
 * save leaves the mark, and the next run reads the whole snapshot (always right) and rebuilds the
 * summary. An entry a run does read is checked against its stub; a mismatch also means a full read.
 * The head records the committed seq it describes: a worker of an older version, which commits
 * without marking or saving a summary, moves the seq away from it, and the summary is not trusted.
 * The commit switches the head only if the summary is still the version the run planned against
 * (else it commits the range alone and leaves the mark), so a late run never replaces a newer summary.
 * A warm worker may take chunks from memory instead of reading them (summaryCache): only under the
 * head's own name and checksum for them, and chunks are written beside the ones a head names, never
 * over them (4), so what it takes is exactly what it would read. Entries a targeted run reads while
 * BambooHR answers are checked against their stubs like those read after.
 *
 * Before any of this, an OAuth tenant's run may write its secret (usableSecret): a grant that expires
 * within 5 minutes, or that BambooHR refused, is refreshed under a lock and the rotated pair saved
 * before the new access token is used, as a pending version naming the one read, then made current
 * (compare-and-set). It touches nothing of the feed or the snapshot, so the order above is unchanged. A
 * worker that dies after the pending save leaves it for the next one to make current (no second
 * refresh with a spent token); a save that lost to another write holding the same grant (a webhook key
 * changed) is merged into it. One gap is BambooHR's: a worker that dies after BambooHR answered the
 * refresh but before the pending save loses the rotated pair, and the next refresh is refused: the
 * tenant then needs a new connect link (needs-attention, with the command), and nothing is deactivated.
 * (tests/unit/tenant-credentials.test.ts, tests/review/connect*-*.test.ts)
 */
const applyPlan = async (
  deps: SyncTenantDeps,
  tenantId: string,
  runId: string,
  plan: SyncPlan,
  basis: SnapshotBasis | null,
  state: Pick<FeedState, 'committedSeq' | 'nextSeq'>,
): Promise<RunRecord['feed']> => {
  const { changes, snapshotWrites } = plan;
  if (changes.length === 0) {
    // The summary describes the feed at its committed seq (its check against an older writer's commits).
    const summary = basis ? summaryAfter(basis, plan, state.committedSeq, deps.summaryLimits) : null;
    if (snapshotWrites.length > 0) {
      await deps.feed.markSummaryStale(tenantId);
      await deps.snapshots.put(tenantId, snapshotWrites);
    }
    if (summary && basis) {
      await deps.snapshots.writeSummaryChunks(tenantId, summary.chunks);
      if (!(await deps.feed.saveSummary(tenantId, encodeHead(summary.head), basis.version))) {
        deps.log.warn('The snapshot summary changed meanwhile: not saved (the next run reads the whole snapshot)', { tenantId, runId });
      }
    }
    return null;
  }
  const pending = await deps.feed.reserve(tenantId, runId, changes.length, state.nextSeq);
  const summary = basis ? summaryAfter(basis, plan, pending.lastSeq, deps.summaryLimits) : null;
  const at = deps.clock.now().toISOString();
  // Each changed entry carries the seq of its change: above the committed seq until the commit, which
  // is how readers of the snapshot tell an uncommitted entry (and show its previous state instead).
  const entries = new Map(snapshotWrites.map((entry) => [entry.employee.id, entry]));
  const appends: FeedAppend[] = changes.map((change, i) => {
    const seq = pending.firstSeq + i;
    const snapshot = { ...entries.get(change.employeeId)!, seq };
    entries.set(change.employeeId, snapshot);
    return { record: { ...change, tenantId, seq, runId, at }, snapshot };
  });
  const changedIds = new Set(changes.map((change) => change.employeeId));
  await writeFeedThenSnapshot(deps, tenantId, appends, [...entries.values()].filter((entry) => !changedIds.has(entry.employee.id)));
  if (summary) await deps.snapshots.writeSummaryChunks(tenantId, summary.chunks);
  // Switched with the commit only if nobody saved another summary since this run read its own.
  await deps.feed.commit(tenantId, pending, summary && basis ? { head: encodeHead(summary.head), expectedVersion: basis.version } : undefined);
  return { firstSeq: pending.firstSeq, lastSeq: pending.lastSeq };
};

/** Appends per group: one round of the batch writers (8 BatchWriteItem calls of 25). */
const WRITE_GROUP = 200;

/**
 * Steps 2 and 3 of the write order, pipelined: each group's snapshot entries are written once that
 * group's feed items are, while the next group's feed items are being written. Every change is thus
 * in the feed before its entry is in the snapshot (what the argument above needs), and the two
 * tables are written at once. Entries without a change (bookkeeping) go last.
 */
const writeFeedThenSnapshot = async (
  deps: Pick<SyncTenantDeps, 'feed' | 'snapshots'>,
  tenantId: string,
  appends: readonly FeedAppend[],
  bookkeeping: readonly SnapshotEntry[],
): Promise<void> => {
  let snapshotWrites: Promise<void> = Promise.resolve();
  try {
    for (let start = 0; start < appends.length; start += WRITE_GROUP) {
      const group = appends.slice(start, start + WRITE_GROUP);
      await deps.feed.write(group);
      snapshotWrites = snapshotWrites.then(() => deps.snapshots.put(tenantId, group.map((append) => append.snapshot)));
      // Handled here (a failure is rethrown below, once): never an unhandled rejection meanwhile.
      snapshotWrites.catch(() => undefined);
    }
  } catch (error) {
    await snapshotWrites.catch(() => undefined);
    throw error;
  }
  await snapshotWrites;
  if (bookkeeping.length > 0) await deps.snapshots.put(tenantId, bookkeeping);
};

/** Rolls forward an append that a dead worker left uncommitted (see the write order above); the summary stays stale. */
export const repairPendingAppend = async (
  deps: Pick<SyncTenantDeps, 'feed' | 'snapshots' | 'log'>,
  tenantId: string,
  known?: PendingAppend,
): Promise<number> => {
  const pending = known ?? (await deps.feed.pending(tenantId));
  if (!pending) return 0;
  // Reserved by a version that did not mark it, the summary must not be trusted either.
  await deps.feed.markSummaryStale(tenantId);
  const appends = await deps.feed.readRange(tenantId, pending.firstSeq, pending.lastSeq);
  if (appends.length > 0) await deps.snapshots.put(tenantId, appends.map((append) => append.snapshot));
  await deps.feed.commit(tenantId, pending);
  deps.log.warn('Rolled forward an append left by an interrupted run', {
    tenantId,
    interruptedRunId: pending.runId,
    firstSeq: pending.firstSeq,
    lastSeq: pending.lastSeq,
    recordsFound: appends.length,
  });
  return appends.length;
};

/**
 * What support hears about a run, once per problem: a tenant that starts needing attention (not each
 * failed probe after), one that recovers, and a run held while the last one was not.
 */
const recordActivityOf = async (
  deps: SyncTenantDeps,
  input: { tenant: Tenant; job: SyncJob; run: RunRecord; attention: string | null; moved: boolean },
): Promise<void> => {
  const { tenant, job, run } = input;
  const base = { tenantId: tenant.tenantId, runId: run.runId, actor: job.requestedBy === 'probe' ? 'scheduler (probe)' : `worker (${job.requestedBy} job)` };
  if (input.attention !== null && input.moved && tenant.status !== 'needs-attention') {
    await deps.activity.record({
      ...base,
      type: 'needs-attention',
      message: `${asSentence(input.attention)} Until then nothing is synced; the tenant is probed again after 1 h, 2 h, 4 h... (at most daily), and the first probe that succeeds makes it active again.`,
      details: { code: run.error?.code ?? null },
    });
  } else if ((run.status === 'succeeded' || run.status === 'held') && input.moved && (tenant.status === 'needs-attention' || tenant.recoveryPending)) {
    // The needs-attention alert's answer, once: also when support made the tenant active by hand
    // (then the first run that reaches BambooHR after says so; the alert alone would stay open).
    const byHand = tenant.status !== 'needs-attention';
    await deps.activity.record({
      ...base,
      type: 'recovered',
      message:
        `Syncing again: ${job.requestedBy === 'probe' ? 'an automatic probe' : `a ${job.requestedBy} sync`} ` +
        `${run.status === 'held' ? 'reached BambooHR (its run was held by the safeguard: review it)' : 'succeeded'}` +
        `${tenant.attention ? ` (it needed attention since ${tenant.attention.since})` : ''}.` +
        (byHand ? ' It had been made active again by support.' : ` It had needed attention for: ${tenant.statusReason ?? 'unknown'}`),
    });
  }
  // Once per held episode: from the first held run until a full run is applied (tenant.heldRun).
  if (run.status === 'held' && run.held && tenant.heldRun === null && tenant.lastRun?.status !== 'held') {
    const { wouldDeactivate, wouldReactivate, syncedBefore } = run.held;
    await deps.activity.record({
      ...base,
      type: 'held',
      message:
        `A run was held by the safeguard: it would deactivate ${wouldDeactivate} and reactivate ${wouldReactivate} of ${syncedBefore} synced employees. ` +
        `Nothing was applied. Check with: bamboohr-sync sync ${tenant.tenantId} --dry-run; if it is right: bamboohr-sync sync ${tenant.tenantId} --allow-deactivations --wait`,
      details: { wouldDeactivate, wouldReactivate, syncedBefore },
    });
  }
};

/** Records the run on the tenant; true when its status moved. */
const summaryOf = (tenant: Tenant, run: RunRecord): NonNullable<Tenant['lastRun']> => ({
  runId: run.runId,
  kind: run.kind,
  status: run.status,
  startedAt: run.startedAt,
  finishedAt: run.finishedAt,
  counts: run.counts,
  warnings: run.warnings.length,
  error: run.error?.message ?? null,
  employeesSynced: run.employeesSynced ?? tenant.lastRun?.employeesSynced ?? null,
});

const recordOnTenant = async (deps: SyncTenantDeps, tenant: Tenant, run: RunRecord, attention: string | null): Promise<boolean> => {
  const summary = summaryOf(tenant, run);
  const status: StatusTransition | undefined =
    attention !== null
      ? { status: 'needs-attention', reason: attention, from: ['active', 'needs-attention'], attention: attentionAfterFailure(tenant, deps.clock.now()) }
      : (run.status === 'succeeded' || run.status === 'held') && tenant.status === 'needs-attention'
        ? // BambooHR answered and a plan was made: what it needed attention for is gone (a held run is
          // then support's to review, like any other held run).
          { status: 'active', reason: null, from: ['needs-attention'], attention: null }
        : (run.status === 'succeeded' || run.status === 'held') && tenant.status === 'active' && tenant.recoveryPending
          ? // Made active by support (enable, a working key) while it needed attention: this run proves the fix, and ends the episode.
            { status: 'active', reason: null, from: ['active'], attention: null, whileRecoveryPending: true }
          : undefined;
  return deps.tenants.recordRun(tenant.tenantId, summary, status);
};

const logRun = (log: Log, run: RunRecord, snapshotRead: Record<string, unknown> | null = null): void => {
  const fields = {
    ...(snapshotRead ? { snapshotRead } : {}),
    tenantId: run.tenantId,
    runId: run.runId,
    kind: run.kind,
    status: run.status,
    counts: run.counts,
    warnings: run.warnings.map((w) => w.code),
    bamboohrRequests: run.bamboohrRequests,
    error: run.error,
  };
  if (run.status === 'failed') log.error('Sync run failed', fields);
  else if (run.status === 'held') log.warn('Sync run held by the deactivation safeguard', fields);
  else log.info('Sync run finished', fields);
};
