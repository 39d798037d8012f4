/**
 * One measured task per process (bench/run.ts forks it, bundled by esbuild like a Lambda bundle):
 * the peak RSS reported is this process's own, without the simulator or the emulators.
 * The task arrives as the first IPC message; the result goes back the same way.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSClient, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { generateEmployees } from '../dev/bamboohr-simulator/demo-data.js';
import { buildFieldLookup, exclusionFieldDef, STANDARD_FIELDS } from '../dev/bamboohr-simulator/fields.js';
import type { SimEmployee } from '../dev/bamboohr-simulator/types.js';
import { createAwsClients } from '../lib/adapters/aws-clients.js';
import { createBatchWriteStats } from '../lib/adapters/dynamodb-batch-writer.js';
import { feedItemsOf } from '../lib/adapters/dynamodb-change-feed.js';
import { snapshotItemsOf } from '../lib/adapters/dynamodb-snapshot-store.js';
import { SqsJobQueue } from '../lib/adapters/sqs-job-queue.js';
import type { RawEmployeeRow } from '../lib/bamboohr/raw-schema.js';
import { createServiceDeps } from '../lib/composition.js';
import { silentLog } from '../lib/logging.js';
import type { ChangeDraft } from '../lib/model/change.js';
import { BAMBOOHR_FIELD_NAMES } from '../lib/model/employee.js';
import type { SnapshotEntry } from '../lib/model/snapshot.js';
import { DEFAULT_SAFEGUARDS } from '../lib/model/tenant.js';
import { mapEmployee } from '../lib/sync/map-employee.js';
import { planSync } from '../lib/sync/plan-sync.js';
import { enqueueScheduledSyncs } from '../lib/use-cases/enqueue-scheduled-syncs.js';
import { pullAndPlan } from '../lib/use-cases/pull-and-plan.js';
import { runIdFor, syncTenant, type SyncTenantDeps } from '../lib/use-cases/sync-tenant.js';
import { credentialsOf } from '../lib/use-cases/tenant-credentials.js';
import { applyChangeMix, planChangeMix } from './changes.js';
import { createNaiveSourceFactory } from './naive-source.js';
import {
  mb,
  round1,
  type ChildMessage,
  type ChildResult,
  type ChildTask,
  type DiffChildResult,
  type FanoutChildResult,
  type FloorChildResult,
  type CapacityFigures,
  type MemoryFigures,
  type PullChildResult,
  type SyncChildResult,
} from './shared.js';

// ------------------------------------------------------------------ memory

const startRssSampler = () => {
  let peak = process.memoryUsage.rss();
  const baseline = peak;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 10);
  timer.unref();
  return {
    stop(): MemoryFigures {
      clearInterval(timer);
      peak = Math.max(peak, process.memoryUsage.rss());
      const maxRss = process.resourceUsage().maxRSS * 1024; // kilobytes on Linux and macOS
      return { peakRssMb: mb(Math.max(peak, maxRss)), baselineRssMb: mb(baseline), sampledPeakRssMb: mb(peak), maxRssMb: mb(maxRss) };
    },
  };
};

// ------------------------------------------------------------------ counting and timing

type Counts = Record<string, number>;

/** Counts every command sent through an AWS SDK client (document clients share the stack). */
const countCommands = (client: DynamoDBClient | SQSClient, counts: Counts): void => {
  const middleware = (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: unknown) => {
    const name = (context.commandName ?? 'unknown').replace(/Command$/, '');
    counts[name] = (counts[name] ?? 0) + 1;
    return next(args);
  };
  (client.middlewareStack as unknown as { add(m: unknown, o: unknown): void }).add(middleware, { step: 'initialize', name: 'benchCountCommands' });
};

const sum = (counts: Counts): number => Object.values(counts).reduce((a, b) => a + b, 0);

const READS = new Set(['GetItem', 'Get', 'BatchGetItem', 'BatchGet', 'Query', 'Scan']);

