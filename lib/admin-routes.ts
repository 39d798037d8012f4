import { timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { toApiError } from './api-errors.js';
import { ValidationError } from './errors.js';
import type { ServiceDeps } from './composition.js';
import { json, rawBodyOf, type HttpApiEvent, type HttpResponse } from './http.js';
import type { Log } from './logging.js';
import { safeguardSettingsSchema } from './model/tenant.js';
import { createInvite, parseInviteExpiry } from './use-cases/connect-tenant.js';
import { explainEmployee, searchEmployees } from './use-cases/explain-employee.js';
import { previewSync } from './use-cases/preview-sync.js';
import { getRun, listActivity, listAlerts, listChanges, listEmployees, listRuns, listTenants, showTenant, toTenantView } from './use-cases/read-tenants.js';
import { registerTenant } from './use-cases/register-tenant.js';
import { removeTenant } from './use-cases/remove-tenant.js';
import { requestSync } from './use-cases/request-sync.js';
import { setTenantStatus } from './use-cases/set-tenant-status.js';
import { updateTenant } from './use-cases/update-tenant.js';

type Deps = Omit<ServiceDeps, 'clients' | 'stats'> & { log: Log };
export type Routes = Record<string, Handler>;
type Handler = (
  deps: Deps,
  request: { params: Record<string, string>; query: Record<string, string | undefined>; body: unknown; actor: string | null },
) => Promise<HttpResponse>;

const exclusion = z.union([z.string().max(100), z.boolean(), z.null()]).optional();
const registerBody = z.strictObject({
  tenantId: z.string(),
  subdomain: z.string(),
  apiKey: z.string(),
  exclusionField: exclusion,
  webhookPrivateKey: z.string().optional(),
  /** Must be this deployment's webhook URL for the tenant; `createWebhook: true` uses it without naming it. */
  createWebhookUrl: z.string().optional(),
  createWebhook: z.boolean().optional(),
  safeguards: safeguardSettingsSchema.partial().optional(),
});
const updateBody = z.strictObject({
  subdomain: z.string().optional(),
  apiKey: z.string().optional(),
  exclusionField: exclusion,
  webhookPrivateKey: z.string().nullable().optional(),
  createWebhookUrl: z.string().optional(),
  createWebhook: z.boolean().optional(),
  safeguards: safeguardSettingsSchema.partial().optional(),
  status: z.enum(['active', 'disabled']).optional(),
  /** Yes to turning exclusion off while people have opted out. */
  confirm: z.boolean().optional(),
});
const inviteBody = z
  .strictObject({
    exclusionField: exclusion,
    /** `7d`, `36h`, `90m` (the CLI's --expires), or a number of hours. */
    expires: z.string().max(20).optional(),
    expiresInHours: z.number().positive().optional(),
  })
  .default({});
const syncBody = z
  .strictObject({ dryRun: z.boolean().optional(), allowDeactivations: z.boolean().optional(), heldRunId: z.string().min(1).max(200).optional() })
  .default({});
/** A whole-number query parameter, in decimal digits only (`0x10`, `1e1`, ` 2` are not numbers here); bounds are the use case's. */
const int = (value: string | undefined, name: string): number | undefined => {
  if (value === undefined || value === '') return undefined;
  const number = /^-?\d{1,16}$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(number)) {
    throw new ValidationError(`'${name}' must be a whole number in decimal digits (at most ${Number.MAX_SAFE_INTEGER}), not '${value.slice(0, 40)}'.`, name);
  }
  return number;
};

const webhookOf = (b: { webhookPrivateKey?: string | null; createWebhookUrl?: string; createWebhook?: boolean }) =>
  b.createWebhookUrl !== undefined
    ? { createAtUrl: b.createWebhookUrl }
    : b.createWebhook
      ? { createAtUrl: null }
      : b.webhookPrivateKey !== undefined
        ? b.webhookPrivateKey === null
          ? null
          : { privateKey: b.webhookPrivateKey }
        : undefined;

