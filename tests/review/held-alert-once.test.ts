import { BambooHrRateLimitedError } from '../../lib/errors.js';
import { RetryLaterError, syncTenant } from '../../lib/use-cases/sync-tenant.js';
import { aJob, aRawRow } from '../helpers/builders.js';
import { FakeEmployeeSource } from '../helpers/fake-employee-source.js';
import { aSyncHarness } from '../helpers/sync-harness.js';

/**
 * Issue 14, guarantee "held once while runs stay held": README, Alerts: "a tenant whose runs stay
 * held alerts once, until a run is applied". A run that merely waits out BambooHR's rate limit (or
 * fails transiently) in between applies nothing, so the held problem is the same one.
 */
describe('review 14: the held alert is raised once while the runs stay held', () => {
  it('does not alert `held` again when a rate-limited run (nothing applied) came between two held runs', async () => {
    // Prepare: 20 synced employees, then half of them disappear: the next full run is held (one alert)
    const h = await aSyncHarness({}, new FakeEmployeeSource(Array.from({ length: 20 }, (_, i) => aRawRow(String(i + 1)))));
    await syncTenant(h.deps, aJob({ requestedAt: '2026-11-25T09:00:00.000Z' }));
    for (let i = 1; i <= 10; i += 1) h.source.rows.delete(String(i));
    const first = await syncTenant(h.deps, aJob({ requestedAt: '2026-11-25T10:00:00.000Z' }));
    expect(first.outcome).toBe('held');

    // Act: the next scheduled run hits BambooHR's rate limit (retried later, nothing applied), and
    // the one after is held again for the very same departures
    h.source.failWith = new BambooHrRateLimitedError('acme', 60);
    await expect(syncTenant(h.deps, aJob({ requestedAt: '2026-11-25T11:00:00.000Z' }))).rejects.toBeInstanceOf(RetryLaterError);
    h.source.failWith = null;
    const third = await syncTenant(h.deps, aJob({ requestedAt: '2026-11-25T12:00:00.000Z' }));

    // Assess: still the one problem, still one alert
    expect(third.outcome).toBe('held');
    expect(h.activity.alerts.filter((a) => a.type === 'held')).toHaveLength(1);
  });

  it('does not alert `held` again at each scheduled run after a webhook sync of one employee applied in between (the mass departure is still held)', async () => {
    // Prepare: 20 synced employees, then half of them disappear: the next full run is held (one alert)
    const h = await aSyncHarness({ webhookEnabled: true }, new FakeEmployeeSource(Array.from({ length: 20 }, (_, i) => aRawRow(String(i + 1)))));
    await syncTenant(h.deps, aJob({ requestedAt: '2026-11-25T09:00:00.000Z' }));
    for (let i = 1; i <= 10; i += 1) h.source.rows.delete(String(i));
    expect((await syncTenant(h.deps, aJob({ requestedAt: '2026-11-25T10:00:00.000Z' }))).outcome).toBe('held');

    // Act: a webhook reports a new title for employee 15 (applied), then the next hourly run
    h.source.set({ ...h.source.rows.get('15')!, jobTitle: 'Lead Engineer' });
    const webhook = await syncTenant(h.deps, aJob({ kind: 'employees', employeeIds: ['15'], requestedBy: 'webhook', requestedAt: '2026-11-25T10:30:00.000Z' }));
    const next = await syncTenant(h.deps, aJob({ requestedAt: '2026-11-25T11:00:00.000Z' }));

    // Assess: the same ten departures are still held: still one alert
    expect(webhook.outcome).toBe('succeeded');
    expect(next.outcome).toBe('held');
    expect(h.activity.alerts.filter((a) => a.type === 'held')).toHaveLength(1);
  });
});
