import type { SyncJob } from '../model/job.js';
import type { Log } from '../logging.js';
import type { JobQueue, TenantStore } from '../ports.js';

export interface EnqueueScheduledSyncsDeps {
  tenants: Pick<TenantStore, 'listByStatus'>;
  queue: JobQueue;
  log: Log;
}

export interface EnqueueScheduledSyncsResult {
  /** Active tenants whose scheduled sync was enqueued. */
  tenants: number;
  /** Tenants needing attention whose automatic probe was due and enqueued. */
  probes: number;
  sent: number;
  batches: number;
}

const PAGE_SIZE = 1000;

const rethrow = async (outcome: unknown): Promise<void> => {
  if (outcome && typeof outcome === 'object' && 'failed' in outcome) throw outcome.failed;
};

/** `2026-11-25T10:00:00Z` → `20261125T1000`: the schedule slot, part of each job's id. */
export const scheduleSlot = (scheduledAt: string): string => {
  const d = new Date(scheduledAt);
  return `${d.toISOString().slice(0, 16).replace(/[-:]/g, '')}`;
};

/**
 * One `full` job per active tenant for the schedule slot `scheduledAt` (the EventBridge event time).
 * The job id, which is also the FIFO deduplication id, is derived from the slot and the tenant: an
 * event delivered twice enqueues each tenant once. Tenants come from an index query by status, a
 * page at a time, and each page is sent while the next is read.
 */
export const enqueueScheduledSyncs = async (
  deps: EnqueueScheduledSyncsDeps,
  input: { scheduledAt: string },
): Promise<EnqueueScheduledSyncsResult> => {
  const slot = scheduleSlot(input.scheduledAt);
  const requestedAt = new Date(input.scheduledAt).toISOString();
  const result: EnqueueScheduledSyncsResult = { tenants: 0, probes: 0, sent: 0, batches: 0 };
  let cursor: string | undefined;
  // The previous page's send, running while the next page is read. Its failure is kept, not left
  // unhandled, and rethrown once the send is awaited.
  let sending: Promise<unknown> = Promise.resolve();
  do {
    const page = await deps.tenants.listByStatus('active', cursor, PAGE_SIZE);
    cursor = page.cursor;
    const jobs: SyncJob[] = page.tenants.map((tenant) => ({
      jobId: `schedule-${slot}-${tenant.tenantId}`,
      tenantId: tenant.tenantId,
      kind: 'full',
      requestedAt,
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
  } while (cursor);
  await rethrow(await sending);
  await enqueueDueProbes(deps, { slot, requestedAt, result });
  deps.log.info('Scheduled syncs enqueued', { slot, ...result });
  return result;
};

/**
 * A tenant that needs attention is probed by a full sync once its next probe is due (1 h, 2 h, 4 h...
 * at most a day after the last: see attentionAfterFailure); the first that succeeds makes it active
 * again. One parked before probes existed (no bookkeeping) is probed at once.
 */
const enqueueDueProbes = async (
  deps: EnqueueScheduledSyncsDeps,
  input: { slot: string; requestedAt: string; result: EnqueueScheduledSyncsResult },
): Promise<void> => {
  const now = Date.parse(input.requestedAt);
  let cursor: string | undefined;
  do {
    const page = await deps.tenants.listByStatus('needs-attention', cursor, PAGE_SIZE);
    cursor = page.cursor;
    const due = page.tenants.filter((tenant) => !tenant.attention || Date.parse(tenant.attention.nextProbeAt) <= now);
    if (due.length === 0) continue;
    const sent = await deps.queue.enqueue(
      due.map((tenant) => ({ jobId: `probe-${input.slot}-${tenant.tenantId}`, tenantId: tenant.tenantId, kind: 'full', requestedAt: input.requestedAt, requestedBy: 'probe' })),
    );
    input.result.probes += due.length;
    input.result.sent += sent.sent;
    input.result.batches += sent.batches;
  } while (cursor);
};
