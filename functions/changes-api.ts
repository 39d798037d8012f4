import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { FEED_ROUTES, routeRequest } from '../lib/admin-routes.js';
import { createServiceDeps } from '../lib/composition.js';
import { loadConfig } from '../lib/config.js';
import { httpApiEventSchema, json } from '../lib/http.js';
import { createLogger } from '../lib/observability.js';

const config = loadConfig(process.env);
const logger = createLogger();
const deps = { ...createServiceDeps(config), log: logger };

/** The change feed and snapshot that the performance-review product reads (read-only). */
export const handler = middy(async (event: unknown) => {
  const parsed = httpApiEventSchema.safeParse(event);
  if (!parsed.success) return json(400, { error: { code: 'invalid-request', message: 'Not an HTTP API request.' } });
  logger.appendKeys({ route: parsed.data.routeKey, tenantId: parsed.data.pathParameters?.tenantId });
  return routeRequest(FEED_ROUTES, deps, parsed.data, config.adminToken);
}).use(injectLambdaContext(logger, { resetKeys: true }));
