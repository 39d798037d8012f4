import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { z } from 'zod';
import { createServiceDeps } from '../lib/composition.js';
import { loadConfig } from '../lib/config.js';
import { handleConnect } from '../lib/connect/connect-routes.js';
import { httpApiEventSchema } from '../lib/http.js';
import { createLogger, createMetrics } from '../lib/observability.js';

const config = loadConfig(process.env);
const logger = createLogger();
const metrics = createMetrics();
const deps = { ...createServiceDeps(config, { log: logger }), log: logger, publicBaseUrl: config.publicBaseUrl ?? '' };
const eventSchema = httpApiEventSchema.extend({ cookies: z.array(z.string()).optional() });

/**
 * The customer's connect page: GET /connect/{token} and its forms, and BambooHR's OAuth callback.
 * Public routes: the one-time token in the path (or the browser's cookie, on the callback) is the credential.
 */
export const handler = middy(async (event: unknown) => {
  const parsed = eventSchema.safeParse(event);
  if (!parsed.success) return { statusCode: 400, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'Bad request.' };
  const response = await handleConnect(deps, parsed.data);
  metrics.addMetric(response.statusCode < 400 ? 'ConnectPagesServed' : 'ConnectPagesRefused', MetricUnit.Count, 1);
  return response;
})
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics));