/**
 * Asks DynamoDB for the capacity each call consumes (ReturnConsumedCapacity: TOTAL; DynamoDB Local
 * answers it as DynamoDB does: 4 KB read units, strongly consistent, 1 KB write units) and counts
 * the reads: calls and items returned.
 */
const measureCapacity = (client: DynamoDBClient, figures: CapacityFigures): void => {
  const middleware =
    (next: (args: { input: Record<string, unknown> }) => Promise<{ output: Record<string, unknown> }>, context: { commandName?: string }) =>
    async (args: { input: Record<string, unknown> }) => {
      const name = (context.commandName ?? '').replace(/Command$/, '');
      args.input.ReturnConsumedCapacity ??= 'TOTAL';
      const result = await next(args);
      const output = result.output;
      const consumed = [output.ConsumedCapacity ?? []].flat() as Array<{ CapacityUnits?: number }>;
      const units = consumed.reduce((total, c) => total + (c.CapacityUnits ?? 0), 0);
      if (READS.has(name)) {
        figures.readUnits += units;
        figures.readCalls += 1;
        if (output.Item) figures.itemsRead += 1;
        if (Array.isArray(output.Items)) figures.itemsRead += output.Items.length;
        if (output.Responses) for (const items of Object.values(output.Responses as Record<string, unknown[]>)) figures.itemsRead += items.length;
      } else figures.writeUnits += units;
      return result;
    };
  (client.middlewareStack as unknown as { add(m: unknown, o: unknown): void }).add(middleware, { step: 'initialize', name: 'benchCapacity' });
};

/** The object with its async methods timed into `phases` under `label.method`. */
const timed = <T extends object>(target: T, label: string, phases: Counts): T =>
  new Proxy(target, {
    get(object, prop) {
      const value = Reflect.get(object, prop, object) as unknown;
      if (typeof value !== 'function' || typeof prop !== 'string') return value;
      return (...args: unknown[]) => {
        const started = performance.now();
        const record = () => {
          const key = `${label}.${prop}`;
          phases[key] = (phases[key] ?? 0) + performance.now() - started;
        };
        const out = (value as (...a: unknown[]) => unknown).apply(object, args);
        if (out instanceof Promise) return out.finally(record);
        record();
        return out;
      };
    },
  });

const roundAll = (counts: Counts): Counts => Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, round1(v)]));

// ------------------------------------------------------------------ sync

