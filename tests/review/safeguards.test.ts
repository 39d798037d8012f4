import { requestSync } from '../../lib/use-cases/request-sync.js';
import { syncTenant } from '../../lib/use-cases/sync-tenant.js';
import { aJob, aRawRow } from '../helpers/builders.js';
import { FakeEmployeeSource } from '../helpers/fake-employee-source.js';
import { InMemoryJobQueue } from '../helpers/in-memory-ports.js';
import { aSyncHarness } from '../helpers/sync-harness.js';

describe('review: safeguard approvals', () => {
  it('a sync request that names the held run but says allowDeactivations: false approves nothing', async () => {
    // Prepare: 20 synced, then 10 gone from BambooHR: the run is held
    const h = await aSyncHarness({}, new FakeEmployeeSource(Array.from({ length: 20 }, (_, i) => aRawRow(String(i + 1)))));
    await syncTenant(h.deps, aJob());
    for (let i = 1; i <= 10; i += 1) h.source.rows.delete(String(i));
    const held = await syncTenant(h.deps, aJob({ requestedAt: '2026-11-25T11:00:00.000Z' }));
    expect(held.outcome).toBe('held');
    h.clock.advance(60_000);

    // Act: what `POST /tenants/acme/syncs {"allowDeactivations": false, "heldRunId": "<held run>"}` asks
    // (a client referring to the held run while explicitly not allowing it)
    // (refusing the request would do as well as queueing a sync without an approval)
    const requested = await requestSync({ ...h.deps, queue: new InMemoryJobQueue() }, 'acme', { allowDeactivations: false, heldRunId: held.run!.runId }).catch(() => null);
    if (requested) await syncTenant(h.deps, requested.job);

    // Assess: no go-ahead was given, so nobody is deactivated
    expect(requested?.job.approval).toBeUndefined();
    expect(h.feed.all('acme').filter((c) => c.type === 'deactivated')).toEqual([]);
  });
});
