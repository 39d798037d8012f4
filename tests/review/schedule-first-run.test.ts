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
 * Issue 14, guarantee 1: the first run ever of the spread scheduler never syncs a tenant twice for
 * the same period. The scheduler before issue 14 enqueued every active tenant on the hour as
 * `schedule-<hour>-<tenant>`; the new one names its jobs `schedule-<periodStart>-<tenant>`: the same
 * id for the same hour, which is meant to make the job of that hour happen once.
 */
describe('review 14: the first run of the spread scheduler, deployed mid-hour', () => {
  it('does not run a tenant a second time in the hour the previous scheduler already synced it in', async () => {
    // Prepare: acme's slot is at about 10:30; the previous scheduler's 10:00 job has run
    expect(slotKeyOf('acme') / SLOT_SPACE).toBeCloseTo(0.51, 2);
    const h = await aSyncHarness({ lastSuccessAt: at(T0) }, new FakeEmployeeSource([aRawRow('1'), aRawRow('2')]));
    const previous = await syncTenant(h.deps, { jobId: 'schedule-20261125T1000-acme', tenantId: 'acme', kind: 'full', requestedAt: at(T0), requestedBy: 'schedule' });
    expect(previous.outcome).toBe('succeeded');
    const queue = new InMemoryJobQueue();
    const scheduler = { tenants: h.tenants, queue, scheduleState: new InMemoryScheduleState(), activity: h.activity, log: h.log, settings: { periodMs: HOUR, staleAfterMs: 6 * HOUR } };

    // Act: the new scheduler is deployed at 10:20 (its first run ever), then runs every minute to the
    // end of the hour; the worker runs each job it enqueues
    const outcomes: string[] = [];
    for (let t = T0 + 20 * MINUTE; t < T0 + HOUR; t += MINUTE) {
      const before = queue.jobs.length;
      await enqueueScheduledSyncs(scheduler, { scheduledAt: at(t) });
      for (const job of queue.jobs.slice(before) as SyncJob[]) {
        h.clock.advance(t - h.clock.now().getTime());
        outcomes.push((await syncTenant(h.deps, job)).outcome);
      }
    }

    // Assess: the hour's job schedule-20261125T1000-acme has run already: nothing runs twice
    expect(queue.jobs.map((j) => j.jobId)).toEqual(['schedule-20261125T1000-acme']);
    expect(outcomes).not.toContain('succeeded');
  });
});
