import { ChangeMessageVisibilityCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { SqsDeadLetterQueue } from '../../lib/adapters/sqs-dead-letter-queue.js';
import { enqueueScheduledSyncs } from '../../lib/use-cases/enqueue-scheduled-syncs.js';
import { createServer } from 'node:net';
import { generateEmployees } from '../../dev/bamboohr-simulator/demo-data.js';
import { createBambooHrSourceFactory } from '../../lib/bamboohr/bamboohr-client.js';
import type { SnapshotEntry } from '../../lib/model/snapshot.js';
import type { SecretStore } from '../../lib/ports.js';
import { registerTenant } from '../../lib/use-cases/register-tenant.js';
import { requestSync } from '../../lib/use-cases/request-sync.js';
import { RetryLaterError, syncTenant } from '../../lib/use-cases/sync-tenant.js';
import { aJob, FAKE_API_KEY } from '../helpers/builders.js';
import { InMemoryScheduleState } from '../helpers/in-memory-ports.js';
import { aLambdaContext, drainQueue, receiveAll, toSqsEvent, type WorkerHandler } from '../helpers/lambda.js';
import { startLocalService, type LocalService } from '../helpers/local-service.js';

/**
 * The fault matrix of the README's Reliability section, case by case, through the real worker,
 * adapters, emulators and an HTTP BambooHR simulator. Each tenant has its own company so that
 * faults and counts never mix.
 */
describe('reliability: faults and bad input lose nothing and deactivate nobody wrongly', () => {
  let local: LocalService;
  let worker: WorkerHandler;
  let tenantCounter = 0;

  /** A fresh company and tenant, synced once. */
  const aSyncedTenant = async (count = 20) => {
    tenantCounter += 1;
    const tenantId = `t${tenantCounter}`;
    local.simulator.addCompany({
      subdomain: tenantId,
      keys: [{ apiKey: FAKE_API_KEY }],
      employees: generateEmployees({ count, seed: tenantCounter, today: '2026-11-25' }),
      exclusionField: { id: '4501', name: 'skip_elevo_sync' },
    });
    await registerTenant(local.deps, { tenantId, subdomain: tenantId, apiKey: FAKE_API_KEY, exclusionField: true });
    const first = await sync(tenantId);
    expect(first.run?.status).toBe('succeeded');
    return { tenantId, company: local.simulator.company(tenantId), synced: first.run!.employeesSynced! };
  };
  const queueUrl = () => local.config.queues.syncUrl!;

  /** Support asks for a sync; the worker takes it the way Lambda would. */
  const sync = async (tenantId: string, options: { allowDeactivations?: boolean } = {}) => {
    const { runId } = await requestSync(local.deps, tenantId, options);
    const batches = await drainQueue(local.emulators.sqs.client, queueUrl(), worker);
    const failures = batches.flatMap((b) => b.response?.batchItemFailures ?? []);
    return { run: await local.deps.runs.get(tenantId, runId), failures, messages: batches.flatMap((b) => b.messages) };
  };
  const feedSize = async (tenantId: string) => (await local.deps.feed.list(tenantId, 0, 1000)).changes.length;
  /** Makes messages the worker failed visible again at once (in AWS: after the visibility timeout). */
  const releaseInFlight = async (receipts: string[]) => {
    for (const ReceiptHandle of receipts) {
      await local.emulators.sqs.client.send(new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl(), ReceiptHandle, VisibilityTimeout: 0 }));
    }
  };

  beforeAll(async () => {
    local = await startLocalService();
    process.env.BAMBOOHR_TIMEOUT_MS = '1500';
    worker = (await import('../../functions/worker.js')).handler as never;
  });

  afterAll(async () => {
    await local?.stop();
  });

  afterEach(() => {
    local.simulator.clearFaults();
  });

  describe('BambooHR errors', () => {
    it.each([
      ['401 (a rejected key)', 401, 'bamboohr-key-rejected'],
      ['403 (a disabled user)', 403, 'bamboohr-key-rejected'],
      ['404 (an unknown subdomain)', 404, 'bamboohr-unknown-company'],
    ])('%s: needs-attention with the reason, no changes, no retry', async (_case, status, code) => {
      // Prepare
      const { tenantId } = await aSyncedTenant();
      const before = await feedSize(tenantId);
      local.simulator.injectFault({ kind: 'status', status, subdomain: tenantId, times: 10 });
      const requests = local.simulator.requestCount(tenantId);

      // Act
      const { run, failures } = await sync(tenantId);

      // Assess
      expect(run).toMatchObject({ status: 'failed', error: { code, retryable: false } });
      expect(failures).toEqual([]); // the message is done with: no retry loop
      expect(local.simulator.requestCount(tenantId) - requests).toBe(1);
      expect(await local.deps.tenants.get(tenantId)).toMatchObject({ status: 'needs-attention', statusReason: expect.stringContaining('bamboohr-sync tenant update') });
      expect(await feedSize(tenantId)).toBe(before);
    });

    it.each([
      ['503', 503],
      ['429', 429],
    ])('%s with Retry-After: honoured, then success', async (_case, status) => {
      // Prepare
      const { tenantId, company } = await aSyncedTenant();
      const target = company.employees().find((e) => e.status === 'Active' && !e.excluded && e.workEmail)!;
      company.updateEmployee(target.id, { jobTitle: 'After the storm' });
      local.simulator.injectFault({ kind: 'status', status, retryAfter: '1', subdomain: tenantId, path: 'reports/custom', times: 1 });

      // Act
      const { run } = await sync(tenantId);

      // Assess
      expect(run).toMatchObject({ status: 'succeeded', counts: { updated: 1 }, bamboohrRequests: 2 });
      const reportRequests = local.simulator.requests.filter((r) => r.subdomain === tenantId && r.path.includes('reports/custom'));
      const [limited, retried] = reportRequests.slice(-2);
      expect(retried!.receivedAt - limited!.receivedAt).toBeGreaterThanOrEqual(990);
    });

    it('a 503 storm past the retry budget: retried later through the queue, nothing partially applied', async () => {
      // Prepare
      const { tenantId, company } = await aSyncedTenant();
      const target = company.employees().find((e) => e.status === 'Active' && !e.excluded && e.workEmail)!;
      company.updateEmployee(target.id, { jobTitle: 'Stormy' });
      const before = await feedSize(tenantId);
      local.simulator.injectFault({ kind: 'status', status: 503, retryAfter: '0', subdomain: tenantId, times: 2 });

      // Act
      const first = await sync(tenantId);
      await releaseInFlight(first.messages.map((m) => m.ReceiptHandle!));
      const retried = await drainQueue(local.emulators.sqs.client, queueUrl(), worker);

      // Assess
      expect(first.failures).toHaveLength(1);
      expect(first.run).toMatchObject({ status: 'failed', error: { code: 'bamboohr-rate-limited', retryable: true } });
      expect((await local.deps.tenants.get(tenantId))?.status).toBe('active');
      expect(retried.flatMap((b) => b.response?.batchItemFailures ?? [])).toEqual([]);
      expect(Number(retried[0]?.messages[0]?.Attributes?.ApproximateReceiveCount)).toBeGreaterThanOrEqual(2);
      expect(await feedSize(tenantId)).toBe(before + 1);
    });

    it.each([
      ['a timeout', { kind: 'delay', ms: 4000, times: 2 }, 'bamboohr-unavailable'],
      ['truncated JSON', { kind: 'truncate', times: 1 }, 'bamboohr-bad-response'],
      ['HTML instead of JSON', { kind: 'html', times: 1 }, 'bamboohr-bad-response'],
    ] as const)('%s: retried later through the queue, nothing applied', async (_case, fault, code) => {
      // Prepare
      const { tenantId, company } = await aSyncedTenant();
      company.updateEmployee(company.employees()[0]!.id, { jobTitle: 'Not yet' });
      const before = await feedSize(tenantId);
      local.simulator.injectFault({ ...fault, subdomain: tenantId, path: 'reports/custom' });

      // Act
      const { run, failures } = await sync(tenantId);

      // Assess
      expect(run).toMatchObject({ status: 'failed', error: { code, retryable: true } });
      expect(failures).toHaveLength(1);
      expect(await feedSize(tenantId)).toBe(before);
      expect((await local.deps.tenants.get(tenantId))?.status).toBe('active');
    });

    it('connection refused: retried later, nothing applied', async () => {
      // Prepare: a BambooHR address where nothing listens
      const { tenantId } = await aSyncedTenant();
      const closed = await new Promise<number>((resolve) => {
        const server = createServer().listen(0, '127.0.0.1', () => {
          const { port } = server.address() as { port: number };
          server.close(() => resolve(port));
        });
      });
      const deps = { ...local.deps, employeeSource: createBambooHrSourceFactory({ ...local.config.bamboohr, apiBase: `http://127.0.0.1:${closed}/api/gateway.php`, retryLimit: 1 }) };
      const before = await feedSize(tenantId);

      // Act
      const act = syncTenant(deps, aJob({ tenantId, requestedBy: 'support', requestedAt: new Date().toISOString() }));

      // Assess
      await expect(act).rejects.toThrow(RetryLaterError);
      await expect(act).rejects.toMatchObject({ run: { error: { code: 'bamboohr-unavailable' } } });
      expect(await feedSize(tenantId)).toBe(before);
    });

    it('the status field missing from the report: needs-attention, nobody deactivated', async () => {
      // Prepare
      const { tenantId } = await aSyncedTenant();
      const before = await feedSize(tenantId);
      local.simulator.injectFault({ kind: 'drop-field', field: 'status', subdomain: tenantId });

      // Act
      const { run } = await sync(tenantId);

      // Assess
      expect(run?.error?.code).toBe('required-fields-not-visible');
      expect(await feedSize(tenantId)).toBe(before);
    });

    it('a field the key can no longer see (workEmail): a warning, no value cleared', async () => {
      // Prepare
      const { tenantId } = await aSyncedTenant();
      const before = await feedSize(tenantId);
      local.simulator.injectFault({ kind: 'drop-field', field: 'workEmail', subdomain: tenantId });

      // Act
      const { run } = await sync(tenantId);

      // Assess
      expect(run).toMatchObject({ status: 'succeeded', counts: { created: 0, updated: 0, deactivated: 0, reactivated: 0 } });
      expect(run?.warnings.map((w) => w.code)).toContain('fields-not-visible');
      expect(await feedSize(tenantId)).toBe(before);
    });

    it('a report with zero employees: the run fails, nobody is deactivated', async () => {
      // Prepare
      const { tenantId, company } = await aSyncedTenant();
      const before = await feedSize(tenantId);
      for (const e of company.employees()) company.removeEmployee(e.id);

      // Act
      const { run } = await sync(tenantId);

      // Assess
      expect(run?.error?.code).toBe('empty-report');
      expect(await feedSize(tenantId)).toBe(before);
    });

    it('a report missing half the employees: the safeguard holds the run until support allows it', async () => {
      // Prepare
      const { tenantId, company, synced } = await aSyncedTenant(30);
      const before = await feedSize(tenantId);
      const all = company.employees();
      for (const e of all.slice(0, Math.floor(all.length / 2))) company.removeEmployee(e.id);

      // Act
      const held = await sync(tenantId);
      const heldFeed = await feedSize(tenantId);
      const allowed = await sync(tenantId, { allowDeactivations: true });

      // Assess
      expect(held.run).toMatchObject({ status: 'held', held: { syncedBefore: synced } });
      expect(held.run!.held!.wouldDeactivate).toBeGreaterThan(5);
      expect(heldFeed).toBe(before);
      expect(allowed.run?.status).toBe('succeeded');
      expect(allowed.run?.counts.deactivated).toBe(held.run!.held!.wouldDeactivate);
    });

    it('the exclusion field deleted in BambooHR after registration: fails closed, nobody synced or deactivated', async () => {
      // Prepare
      const { tenantId, company } = await aSyncedTenant();
      const before = await feedSize(tenantId);
      company.setExclusionField(null);

      // Act
      const { run } = await sync(tenantId);

      // Assess
      expect(run?.error?.code).toBe('exclusion-field-missing');
      expect((await local.deps.tenants.get(tenantId))?.status).toBe('needs-attention');
      expect(await feedSize(tenantId)).toBe(before);
    });
  });

  describe('the worker', () => {
    it('killed after writing the feed but before the snapshot: the next run repairs it with no duplicate feed items', async () => {
      // Prepare
      const { tenantId, company } = await aSyncedTenant();
      const changed = company.employees().filter((e) => e.status === 'Active' && !e.excluded && e.workEmail).slice(0, 3);
      for (const e of changed) company.updateEmployee(e.id, { department: 'Interrupted' });
      const before = await feedSize(tenantId);
      let killed = false;
      const dying = {
        ...local.deps,
        snapshots: Object.assign(Object.create(local.deps.snapshots), {
          put: async (id: string, entries: readonly SnapshotEntry[]) => {
            if (!killed) {
              killed = true;
              throw new Error('Lambda timed out');
            }
            return local.deps.snapshots.put(id, entries);
          },
        }),
      };
      const job = aJob({ tenantId, requestedBy: 'support', requestedAt: new Date().toISOString() });
      await expect(syncTenant(dying, job)).rejects.toThrow(RetryLaterError);

      // Act: the message is delivered again
      const again = await syncTenant(local.deps, job);
      const later = await sync(tenantId);

      // Assess
      const changes = (await local.deps.feed.list(tenantId, before, 1000)).changes;
      expect(changes.filter((c) => changed.some((e) => e.id === c.employeeId))).toHaveLength(3);
      expect(new Set(changes.map((c) => c.seq)).size).toBe(changes.length);
      expect(again.run?.counts.updated).toBe(0);
      expect(later.run?.counts).toEqual({ created: 0, updated: 0, deactivated: 0, reactivated: 0 });
    });

    it('two messages for one tenant at once: serialised by the FIFO group, in order, never in parallel', async () => {
      // Prepare
      const { tenantId } = await aSyncedTenant();
      const first = await requestSync(local.deps, tenantId);
      const second = await requestSync(local.deps, tenantId);

      // Act: one worker holds the group's messages; a second, concurrent worker gets none of them
      const firstReceive = await receiveAll(local.emulators.sqs.client, queueUrl());
      const concurrentReceive = await receiveAll(local.emulators.sqs.client, queueUrl());
      const response = await worker(toSqsEvent(firstReceive), aLambdaContext('worker'));

      // Assess
      expect(firstReceive.map((m) => JSON.parse(m.Body!).jobId)).toEqual([first.jobId, second.jobId]);
      expect(concurrentReceive.filter((m) => m.Attributes?.MessageGroupId === tenantId)).toHaveLength(0);
      expect(response?.batchItemFailures).toEqual([]);
      const [a, b] = await Promise.all([local.deps.runs.get(tenantId, first.runId), local.deps.runs.get(tenantId, second.runId)]);
      expect(a?.finishedAt! <= b?.startedAt!).toBe(true);
      await drainQueue(local.emulators.sqs.client, queueUrl(), worker);
    });

    it('messages out of order: an older job after a newer one writes no stale or duplicate change', async () => {
      // Prepare
      const { tenantId, company } = await aSyncedTenant();
      const target = company.employees().find((e) => e.status === 'Active' && !e.excluded && e.workEmail)!;
      company.updateEmployee(target.id, { jobTitle: 'Newest' });
      const before = await feedSize(tenantId);
      const newer = aJob({ tenantId, kind: 'employees', employeeIds: [target.id], requestedBy: 'webhook', requestedAt: '2026-11-25T12:00:00.000Z' });
      const older = aJob({ tenantId, kind: 'employees', employeeIds: [target.id], requestedBy: 'webhook', requestedAt: '2026-11-25T11:00:00.000Z' });

      // Act
      await syncTenant(local.deps, newer);
      await syncTenant(local.deps, older);

      // Assess
      const changes = (await local.deps.feed.list(tenantId, before, 100)).changes;
      expect(changes.map((c) => [c.employeeId, c.changes])).toEqual([[target.id, { jobTitle: { from: target.jobTitle, to: 'Newest' } }]]);
    });

    it('a poison message goes to the DLQ at its first delivery, and the other records of its batch succeed (hardening 7)', async () => {
      // Prepare
      const { tenantId, company } = await aSyncedTenant();
      company.updateEmployee(company.employees()[0]!.id, { jobTitle: 'Beside the poison' });
      await local.emulators.sqs.client.send(
        new SendMessageCommand({ QueueUrl: queueUrl(), MessageBody: '{"not":"a job"}', MessageGroupId: 'poison', MessageDeduplicationId: `poison-${tenantCounter}` }),
      );
      await requestSync(local.deps, tenantId);

      // Act
      const batches = await drainQueue(local.emulators.sqs.client, queueUrl(), worker);

      // Assess
      expect(batches.flatMap((b) => b.response?.batchItemFailures ?? [])).toEqual([]);
      expect((await local.deps.runs.list(tenantId, 1))[0]?.status).toBe('succeeded');
      const letters = await new SqsDeadLetterQueue({ client: local.emulators.sqs.client, dlqUrl: local.config.queues.dlqUrl!, queueUrl: queueUrl(), waitSeconds: 0 }).list(10);
      expect(letters.filter((l) => l.tenantId === 'poison')).toEqual([expect.objectContaining({ rawBody: '{"not":"a job"}', reason: expect.stringContaining('not a sync job') })]);
    });

    it('a Retry-After of an hour: each next delivery waits that hour, and the waits never dead-letter the job (hardening 8)', async () => {
      // Prepare
      const { tenantId, company } = await aSyncedTenant();
      company.updateEmployee(company.employees()[0]!.id, { jobTitle: 'After an hour' });
      const before = await feedSize(tenantId);
      local.simulator.injectFault({ kind: 'status', status: 429, retryAfter: '3600', subdomain: tenantId, path: 'reports/custom', times: 100 });
      const { runId } = await requestSync(local.deps, tenantId);

      // Act: eight deliveries, each made visible again by hand (in AWS: an hour later)
      let delivered = await drainQueue(local.emulators.sqs.client, queueUrl(), worker);
      const hiddenAfterFirst = await receiveAll(local.emulators.sqs.client, queueUrl());
      for (let i = 0; i < 7; i += 1) {
        await releaseInFlight(delivered.flatMap((b) => b.messages).map((m) => m.ReceiptHandle!));
        delivered = await drainQueue(local.emulators.sqs.client, queueUrl(), worker);
      }
      const waiting = await local.deps.runs.get(tenantId, runId);
      local.simulator.clearFaults();
      await releaseInFlight(delivered.flatMap((b) => b.messages).map((m) => m.ReceiptHandle!));
      await drainQueue(local.emulators.sqs.client, queueUrl(), worker);

      // Assess
      expect(hiddenAfterFirst).toEqual([]); // not back after the 30 s backoff: after the hour asked for
      expect(waiting).toMatchObject({ status: 'failed', attempts: 8, waits: 8, error: { code: 'bamboohr-rate-limited', retryAfterSeconds: 3600 } });
      expect(await local.deps.runs.get(tenantId, runId)).toMatchObject({ status: 'succeeded', attempts: 9 });
      expect(await feedSize(tenantId)).toBe(before + 1);
      const letters = await new SqsDeadLetterQueue({ client: local.emulators.sqs.client, dlqUrl: local.config.queues.dlqUrl!, queueUrl: queueUrl(), waitSeconds: 0 }).list(100);
      expect(letters.filter((l) => l.tenantId === tenantId)).toEqual([]);
    });
  });

  describe('recovery', () => {
    it('a tenant parked by a 401 is probed on a backoff and is active again by itself once the key works (hardening 10)', async () => {
      // Prepare
      const { tenantId } = await aSyncedTenant();
      local.simulator.injectFault({ kind: 'status', status: 401, subdomain: tenantId, times: 100 });
      await sync(tenantId);
      const parked = await local.deps.tenants.get(tenantId);
      // The scheduler's probes only, and only for this tenant (the other tests' tenants stay out of it).
      const onlyThisTenant = {
        listByStatus: async (...args: Parameters<typeof local.deps.tenants.listByStatus>) => {
          const page = await local.deps.tenants.listByStatus(...args);
          return { ...page, tenants: page.tenants.filter((t) => t.tenantId === tenantId) };
        },
        listDue: async () => ({ tenants: [] }),
        markStale: async () => false,
        assignMissingSlots: async () => 0,
      };
      const scheduler = { ...local.deps, tenants: onlyThisTenant, scheduleState: new InMemoryScheduleState(), settings: local.config.schedule };
      const schedule = async (at: number) => {
        const result = await enqueueScheduledSyncs(scheduler, { scheduledAt: new Date(at).toISOString() });
        await drainQueue(local.emulators.sqs.client, queueUrl(), worker);
        return result;
      };
      const due = Date.parse(parked!.attention!.nextProbeAt);

      // Act
      const early = await schedule(due - 60_000);
      const firstProbe = await schedule(due + 60_000);
      const stillParked = await local.deps.tenants.get(tenantId);
      local.simulator.clearFaults();
      const secondProbe = await schedule(Date.parse(stillParked!.attention!.nextProbeAt) + 60_000);

      // Assess
      expect(parked).toMatchObject({ status: 'needs-attention', attention: { probes: 0 } });
      expect(early.probes).toBe(0);
      expect(firstProbe.probes).toBe(1);
      expect(stillParked).toMatchObject({ status: 'needs-attention', attention: { since: parked!.attention!.since, probes: 1 } });
      expect(Date.parse(stillParked!.attention!.nextProbeAt) - Date.now()).toBeGreaterThan(110 * 60_000);
      expect(secondProbe.probes).toBe(1);
      expect(await local.deps.tenants.get(tenantId)).toMatchObject({ status: 'active', statusReason: null, attention: null });
    });
  });

  describe('isolation', () => {
    it("a job for tenant A never reads tenant B's secret or writes B's items", async () => {
      // Prepare
      const a = await aSyncedTenant();
      const b = await aSyncedTenant();
      a.company.updateEmployee(a.company.employees()[0]!.id, { jobTitle: 'Only A' });
      const reads: string[] = [];
      const spying: SecretStore = { ...local.deps.secrets, get: async (id) => (reads.push(id), local.deps.secrets.get(id)) };
      const bFeed = await local.deps.feed.list(b.tenantId, 0, 1000);
      const bSnapshot = await local.deps.snapshots.load(b.tenantId);
      const bRuns = await local.deps.runs.list(b.tenantId, 100);

      // Act
      await syncTenant({ ...local.deps, secrets: spying }, aJob({ tenantId: a.tenantId, requestedBy: 'support', requestedAt: new Date().toISOString() }));

      // Assess
      expect(reads).toEqual([a.tenantId]);
      expect(await local.deps.feed.list(b.tenantId, 0, 1000)).toEqual(bFeed);
      expect(await local.deps.snapshots.load(b.tenantId)).toEqual(bSnapshot);
      expect(await local.deps.runs.list(b.tenantId, 100)).toEqual(bRuns);
    });
  });
});
