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
  type MemoryFigures,
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
  const stats = createBatchWriteStats();
  const employeeSource = task.naive ? createNaiveSourceFactory(task.config.bamboohr, task.naive.concurrency) : undefined;
  const base = createServiceDeps(task.config, { clients, stats, ...(employeeSource ? { employeeSource } : {}) });
  const phases: Counts = {};
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
  };

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
    phases: roundAll(phases),
  };
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
    const source = base.employeeSource({ tenantId: tenant.tenantId, subdomain: tenant.subdomain, apiKey: secret.apiKey });
    const { plan } = await pullAndPlan({ tenant, job: task.job, approval: null, source, snapshots: base.snapshots, incrementalSince: null });
    planned = plan.outcome === 'apply' ? { changes: plan.changes, snapshotWrites: plan.snapshotWrites } : { changes: [], snapshotWrites: [] };
    await writeFile(task.planFile, JSON.stringify(planned));
  }

  // The items exactly as DynamoDbChangeFeed.write and DynamoDbSnapshotStore.put build them.
  const tenantId = task.floorTenantId;
  const runId = runIdFor(task.job);
  const at = new Date().toISOString();
  const expiresAt = Math.floor(Date.now() / 1000) + task.config.retention.changeTtlDays * 86_400;
  let dataBytes = 0;
  const feedItems = planned.changes.map((change, i) => {
    const seq = i + 1;
    const data = JSON.stringify({ ...change, tenantId, seq, runId, at });
    dataBytes += data.length;
    return { tenantId, seq, runId, type: change.type, employeeId: change.employeeId, at, expiresAt, data };
  });
  const byEmployee = new Map<string, SnapshotEntry>();
  for (const entry of planned.snapshotWrites) byEmployee.set(entry.employee.id, entry);
  const snapshotItems = [...byEmployee].map(([employeeId, entry]) => {
    const data = JSON.stringify(entry);
    dataBytes += data.length;
    return { tenantId, employeeId, data };
  });

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
  for (let minute = 1; minute <= minutes; minute += 1) {
    const before = sum(dynamoByCommand);
    const t0 = performance.now();
    const result = await enqueueScheduledSyncs(deps, { scheduledAt: new Date(periodStart + minute * 60_000).toISOString() });
    times.push(performance.now() - t0);
    calls.push(sum(dynamoByCommand) - before);
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
    perInvocation: { maxDynamoCalls: Math.max(...calls), meanDynamoCalls: mean(calls), maxMs: round1(Math.max(...times)), meanMs: mean(times) },
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
