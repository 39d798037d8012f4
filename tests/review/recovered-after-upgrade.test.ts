import { BambooHrRateLimitedError } from '../../lib/errors.js';
import { ALERT_TYPES } from '../../lib/model/activity.js';
import { setTenantStatus } from '../../lib/use-cases/set-tenant-status.js';
import { RetryLaterError, syncTenant } from '../../lib/use-cases/sync-tenant.js';
import { aJob, aRawRow } from '../helpers/builders.js';
import { FakeEmployeeSource } from '../helpers/fake-employee-source.js';
import { aSyncHarness, parkForAttention } from '../helpers/sync-harness.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * Reviews of 9880442 and 7e19561 (`recovered` after support made a needs-attention tenant active by
 * hand). Before them, `tenant enable` (or `tenant update` with a working key) made a parked tenant
 * active and left its probe bookkeeping (`attention`) in place, and no run ever cleared it. Inferring
 * "made active by hand, not yet proven" from that bookkeeping (9880442), or from it and the last run
 * (7e19561), made the first run after the upgrade publish `recovered` for episodes support had closed
 * weeks before. Now only the save that makes the tenant active marks it (`recoveryPending`).
 */
const fixedByHandBeforeTheUpgrade = async () => {
  const h = await aSyncHarness({}, new FakeEmployeeSource(Array.from({ length: 20 }, (_, i) => aRawRow(String(i + 1)))));
  await syncTenant(h.deps, aJob({ jobId: 'first', requestedAt: h.clock.now().toISOString() }));
  parkForAttention(h, { probes: 0 });
  h.clock.advance(2 * HOUR);
  await setTenantStatus(h, 'acme', 'enable', 'support@example.com');
  h.tenants.items.get('acme')!.recoveryPending = false; // the enable of the version before marked nothing
  // The worker of the version before: no status move for an active tenant, `attention` stays.
  const recordRun = h.tenants.recordRun.bind(h.tenants);
  h.tenants.recordRun = async (tenantId, summary, status) => recordRun(tenantId, summary, status?.whileRecoveryPending ? undefined : status);
  for (let day = 0; day < 30; day += 1) {
    h.clock.advance(DAY);
    await syncTenant(h.deps, aJob({ jobId: `old-version-${day}`, requestedAt: h.clock.now().toISOString() }));
  }
  expect(h.tenants.items.get('acme')).toMatchObject({ status: 'active', attention: { probes: 0 }, lastRun: { status: 'succeeded' } });
  return { h, restore: () => (h.tenants.recordRun = recordRun) };
};

const alertsOf = (h: Awaited<ReturnType<typeof fixedByHandBeforeTheUpgrade>>['h']) =>
  h.activity.events.filter((e) => ALERT_TYPES.has(e.type)).map((e) => `${e.type}: ${e.message}`);

describe('no `recovered` after an upgrade for a tenant support fixed by hand long before (reviews of 9880442 and 7e19561)', () => {
  it('sends none for a tenant that has been syncing fine since support enabled it', async () => {
    // Prepare
    const { h, restore } = await fixedByHandBeforeTheUpgrade();
    restore();
    h.activity.events.length = 0;

    // Act: the new version is deployed; the next scheduled sync
    h.clock.advance(HOUR);
    await syncTenant(h.deps, aJob({ jobId: 'after-deploy', requestedAt: h.clock.now().toISOString() }));

    // Assess: nothing went wrong or away today
    expect(alertsOf(h)).toEqual([]);
  });

  it('sends none when the last old-version run was rate limited and the retry after the deploy succeeds', async () => {
    // Prepare: the last run before the deploy is rate limited
    const { h, restore } = await fixedByHandBeforeTheUpgrade();
    h.clock.advance(DAY);
    h.source.failWith = new BambooHrRateLimitedError('acme', 60);
    await expect(syncTenant(h.deps, aJob({ jobId: 'old-version-limited', requestedAt: h.clock.now().toISOString() }))).rejects.toBeInstanceOf(RetryLaterError);
    h.source.failWith = null;
    expect(h.tenants.items.get('acme')).toMatchObject({ status: 'active', attention: { probes: 0 }, lastRun: { status: 'failed' } });
    restore();
    h.activity.events.length = 0;

    // Act: the new version is deployed; the job is retried
    h.clock.advance(HOUR);
    await syncTenant(h.deps, aJob({ jobId: 'old-version-limited', requestedAt: h.clock.now().toISOString() }));

    // Assess
    expect(alertsOf(h)).toEqual([]);
  });

  it('sends none for a tenant in a held episode at the deploy (its next run is held again)', async () => {
    // Prepare: half the people disappear: held
    const { h, restore } = await fixedByHandBeforeTheUpgrade();
    for (let i = 1; i <= 10; i += 1) h.source.rows.delete(String(i));
    h.clock.advance(DAY);
    expect((await syncTenant(h.deps, aJob({ jobId: 'old-version-held', requestedAt: h.clock.now().toISOString() }))).outcome).toBe('held');
    restore();
    h.activity.events.length = 0;

    // Act: the new version is deployed; the next scheduled run is held again (same departures)
    h.clock.advance(HOUR);
    const next = await syncTenant(h.deps, aJob({ jobId: 'after-deploy', requestedAt: h.clock.now().toISOString() }));

    // Assess: still the one held episode; nothing "recovered"
    expect(next.outcome).toBe('held');
    expect(alertsOf(h)).toEqual([]);
  });
});
