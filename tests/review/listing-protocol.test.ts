import { ValidationError } from '../../lib/errors.js';
import type { ChangeRecord } from '../../lib/model/change.js';
import type { Employee } from '../../lib/model/employee.js';
import { listChanges, listEmployees } from '../../lib/use-cases/read-tenants.js';
import { syncTenant } from '../../lib/use-cases/sync-tenant.js';
import { aJob, aRawRow } from '../helpers/builders.js';
import { FakeEmployeeSource } from '../helpers/fake-employee-source.js';
import { aSyncHarness } from '../helpers/sync-harness.js';

/** What a product knows of one employee: the body, whether it is in the product, and the seq it reflects. */
type Known = Map<string, { employee: Employee; synced: boolean; seq: number }>;

/** The product's side of the README protocol: apply a change unless the employee already reflects it. */
const apply = (known: Known, changes: readonly ChangeRecord[]): void => {
  for (const change of changes) {
    const had = known.get(change.employeeId);
    if (had && change.seq <= had.seq) continue;
    known.set(change.employeeId, { employee: change.employee, synced: change.type !== 'deactivated', seq: change.seq });
  }
};

describe('review: the employees listing protocol', () => {
  it('a listing started before the upgrade (a cursor without seq) and finished after it still catches up to exactly the feed', async () => {
    // Prepare: 20 employees synced
    const source = new FakeEmployeeSource(Array.from({ length: 20 }, (_, i) => aRawRow(String(i + 1))));
    const h = await aSyncHarness({}, source);
    let minute = 0;
    const sync = () => {
      minute += 1;
      h.clock.advance(60_000);
      return syncTenant(h.deps, aJob({ requestedAt: h.clock.now().toISOString() }));
    };
    expect((await sync()).outcome).toBe('succeeded');
    const deps = { tenants: h.tenants, snapshots: h.snapshots, feed: h.feed };
    const replay = async (): Promise<Known> => {
      const known: Known = new Map();
      apply(known, (await listChanges(deps, 'acme', { after: 0, limit: 1000 })).changes);
      return known;
    };

    // Act: page 1 as the listing answered before this change (the store's page, its cursor, no seq)
    const known: Known = new Map();
    const oldPage = await h.snapshots.page('acme', undefined, 10);
    for (const entry of oldPage.entries) known.set(entry.employee.id, { employee: entry.employee, synced: entry.state === 'synced', seq: 0 });
    const pageOneId = oldPage.entries[0]!.employee.id;
    // the service is upgraded; a sync commits a change to someone on page 1
    source.set(aRawRow(pageOneId, { jobTitle: 'Changed between pages' }));
    expect((await sync()).outcome).toBe('succeeded');
    // the product goes on with the cursor it holds (were that cursor refused, it would start the
    // listing again, as the error says), then reads the changes after the listing's seq
    let cursor: string | null = oldPage.cursor!;
    let seq = 0;
    while (cursor !== null) {
      const page: Awaited<ReturnType<typeof listEmployees>> | null = await listEmployees(deps, 'acme', { ...(cursor ? { cursor } : {}), limit: 10 }).catch((error: unknown) => {
        if (!(error instanceof ValidationError)) throw error;
        return null;
      });
      if (page === null) {
        known.clear();
        cursor = '';
        continue;
      }
      for (const { synced, seq: s, ...employee } of page.employees) known.set(employee.id, { employee, synced, seq: s });
      seq = page.seq;
      cursor = page.cursor;
    }
    apply(known, (await listChanges(deps, 'acme', { after: seq, limit: 1000 })).changes);

    // Assess: what the protocol promises, "exactly the current state"
    expect(minute).toBe(2);
    expect(known.get(pageOneId)?.employee.jobTitle).toBe('Changed between pages');
    expect(known).toEqual(await replay());
  });
});

describe('review follow-up: the listing during a large pending append', () => {
  it('reads only the changes of the entries it shows as they were, not the whole pending range', async () => {
    // Prepare: a run died after writing 300 newcomers and one change of employee 1, before its commit
    const source = new FakeEmployeeSource([aRawRow('1')]);
    const h = await aSyncHarness({}, source);
    await syncTenant(h.deps, aJob());
    source.set(aRawRow('1', { jobTitle: 'Changed' }));
    for (let i = 2; i <= 301; i += 1) source.set(aRawRow(String(i)));
    h.feed.commit = async () => {
      throw new Error('killed before the commit');
    };
    await syncTenant(h.deps, aJob({ requestedAt: '2026-11-25T11:00:00.000Z' })).catch(() => undefined);
    const read: number[] = [];
    const readSeqs = h.feed.readSeqs.bind(h.feed);
    h.feed.readSeqs = async (tenantId, seqs) => (read.push(...seqs), readSeqs(tenantId, seqs));
    h.feed.readRange = async () => {
      throw new Error('the listing must not read the whole pending range');
    };

    // Act
    const page = await listEmployees(h.deps, 'acme', { limit: 1000 });

    // Assess
    expect(page.employees.map((e) => [e.id, e.jobTitle])).toEqual([['1', 'Engineer']]);
    expect(read).toHaveLength(1);
  });
});
