import { DEFAULT_SUMMARY_CACHE_STUBS } from './adapters/memory-summary-chunk-cache.js';
import { BlockList, isIP } from 'node:net';
import { z } from 'zod';
import { ConfigError } from './errors.js';
import { parseRate } from './sync/schedule.js';

/** A bearer token, or unset; never empty (an empty token would match a request without one). */
const bearerToken = z.string().min(1, 'empty: an empty token would let any request in; set a token, or leave the variable unset').optional();

const int = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/** Address ranges by what they are; an IPv4-mapped IPv6 address (::ffff:a.b.c.d) is checked as its IPv4. */
const ranges = (subnets: ReadonlyArray<[string, number, 'ipv4' | 'ipv6']>): BlockList => {
  const list = new BlockList();
  for (const [address, prefix, type] of subnets) list.addSubnet(address, prefix, type);
  return list;
};
const LOOPBACK = ranges([['127.0.0.0', 8, 'ipv4'], ['::1', 128, 'ipv6']]);
const LINK_LOCAL = ranges([['169.254.0.0', 16, 'ipv4'], ['fe80::', 10, 'ipv6']]);
const UNSPECIFIED = ranges([['0.0.0.0', 32, 'ipv4'], ['::', 128, 'ipv6']]);

/** What kind of host a URL names: an IP address in one of the ranges, or a name. */
const hostKind = (hostname: string): 'loopback' | 'link-local' | 'unspecified' | 'other' => {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost') return 'loopback';
  const family = isIP(host);
  if (family === 0) return 'other';
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (LINK_LOCAL.check(host, type)) return 'link-local';
  if (UNSPECIFIED.check(host, type)) return 'unspecified';
  return LOOPBACK.check(host, type) ? 'loopback' : 'other';
};

/**
 * Where the service sends tenants' API keys: https only (plain http for a loopback address, where the
 * simulator runs), and never a link-local address (the cloud's metadata service) or an unspecified one.
 */
const safeBaseUrl = z.url().superRefine((value, ctx) => {
  if (!URL.canParse(value)) return; // z.url() has said so
  const url = new URL(value);
  const kind = hostKind(url.hostname);
  if (kind === 'link-local') ctx.addIssue({ code: 'custom', message: 'a link-local address (169.254.x.x, fe80::) is never BambooHR' });
  else if (kind === 'unspecified') ctx.addIssue({ code: 'custom', message: 'an unspecified address (0.0.0.0, ::) is never BambooHR' });
  else if (url.protocol !== 'https:' && !(url.protocol === 'http:' && kind === 'loopback')) {
    ctx.addIssue({ code: 'custom', message: 'must be an https URL (plain http only for a loopback address such as 127.0.0.1)' });
  }
});
const optionalUrl = z.url().optional();

/**
 * A company's BambooHR address, `{subdomain}` standing for the company: its OAuth endpoints
 * (authorize.php, token.php) and, for OAuth tenants, its API (`/api/v1`). Checked as a base URL
 * with a sample company in it.
 */
const companyUrlTemplate = z
  .string()
  .refine((value) => value.includes('{subdomain}'), 'must contain {subdomain} where the company goes (e.g. https://{subdomain}.bamboohr.com)')
  .superRefine((value, ctx) => {
    const sample = safeBaseUrl.safeParse(value.replace('{subdomain}', 'acme'));
    if (!sample.success) for (const issue of sample.error.issues) ctx.addIssue({ code: 'custom', message: issue.message });
  });

/** What the sync asks a company's admin to grant its OAuth app (names as in BambooHR's spec). */
export const OAUTH_SCOPES = ['openid', 'offline_access', 'employee', 'employee:job', 'employee:contact', 'employee:custom_fields', 'report', 'field', 'webhooks'] as const;

