/**
 * The local stack: emulators, tables and queues from serverless.yml, the real handlers behind a
 * local API gateway, the scheduler and the worker on SQS, and (without BAMBOOHR_API_BASE) the
 * BambooHR simulator with the demo tenant. See main.ts for the process around it.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse } from 'aws-lambda';
import { createQueues, createTables, queueDefinitions } from '../aws-resources.js';
import { createBambooHrSimulator, type BambooHrSimulator } from '../bamboohr-simulator/simulator.js';
import { LOCAL_CREDENTIALS, LOCAL_HOST, listenOn, startDynamoDbLocal, startLocalSqs, type DynamoDbLocal, type LocalSqs } from '../local-emulators.js';
import { createServiceDeps, type ServiceDeps } from '../../lib/composition.js';
import { loadConfig } from '../../lib/config.js';
import { errorMessage } from '../../lib/errors.js';
import { localStackInfoPath, repoRoot, type LocalStackInfo } from '../../lib/local-stack-info.js';
import { parseSyncJob, PoisonMessageError } from '../../lib/use-cases/process-sync-job.js';
import { registerTenant } from '../../lib/use-cases/register-tenant.js';
import { runIdFor } from '../../lib/use-cases/sync-tenant.js';
import { startAlertPrinter, type AlertPrinter } from './alert-printer.js';
import { addDemoCompany, DEMO, startDemoLoop, type DemoLoop } from './demo.js';
import { functionDefinitions, importHandler, lambdaContext, type FunctionDefinition, type HttpRoute, type LambdaHandler } from './functions.js';
import { createGateway, type Gateway } from './gateway.js';
import { formatBanner, formatJobLine, formatNotice, formatRunLine, red, yellow } from './output.js';
import type { StackOptions } from './options.js';
import { forwardPort, type PortForward } from './port-forward.js';
import { prepareStateDir, removeStackFile, runningStack, writeStackFile } from './stack-file.js';
import { SIMULATOR_OAUTH_APP } from '../bamboohr-simulator/oauth.js';
import { FileSecretStore } from '../../lib/adapters/file-secret-store.js';
import { generateEmployees } from '../bamboohr-simulator/demo-data.js';
import { createInvite } from '../../lib/use-cases/connect-tenant.js';
import { startWorkerLoop, type MessageOutcome, type WorkerLoop } from './worker-loop.js';

/** The second simulated company: not a tenant yet, connected by clicking its invite link. */
const CONNECT_DEMO = { subdomain: 'globex', employees: 40, seed: 42 } as const;

export const STAGE = 'local';

/** The local scheduler's tick (AWS: every minute); the period is --schedule-seconds, in whole minutes. */
const SCHEDULER_TICK_SECONDS = 10;
const periodMinutes = (scheduleSeconds: number): number => Math.max(1, Math.round(scheduleSeconds / 60));

export interface Io {
  print(line: string): void;
  error(line: string): void;
}

export interface RunningStack {
  info: LocalStackInfo;
  stackFile: string;
  /** Resolves with an error when a part of the stack died on its own (DynamoDB Local). */
  failure: Promise<Error>;
  /** Stops everything; safe to call twice. */
  stop(): Promise<void>;
  /** Synchronous last resort (exit handler): kill Java, remove stack.json. */
  emergencyStop(): void;
}

export class StackAlreadyRunningError extends Error {
  override name = 'StackAlreadyRunningError';
}

const timeLimit = <T>(promise: Promise<T>, ms: number): Promise<T | undefined> =>
  Promise.race([promise, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), ms).unref())]);

/** Environment variables that would point the SDK at a real AWS account: the local stack never uses one. */
const REAL_AWS_SETTINGS = [
  'AWS_PROFILE',
  'AWS_SESSION_TOKEN',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_ROLE_ARN',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
];

const shortPath = (path: string): string => {
  const fromRepo = relative(repoRoot(), path);
  return fromRepo && !fromRepo.startsWith('..') ? fromRepo : path;
};

