import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { z } from 'zod';
import { createServiceDeps } from '../lib/composition.js';
import { loadConfig } from '../lib/config.js';
import { createLogger, createMetrics } from '../lib/observability.js';
import { errorMessage } from '../lib/errors.js';
import { enqueueScheduledSyncs } from '../lib/use-cases/enqueue-scheduled-syncs.js';
import { sweepAbandonedConnections } from '../lib/use-cases/sweep-abandoned-connections.js';

const config = loadConfig(process.env, ['SYNC_QUEUE_URL']);
const logger = createLogger();
const { tenants, queue, scheduleState, activity, connecting } = createServiceDeps(config, { log: logger });
const metrics = createMetrics();
const deps = { tenants, queue, scheduleState, activity, log: logger, settings: config.schedule };

/** The EventBridge schedule event (every minute): its `time` ends the window it covers, the same on a redelivery. */
const scheduledEventSchema = z.object({ time: z.iso.datetime({ offset: true }) });

export const handler = middy(async (event: unknown) => {
  const { time } = scheduledEventSchema.parse(event);
  const result = await enqueueScheduledSyncs(deps, { scheduledAt: time });
  metrics.addMetric('JobsEnqueued', MetricUnit.Count, result.sent);
  if (result.stale > 0) metrics.addMetric('TenantsStale', MetricUnit.Count, result.stale);
  // Once a period, after the syncs are queued (never failing them): credentials of connect links that expired unused.
  const swept = result.periodStarted
    ? await sweepAbandonedConnections({ connecting, clock: { now: () => new Date(time) }, log: logger }).catch((error: unknown) => {
        logger.warn('Sweeping the credentials of expired connect links failed (tried again next period)', { error: errorMessage(error) });
        return null;
      })
    : null;
  return { ...result, abandonedConnectionsDeleted: swept?.deleted ?? 0 };
})
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics));