/** Every environment variable the service reads, with its default. The README's table mirrors it. */
const envSchema = z.object({
  STAGE: z.string().regex(/^[a-z0-9-]{1,20}$/).default('dev'),
  AWS_REGION: z.string().default('us-east-1'),
  BAMBOOHR_API_BASE: safeBaseUrl.default('https://api.bamboohr.com/api/gateway.php'),
  BAMBOOHR_COMPANY_URL: companyUrlTemplate.default('https://{subdomain}.bamboohr.com'),
  /** The Secrets Manager secret holding the OAuth app's `{clientId, clientSecret}` (deploy: serverless.yml sets it). */
  BAMBOOHR_OAUTH_CLIENT: z.string().optional(),
  /** Local stack only: the OAuth app's credentials (kept in the local secrets file; never printed). */
  BAMBOOHR_OAUTH_CLIENT_ID: z.string().optional(),
  BAMBOOHR_OAUTH_CLIENT_SECRET: z.string().optional(),
  /** How long a connect link stays good by default. */
  INVITE_TTL_HOURS: int(168),
  BAMBOOHR_TIMEOUT_MS: int(30_000),
  BAMBOOHR_RETRY_LIMIT: z.coerce.number().int().min(0).default(4),
  BAMBOOHR_RETRY_MAX_WAIT_MS: int(60_000),
  TENANTS_TABLE: z.string().optional(),
  EMPLOYEES_TABLE: z.string().optional(),
  CHANGES_TABLE: z.string().optional(),
  RUNS_TABLE: z.string().optional(),
  MARKERS_TABLE: z.string().optional(),
  ACTIVITY_TABLE: z.string().optional(),
  ACTIVITY_TTL_DAYS: int(180),
  /** The SNS topic alerts go to (serverless.yml's `bamboohr-sync-<stage>-alerts`); without it they are printed. */
  ALERTS_TOPIC_ARN: z.string().optional(),
  /** The sync period: every active tenant is synced once per period, in its own slot of it (lib/sync/schedule.ts). */
  SYNC_SCHEDULE: z
    .string()
    .default('rate(1 hour)')
    .refine((value) => parseRate(value) !== null, 'a rate expression such as rate(1 hour) or rate(15 minutes)'),
  /** A tenant whose last successful sync is older than this is `stale`: one alert. */
  STALE_AFTER_HOURS: z.coerce.number().positive().default(6),
  SYNC_QUEUE_URL: z.string().optional(),
  SYNC_DLQ_URL: z.string().optional(),
  SECRET_PREFIX: z.string().optional(),
  CONNECT_SECRET_PREFIX: z.string().optional(),
  SECRET_CACHE_SECONDS: int(300),
  /** Stubs of snapshot summaries a warm worker keeps decoded between runs (about 200 bytes each); 0 keeps none. */
  SUMMARY_CACHE_STUBS: z.coerce.number().int().min(0).default(DEFAULT_SUMMARY_CACHE_STUBS),
  CHANGE_TTL_DAYS: int(90),
  RUN_TTL_DAYS: int(180),
  WEBHOOK_TOLERANCE_SECONDS: int(300),
  WEBHOOK_MAX_BODY_BYTES: int(1_048_576),
  DYNAMODB_ENDPOINT: optionalUrl,
  SQS_ENDPOINT: optionalUrl,
  JOB_MAX_ATTEMPTS: int(5),
  SYNC_MAX_RECEIVE_COUNT: int(50),
  WORKER_RECORD_BUDGET_SECONDS: z.coerce.number().int().positive().optional(),
  /** Local stack only: a failed job comes back after at most this long (the demo should not wait an hour). */
  JOB_RETRY_DELAY_CAP_SECONDS: z.coerce.number().int().min(0).optional(),
  /** This deployment's public HTTP API base URL (serverless.yml sets it; the local stack too). */
  PUBLIC_BASE_URL: safeBaseUrl.optional(),
  /** Local stack only: alerts are appended to this file (npm start prints them) instead of an SNS topic. */
  LOCAL_ALERTS_FILE: z.string().optional(),
  /** Local stack only: secrets live in this 0600 file instead of Secrets Manager. */
  LOCAL_SECRETS_FILE: z.string().optional(),
  ADMIN_TOKEN: bearerToken,
  /** Local stack only: bearer token of the change-feed API (the product's), separate from the admin token. */
  FEED_TOKEN: bearerToken,
});

export interface Config {
  stage: string;
  region: string;
  bamboohr: { apiBase: string; companyUrl: string; timeoutMs: number; retryLimit: number; retryMaxWaitMs: number };
  oauth: { clientSecretName: string; localClient: { clientId: string; clientSecret: string } | undefined; scopes: readonly string[] };
  invites: { ttlHours: number };
  tables: { tenants: string; employees: string; changes: string; runs: string; markers: string; activity: string };
  queues: { syncUrl: string | undefined; dlqUrl: string | undefined };
  secrets: { prefix: string; /** Credentials given on connect links, not complete yet (one secret per link). */ connectPrefix: string; cacheSeconds: number; localFile: string | undefined };
  retention: { changeTtlDays: number; runTtlDays: number; activityTtlDays: number };
  /** Decoded summary chunks a warm worker keeps (lib/adapters/memory-summary-chunk-cache.ts). */
  summaryCache: { maxStubs: number };
  alerts: { topicArn: string | undefined; localFile: string | undefined };
  schedule: { periodMs: number; staleAfterMs: number };
  webhook: { toleranceSeconds: number; maxBodyBytes: number };
  endpoints: { dynamodb: string | undefined; sqs: string | undefined };
  adminToken: string | undefined;
  feedToken: string | undefined;
  publicBaseUrl: string | undefined;
  jobs: { maxAttempts: number; maxReceiveCount: number; recordBudgetMs: number; retryDelayCapSeconds: number | undefined };
}

export type RequiredSetting = 'SYNC_QUEUE_URL' | 'SYNC_DLQ_URL' | 'ADMIN_TOKEN' | 'FEED_TOKEN';

/**
 * Reads and validates the configuration once. Fails fast, naming the variable that is missing
 * or wrong, so that a misconfigured Lambda dies at cold start rather than mid-sync.
 */