const runSync = async (task: Extract<ChildTask, { kind: 'sync' }>): Promise<SyncChildResult> => {
  const clients = createAwsClients(task.config);
  const dynamoByCommand: Counts = {};
  countCommands(clients.dynamodb, dynamoByCommand);
  const capacity: CapacityFigures = { readUnits: 0, writeUnits: 0, readCalls: 0, itemsRead: 0 };
  measureCapacity(clients.dynamodb, capacity);
  const stats = createBatchWriteStats();
  const employeeSource = task.naive ? createNaiveSourceFactory(task.config.bamboohr, task.naive.concurrency) : undefined;
  const base = createServiceDeps(task.config, { clients, stats, ...(employeeSource ? { employeeSource } : {}) });
  const phases: Counts = {};
  let summaryChunksWritten = 0;
  const writeSummaryChunks = base.snapshots.writeSummaryChunks.bind(base.snapshots);
  base.snapshots.writeSummaryChunks = async (tenantId, chunks) => {
    summaryChunksWritten += chunks.length;
    return writeSummaryChunks(tenantId, chunks);
  };
  if (task.fullRead) {
    // As before the summary existed: every run reads the whole snapshot (and the summary is not saved).
    const state = base.feed.state.bind(base.feed);
    base.feed.state = async (tenantId) => ({ ...(await state(tenantId)), summary: null, summaryStale: true });
  }
  const deps: SyncTenantDeps = {
    tenants: timed(base.tenants, 'tenants', phases),
    secrets: timed(base.secrets, 'secrets', phases),
    employeeSource: (input) => timed(base.employeeSource(input), 'bamboohr', phases),
    snapshots: timed(base.snapshots, 'snapshots', phases),
    feed: timed(base.feed, 'feed', phases),
    runs: timed(base.runs, 'runs', phases),
    clock: base.clock,
    log: silentLog,
    activity: base.activity,
    // As a warm Lambda: summary chunks decoded by the warm-up runs are not read again (a fresh process reads them all).
    summaryCache: base.summaryCache,
  };

  if (task.warmup) {
    for (let i = 0; i < (task.warmups ?? 1); i += 1) {
      await syncTenant(deps, i === 0 ? task.warmup : { ...task.warmup, jobId: `${task.warmup.jobId}-${i}`, requestedAt: new Date().toISOString() });
    }
    for (const key of Object.keys(phases)) delete phases[key];
    for (const key of Object.keys(dynamoByCommand)) delete dynamoByCommand[key];
    Object.assign(capacity, { readUnits: 0, writeUnits: 0, readCalls: 0, itemsRead: 0 });
    Object.assign(stats, { requests: 0, itemsWritten: 0, retries: 0, throttled: 0 });
    summaryChunksWritten = 0;
  }
  const memory = startRssSampler();
  const started = performance.now();
  const result = await syncTenant(deps, task.job);
  const wallMs = performance.now() - started;
  const figures = memory.stop();
  const inPorts = sum(phases);
  phases['cpu (map, plan, validate)'] = Math.max(0, wallMs - inPorts);
  const run = result.run;
  return {
    kind: 'sync',
    wallMs: round1(wallMs),
    ...figures,
    outcome: result.outcome,
    run: {
      status: run?.status ?? 'running',
      kind: run?.kind ?? task.job.kind,
      counts: run?.counts ?? { created: 0, updated: 0, deactivated: 0, reactivated: 0 },
      feed: run?.feed ?? null,
      bamboohrRequests: run?.bamboohrRequests ?? null,
      employeesSynced: run?.employeesSynced ?? null,
      error: run?.error ?? null,
      warnings: (run?.warnings ?? []).map((w) => w.code),
    },
    batchWrite: { ...stats },
    dynamoByCommand,
    capacity: { ...capacity, readUnits: round1(capacity.readUnits), writeUnits: round1(capacity.writeUnits) },
    summaryChunksWritten,
    phases: roundAll(phases),
  };
};

// ------------------------------------------------------------------ pull floor

/** Fetches and parses the tenant's report (the same request a full sync makes) `repeat` times, alone. */
const runPull = async (task: Extract<ChildTask, { kind: 'pull' }>): Promise<PullChildResult> => {
  const base = createServiceDeps(task.config, { clients: createAwsClients(task.config) });
  const tenant = await base.tenants.get(task.tenantId);
  const secret = await base.secrets.get(task.tenantId);
  if (!tenant || !secret) throw new Error(`Pull floor: tenant '${task.tenantId}' or its secret is missing.`);
  const fields = [...BAMBOOHR_FIELD_NAMES, ...(tenant.exclusionFieldId ? [tenant.exclusionFieldId] : [])];
  const memory = startRssSampler();
  const runs: number[] = [];
  let employees = 0;
  for (let i = 0; i < task.repeat; i += 1) {
    const source = base.employeeSource({ tenantId: tenant.tenantId, subdomain: tenant.subdomain, ...credentialsOf(secret) });
    const started = performance.now();
    const report = await source.fetchReport({ fields });
    runs.push(round1(performance.now() - started));
    employees = report.employees.length;
  }
  const figures = memory.stop();
  const sorted = [...runs].sort((a, b) => a - b);
  return { kind: 'pull', wallMs: sorted[Math.floor((sorted.length - 1) / 2)]!, wallMsRuns: runs, employees, ...figures };
};

// ------------------------------------------------------------------ floor

