import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { routeRequest, type Routes } from './admin-routes.js';
import { httpApiEventSchema, json } from './http.js';

/**
 * A Lambda handler serving a route table over the HTTP API: parse the event (zod), route it to its
 * use case, log the outcome with the route and tenant on the line.
 */
export const createRouteHandler = (routes: Routes, deps: Parameters<typeof routeRequest>[1], adminToken: string | undefined, logger: Logger) =>
  middy(async (event: unknown) => {
    const parsed = httpApiEventSchema.safeParse(event);
    if (!parsed.success) return json(400, { error: { code: 'invalid-request', message: 'Not an HTTP API request.' } });
    logger.appendKeys({ route: parsed.data.routeKey, tenantId: parsed.data.pathParameters?.tenantId });
    const response = await routeRequest(routes, deps, parsed.data, adminToken);
    logger.info('API request', { status: response.statusCode });
    return response;
  }).use(injectLambdaContext(logger, { resetKeys: true }));