export const loadConfig = (env: Record<string, string | undefined>, required: readonly RequiredSetting[] = []): Config => {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`Invalid configuration: ${problems}. Fix these environment variables.`);
  }
  const e = parsed.data;
  for (const name of required) {
    if (!e[name]) throw new ConfigError(`Missing environment variable ${name}. Set it (serverless.yml sets it on deploy).`);
  }
  const prefix = `bamboohr-sync-${e.STAGE}`;
  const secretPrefix = e.SECRET_PREFIX ?? `bamboohr-sync/${e.STAGE}/tenants/`;
  const connectPrefix = e.CONNECT_SECRET_PREFIX ?? `bamboohr-sync/${e.STAGE}/connect/`;
  // The scheduler deletes old secrets under the connect prefix: it must never reach a tenant's.
  if (secretPrefix.startsWith(connectPrefix) || connectPrefix.startsWith(secretPrefix)) {
    throw new ConfigError(`CONNECT_SECRET_PREFIX ('${connectPrefix}') and SECRET_PREFIX ('${secretPrefix}') overlap: give the connect links' credentials a prefix of their own (default bamboohr-sync/<stage>/connect/).`);
  }
  return {
    stage: e.STAGE,
    region: e.AWS_REGION,
    bamboohr: {
      apiBase: e.BAMBOOHR_API_BASE.replace(/\/+$/, ''),
      companyUrl: e.BAMBOOHR_COMPANY_URL.replace(/\/+$/, ''),
      timeoutMs: e.BAMBOOHR_TIMEOUT_MS,
      retryLimit: e.BAMBOOHR_RETRY_LIMIT,
      retryMaxWaitMs: e.BAMBOOHR_RETRY_MAX_WAIT_MS,
    },
    oauth: {
      clientSecretName: e.BAMBOOHR_OAUTH_CLIENT ?? `bamboohr-sync/${e.STAGE}/oauth-client`,
      localClient: e.BAMBOOHR_OAUTH_CLIENT_ID && e.BAMBOOHR_OAUTH_CLIENT_SECRET ? { clientId: e.BAMBOOHR_OAUTH_CLIENT_ID, clientSecret: e.BAMBOOHR_OAUTH_CLIENT_SECRET } : undefined,
      scopes: OAUTH_SCOPES,
    },
    invites: { ttlHours: e.INVITE_TTL_HOURS },
    tables: {
      tenants: e.TENANTS_TABLE ?? `${prefix}-tenants`,
      employees: e.EMPLOYEES_TABLE ?? `${prefix}-employees`,
      changes: e.CHANGES_TABLE ?? `${prefix}-changes`,
      runs: e.RUNS_TABLE ?? `${prefix}-runs`,
      markers: e.MARKERS_TABLE ?? `${prefix}-markers`,
      activity: e.ACTIVITY_TABLE ?? `${prefix}-activity`,
    },
    queues: { syncUrl: e.SYNC_QUEUE_URL, dlqUrl: e.SYNC_DLQ_URL },
    secrets: {
      prefix: secretPrefix,
      connectPrefix,
      cacheSeconds: e.SECRET_CACHE_SECONDS,
      localFile: e.LOCAL_SECRETS_FILE,
    },
    retention: { changeTtlDays: e.CHANGE_TTL_DAYS, runTtlDays: e.RUN_TTL_DAYS, activityTtlDays: e.ACTIVITY_TTL_DAYS },
    summaryCache: { maxStubs: e.SUMMARY_CACHE_STUBS },
    alerts: { topicArn: e.ALERTS_TOPIC_ARN, localFile: e.LOCAL_ALERTS_FILE },
    schedule: { periodMs: parseRate(e.SYNC_SCHEDULE)!, staleAfterMs: e.STALE_AFTER_HOURS * 3_600_000 },
    webhook: { toleranceSeconds: e.WEBHOOK_TOLERANCE_SECONDS, maxBodyBytes: e.WEBHOOK_MAX_BODY_BYTES },
    endpoints: { dynamodb: e.DYNAMODB_ENDPOINT, sqs: e.SQS_ENDPOINT },
    adminToken: e.ADMIN_TOKEN,
    feedToken: e.FEED_TOKEN,
    publicBaseUrl: e.PUBLIC_BASE_URL?.replace(/\/+$/, ''),
    jobs: {
      maxAttempts: e.JOB_MAX_ATTEMPTS,
      maxReceiveCount: e.SYNC_MAX_RECEIVE_COUNT,
      // One job at worst: every BambooHR attempt timing out, every wait in between at its longest, and a minute to write.
      recordBudgetMs:
        (e.WORKER_RECORD_BUDGET_SECONDS ?? 0) * 1000 ||
        e.BAMBOOHR_TIMEOUT_MS * (e.BAMBOOHR_RETRY_LIMIT + 1) + e.BAMBOOHR_RETRY_MAX_WAIT_MS * e.BAMBOOHR_RETRY_LIMIT + 60_000,
      retryDelayCapSeconds: e.JOB_RETRY_DELAY_CAP_SECONDS,
    },
  };
};
