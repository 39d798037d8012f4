import { ADMIN_ROUTES } from '../lib/admin-routes.js';
import { createServiceDeps } from '../lib/composition.js';
import { loadConfig } from '../lib/config.js';
import { createLogger } from '../lib/observability.js';
import { createRouteHandler } from '../lib/route-handler.js';

const config = loadConfig(process.env, ['SYNC_QUEUE_URL']);
const logger = createLogger();

/** The support admin API: tenants, syncs, runs (IAM-authorised routes; a bearer token on the local stack). */
export const handler = createRouteHandler(ADMIN_ROUTES, { ...createServiceDeps(config), log: logger }, config.adminToken, logger);
