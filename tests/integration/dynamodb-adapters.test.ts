import { ReceiveMessageCommand, DeleteMessageBatchCommand, type Message } from '@aws-sdk/client-sqs';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { documentClientOf } from '../../lib/adapters/aws-clients.js';
import { createBatchWriteStats } from '../../lib/adapters/dynamodb-batch-writer.js';
import { DynamoDbChangeFeed } from '../../lib/adapters/dynamodb-change-feed.js';
import { DynamoDbInviteStore } from '../../lib/adapters/dynamodb-invite-store.js';
import { DynamoDbMarkerStore } from '../../lib/adapters/dynamodb-marker-store.js';
import { DynamoDbRunStore } from '../../lib/adapters/dynamodb-run-store.js';
import { DynamoDbSnapshotStore } from '../../lib/adapters/dynamodb-snapshot-store.js';
import { DynamoDbTenantStore } from '../../lib/adapters/dynamodb-tenant-store.js';
import { SqsJobQueue } from '../../lib/adapters/sqs-job-queue.js';
import { TenantChangedError, TenantExistsError, TenantNotFoundError } from '../../lib/errors.js';
import type { ChangeRecord } from '../../lib/model/change.js';
import type { FeedAppend, Invite } from '../../lib/ports.js';
import type { Employee } from '../../lib/model/employee.js';
import type { SyncJob } from '../../lib/model/job.js';
import type { RunRecord } from '../../lib/model/run.js';
import type { SnapshotEntry } from '../../lib/model/snapshot.js';
import { DEFAULT_SAFEGUARDS, type Tenant } from '../../lib/model/tenant.js';
import { aRunRecord } from '../helpers/builders.js';
import { startEmulators, type Emulators } from '../helpers/emulators.js';

// In the future: DynamoDB Local deletes items past their TTL (expiresAt = NOW + days) in the background, at any time.
const NOW = new Date('2099-03-01T12:00:00.000Z');

const tenant = (tenantId: string, overrides: Partial<Tenant> = {}): Tenant => ({
  tenantId,
  subdomain: tenantId,
  exclusionField: 'skip_elevo_sync',
  exclusionFieldId: null,
  status: 'active',
  statusReason: null,
  safeguards: DEFAULT_SAFEGUARDS,
  webhookEnabled: false,
  createdAt: NOW.toISOString(),
  updatedAt: NOW.toISOString(),
  lastRun: null,
  attention: null,
  lastSuccessAt: null,
  staleSince: null,
  activeSince: null,
  heldRun: null,
  recoveryPending: false,
  ...overrides,
});

const employee = (id: string): Employee => ({
  id,
  employeeNumber: id,
  status: 'active',
  firstName: `First${id}`,
  middleName: null,
  lastName: `Last${id}`,
  preferredName: null,
  workEmail: `e${id}@example.com`,
  hireDate: '2020-01-01',
  originalHireDate: null,
  jobTitle: 'Engineer',
  department: 'R&D',
  division: null,
  location: 'Remote',
  managerId: null,
  directReportIds: [],
});

const entry = (id: string): SnapshotEntry => ({ employee: employee(id), state: 'synced', reason: null, sourceManagerId: null });

/** A feed append: the record, with the snapshot entry its run would write (here: the same employee, synced). */
const append = (record: ChangeRecord): FeedAppend => ({
  record,
  snapshot: { employee: record.employee, state: 'synced', reason: null, sourceManagerId: '7' },
});

const change = (tenantId: string, runId: string, seq: number): ChangeRecord => ({
  tenantId,
  runId,
  seq,
  at: NOW.toISOString(),
  type: 'created',
  reason: null,
  employeeId: String(seq),
  changes: {},
  employee: employee(String(seq)),
});

const run = (tenantId: string, runId: string): RunRecord => aRunRecord({ tenantId, runId, jobId: `job-${runId}` });

const summary = (runId: string): NonNullable<Tenant['lastRun']> => ({
  runId,
  kind: 'full',
  status: 'succeeded',
  startedAt: NOW.toISOString(),
  finishedAt: NOW.toISOString(),
  counts: { created: 3 },
  warnings: 0,
  error: null,
  employeesSynced: 3,
});

