import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBambooHrSimulator } from '../../dev/bamboohr-simulator/simulator.js';
import { createServiceDeps, type ServiceDeps } from '../../lib/composition.js';
import type { Config } from '../../lib/config.js';
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
export const startLocalService = async (): Promise<LocalService> => {
  const emulators = await startEmulators();
  const simulator = createBambooHrSimulator();
  const { apiBase } = await simulator.start();
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
    BAMBOOHR_RETRY_LIMIT: '1',
    LOCAL_SECRETS_FILE: join(dir, 'secrets.json'),
    LOCAL_ALERTS_FILE: join(dir, 'alerts.jsonl'),
    POWERTOOLS_LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'CRITICAL',
    POWERTOOLS_METRICS_DISABLED: 'true',
  };
  Object.assign(process.env, env);
  const config: Config = {
    ...c,
    bamboohr: { ...c.bamboohr, apiBase, retryLimit: 1 },
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
