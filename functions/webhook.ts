import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { createServiceDeps } from '../lib/composition.js';
import { loadConfig } from '../lib/config.js';
import { httpApiEventSchema, json, rawBodyOf } from '../lib/http.js';
import { createLogger, createMetrics } from '../lib/observability.js';
import { createFreshReadLimiter, DEFAULT_REFUSAL_FLOOR_MS, receiveWebhook } from '../lib/use-cases/receive-webhook.js';

const config = loadConfig(process.env, ['SYNC_QUEUE_URL']);
const { tenants, secrets, queue, clock, markers } = createServiceDeps(config);
const logger = createLogger();
const metrics = createMetrics();
const refusalFloor = { floorMs: DEFAULT_REFUSAL_FLOOR_MS, elapsedMs: () => performance.now(), sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)) };
const deps = { tenants, secrets, queue, clock, markers, log: logger, settings: config.webhook, freshReads: createFreshReadLimiter(), refusalFloor };

/** POST /webhooks/bamboohr/{tenantId}: a BambooHR webhook, verified, turned into a targeted job. */
export const handler = middy(async (event: unknown) => {
  const parsed = httpApiEventSchema.safeParse(event);
  if (!parsed.success) return json(400, { error: { code: 'invalid-request', message: 'Not an HTTP API request.' } });
  const tenantId = parsed.data.pathParameters?.tenantId ?? '';
  logger.appendKeys({ tenantId });
  const response = await receiveWebhook(deps, { tenantId, rawBody: rawBodyOf(parsed.data), headers: parsed.data.headers });
  metrics.addMetric(response.status === 202 ? 'WebhooksAccepted' : 'WebhooksRefused', MetricUnit.Count, 1);
  // Debug only: a flood of forged requests must not buy a log line each (the metric counts them).
  if (response.status !== 202) logger.debug('Webhook refused', { status: response.status, code: response.body.error.code });
  return json(response.status, response.body);
})
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics));
