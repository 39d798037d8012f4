/**
 * Which service the CLI talks to. Without --stage: the local stack that `npm start` runs, found
 * through its `.local/stack.json` (or BAMBOOHR_SYNC_STACK_FILE). With --stage: that deployed stage in
 * AWS, with the caller's own credentials, its default table names and secrets, and its queues found
 * by name (only when a command needs them).
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetQueueUrlCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { createAwsClients, type AwsClients } from '../adapters/aws-clients.js';
import { SqsDeadLetterQueue } from '../adapters/sqs-dead-letter-queue.js';
import { SqsJobQueue } from '../adapters/sqs-job-queue.js';
import { createServiceDeps, type ServiceDeps } from '../composition.js';
import { loadConfig, type Config } from '../config.js';
import { ConfigError } from '../errors.js';
import { localStackEnv, localStackInfoPath, readLocalStackInfo } from '../local-stack-info.js';
import type { Log } from '../logging.js';
import type { DeadLetter, DeadLetterQueue, Deployment, JobQueue, RedriveResult } from '../ports.js';

export interface CliDeadLetters extends DeadLetterQueue {
  list(max: number): Promise<DeadLetter[]>;
  redrive(messageIds?: readonly string[]): Promise<RedriveResult>;
}

export type CliDeps = Omit<ServiceDeps, 'clients' | 'stats'> & { log: Log; deadLetters: CliDeadLetters };

export interface Target {
  label: string;
  /** Who acts through this target: `local`, or the caller's AWS identity. */
  actor(): Promise<string>;
  deps: CliDeps;
  close(): void;
}

export interface TargetOptions {
  stage?: string | undefined;
  region?: string | undefined;
  env: Record<string, string | undefined>;
  log: Log;
}

export const NO_LOCAL_STACK = 'No local stack is running. Start one with `npm start`, or pass --stage <stage> to use AWS.';

const destroy = (clients: AwsClients) => {
  clients.dynamodb.destroy();
  clients.sqs.destroy();
  clients.secretsManager.destroy();
  clients.sns.destroy();
};

export const queueNames = (stage: string) => ({
  jobs: `bamboohr-sync-${stage}-jobs.fifo`,
  deadLetters: `bamboohr-sync-${stage}-jobs-dlq.fifo`,
});

const queueUrl = async (sqs: SQSClient, name: string, config: Config): Promise<string> => {
  try {
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: name }));
    if (QueueUrl) return QueueUrl;
  } catch (error) {
    const errorName = (error as Error).name;
    if (errorName !== 'QueueDoesNotExist' && errorName !== 'AWS.SimpleQueueService.NonExistentQueue') throw error;
  }
  throw new ConfigError(`No queue '${name}' in ${config.region}: is stage '${config.stage}' deployed there? Check --stage and --region.`);
};

/** Queue adapters that find their queues on first use, so that reading tenants needs no SQS access. */
const lazyQueues = (sqs: SQSClient, config: Config): { queue: JobQueue; deadLetters: CliDeadLetters } => {
  let urls: Promise<{ jobs: string; deadLetters: string }> | undefined;
  const resolve = () => {
    const names = queueNames(config.stage);
    urls ??= Promise.all([queueUrl(sqs, names.jobs, config), queueUrl(sqs, names.deadLetters, config)]).then(([jobs, deadLetters]) => ({ jobs, deadLetters }));
    return urls;
  };
  const dlq = async () => {
    const { jobs, deadLetters } = await resolve();
    return new SqsDeadLetterQueue({ client: sqs, dlqUrl: deadLetters, queueUrl: jobs });
  };
  return {
    queue: { enqueue: async (jobs) => new SqsJobQueue({ client: sqs, queueUrl: (await resolve()).jobs }).enqueue(jobs) },
    deadLetters: {
      list: async (max) => (await dlq()).list(max),
      redrive: async (ids) => (await dlq()).redrive(ids),
      count: async () => (await dlq()).count(),
    },
  };
};

const withoutInternals = (deps: ServiceDeps): Omit<ServiceDeps, 'clients' | 'stats'> => {
  const { clients: _clients, stats: _stats, ...rest } = deps;
  return rest;
};

/** The local stack: everything from its stack file; the emulators need no AWS credentials. */
const openLocal = (options: TargetOptions): Target => {
  const path = options.env.BAMBOOHR_SYNC_STACK_FILE || localStackInfoPath();
  const info = readLocalStackInfo(path);
  if (!info) throw new ConfigError(NO_LOCAL_STACK);
  const config = loadConfig(localStackEnv(info));
  // Placeholder credentials even when the caller has an AWS profile (which may need a login).
  const clients = createAwsClients(config, {});
  const deps = createServiceDeps(config, { clients });
  return {
    label: `local stack (${info.simulator ? 'BambooHR simulator' : info.bamboohrApiBase})`,
    actor: async () => 'local',
    deps: {
      ...withoutInternals(deps),
      log: options.log,
      // One in-memory emulator: a short poll sees every message, no need to long-poll.
      deadLetters: new SqsDeadLetterQueue({ client: clients.sqs, dlqUrl: info.dlqUrl, queueUrl: info.queueUrl, waitSeconds: 0 }),
    },
    close: () => destroy(clients),
  };
};

/** The stage's public address, from its CloudFormation stack's PublicBaseUrl output (read once, when first needed). */
const lazyDeployment = (config: Config): Deployment => {
  let url: Promise<string> | undefined;
  const stackName = `bamboohr-sync-${config.stage}`;
  const read = async (): Promise<string> => {
    const cloudFormation = new CloudFormationClient({ region: config.region });
    try {
      const { Stacks } = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }));
      const value = Stacks?.[0]?.Outputs?.find((o) => o.OutputKey === 'PublicBaseUrl')?.OutputValue;
      if (!value) throw new ConfigError(`The stack ${stackName} in ${config.region} has no PublicBaseUrl output: deploy this version of the service first.`);
      return value.replace(/\/+$/, '');
    } finally {
      cloudFormation.destroy();
    }
  };
  return { publicBaseUrl: () => (url ??= read()) };
};

/** Who acts with --stage: the caller's IAM principal (read once, when first needed). */
const callerIdentity = (config: Config): (() => Promise<string>) => {
  let arn: Promise<string> | undefined;
  return () =>
    (arn ??= (async () => {
      const sts = new STSClient({ region: config.region });
      try {
        return (await sts.send(new GetCallerIdentityCommand({}))).Arn ?? 'unknown';
      } catch {
        return 'unknown';
      } finally {
        sts.destroy();
      }
    })());
};

/** A deployed stage, with the caller's AWS credentials and region. */
const openStage = (stage: string, options: TargetOptions): Target => {
  const config = loadConfig({ STAGE: stage, AWS_REGION: options.region ?? (options.env.AWS_REGION || options.env.AWS_DEFAULT_REGION || undefined) });
  const clients = createAwsClients(config, options.env);
  const queues = lazyQueues(clients.sqs, config);
  const deps = { ...createServiceDeps(config, { clients }), deployment: lazyDeployment(config) };
  return {
    label: `stage ${config.stage} (${config.region})`,
    actor: callerIdentity(config),
    deps: { ...withoutInternals(deps), queue: queues.queue, log: options.log, deadLetters: queues.deadLetters },
    close: () => destroy(clients),
  };
};

export const openTarget = async (options: TargetOptions): Promise<Target> =>
  options.stage !== undefined ? openStage(options.stage, options) : openLocal(options);
