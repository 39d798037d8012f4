import { ALERT_TYPES } from '../../lib/model/activity.js';
import { setTenantStatus } from '../../lib/use-cases/set-tenant-status.js';
import { syncTenant } from '../../lib/use-cases/sync-tenant.js';
import { aJob, aRawRow } from '../helpers/builders.js';
import { FakeEmployeeSource } from '../helpers/fake-employee-source.js';
import { aSyncHarness } from '../helpers/sync-harness.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * Review of 9880442 ("recovered" after support made a needs-attention tenant active by hand).
 *
 * Before that commit, `tenant enable` (or `tenant update` with a working key) made a parked tenant
 * active and left its probe bookkeeping (`attention`) in place, and no run ever cleared it: the worker
 * only ended the bookkeeping for a tenant still in needs-attention. So every tenant support fixed by
 * hand before the deploy is stored as `active` with a non-null `attention`, however long it has synced
 * fine since. The new worker reads "active + attention" as "made active by hand and not yet proven",
 * and its first run after the deploy publishes a `recovered` alert for a problem that was fixed weeks
 * ago ("Syncing again: ... it needed attention since <weeks ago>"), for every such tenant at once.
 */
describe('recovered after an upgrade, for a tenant support fixed by hand long before (review of 9880442)', () => {
  it('sends no `recovered` for a tenant that has been syncing fine since support enabled it', async () => {
    // Prepare: a synced tenant is parked by a refused key; support fixes it and enables it by hand
    const h = await aSyncHarness({}, new FakeEmployeeSource([aRawRow('1'), aRawRow('2')]));
    await syncTenant(h.deps, aJob({ jobId: 'first' }));
    const parked = h.tenants.items.get('acme')!;
    parked.status = 'needs-attention';
    parked.statusReason = "BambooHR rejected the API key for 'acme' (401).";
    parked.attention = { since: h.clock.now().toISOString(), probes: 0, nextProbeAt: new Date(h.clock.now().getTime() + HOUR).toISOString() };
    h.clock.advance(2 * HOUR);
    await setTenantStatus(h, 'acme', 'enable', 'support@example.com');
    h.tenants.items.get('acme')!.recoveryPending = false; // the enable of the version before marked nothing
    // ...and the worker of the version before 9880442 syncs it for a month: it passed no status
    // transition for an active tenant, so `attention` stayed as it was.
    const recordRun = h.tenants.recordRun.bind(h.tenants);
    h.tenants.recordRun = async (tenantId, summary, status) => recordRun(tenantId, summary, status?.whileRecoveryPending ? undefined : status);
    for (let day = 0; day < 30; day += 1) {
      h.clock.advance(DAY);
      await syncTenant(h.deps, aJob({ jobId: `old-version-${day}`, requestedAt: h.clock.now().toISOString() }));
    }
    expect(h.tenants.items.get('acme')).toMatchObject({ status: 'active', attention: { probes: 0 }, lastRun: { status: 'succeeded' } });
    h.tenants.recordRun = recordRun;
    h.activity.events.length = 0;

    // Act: the new version is deployed; the next scheduled sync
    h.clock.advance(HOUR);
    await syncTenant(h.deps, aJob({ jobId: 'after-deploy', requestedAt: h.clock.now().toISOString() }));

    // Assess: nothing went wrong or away today; support was not told that it "recovered"
    const alerts = h.activity.events.filter((e) => ALERT_TYPES.has(e.type));
    expect(alerts.map((e) => `${e.type}: ${e.message}`)).toEqual([]);
  });
});
