import { z } from 'zod';
import { createServiceDeps } from '../lib/composition.js';
import { loadConfig } from '../lib/config.js';
import { handleConnect } from '../lib/connect/connect-routes.js';
import { httpApiEventSchema } from '../lib/http.js';
import { createLogger } from '../lib/observability.js';

const config = loadConfig(process.env);
const logger = createLogger();
const deps = { ...createServiceDeps(config, { log: logger }), log: logger, publicBaseUrl: config.publicBaseUrl ?? '' };
const eventSchema = httpApiEventSchema.extend({ cookies: z.array(z.string()).optional() });

/** The customer's connect page (public: the token in its path is the credential). */
export const handler = async (event: unknown) => {
  const parsed = eventSchema.safeParse(event);
  if (!parsed.success) return { statusCode: 400, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'Bad request.' };
  return handleConnect(deps, parsed.data);
};
