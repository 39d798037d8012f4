import { previewSync } from '../../lib/use-cases/preview-sync.js';
import { RetryLaterError, syncTenant } from '../../lib/use-cases/sync-tenant.js';
import { aJob, aRawRow } from '../helpers/builders.js';
import { FakeEmployeeSource } from '../helpers/fake-employee-source.js';
import { aSyncHarness } from '../helpers/sync-harness.js';

describe('previewSync', () => {
  it('writes nothing and lists what a real run would write', async () => {
    // Prepare
    const h = await aSyncHarness({}, new FakeEmployeeSource([aRawRow('1'), aRawRow('2', { supervisorEId: '1' })]));

    // Act
    const preview = await previewSync(h.deps, 'acme');

    // Assess
    expect(preview).toMatchObject({ outcome: 'apply', counts: { created: 2 }, totalChanges: 2, employeesSynced: 2, pulled: 2 });
    expect(h.feed.all('acme')).toEqual([]);
    expect(h.snapshots.puts).toBe(0);
    expect(h.runs.items.size).toBe(0);
  });

  it('shows who a held run would deactivate', async () => {
    // Prepare
    const h = await aSyncHarness({}, new FakeEmployeeSource(Array.from({ length: 20 }, (_, i) => aRawRow(String(i + 1)))));
    await syncTenant(h.deps, aJob());
    for (let i = 1; i <= 8; i += 1) h.source.rows.delete(String(i));

    // Act
    const preview = await previewSync(h.deps, 'acme');

    // Assess
    expect(preview.outcome).toBe('held');
    expect(preview.held).toMatchObject({ wouldDeactivate: 8, syncedBefore: 20 });
    expect(preview.changes.filter((c) => c.type === 'deactivated')).toHaveLength(8);
  });

  it('does not list again the changes an interrupted run already put in the feed', async () => {
    // Prepare: a run dies after writing the feed
    const h = await aSyncHarness({}, new FakeEmployeeSource([aRawRow('1'), aRawRow('2')]));
    h.snapshots.put = async () => {
      throw new Error('Lambda killed');
    };
    await expect(syncTenant(h.deps, aJob())).rejects.toThrow(RetryLaterError);

    // Act
    const preview = await previewSync(h.deps, 'acme');

    // Assess
    expect(preview.totalChanges).toBe(0);
    expect(h.feed.all('acme')).toHaveLength(2);
  });
});
