import { enqueueScheduledSyncs } from '../../lib/use-cases/enqueue-scheduled-syncs.js';
import { setTenantStatus } from '../../lib/use-cases/set-tenant-status.js';
import { aTenant } from '../helpers/builders.js';
import { FixedClock, InMemoryJobQueue, InMemoryScheduleState, InMemoryTenantStore, RecordingActivity, RecordingLog } from '../helpers/in-memory-ports.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const T0 = Date.parse('2026-11-25T10:00:00.000Z');
const at = (ms: number) => new Date(ms).toISOString();

/**
 * Issue 14, guarantee 2: `stale` is "an *active* tenant has had no successful sync for
 * STALE_AFTER_HOURS" (README, Alerts), once per staleness episode; a disabled tenant is never alerted
 * stale, and a tenant that needed attention was alerted once for its problem. A tenant that support
 * has just enabled (after a disable, or after fixing what it needed attention for) has not been
 * active and unsynced for 6 hours: its first scheduled sync is being enqueued.
 */
describe('review 14: stale alerts for a tenant that support has just enabled', () => {
  it('does not alert `stale` in the very invocation that enqueues the first sync of a tenant enabled minutes before', async () => {
    // Prepare: one tenant disabled three days ago, one parked in needs-attention two days ago (alerted
    // then); support enables both at 10:00
    const tenants = new InMemoryTenantStore();
    await tenants.create(aTenant({ tenantId: 'paused', status: 'disabled', statusReason: 'disabled by support', lastSuccessAt: at(T0 - 72 * HOUR) }));
    await tenants.create(
      aTenant({
        tenantId: 'fixed',
        status: 'needs-attention',
        statusReason: "BambooHR rejected the API key for 'fixed' (401).",
        lastSuccessAt: at(T0 - 48 * HOUR),
        attention: { since: at(T0 - 48 * HOUR), probes: 5, nextProbeAt: at(T0 + 12 * HOUR) },
      }),
    );
    const clock = new FixedClock(new Date(T0));
    const activity = new RecordingActivity(clock);
    await setTenantStatus({ tenants, clock, activity }, 'paused', 'enable', 'support');
    await setTenantStatus({ tenants, clock, activity }, 'fixed', 'enable', 'support');
    const queue = new InMemoryJobQueue();
    const scheduleState = new InMemoryScheduleState();
    scheduleState.value = T0;
    const deps = { tenants, queue, scheduleState, activity, log: new RecordingLog(), settings: { periodMs: HOUR, staleAfterMs: 6 * HOUR } };

    // Act: the scheduler every minute for the next hour: each tenant's slot comes, its sync is enqueued
    for (let t = T0 + MINUTE; t <= T0 + HOUR; t += MINUTE) {
      clock.advance(t - clock.now().getTime());
      await enqueueScheduledSyncs(deps, { scheduledAt: at(t) });
    }

    // Assess: both syncs enqueued; neither tenant alerted stale (active for minutes, first sync queued)
    expect(queue.jobs.map((j) => j.tenantId).sort()).toEqual(['fixed', 'paused']);
    expect(activity.alerts.filter((a) => a.type === 'stale').map((a) => a.tenantId)).toEqual([]);
  });
});
