import { MemorySummaryChunkCache } from './adapters/memory-summary-chunk-cache.js';
import { createOAuthAppCredentials } from './adapters/oauth-app-credentials.js';
import { DynamoDbInviteStore } from './adapters/dynamodb-invite-store.js';
import { createOAuthClient } from './bamboohr/oauth-client.js';
import { createAwsClients, type AwsClients } from './adapters/aws-clients.js';
import { createBatchWriteStats, type BatchWriteStats } from './adapters/dynamodb-batch-writer.js';
import { DynamoDbActivityLog } from './adapters/dynamodb-activity-log.js';
import { DynamoDbChangeFeed } from './adapters/dynamodb-change-feed.js';
import { DynamoDbScheduleState } from './adapters/dynamodb-schedule-state.js';
import { ConsoleAlertSink, FileAlertSink, SnsAlertSink } from './adapters/sns-alert-sink.js';
import { DynamoDbMarkerStore } from './adapters/dynamodb-marker-store.js';
import { DynamoDbRunStore } from './adapters/dynamodb-run-store.js';
import { DynamoDbSnapshotStore } from './adapters/dynamodb-snapshot-store.js';
import { DynamoDbTenantStore } from './adapters/dynamodb-tenant-store.js';
import { FileSecretStore } from './adapters/file-secret-store.js';
import { SecretsManagerSecretStore } from './adapters/secrets-manager-secret-store.js';
import { SqsJobQueue } from './adapters/sqs-job-queue.js';
import { createBambooHrSourceFactory } from './bamboohr/bamboohr-client.js';
import type { Config } from './config.js';
import { ConfigError } from './errors.js';
import { silentLog, type Log } from './logging.js';
import { createActivityRecorder } from './use-cases/record-activity.js';
import type { AgedSecrets, AlertSink, Clock, Deployment, EmployeeSourceFactory, JobDeadLetters, JobQueue, JobRetries, SecretStore } from './ports.js';

export const systemClock: Clock = { now: () => new Date() };

/**
 * The composition root: every adapter the use cases need, built once (at a Lambda's module scope,
 * or once per local process). Handlers pick what their use case takes.
 */
export const createServiceDeps = (
  config: Config,
  options: { clients?: AwsClients; stats?: BatchWriteStats; clock?: Clock; employeeSource?: EmployeeSourceFactory; log?: Log } = {},
) => {
  const clients = options.clients ?? createAwsClients(config);
  const clock = options.clock ?? systemClock;
  const stats = options.stats ?? createBatchWriteStats();
  const now = () => clock.now();
  const localSecrets = config.secrets.localFile ? new FileSecretStore({ path: config.secrets.localFile }) : null;
  const secrets: SecretStore = localSecrets
    ? localSecrets
    : new SecretsManagerSecretStore({ client: clients.secretsManager, prefix: config.secrets.prefix, cacheSeconds: config.secrets.cacheSeconds });
  // Credentials given on a connect link whose access is not complete yet: one secret per link, apart from the tenants'.
  const connecting: SecretStore & AgedSecrets = config.secrets.localFile
    ? new FileSecretStore({ path: config.secrets.localFile.replace(/(\.json)?$/, '.connecting.json') })
    : new SecretsManagerSecretStore({ client: clients.secretsManager, prefix: config.secrets.connectPrefix, cacheSeconds: 0, kind: 'connecting' });
  const queueUrl = config.queues.syncUrl;
  const sqsQueue = queueUrl
    ? new SqsJobQueue({ client: clients.sqs, queueUrl, dlqUrl: config.queues.dlqUrl, retryDelayCapSeconds: config.jobs.retryDelayCapSeconds })
    : null;
  const retries: JobRetries = sqsQueue ?? { retryLater: async () => undefined };
  const jobDeadLetters: JobDeadLetters = sqsQueue ?? {
    deadLetter: async () => {
      throw new ConfigError('SYNC_QUEUE_URL and SYNC_DLQ_URL are not set, so no job can be moved to the dead-letter queue. Set them (serverless.yml does on deploy).');
    },
  };
  const queue: JobQueue = sqsQueue
    ? sqsQueue
    : {
        enqueue: async () => {
          throw new ConfigError('SYNC_QUEUE_URL is not set, so no job can be queued. Set it (serverless.yml does on deploy).');
        },
      };
  const activityLog = new DynamoDbActivityLog({ client: clients.documentClient, tableName: config.tables.activity, ttlDays: config.retention.activityTtlDays });
  const alerts: AlertSink = config.alerts.topicArn
    ? new SnsAlertSink(clients.sns, config.alerts.topicArn)
    : config.alerts.localFile
      ? new FileAlertSink(config.alerts.localFile)
      : new ConsoleAlertSink();
  const deployment: Deployment = {
    publicBaseUrl: async () => {
      if (!config.publicBaseUrl) throw new ConfigError('PUBLIC_BASE_URL is not set, so this deployment does not know its own public address. Set it (serverless.yml does on deploy).');
      return config.publicBaseUrl;
    },
  };
  const oauthApp = createOAuthAppCredentials(config, clients.secretsManager, localSecrets ?? undefined);
  return {
    clients,
    clock,
    deployment,
    oauthApp,
    oauth: createOAuthClient({ companyUrl: config.bamboohr.companyUrl, credentials: oauthApp, timeoutMs: config.bamboohr.timeoutMs }),
    companyUrl: config.bamboohr.companyUrl,
    oauthScopes: config.oauth.scopes,
    inviteTtlHours: config.invites.ttlHours,
    stats,
    tenants: new DynamoDbTenantStore({ client: clients.documentClient, tableName: config.tables.tenants }),
    snapshots: new DynamoDbSnapshotStore({ client: clients.documentClient, tableName: config.tables.employees, stats }),
    summaryCache: config.summaryCache.maxStubs > 0 ? new MemorySummaryChunkCache(config.summaryCache.maxStubs) : undefined,
    feed: new DynamoDbChangeFeed({ client: clients.documentClient, tableName: config.tables.changes, ttlDays: config.retention.changeTtlDays, now, stats }),
    runs: new DynamoDbRunStore({ client: clients.documentClient, tableName: config.tables.runs, ttlDays: config.retention.runTtlDays, now, stats }),
    markers: new DynamoDbMarkerStore({ client: clients.documentClient, tableName: config.tables.markers, now }),
    invites: new DynamoDbInviteStore({ client: clients.documentClient, tableName: config.tables.markers }),
    activityLog,
    alerts,
    activity: createActivityRecorder({ activityLog, alerts, clock, log: options.log ?? silentLog, stage: config.stage }),
    scheduleState: new DynamoDbScheduleState({ client: clients.documentClient, tableName: config.tables.markers }),
    stage: config.stage,
    secrets,
    connecting,
    queue,
    retries,
    jobDeadLetters,
    employeeSource: options.employeeSource ?? createBambooHrSourceFactory(config.bamboohr),
  };
};
export type ServiceDeps = ReturnType<typeof createServiceDeps>;
