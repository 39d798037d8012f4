import type { Log } from '../logging.js';
import type { SyncJob } from '../model/job.js';
import type { DueTenant, JobQueue, ScheduleState, TenantStore } from '../ports.js';
import { dueSlots, slotTime } from '../sync/schedule.js';
import type { ActivityRecorder } from './record-activity.js';

export interface EnqueueScheduledSyncsDeps {
  tenants: Pick<TenantStore, 'listByStatus' | 'listDue' | 'markStale' | 'assignMissingSlots'>;
  scheduleState: ScheduleState;
  queue: JobQueue;
  activity: ActivityRecorder;
  log: Log;
  settings: { periodMs: number; staleAfterMs: number };
}

export interface EnqueueScheduledSyncsResult {
  /** The time this invocation covered, [from, to) in ISO, or null when an earlier one already had (a redelivered event). */
  window: { from: string; to: string } | null;
  /** Active tenants whose slot fell in the window: their scheduled sync was enqueued. */
  tenants: number;
  /** Tenants needing attention whose automatic probe was due and enqueued. */
  probes: number;
  /** Tenants found stale now (one alert each). */
  stale: number;
  sent: number;
  batches: number;
  /** This invocation covered the start of a period (or was the scheduler's first): once-a-period housekeeping runs after it. */
  periodStarted: boolean;
}

const PAGE_SIZE = 1000;
/** The first run of the scheduler covers the last minute only; a long outage at most one period (everyone once). */
const FIRST_WINDOW_MS = 60_000;

const rethrow = async (outcome: unknown): Promise<void> => {
  if (outcome && typeof outcome === 'object' && 'failed' in outcome) throw outcome.failed;
};

/** `2026-11-25T10:00:00Z` → `20261125T1000`: a period start (or a minute), part of a job's id. */
export const scheduleSlot = (at: string | number): string => new Date(at).toISOString().slice(0, 16).replace(/[-:]/g, '');

const age = (ms: number): string => (ms < 172_800_000 ? `${Math.round(ms / 3_600_000)} h` : `${Math.round(ms / 86_400_000)} days`);

/**
 * The scheduler, every minute: every active tenant is synced once per period, each in its own stable
 * slot of the period (lib/sync/schedule.ts), so that workers and BambooHR get an even load rather
 * than everyone in the first seconds of the hour.
 *
 * Each invocation covers the time since the previous one ended (the cursor in ScheduleState) up to
 * its event's time, and enqueues the tenants whose slot fell in it, from an index query of just those
 * tenants. Consecutive invocations partition time: over a period each active tenant is enqueued
 * exactly once; a redelivered event finds the time covered and enqueues nothing twice; a missed
 * minute is covered by the next invocation. The cursor moves only after the jobs are queued (a crash
 * in between queues the same jobs again: same ids, deduplicated by SQS, and the same run, which a
 * worker finds finished). A job's id is the period and the tenant; its requestedAt its slot's time.
 *
 * Also: tenants found stale (no successful sync for `staleAfterMs`) get one `stale` alert until they
 * sync again, and tenants needing attention are probed when due (see enqueueDueProbes).
 */
export const enqueueScheduledSyncs = async (deps: EnqueueScheduledSyncsDeps, input: { scheduledAt: string }): Promise<EnqueueScheduledSyncsResult> => {
  const now = Date.parse(input.scheduledAt);
  const wanted = deps.settings.periodMs;
  const result: EnqueueScheduledSyncsResult = { window: null, tenants: 0, probes: 0, stale: 0, sent: 0, batches: 0, periodStarted: false };
  const state = await deps.scheduleState.read();
  const covered = state?.coveredUntil ?? null;
  let period = state?.periodMs ?? wanted;
  let from = Math.max(covered ?? now - FIRST_WINDOW_MS, now - period);
  // Tenants stored without a slot (before slots existed, restored from a backup, written by an older
  // version during a deploy) are given theirs on the first run and at the start of every period.
  result.periodStarted = covered === null || crossesBoundary(from, now, period);
  if (result.periodStarted) await deps.tenants.assignMissingSlots(new Date(now).toISOString());
  let until = now;
  if (period !== wanted) {
    // SYNC_SCHEDULE changed: the current period ends as it began (each tenant once), and the new
    // schedule starts at its own first period boundary after that, so nobody runs twice in a period.
    const oldEnd = Math.floor(from / period) * period + period;
    if (oldEnd <= now) {
      await enqueueWindow(deps, { from, to: oldEnd, periodMs: period, now, result });
      period = wanted;
      from = Math.ceil(oldEnd / wanted) * wanted;
      until = Math.max(from, now);
    }
  }
  if (from < now) await enqueueWindow(deps, { from, to: now, periodMs: period, now, result });
  if (covered === null || until !== covered || period !== state?.periodMs) {
    if (!(await deps.scheduleState.advance(covered, until, period))) deps.log.warn('Another scheduler invocation moved the schedule cursor meanwhile', { covered, now });
  }
  await enqueueDueProbes(deps, { now, result });
  deps.log.info('Scheduled syncs enqueued', { ...result });
  return result;
};