describe('DynamoDB and SQS adapters against the local emulators', () => {
  let emulators: Emulators;

  beforeAll(async () => {
    emulators = await startEmulators();
  });

  afterAll(async () => {
    await emulators?.stop();
  });

  describe('DynamoDbTenantStore', () => {
    const store = () => new DynamoDbTenantStore({ client: emulators.dynamodb.client, tableName: emulators.config.tables.tenants });

    it('creates a tenant once and refuses a duplicate id', async () => {
      // Prepare
      const tenants = store();
      await tenants.create(tenant('acme'));

      // Act
      const duplicate = tenants.create(tenant('acme', { subdomain: 'other' }));

      // Assess
      await expect(duplicate).rejects.toBeInstanceOf(TenantExistsError);
      expect(await tenants.get('acme')).toEqual(tenant('acme'));
      expect(await tenants.get('nobody')).toBeNull();
    });

    it('saves the configuration without clobbering the last run', async () => {
      // Prepare
      const tenants = store();
      await tenants.create(tenant('globex'));
      await tenants.recordRun('globex', summary('run-1'));
      const loaded = await tenants.get('globex');

      // Act
      await tenants.save({ ...tenant('globex'), subdomain: 'globex2', webhookEnabled: true, lastRun: null, updatedAt: '2026-03-02T00:00:00.000Z' });

      // Assess
      expect(loaded?.lastRun).toEqual(summary('run-1'));
      expect(await tenants.get('globex')).toEqual({
        ...tenant('globex'),
        subdomain: 'globex2',
        webhookEnabled: true,
        updatedAt: '2026-03-02T00:00:00.000Z',
        lastRun: summary('run-1'),
        lastSuccessAt: summary('run-1').finishedAt, // a succeeded run: fresh
      });
    });

    it('records a run with a status change, and refuses unknown tenants', async () => {
      // Prepare
      const tenants = store();
      await tenants.create(tenant('initech'));

      // Act
      await tenants.recordRun('initech', summary('run-2'), { status: 'needs-attention', reason: 'key rejected', from: ['active'], attention: null });
      const missingSave = tenants.save(tenant('nobody'));
      const missingRun = tenants.recordRun('nobody', summary('run-3'));

      // Assess
      expect(await tenants.get('initech')).toMatchObject({ status: 'needs-attention', statusReason: 'key rejected', lastRun: summary('run-2') });
      await expect(missingSave).rejects.toBeInstanceOf(TenantNotFoundError);
      await expect(missingRun).rejects.toBeInstanceOf(TenantNotFoundError);
      expect(await tenants.get('nobody')).toBeNull();
    });

    it('records the run but keeps the status when the tenant moved meanwhile (e.g. disabled by support)', async () => {
      // Prepare
      const tenants = store();
      await tenants.create(tenant('hooli', { status: 'disabled', statusReason: 'disabled by support' }));

      // Act
      await tenants.recordRun('hooli', summary('run-4'), { status: 'active', reason: null, from: ['needs-attention'], attention: null });
      const missing = tenants.recordRun('nobody', summary('run-5'), { status: 'active', reason: null, from: ['needs-attention'], attention: null });

      // Assess
      expect(await tenants.get('hooli')).toMatchObject({ status: 'disabled', statusReason: 'disabled by support', lastRun: summary('run-4') });
      await expect(missing).rejects.toBeInstanceOf(TenantNotFoundError);
      await tenants.delete('hooli'); // the table is shared with the paging test below
    });

    it('keeps the first held run of an episode through held and webhook runs, ends it with an applied full run, and stamps activeSince on a recovery (review 14)', async () => {
      // Prepare
      const tenants = store();
      await tenants.create(tenant('soylent', { status: 'needs-attention', statusReason: 'key rejected' }));
      const held = (runId: string) => ({ ...summary(runId), status: 'held' as const, finishedAt: `2026-03-01T12:0${runId.slice(-1)}:00.000Z` });

      // Act: a held probe recovers it; held again; a webhook run applied; then a full run applied
      await tenants.recordRun('soylent', held('run-1'), { status: 'active', reason: null, from: ['needs-attention'], attention: null });
      const afterFirst = await tenants.get('soylent');
      await tenants.recordRun('soylent', held('run-2'));
      await tenants.recordRun('soylent', { ...summary('run-3'), kind: 'employees' });
      const afterWebhook = await tenants.get('soylent');
      await tenants.recordRun('soylent', summary('run-4'));
      const afterFull = await tenants.get('soylent');
      await tenants.recordRun('soylent', held('run-5'));

      // Assess
      expect(afterFirst).toMatchObject({ status: 'active', activeSince: '2026-03-01T12:01:00.000Z', heldRun: { runId: 'run-1', since: '2026-03-01T12:01:00.000Z' } });
      expect(afterWebhook?.heldRun).toEqual({ runId: 'run-1', since: '2026-03-01T12:01:00.000Z' });
      expect(afterFull?.heldRun).toBeNull();
      expect((await tenants.get('soylent'))?.heldRun).toEqual({ runId: 'run-5', since: '2026-03-01T12:05:00.000Z' });
      await tenants.delete('soylent'); // the table is shared with the paging test below
    });

    it('ends an episode support closed by hand once: marked by the save that made it active, only while marked, keeping activeSince', async () => {
      // Prepare: support makes the needs-attention tenant active by hand (the save marks it); a later save of other settings
      const tenants = store();
      const attention = { since: '2026-03-01T09:00:00.000Z', probes: 1, nextProbeAt: '2026-03-01T11:00:00.000Z' };
      await tenants.create(tenant('wonka', { status: 'needs-attention', statusReason: 'key rejected', attention }));
      const made = tenant('wonka', { status: 'active', activeSince: '2026-03-01T10:00:00.000Z', attention, recoveryPending: false });
      await tenants.save(made, { expectedStatus: 'needs-attention' });
      await tenants.save({ ...made, safeguards: { ...DEFAULT_SAFEGUARDS, deactivationMin: 20 } });
      const marked = await tenants.get('wonka');
      const close = { status: 'active' as const, reason: null, from: ['active' as const], attention: null, whileRecoveryPending: true };

      // Act: two runs finishing at once both try to end it
      const first = await tenants.recordRun('wonka', summary('run-1'), close);
      const second = await tenants.recordRun('wonka', summary('run-2'), close);

      // Assess
      expect(marked).toMatchObject({ status: 'active', recoveryPending: true, attention });
      expect([first, second]).toEqual([true, false]);
      expect(await tenants.get('wonka')).toMatchObject({ status: 'active', attention: null, recoveryPending: false, activeSince: '2026-03-01T10:00:00.000Z', lastRun: summary('run-2') });
      await tenants.delete('wonka'); // the table is shared with the paging test below
    });

    it('saves only while the status is still the one read', async () => {
      // Prepare
      const tenants = store();
      await tenants.create(tenant('pied', { status: 'needs-attention', statusReason: 'key rejected' }));

      // Act
      const stale = tenants.save({ ...tenant('pied'), status: 'active', statusReason: null }, { expectedStatus: 'active' });
      await tenants.save({ ...tenant('pied'), status: 'disabled', statusReason: 'by support' }, { expectedStatus: 'needs-attention' });

      // Assess
      await expect(stale).rejects.toBeInstanceOf(TenantChangedError);
      expect(await tenants.get('pied')).toMatchObject({ status: 'disabled', statusReason: 'by support' });
      await tenants.delete('pied'); // the table is shared with the paging test below
    });

    it('pages through the tenants of one status by the index', async () => {
      // Prepare
      const tenants = store();
      const ids = Array.from({ length: 25 }, (_, i) => `paged-${String(i).padStart(2, '0')}`);
      await Promise.all(ids.map((id) => tenants.create(tenant(id, { status: 'disabled' }))));
      await tenants.create(tenant('paged-active'));

      // Act
      const pages: Tenant[][] = [];
      let cursor: string | undefined;
      do {
        const page = await tenants.listByStatus('disabled', cursor, 10);
        pages.push(page.tenants);
        cursor = page.cursor;
      } while (cursor);

      // Assess
      expect(pages[0]).toHaveLength(10);
      expect(pages[1]).toHaveLength(10);
      expect(pages.flat().map((t) => t.tenantId)).toEqual(ids);
      expect(pages.length).toBeLessThanOrEqual(4);
    });

    it('lists every tenant with a scan cursor and deletes one', async () => {
      // Prepare
      const tenants = store();
      await tenants.create(tenant('to-delete'));

      // Act
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await tenants.list(cursor, 7);
        seen.push(...page.tenants.map((t) => t.tenantId));
        cursor = page.cursor;
      } while (cursor);
      await tenants.delete('to-delete');

      // Assess
      expect(seen).toContain('to-delete');
      expect(new Set(seen).size).toBe(seen.length);
      expect(await tenants.get('to-delete')).toBeNull();
      await expect(tenants.list('not-a-cursor')).rejects.toThrow(/cursor/);
    });
  });

  describe('DynamoDbSnapshotStore', () => {
    it('puts, loads, pages and deletes 1,000 entries', async () => {
      // Prepare
      const stats = createBatchWriteStats();
      const snapshots = new DynamoDbSnapshotStore({ client: emulators.dynamodb.client, tableName: emulators.config.tables.employees, stats });
      const entries = Array.from({ length: 1000 }, (_, i) => entry(String(1000 + i)));
      await snapshots.put('other-tenant', [entry('1')]);

      // Act
      await snapshots.put('snap', entries);
      const loaded = await snapshots.load('snap');
      const paged: SnapshotEntry[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await snapshots.page('snap', cursor, 300);
        paged.push(...page.entries);
        cursor = page.cursor;
        pages += 1;
      } while (cursor);
      await snapshots.deleteAll('snap');

      // Assess
      expect(loaded.size).toBe(1000);
      expect(loaded.get('1500')).toEqual(entry('1500'));
      expect(paged).toEqual(entries);
      expect(pages).toBeGreaterThanOrEqual(4);
      expect(stats.itemsWritten).toBe(1 + 1000 + 1000);
      expect(stats.requests).toBeGreaterThanOrEqual(1 + 40 + 40);
      expect((await snapshots.load('snap')).size).toBe(0);
      expect((await snapshots.load('other-tenant')).size).toBe(1);
    });

    it('keeps one item per employee when an entry is put twice', async () => {
      // Prepare
      const snapshots = new DynamoDbSnapshotStore({ client: emulators.dynamodb.client, tableName: emulators.config.tables.employees });
      const first = entry('7');
      const second: SnapshotEntry = { ...entry('7'), state: 'deactivated', reason: 'inactive' };

      // Act
      await snapshots.put('twice', [first, second]);
      await snapshots.put('twice', [second]);

      // Assess
      expect([...(await snapshots.load('twice')).values()]).toEqual([second]);
    });
  });

  describe('items stay under 400 KB whatever the org size (hardening 6)', () => {
    /** A manager with `count` direct reports, with ids spread out so that gzip cannot shrink the list much. */
    const bigManager = (id: string, count: number): Employee => ({
      ...employee(id),
      directReportIds: Array.from({ length: count }, (_, i) => String(1_000_000_000 + ((i * 2_654_435_761) % 999_999_937))).sort(),
    });

    it('round-trips a manager with 60,000 reports through the feed (changes and body) and the snapshot', async () => {
      // Prepare
      const changes = new DynamoDbChangeFeed({ client: emulators.dynamodb.client, tableName: emulators.config.tables.changes, ttlDays: 90, now: () => NOW });
      const snapshots = new DynamoDbSnapshotStore({ client: emulators.dynamodb.client, tableName: emulators.config.tables.employees });
      const manager = bigManager('1', 60_000);
      const record: ChangeRecord = {
        ...change('huge', 'run-big', 1),
        type: 'updated',
        employeeId: '1',
        employee: manager,
        changes: { directReportIds: { from: [], to: manager.directReportIds } },
      };
      const snapshot: SnapshotEntry = { employee: manager, state: 'synced', reason: null, sourceManagerId: null, seq: 1 };
      const pending = await changes.reserve('huge', 'run-big', 1);

      // Act
      await changes.write([{ record, snapshot }]);
      const uncommitted = await changes.readRange('huge', 1, 1);
      await snapshots.put('huge', [snapshot]);
      await changes.commit('huge', pending);
      const listed = await changes.list('huge', 0, 10);
      const loaded = await snapshots.load('huge');
      const paged = await snapshots.page('huge');

      // Assess
      expect(uncommitted).toEqual([{ record, snapshot }]);
      expect(listed.changes).toEqual([record]);
      expect(loaded.get('1')).toEqual(snapshot);
      expect(paged.entries).toEqual([snapshot]);
    });

    it("skips a record past its TTL whose parts TTL deleted first (DynamoDB deletes expired items in any order), and pages on past it (review follow-up)", async () => {
      // Prepare: two records, the first large (in parts); 91 days later its parts are gone, not yet the record
      const writer = new DynamoDbChangeFeed({ client: emulators.dynamodb.client, tableName: emulators.config.tables.changes, ttlDays: 90, now: () => NOW });
      const manager = bigManager('1', 150_000);
      const big: ChangeRecord = { ...change('ttl', 'run-ttl', 1), employeeId: '1', employee: manager };
      const small = change('ttl', 'run-ttl', 2);
      const pending = await writer.reserve('ttl', 'run-ttl', 2);
      await writer.write([{ record: big, snapshot: { employee: manager, state: 'synced', reason: null, sourceManagerId: null } }, append(small)]);
      await writer.commit('ttl', pending);
      const client = documentClientOf(emulators.dynamodb.client);
      const { QueryCommand, DeleteCommand } = await import('@aws-sdk/lib-dynamodb');
      const parts = await client.send(new QueryCommand({ TableName: emulators.config.tables.changes, KeyConditionExpression: 'tenantId = :t', ExpressionAttributeValues: { ':t': 'ttl#parts' } }));
      for (const part of parts.Items ?? []) await client.send(new DeleteCommand({ TableName: emulators.config.tables.changes, Key: { tenantId: part.tenantId, seq: part.seq } }));
      const later = new DynamoDbChangeFeed({ client: emulators.dynamodb.client, tableName: emulators.config.tables.changes, ttlDays: 90, now: () => new Date(NOW.getTime() + 91 * 86_400_000) });

      // Act
      const first = await later.list('ttl', 0, 1);
      const rest = await later.list('ttl', first.nextAfter, 10);

      // Assess
      expect(parts.Items?.length).toBeGreaterThan(0);
      expect(first).toEqual({ changes: [], nextAfter: 1 });
      expect(rest.changes.map((c) => c.seq)).toEqual([2]);
    });

    it('deletes the parts of large items with the tenant', async () => {
      // Prepare
      const snapshots = new DynamoDbSnapshotStore({ client: emulators.dynamodb.client, tableName: emulators.config.tables.employees });
      await snapshots.put('huge2', [{ employee: bigManager('1', 80_000), state: 'synced', reason: null, sourceManagerId: null }]);

      // Act
      await snapshots.deleteAll('huge2');

      // Assess
      const client = documentClientOf(emulators.dynamodb.client);
      const { QueryCommand } = await import('@aws-sdk/lib-dynamodb');
      const left = await client.send(
        new QueryCommand({ TableName: emulators.config.tables.employees, KeyConditionExpression: 'tenantId = :t', ExpressionAttributeValues: { ':t': 'huge2#parts' } }),
      );
      expect(left.Items ?? []).toEqual([]);
      expect((await snapshots.load('huge2')).size).toBe(0);
    });
  });

  describe('the snapshot summary in DynamoDB (issue 17)', () => {
    it('reads entries by id, writes and reads summary chunks in their own partition, and deletes them with the tenant', async () => {
      // Prepare
      const snapshots = new DynamoDbSnapshotStore({ client: emulators.dynamodb.client, tableName: emulators.config.tables.employees });
      await snapshots.put('summarised', [entry('1'), entry('2'), entry('3')]);
      const big = new Uint8Array(300 * 1024).map((_, i) => i % 251);

      // Act
      await snapshots.writeSummaryChunks('summarised', [
        { index: 0, slot: 1, bytes: big },
        { index: 1, slot: 0, bytes: new Uint8Array([1, 2, 3]) },
      ]);
      const got = await snapshots.get('summarised', ['3', '1', '404', '1']);
      const chunks = await snapshots.readSummaryChunks('summarised', [
        { index: 0, slot: 1 },
        { index: 1, slot: 0 },
        { index: 1, slot: 1 },
      ]);
      const loaded = await snapshots.load('summarised');
      const page = await snapshots.page('summarised');
      await snapshots.deleteAll('summarised');

      // Assess
      expect(got.map((e) => e.employee.id).sort()).toEqual(['1', '3']);
      expect(Buffer.from(chunks[0]!).equals(Buffer.from(big))).toBe(true);
      expect([...chunks[1]!]).toEqual([1, 2, 3]);
      expect(chunks[2]).toBeNull();
      expect(loaded.size).toBe(3); // no query of the tenant's entries meets a chunk
      expect(page.entries).toHaveLength(3);
      expect(await snapshots.readSummaryChunks('summarised', [{ index: 0, slot: 1 }])).toEqual([null]);
    });

    it('keeps the head on the feed bookkeeping: a reserve marks it stale, a commit with a head saves it, a save is conditional on the version', async () => {
      // Prepare
      const feed = new DynamoDbChangeFeed({ client: emulators.dynamodb.client, tableName: emulators.config.tables.changes, ttlDays: 90, now: () => NOW });
      const head = (n: number) => new Uint8Array([n, n, n]);

      // Act
      const empty = await feed.state('headed');
      const first = await feed.saveSummary('headed', head(1), null);
      const afterFirst = await feed.state('headed');
      const refused = await feed.saveSummary('headed', head(9), null);
      const pending = await feed.reserve('headed', 'run-1', 2);
      const whileReserved = await feed.state('headed');
      const refusedWhilePending = await feed.saveSummary('headed', head(9), 1);
      await feed.commit('headed', pending, { head: head(2), expectedVersion: 1 });
      const afterCommit = await feed.state('headed');
      const late = await feed.reserve('headed', 'run-late', 1);
      await feed.commit('headed', late, { head: head(8), expectedVersion: 1 }); // planned against version 1: now 2
      const afterLateCommit = await feed.state('headed');
      await feed.saveSummary('headed', head(2), 2);
      await feed.markSummaryStale('headed');
      const marked = await feed.state('headed');
      const pendingAgain = await feed.reserve('headed', 'run-2', 1);
      await feed.commit('headed', pendingAgain);
      const committedWithout = await feed.state('headed');
      const saved = await feed.saveSummary('headed', head(3), 2);
      await feed.deleteAll('headed');
      const removed = await feed.state('headed');

      // Assess
      expect(empty).toEqual({ pending: null, committedSeq: 0, nextSeq: 1, summary: null, summaryStale: false });
      expect(first).toBe(true);
      expect(afterFirst).toMatchObject({ summary: { head: head(1), version: 1 }, summaryStale: false });
      expect(refused).toBe(false);
      expect(whileReserved).toMatchObject({ pending: { runId: 'run-1' }, summaryStale: true });
      expect(refusedWhilePending).toBe(false);
      expect(afterCommit).toMatchObject({ pending: null, committedSeq: 2, summary: { head: head(2), version: 2 }, summaryStale: false });
      expect(afterLateCommit).toMatchObject({ pending: null, committedSeq: 3, summary: { head: head(2), version: 2 }, summaryStale: true });
      expect(marked.summaryStale).toBe(true);
      expect(committedWithout).toMatchObject({ committedSeq: 4, summary: { version: 3 }, summaryStale: true });
      expect(saved).toBe(false); // version 3 by now
      expect(removed).toMatchObject({ summary: null, summaryStale: false, committedSeq: 4 });
    });
  });

  describe('DynamoDbMarkerStore', () => {
    it('claims a key once until it expires, and gives it up on release', async () => {
      // Prepare
      let now = NOW;
      const markers = new DynamoDbMarkerStore({ client: emulators.dynamodb.client, tableName: emulators.config.tables.markers, now: () => now });
      const inFiveMinutes = new Date(NOW.getTime() + 300_000);

      // Act
      const first = await markers.claim('webhook#acme#abc', inFiveMinutes);
      const second = await markers.claim('webhook#acme#abc', inFiveMinutes);
      const other = await markers.claim('webhook#acme#def', inFiveMinutes);
      await markers.release('webhook#acme#def');
      const afterRelease = await markers.claim('webhook#acme#def', inFiveMinutes);
      now = new Date(inFiveMinutes.getTime() + 1000); // expired, whether or not TTL deleted it yet
      const afterExpiry = await markers.claim('webhook#acme#abc', new Date(now.getTime() + 300_000));

      // Assess
      expect([first, second, other, afterRelease, afterExpiry]).toEqual([true, false, true, true, true]);
    });
  });

  describe('DynamoDbInviteStore (issue 15)', () => {
    const anInvite = (): Invite => ({
      tenantId: 'acme',
      mode: 'register',
      exclusionField: null,
      createdBy: 'support',
      createdAt: NOW.toISOString(),
      expiresAt: new Date(NOW.getTime() + 86_400_000).toISOString(),
      usedAt: null,
      pending: null,
    });
    const at = (ms: number) => new Date(NOW.getTime() + ms).toISOString();

    it('claims a link for one connection until the claim lapses or is given up, then spends it once', async () => {
      // Prepare
      const invites = new DynamoDbInviteStore({ client: emulators.dynamodb.client, tableName: emulators.config.tables.markers });
      await invites.create('hash-claims', anInvite());

      // Act
      const first = await invites.claim('hash-claims', at(0), at(120_000));
      const meanwhile = await invites.claim('hash-claims', at(1_000), at(121_000));
      const afterLapse = await invites.claim('hash-claims', at(130_000), at(250_000));
      await invites.release('hash-claims', at(120_000)); // the lapsed claim's: changes nothing
      const stillHeld = await invites.claim('hash-claims', at(131_000), at(251_000));
      await invites.release('hash-claims', at(250_000));
      const afterRelease = await invites.claim('hash-claims', at(132_000), at(252_000));
      const spent = await invites.spend('hash-claims', at(133_000));
      const spentTwice = await invites.spend('hash-claims', at(134_000));
      const afterSpend = await invites.claim('hash-claims', at(400_000), at(520_000));
      const unknown = await invites.claim('hash-unknown', at(0), at(120_000));

      // Assess
      expect([first, meanwhile, afterLapse, stillHeld, afterRelease]).toEqual(['claimed', 'busy', 'claimed', 'busy', 'claimed']);
      expect([spent, spentTwice]).toEqual([true, false]);
      expect([afterSpend, unknown]).toEqual(['used', 'used']);
      expect(await invites.get('hash-claims')).toMatchObject({ usedAt: at(133_000), connectingUntil: null });
    });

    it('gives an OAuth state only to its own invite, once', async () => {
      // Prepare
      const invites = new DynamoDbInviteStore({ client: emulators.dynamodb.client, tableName: emulators.config.tables.markers });
      await invites.putState('state-hash', { inviteHash: 'invite-a', subdomain: 'acme', expiresAt: at(900_000) });

      // Act
      const otherInvite = await invites.takeState('state-hash', 'invite-b');
      const own = await invites.takeState('state-hash', 'invite-a');
      const again = await invites.takeState('state-hash', 'invite-a');

      // Assess
      expect(otherInvite).toBeNull();
      expect(own).toEqual({ inviteHash: 'invite-a', subdomain: 'acme', expiresAt: at(900_000) });
      expect(again).toBeNull();
    });

    it('reads an invite stored before claims existed (no connectingUntil) as unclaimed', async () => {
      // Prepare
      const invites = new DynamoDbInviteStore({ client: emulators.dynamodb.client, tableName: emulators.config.tables.markers });
      await documentClientOf(emulators.dynamodb.client).send(
        new PutCommand({ TableName: emulators.config.tables.markers, Item: { key: 'invite#hash-old', expiresAt: 4_102_444_800, invite: anInvite() } }),
      );

      // Act
      const read = await invites.get('hash-old');
      const claimed = await invites.claim('hash-old', at(0), at(120_000));

      // Assess
      expect(read).toMatchObject({ connectingUntil: null, usedAt: null });
      expect(claimed).toBe('claimed');
    });
  });

  describe('DynamoDbChangeFeed', () => {
    const feed = () =>
      new DynamoDbChangeFeed({ client: emulators.dynamodb.client, tableName: emulators.config.tables.changes, ttlDays: 90, now: () => NOW });

    it('shows an append only once it is committed, then pages with after', async () => {
      // Prepare
      const changes = feed();
      const pending = await changes.reserve('feed', 'run-a', 5);
      const records = [1, 2, 3, 4, 5].map((seq) => change('feed', 'run-a', seq));
      await changes.write(records.map(append));
      await changes.write(records.slice(0, 2).map(append));

      // Act
      const beforeCommit = await changes.list('feed', 0, 100);
      const written = await changes.readRange('feed', pending.firstSeq, pending.lastSeq);
      // Settled before the commit below: started alongside it, it would race the commit.
      const secondReserve = await changes.reserve('feed', 'run-b', 3).then((value) => ({ value }), (error: unknown) => ({ error }));
      await changes.commit('feed', pending);
      const page1 = await changes.list('feed', 0, 2);
      const page2 = await changes.list('feed', page1.nextAfter, 2);
      const page3 = await changes.list('feed', page2.nextAfter, 2);
      const page4 = await changes.list('feed', page3.nextAfter, 2);

      // Assess
      expect(pending).toEqual({ runId: 'run-a', firstSeq: 1, lastSeq: 5 });
      expect(beforeCommit).toEqual({ changes: [], nextAfter: 0 });
      expect(written).toEqual(records.map(append));
      expect(secondReserve).toEqual({ error: expect.objectContaining({ message: expect.stringMatching(/run-a/) }) });
      expect(page1.changes.map((c) => c.seq)).toEqual([1, 2]);
      expect(page2.changes.map((c) => c.seq)).toEqual([3, 4]);
      expect(page3.changes).toEqual([records[4]]);
      expect(page4).toEqual({ changes: [], nextAfter: 5 });
      expect(await changes.pending('feed')).toBeNull();
    });

    it('continues the seqs after a commit and expires records after the TTL', async () => {
      // Prepare
      const changes = feed();
      const first = await changes.reserve('feed2', 'run-1', 2);
      await changes.write([change('feed2', 'run-1', 1), change('feed2', 'run-1', 2)].map(append));
      await changes.commit('feed2', first);

      // Act
      const second = await changes.reserve('feed2', 'run-2', 3);
      const pending = await changes.pending('feed2');
      await changes.commit('feed2', first);
      const item = await documentClientOf(emulators.dynamodb.client).send(
        new GetCommand({ TableName: emulators.config.tables.changes, Key: { tenantId: 'feed2', seq: 1 } }),
      );

      // Assess
      expect(second).toEqual({ runId: 'run-2', firstSeq: 3, lastSeq: 5 });
      expect(pending).toEqual(second);
      expect(await changes.pending('feed2')).toEqual(second);
      expect(item.Item?.expiresAt).toBe(Math.floor(NOW.getTime() / 1000) + 90 * 86_400);
      expect(item.Item).toMatchObject({ runId: 'run-1', type: 'created', employeeId: '1' });
    });

    it('deletes the whole feed of a tenant, and a tenant registered again under its id continues the seqs', async () => {
      // Prepare
      const changes = feed();
      const pending = await changes.reserve('feed3', 'run-1', 1);
      await changes.write([append(change('feed3', 'run-1', 1))]);
      await changes.commit('feed3', pending);

      // Act
      await changes.deleteAll('feed3');

      // Assess
      expect(await changes.list('feed3', 0, 10)).toEqual({ changes: [], nextAfter: 0 });
      expect(await changes.readRange('feed3', 0, 10)).toEqual([]);
      expect(await changes.reserve('feed3', 'run-2', 1)).toEqual({ runId: 'run-2', firstSeq: 2, lastSeq: 2 });
    });
  });

  describe('DynamoDbRunStore', () => {
    it('starts a run once, returns the existing record the second time, and lists newest first', async () => {
      // Prepare
      const runs = new DynamoDbRunStore({ client: emulators.dynamodb.client, tableName: emulators.config.tables.runs, ttlDays: 180, now: () => NOW });
      const first = run('runs', '2026-03-01T10:00:00Z-a');
      const second = run('runs', '2026-03-01T11:00:00Z-b');

      // Act
      const created = await runs.start(first);
      const again = await runs.start({ ...first, status: 'failed' });
      await runs.start(second);
      await runs.finish({ ...second, status: 'succeeded', finishedAt: NOW.toISOString() });
      const listed = await runs.list('runs', 10);

      // Assess
      expect(created).toEqual({ created: true });
      expect(again).toEqual({ created: false, existing: first });
      expect(listed.map((r) => [r.runId, r.status])).toEqual([
        [second.runId, 'succeeded'],
        [first.runId, 'running'],
      ]);
      expect(await runs.get('runs', 'nope')).toBeNull();
      await runs.deleteAll('runs');
      expect(await runs.list('runs', 10)).toEqual([]);
    });
  });

  describe('SqsJobQueue', () => {
    it('queues 25 jobs that are received with their tenant as message group', async () => {
      // Prepare
      const queueUrl = emulators.config.queues.syncUrl as string;
      const queue = new SqsJobQueue({ client: emulators.sqs.client, queueUrl });
      const jobs: SyncJob[] = Array.from({ length: 25 }, (_, i) => ({
        jobId: `job-${i}`,
        tenantId: `tenant-${i % 3}`,
        kind: 'full',
        requestedAt: NOW.toISOString(),
        requestedBy: 'schedule',
      }));

      // Act
      const result = await queue.enqueue(jobs);
      const received: Message[] = [];
      for (let poll = 0; poll < 50 && received.length < jobs.length; poll += 1) {
        const { Messages = [] } = await emulators.sqs.client.send(
          new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, AttributeNames: ['All'] }),
        );
        received.push(...Messages);
        if (Messages.length > 0) {
          await emulators.sqs.client.send(
            new DeleteMessageBatchCommand({
              QueueUrl: queueUrl,
              Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle as string })),
            }),
          );
        }
      }

      // Assess
      expect(result).toEqual({ sent: 25, batches: 3 });
      const bodies = received.map((m) => JSON.parse(m.Body as string) as SyncJob);
      expect(bodies.map((j) => j.jobId).sort()).toEqual(jobs.map((j) => j.jobId).sort());
      for (const message of received) {
        const job = JSON.parse(message.Body as string) as SyncJob;
        expect(message.Attributes?.MessageGroupId).toBe(job.tenantId);
        expect(message.Attributes?.MessageDeduplicationId).toBe(job.jobId);
      }
    });
  });
});
