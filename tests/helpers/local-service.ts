import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBambooHrSimulator, SIMULATOR_OAUTH_APP, type SimulatorOptions } from '../../dev/bamboohr-simulator/simulator.js';
import { createServiceDeps, type ServiceDeps } from '../../lib/composition.js';
import type { Config } from '../../lib/config.js';
import type { LocalStackInfo } from '../../lib/local-stack-info.js';
import { silentLog } from '../../lib/logging.js';
import type { Alert } from '../../lib/model/activity.js';
import { startEmulators, type Emulators } from './emulators.js';

export interface LocalService {
  emulators: Emulators;
  simulator: ReturnType<typeof createBambooHrSimulator>;
  apiBase: string;
  config: Config;
  /** The same adapters the handlers build, to arrange and assert. */
  deps: ServiceDeps & { log: typeof silentLog };
  /** The environment a deployed Lambda would get, pointing at the emulators and simulator. */
  env: Record<string, string>;
  /** The alerts published so far (by this process's deps and the handlers alike). */
  publishedAlerts(): Alert[];
  stop(): Promise<void>;
}

/**
 * Local AWS emulators, a BambooHR simulator and a secrets file, with `process.env` set as the
 * handlers expect: import a handler (await import(...)) only after this resolved.
 */
export const startLocalService = async (
  options: {
    simulator?: SimulatorOptions;
    /** The deployment's public address (the connect links, the OAuth callback); default http://127.0.0.1:9 (never contacted). */
    publicBaseUrl?: string;
  } = {},
): Promise<LocalService> => {
  const emulators = await startEmulators();
  const simulator = createBambooHrSimulator(options.simulator);
  const { apiBase, companyUrlTemplate } = await simulator.start();
  const dir = mkdtempSync(join(tmpdir(), 'bamboohr-sync-test-'));
  const c = emulators.config;
  const env: Record<string, string> = {
    STAGE: c.stage,
    TENANTS_TABLE: c.tables.tenants,
    EMPLOYEES_TABLE: c.tables.employees,
    CHANGES_TABLE: c.tables.changes,
    RUNS_TABLE: c.tables.runs,
    SYNC_QUEUE_URL: c.queues.syncUrl ?? '',
    SYNC_DLQ_URL: c.queues.dlqUrl ?? '',
    DYNAMODB_ENDPOINT: c.endpoints.dynamodb ?? '',
    SQS_ENDPOINT: c.endpoints.sqs ?? '',
    BAMBOOHR_API_BASE: apiBase,
    // OAuth tenants: the simulator's company URLs (consent, tokens, API) and its OAuth app.
    BAMBOOHR_COMPANY_URL: companyUrlTemplate,
    BAMBOOHR_OAUTH_CLIENT_ID: SIMULATOR_OAUTH_APP.clientId,
    BAMBOOHR_OAUTH_CLIENT_SECRET: SIMULATOR_OAUTH_APP.clientSecret,
    PUBLIC_BASE_URL: options.publicBaseUrl ?? 'http://127.0.0.1:9',
    BAMBOOHR_RETRY_LIMIT: '1',
    LOCAL_SECRETS_FILE: join(dir, 'secrets.json'),
    LOCAL_ALERTS_FILE: join(dir, 'alerts.jsonl'),
    POWERTOOLS_LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'CRITICAL',
    POWERTOOLS_METRICS_DISABLED: 'true',
  };
  Object.assign(process.env, env);
  const config: Config = {
    ...c,
    bamboohr: { ...c.bamboohr, apiBase, companyUrl: companyUrlTemplate, retryLimit: 1 },
    oauth: { ...c.oauth, localClient: { ...SIMULATOR_OAUTH_APP } },
    publicBaseUrl: env.PUBLIC_BASE_URL,
    secrets: { ...c.secrets, localFile: env.LOCAL_SECRETS_FILE },
    alerts: { ...c.alerts, localFile: env.LOCAL_ALERTS_FILE },
  };
  const deps = { ...createServiceDeps(config), log: silentLog };
  return {
    emulators,
    simulator,
    apiBase,
    config,
    deps,
    env,
    publishedAlerts: () =>
      existsSync(env.LOCAL_ALERTS_FILE!)
        ? readFileSync(env.LOCAL_ALERTS_FILE!, 'utf8')
            .split('\n')
            .filter((line) => line.trim() !== '')
            .map((line) => JSON.parse(line) as Alert)
        : [],
    stop: async () => {
      await simulator.stop();
      await emulators.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
};

/**
 * A stack file describing this in-process service (as `npm start` writes one), in `dir`, so that the
 * CLI run as a child process finds it (BAMBOOHR_SYNC_STACK_FILE). Its path.
 */
export const writeStackFile = (local: LocalService, dir: string): string => {
  const c = local.config;
  const info: LocalStackInfo = {
    pid: process.pid,
    startedAt: new Date().toISOString(),
    stage: c.stage,
    region: c.region,
    dynamodbEndpoint: c.endpoints.dynamodb!,
    sqsEndpoint: c.endpoints.sqs!,
    secretsFile: local.env.LOCAL_SECRETS_FILE!,
    queueUrl: c.queues.syncUrl!,
    dlqUrl: c.queues.dlqUrl!,
    gatewayUrl: 'http://127.0.0.1:9',
    adminToken: 'unused',
    bamboohrApiBase: local.apiBase,
    simulator: true,
  };
  const file = join(dir, 'stack.json');
  writeFileSync(file, JSON.stringify(info), { mode: 0o600 });
  return file;
};
