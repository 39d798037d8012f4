import { syncTenant } from '../../lib/use-cases/sync-tenant.js';
import { aJob, aRawRow } from '../helpers/builders.js';
import { aCompany, aTwinSync, written } from '../helpers/twin-sync.js';

/*
 * Review 17. The commit saves the run's summary head unconditionally
 * (dynamodb-change-feed.ts commit: `SET #summary = :head, #summaryVersion = if_not_exists(...) + 1`,
 * conditioned on the pending append only; the in-memory fake likewise), whereas saveSummary (the
 * bookkeeping path) is conditioned on the version the run planned against. A run that planned
 * against summary version V and commits after another run saved V+1 replaces V+1 with "V plus its
 * own stubs": the stubs the other run wrote are lost, and the summary no longer describes the
 * snapshot. Two workers on one tenant are what the FIFO group should prevent, but the write-order
 * argument is meant to hold regardless (the bookkeeping path guards exactly this with its version).
 */
describe('a run that commits after another run saved a newer summary (review 17)', () => {
  it('does not replace the newer summary with one made from the older: an employee the other run created is not created again later', async () => {
    // Prepare: both twins synced; run A of each pulls (employee 5 renamed) and is held just before it reserves seqs
    const twin = await aTwinSync(aCompany(12));
    await twin.run(aJob({ requestedAt: '2026-11-25T09:00:00.000Z' }));
    const gates = [twin.summary, twin.full].map((h) => {
      const reserve = h.feed.reserve.bind(h.feed);
      let reached!: () => void;
      let release!: () => void;
      const atGate = new Promise<void>((resolve) => (reached = resolve));
      const open = new Promise<void>((resolve) => (release = resolve));
      let first = true;
      h.feed.reserve = async (...args: Parameters<typeof reserve>) => {
        if (first) {
          first = false;
          reached();
          await open;
        }
        return reserve(...args);
      };
      return { atGate, release };
    });
    twin.edit((source) => (source.rows.get('5')!.lastName = 'Renamed'));
    const jobA = aJob({ requestedAt: '2026-11-25T10:00:00.000Z' });
    const runsA = [syncTenant(twin.summary.deps, structuredClone(jobA)), syncTenant(twin.full.deps, structuredClone(jobA))];
    await Promise.all(gates.map((g) => g.atGate));
    // Meanwhile BambooHR: the rename is undone, a newcomer arrives; run B (another job) syncs that and commits
    twin.edit((source) => {
      source.rows.get('5')!.lastName = 'Last5';
      source.set(aRawRow('13', { '4501': '0' }));
    });

    // Act: B runs to its end while A waits (A has reserved nothing yet); then A goes on and commits; then a later run with nothing new in BambooHR
    const [b, bFull] = await twin.run(aJob({ requestedAt: '2026-11-25T10:05:00.000Z' }));
    for (const gate of gates) gate.release();
    const [a, aFull] = await Promise.all(runsA);
    const [later, laterFull] = await twin.run(aJob({ requestedAt: '2026-11-25T11:00:00.000Z' }));

    // Assess
    for (const result of [a, aFull, b, bFull, later, laterFull]) expect(result).not.toBeInstanceOf(Error);
    expect(twin.summary.feed.all('acme').filter((r) => r.employeeId === '13').map((r) => r.type)).toEqual(['created']);
    expect(await written(twin.summary)).toEqual(await written(twin.full));
  });
});
