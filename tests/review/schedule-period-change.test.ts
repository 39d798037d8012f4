import type { SyncJob } from '../../lib/model/job.js';
import { slotKeyOf, SLOT_SPACE } from '../../lib/sync/schedule.js';
import { enqueueScheduledSyncs } from '../../lib/use-cases/enqueue-scheduled-syncs.js';
import { syncTenant } from '../../lib/use-cases/sync-tenant.js';
import { aRawRow } from '../helpers/builders.js';
import { FakeEmployeeSource } from '../helpers/fake-employee-source.js';
import { InMemoryJobQueue, InMemoryScheduleState } from '../helpers/in-memory-ports.js';
import { aSyncHarness } from '../helpers/sync-harness.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const T0 = Date.parse('2026-11-25T10:00:00.000Z');
const at = (ms: number) => new Date(ms).toISOString();

/**
 * Issue 14, guarantee 1: a period change via SYNC_SCHEDULE never enqueues a tenant twice for the
 * same period. The job id `schedule-<periodStart>-<tenant>` is meant to make one job (and one run)
 * per tenant and period (README: "a redelivered or overlapping scheduler run queues nothing twice").
 */
describe('review 14: the schedule when SYNC_SCHEDULE changes', () => {
  it('does not enqueue and run a tenant twice for the same period when the period goes from 1 hour to 2 hours mid-period', async () => {
    // Prepare: 'initech' sits at 30% of the period: 10:18 with rate(1 hour), 10:36 with rate(2 hours)
    expect(slotKeyOf('initech') / SLOT_SPACE).toBeCloseTo(0.3, 2);
    const h = await aSyncHarness({ tenantId: 'initech', subdomain: 'initech', lastSuccessAt: at(T0) }, new FakeEmployeeSource([aRawRow('1'), aRawRow('2')]));
    const queue = new InMemoryJobQueue();
    const scheduleState = new InMemoryScheduleState();
    scheduleState.value = T0;
    const settings = { periodMs: HOUR, staleAfterMs: 6 * HOUR };
    const scheduler = { tenants: h.tenants, queue, scheduleState, activity: h.activity, log: h.log, settings };

    // Act: the scheduler every minute; at 10:20 a deploy changes SYNC_SCHEDULE to rate(2 hours)
    // (periods 10:00-12:00, ...); the worker runs each job as it comes
    const outcomes: string[] = [];
    for (let t = T0 + MINUTE; t < T0 + 2 * HOUR; t += MINUTE) {
      if (t === T0 + 20 * MINUTE) settings.periodMs = 2 * HOUR;
      const before = queue.jobs.length;
      await enqueueScheduledSyncs(scheduler, { scheduledAt: at(t) });
      for (const job of queue.jobs.slice(before) as SyncJob[]) {
        h.clock.advance(t - h.clock.now().getTime());
        outcomes.push((await syncTenant(h.deps, job)).outcome);
      }
    }

    // Assess: one job, one run of initech in the period 10:00-12:00 (both jobs would be
    // `schedule-20261125T1000-initech`, enqueued 18 minutes apart: beyond SQS's 5-minute deduplication)
    expect(outcomes).toEqual(['succeeded']);
    expect(queue.jobs.map((j) => j.jobId)).toEqual(['schedule-20261125T1000-initech']);
  });
});
