import { createServiceDeps } from '../../lib/composition.js';
import { silentLog } from '../../lib/logging.js';
import type { ChangeRecord } from '../../lib/model/change.js';
import type { Employee } from '../../lib/model/employee.js';
import { listChanges, listEmployees } from '../../lib/use-cases/read-tenants.js';
import { RetryLaterError, syncTenant, type SyncTenantDeps } from '../../lib/use-cases/sync-tenant.js';
import { aJob, aRawRow, aTenant, FAKE_API_KEY } from '../helpers/builders.js';
import { startEmulators, type Emulators } from '../helpers/emulators.js';
import { FakeEmployeeSource } from '../helpers/fake-employee-source.js';
import { FixedClock } from '../helpers/in-memory-ports.js';

/** What a product knows of one employee: the body, whether it is in the product, and the seq it reflects. */
type Known = Map<string, { employee: Employee; synced: boolean; seq: number }>;

/** The product's side of the protocol in the README: apply a change unless the employee already reflects it. */
const apply = (known: Known, changes: readonly ChangeRecord[]): void => {
  for (const change of changes) {
    const had = known.get(change.employeeId);
    if (had && change.seq <= had.seq) continue;
    known.set(change.employeeId, { employee: change.employee, synced: change.type !== 'deactivated', seq: change.seq });
  }
};

/**
 * The employees listing and the change feed together (hardening 2): a product that loads every page
 * (while syncs commit between pages, and while a run that died has written its snapshot but not
 * committed its feed range) and then reads `changes?after=<seq>` ends with exactly what the feed says.
 */
describe('bootstrap: employees listing + changes after its seq = the current state (hardening 2)', () => {
  let emulators: Emulators;
  let deps: SyncTenantDeps & ReturnType<typeof createServiceDeps>;
  const source = new FakeEmployeeSource(Array.from({ length: 30 }, (_, i) => aRawRow(String(i + 1), i === 0 ? {} : { supervisorEId: '1' })));
  const clock = new FixedClock();
  let runs = 0;

  const sync = () => {
    runs += 1;
    clock.advance(60_000);
    return syncTenant(deps, aJob({ tenantId: 'boot', requestedAt: clock.now().toISOString() }));
  };
  /** Every committed change from the start: what the product was told, the ground truth. */
  const replayWholeFeed = async (): Promise<Known> => {
    const known: Known = new Map();
    let after = 0;
    for (;;) {
      const page = await listChanges(deps, 'boot', { after, limit: 7 });
      if (page.changes.length === 0) return known;
      apply(known, page.changes);
      after = page.nextAfter;
    }
  };

  beforeAll(async () => {
    emulators = await startEmulators();
    const service = createServiceDeps({ ...emulators.config, secrets: { ...emulators.config.secrets, localFile: `${process.env.TMPDIR ?? '/tmp'}/boot-${process.pid}.json` } }, { clock });
    deps = { ...service, log: silentLog, employeeSource: () => source };
    await deps.tenants.create(aTenant({ tenantId: 'boot', subdomain: 'boot' }));
    await deps.secrets.put('boot', { apiKey: FAKE_API_KEY, webhookPrivateKey: null });
    expect((await sync()).outcome).toBe('succeeded');
  });

  afterAll(async () => {
    await deps?.secrets.delete('boot');
    await emulators?.stop();
  });

  it('loads every page while syncs run between them, never shows an uncommitted change, and catches up exactly', async () => {
    // Act: page 1
    const known: Known = new Map();
    const pages: Awaited<ReturnType<typeof listEmployees>>[] = [];
    const next = async () => {
      const page = await listEmployees(deps, 'boot', { limit: 10, ...(pages.at(-1)?.cursor ? { cursor: pages.at(-1)!.cursor! } : {}) });
      pages.push(page);
      for (const e of page.employees) {
        const { synced, seq, ...employee } = e;
        known.set(e.id, { employee, synced, seq });
      }
      return page;
    };
    await next();
    // A sync commits changes to employees on pages read and not yet read
    source.set(aRawRow('2', { supervisorEId: '1', jobTitle: 'Changed after page 1' }));
    source.set(aRawRow('25', { supervisorEId: '1', jobTitle: 'Changed after page 1' }));
    source.set(aRawRow('12', { supervisorEId: '1', status: 'Inactive' }));
    source.set(aRawRow('31', { supervisorEId: '1' }));
    expect((await sync()).outcome).toBe('succeeded');
    await next();
    // A run dies after writing its snapshot entries, before committing its feed range
    source.set(aRawRow('8', { supervisorEId: '1', jobTitle: 'Not committed yet' }));
    source.set(aRawRow('28', { supervisorEId: '1', jobTitle: 'Not committed yet' }));
    const commit = deps.feed.commit.bind(deps.feed);
    deps.feed.commit = async () => {
      throw new Error('Lambda killed before the commit');
    };
    await expect(sync()).rejects.toThrow(RetryLaterError);
    deps.feed.commit = commit;
    while (pages.at(-1)!.cursor) await next();
    const seq = pages[0]!.seq;
    let after = seq;
    for (;;) {
      const page = await listChanges(deps, 'boot', { after, limit: 5 });
      if (page.changes.length === 0) break;
      apply(known, page.changes);
      after = page.nextAfter;
    }

    // Assess: one seq for the whole listing; nothing uncommitted shown; exactly the feed's state
    expect(pages.every((p) => p.seq === seq)).toBe(true);
    expect(pages.flatMap((p) => p.employees).filter((e) => e.jobTitle === 'Not committed yet')).toEqual([]);
    expect(known).toEqual(await replayWholeFeed());
    expect(known.get('25')?.employee.jobTitle).toBe('Changed after page 1');
    expect(known.get('12')?.synced).toBe(false);
    expect(known.get('31')?.synced).toBe(true);

    // Act: the next run rolls the dead one forward; the product reads on from where it was
    expect((await sync()).outcome).toBe('succeeded');
    const more = await listChanges(deps, 'boot', { after, limit: 100 });
    apply(known, more.changes);

    // Assess
    expect(known).toEqual(await replayWholeFeed());
    expect(known.get('8')?.employee.jobTitle).toBe('Not committed yet');
    expect(runs).toBe(4);
  });

  it('gives every employee the seq of its last change, and a fresh listing equals the replayed feed', async () => {
    // Act
    const listed: Known = new Map();
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof listEmployees>> = await listEmployees(deps, 'boot', { limit: 1000, ...(cursor ? { cursor } : {}) });
      for (const { synced, seq, ...employee } of page.employees) listed.set(employee.id, { employee, synced, seq });
      cursor = page.cursor;
    } while (cursor);

    // Assess
    expect(listed).toEqual(await replayWholeFeed());
  });
});
