import { enqueueScheduledSyncs, type EnqueueScheduledSyncsDeps } from '../../lib/use-cases/enqueue-scheduled-syncs.js';
import { dueSlots, parseRate, SLOT_SPACE, slotKeyOf, slotTime } from '../../lib/sync/schedule.js';
import { aTenant } from '../helpers/builders.js';
import { FixedClock, InMemoryJobQueue, InMemoryScheduleState, InMemoryTenantStore, RecordingActivity, RecordingLog } from '../helpers/in-memory-ports.js';

const HOUR = 3_600_000;
const T0 = Date.parse('2026-11-25T10:00:00.000Z');
const at = (ms: number) => new Date(ms).toISOString();

const setup = (tenants = new InMemoryTenantStore()) => {
  const queue = new InMemoryJobQueue();
  const scheduleState = new InMemoryScheduleState();
  const activity = new RecordingActivity(new FixedClock(new Date(T0)));
  const deps: EnqueueScheduledSyncsDeps = { tenants, queue, scheduleState, activity, log: new RecordingLog(), settings: { periodMs: HOUR, staleAfterMs: 6 * HOUR } };
  return { deps, tenants, queue, scheduleState, activity };
};

describe('the schedule: every active tenant once per period, each in its own slot (issue 14, spread)', () => {
  it('over one period enqueues every active tenant exactly once, at its slot, spread evenly; a redelivered event enqueues nothing twice', async () => {
    // Prepare: 2,500 active tenants, one disabled, one parked; the scheduler has run before
    const { deps, tenants, queue, scheduleState } = setup();
    for (let i = 0; i < 2500; i += 1) await tenants.create(aTenant({ tenantId: `t${i}`, subdomain: `t${i}`, lastSuccessAt: at(T0) }));
    await tenants.create(aTenant({ tenantId: 'off', status: 'disabled' }));
    await tenants.create(aTenant({ tenantId: 'broken', status: 'needs-attention', attention: { since: at(T0), probes: 0, nextProbeAt: at(T0 + 2 * HOUR) } }));
    scheduleState.value = T0;

    // Act: an invocation every minute for an hour, and every fifth event delivered twice
    const perMinute: number[] = [];
    for (let minute = 1; minute <= 60; minute += 1) {
      const before = queue.jobs.length;
      await enqueueScheduledSyncs(deps, { scheduledAt: at(T0 + minute * 60_000) });
      if (minute % 5 === 0) await enqueueScheduledSyncs(deps, { scheduledAt: at(T0 + minute * 60_000) });
      perMinute.push(queue.jobs.length - before);
    }

    // Assess
    const ids = queue.jobs.map((j) => j.tenantId);
    expect(ids).toHaveLength(2500);
    expect(new Set(ids).size).toBe(2500);
    expect(ids).not.toContain('off');
    expect(ids).not.toContain('broken');
    for (const job of queue.jobs) {
      expect(job).toMatchObject({ jobId: `schedule-20261125T1000-${job.tenantId}`, kind: 'full', requestedBy: 'schedule' });
      expect(Date.parse(job.requestedAt)).toBe(slotTime(T0, slotKeyOf(job.tenantId), HOUR));
    }
    const even = 2500 / 60;
    expect(Math.max(...perMinute)).toBeLessThan(even * 2);
    expect(Math.min(...perMinute)).toBeGreaterThan(even / 2);
  });

  it('puts each tenant at the same place of every period', async () => {
    // Prepare
    const { deps, tenants, queue, scheduleState } = setup();
    await tenants.create(aTenant({ tenantId: 'acme', lastSuccessAt: at(T0) }));
    scheduleState.value = T0;

    // Act: two whole periods, a few minutes at a time
    for (let t = T0 + 7 * 60_000; t <= T0 + 2 * HOUR; t += 7 * 60_000) await enqueueScheduledSyncs(deps, { scheduledAt: at(t) });
    await enqueueScheduledSyncs(deps, { scheduledAt: at(T0 + 2 * HOUR) });

    // Assess
    const times = queue.jobs.map((j) => Date.parse(j.requestedAt));
    expect(times).toHaveLength(2);
    expect(times[1]! - times[0]!).toBe(HOUR);
  });

  it('covers a missed minute with the next invocation, and at most one period after a long outage', async () => {
    // Prepare
    const { deps, tenants, queue, scheduleState } = setup();
    for (let i = 0; i < 300; i += 1) await tenants.create(aTenant({ tenantId: `t${i}`, subdomain: `t${i}`, lastSuccessAt: at(T0) }));
    scheduleState.value = T0;

    // Act
    const skipped = await enqueueScheduledSyncs(deps, { scheduledAt: at(T0 + 3 * 60_000) }); // minutes 1 and 2 were missed
    const outage = await enqueueScheduledSyncs(deps, { scheduledAt: at(T0 + 5 * HOUR) }); // the scheduler was down for hours

    // Assess
    expect(skipped.window).toEqual({ from: at(T0), to: at(T0 + 3 * 60_000) });
    expect(outage.window).toEqual({ from: at(T0 + 4 * HOUR), to: at(T0 + 5 * HOUR) });
    expect(outage.tenants).toBe(300);
    expect(queue.jobs.length).toBe(skipped.tenants + 300);
  });

  it('on its very first run covers the last minute, after giving slots to tenants stored without one; and looks for those again at each period start', async () => {
    // Prepare
    const tenants = new InMemoryTenantStore();
    let assigned = 0;
    tenants.assignMissingSlots = async () => ((assigned += 1), 0);
    const { deps } = setup(tenants);
    const start = T0 + 5 * 60_000;

    // Act: a first run at 10:05, then every minute to 11:10 (the window [11:00, 11:01) holds a period start)
    const first = await enqueueScheduledSyncs(deps, { scheduledAt: at(start) });
    const sweeps = [assigned];
    for (let t = start + 60_000; t <= T0 + HOUR + 10 * 60_000; t += 60_000) {
      await enqueueScheduledSyncs(deps, { scheduledAt: at(t) });
      sweeps.push(assigned);
    }

    // Assess
    expect(first.window).toEqual({ from: at(start - 60_000), to: at(start) });
    expect(sweeps[0]).toBe(1);
    expect(sweeps[55]).toBe(1); // 11:00: the window [10:59, 11:00) holds no period start
    expect(sweeps[56]).toBe(2); // 11:01: [11:00, 11:01) does
    expect(assigned).toBe(2);
  });

  it('does not alert stale a tenant whose index entry lags behind a success the table already has (review 14)', async () => {
    // Prepare: the table says synced 10 minutes ago; the slot index still shows last week's success
    const { deps, tenants, activity, scheduleState } = setup();
    await tenants.create(aTenant({ tenantId: 'busy', lastSuccessAt: at(T0 - 10 * 60_000) }));
    const listDue = tenants.listDue.bind(tenants);
    tenants.listDue = async (...args) => {
      const page = await listDue(...args);
      return { ...page, tenants: page.tenants.map((t) => ({ ...t, lastSuccessAt: at(T0 - 7 * 24 * HOUR) })) };
    };
    scheduleState.value = T0;

    // Act: a whole period
    for (let t = T0 + 10 * 60_000; t <= T0 + HOUR; t += 10 * 60_000) await enqueueScheduledSyncs(deps, { scheduledAt: at(t) });

    // Assess
    expect(activity.alerts.filter((a) => a.type === 'stale')).toEqual([]);
    expect((await tenants.get('busy'))?.staleSince).toBeNull();
  });

  it('raises one stale alert for a tenant not synced successfully for longer than the threshold, until it syncs again', async () => {
    // Prepare
    const { deps, tenants, activity, scheduleState } = setup();
    await tenants.create(aTenant({ tenantId: 'old', lastSuccessAt: at(T0 - 7 * HOUR) }));
    await tenants.create(aTenant({ tenantId: 'fresh', lastSuccessAt: at(T0 - HOUR) }));
    await tenants.create(aTenant({ tenantId: 'never', createdAt: at(T0 - 8 * HOUR), lastSuccessAt: null }));
    scheduleState.value = T0;

    // Act: two periods
    for (let t = T0 + 10 * 60_000; t <= T0 + 2 * HOUR; t += 10 * 60_000) await enqueueScheduledSyncs(deps, { scheduledAt: at(t) });

    // Assess
    expect(activity.alerts.map((a) => [a.type, a.tenantId]).sort()).toEqual([
      ['stale', 'never'],
      ['stale', 'old'],
    ]);
    expect(activity.alerts.find((a) => a.tenantId === 'old')?.message).toMatch(/No successful sync for [78] h \(last success 2026-11-25T03:00:00.000Z\)/);
    expect((await tenants.get('old'))?.staleSince).not.toBeNull();
  });

  it('probes a tenant that needs attention once its next probe is due, with the same job every minute until it ran (hardening 10)', async () => {
    // Prepare
    const { deps, tenants, queue } = setup();
    const attention = (nextProbeAt: string) => ({ since: '2026-11-25T07:00:00.000Z', probes: 1, nextProbeAt });
    await tenants.create(aTenant({ tenantId: 'due', status: 'needs-attention', attention: attention('2026-11-25T09:30:00.000Z') }));
    await tenants.create(aTenant({ tenantId: 'later', status: 'needs-attention', attention: attention('2026-11-25T11:00:00.000Z') }));
    await tenants.create(aTenant({ tenantId: 'parked-before-probes', status: 'needs-attention' }));

    // Act
    const result = await enqueueScheduledSyncs(deps, { scheduledAt: at(T0) });
    await enqueueScheduledSyncs(deps, { scheduledAt: at(T0 + 60_000) });

    // Assess
    expect(result).toMatchObject({ tenants: 0, probes: 2 });
    expect(queue.jobs.map((j) => [j.jobId, j.requestedBy, j.kind])).toEqual([
      ['probe-20261125T0930-due', 'probe', 'full'],
      ['probe-20261101T0000-parked-before-probes', 'probe', 'full'],
      ['probe-20261125T0930-due', 'probe', 'full'],
      ['probe-20261101T0000-parked-before-probes', 'probe', 'full'],
    ]);
  });

  it('rejects with the queue error when a page cannot be queued while the next one is read', async () => {
    // Prepare
    const { deps, tenants, queue, scheduleState } = setup();
    for (let i = 0; i < 1500; i += 1) await tenants.create(aTenant({ tenantId: `t${i}`, subdomain: `t${i}`, lastSuccessAt: at(T0) }));
    scheduleState.value = T0;
    queue.enqueue = async () => {
      throw new Error('SQS down');
    };

    // Act
    const act = enqueueScheduledSyncs(deps, { scheduledAt: at(T0 + HOUR) });

    // Assess
    await expect(act).rejects.toThrow('SQS down');
    expect(scheduleState.value).toBe(T0); // not moved: the next invocation enqueues them again
  });
});