/** BatchWriteItem, 25 items a call, `concurrency` calls in flight, unprocessed items sent again. Nothing else. */
const rawBatchWrite = async (
  documentClient: DynamoDBDocumentClient,
  tableName: string,
  items: readonly Record<string, unknown>[],
  concurrency: number,
  counter: { requests: number },
): Promise<void> => {
  const batches: Record<string, unknown>[][] = [];
  for (let i = 0; i < items.length; i += 25) batches.push(items.slice(i, i + 25));
  let next = 0;
  const lane = async () => {
    while (next < batches.length) {
      let remaining = batches[next++] as Record<string, unknown>[];
      while (remaining.length > 0) {
        counter.requests += 1;
        const output = await documentClient.send(
          new BatchWriteCommand({ RequestItems: { [tableName]: remaining.map((Item) => ({ PutRequest: { Item } })) } }),
        );
        remaining = (output.UnprocessedItems?.[tableName] ?? []).map((r) => (r.PutRequest?.Item ?? {}) as Record<string, unknown>);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, batches.length)) }, lane));
};

interface PlannedWrites {
  changes: ChangeDraft[];
  snapshotWrites: SnapshotEntry[];
}

/**
 * The floor: the same plan the sync will make (computed here, untimed, with the real pull, and kept
 * in `planFile` so that a second floor after the sync replays it), turned into the same items the
 * adapters write (same attributes, same JSON), written raw into the same tables under another
 * tenant id, in the same order (feed, then snapshot) and with the same concurrency.
 */
const runFloor = async (task: Extract<ChildTask, { kind: 'floor' }>): Promise<FloorChildResult> => {
  const clients = createAwsClients(task.config);
  let planned: PlannedWrites;
  if (task.replay) {
    planned = JSON.parse(await readFile(task.planFile, 'utf8')) as PlannedWrites;
  } else {
    const base = createServiceDeps(task.config, { clients });
    const tenant = await base.tenants.get(task.tenantId);
    const secret = await base.secrets.get(task.tenantId);
    if (!tenant || !secret) throw new Error(`Floor: tenant '${task.tenantId}' or its secret is missing.`);
    const source = base.employeeSource({ tenantId: tenant.tenantId, subdomain: tenant.subdomain, ...credentialsOf(secret) });
    const { plan } = await pullAndPlan({ tenant, job: task.job, approval: null, source, snapshots: base.snapshots, incrementalSince: null });
    planned = plan.outcome === 'apply' ? { changes: plan.changes, snapshotWrites: plan.snapshotWrites } : { changes: [], snapshotWrites: [] };
    await writeFile(task.planFile, JSON.stringify(planned));
  }

  // The items exactly as DynamoDbChangeFeed.write and DynamoDbSnapshotStore.put build them (the same
  // functions), for the same appends as applyPlan makes: each changed entry carries its change's seq.
  const tenantId = task.floorTenantId;
  const runId = runIdFor(task.job);
  const at = new Date().toISOString();
  const expiresAt = Math.floor(Date.now() / 1000) + task.config.retention.changeTtlDays * 86_400;
  const entries = new Map(planned.snapshotWrites.map((entry) => [entry.employee.id, entry]));
  const feedItems: Record<string, unknown>[] = [];
  planned.changes.forEach((change, i) => {
    const seq = i + 1;
    const snapshot = { ...entries.get(change.employeeId)!, seq };
    entries.set(change.employeeId, snapshot);
    const stored = feedItemsOf({ record: { ...change, tenantId, seq, runId, at }, snapshot }, expiresAt);
    feedItems.push(...stored.parts, stored.item);
  });
  const snapshotItems = [...entries.values()].flatMap((entry) => {
    const stored = snapshotItemsOf(tenantId, entry);
    return [...stored.parts, stored.item];
  });
  let dataBytes = 0;
  for (const item of [...feedItems, ...snapshotItems]) dataBytes += typeof item.body === 'string' ? item.body.length : 0;

  const counter = { requests: 0 };
  const memory = startRssSampler();
  const t0 = performance.now();
  await rawBatchWrite(clients.documentClient, task.config.tables.changes, feedItems, task.concurrency, counter);
  const t1 = performance.now();
  await rawBatchWrite(clients.documentClient, task.config.tables.employees, snapshotItems, task.concurrency, counter);
  const t2 = performance.now();
  return {
    kind: 'floor',
    floorMs: round1(t2 - t0),
    feedMs: round1(t1 - t0),
    snapshotMs: round1(t2 - t1),
    feedItems: feedItems.length,
    snapshotItems: snapshotItems.length,
    requests: counter.requests,
    dataBytes,
    ...memory.stop(),
  };
};

