import type { SyncTenantDeps } from '../../lib/use-cases/sync-tenant.js';
import { syncTenant } from '../../lib/use-cases/sync-tenant.js';
import { aJob, aRawRow } from '../helpers/builders.js';
import { aCompany, aTwinSync, written } from '../helpers/twin-sync.js';
import type { InMemoryChangeFeed, InMemorySnapshotStore } from '../helpers/in-memory-ports.js';

/*
 * Review 17. The summary is trusted when the feed's bookkeeping has a head and no stale mark. Only
 * this version sets the mark: a worker of the version before issue 17 (an instance still running
 * the old code during the deploy, or a rollback and a roll forward again) reserves with
 * `SET pending, nextSeq, committedSeq` and commits with `REMOVE pending SET committedSeq` (see
 * `git show 9d43a25:lib/adapters/dynamodb-change-feed.ts`): it writes the snapshot and commits
 * changes, and leaves the head as it was, unmarked. repairPendingAppend guards against such a
 * worker's *uncommitted* append ("Reserved by a version that did not mark it"), but nothing guards
 * against its committed ones: the head does not say which committed seq it describes, so the next
 * run trusts a summary that does not describe the snapshot (guarantee 4).
 */

/** What a worker of the version before issue 17 does to the tables: the old adapters' writes, nothing of the summary. */
const asOlderVersion = (deps: SyncTenantDeps): SyncTenantDeps => {
  const feed = deps.feed as InMemoryChangeFeed;
  const snapshots = deps.snapshots as InMemorySnapshotStore;
  const olderFeed = Object.create(feed) as InMemoryChangeFeed;
  // It never read the summary (it read the whole snapshot), never marked it, never saved it.
  olderFeed.state = async (tenantId) => ({ ...(await feed.state(tenantId)), summary: null, summaryStale: false });
  olderFeed.reserve = async (tenantId, runId, count) => {
    const before = feed.meta.get(tenantId)?.summaryStale;
    const pending = await feed.reserve(tenantId, runId, count);
    const meta = feed.meta.get(tenantId)!;
    if (before === undefined) delete meta.summaryStale;
    else meta.summaryStale = before;
    return pending;
  };
  olderFeed.commit = async (tenantId, pending) => feed.commit(tenantId, pending);
  olderFeed.markSummaryStale = async () => undefined;
  olderFeed.saveSummary = async () => false;
  const olderSnapshots = Object.create(snapshots) as InMemorySnapshotStore;
  olderSnapshots.writeSummaryChunks = async () => undefined;
  return { ...deps, feed: olderFeed, snapshots: olderSnapshots };
};

describe('a summary left behind by changes committed by an older version (review 17)', () => {
  it('is not trusted after a worker of the version before issue 17 committed changes: no employee is created twice', async () => {
    // Prepare: both twins synced by this version (the summary twin saves its summary)
    const twin = await aTwinSync(aCompany(12));
    await twin.run(aJob({ requestedAt: '2026-11-25T09:00:00.000Z' }));
    // a newcomer (no manager: no other entry changes), synced by an older worker (during the deploy, or after a rollback)
    twin.edit((source) => source.set(aRawRow('13', { '4501': '0' })));
    const older = aJob({ requestedAt: '2026-11-25T10:00:00.000Z' });
    await syncTenant(asOlderVersion(twin.summary.deps), older);
    await syncTenant(asOlderVersion(twin.full.deps), older);
    expect(twin.summary.feed.all('acme').filter((r) => r.employeeId === '13').map((r) => r.type)).toEqual(['created']);

    // Act: the next run, by this version again, with nothing changed in BambooHR
    const [viaSummary, viaFull] = await twin.run(aJob({ requestedAt: '2026-11-25T11:00:00.000Z' }));

    // Assess
    expect(viaSummary).not.toBeInstanceOf(Error);
    expect(viaFull).not.toBeInstanceOf(Error);
    expect(twin.summary.feed.all('acme').filter((r) => r.employeeId === '13').map((r) => r.type)).toEqual(['created']);
    expect(await written(twin.summary)).toEqual(await written(twin.full));
  });
});
