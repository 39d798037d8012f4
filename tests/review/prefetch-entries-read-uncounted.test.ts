import { aJob } from '../helpers/builders.js';
import { aCompany, aTwinSync } from '../helpers/twin-sync.js';

/**
 * Review of afd2fca (a targeted run reads its employees' entries while BambooHR answers).
 *
 * The worker logs what it read of the snapshot (`snapshotRead.entriesRead`; entriesNeeded says "`read`
 * counts every entry read", the prefetched ones included). But when the plan against the summary needs
 * no entry (the webhook's employee turns out unchanged: an edit undone, a field the product is not
 * told), planAgainstSnapshot returns `entriesRead: 0` without looking at the prefetch, although the
 * prefetch did read the employee's entry (a BatchGetItem, read units). The log then says a run read
 * nothing that did read.
 */
describe('entriesRead of a targeted run whose plan needs no entry (review of afd2fca)', () => {
  it('counts the entries the run read early, also when the plan then needed none of them', async () => {
    // Prepare: a synced company; BambooHR sends a webhook about 7, who is as the product knows them
    const twin = await aTwinSync(aCompany(30));
    const h = twin.summary;
    await twin.run(aJob({ requestedAt: '2026-11-25T09:00:00.000Z' }));
    const readBefore = h.snapshots.entriesRead;

    // Act
    const [result] = await twin.run(aJob({ kind: 'employees', requestedBy: 'webhook', employeeIds: ['7'], requestedAt: '2026-11-25T10:05:00.000Z' }));

    // Assess: the run read one entry (the prefetch) and says so
    expect(result).toMatchObject({ outcome: 'succeeded', run: { counts: { created: 0, updated: 0 } } });
    const actuallyRead = h.snapshots.entriesRead - readBefore;
    expect(actuallyRead).toBe(1);
    const logged = h.log.lines.filter((l) => l.message === 'Sync run finished').map((l) => l.extra[0]!.snapshotRead as { entriesRead: number });
    expect(logged.at(-1)).toMatchObject({ mode: 'summary', entriesRead: actuallyRead });
  });
});