/** Whether [from, to) contains the start of a period. */
const crossesBoundary = (from: number, to: number, periodMs: number): boolean => Math.ceil(from / periodMs) * periodMs < to;

const enqueueWindow = async (
  deps: EnqueueScheduledSyncsDeps,
  input: { from: number; to: number; periodMs: number; now: number; result: EnqueueScheduledSyncsResult },
): Promise<void> => {
  if (!(input.from < input.to)) return;
  const window = { from: new Date(input.from).toISOString(), to: new Date(input.to).toISOString() };
  input.result.window = input.result.window ? { from: input.result.window.from, to: window.to } : window;
  await enqueueDueTenants(deps, input);
};

const enqueueDueTenants = async (
  deps: EnqueueScheduledSyncsDeps,
  input: { from: number; to: number; periodMs: number; now: number; result: EnqueueScheduledSyncsResult },
): Promise<void> => {
  const { periodMs } = input;
  const { result } = input;
  // The previous page's send, running while the next page is read. Its failure is kept, not left
  // unhandled, and rethrown once the send is awaited.
  let sending: Promise<unknown> = Promise.resolve();
  for (const { periodStart, lo, hi } of dueSlots(input.from, input.to, periodMs)) {
    const period = scheduleSlot(periodStart);
    let cursor: string | undefined;
    do {
      const page = await deps.tenants.listDue(lo, hi, cursor, PAGE_SIZE);
      cursor = page.cursor;
      const jobs: SyncJob[] = page.tenants.map((tenant) => ({
        jobId: `schedule-${period}-${tenant.tenantId}`,
        tenantId: tenant.tenantId,
        kind: 'full',
        requestedAt: new Date(slotTime(periodStart, tenant.slotKey, periodMs)).toISOString(),
        requestedBy: 'schedule',
      }));
      result.tenants += jobs.length;
      await rethrow(await sending);
      sending = deps.queue.enqueue(jobs).then(
        (sent) => {
          result.sent += sent.sent;
          result.batches += sent.batches;
        },
        (error: unknown) => ({ failed: error }),
      );
      for (const tenant of page.tenants) if (await markIfStale(deps, tenant, input.now)) result.stale += 1;
    } while (cursor);
  }
  await rethrow(await sending);
};

/** One `stale` event and alert when a tenant's last successful sync (or its registration) is older than the threshold. */
const markIfStale = async (deps: EnqueueScheduledSyncsDeps, tenant: DueTenant, now: number): Promise<boolean> => {
  // Measured from the later of its last success and when it last became active (enabled, recovered,
  // registered, or the upgrade that started keeping these): a tenant enabled minutes ago is not stale.
  const since = [tenant.lastSuccessAt, tenant.activeSince].filter((t): t is string => typeof t === 'string').sort().at(-1) ?? tenant.createdAt;
  const waited = now - Date.parse(since);
  if (tenant.staleSince !== null || !(waited > deps.settings.staleAfterMs)) return false;
  if (!(await deps.tenants.markStale(tenant.tenantId, new Date(now).toISOString(), new Date(now - deps.settings.staleAfterMs).toISOString()))) return false;
  await deps.activity.record({
    tenantId: tenant.tenantId,
    type: 'stale',
    actor: 'scheduler',
    message:
      `No successful sync for ${age(waited)} (${tenant.lastSuccessAt ? `last success ${tenant.lastSuccessAt}` : 'never since it was registered'}): ` +
      `the product's copy is getting old. See why with: bamboohr-sync runs ${tenant.tenantId} (held runs, failures) and bamboohr-sync dlq list.`,
    details: { lastSuccessAt: tenant.lastSuccessAt },
  });
  return true;
};

/**
 * A tenant that needs attention is probed by a full sync once its next probe is due (1 h, 2 h, 4 h...
 * at most a day after the last: see attentionAfterFailure); the first that succeeds makes it active
 * again. One parked before probes existed (no bookkeeping) is probed at once.
 */
const enqueueDueProbes = async (
  deps: EnqueueScheduledSyncsDeps,
  input: { now: number; result: EnqueueScheduledSyncsResult },
): Promise<void> => {
  const { now } = input;
  let cursor: string | undefined;
  do {
    const page = await deps.tenants.listByStatus('needs-attention', cursor, PAGE_SIZE);
    cursor = page.cursor;
    const due = page.tenants.filter((tenant) => !tenant.attention || Date.parse(tenant.attention.nextProbeAt) <= now);
    if (due.length === 0) continue;
    // One job per due probe, the same every minute until it has run (same id, same run): a slow
    // queue never makes two probes of one due time.
    const sent = await deps.queue.enqueue(
      due.map((tenant) => {
        const dueAt = tenant.attention?.nextProbeAt ?? tenant.updatedAt;
        return { jobId: `probe-${scheduleSlot(dueAt)}-${tenant.tenantId}`, tenantId: tenant.tenantId, kind: 'full', requestedAt: new Date(dueAt).toISOString(), requestedBy: 'probe' };
      }),
    );
    input.result.probes += due.length;
    input.result.sent += sent.sent;
    input.result.batches += sent.batches;
  } while (cursor);
};
