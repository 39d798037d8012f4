import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { z } from 'zod';
import { createServiceDeps } from '../lib/composition.js';
import { loadConfig } from '../lib/config.js';
import { createLogger, createMetrics } from '../lib/observability.js';
import { enqueueScheduledSyncs } from '../lib/use-cases/enqueue-scheduled-syncs.js';

const config = loadConfig(process.env, ['SYNC_QUEUE_URL']);
const { tenants, queue } = createServiceDeps(config);
const logger = createLogger();
const metrics = createMetrics();

/** The EventBridge schedule event: its `time` is the slot, the same on a redelivery. */
const scheduledEventSchema = z.object({ time: z.iso.datetime({ offset: true }) });

export const handler = middy(async (event: unknown) => {
  const { time } = scheduledEventSchema.parse(event);
  const result = await enqueueScheduledSyncs({ tenants, queue, log: logger }, { scheduledAt: time });
  metrics.addMetric('JobsEnqueued', MetricUnit.Count, result.sent);
  return result;
})
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics));
