import { ALERT_TYPES } from '../../lib/model/activity.js';
import type { Tenant } from '../../lib/model/tenant.js';
import { syncTenant } from '../../lib/use-cases/sync-tenant.js';
import { updateTenant } from '../../lib/use-cases/update-tenant.js';
import { aJob, aRawRow } from '../helpers/builders.js';
import { FakeEmployeeSource } from '../helpers/fake-employee-source.js';
import { aSyncHarness, parkForAttention } from '../helpers/sync-harness.js';

const HOUR = 3_600_000;

/**
 * Review of 7e19561 (`unprovenSinceMadeActive`). `tenant update --api-key-stdin` (and a connect-link
 * reconnect, which calls updateTenant) stamps `activeSince` when it builds the tenant, then saves the
 * key in Secrets Manager, then saves the tenant. A probe that reads the tenant in between (still
 * needs-attention) starts after the stamp; it succeeds with the new key, but its needs-attention ->
 * active transition is refused (support saved `active` meanwhile), so it sends nothing. Its run is now
 * `lastRun`: succeeded, started after `activeSince`, so the next run takes the episode for one
 * "fixed before the upgrade" and clears the bookkeeping silently. The needs-attention alert is never
 * answered. (Before 7e19561, `attention !== null` alone made the next run send `recovered`.)
 */
describe('recovered lost when a probe reads the tenant between the activeSince stamp and the save (review of 7e19561)', () => {
  it('answers the needs-attention alert once when support gives a working key while a probe is starting', async () => {
    // Prepare: a synced tenant parked by a refused key (needs-attention alert sent by then)
    const h = await aSyncHarness({}, new FakeEmployeeSource([aRawRow('1'), aRawRow('2')]));
    await syncTenant(h.deps, aJob({ jobId: 'first', requestedAt: h.clock.now().toISOString() }));
    parkForAttention(h, { probes: 1, nextProbeInMs: 2 * HOUR });
    h.clock.advance(2 * HOUR);
    // Support's update saves the key, then the tenant; a probe reads the tenant in between (100 ms later).
    let readByProbe: Tenant | null = null;
    const put = h.secrets.put.bind(h.secrets);
    h.secrets.put = async (tenantId, secret) => {
      await put(tenantId, secret);
      h.clock.advance(100);
      readByProbe = await h.tenants.get('acme');
    };
    await updateTenant({ ...h.deps, deployment: { publicBaseUrl: async () => 'https://hooks.example.com' } }, 'acme', { apiKey: 'a-working-key-0123456789abcdef', actor: 'support@example.com' });
    h.secrets.put = put;
    expect(readByProbe).toMatchObject({ status: 'needs-attention' });
    h.activity.events.length = 0;

    // Act: the probe (which read the tenant before the save) finishes; then the next scheduled sync
    const get = h.tenants.get.bind(h.tenants);
    h.tenants.get = async () => ((h.tenants.get = get), readByProbe);
    const probe = await syncTenant(h.deps, aJob({ jobId: 'probe', requestedBy: 'probe', requestedAt: h.clock.now().toISOString() }));
    h.clock.advance(HOUR);
    const next = await syncTenant(h.deps, aJob({ jobId: 'next', requestedAt: h.clock.now().toISOString() }));

    // Assess: BambooHR answered (twice); the needs-attention alert is answered, once
    expect([probe.outcome, next.outcome]).toEqual(['succeeded', 'succeeded']);
    expect(h.tenants.items.get('acme')).toMatchObject({ status: 'active', attention: null });
    const alerts = h.activity.events.filter((e) => ALERT_TYPES.has(e.type));
    expect(alerts.map((e) => e.type)).toEqual(['recovered']);
  });
});