// ------------------------------------------------------------------ fan-out

/** An SQS client that accepts every entry and only counts the calls (when the emulator is not wanted). */
const countingSqsClient = (counter: { calls: number }): SQSClient =>
  ({
    send: async (command: SendMessageBatchCommand) => {
      counter.calls += 1;
      return { Successful: (command.input.Entries ?? []).map((e) => ({ Id: e.Id, MessageId: `m-${e.Id}`, MD5OfMessageBody: '' })), Failed: [] };
    },
  }) as unknown as SQSClient;

const runFanout = async (task: Extract<ChildTask, { kind: 'fanout' }>): Promise<FanoutChildResult> => {
  const clients = createAwsClients(task.config);
  const dynamoByCommand: Counts = {};
  const sqsByCommand: Counts = {};
  countCommands(clients.dynamodb, dynamoByCommand);
  countCommands(clients.sqs, sqsByCommand);
  const base = createServiceDeps(task.config, { clients });
  const counter = { calls: 0 };
  const queue =
    task.sqs === 'emulator' ? base.queue : new SqsJobQueue({ client: countingSqsClient(counter), queueUrl: task.config.queues.syncUrl ?? 'counting' });
  const deps = { tenants: base.tenants, queue, scheduleState: base.scheduleState, activity: base.activity, log: silentLog, settings: task.config.schedule };
  const periodStart = Date.parse(task.periodStart);
  await base.scheduleState.advance((await base.scheduleState.read())?.coveredUntil ?? null, periodStart, task.config.schedule.periodMs);
  const minutes = Math.round(task.config.schedule.periodMs / 60_000);

  const memory = startRssSampler();
  const started = performance.now();
  const jobs: number[] = [];
  const calls: number[] = [];
  const times: number[] = [];
  const total = { tenants: 0, sent: 0, batches: 0 };
  // The invocation whose window holds a period start also sweeps the table for tenants without a slot
  // (a Scan): counted apart, once a period.
  const sweepCalls: number[] = [];
  for (let minute = 1; minute <= minutes; minute += 1) {
    const before = sum(dynamoByCommand);
    const scansBefore = dynamoByCommand.Scan ?? 0;
    const t0 = performance.now();
    const result = await enqueueScheduledSyncs(deps, { scheduledAt: new Date(periodStart + minute * 60_000).toISOString() });
    times.push(performance.now() - t0);
    if ((dynamoByCommand.Scan ?? 0) > scansBefore) sweepCalls.push(sum(dynamoByCommand) - before);
    else calls.push(sum(dynamoByCommand) - before);
    jobs.push(result.tenants);
    total.tenants += result.tenants;
    total.sent += result.sent;
    total.batches += result.batches;
  }
  const wallMs = performance.now() - started;
  const mean = (values: number[]) => round1(values.reduce((a, b) => a + b, 0) / values.length);
  return {
    kind: 'fanout',
    wallMs: round1(wallMs),
    ...memory.stop(),
    invocations: minutes,
    ...total,
    sendMessageBatchCalls: task.sqs === 'emulator' ? (sqsByCommand.SendMessageBatch ?? 0) : counter.calls,
    dynamoByCommand,
    jobsPerMinute: { max: Math.max(...jobs), mean: mean(jobs), min: Math.min(...jobs) },
    evenPerMinute: round1(total.tenants / minutes),
    perInvocation: {
      maxDynamoCalls: Math.max(...calls),
      meanDynamoCalls: mean(calls),
      maxMs: round1(Math.max(...times)),
      meanMs: mean(times),
      sweepInvocations: sweepCalls.length,
      sweepDynamoCalls: sweepCalls.length > 0 ? Math.max(...sweepCalls) : 0,
    },
  };
};

