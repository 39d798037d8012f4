import { BambooHrRateLimitedError } from '../../lib/errors.js';
import { ALERT_TYPES } from '../../lib/model/activity.js';
import { setTenantStatus } from '../../lib/use-cases/set-tenant-status.js';
import { RetryLaterError, syncTenant } from '../../lib/use-cases/sync-tenant.js';
import { aJob, aRawRow } from '../helpers/builders.js';
import { FakeEmployeeSource } from '../helpers/fake-employee-source.js';
import { aSyncHarness } from '../helpers/sync-harness.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * Review of 7e19561 (`unprovenSinceMadeActive`). The stated rule is: a run of an active tenant with
 * leftover probe bookkeeping sends `recovered` only if NO run started after `activeSince` has
 * succeeded. The predicate looks at `tenant.lastRun` only, so a tenant fixed by hand before the
 * upgrade that has synced fine for weeks, but whose most recent run happens not to be a success
 * (a transient failure retried later, or a held run), is treated as "unproven": its next run that
 * reaches BambooHR publishes a `recovered` alert for an episode support closed weeks ago.
 */
const fixedByHandBeforeTheUpgrade = async () => {
  const h = await aSyncHarness({}, new FakeEmployeeSource(Array.from({ length: 20 }, (_, i) => aRawRow(String(i + 1)))));
  await syncTenant(h.deps, aJob({ jobId: 'first', requestedAt: h.clock.now().toISOString() }));
  const parked = h.tenants.items.get('acme')!;
  parked.status = 'needs-attention';
  parked.statusReason = "BambooHR rejected the API key for 'acme' (401).";
  parked.attention = { since: h.clock.now().toISOString(), probes: 0, nextProbeAt: new Date(h.clock.now().getTime() + HOUR).toISOString() };
  h.clock.advance(2 * HOUR);
  await setTenantStatus(h, 'acme', 'enable', 'support@example.com');
    h.tenants.items.get('acme')!.recoveryPending = false; // the enable of the version before marked nothing
  // The worker of the version before 9880442: no status transition for an active tenant, `attention` stays.
  const recordRun = h.tenants.recordRun.bind(h.tenants);
  h.tenants.recordRun = async (tenantId, summary, status) => recordRun(tenantId, summary, status?.whileRecoveryPending ? undefined : status);
  for (let day = 0; day < 30; day += 1) {
    h.clock.advance(DAY);
    await syncTenant(h.deps, aJob({ jobId: `old-version-${day}`, requestedAt: h.clock.now().toISOString() }));
  }
  return { h, restore: () => (h.tenants.recordRun = recordRun) };
};

describe('recovered after an upgrade when the last run before the deploy was not a success (review of 7e19561)', () => {
  it('sends no `recovered` when the last old-version run was rate limited and the retry after the deploy succeeds', async () => {
    // Prepare: a month of successful syncs since support enabled it; the last one before the deploy is rate limited
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

    // Assess: a success after thirty others since the enable: nothing to tell support
    const alerts = h.activity.events.filter((e) => ALERT_TYPES.has(e.type));
    expect(alerts.map((e) => `${e.type}: ${e.message}`)).toEqual([]);
  });

  it('sends no `recovered` for a tenant in a held episode at the deploy (its next run is held again)', async () => {
    // Prepare: a month of successful syncs since support enabled it; then half the people disappear: held
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
    const alerts = h.activity.events.filter((e) => ALERT_TYPES.has(e.type));
    expect(alerts.map((e) => `${e.type}: ${e.message}`)).toEqual([]);
  });
});