export const startLocalStack = async (options: StackOptions, io: Io): Promise<RunningStack> => {
  const stackFile = join(options.stateDir, 'stack.json');
  const secretsFile = join(options.stateDir, 'secrets.json');
  const alertsFile = join(options.stateDir, 'alerts.jsonl');
  const dbPath = options.persist ? join(options.stateDir, 'dynamodb') : null;
  const already = runningStack(stackFile);
  if (already) {
    throw new StackAlreadyRunningError(
      `A local stack is already running (pid ${already.pid}, gateway ${already.gatewayUrl}). Stop it first (Ctrl-C in its terminal), or start another one with --state-dir <dir> and other ports.`,
    );
  }
  prepareStateDir(options.stateDir);

  // Everything started so far, for the stop (also after a failed start).
  let dynamodb: DynamoDbLocal | undefined;
  let sqs: LocalSqs | undefined;
  let simulator: BambooHrSimulator | undefined;
  let simulatorPort: PortForward | undefined;
  let gateway: Gateway | undefined;
  let deps: ServiceDeps | undefined;
  let workerLoop: WorkerLoop | undefined;
  let demoLoop: DemoLoop | undefined;
  let alertPrinter: AlertPrinter | undefined;
  let schedulerTimer: NodeJS.Timeout | undefined;
  let schedulerRun: Promise<void> = Promise.resolve();
  const clients: Array<{ destroy(): void }> = [];
  let stopping: Promise<void> | undefined;
  let reportFailure: (error: Error) => void = () => undefined;
  const failure = new Promise<Error>((resolve) => (reportFailure = resolve));

  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      clearTimeout(schedulerTimer);
      await Promise.all([workerLoop?.stop(15_000), demoLoop?.stop(), timeLimit(schedulerRun, 10_000)]);
      alertPrinter?.stop();
      await gateway?.close(2_000);
      await simulator?.stop();
      await simulatorPort?.close();
      if (deps && dbPath === null && dynamodb) {
        // In memory, the tenants go with DynamoDB: so do their keys.
        await timeLimit(forgetSecretsOfTenants(deps, secretsFile), 5_000).catch(() => undefined);
      }
      for (const client of clients) client.destroy();
      deps?.clients.dynamodb.destroy();
      deps?.clients.sqs.destroy();
      deps?.clients.secretsManager.destroy();
      deps?.clients.sns.destroy();
      await sqs?.stop();
      await dynamodb?.stop();
      removeStackFile(stackFile);
    })());

  const emergencyStop = () => {
    dynamodb?.killNow();
    removeStackFile(stackFile);
  };

  try {
    // ---------------------------------------------------------------- emulators, simulator, gateway port
    const handlers = new Map<string, LambdaHandler>();
    const definitions = functionDefinitions();
    const routes = definitions.flatMap((d) => d.httpRoutes);
    const byName = new Map(definitions.map((d) => [d.name, d]));
    gateway = createGateway({
      routes,
      invoke: async (route: HttpRoute, event) => {
        const handler = handlers.get(route.functionName);
        const definition = byName.get(route.functionName) as FunctionDefinition;
        if (!handler) throw new Error(`The ${route.functionName} function is not loaded yet.`);
        return handler(event, lambdaContext(definition, STAGE, options.region));
      },
      onError: (route, error) => io.error(formatNotice('gateway', red(`${route.routeKey} failed: ${errorMessage(error)}`))),
    });
    const notes: string[] = [];
    const [dynamodbStarted, sqsStarted, gatewayListening, simulatorStarted] = await Promise.allSettled([
      startDynamoDbLocal({ ...options.dynamodb, dbPath }),
      startLocalSqs({ ...options.sqs, region: options.region }),
      listenOn(gateway.server, options.gateway, 'The gateway'),
      options.bamboohrApiBase
        ? Promise.resolve(null)
        : (async () => {
            simulator = createBambooHrSimulator({ logRequests: false });
            const started = await simulator.start();
            simulatorPort = await forwardPort(options.simulator, started.port, 'The BambooHR simulator');
            return simulatorPort;
          })(),
    ]);
    if (dynamodbStarted.status === 'fulfilled') dynamodb = dynamodbStarted.value;
    if (sqsStarted.status === 'fulfilled') sqs = sqsStarted.value;
    for (const result of [dynamodbStarted, sqsStarted, gatewayListening, simulatorStarted]) if (result.status === 'rejected') throw result.reason;
    if (!dynamodb || !sqs || gatewayListening.status !== 'fulfilled') throw new Error('unreachable');
    const gatewayPort = gatewayListening.value.port;
    const gatewayUrl = `http://${LOCAL_HOST}:${gatewayPort}`;
    const fellBack = (what: string, requested: number, actual: number) => notes.push(`${what} port ${requested} was taken: using ${actual}.`);
    if (gatewayListening.value.fellBack) fellBack('The gateway', options.gateway.port, gatewayPort);
    if (dynamodb.fellBack) fellBack('The DynamoDB', options.dynamodb.port, dynamodb.port);
    if (sqs.fellBack) fellBack('The SQS', options.sqs.port, sqs.port);
    if (simulatorPort?.fellBack) fellBack('The simulator', options.simulator.port, simulatorPort.port);
    const java = dynamodb;
    void java.exited.then(({ code, signal }) => {
      if (!stopping) reportFailure(new Error(`DynamoDB Local (Java, pid ${java.pid}) stopped on its own (${signal ?? `exit code ${code}`}).`));
    });

    // ---------------------------------------------------------------- tables and queues from serverless.yml
    const region = options.region;
    const dynamodbClient = new DynamoDBClient({ endpoint: dynamodb.endpoint, region, credentials: LOCAL_CREDENTIALS });
    const sqsClient = new SQSClient({ endpoint: sqs.endpoint, region, credentials: LOCAL_CREDENTIALS });
    clients.push(dynamodbClient, sqsClient);
    const queues = await createQueues(sqsClient, STAGE);
    const tableConfig = loadConfig({ STAGE, AWS_REGION: region });
    await createTables(dynamodbClient, tableConfig);
    const jobsQueue = queueDefinitions(STAGE).find((q) => q.logicalId === 'JobsQueue');
    const dlq = queueDefinitions(STAGE).find((q) => q.logicalId === 'JobsDeadLetterQueue');
    const queueArn = (await sqsClient.send(new GetQueueAttributesCommand({ QueueUrl: queues.jobsQueueUrl, AttributeNames: ['QueueArn'] }))).Attributes?.QueueArn ?? '';

    // ---------------------------------------------------------------- the handlers' environment
    const adminToken = options.adminToken ?? randomBytes(24).toString('base64url');
    const feedToken = options.feedToken ?? randomBytes(24).toString('base64url');
    const apiBase = options.bamboohrApiBase ?? `http://${LOCAL_HOST}:${(simulatorPort as PortForward).port}/api/gateway.php`;
    for (const name of REAL_AWS_SETTINGS) delete process.env[name];
    if (!simulator) {
      // A real BambooHR (or a stand-in): the developer's OAuth app, given once in the environment, is
      // kept in the secrets file (0600) for this and later starts, and read from there, never printed.
      const clientId = process.env.BAMBOOHR_OAUTH_CLIENT_ID;
      const clientSecret = process.env.BAMBOOHR_OAUTH_CLIENT_SECRET;
      if (clientId && clientSecret) await new FileSecretStore({ path: secretsFile }).putOAuthClient({ clientId, clientSecret });
      delete process.env.BAMBOOHR_OAUTH_CLIENT_ID;
      delete process.env.BAMBOOHR_OAUTH_CLIENT_SECRET;
    }
    Object.assign(process.env, {
      STAGE,
      AWS_REGION: region,
      AWS_DEFAULT_REGION: region,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      TENANTS_TABLE: tableConfig.tables.tenants,
      EMPLOYEES_TABLE: tableConfig.tables.employees,
      CHANGES_TABLE: tableConfig.tables.changes,
      RUNS_TABLE: tableConfig.tables.runs,
      SYNC_QUEUE_URL: queues.jobsQueueUrl,
      SYNC_DLQ_URL: queues.dlqUrl,
      DYNAMODB_ENDPOINT: dynamodb.endpoint,
      SQS_ENDPOINT: sqs.endpoint,
      LOCAL_SECRETS_FILE: secretsFile,
      LOCAL_ALERTS_FILE: alertsFile,
      ADMIN_TOKEN: adminToken,
      FEED_TOKEN: feedToken,
      PUBLIC_BASE_URL: gatewayUrl,
      BAMBOOHR_API_BASE: apiBase,
      // The company URL (OAuth endpoints, and OAuth tenants' API) and the OAuth app: the simulator's
      // own; against a real BambooHR, whatever the developer set (their app's credentials, never printed).
      ...(simulator
        ? {
            BAMBOOHR_COMPANY_URL: `http://${LOCAL_HOST}:${(simulatorPort as PortForward).port}/companies/{subdomain}`,
            BAMBOOHR_OAUTH_CLIENT_ID: SIMULATOR_OAUTH_APP.clientId,
            BAMBOOHR_OAUTH_CLIENT_SECRET: SIMULATOR_OAUTH_APP.clientSecret,
          }
        : {}),
      JOB_RETRY_DELAY_CAP_SECONDS: String(options.retrySeconds),
      // The sync period (each tenant once per period, in its own slot); the scheduler ticks every few seconds.
      SYNC_SCHEDULE: `rate(${periodMinutes(options.scheduleSeconds)} minute${periodMinutes(options.scheduleSeconds) === 1 ? '' : 's'})`,
      POWERTOOLS_LOG_LEVEL: options.logLevel,
      POWERTOOLS_SERVICE_NAME: 'bamboohr-sync',
      POWERTOOLS_METRICS_NAMESPACE: 'BambooHrSync',
    });
    process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
    const config = loadConfig(process.env, ['SYNC_QUEUE_URL', 'SYNC_DLQ_URL', 'ADMIN_TOKEN']);
    deps = createServiceDeps(config);

    // ---------------------------------------------------------------- the demo tenant
    let demoCompany: ReturnType<typeof addDemoCompany> | undefined;
    const webhookPrivateKey = `demo-webhook-${randomBytes(16).toString('hex')}`;
    if (simulator) {
      const apiKey = `demo-${randomBytes(20).toString('hex')}`;
      demoCompany = addDemoCompany(simulator, apiKey);
      if (await deps.tenants.get(DEMO.tenantId)) {
        // Kept from an earlier start (--persist): the simulator has new keys.
        await deps.secrets.put(DEMO.tenantId, { apiKey, webhookPrivateKey });
        notes.push(`Tenant "${DEMO.tenantId}" was kept from an earlier start: its keys were renewed, its settings left as they were.`);
      } else {
        const registered = await registerTenant(
          deps,
          { tenantId: DEMO.tenantId, subdomain: DEMO.subdomain, apiKey, exclusionField: true, webhook: { privateKey: webhookPrivateKey } },
        );
        notes.push(...registered.warnings);
      }
    }

    // ---------------------------------------------------------------- a second company, not connected yet
    let connectLink: string | null = null;
    if (simulator) {
      simulator.addCompany({
        subdomain: CONNECT_DEMO.subdomain,
        keys: [{ apiKey: `globex-${randomBytes(20).toString('hex')}` }],
        employees: generateEmployees({ count: CONNECT_DEMO.employees, seed: CONNECT_DEMO.seed, firstId: 5000 }),
        exclusionField: { ...DEMO.exclusionField },
      });
      if (!(await deps.tenants.get(CONNECT_DEMO.subdomain))) {
        const invite = await createInvite({ ...deps }, CONNECT_DEMO.subdomain, { exclusionField: true, actor: 'local' });
        connectLink = invite.url;
      }
    }

    // ---------------------------------------------------------------- the real handlers
    for (const definition of definitions) handlers.set(definition.name, await importHandler(definition));
    const workerDefinition = definitions.find((d) => d.sqs);
    const schedulerDefinition = definitions.find((d) => d.schedule);
    if (!workerDefinition || !schedulerDefinition) throw new Error('serverless.yml must declare a function with an sqs event (the worker) and one with a schedule (the scheduler).');
    const worker = handlers.get(workerDefinition.name) as LambdaHandler;
    const scheduler = handlers.get(schedulerDefinition.name) as LambdaHandler;

    if (!simulator) {
      notes.push('DynamoDB Local listens on every network interface (it has no option for 127.0.0.1 only), without authentication: with a real company\'s data, use a trusted network.');
    }

    // ---------------------------------------------------------------- ready: stack.json and the banner
    const info: LocalStackInfo = {
      pid: process.pid,
      startedAt: new Date().toISOString(),
      stage: STAGE,
      region,
      dynamodbEndpoint: dynamodb.endpoint,
      sqsEndpoint: sqs.endpoint,
      secretsFile,
      queueUrl: queues.jobsQueueUrl,
      dlqUrl: queues.dlqUrl,
      gatewayUrl,
      adminToken,
      feedToken,
      bamboohrApiBase: apiBase,
      simulator: Boolean(simulator),
      ...(process.env.BAMBOOHR_COMPANY_URL ? { bamboohrCompanyUrl: process.env.BAMBOOHR_COMPANY_URL } : {}),
      // The simulator's built-in app (not a secret); a real app's credentials stay in the secrets file.
      ...(simulator ? { oauthClient: SIMULATOR_OAUTH_APP } : {}),
    };
    writeStackFile(stackFile, info);
    io.print(
      formatBanner({
        gatewayUrl,
        adminToken,
        feedToken,
        dynamodb: { endpoint: dynamodb.endpoint, persistedAt: dbPath ? shortPath(dbPath) : null, note: '' },
        sqs: { endpoint: sqs.endpoint, queue: jobsQueue?.name ?? '', dlq: dlq?.name ?? '', maxReceiveCount: jobsQueue?.redrive?.maxReceiveCount, note: '' },
        bamboohr: { apiBase, simulator: Boolean(simulator), employees: demoCompany?.employees().length, note: '' },
        stateFiles: { stack: shortPath(stackFile), secrets: shortPath(secretsFile) },
        cliPrefix: resolve(stackFile) === resolve(localStackInfoPath()) ? '' : `BAMBOOHR_SYNC_STACK_FILE=${stackFile} `,
        scheduleSeconds: periodMinutes(options.scheduleSeconds) * 60,
        schedulerTickSeconds: Math.min(SCHEDULER_TICK_SECONDS, options.scheduleSeconds),
        demoChangeSeconds: simulator ? options.demoChangeSeconds : null,
        connectLink,
        notes,
      }),
    );

    // ---------------------------------------------------------------- alerts, as they are published
    if (dbPath === null) rmSync(alertsFile, { force: true }); // in memory: the alerts of an earlier start are gone with its data
    alertPrinter = startAlertPrinter(alertsFile, (alert) => io.print(formatNotice('ALERT', red(`${alert.subject}: ${alert.message}`))));

    // ---------------------------------------------------------------- the worker, the scheduler, the demo
    const printed = new Set<string>();
    const runDeps = deps;
    const reportOutcome = async (outcome: MessageOutcome, afterFailureInGroup: boolean) => {
      const retry = outcome.failed ? (outcome.deadLettered ? red(' → dead-letter queue') : yellow(` → retry in ${options.retrySeconds} s`)) : '';
      const group = outcome.message.Attributes?.MessageGroupId ?? '?';
      let job;
      try {
        job = parseSyncJob(outcome.message.Body ?? '');
      } catch (error) {
        const detail = error instanceof PoisonMessageError ? error.detail : errorMessage(error);
        io.print(formatJobLine({ tenantId: group }, red(`not a sync job (${detail})`) + retry));
        return;
      }
      const run = await runDeps.runs.get(job.tenantId, runIdFor(job));
      if (run) {
        const key = `${run.runId}|${run.status}|${run.finishedAt ?? ''}`;
        if (printed.has(key) && !outcome.failed) return; // a redelivered job that found its finished run
        printed.add(key);
        io.print(formatRunLine(run, retry));
        return;
      }
      const tenant = await runDeps.tenants.get(job.tenantId);
      const text = afterFailureInGroup
        ? 'not run yet: an earlier job of this tenant failed (FIFO order)'
        : !tenant
          ? 'dropped: no such tenant'
          : tenant.status !== 'active'
            ? `skipped: the tenant is ${tenant.status}${tenant.statusReason ? ` (${tenant.statusReason})` : ''}`
            : outcome.failed
              ? red('failed before its run started')
              : 'no run recorded';
      io.print(formatJobLine(job, text + retry));
    };
    workerLoop = startWorkerLoop({
      sqs: deps.clients.sqs,
      queueUrl: queues.jobsQueueUrl,
      queueArn,
      region,
      batchSize: workerDefinition.sqs?.batchSize ?? 10,
      maxReceiveCount: jobsQueue?.redrive?.maxReceiveCount,
      retrySeconds: options.retrySeconds,
      invoke: async (event) => (await worker(event, lambdaContext(workerDefinition, STAGE, region))) as SQSBatchResponse | void,
      onBatch: async (outcomes) => {
        const failedGroups = new Set<string>();
        for (const outcome of outcomes) {
          const group = outcome.message.Attributes?.MessageGroupId ?? '';
          await reportOutcome(outcome, outcome.failed && group !== '' && failedGroups.has(group));
          if (outcome.failed && group) failedGroups.add(group);
        }
      },
      onError: (what, error) => {
        if (!stopping) io.error(formatNotice('worker', red(`${what}: ${errorMessage(error)}`)));
      },
    });

    const runScheduler = async () => {
      const time = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
      const event = {
        version: '0',
        id: randomUUID(),
        'detail-type': 'Scheduled Event',
        source: 'aws.events',
        account: '123456789012',
        time,
        region,
        resources: [`arn:aws:events:${region}:123456789012:rule/bamboohr-sync-${STAGE}-${schedulerDefinition.name}`],
        detail: {},
      };
      try {
        await scheduler(event, lambdaContext(schedulerDefinition, STAGE, region));
      } catch (error) {
        if (!stopping) io.error(formatNotice('scheduler', red(`failed: ${errorMessage(error)}`)));
      }
    };
    const tick = () => {
      if (stopping) return;
      schedulerRun = runScheduler();
      void schedulerRun.finally(() => {
        if (!stopping) schedulerTimer = setTimeout(tick, Math.min(SCHEDULER_TICK_SECONDS, options.scheduleSeconds) * 1000);
      });
    };
    tick();

    if (simulator && demoCompany) {
      demoLoop = startDemoLoop({
        company: demoCompany,
        webhookUrl: `${gatewayUrl}/webhooks/bamboohr/${DEMO.tenantId}`,
        webhookPrivateKey,
        intervalSeconds: options.demoChangeSeconds,
        print: (line) => io.print(formatNotice(DEMO.tenantId, line)),
        onError: (what, error) => io.error(formatNotice('demo', red(`${what}: ${errorMessage(error)}`))),
      });
    }

    return { info, stackFile, failure, stop, emergencyStop };
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
};

/** Removes the keys of the tenants in the (in-memory) tenants table from the secrets file, and the file once empty. */
const forgetSecretsOfTenants = async (deps: ServiceDeps, secretsFile: string): Promise<void> => {
  let cursor: string | undefined;
  do {
    const page = await deps.tenants.list(cursor, 100);
    for (const tenant of page.tenants) await deps.secrets.delete(tenant.tenantId);
    cursor = page.cursor;
  } while (cursor);
  if (existsSync(secretsFile) && readFileSync(secretsFile, 'utf8').trim() === '{}') rmSync(secretsFile, { force: true });
};
