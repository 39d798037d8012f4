import { processPartialResponse, SqsFifoPartialProcessorAsync } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { createServiceDeps } from '../lib/composition.js';
import { loadConfig } from '../lib/config.js';
import { createLogger, createMetrics } from '../lib/observability.js';
import { handleSyncDelivery, NotStartedError, type DeliveryResult } from '../lib/use-cases/handle-sync-delivery.js';

const config = loadConfig(process.env);
const logger = createLogger();
const deps = { ...createServiceDeps(config, { log: logger }), log: logger, maxAttempts: config.jobs.maxAttempts, policy: config.jobs };
const metrics = createMetrics();
const processor = new SqsFifoPartialProcessorAsync();

const record = (result: DeliveryResult): void => {
  if (result.outcome === 'dead-lettered') metrics.addMetric('JobsDeadLettered', MetricUnit.Count, 1);
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
const recordHandler = async (message: SQSRecord, context: Context, receivedAt: number): Promise<void> => {
  logger.appendKeys({ tenantId: message.attributes.MessageGroupId, messageId: message.messageId, receiveCount: message.attributes.ApproximateReceiveCount });
  try {
    const delivery = {
      messageId: message.messageId,
      receiptHandle: message.receiptHandle,
      body: message.body,
      groupId: message.attributes.MessageGroupId ?? '',
      receiveCount: Number(message.attributes.ApproximateReceiveCount ?? '1'),
      receivedAt,
    };
    record(await handleSyncDelivery(deps, delivery, context.getRemainingTimeInMillis(), logger));
  } catch (error) {
    if (!(error instanceof NotStartedError)) metrics.addMetric('RunsFailed', MetricUnit.Count, 1);
    throw error;
  } finally {
    logger.removeKeys(['tenantId', 'messageId', 'receiveCount']);
  }
};

/** Records held back behind a failed record of their tenant (FIFO order) come back at once, not after the queue's visibility timeout. */
export const handler = middy(async (event: SQSEvent, context: Context) => {
  const attempted = new Set<string>();
  const receivedAt = Date.now(); // the batch's receive, near enough: SQS counts a message's 12 h of visibility from it
  const response = await processPartialResponse(event, (message: SQSRecord) => (attempted.add(message.messageId), recordHandler(message, context, receivedAt)), processor, {
    context,
    skipGroupOnError: true,
    throwOnFullBatchFailure: false,
  });
  const skipped = event.Records.filter((r) => !attempted.has(r.messageId) && response.batchItemFailures.some((f) => f.itemIdentifier === r.messageId));
  await Promise.all(skipped.map((r) => deps.retries.retryLater(r.receiptHandle, 0).catch((error: unknown) => logger.warn('Could not return a held-back record', { error }))));
  return response;
})
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics));