/** The admin API, by route key. The API key is accepted in POST/PATCH bodies only and never echoed. */
export const ADMIN_ROUTES: Routes = {
  'POST /tenants': async (deps, { body, actor }) => {
    const b = registerBody.parse(body);
    const webhook = webhookOf(b);
    const { webhookPrivateKey: _key, createWebhookUrl: _url, createWebhook: _create, ...rest } = b;
    const result = await registerTenant(deps, { ...rest, ...(webhook !== undefined ? { webhook } : {}), actor: actor ?? 'unknown' });
    return json(201, { tenant: toTenantView(result.tenant), access: result.access, webhook: result.webhook, warnings: result.warnings });
  },
  'GET /tenants': async (deps, { query }) => {
    const status = z.enum(['active', 'disabled', 'needs-attention', 'held', 'stale']).optional().parse(query.status || undefined);
    return json(200, { tenants: await listTenants(deps, status ? { status } : {}) });
  },
  'GET /tenants/{tenantId}': async (deps, { params }) => json(200, await showTenant(deps, params.tenantId!)),
  'PATCH /tenants/{tenantId}': async (deps, { params, body, actor }) => {
    const { status, confirm, ...b } = updateBody.parse(body);
    const webhook = webhookOf(b);
    const { webhookPrivateKey: _w, createWebhookUrl: _c, createWebhook: _cw, ...rest } = b;
    const hasConfig = Object.keys(rest).length > 0 || webhook !== undefined;
    const result = hasConfig
      ? await updateTenant(deps, params.tenantId!, { ...rest, ...(webhook !== undefined ? { webhook } : {}), ...(confirm !== undefined ? { confirm } : {}), actor: actor ?? 'unknown' })
      : null;
    const tenant = status ? await setTenantStatus(deps, params.tenantId!, status === 'disabled' ? 'disable' : 'enable', actor ?? 'unknown') : (result?.tenant ?? (await showTenant(deps, params.tenantId!)).tenant);
    return json(200, { tenant: toTenantView(tenant), access: result?.access ?? null, warnings: result?.warnings ?? [] });
  },
  'DELETE /tenants/{tenantId}': async (deps, { params, actor }) => {
    const { webhooksDeleted, webhookProblem } = await removeTenant(deps, params.tenantId!, actor ?? 'unknown');
    return json(200, { removed: params.tenantId, webhooksDeleted, webhookProblem });
  },
  'POST /tenants/{tenantId}/syncs': async (deps, { params, body, actor }) => {
    const b = syncBody.parse(body ?? {});
    if (b.dryRun) return json(200, { preview: await previewSync(deps, params.tenantId!, { allowDeactivations: b.allowDeactivations ?? false }) });
    const { jobId, runId, approved } = await requestSync(deps, params.tenantId!, {
      allowDeactivations: b.allowDeactivations ?? false,
      ...(b.heldRunId ? { heldRunId: b.heldRunId } : {}),
      ...(actor ? { actor } : {}),
    });
    return json(202, { jobId, runId, approved });
  },
  // A one-time connect link for the customer (register, or connect an existing tenant again).
  'POST /tenants/{tenantId}/invites': async (deps, { params, body, actor }) => {
    const b = inviteBody.parse(body ?? {});
    const expiresInHours = b.expires !== undefined ? parseInviteExpiry(b.expires) : b.expiresInHours;
    const invite = await createInvite(deps, params.tenantId!, {
      ...(b.exclusionField !== undefined ? { exclusionField: b.exclusionField } : {}),
      ...(expiresInHours !== undefined ? { expiresInHours } : {}),
      actor: actor ?? 'unknown',
    });
    return json(201, invite);
  },
  'GET /tenants/{tenantId}/activity': async (deps, { params, query }) => {
    const limit = int(query.limit, 'limit');
    return json(200, { activity: await listActivity(deps, params.tenantId!, { ...(limit !== undefined ? { limit } : {}), ...(query.before ? { before: query.before } : {}) }) });
  },
  // Read-only: one targeted BambooHR request; never writes the feed or the snapshot.
  'GET /tenants/{tenantId}/employees/{employeeId}/explain': async (deps, { params }) => json(200, { explanation: await explainEmployee(deps, params.tenantId!, params.employeeId!) }),
  'GET /tenants/{tenantId}/employees/search': async (deps, { params, query }) => {
    const q = z.string().max(200, 'q is at most 200 characters').parse(query.q ?? '');
    const limit = int(query.limit, 'limit');
    return json(200, await searchEmployees(deps, params.tenantId!, q, limit !== undefined ? { limit } : {}));
  },
  'GET /alerts': async (deps, { query }) => {
    const limit = int(query.limit, 'limit');
    return json(200, await listAlerts(deps, { ...(query.since ? { since: query.since } : {}), ...(limit !== undefined ? { limit } : {}) }));
  },
  'GET /tenants/{tenantId}/runs': async (deps, { params, query }) => json(200, { runs: await listRuns(deps, params.tenantId!, int(query.limit, 'limit') ?? 20) }),
  'GET /tenants/{tenantId}/runs/{runId}': async (deps, { params }) => {
    const run = await getRun(deps, params.tenantId!, params.runId!);
    return run ? json(200, { run }) : json(404, { error: { code: 'run-not-found', message: `No run '${params.runId}' yet: it starts when the worker takes the job.` } });
  },
};

