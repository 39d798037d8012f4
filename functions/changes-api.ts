import { FEED_ROUTES } from '../lib/admin-routes.js';
import { createServiceDeps } from '../lib/composition.js';
import { loadConfig } from '../lib/config.js';
import { createLogger } from '../lib/observability.js';
import { createRouteHandler } from '../lib/route-handler.js';

const config = loadConfig(process.env);
const logger = createLogger();

/** The change feed and snapshot that the performance-review product reads (read-only routes). */
export const handler = createRouteHandler(FEED_ROUTES, { ...createServiceDeps(config), log: logger }, config.adminToken, logger);
