import { MemorySummaryChunkCache } from '../../lib/adapters/memory-summary-chunk-cache.js';
import type { Employee } from '../../lib/model/employee.js';
import type { SnapshotEntry } from '../../lib/model/snapshot.js';
import { syncTenant } from '../../lib/use-cases/sync-tenant.js';
import {
  assembleSummary,
  buildSummary,
  chunkOf,
  decodeChunk,
  decodeHead,
  encodeChunk,
  encodeHead,
  hashOfEntry,
  SummaryCorruptError,
  updateSummary,
  type SummaryStub,
} from '../../lib/sync/snapshot-summary.js';
import { aJob, anEmployee } from '../helpers/builders.js';
import { aCompany, aTwinSync, written } from '../helpers/twin-sync.js';

const aStub = (id: string, overrides: Partial<SummaryStub> = {}): SummaryStub => ({
  id,
  hash: hashOfEntry({ employee: anEmployee(id), state: 'synced', reason: null, sourceManagerId: null }),
  state: 'synced',
  reason: null,
  sourceManagerId: null,
  orgDerived: true,
  ...overrides,
});

const byId = (stubs: readonly SummaryStub[]) => [...stubs].sort((a, b) => (a.id < b.id ? -1 : 1));

describe('the snapshot summary (issue 17)', () => {
  describe('bytes', () => {
    it('round-trips stubs of every kind: numeric and text ids, each state and reason, managers by number, text or none', () => {
      // Prepare
      const stubs = [
        aStub('1'),
        aStub('2', { sourceManagerId: '1' }),
        aStub('1000000', { sourceManagerId: 'emp-ü', orgDerived: false }),
        aStub('007', { state: 'deactivated', reason: 'inactive' }),
        aStub('emp-ü', { state: 'deactivated', reason: 'excluded', sourceManagerId: '007' }),
        aStub('0', { state: 'deactivated', reason: 'deleted', sourceManagerId: '0' }),
        aStub('9007199254740993'),
      ];

      // Act
      const bytes = encodeChunk(stubs);
      const back = decodeChunk(bytes);

      // Assess
      expect(byId(back)).toEqual(byId(stubs));
      expect(bytes.length).toBeLessThan(stubs.length * 40);
    });

    it('keeps about 21 bytes per employee with numeric ids', () => {
      // Act
      const bytes = encodeChunk(Array.from({ length: 10_000 }, (_, i) => aStub(String(i + 1), { sourceManagerId: String(Math.floor(i / 8) + 1) })));

      // Assess
      expect(bytes.length / 10_000).toBeLessThan(22);
    });

    it('refuses a head whose bytes changed, and a chunk that is not one', () => {
      // Prepare
      const head = encodeHead({ committedSeq: 7, employees: 2, chunks: [{ slot: 1, sum: '0123456789abcdef' }], delta: [aStub('5')] });
      const flipped = new Uint8Array(head);
      flipped[5] = flipped[5]! ^ 1;

      // Act & Assess
      expect(decodeHead(head)).toEqual({ committedSeq: 7, employees: 2, chunks: [{ slot: 1, sum: '0123456789abcdef' }], delta: [aStub('5')] });
      expect(() => decodeHead(flipped)).toThrow(SummaryCorruptError);
      expect(() => decodeChunk(new Uint8Array([1, 2, 3]))).toThrow(SummaryCorruptError);
    });

    it('hashes every field of the entry, and tells a missing field from a null one', () => {
      // Prepare
      const entry: SnapshotEntry = { employee: anEmployee('1', { managerId: '2', directReportIds: ['3'] }), state: 'synced', reason: null, sourceManagerId: '2' };
      const variants: SnapshotEntry[] = [
        ...Object.keys(entry.employee).map((field) => ({ ...entry, employee: { ...entry.employee, [field]: field === 'directReportIds' ? ['4'] : 'other' } })),
        { ...entry, state: 'deactivated', reason: 'inactive' },
        { ...entry, sourceManagerId: '9' },
        { ...entry, employee: { ...entry.employee, middleName: undefined as unknown as null } },
      ];

      // Act
      const hashes = new Set([entry, ...variants].map(hashOfEntry));

      // Assess
      expect(hashes.size).toBe(variants.length + 1);
      expect(hashOfEntry(entry)).toMatch(/^[0-9a-f]{32}$/);
    });

    it('keeps the hash of an entry the same from one version to the next (stored summaries stay usable)', () => {
      // Prepare: written out, not built, so that a change of the builders cannot move it
      const employee: Employee = {
        id: '1',
        employeeNumber: 'E1',
        status: 'active',
        firstName: 'First1',
        middleName: 'Zoë "Q"',
        lastName: 'Last1',
        preferredName: null,
        workEmail: 'person1@example.com',
        hireDate: '2020-01-15',
        originalHireDate: null,
        jobTitle: 'Engineer',
        department: 'Engineering',
        division: null,
        location: 'Remote',
        managerId: '2',
        directReportIds: ['3', '4'],
      };

      // Act
      const synced = hashOfEntry({ employee, state: 'synced', reason: null, sourceManagerId: '2' });
      const excluded = hashOfEntry({ employee, state: 'deactivated', reason: 'excluded', sourceManagerId: null });

      // Assess: the values every stored summary was written with
      expect(synced).toBe('3c6ccdab9e844baa86ffa6eecdf494d5');
      expect(excluded).toBe('1eb00f94bd0fa9b552682131774b229b');
    });
  });

  describe('chunks, checks, delta and folds', () => {
    const limits = { chunkTargetBytes: 400, chunkMaxBytes: 900, deltaMaxBytes: 100 };
    const all = Array.from({ length: 60 }, (_, i) => aStub(String(i + 1)));
    const built = buildSummary(all, null, limits);
    const load = (write = built, chunks = new Map(write.chunks.map((c) => [c.index, c.bytes]))) =>
      assembleSummary(write.head, write.head.chunks.map((_, i) => chunks.get(i) ?? null));

    it('builds chunks by a hash of the id and assembles them back, checked', () => {
      // Act
      const summary = load();

      // Assess
      expect(built.head.chunks.length).toBeGreaterThan(1);
      expect(summary.stubs.size).toBe(60);
      for (const [index, chunk] of summary.chunks.entries()) for (const stub of chunk) expect(chunkOf(stub.id, summary.chunks.length)).toBe(index);
    });

    it('refuses a missing chunk, a chunk with a byte changed, and a count that does not match', () => {
      // Prepare
      const chunks = new Map(built.chunks.map((c) => [c.index, c.bytes]));
      const damaged = new Uint8Array(chunks.get(0)!);
      damaged[damaged.length - 1] = damaged[damaged.length - 1]! ^ 0xff;

      // Act & Assess
      expect(() => load(built, new Map([...chunks].filter(([i]) => i !== 1)))).toThrow(/chunk 1 is missing/);
      expect(() => load(built, new Map([...chunks, [0, damaged]]))).toThrow(/checksum/);
      expect(() => load({ ...built, head: { ...built.head, employees: 61 } })).toThrow(/61/);
    });

    it('keeps a few changed stubs in the delta (no chunk rewritten), and folds a larger delta into the chunks it touches, beside the current ones', () => {
      // Prepare
      const summary = load();

      // Act
      const small = updateSummary(summary, [aStub('3', { hash: 'f'.repeat(32) })], limits)!;
      const many = updateSummary(summary, Array.from({ length: 12 }, (_, i) => aStub(String(i + 1), { hash: 'e'.repeat(32) })), limits)!;
      const nothing = updateSummary(summary, [aStub('3')], limits);

      // Assess
      expect(small.chunks).toEqual([]);
      expect(small.head.delta).toEqual([aStub('3', { hash: 'f'.repeat(32) })]);
      expect(many.head.delta).toEqual([]);
      expect(many.chunks.length).toBeGreaterThan(0);
      for (const chunk of many.chunks) expect(chunk.slot).not.toBe(built.head.chunks[chunk.index]!.slot);
      const folded = load(many, new Map([...built.chunks.map((c) => [c.index, c.bytes] as const), ...many.chunks.map((c) => [c.index, c.bytes] as const)]));
      expect(folded.stubs.get('12')!.hash).toBe('e'.repeat(32));
      expect(folded.stubs.get('13')!.hash).toBe(aStub('13').hash);
      expect(nothing).toBeNull();
    });

    it('rebuilds with more chunks when a chunk would outgrow its limit', () => {
      // Prepare
      const summary = load();
      const newcomers = Array.from({ length: 200 }, (_, i) => aStub(String(1000 + i)));

      // Act
      const grown = updateSummary(summary, newcomers, limits)!;

      // Assess
      expect(grown.head.chunks.length).toBeGreaterThan(built.head.chunks.length);
      expect(grown.head.employees).toBe(260);
      expect(load(grown).stubs.size).toBe(260);
    });
  });

  describe('runs against a summary that is missing, damaged or wrong: the whole snapshot is read, the same is written, the summary is rebuilt', () => {
    const damages: Array<[string, (twin: Awaited<ReturnType<typeof aTwinSync>>) => void]> = [
      ['a chunk deleted', (twin) => twin.summary.snapshots.chunks.clear()],
      [
        'a byte of a chunk changed',
        (twin) => {
          for (const bytes of twin.summary.snapshots.chunks.values()) bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0x55;
        },
      ],
      [
        'a byte of the head changed',
        (twin) => {
          const head = twin.summary.feed.meta.get('acme')!.summary!.head;
          head[4] = head[4]! ^ 0x55;
        },
      ],
      [
        "an entry changed behind the summary's back",
        (twin) => {
          const entry = twin.summary.snapshots.items.get('acme')!.get('7')!;
          entry.employee.jobTitle = 'Changed behind its back';
          twin.full.snapshots.items.get('acme')!.get('7')!.employee.jobTitle = 'Changed behind its back';
        },
      ],
    ];

    it.each(damages)('%s', async (_name, damage) => {
      // Prepare
      const twin = await aTwinSync(aCompany(30));
      await twin.run(aJob({ requestedAt: '2026-11-25T09:00:00.000Z' }));
      damage(twin);
      twin.edit((source) => {
        source.rows.get('7')!.lastName = 'Renamed';
        source.rows.get('9')!.supervisorEId = '2';
      });
      const loadsBefore = twin.summary.snapshots.loads;

      // Act
      await twin.run(aJob({ requestedAt: '2026-11-25T10:00:00.000Z' }));
      const loadsAfterDamage = twin.summary.snapshots.loads;
      twin.edit((source) => (source.rows.get('8')!.jobTitle = 'Lead'));
      await twin.run(aJob({ requestedAt: '2026-11-25T11:00:00.000Z' }));

      // Assess
      expect(await written(twin.summary)).toEqual(await written(twin.full));
      expect(loadsAfterDamage).toBe(loadsBefore + 1);
      expect(twin.summary.snapshots.loads).toBe(loadsAfterDamage); // rebuilt: the next run reads the summary again
    });
  });

  describe('what a run reads', () => {
    it('reads no entry for a run with nothing changed, one for a webhook about one person, and only the changed and their managers otherwise', async () => {
      // Prepare
      const twin = await aTwinSync(aCompany(60));
      const h = twin.summary;
      await syncTenant(h.deps, aJob({ requestedAt: '2026-11-25T09:00:00.000Z' }));
      const reads = () => [h.snapshots.loads, h.snapshots.entriesRead];
      const start = reads();

      // Act
      await syncTenant(h.deps, aJob({ requestedAt: '2026-11-25T10:00:00.000Z' }));
      const nochange = reads();
      h.source.rows.get('40')!.jobTitle = 'Staff Engineer';
      await syncTenant(h.deps, aJob({ kind: 'employees', requestedBy: 'webhook', employeeIds: ['40'], requestedAt: '2026-11-25T10:10:00.000Z' }));
      const webhook = reads();
      h.source.rows.get('41')!.lastName = 'Moved';
      h.source.rows.get('42')!.supervisorEId = '20'; // from 13 to 20: both managers change too
      await syncTenant(h.deps, aJob({ requestedAt: '2026-11-25T11:00:00.000Z' }));
      const some = reads();

      // Assess
      expect(start).toEqual([1, 0]); // the first sync read the (empty) snapshot
      expect(nochange).toEqual([1, 0]);
      expect(webhook).toEqual([1, 1]);
      expect(some).toEqual([1, 1 + 4]);
    });

    it("reads a targeted run's entries while BambooHR answers, then only what else the plan needs (the managers of a move)", async () => {
      // Prepare: employee 7 moves from manager 2 to manager 20
      const twin = await aTwinSync(aCompany(30));
      const h = twin.summary;
      await twin.run(aJob({ requestedAt: '2026-11-25T09:00:00.000Z' }));
      const events: string[] = [];
      const get = h.snapshots.get.bind(h.snapshots);
      h.snapshots.get = async (tenantId, ids) => {
        events.push(`entries ${ids.join(',')}`);
        return get(tenantId, ids);
      };
      const fetchReport = h.source.fetchReport.bind(h.source);
      h.source.fetchReport = async (request) => {
        events.push('report');
        return fetchReport(request);
      };
      twin.edit((source) => (source.rows.get('7')!.supervisorEId = '20'));

      // Act
      const [viaSummary] = await twin.run(aJob({ kind: 'employees', requestedBy: 'webhook', employeeIds: ['7'], requestedAt: '2026-11-25T10:05:00.000Z' }));

      // Assess
      expect(viaSummary).toMatchObject({ outcome: 'succeeded', run: { counts: { updated: 3 } } });
      expect(events).toEqual(['entries 7', 'report', 'entries 2,20']);
      expect(await written(h)).toEqual(await written(twin.full));
      expect(h.snapshots.loads).toBe(1); // the first sync only
    });

    it('reads the whole snapshot when an entry read early does not match its stub, and reads again when the early read fails', async () => {
      // Prepare: the stored entry of 7 no longer matches the summary (as if written by someone else)
      const twin = await aTwinSync(aCompany(30));
      const h = twin.summary;
      await twin.run(aJob({ requestedAt: '2026-11-25T09:00:00.000Z' }));
      h.snapshots.items.get(h.tenant.tenantId)!.get('7')!.employee.jobTitle = 'Not what the summary says';
      twin.full.snapshots.items.get(twin.full.tenant.tenantId)!.get('7')!.employee.jobTitle = 'Not what the summary says';
      twin.edit((source) => (source.rows.get('7')!.jobTitle = 'Engineer II'));

      // Act: one webhook run with the mismatch; then one whose early read is refused
      const [mismatched] = await twin.run(aJob({ kind: 'employees', requestedBy: 'webhook', employeeIds: ['7'], requestedAt: '2026-11-25T10:05:00.000Z' }));
      const loadsAfterMismatch = h.snapshots.loads;
      const get = h.snapshots.get.bind(h.snapshots);
      let calls = 0;
      h.snapshots.get = async (tenantId, ids) => {
        calls += 1;
        if (calls === 1) throw Object.assign(new Error('Throughput exceeded'), { name: 'ProvisionedThroughputExceededException' });
        return get(tenantId, ids);
      };
      twin.edit((source) => (source.rows.get('8')!.lastName = 'Refused-Early'));
      const [refusedEarly] = await twin.run(aJob({ kind: 'employees', requestedBy: 'webhook', employeeIds: ['8'], requestedAt: '2026-11-25T10:10:00.000Z' }));

      // Assess
      expect(mismatched).toMatchObject({ outcome: 'succeeded', run: { counts: { updated: 1 } } });
      expect(loadsAfterMismatch).toBe(2); // the whole snapshot, once
      expect(refusedEarly).toMatchObject({ outcome: 'succeeded', run: { counts: { updated: 1 } } });
      expect(calls).toBe(2);
      expect(h.snapshots.loads).toBe(2); // the refused early read was no reason to read it all
      expect(await written(h)).toEqual(await written(twin.full));
    });

    it('reads no chunk a warm worker decoded before: only those rewritten since', async () => {
      // Prepare: tiny chunks, so that folding the delta rewrites some of them
      const cache = new MemorySummaryChunkCache();
      const twin = await aTwinSync(aCompany(30), { chunkTargetBytes: 150, chunkMaxBytes: 400, deltaMaxBytes: 60 }, { cache });
      const h = twin.summary;
      const read: number[][] = [];
      const readSummaryChunks = h.snapshots.readSummaryChunks.bind(h.snapshots);
      h.snapshots.readSummaryChunks = async (tenantId, chunks) => {
        read.push(chunks.map((c) => c.index));
        return readSummaryChunks(tenantId, chunks);
      };
      await twin.run(aJob({ requestedAt: '2026-11-25T09:00:00.000Z' }));
      const chunkCount = decodeHead((await h.feed.state('acme')).summary!.head).chunks.length;

      // Act: nothing changed; one change kept in the delta; enough changes to fold the delta into chunks
      read.length = 0;
      await twin.run(aJob({ requestedAt: '2026-11-25T10:00:00.000Z' }));
      const first = [...read];
      await twin.run(aJob({ requestedAt: '2026-11-25T10:10:00.000Z' }));
      const warm = [...read];
      twin.edit((source) => (source.rows.get('3')!.jobTitle = 'Head of Data'));
      await twin.run(aJob({ requestedAt: '2026-11-25T10:20:00.000Z' }));
      await twin.run(aJob({ requestedAt: '2026-11-25T10:30:00.000Z' }));
      const afterDelta = [...read];
      twin.edit((source) => ['4', '5', '6', '7', '8', '9'].forEach((id) => (source.rows.get(id)!.lastName = `Renamed-${id}`)));
      await twin.run(aJob({ requestedAt: '2026-11-25T10:40:00.000Z' }));
      read.length = 0;
      await twin.run(aJob({ requestedAt: '2026-11-25T10:50:00.000Z' }));
      const afterFold = [...read];

      // Assess
      expect(chunkCount).toBeGreaterThan(2);
      expect(first).toEqual([[...Array(chunkCount).keys()]]); // this worker's first read of this summary: every chunk
      expect(warm).toEqual(first); // ...and none since
      expect(afterDelta).toEqual(first); // a change in the delta rewrites no chunk
      expect(afterFold).toHaveLength(1);
      expect(afterFold[0]!.length).toBeGreaterThan(0);
      expect(afterFold[0]!.length).toBeLessThan(chunkCount); // only the chunks the fold rewrote
      const logged = h.log.lines.filter((l) => l.message === 'Sync run finished').map((l) => l.extra[0]!.snapshotRead);
      expect(logged.at(-1)).toEqual({ mode: 'summary', entriesRead: 0, summaryChunksRead: afterFold[0]!.length });
      expect(logged.at(-5)).toEqual({ mode: 'summary', entriesRead: 0, summaryChunksRead: 0 });
      expect(await written(h)).toEqual(await written(twin.full));
    });

    it('reads the summary once a run, before BambooHR is asked; an incremental job that finds nothing changed reads none', async () => {
      // Prepare
      const twin = await aTwinSync(aCompany(30));
      const h = twin.summary;
      await syncTenant(h.deps, aJob({ requestedAt: '2026-11-25T09:00:00.000Z' }));
      const events: string[] = [];
      const readSummaryChunks = h.snapshots.readSummaryChunks.bind(h.snapshots);
      h.snapshots.readSummaryChunks = async (tenantId, chunks) => {
        events.push('summary');
        return readSummaryChunks(tenantId, chunks);
      };
      const fetchReport = h.source.fetchReport.bind(h.source);
      h.source.fetchReport = async (request) => {
        events.push('report');
        return fetchReport(request);
      };
      const eventsOf = async (job: Parameters<typeof aJob>[0]) => {
        events.length = 0;
        const result = await syncTenant(h.deps, aJob(job));
        expect(result.outcome).toBe('succeeded');
        return [...events];
      };

      // Act
      const scheduled = await eventsOf({ requestedAt: '2026-11-25T10:00:00.000Z' });
      const webhook = await eventsOf({ kind: 'employees', requestedBy: 'webhook', employeeIds: ['7'], requestedAt: '2026-11-25T10:05:00.000Z' });
      h.source.changed = { latest: '2026-11-25T10:30:00Z', employees: [] };
      const quiet = await eventsOf({ kind: 'incremental', requestedAt: '2026-11-25T11:00:00.000Z' });
      h.source.changed = { latest: '2026-11-25T11:30:00Z', employees: [{ id: '7', action: 'Updated', lastChanged: '2026-11-25T11:20:00Z' }] };
      const incremental = await eventsOf({ kind: 'incremental', requestedAt: '2026-11-25T12:00:00.000Z' });

      // Assess
      expect(scheduled).toEqual(['summary', 'report']);
      expect(webhook).toEqual(['summary', 'report']);
      expect(quiet).toEqual([]);
      expect(incremental.filter((e) => e === 'summary')).toHaveLength(1);
      expect(h.snapshots.loads).toBe(1); // only the first sync read the whole snapshot
    });
  });
});
