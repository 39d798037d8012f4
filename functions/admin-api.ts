import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { ADMIN_ROUTES, routeRequest } from '../lib/admin-routes.js';
import { createServiceDeps } from '../lib/composition.js';
import { loadConfig } from '../lib/config.js';
import { httpApiEventSchema, json } from '../lib/http.js';
import { createLogger } from '../lib/observability.js';

const config = loadConfig(process.env, ['SYNC_QUEUE_URL']);
const logger = createLogger();
const deps = { ...createServiceDeps(config), log: logger };

/** The support admin API (IAM-authorised HTTP API routes; a bearer token on the local stack). */
export const handler = middy(async (event: unknown) => {
  const parsed = httpApiEventSchema.safeParse(event);
  if (!parsed.success) return json(400, { error: { code: 'invalid-request', message: 'Not an HTTP API request.' } });
  logger.appendKeys({ route: parsed.data.routeKey, tenantId: parsed.data.pathParameters?.tenantId });
  const response = await routeRequest(ADMIN_ROUTES, deps, parsed.data, config.adminToken);
  logger.info('Admin request', { status: response.statusCode });
  return response;
}).use(injectLambdaContext(logger, { resetKeys: true }));