/** The change-feed API that the performance-review product reads. */
export const FEED_ROUTES: Routes = {
  'GET /tenants/{tenantId}/changes': async (deps, { params, query }) => {
    const after = int(query.after, 'after');
    const limit = int(query.limit, 'limit');
    return json(200, await listChanges(deps, params.tenantId!, { ...(after !== undefined ? { after } : {}), ...(limit !== undefined ? { limit } : {}) }));
  },
  'GET /tenants/{tenantId}/employees': async (deps, { params, query }) => {
    const limit = int(query.limit, 'limit');
    return json(200, await listEmployees(deps, params.tenantId!, { ...(query.cursor ? { cursor: query.cursor } : {}), ...(limit !== undefined ? { limit } : {}) }));
  },
};

/** Who calls: the IAM principal that signed the request in AWS; `local` behind the local stack's token. */
const actorOf = (event: HttpApiEvent, adminToken: string | undefined): string | null => {
  const iam = (event.requestContext as { authorizer?: { iam?: { userArn?: string } } } | undefined)?.authorizer?.iam?.userArn;
  return iam ?? (adminToken !== undefined ? 'local' : null);
};

const bearerMatches = (header: string | undefined, token: string): boolean => {
  const given = Buffer.from(/^Bearer\s+(.+)$/i.exec(header ?? '')?.[1]?.trim() ?? '');
  const expected = Buffer.from(token);
  // (An empty token is no token: it would match a request without one.)
  return expected.length > 0 && given.length === expected.length && timingSafeEqual(given, expected);
};

/**
 * Routes an HTTP API event. In AWS the route is guarded by IAM auth on the HTTP API; where an admin
 * token is configured (the local stack), a matching `Authorization: Bearer` header is required too.
 */
export const routeRequest = async (
  routes: Routes,
  deps: Deps,
  event: HttpApiEvent,
  adminToken: string | undefined,
  /** Who calls, when the caller knows better than the event (the support console: its operator). */
  actorOverride?: string,
): Promise<HttpResponse> => {
  const headers = Object.fromEntries(Object.entries(event.headers).map(([k, v]) => [k.toLowerCase(), v]));
  if (adminToken !== undefined && !bearerMatches(headers.authorization, adminToken)) {
    return json(401, { error: { code: 'unauthorized', message: 'Send the admin token as: Authorization: Bearer <token>.' } });
  }
  const route = event.routeKey ? routes[event.routeKey] : undefined;
  if (!route) return json(404, { error: { code: 'no-route', message: `No route ${event.routeKey ?? ''}.` } });
  try {
    const raw = rawBodyOf(event).toString('utf8');
    let body: unknown = undefined;
    if (raw.trim() !== '') {
      try {
        body = JSON.parse(raw);
      } catch {
        return json(400, { error: { code: 'invalid-json', message: 'The body is not JSON.' } });
      }
    }
    let params: Record<string, string>;
    try {
      params = Object.fromEntries(Object.entries(event.pathParameters ?? {}).map(([k, v]) => [k, decodeURIComponent(v ?? '')]));
    } catch {
      return json(400, { error: { code: 'invalid-path', message: 'The path has a malformed % escape. Encode each path segment (e.g. with encodeURIComponent).' } });
    }
    return await route(deps, { params, query: event.queryStringParameters ?? {}, body, actor: actorOverride ?? actorOf(event, adminToken) });
  } catch (error) {
    const { status, body } = toApiError(error, deps.log);
    return json(status, body);
  }
};
