import type { SyncJob } from '../../lib/model/job.js';
import { enqueueScheduledSyncs } from '../../lib/use-cases/enqueue-scheduled-syncs.js';
import { RetryLaterError, syncTenant } from '../../lib/use-cases/sync-tenant.js';
import { aJob, aRawRow } from '../helpers/builders.js';
import { FakeEmployeeSource } from '../helpers/fake-employee-source.js';
import { InMemoryJobQueue, InMemoryScheduleState } from '../helpers/in-memory-ports.js';
import { aSyncHarness } from '../helpers/sync-harness.js';

const HOUR = 3_600_000;
const T0 = Date.parse('2026-11-25T10:00:00.000Z');
const at = (ms: number) => new Date(ms).toISOString();

/**
 * Issue 14, guarantee 2 (and README, Recovery): a tenant in needs-attention is probed 1 h, 2 h, 4 h...
 * at most a day apart, and the first probe that succeeds makes it active again and records
 * `recovered`. A probe whose run is *held* by the safeguard must not end the probing: otherwise the
 * tenant stays in needs-attention for good once BambooHR's data is right again.
 */
describe('review 14: a probe that is held', () => {
  it('keeps probing after a held probe, so that the tenant recovers (and `recovered` is recorded) once the data is right again', async () => {
    // Prepare: 20 synced employees; then the key was refused (needs attention, probe due now); the
    // customer fixes the key but the new integration user sees only half the company for a while
    const h = await aSyncHarness({}, new FakeEmployeeSource(Array.from({ length: 20 }, (_, i) => aRawRow(String(i + 1)))));
    await syncTenant(h.deps, aJob({ requestedAt: at(T0 - 2 * HOUR) }));
    const parked = h.tenants.items.get('acme')!;
    parked.status = 'needs-attention';
    parked.statusReason = "BambooHR rejected the API key for 'acme' (401).";
    parked.attention = { since: at(T0 - HOUR), probes: 0, nextProbeAt: at(T0) };
    const hidden = new Map([...h.source.rows].filter(([id]) => Number(id) <= 10));
    for (const id of hidden.keys()) h.source.rows.delete(id);
    const queue = new InMemoryJobQueue();
    const scheduleState = new InMemoryScheduleState();
    scheduleState.value = T0 - 60_000;
    const scheduler = { tenants: h.tenants, queue, scheduleState, activity: h.activity, log: h.log, settings: { periodMs: HOUR, staleAfterMs: 6 * HOUR } };
    let processed = 0;
    const work = async () => {
      for (const job of queue.jobs.slice(processed) as SyncJob[]) {
        processed += 1;
        await syncTenant(h.deps, job).catch((error: unknown) => {
          if (!(error instanceof RetryLaterError)) throw error;
        });
      }
    };

    // Act: the scheduler every 10 minutes for a day and a half, the worker after each; after the first
    // (held) probe, the customer restores the integration user's access
    const outcomes: string[] = [];
    for (let t = T0; t <= T0 + 36 * HOUR; t += 10 * 60_000) {
      h.clock.advance(t - h.clock.now().getTime());
      await enqueueScheduledSyncs(scheduler, { scheduledAt: at(t) });
      const before = processed;
      await work();
      if (before === 0 && processed > 0) {
        outcomes.push((await h.runs.list('acme', 1))[0]!.status);
        for (const [id, row] of hidden) h.source.rows.set(id, row);
      }
    }

    // Assess
    expect(outcomes).toEqual(['held']); // the first probe was held, as arranged
    expect((await h.tenants.get('acme'))?.status).toBe('active');
    expect(h.activity.types('acme')).toContain('recovered');
  });
});