describe('lib/sync/schedule', () => {
  it('partitions time: consecutive windows give disjoint slot ranges that cover a period whole', () => {
    // Prepare
    const cuts = [T0, T0 + 1, T0 + 59_999, T0 + 60_000, T0 + 1_234_567, T0 + HOUR - 1, T0 + HOUR, T0 + HOUR + 5];

    // Act
    const ranges = cuts.slice(1).flatMap((to, i) => dueSlots(cuts[i]!, to, HOUR));

    // Assess
    const firstPeriod = ranges.filter((r) => r.periodStart === T0);
    expect(firstPeriod[0]!.lo).toBe(0);
    expect(firstPeriod.at(-1)!.hi).toBe(SLOT_SPACE);
    for (let i = 1; i < firstPeriod.length; i += 1) expect(firstPeriod[i]!.lo).toBe(firstPeriod[i - 1]!.hi);
  });

  it('reads the period of a rate expression, and nothing else', () => {
    // Act / Assess
    expect(parseRate('rate(1 hour)')).toBe(HOUR);
    expect(parseRate('rate(15 minutes)')).toBe(15 * 60_000);
    expect(parseRate('rate(2 days)')).toBe(2 * 86_400_000);
    expect(parseRate('cron(0 * * * ? *)')).toBeNull();
    expect(parseRate('rate(0 hours)')).toBeNull();
  });
});
