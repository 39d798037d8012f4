import { BambooHrAuthError, BambooHrRateLimitedError, TenantNotFoundError } from '../../lib/errors.js';
import { requestSync } from '../../lib/use-cases/request-sync.js';
import { GiveUpError, probeDelayMs, RetryLaterError, runIdFor, syncTenant } from '../../lib/use-cases/sync-tenant.js';
import { aJob, aRawRow, aRunRecord, FAKE_API_KEY } from '../helpers/builders.js';
import { FakeEmployeeSource } from '../helpers/fake-employee-source.js';
import { InMemoryJobQueue } from '../helpers/in-memory-ports.js';
import { aSyncHarness } from '../helpers/sync-harness.js';

/** Every row carries the exclusion checkbox (unticked), as BambooHR answers a key that can see it. */
const company = () =>
  new FakeEmployeeSource([
    aRawRow('1', { '4501': '0' }),
    aRawRow('2', { supervisorEId: '1', '4501': '0' }),
    aRawRow('3', { supervisorEId: '1', '4501': '0' }),
    aRawRow('4', { status: 'Inactive', '4501': '0' }),
  ]);

describe('syncTenant', () => {
  it('writes the first full sync to the feed and the snapshot, using the tenant key', async () => {
    // Prepare
    const h = await aSyncHarness({}, company());

    // Act
    const result = await syncTenant(h.deps, aJob());

    // Assess
    expect(result.outcome).toBe('succeeded');
    expect(h.sourceInputs).toEqual([{ tenantId: 'acme', subdomain: 'acme', apiKey: FAKE_API_KEY }]);
    const feed = await h.feed.list('acme', 0, 100);
    expect(feed.changes.map((c) => [c.seq, c.type, c.employeeId])).toEqual([
      [1, 'created', '1'],
      [2, 'created', '2'],
      [3, 'created', '3'],
    ]);
    expect((await h.snapshots.load('acme')).size).toBe(3);
    expect(result.run!).toMatchObject({ status: 'succeeded', counts: { created: 3 }, employeesSynced: 3, bamboohrRequests: 1, feed: { firstSeq: 1, lastSeq: 3 } });
    expect((await h.tenants.get('acme'))?.lastRun).toMatchObject({ status: 'succeeded', employeesSynced: 3 });
  });

  it('writes no feed or snapshot item on a re-sync with no change', async () => {
    // Prepare
    const h = await aSyncHarness({}, company());
    await syncTenant(h.deps, aJob());
    const [writes, puts] = [h.feed.writes, h.snapshots.puts];

    // Act
    const result = await syncTenant(h.deps, aJob({ requestedAt: '2026-11-25T11:00:00.000Z' }));

    // Assess
    expect(result.run!.counts).toEqual({ created: 0, updated: 0, deactivated: 0, reactivated: 0 });
    expect(h.feed.writes - writes).toBe(0);
    expect(h.snapshots.puts - puts).toBe(0);
  });

  it('writes exactly the changes after data changed', async () => {
    // Prepare
    const h = await aSyncHarness({}, company());
    await syncTenant(h.deps, aJob());
    h.source.set(aRawRow('2', { supervisorEId: '1', jobTitle: 'Lead' }));
    h.source.set(aRawRow('3', { status: 'Inactive', supervisorEId: '1' }));

    // Act
    await syncTenant(h.deps, aJob({ requestedAt: '2026-11-25T11:00:00.000Z' }));

    // Assess
    const feed = await h.feed.list('acme', 3, 100);
    expect(feed.changes.map((c) => [c.seq, c.type, c.reason, c.employeeId, Object.keys(c.changes)])).toEqual([
      [4, 'updated', null, '1', ['directReportIds']],
      [5, 'updated', null, '2', ['jobTitle']],
      [6, 'deactivated', 'inactive', '3', ['status']],
    ]);
  });

  it('treats a redelivered job as a duplicate and writes nothing twice', async () => {
    // Prepare
    const h = await aSyncHarness({}, company());
    const job = aJob();
    await syncTenant(h.deps, job);

    // Act
    const again = await syncTenant(h.deps, job);

    // Assess
    expect(again.outcome).toBe('duplicate');
    expect(h.feed.all('acme')).toHaveLength(3);
    expect(h.source.requestCount).toBe(1);
  });

  it('rolls forward a run killed after the feed write, with no duplicate feed items', async () => {
    // Prepare: the snapshot write dies once
    const h = await aSyncHarness({}, company());
    const put = h.snapshots.put.bind(h.snapshots);
    h.snapshots.put = async () => {
      throw new Error('Lambda killed');
    };
    const job = aJob();
    await expect(syncTenant(h.deps, job)).rejects.toThrow(RetryLaterError);
    expect(await h.feed.list('acme', 0, 100)).toEqual({ changes: [], nextAfter: 0 }); // not visible yet
    h.snapshots.put = put;

    // Act: the same message comes back
    const result = await syncTenant(h.deps, job);

    // Assess
    expect(result.outcome).toBe('succeeded');
    expect(result.run!.counts.created).toBe(0);
    const feed = await h.feed.list('acme', 0, 100);
    expect(feed.changes.map((c) => c.employeeId)).toEqual(['1', '2', '3']);
    expect((await h.snapshots.load('acme')).size).toBe(3);
    expect(h.log.lines.some((l) => l.message.includes('Rolled forward'))).toBe(true);
  });

  it('puts the tenant in needs-attention on a rejected key, with no change and no retry', async () => {
    // Prepare
    const h = await aSyncHarness({}, company());
    h.source.failWith = new BambooHrAuthError('acme', 401, 'acme');

    // Act
    const result = await syncTenant(h.deps, aJob());

    // Assess
    expect(result.outcome).toBe('failed');
    expect(result.run!.error).toMatchObject({ code: 'bamboohr-key-rejected', retryable: false });
    expect(await h.tenants.get('acme')).toMatchObject({ status: 'needs-attention', statusReason: expect.stringContaining('tenant update acme --api-key-stdin') });
    expect(h.feed.all('acme')).toEqual([]);
  });

  it('skips scheduled jobs of a tenant that needs attention or is disabled', async () => {
    // Prepare
    const h = await aSyncHarness({ status: 'disabled' }, company());

    // Act
    const result = await syncTenant(h.deps, aJob());

    // Assess
    expect(result.outcome).toBe('skipped');
    expect(h.source.requestCount).toBe(0);
    expect(h.secrets.reads).toEqual([]);
  });

  it('throws a retryable failure back to the queue and applies nothing', async () => {
    // Prepare
    const h = await aSyncHarness({}, company());
    h.source.failWith = new BambooHrRateLimitedError('acme', 30);

    // Act
    const act = syncTenant(h.deps, aJob());

    // Assess
    await expect(act).rejects.toThrow(RetryLaterError);
    expect(h.feed.all('acme')).toEqual([]);
    expect((await h.tenants.get('acme'))?.status).toBe('active');
    expect([...h.runs.items.values()][0]).toMatchObject({ status: 'failed', error: { retryable: true } });
  });

  it('fails closed when the exclusion field cannot be read', async () => {
    // Prepare
    const h = await aSyncHarness({ exclusionField: 'skip_elevo_sync', exclusionFieldId: '4501' }, company());
    h.source.hiddenFields.add('4501');

    // Act
    const result = await syncTenant(h.deps, aJob());

    // Assess
    expect(result.run!.error?.code).toBe('exclusion-field-missing');
    expect(h.feed.all('acme')).toEqual([]);
    expect((await h.tenants.get('acme'))?.status).toBe('needs-attention');
  });

  it('deactivates an employee ticked after being synced, as excluded', async () => {
    // Prepare
    const h = await aSyncHarness({ exclusionField: 'skip_elevo_sync', exclusionFieldId: '4501' }, company());
    await syncTenant(h.deps, aJob());
    h.source.set(aRawRow('3', { supervisorEId: '1', '4501': '1' }));

    // Act
    await syncTenant(h.deps, aJob({ kind: 'employees', employeeIds: ['3'], requestedBy: 'webhook', requestedAt: '2026-11-25T10:05:00.000Z' }));

    // Assess
    const changes = (await h.feed.list('acme', 3, 10)).changes;
    expect(changes.map((c) => [c.type, c.reason, c.employeeId])).toEqual([
      ['updated', null, '1'],
      ['deactivated', 'excluded', '3'],
    ]);
    expect(h.source.reportRequests.at(-1)).toMatchObject({ employeeIds: ['3'] });
  });

  it('resolves the exclusion field by name when its id is not known yet', async () => {
    // Prepare
    const source = company();
    source.set(aRawRow('3', { '4501': 'Yes' }));
    const h = await aSyncHarness({ exclusionField: 'Skip Elevo Sync', exclusionFieldId: null }, source);

    // Act
    const result = await syncTenant(h.deps, aJob());

    // Assess
    expect(result.run!.counts.created).toBe(2);
    expect(source.reportRequests[0]?.fields).toContain('4501');
  });

  it('records a deletion from a webhook only when BambooHR no longer returns the employee', async () => {
    // Prepare
    const h = await aSyncHarness({}, company());
    await syncTenant(h.deps, aJob());
    h.source.rows.delete('3');

    // Act
    await syncTenant(h.deps, aJob({ kind: 'employees', deletedEmployeeIds: ['2', '3'], requestedBy: 'webhook', requestedAt: '2026-11-25T10:05:00.000Z' }));

    // Assess
    const changes = (await h.feed.list('acme', 3, 10)).changes;
    expect(changes.map((c) => [c.type, c.reason, c.employeeId])).toEqual([
      ['updated', null, '1'],
      ['deactivated', 'deleted', '3'],
    ]);
  });

  it('holds a run that would deactivate too many, and applies it when support allows', async () => {
    // Prepare
    const h = await aSyncHarness({}, new FakeEmployeeSource(Array.from({ length: 20 }, (_, i) => aRawRow(String(i + 1)))));
    await syncTenant(h.deps, aJob());
    for (let i = 1; i <= 10; i += 1) h.source.rows.delete(String(i));

    // Act
    const held = await syncTenant(h.deps, aJob({ requestedAt: '2026-11-25T11:00:00.000Z' }));
    const { job } = await requestSync({ ...h.deps, queue: new InMemoryJobQueue() }, 'acme', { allowDeactivations: true });
    const allowed = await syncTenant(h.deps, job);

    // Assess
    expect(held.outcome).toBe('held');
    expect(held.run!.held).toMatchObject({ wouldDeactivate: 10, syncedBefore: 20 });
    expect(allowed.outcome).toBe('succeeded');
    expect(allowed.run!.counts.deactivated).toBe(10);
    expect(h.feed.all('acme').filter((c) => c.type === 'deactivated')).toHaveLength(10);
  });

  it('fails a full pull with zero employees without deactivating anyone', async () => {
    // Prepare
    const h = await aSyncHarness({}, company());
    await syncTenant(h.deps, aJob());
    h.source.rows.clear();

    // Act
    const result = await syncTenant(h.deps, aJob({ requestedAt: '2026-11-25T11:00:00.000Z' }));

    // Assess
    expect(result.run!.error?.code).toBe('empty-report');
    expect(h.feed.all('acme')).toHaveLength(3);
  });

  it('throws TenantNotFoundError for an unknown tenant', async () => {
    // Prepare
    const h = await aSyncHarness();

    // Act / Assess
    await expect(syncTenant(h.deps, aJob({ tenantId: 'ghost' }))).rejects.toThrow(TenantNotFoundError);
  });

  it('never logs the API key', async () => {
    // Prepare
    const h = await aSyncHarness({}, company());
    h.source.failWith = new BambooHrAuthError('acme', 401, 'acme');

    // Act
    await syncTenant(h.deps, aJob());

    // Assess
    expect(h.log.text()).not.toContain(FAKE_API_KEY);
    expect(JSON.stringify([...h.runs.items.values()])).not.toContain(FAKE_API_KEY);
  });

  it('duplicate ids in the report: identical rows sync once with a warning, conflicting rows fail the run for a person to look', async () => {
    // Prepare
    const source = company();
    const report = source.fetchReport.bind(source);
    let conflicting = false;
    source.fetchReport = async (request) => {
      const result = await report(request);
      const copy = { ...result.employees[0]!, ...(conflicting ? { jobTitle: 'Other' } : {}) };
      return { ...result, employees: [...result.employees, copy] };
    };
    const h = await aSyncHarness({}, source);

    // Act
    const identical = await syncTenant(h.deps, aJob());
    conflicting = true;
    const conflict = await syncTenant(h.deps, aJob({ requestedAt: '2026-11-25T11:00:00.000Z' }));

    // Assess
    expect(identical.run!.counts.created).toBe(3);
    expect(identical.run!.warnings.map((w) => w.code)).toContain('duplicate-employee-id');
    expect(conflict.run).toMatchObject({ status: 'failed', error: { code: 'bamboohr-bad-data', retryable: false } });
    expect((await h.tenants.get('acme'))?.status).toBe('needs-attention');
    expect(h.feed.all('acme')).toHaveLength(3);
  });

  it('runs an incremental job as a targeted pull of the employees BambooHR says changed since the last full run', async () => {
    // Prepare
    const h = await aSyncHarness({}, company());
    await syncTenant(h.deps, aJob());
    h.source.set(aRawRow('2', { supervisorEId: '1', jobTitle: 'Lead' }));
    h.source.rows.delete('3');
    h.source.changed = {
      latest: '2026-11-25T10:30:00Z',
      employees: [
        { id: '2', action: 'Updated', lastChanged: '2026-11-25T10:20:00Z' },
        { id: '3', action: 'Deleted', lastChanged: '2026-11-25T10:25:00Z' },
      ],
    };

    // Act
    const result = await syncTenant(h.deps, aJob({ kind: 'incremental', requestedAt: '2026-11-25T11:00:00.000Z' }));

    // Assess
    expect(h.source.reportRequests.at(-1)?.employeeIds).toEqual(['2', '3']);
    expect(result.run!.counts).toEqual({ created: 0, updated: 2, deactivated: 1, reactivated: 0 });
    expect((await h.feed.list('acme', 3, 10)).changes.map((c) => [c.type, c.reason, c.employeeId])).toEqual([
      ['updated', null, '1'],
      ['updated', null, '2'],
      ['deactivated', 'deleted', '3'],
    ]);
  });

  it('runs an incremental job with no earlier full run as a full pull', async () => {
    // Prepare
    const h = await aSyncHarness({}, company());

    // Act
    const result = await syncTenant(h.deps, aJob({ kind: 'incremental' }));

    // Assess
    expect(result.run!.kind).toBe('full');
    expect(result.run!.counts.created).toBe(3);
  });

  it('repairs exactly what the dead run meant to write, so a later targeted run emits nothing spurious', async () => {
    // Prepare: 2 moves from manager 1 to 3, who is not synced (no work email); the run dies after the feed
    const source = new FakeEmployeeSource([aRawRow('1'), aRawRow('2', { supervisorEId: '1' }), aRawRow('3', { workEmail: '' }), aRawRow('4')]);
    const h = await aSyncHarness({}, source);
    await syncTenant(h.deps, aJob());
    source.set(aRawRow('2', { supervisorEId: '3' }));
    const put = h.snapshots.put.bind(h.snapshots);
    h.snapshots.put = async () => {
      throw new Error('Lambda killed');
    };
    await expect(syncTenant(h.deps, aJob({ requestedAt: '2026-11-25T11:00:00.000Z' }))).rejects.toThrow(RetryLaterError);
    h.snapshots.put = put;
    const afterCrash = h.feed.all('acme').length;

    // Act: a webhook job about someone else repairs, then diffs
    const result = await syncTenant(h.deps, aJob({ kind: 'employees', employeeIds: ['4'], requestedBy: 'webhook', requestedAt: '2026-11-25T11:05:00.000Z' }));

    // Assess
    expect(result.run!.counts).toEqual({ created: 0, updated: 0, deactivated: 0, reactivated: 0 });
    expect(h.feed.all('acme')).toHaveLength(afterCrash);
    expect((await h.snapshots.load('acme')).get('2')).toMatchObject({ sourceManagerId: '3', employee: { managerId: null } });
  });

  it('retries once with the key read again, uncached, when BambooHR refuses a cached key support has just replaced', async () => {
    // Prepare
    const good = company();
    const h = await aSyncHarness({}, good);
    const revoked = new FakeEmployeeSource();
    revoked.failWith = new BambooHrAuthError('acme', 401, 'acme');
    h.secrets.cached.set('acme', { apiKey: 'old-revoked-key', webhookPrivateKey: null });
    h.deps.employeeSource = ({ apiKey }) => (apiKey === 'old-revoked-key' ? revoked : good);

    // Act
    const result = await syncTenant(h.deps, aJob());

    // Assess
    expect(result.outcome).toBe('succeeded');
    expect(result.run!.bamboohrRequests).toBe(2);
    expect((await h.tenants.get('acme'))?.status).toBe('active');
  });

  it('never undoes support disabling a tenant while its run was in flight', async () => {
    // Prepare: a support run of a tenant that needed attention; support disables it meanwhile
    const source = company();
    const h = await aSyncHarness({ status: 'needs-attention', statusReason: 'key rejected' }, source);
    const report = source.fetchReport.bind(source);
    source.fetchReport = async (request) => {
      const tenant = (await h.tenants.get('acme'))!;
      await h.tenants.save({ ...tenant, status: 'disabled', statusReason: 'disabled by support' });
      return report(request);
    };

    // Act
    const result = await syncTenant(h.deps, aJob({ requestedBy: 'support' }));

    // Assess
    expect(result.outcome).toBe('succeeded');
    expect(await h.tenants.get('acme')).toMatchObject({ status: 'disabled', lastRun: { status: 'succeeded' } });
  });

  it('never creates or updates anyone from a row without the exclusion checkbox, and warns (hardening 3)', async () => {
    // Prepare: BambooHR drops the checkbox from some rows (a known bug class for non-admin users)
    const h = await aSyncHarness({ exclusionField: 'skip_elevo_sync', exclusionFieldId: '4501' }, company());
    await syncTenant(h.deps, aJob());
    h.source.set(aRawRow('3', { supervisorEId: '1', jobTitle: 'Changed without the box' }));
    h.source.set(aRawRow('5', { supervisorEId: '1' }));
    h.source.set(aRawRow('2', { supervisorEId: '1', '4501': '0', jobTitle: 'Lead' }));

    // Act
    const result = await syncTenant(h.deps, aJob({ requestedAt: '2026-11-25T11:00:00.000Z' }));

    // Assess: 3 stays as the product knows it (neither updated nor deactivated), 5 is not created
    expect(result.outcome).toBe('succeeded');
    expect((await h.feed.list('acme', 3, 10)).changes.map((c) => [c.type, c.employeeId, Object.keys(c.changes)])).toEqual([['updated', '2', ['jobTitle']]]);
    expect((await h.snapshots.load('acme')).get('3')).toMatchObject({ state: 'synced', employee: { jobTitle: 'Engineer', managerId: '1' } });
    expect((await h.snapshots.load('acme')).has('5')).toBe(false);
    expect(result.run!.warnings).toContainEqual(expect.objectContaining({ code: 'exclusion-unknown', employeeIds: ['3', '5'], count: 2 }));
  });

  describe('approvals are bound to the held run (hardening 5)', () => {
    const twentySynced = async () => {
      const h = await aSyncHarness({}, new FakeEmployeeSource(Array.from({ length: 20 }, (_, i) => aRawRow(String(i + 1)))));
      await syncTenant(h.deps, aJob());
      for (let i = 1; i <= 10; i += 1) h.source.rows.delete(String(i));
      const held = await syncTenant(h.deps, aJob({ requestedAt: '2026-11-25T11:00:00.000Z' }));
      h.clock.advance(60_000);
      return { h, held };
    };

    it('holds again, applying nothing, when the allowed run would deactivate someone the approval did not cover', async () => {
      // Prepare
      const { h, held } = await twentySynced();
      const { job, approved } = await requestSync({ ...h.deps, queue: new InMemoryJobQueue() }, 'acme', { allowDeactivations: true });
      h.source.rows.delete('11');

      // Act
      const result = await syncTenant(h.deps, job);

      // Assess
      expect(approved).toMatchObject({ heldRunId: held.run!.runId, wouldDeactivate: 10, wouldReactivate: 0 });
      expect(result.outcome).toBe('held');
      expect(result.run!.held).toMatchObject({ wouldDeactivate: 11 });
      expect(result.run!.warnings).toContainEqual(expect.objectContaining({ code: 'approval-not-applied' }));
      expect(h.feed.all('acme').filter((c) => c.type === 'deactivated')).toEqual([]);
    });

    it('ignores a bare allow flag (an old job, or one redriven from the dead-letter queue) and an approval older than a day', async () => {
      // Prepare
      const { h } = await twentySynced();
      const { job } = await requestSync({ ...h.deps, queue: new InMemoryJobQueue() }, 'acme', { allowDeactivations: true });
      const bare = aJob({ requestedBy: 'support', allowDeactivations: true, requestedAt: h.clock.now().toISOString() });
      h.clock.advance(25 * 3_600_000);

      // Act
      const bareResult = await syncTenant(h.deps, bare);
      const lateResult = await syncTenant(h.deps, job);

      // Assess
      expect(bareResult.outcome).toBe('held');
      expect(lateResult.outcome).toBe('held');
      expect(lateResult.run!.warnings.find((w) => w.code === 'approval-not-applied')?.message).toContain('older than 24 h');
      expect(h.feed.all('acme').filter((c) => c.type === 'deactivated')).toEqual([]);
    });

    it('refuses to allow when nothing is held', async () => {
      // Prepare
      const h = await aSyncHarness({}, company());
      await syncTenant(h.deps, aJob());

      // Act
      const act = requestSync({ ...h.deps, queue: new InMemoryJobQueue() }, 'acme', { allowDeactivations: true });

      // Assess
      await expect(act).rejects.toThrow(/Nothing is held/);
    });
  });

  describe('attempts and waits (hardening 8)', () => {
    it('counts every delivery that starts a run, and a rate-limited one as a wait', async () => {
      // Prepare
      const h = await aSyncHarness({}, company());
      const job = aJob();
      h.source.failWith = new BambooHrRateLimitedError('acme', 3600);
      await expect(syncTenant(h.deps, job)).rejects.toThrow(RetryLaterError);
      h.source.failWith = new Error('socket hang up');

      // Act
      const second = await syncTenant(h.deps, job).catch((error: unknown) => error);

      // Assess
      expect(second).toBeInstanceOf(RetryLaterError);
      expect((second as RetryLaterError).run).toMatchObject({ attempts: 2, waits: 1, error: { retryable: true } });
      expect((await h.runs.list('acme', 1))[0]).toMatchObject({ attempts: 2, waits: 1 });
    });

    it('gives up on a job whose runs keep dying before they finish (a crash loop), without running it again', async () => {
      // Prepare: five deliveries started the run and never finished it
      const h = await aSyncHarness({}, company());
      const job = aJob();
      await h.runs.start(aRunRecord({ runId: runIdFor(job), jobId: job.jobId, status: 'running', attempts: 5, waits: 0 }));

      // Act
      const act = syncTenant(h.deps, job);

      // Assess
      await expect(act).rejects.toThrow(GiveUpError);
      expect(h.source.requestCount).toBe(0);
      expect((await h.runs.get('acme', runIdFor(job)))).toMatchObject({ status: 'failed', error: { code: 'gave-up' } });
    });

    it('runs a redriven job as a new run, with its attempts counted from zero', async () => {
      // Prepare
      const h = await aSyncHarness({}, company());
      const job = aJob();
      await h.runs.start(aRunRecord({ runId: runIdFor(job), jobId: job.jobId, status: 'failed', attempts: 6, error: { code: 'gave-up', message: 'gave up', retryable: true } }));

      // Act
      const result = await syncTenant(h.deps, { ...job, redrive: { count: 1, at: '2026-11-26T09:00:00.000Z' } });

      // Assess
      expect(result.outcome).toBe('succeeded');
      expect(result.run).toMatchObject({ attempts: 1 });
      expect(result.run!.runId).not.toBe(runIdFor(job));
    });
  });

  describe('probing a tenant that needs attention (hardening 10)', () => {
    const parked = () => aSyncHarness({ status: 'needs-attention', statusReason: 'key rejected', attention: { since: '2026-11-25T09:00:00.000Z', probes: 1, nextProbeAt: '2026-11-25T10:00:00.000Z' } }, company());

    it('makes the tenant active again on the first successful probe', async () => {
      // Prepare
      const h = await parked();

      // Act
      const result = await syncTenant(h.deps, aJob({ requestedBy: 'probe' }));

      // Assess
      expect(result.outcome).toBe('succeeded');
      expect(await h.tenants.get('acme')).toMatchObject({ status: 'active', statusReason: null, attention: null });
    });

    it('keeps it in needs-attention on a failed probe and doubles the wait, up to a day', async () => {
      // (the wait after n failed probes is 2^n hours, at most 24: see the last case)
      // Prepare
      const h = await parked();
      h.source.failWith = new BambooHrAuthError('acme', 401, 'acme');

      // Act
      const result = await syncTenant(h.deps, aJob({ requestedBy: 'probe' }));

      // Assess: the second failed probe: the next one 4 h later (after 1 h, then 2 h)
      expect(result.outcome).toBe('failed');
      expect(await h.tenants.get('acme')).toMatchObject({
        status: 'needs-attention',
        attention: { since: '2026-11-25T09:00:00.000Z', probes: 2, nextProbeAt: '2026-11-25T14:00:00.000Z' },
      });
    });

    it('does not send a probe that failed retryably back to the queue: the next probe comes on the schedule', async () => {
      // Prepare
      const h = await parked();
      h.source.failWith = new BambooHrRateLimitedError('acme', 30);

      // Act
      const result = await syncTenant(h.deps, aJob({ requestedBy: 'probe' }));

      // Assess
      expect(result.outcome).toBe('failed');
      expect((await h.tenants.get('acme'))?.attention).toMatchObject({ probes: 2 });
    });

    it('waits 1 h, 2 h, 4 h... between probes, at most a day', () => {
      // Act / Assess
      expect([0, 1, 2, 3, 4, 5, 9].map((probes) => probeDelayMs(probes) / 3_600_000)).toEqual([1, 2, 4, 8, 16, 24, 24]);
    });

    it('parks an active tenant with its first probe an hour later', async () => {
      // Prepare
      const h = await aSyncHarness({}, company());
      h.source.failWith = new BambooHrAuthError('acme', 401, 'acme');

      // Act
      await syncTenant(h.deps, aJob());

      // Assess
      expect((await h.tenants.get('acme'))?.attention).toEqual({ since: '2026-11-25T10:00:00.000Z', probes: 0, nextProbeAt: '2026-11-25T11:00:00.000Z' });
    });
  });
});
