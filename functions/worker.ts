import { processPartialResponse, SqsFifoPartialProcessorAsync } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { createServiceDeps } from '../lib/composition.js';
import { loadConfig } from '../lib/config.js';
import { createLogger, createMetrics } from '../lib/observability.js';
import { parseSyncJob, processSyncJob, retryDelaySeconds, type ProcessedJob } from '../lib/use-cases/process-sync-job.js';
import { RetryLaterError, runIdFor } from '../lib/use-cases/sync-tenant.js';

const config = loadConfig(process.env);
const deps = { ...createServiceDeps(config), log: createLogger() };
const logger = deps.log;
const metrics = createMetrics();
const processor = new SqsFifoPartialProcessorAsync();

const record = (result: ProcessedJob): void => {
  if (!('run' in result) || !result.run) return;
  const { counts, status } = result.run;
  metrics.addMetric('EmployeesCreated', MetricUnit.Count, counts.created);
  metrics.addMetric('EmployeesUpdated', MetricUnit.Count, counts.updated);
  metrics.addMetric('EmployeesDeactivated', MetricUnit.Count, counts.deactivated);
  metrics.addMetric('EmployeesReactivated', MetricUnit.Count, counts.reactivated);
  if (status === 'held') metrics.addMetric('RunsHeld', MetricUnit.Count, 1);
  if (status === 'failed') metrics.addMetric('RunsFailed', MetricUnit.Count, 1);
};

/** One SQS record: one tenant's sync job. Throwing marks only this record failed (partial batch). */
const recordHandler = async (message: SQSRecord): Promise<void> => {
  logger.appendKeys({ tenantId: message.attributes.MessageGroupId, messageId: message.messageId, receiveCount: message.attributes.ApproximateReceiveCount });
  try {
    const job = parseSyncJob(message.body);
    logger.appendKeys({ tenantId: job.tenantId, runId: runIdFor(job), jobId: job.jobId });
    record(await processSyncJob(deps, job, logger));
  } catch (error) {
    if (!(error instanceof RetryLaterError)) logger.error('Sync job failed', { error });
    metrics.addMetric('RunsFailed', MetricUnit.Count, 1);
    const delay = retryDelaySeconds(error, Number(message.attributes.ApproximateReceiveCount ?? '1'));
    await deps.retries.retryLater(message.receiptHandle, delay).catch((e: unknown) => logger.warn('Could not shorten the retry delay', { error: e }));
    throw error;
  } finally {
    logger.removeKeys(['tenantId', 'messageId', 'receiveCount', 'runId', 'jobId']);
  }
};

export const handler = middy((event: SQSEvent, context: Context) =>
  processPartialResponse(event, recordHandler, processor, { context, skipGroupOnError: true, throwOnFullBatchFailure: false }),
)
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics));
