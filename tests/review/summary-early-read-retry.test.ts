import { BambooHrAuthError } from '../../lib/errors.js';
import { syncTenant } from '../../lib/use-cases/sync-tenant.js';
import { aJob } from '../helpers/builders.js';
import { FakeEmployeeSource } from '../helpers/fake-employee-source.js';
import { aCompany, aTwinSync } from '../helpers/twin-sync.js';

/*
 * Found by the review of issue 17's early summary read: the summary is read once, while the run is
 * claimed, and that one read was handed to every pull. A refused cached key makes the worker pull
 * again with the key read uncached; a first read that had failed (a throttled DynamoDB call) then
 * failed that pull too, where reading the summary again succeeds.
 */
describe('the pull again after a refused key, when the early summary read failed (issue 17 review)', () => {
  it('a refused cached key retried with the fresh key succeeds even if the first summary read failed', async () => {
    // Prepare: a synced company with a summary; support replaced the key, a stale one is cached
    const twin = await aTwinSync(aCompany(30));
    const h = twin.summary;
    await syncTenant(h.deps, aJob({ requestedAt: '2026-11-25T09:00:00.000Z' }));
    const good = h.source;
    const revoked = new FakeEmployeeSource();
    revoked.failWith = new BambooHrAuthError('acme', 401, 'acme');
    h.secrets.cached.set('acme', { apiKey: 'old-revoked-key', webhookPrivateKey: null });
    h.deps.employeeSource = ({ apiKey }) => (apiKey === 'old-revoked-key' ? revoked : good);
    // The first summary read is throttled once (the read that goes with the refused pull).
    const readSummaryChunks = h.snapshots.readSummaryChunks.bind(h.snapshots);
    let failures = 1;
    h.snapshots.readSummaryChunks = async (tenantId, chunks) => {
      if (failures > 0) {
        failures -= 1;
        throw new Error('ProvisionedThroughputExceededException');
      }
      return readSummaryChunks(tenantId, chunks);
    };

    // Act
    const result = await syncTenant(h.deps, aJob({ requestedAt: '2026-11-25T10:00:00.000Z' })).catch((error: Error) => error);

    // Assess: the pull again reads the summary again, and the run succeeds
    expect(result).not.toBeInstanceOf(Error);
    expect((result as Awaited<ReturnType<typeof syncTenant>>).outcome).toBe('succeeded');
  });
});
