import { enqueueScheduledSyncs } from '../../lib/use-cases/enqueue-scheduled-syncs.js';
import { aTenant } from '../helpers/builders.js';
import { InMemoryJobQueue, InMemoryTenantStore, RecordingLog } from '../helpers/in-memory-ports.js';

describe('enqueueScheduledSyncs', () => {
  it('enqueues one full job per active tenant, across pages, with a per-slot job id', async () => {
    // Prepare
    const tenants = new InMemoryTenantStore();
    for (let i = 0; i < 2500; i += 1) await tenants.create(aTenant({ tenantId: `t${i}`, subdomain: `t${i}` }));
    await tenants.create(aTenant({ tenantId: 'off', status: 'disabled' }));
    await tenants.create(aTenant({ tenantId: 'broken', status: 'needs-attention', attention: { since: '2026-11-25T09:00:00.000Z', probes: 0, nextProbeAt: '2026-11-25T10:30:00.000Z' } }));
    const queue = new InMemoryJobQueue();

    // Act
    const result = await enqueueScheduledSyncs({ tenants, queue, log: new RecordingLog() }, { scheduledAt: '2026-11-25T10:00:00Z' });

    // Assess
    expect(result).toEqual({ tenants: 2500, probes: 0, sent: 2500, batches: 250 });
    expect(new Set(queue.jobs.map((j) => j.tenantId)).size).toBe(2500);
    expect(queue.jobs.some((j) => j.tenantId === 'off' || j.tenantId === 'broken')).toBe(false);
    expect(queue.jobs[0]).toEqual({
      jobId: expect.stringMatching(/^schedule-20261125T1000-t\d+$/),
      tenantId: expect.any(String),
      kind: 'full',
      requestedAt: '2026-11-25T10:00:00.000Z',
      requestedBy: 'schedule',
    });
  });

  it('probes a tenant that needs attention once its next probe is due, and not before (hardening 10)', async () => {
    // Prepare
    const tenants = new InMemoryTenantStore();
    const attention = (nextProbeAt: string) => ({ since: '2026-11-25T07:00:00.000Z', probes: 1, nextProbeAt });
    await tenants.create(aTenant({ tenantId: 'due', status: 'needs-attention', attention: attention('2026-11-25T09:30:00.000Z') }));
    await tenants.create(aTenant({ tenantId: 'later', status: 'needs-attention', attention: attention('2026-11-25T11:00:00.000Z') }));
    await tenants.create(aTenant({ tenantId: 'parked-before-probes', status: 'needs-attention' }));
    const queue = new InMemoryJobQueue();

    // Act
    const result = await enqueueScheduledSyncs({ tenants, queue, log: new RecordingLog() }, { scheduledAt: '2026-11-25T10:00:00Z' });

    // Assess
    expect(result).toMatchObject({ tenants: 0, probes: 2 });
    expect(queue.jobs.map((j) => [j.jobId, j.requestedBy, j.kind])).toEqual([
      ['probe-20261125T1000-due', 'probe', 'full'],
      ['probe-20261125T1000-parked-before-probes', 'probe', 'full'],
    ]);
  });

  it('gives the same job ids when the same schedule event is delivered twice', async () => {
    // Prepare
    const tenants = new InMemoryTenantStore();
    await tenants.create(aTenant());
    const queue = new InMemoryJobQueue();
    const deps = { tenants, queue, log: new RecordingLog() };

    // Act
    await enqueueScheduledSyncs(deps, { scheduledAt: '2026-11-25T10:00:00Z' });
    await enqueueScheduledSyncs(deps, { scheduledAt: '2026-11-25T10:00:00Z' });

    // Assess
    expect(queue.jobs[0]?.jobId).toBe(queue.jobs[1]?.jobId);
  });
});

describe('enqueueScheduledSyncs when the queue fails', () => {
  it('rejects with the queue error when a page cannot be queued while the next one is read', async () => {
    // Prepare
    const tenants = new InMemoryTenantStore();
    for (let i = 0; i < 1500; i += 1) await tenants.create(aTenant({ tenantId: `t${i}`, subdomain: `t${i}` }));
    const queue = new InMemoryJobQueue();
    queue.enqueue = async () => {
      throw new Error('SQS down');
    };
    const slowTenants = {
      listByStatus: async (...args: Parameters<InMemoryTenantStore['listByStatus']>) => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        return tenants.listByStatus(...args);
      },
    };

    // Act
    const act = enqueueScheduledSyncs({ tenants: slowTenants, queue, log: new RecordingLog() }, { scheduledAt: '2026-11-25T10:00:00Z' });

    // Assess
    await expect(act).rejects.toThrow('SQS down');
  });
});
