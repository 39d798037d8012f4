import { FEED_ROUTES } from '../lib/admin-routes.js';
import { createServiceDeps } from '../lib/composition.js';
import { loadConfig } from '../lib/config.js';
import { createLogger } from '../lib/observability.js';
import { createRouteHandler } from '../lib/route-handler.js';

const config = loadConfig(process.env);
const logger = createLogger();

/** The change feed and snapshot that the performance-review product reads (read-only routes). */
/** In AWS the routes are IAM-authorised; on the local stack they take the feed token (never the admin one). */
export const handler = createRouteHandler(FEED_ROUTES, { ...createServiceDeps(config), log: logger }, config.feedToken, logger);
