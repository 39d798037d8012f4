import { ALERT_TYPES } from '../../lib/model/activity.js';
import { setTenantStatus } from '../../lib/use-cases/set-tenant-status.js';
import { syncTenant } from '../../lib/use-cases/sync-tenant.js';
import { BambooHrAuthError } from '../../lib/errors.js';
import { aJob, aRawRow } from '../helpers/builders.js';
import { FakeEmployeeSource } from '../helpers/fake-employee-source.js';
import { aSyncHarness, parkForAttention } from '../helpers/sync-harness.js';

const HOUR = 3_600_000;

/** A synced tenant whose key was then refused: it needs attention (an alert went out), probes pending. */
const aParkedTenant = async () => {
  const h = await aSyncHarness({}, new FakeEmployeeSource([aRawRow('1'), aRawRow('2')]));
  await syncTenant(h.deps, aJob({ jobId: 'first' }));
  parkForAttention(h, { probes: 2, nextProbeInMs: 4 * HOUR });
  h.activity.events.length = 0;
  return h;
};

const alertsOf = (h: Awaited<ReturnType<typeof aParkedTenant>>) => h.activity.events.filter((e) => ALERT_TYPES.has(e.type));

/**
 * A tenant's needs-attention alert is answered by one `recovered` alert. Until now only a probe (or a
 * support sync) that ran while the tenant still needed attention sent it: when support fixed the cause
 * by hand (`tenant enable`, or `tenant update` with a working key), the tenant became active without
 * any alert, and whoever watches the alerts topic saw the problem open for good.
 */
describe('recovered after support made the tenant active by hand', () => {
  it('sends `recovered` once, with the next run that reaches BambooHR, and ends the episode', async () => {
    // Prepare: support enables the tenant after fixing the integration user in BambooHR
    const h = await aParkedTenant();
    await setTenantStatus(h, 'acme', 'enable', 'support@example.com');
    h.clock.advance(HOUR);

    // Act: the next scheduled sync, then another one
    await syncTenant(h.deps, aJob({ jobId: 'after-enable' }));
    await syncTenant(h.deps, aJob({ jobId: 'later' }));

    // Assess
    expect(alertsOf(h).map((e) => e.type)).toEqual(['recovered']);
    expect(alertsOf(h)[0]).toMatchObject({ tenantId: 'acme', runId: expect.any(String), actor: 'worker (schedule job)' });
    expect(alertsOf(h)[0]!.message).toMatch(/made active again by support/);
    expect(h.activity.types('acme')).toEqual(['enabled', 'recovered']);
    expect(await h.tenants.get('acme')).toMatchObject({ status: 'active', attention: null });
  });

  it('sends no `recovered` while the fix has not worked, and a new needs-attention alert if the run fails again', async () => {
    // Prepare: enabled, but the key is still refused
    const h = await aParkedTenant();
    await setTenantStatus(h, 'acme', 'enable', 'support@example.com');
    h.source.failWith = new BambooHrAuthError('acme', 401);

    // Act
    const result = await syncTenant(h.deps, aJob({ jobId: 'after-enable' }));

    // Assess
    expect(result).toMatchObject({ outcome: 'failed', run: { error: { code: 'bamboohr-key-rejected' } } });
    expect(alertsOf(h).map((e) => e.type)).toEqual(['needs-attention']);
    expect(await h.tenants.get('acme')).toMatchObject({ status: 'needs-attention', attention: { probes: 0 } });
  });

  it('does not send `recovered` for a tenant that never needed attention', async () => {
    // Prepare
    const h = await aSyncHarness({}, new FakeEmployeeSource([aRawRow('1')]));

    // Act
    await syncTenant(h.deps, aJob({ jobId: 'one' }));
    await setTenantStatus(h, 'acme', 'disable');
    await setTenantStatus(h, 'acme', 'enable');
    await syncTenant(h.deps, aJob({ jobId: 'two' }));

    // Assess
    expect(alertsOf(h)).toEqual([]);
  });
});