// ------------------------------------------------------------------ pure diff

const EXCLUSION = { id: '4501', name: 'skip_elevo_sync' };

const runDiff = async (task: Extract<ChildTask, { kind: 'diff' }>): Promise<DiffChildResult> => {
  const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
  const n = task.employees;
  const employees = generateEmployees({
    count: n,
    seed: task.seed,
    inactive: Math.round(n * 0.02),
    excluded: Math.round(n * 0.005),
    withoutEmail: Math.round(n * 0.005),
    today: task.today,
  });
  const lookup = buildFieldLookup([...STANDARD_FIELDS, exclusionFieldDef(EXCLUSION, { checked: '1', unchecked: '0' })]);
  const fields = [...BAMBOOHR_FIELD_NAMES, EXCLUSION.id];
  const toRow = (e: SimEmployee): RawEmployeeRow => {
    const row: RawEmployeeRow = { id: e.id };
    for (const f of fields) row[f] = lookup.get(f)?.read(e) ?? '';
    return row;
  };
  const options = { subdomain: 'diff', exclusionKey: EXCLUSION.id };
  const common = { scope: { kind: 'full' } as const, unknownFields: new Set<never>(), safeguards: DEFAULT_SAFEGUARDS, approval: null };
  const first = planSync({ previous: new Map(), pulled: employees.map((e) => mapEmployee(toRow(e), options)), ...common });
  const previous = new Map(first.snapshotWrites.map((entry) => [entry.employee.id, entry]));
  const mix = planChangeMix(employees, task.changedPct, task.seed + 1);
  const pulled = applyChangeMix(employees, mix).map((e) => mapEmployee(toRow(e), options));

  gc();
  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  const rssBefore = process.memoryUsage.rss();
  const memory = startRssSampler();
  const started = performance.now();
  let plan = planSync({ previous, pulled, ...common });
  const wallMs = performance.now() - started;
  const heapAfter = process.memoryUsage().heapUsed;
  const rssAfter = process.memoryUsage.rss();
  const figures = memory.stop();
  gc();
  const retained = process.memoryUsage().heapUsed - heapBefore;
  const changes = plan.changes.length;
  const snapshotWrites = plan.snapshotWrites.length;

  const warm: number[] = [];
  for (let i = 0; i < 5; i += 1) {
    const t = performance.now();
    plan = planSync({ previous, pulled, ...common });
    warm.push(performance.now() - t);
  }
  warm.sort((a, b) => a - b);
  return {
    kind: 'diff',
    wallMs: round1(wallMs),
    warmMs: round1(warm[Math.floor(warm.length / 2)] ?? 0),
    changed: mix.changedEmployees,
    changes,
    snapshotWrites,
    heapDeltaMb: mb(heapAfter - heapBefore),
    rssDeltaMb: mb(rssAfter - rssBefore),
    retainedHeapMb: mb(retained),
    ...figures,
  };
};

// ------------------------------------------------------------------ main

const run = (task: ChildTask): Promise<ChildResult> => {
  switch (task.kind) {
    case 'sync':
      return runSync(task);
    case 'pull':
      return runPull(task);
    case 'floor':
      return runFloor(task);
    case 'fanout':
      return runFanout(task);
    case 'diff':
      return runDiff(task);
  }
};

const reply = (message: ChildMessage, code: number): void => {
  if (!process.send) {
    console.log(JSON.stringify(message));
    process.exit(code);
  }
  process.send(message, () => process.exit(code));
};

process.once('message', (task: ChildTask) => {
  run(task).then(
    (result) => reply({ ok: true, result }, 0),
    (error: unknown) => reply({ ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }, 1),
  );
});
