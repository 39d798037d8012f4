/** `npm start` options: flags win over environment variables, which win over the defaults. */
import { isAbsolute, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot } from '../../lib/local-stack-info.js';
import type { PortRequest } from '../local-emulators.js';

export interface StackOptions {
  gateway: PortRequest;
  dynamodb: PortRequest;
  sqs: PortRequest;
  simulator: PortRequest;
  /** Keep DynamoDB's data under `<stateDir>/dynamodb` (else in memory). */
  persist: boolean;
  /** stack.json, secrets.json and (with persist) dynamodb/ live here. Default `<repo>/.local`. */
  stateDir: string;
  /** The sync period in seconds (whole minutes, at least 1): each active tenant once per period, in its own slot. */
  scheduleSeconds: number;
  /** The demo's interval between BambooHR edits (simulator only). */
  demoChangeSeconds: number;
  /** Real BambooHR (no simulator, no demo) when set. */
  bamboohrApiBase: string | undefined;
  /** Powertools' log level for the handlers. */
  logLevel: string;
  /** The admin token; random per start unless ADMIN_TOKEN is set. */
  adminToken: string | undefined;
  /** The change-feed API's token; random per start unless FEED_TOKEN is set. */
  feedToken: string | undefined;
  /** Seconds before a failed job is delivered again. */
  retrySeconds: number;
  region: string;
}

export const DEFAULT_PORTS = { gateway: 3000, dynamodb: 8000, sqs: 9324, simulator: 3001 } as const;

export const HELP = `Runs bamboohr-sync on this machine: DynamoDB Local, a local SQS, the HTTP API gateway over
the real Lambda handlers, the scheduler and the worker, and (unless BAMBOOHR_API_BASE is set) a
simulated BambooHR with a demo company registered as tenant "demo". Ctrl-C stops everything.

Usage: npm start [-- options]

Options (environment variable in brackets):
  --port <n>                  HTTP gateway port [PORT] (default ${DEFAULT_PORTS.gateway})
  --dynamodb-port <n>         DynamoDB Local port [DYNAMODB_PORT] (default ${DEFAULT_PORTS.dynamodb})
  --sqs-port <n>              SQS port [SQS_PORT] (default ${DEFAULT_PORTS.sqs})
  --simulator-port <n>        BambooHR simulator port [SIMULATOR_PORT] (default ${DEFAULT_PORTS.simulator})
                              A default port that is taken is replaced by a random one; 0 means random.
  --persist                   keep DynamoDB's data under <state-dir>/dynamodb [LOCAL_PERSIST=1]
  --state-dir <dir>           where stack.json, secrets.json and data go [LOCAL_STACK_DIR] (default .local;
                              elsewhere, point the CLI at it: BAMBOOHR_SYNC_STACK_FILE=<dir>/stack.json)
  --schedule-seconds <n>      the sync period, in whole minutes [SCHEDULE_SECONDS] (default 60): each
                              active tenant is synced once per period, in its own slot of it
  --demo-change-seconds <n>   demo BambooHR edits interval [DEMO_CHANGE_SECONDS] (default 30)
  --retry-seconds <n>         delay before a failed job is retried [RETRY_SECONDS] (default 5)
  --log-level <level>         handlers' log level [LOG_LEVEL] (default ERROR)
  -h, --help                  this help

Also read: BAMBOOHR_API_BASE (real BambooHR, e.g. https://api.bamboohr.com/api/gateway.php: no
simulator and no demo), ADMIN_TOKEN (default: random per start), AWS_REGION (default us-east-1).`;

export class UsageError extends Error {
  override name = 'UsageError';
}

const port = (value: string | undefined, fallback: number, what: string): PortRequest => {
  if (value === undefined || value.trim() === '') return { port: fallback, strict: false };
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`${what} must be a port number (0 for a random one), not '${value}'.`);
  return { port: n, strict: true };
};

const seconds = (value: string | undefined, fallback: number, what: string): number => {
  if (value === undefined || value.trim() === '') return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${what} must be a positive number of seconds, not '${value}'.`);
  return n;
};

const truthy = (value: string | undefined): boolean => value !== undefined && /^(1|true|yes|on)$/i.test(value.trim());

export const parseOptions = (argv: readonly string[], env: Record<string, string | undefined>, cwd = process.cwd()): StackOptions | 'help' => {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        port: { type: 'string' },
        'dynamodb-port': { type: 'string' },
        'sqs-port': { type: 'string' },
        'simulator-port': { type: 'string' },
        persist: { type: 'boolean' },
        'state-dir': { type: 'string' },
        'schedule-seconds': { type: 'string' },
        'demo-change-seconds': { type: 'string' },
        'retry-seconds': { type: 'string' },
        'log-level': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: false,
      strict: true,
    });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\nRun \`npm start -- --help\` for the options.`);
  }
  const v = parsed.values;
  if (v.help) return 'help';
  const stateDirInput = v['state-dir'] ?? env.LOCAL_STACK_DIR;
  const stateDir = stateDirInput ? (isAbsolute(stateDirInput) ? stateDirInput : resolve(cwd, stateDirInput)) : join(repoRoot(), '.local');
  const apiBase = env.BAMBOOHR_API_BASE?.trim() || undefined;
  if (apiBase !== undefined && !/^https?:\/\/\S+$/.test(apiBase)) throw new UsageError(`BAMBOOHR_API_BASE must be a URL, e.g. https://api.bamboohr.com/api/gateway.php, not '${apiBase}'.`);
  const logLevel = (v['log-level'] ?? env.LOG_LEVEL ?? 'ERROR').toUpperCase();
  if (!['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'CRITICAL', 'SILENT'].includes(logLevel)) {
    throw new UsageError(`The log level must be one of DEBUG, INFO, WARN, ERROR, CRITICAL or SILENT, not '${logLevel}'.`);
  }
  return {
    gateway: port(v.port ?? env.PORT, DEFAULT_PORTS.gateway, 'PORT (--port)'),
    dynamodb: port(v['dynamodb-port'] ?? env.DYNAMODB_PORT, DEFAULT_PORTS.dynamodb, 'DYNAMODB_PORT (--dynamodb-port)'),
    sqs: port(v['sqs-port'] ?? env.SQS_PORT, DEFAULT_PORTS.sqs, 'SQS_PORT (--sqs-port)'),
    simulator: port(v['simulator-port'] ?? env.SIMULATOR_PORT, DEFAULT_PORTS.simulator, 'SIMULATOR_PORT (--simulator-port)'),
    persist: v.persist ?? truthy(env.LOCAL_PERSIST),
    stateDir,
    scheduleSeconds: seconds(v['schedule-seconds'] ?? env.SCHEDULE_SECONDS, 60, 'SCHEDULE_SECONDS (--schedule-seconds)'),
    demoChangeSeconds: seconds(v['demo-change-seconds'] ?? env.DEMO_CHANGE_SECONDS, 30, 'DEMO_CHANGE_SECONDS (--demo-change-seconds)'),
    retrySeconds: seconds(v['retry-seconds'] ?? env.RETRY_SECONDS, 5, 'RETRY_SECONDS (--retry-seconds)'),
    bamboohrApiBase: apiBase,
    logLevel,
    adminToken: env.ADMIN_TOKEN?.trim() || undefined,
    feedToken: env.FEED_TOKEN?.trim() || undefined,
    region: env.AWS_REGION?.trim() || 'us-east-1',
  };
};
