import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildFieldLookup, exclusionFieldDef, STANDARD_FIELDS, type SimFieldDef } from './fields.js';
import {
  ERROR_HEADER,
  errorResponse,
  escapeXml,
  parseBasicAuth,
  parseBearerAuth,
  parseJson,
  safeDecode,
  type SimResponse,
} from './http.js';
import {
  createOauthServer,
  REDACTED,
  redactBody,
  redactParams,
  SIMULATOR_OAUTH_APP,
  type AccessGrant,
  type OauthCompanyState,
  type OauthRequest,
} from './oauth.js';
import type {
  SimApiKey,
  SimChangeAction,
  SimCheckboxValues,
  SimCompanyInput,
  SimEmployee,
  SimEmployeePatch,
  SimExclusionField,
  SimFault,
  SimOauthApp,
  SimOauthTokenStats,
  SimOauthUser,
  SimRequest,
  SimWebhook,
} from './types.js';

export type {
  SimApiKey,
  SimChangeAction,
  SimCheckboxValues,
  SimCompanyInput,
  SimEmployee,
  SimEmployeePatch,
  SimExclusionField,
  SimFault,
  SimOauthApp,
  SimOauthTokenStats,
  SimOauthUser,
  SimRequest,
  SimWebhook,
} from './types.js';
export { sendWebhook } from './send-webhook.js';
export { SIMULATOR_OAUTH_APP } from './oauth.js';

/**
 * A local BambooHR: the endpoints the sync uses, under `/api/gateway.php/{subdomain}/v1/` (HTTP Basic)
 * and under the company URL `/companies/{subdomain}` (BambooHR's `https://{subdomain}.bamboohr.com`):
 * `api/v1/` (Bearer or Basic), `authorize.php` and `token.php` (OAuth 2.0). With BambooHR's quirks
 * (XML unless `Accept: application/json`, 400 on a report whose Content-Type is not exactly
 * `application/json`, invisible fields silently left out, `0000-00-00` for empty dates) and fault
 * injection for the client's error paths.
 */

export interface SimulatorOptions {
  /** The clock that stamps `lastChanged` and times OAuth codes and tokens (default: the real one). */
  now?: () => Date;
  /** Keep every request in `requests` (default true; turn off for very long benchmarks). */
  logRequests?: boolean;
  /** Lifetime of OAuth access tokens (default 3600, BambooHR's). */
  oauthAccessTokenSeconds?: number;
}

export interface SimCompany {
  readonly subdomain: string;
  /** Requests received for this subdomain, faulted ones included. */
  readonly requestCount: number;
  /** Requests logged for this subdomain. */
  readonly requests: readonly SimRequest[];
  /** Webhooks created through `POST /v1/webhooks`. */
  readonly webhooks: readonly SimWebhook[];
  employees(): SimEmployee[];
  employee(id: string): SimEmployee | undefined;
  addEmployee(employee: SimEmployee): void;
  updateEmployee(id: string, patch: SimEmployeePatch): void;
  /** A BambooHR deletion: gone from every answer, reported as `Deleted` by `/employees/changed`. */
  removeEmployee(id: string): void;
  /** The `lastChanged` timestamp `/employees/changed` reports for this employee. */
  lastChanged(id: string): string | null;
  addKey(key: SimApiKey): void;
  updateKey(apiKey: string, patch: Partial<Omit<SimApiKey, 'apiKey'>>): void;
  setExclusionField(field: SimExclusionField | null): void;
  setCheckboxValues(values: SimCheckboxValues): void;
  /** The user OAuth access tokens act as, for tokens already issued too. */
  setOauthUser(user: SimOauthUser): void;
  /** The company withdraws every OAuth grant: its codes, access and refresh tokens stop working. */
  revokeOauth(): void;
  oauthTokens(): SimOauthTokenStats;
}

/** Where a started simulator listens. */
export interface SimulatorEndpoints {
  port: number;
  /** `http://127.0.0.1:<port>/api/gateway.php`: append `/{subdomain}/v1/...`. */
  apiBase: string;
  /** `http://127.0.0.1:<port>/companies/{subdomain}`: the simulator's `BAMBOOHR_COMPANY_URL`. */
  companyUrlTemplate: string;
  /** The company URL of one company: `companyUrlTemplate` filled in. */
  companyUrl(subdomain: string): string;
}

export interface BambooHrSimulator {
  start(): Promise<SimulatorEndpoints>;
  stop(): Promise<void>;
  addCompany(input: SimCompanyInput): SimCompany;
  /** Throws when no such company was added. */
  company(subdomain: string): SimCompany;
  removeCompany(subdomain: string): void;
  /** Registers an OAuth app (replacing one with the same client id); `SIMULATOR_OAUTH_APP` is always there. */
  registerOauthApp(app: SimOauthApp): void;
  injectFault(fault: SimFault): void;
  clearFaults(): void;
  /** Every request received (unless `logRequests: false`), oldest first. */
  readonly requests: readonly SimRequest[];
  /** Requests received for a subdomain (known or not). */
  requestCount(subdomain: string): number;
  clearRequests(): void;
}

interface ChangeEntry {
  action: SimChangeAction;
  lastChanged: string;
  /** `lastChanged` in epoch ms (whole seconds, like the string). */
  ms: number;
}

interface CompanyState {
  subdomain: string;
  keys: Map<string, SimApiKey>;
  employees: Map<string, SimEmployee>;
  changes: Map<string, ChangeEntry>;
  exclusionField: SimExclusionField | null;
  checkboxValues: SimCheckboxValues;
  fieldDefs: SimFieldDef[];
  fieldLookup: Map<string, SimFieldDef>;
  webhooks: SimWebhook[];
  oauth: OauthCompanyState;
}

interface ActiveFault {
  fault: SimFault;
  remaining: number;
}

/**
 * Who is calling the API, whatever the credentials: the API's answers depend only on what this
 * user may see and do.
 */
interface Caller {
  /** API names (aliases) or field ids the caller cannot see. */
  hiddenFields: readonly string[];
  /** Why the caller may not `POST /v1/webhooks`, or null when it may. */
  webhookRefusal: string | null;
  /** Recorded on the webhooks it creates. */
  createdBy: Pick<SimWebhook, 'createdWithKey' | 'createdWithOauthClient'>;
}

/** Where a request goes: an API route of a company, one of its OAuth endpoints, or nowhere. */
type Route =
  | { kind: 'api'; subdomain: string; apiRoute: string; acceptsBearer: boolean }
  | { kind: 'authorize' | 'token'; subdomain: string }
  | { kind: 'none'; subdomain: string | null };

const GATEWAY_PATH = /^\/api\/gateway\.php\/([^/]+)\/v1\/(.*)$/;
/** What the simulator serves under `https://{subdomain}.bamboohr.com`. */
const COMPANY_PATH = /^\/companies\/([^/]+)\/(.*)$/;
const COMPANY_API_PREFIX = 'api/v1/';
const SUBDOMAIN_PLACEHOLDER = '{subdomain}';
const COMPANY_OAUTH_ENDPOINTS: Record<string, 'authorize' | 'token'> = { 'authorize.php': 'authorize', 'token.php': 'token' };
const WEBHOOKS_SCOPE = 'webhooks';
const DEFAULT_ACCESS_TOKEN_SECONDS = 3600;
const DEFAULT_CHECKBOX: SimCheckboxValues = { checked: '1', unchecked: '0' };

/** BambooHR's timestamp style: whole seconds, `+00:00`. */
const bambooTimestamp = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+00:00');
const wholeSeconds = (ms: number): number => Math.floor(ms / 1000) * 1000;

const toXml = (value: unknown, tag: string): string => {
  if (Array.isArray(value)) return `<${tag}>${value.map((v) => toXml(v, 'item')).join('')}</${tag}>`;
  if (value !== null && typeof value === 'object') {
    const inner = Object.entries(value)
      .map(([k, v]) => toXml(v, /^[A-Za-z_][\w.-]*$/.test(k) ? k : 'field'))
      .join('');
    return `<${tag}>${inner}</${tag}>`;
  }
  return `<${tag}>${escapeXml(value === null || value === undefined ? '' : String(value))}</${tag}>`;
};

const xmlResponse = (status: number, value: unknown, root = 'response'): SimResponse => ({
  status,
  headers: { 'content-type': 'text/xml; charset=utf-8' },
  body: `<?xml version="1.0"?>\n${toXml(value, root)}`,
});

const HTML_PAGE =
  '<!DOCTYPE html><html><head><title>BambooHR - Maintenance</title></head>' +
  '<body><h1>We&rsquo;ll be right back</h1><p>BambooHR is performing scheduled maintenance.</p></body></html>';

const routeOf = (pathname: string): Route => {
  const gateway = GATEWAY_PATH.exec(pathname);
  // BambooHR documents Bearer tokens against the company URL only: the gateway stays Basic.
  if (gateway?.[1] !== undefined) {
    return { kind: 'api', subdomain: safeDecode(gateway[1]), apiRoute: gateway[2] ?? '', acceptsBearer: false };
  }
  const company = COMPANY_PATH.exec(pathname);
  if (company?.[1] === undefined) return { kind: 'none', subdomain: null };
  const subdomain = safeDecode(company[1]);
  const rest = company[2] ?? '';
  if (rest.startsWith(COMPANY_API_PREFIX)) {
    return { kind: 'api', subdomain, apiRoute: rest.slice(COMPANY_API_PREFIX.length), acceptsBearer: true };
  }
  const endpoint = COMPANY_OAUTH_ENDPOINTS[rest];
  return endpoint ? { kind: endpoint, subdomain } : { kind: 'none', subdomain };
};

const isOauthEndpoint = (route: Route): boolean => route.kind === 'authorize' || route.kind === 'token';

const keyCaller = (key: SimApiKey): Caller => ({
  hiddenFields: key.hiddenFields ?? [],
  webhookRefusal: key.canCreateWebhooks === false ? 'You do not have permission to create webhooks' : null,
  createdBy: { createdWithKey: key.apiKey },
});

/** A token acts as the company's approving user, as far as its scopes allow. */
const tokenCaller = (user: SimOauthUser, grant: AccessGrant): Caller => ({
  hiddenFields: user.hiddenFields ?? [],
  webhookRefusal: grant.scopes.includes(WEBHOOKS_SCOPE) ? null : `The access token lacks the '${WEBHOOKS_SCOPE}' scope`,
  createdBy: { createdWithOauthClient: grant.clientId },
});

/**
 * The request as the log keeps it: no secret values (client secrets, codes, tokens) in the query
 * and, on OAuth endpoints, none in the body or the Basic password (a client secret) either.
 */
const forLog = (route: Route, request: SimRequest): SimRequest => {
  const query = redactParams(request.query);
  if (!isOauthEndpoint(route)) return query === request.query ? request : { ...request, query };
  return {
    ...request,
    query,
    auth: request.auth && { user: request.auth.user, password: REDACTED },
    body: redactBody(request.body, request.headers['content-type']),
  };
};

const flatHeaders = (req: IncomingMessage): Record<string, string> => {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (name === 'authorization' || value === undefined) continue;
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
};

const faultMatches = (fault: SimFault, request: SimRequest): boolean => {
  if (fault.subdomain !== undefined && fault.subdomain !== request.subdomain) return false;
  if (fault.path === undefined) return true;
  return typeof fault.path === 'string' ? request.path.includes(fault.path) : fault.path.test(request.path);
};

export const createBambooHrSimulator = (options: SimulatorOptions = {}): BambooHrSimulator => {
  const now = options.now ?? (() => new Date());
  const logRequests = options.logRequests ?? true;
  const accessTokenSeconds = options.oauthAccessTokenSeconds ?? DEFAULT_ACCESS_TOKEN_SECONDS;
  if (!Number.isFinite(accessTokenSeconds) || accessTokenSeconds <= 0) throw new Error('oauthAccessTokenSeconds must be a positive number');
  const oauth = createOauthServer({ now, accessTokenSeconds });
  oauth.registerApp(SIMULATOR_OAUTH_APP);
  const companies = new Map<string, CompanyState>();
  const counts = new Map<string, number>();
  let requests: SimRequest[] = [];
  let faults: ActiveFault[] = [];
  let seq = 0;
  let webhookSeq = 0;
  let server: Server | null = null;
  const timers = new Set<NodeJS.Timeout>();

  // ------------------------------------------------------------------ company state

  const rebuildFields = (state: CompanyState): void => {
    state.fieldDefs = [
      ...STANDARD_FIELDS,
      ...(state.exclusionField ? [exclusionFieldDef(state.exclusionField, state.checkboxValues)] : []),
    ];
    state.fieldLookup = buildFieldLookup(state.fieldDefs);
  };

  const stamp = (state: CompanyState, id: string, action: SimChangeAction): void => {
    const ms = wholeSeconds(now().getTime());
    state.changes.set(id, { action, lastChanged: bambooTimestamp(ms), ms });
  };

  const copyEmployee = (employee: SimEmployee): SimEmployee => ({ ...employee });

  const handleFor = (state: CompanyState): SimCompany => ({
    subdomain: state.subdomain,
    get requestCount() {
      return counts.get(state.subdomain) ?? 0;
    },
    get requests() {
      return requests.filter((r) => r.subdomain === state.subdomain);
    },
    get webhooks() {
      return state.webhooks.map((w) => ({ ...w }));
    },
    employees: () => [...state.employees.values()].map(copyEmployee),
    employee: (id) => {
      const found = state.employees.get(id);
      return found ? copyEmployee(found) : undefined;
    },
    addEmployee: (employee) => {
      if (state.employees.has(employee.id)) throw new Error(`Employee ${employee.id} already exists in '${state.subdomain}'`);
      state.employees.set(employee.id, copyEmployee(employee));
      stamp(state, employee.id, 'Inserted');
    },
    updateEmployee: (id, patch) => {
      const current = state.employees.get(id);
      if (!current) throw new Error(`No employee ${id} in '${state.subdomain}'`);
      if (patch.id !== undefined && patch.id !== id) throw new Error('The id of an employee cannot change');
      const next: SimEmployee = { ...current };
      for (const [field, value] of Object.entries(patch)) {
        if (value === undefined) continue;
        if (field === 'excluded') next.excluded = value === true;
        else next[field] = value;
      }
      state.employees.set(id, next);
      stamp(state, id, 'Updated');
    },
    removeEmployee: (id) => {
      if (!state.employees.delete(id)) throw new Error(`No employee ${id} in '${state.subdomain}'`);
      stamp(state, id, 'Deleted');
    },
    lastChanged: (id) => state.changes.get(id)?.lastChanged ?? null,
    addKey: (key) => {
      state.keys.set(key.apiKey, { ...key });
    },
    updateKey: (apiKey, patch) => {
      const key = state.keys.get(apiKey);
      if (!key) throw new Error(`No such key in '${state.subdomain}'`);
      state.keys.set(apiKey, { ...key, ...patch });
    },
    setExclusionField: (field) => {
      state.exclusionField = field ? { ...field } : null;
      rebuildFields(state);
    },
    setCheckboxValues: (values) => {
      state.checkboxValues = { ...values };
      rebuildFields(state);
    },
    setOauthUser: (user) => {
      state.oauth.user = { ...user };
    },
    revokeOauth: () => oauth.revoke(state.oauth),
    oauthTokens: () => oauth.stats(state.oauth),
  });

  // ------------------------------------------------------------------ visibility

  const droppedFields = (subdomain: string): Set<string> => {
    const dropped = new Set<string>();
    for (const { fault } of faults) {
      if (fault.kind === 'drop-field' && (fault.subdomain === undefined || fault.subdomain === subdomain)) dropped.add(fault.field);
    }
    return dropped;
  };

  const visibilityFor = (state: CompanyState, caller: Caller): ((def: SimFieldDef) => boolean) => {
    const hidden = new Set([...caller.hiddenFields, ...droppedFields(state.subdomain)]);
    if (hidden.size === 0) return () => true;
    return (def) => !hidden.has(def.id) && (def.alias === undefined || !hidden.has(def.alias));
  };

  // ------------------------------------------------------------------ endpoints

  const jsonAnswer = (status: number, value: unknown, wantsJson: boolean, root?: string): SimResponse =>
    wantsJson
      ? { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(value) }
      : xmlResponse(status, value, root);

  const customReport = (state: CompanyState, caller: Caller, request: SimRequest, wantsJson: boolean): SimResponse => {
    const contentType = (request.headers['content-type'] ?? '').trim().toLowerCase();
    if (contentType !== 'application/json') {
      // BambooHR parses anything else as XML and fails.
      return xmlResponse(400, { error: 'Malformed XML' }, 'error');
    }
    const parsed = parseJson(request.body) as
      | { title?: unknown; fields?: unknown; filters?: { employeeIds?: unknown; lastChanged?: { value?: unknown } } }
      | undefined;
    if (!parsed || typeof parsed !== 'object' || !Array.isArray(parsed.fields)) {
      return errorResponse(400, 'The report request must list its fields');
    }
    const visible = visibilityFor(state, caller);
    const columns: Array<{ key: string; def: SimFieldDef }> = [];
    const seen = new Set<string>();
    for (const raw of parsed.fields as unknown[]) {
      if (typeof raw !== 'string' && typeof raw !== 'number') continue;
      const name = String(raw);
      if (seen.has(name)) continue;
      seen.add(name);
      const def = state.fieldLookup.get(name);
      if (def && visible(def)) columns.push({ key: name, def });
    }

    const filters = parsed.filters ?? {};
    const ids = Array.isArray(filters.employeeIds) ? new Set((filters.employeeIds as unknown[]).map((id) => String(id))) : null;
    const sinceValue = filters.lastChanged?.value;
    const since = typeof sinceValue === 'string' ? Date.parse(sinceValue) : Number.NaN;
    const sinceMs = Number.isNaN(since) ? null : wholeSeconds(since);

    const rows: Array<Record<string, string>> = [];
    for (const employee of state.employees.values()) {
      if (ids !== null && !ids.has(employee.id)) continue;
      if (sinceMs !== null && (state.changes.get(employee.id)?.ms ?? 0) < sinceMs) continue;
      const row: Record<string, string> = { id: employee.id };
      for (const column of columns) row[column.key] = column.def.read(employee);
      rows.push(row);
    }

    const wantsJsonFormat = (request.query.format ?? '').toUpperCase() === 'JSON';
    return jsonAnswer(
      200,
      {
        title: typeof parsed.title === 'string' ? parsed.title : 'Report',
        fields: columns.map((c) => ({ id: c.key, type: c.def.type, name: c.def.name })),
        employees: rows,
      },
      wantsJson && wantsJsonFormat,
      'report',
    );
  };

  const singleEmployee = (state: CompanyState, caller: Caller, id: string, request: SimRequest, wantsJson: boolean): SimResponse => {
    const employee = state.employees.get(id);
    if (!employee) return errorResponse(404, `Employee ${id} not found`);
    const visible = visibilityFor(state, caller);
    const wanted = (request.query.fields ?? 'firstName,lastName')
      .split(',')
      .map((f) => f.trim())
      .filter((f) => f !== '');
    const answer: Record<string, string> = { id: employee.id };
    for (const name of wanted) {
      const def = state.fieldLookup.get(name);
      if (def && visible(def)) answer[name] = def.read(employee);
    }
    return jsonAnswer(200, answer, wantsJson, 'employee');
  };

  const changedEmployees = (state: CompanyState, request: SimRequest, wantsJson: boolean): SimResponse => {
    const since = Date.parse(request.query.since ?? '');
    if (Number.isNaN(since)) return errorResponse(400, "Parameter 'since' must be an ISO 8601 timestamp");
    const sinceMs = wholeSeconds(since);
    const type = (request.query.type ?? 'all').toLowerCase();
    const employees: Record<string, { id: string; action: SimChangeAction; lastChanged: string }> = {};
    let latest = 0;
    for (const [id, change] of state.changes) {
      latest = Math.max(latest, change.ms);
      if (change.ms < sinceMs) continue;
      if (type !== 'all' && change.action.toLowerCase() !== type) continue;
      employees[id] = { id, action: change.action, lastChanged: change.lastChanged };
    }
    return jsonAnswer(
      200,
      { latest: bambooTimestamp(latest || wholeSeconds(now().getTime())), employees },
      wantsJson,
      'employees',
    );
  };

  const metaFields = (state: CompanyState, caller: Caller, wantsJson: boolean): SimResponse => {
    const visible = visibilityFor(state, caller);
    const list = state.fieldDefs.filter(visible).map((def) => ({
      id: /^\d+$/.test(def.id) ? Number(def.id) : def.id,
      name: def.name,
      type: def.type,
      ...(def.alias !== undefined ? { alias: def.alias } : {}),
    }));
    return jsonAnswer(200, list, wantsJson, 'fields');
  };

  const createWebhook = (state: CompanyState, caller: Caller, request: SimRequest, wantsJson: boolean): SimResponse => {
    if (caller.webhookRefusal !== null) return errorResponse(403, caller.webhookRefusal);
    const body = parseJson(request.body) as Record<string, unknown> | undefined;
    if (
      !body ||
      typeof body.name !== 'string' ||
      typeof body.url !== 'string' ||
      !/^https?:\/\//.test(body.url) ||
      !Array.isArray(body.monitorFields) ||
      body.monitorFields.length === 0
    ) {
      return errorResponse(400, 'A webhook needs a name, a url and monitorFields');
    }
    webhookSeq += 1;
    const webhook: SimWebhook = {
      id: String(webhookSeq),
      privateKey: randomBytes(24).toString('hex'),
      name: body.name,
      url: body.url,
      format: typeof body.format === 'string' ? body.format : 'json',
      monitorFields: (body.monitorFields as unknown[]).map(String),
      postFields: body.postFields && typeof body.postFields === 'object' ? (body.postFields as Record<string, string>) : {},
      includeCompanyDomain: body.includeCompanyDomain === true,
      ...caller.createdBy,
    };
    state.webhooks.push(webhook);
    return jsonAnswer(201, { id: webhook.id, privateKey: webhook.privateKey, name: webhook.name, url: webhook.url }, wantsJson, 'webhook');
  };

  /** A webhook belongs to the user (key) or the OAuth app that created it: only they list or delete it. */
  const ownedBy = (webhook: SimWebhook, caller: Caller): boolean =>
    (webhook.createdWithKey !== undefined && webhook.createdWithKey === caller.createdBy.createdWithKey) ||
    (webhook.createdWithOauthClient !== undefined && webhook.createdWithOauthClient === caller.createdBy.createdWithOauthClient);

  /** `GET /v1/webhooks`: the caller's own webhooks, a summary each (as BambooHR's List Webhooks). */
  const listWebhooks = (state: CompanyState, caller: Caller, wantsJson: boolean): SimResponse => {
    if (caller.webhookRefusal !== null) return errorResponse(403, caller.webhookRefusal);
    const webhooks = state.webhooks.filter((w) => ownedBy(w, caller)).map((w) => ({ id: w.id, name: w.name, created: '2026-01-01 00:00:00', lastSent: null, url: w.url }));
    return jsonAnswer(200, { webhooks }, wantsJson, 'webhooks');
  };

  /** `DELETE /v1/webhooks/{id}`: 404 when there is none, 403 when another user's; a plain-text confirmation. */
  const deleteWebhook = (state: CompanyState, caller: Caller, id: string): SimResponse => {
    if (caller.webhookRefusal !== null) return errorResponse(403, caller.webhookRefusal);
    const index = state.webhooks.findIndex((w) => w.id === id);
    if (index < 0) return errorResponse(404, 'Webhook not found');
    if (!ownedBy(state.webhooks[index]!, caller)) return errorResponse(403, 'You do not have permission to delete this webhook');
    state.webhooks.splice(index, 1);
    return { status: 200, headers: { 'content-type': 'text/plain' }, body: 'Web hook has been deleted.' };
  };

  /** The caller behind the request's credentials, or the answer that refuses it. */
  const authenticate = (state: CompanyState, authorization: string | undefined, acceptsBearer: boolean): Caller | SimResponse => {
    const bearer = acceptsBearer ? parseBearerAuth(authorization) : null;
    if (bearer !== null) {
      // Tokens live with the company that issued them: another company's token is simply unknown here.
      const grant = oauth.accessGrant(state.oauth, bearer);
      if (!grant) return errorResponse(401, 'Invalid or expired access token', { 'www-authenticate': 'Bearer error="invalid_token"' });
      return tokenCaller(state.oauth.user, grant);
    }
    const credentials = parseBasicAuth(authorization);
    const key = credentials ? state.keys.get(credentials.user) : undefined;
    if (!key) return errorResponse(401, 'Invalid API key');
    if (key.disabled) return errorResponse(403, 'The user of this API key is disabled');
    return keyCaller(key);
  };

  /** One implementation of the API routes, whatever the path and the credentials that reached it. */
  const apiAnswer = (state: CompanyState, caller: Caller, apiRoute: string, request: SimRequest): SimResponse => {
    const wantsJson = (request.headers.accept ?? '').toLowerCase().includes('application/json');
    const { method } = request;

    if (apiRoute === 'reports/custom') {
      return method === 'POST' ? customReport(state, caller, request, wantsJson) : errorResponse(405, 'Method not allowed');
    }
    if (apiRoute === 'employees/changed') {
      return method === 'GET' ? changedEmployees(state, request, wantsJson) : errorResponse(405, 'Method not allowed');
    }
    const single = /^employees\/([^/]+)$/.exec(apiRoute);
    if (single?.[1] !== undefined) {
      return method === 'GET' ? singleEmployee(state, caller, safeDecode(single[1]), request, wantsJson) : errorResponse(405, 'Method not allowed');
    }
    if (apiRoute === 'meta/fields') {
      return method === 'GET' ? metaFields(state, caller, wantsJson) : errorResponse(405, 'Method not allowed');
    }
    if (apiRoute === 'webhooks') {
      if (method === 'GET') return listWebhooks(state, caller, wantsJson);
      return method === 'POST' ? createWebhook(state, caller, request, wantsJson) : errorResponse(405, 'Method not allowed');
    }
    const webhook = /^webhooks\/([^/]+)$/.exec(apiRoute);
    if (webhook?.[1] !== undefined) {
      return method === 'DELETE' ? deleteWebhook(state, caller, safeDecode(webhook[1])) : errorResponse(405, 'Method not allowed');
    }
    return errorResponse(404, 'Not found');
  };

  /** `raw` is the request as received, secrets included (`request` may be what the log sees). */
  const answer = (route: Route, request: SimRequest, raw: OauthRequest): SimResponse => {
    if (route.kind === 'none') return errorResponse(404, 'Not found');
    const state = companies.get(route.subdomain);
    if (!state) return errorResponse(404, 'Company not found');
    switch (route.kind) {
      case 'authorize':
        return oauth.authorize(state.oauth, raw);
      case 'token':
        return oauth.token(state.oauth, raw);
      case 'api': {
        const caller = authenticate(state, raw.authorization, route.acceptsBearer);
        return 'status' in caller ? caller : apiAnswer(state, caller, route.apiRoute, request);
      }
    }
  };

  // ------------------------------------------------------------------ faults and transport

  const takeFault = (request: SimRequest): SimFault | null => {
    for (const active of faults) {
      if (active.fault.kind === 'drop-field' || active.remaining <= 0) continue;
      if (!faultMatches(active.fault, request)) continue;
      active.remaining -= 1;
      if (active.remaining <= 0) faults = faults.filter((f) => f !== active);
      return active.fault;
    }
    return null;
  };

  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  const send = (res: ServerResponse, response: SimResponse): void => {
    if (res.destroyed || res.headersSent) return;
    res.writeHead(response.status, { ...response.headers, 'content-length': String(Buffer.byteLength(response.body)) });
    res.end(response.body);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse, body: string): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const route = routeOf(url.pathname);
    seq += 1;
    const request: SimRequest = {
      seq,
      receivedAt: Date.now(),
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: flatHeaders(req),
      auth: parseBasicAuth(req.headers.authorization),
      body,
      subdomain: route.subdomain,
      fault: null,
    };
    if (request.subdomain !== null) counts.set(request.subdomain, (counts.get(request.subdomain) ?? 0) + 1);

    const fault = takeFault(request);
    request.fault = fault?.kind ?? null;
    if (logRequests) requests.push(forLog(route, request));
    switch (fault?.kind) {
      case 'reset':
        req.socket.destroy();
        return;
      case 'status':
        send(res, {
          status: fault.status,
          headers: {
            'content-type': 'text/html; charset=utf-8',
            ...(fault.retryAfter !== undefined ? { 'retry-after': fault.retryAfter } : {}),
            ...(fault.errorMessage !== undefined ? { [ERROR_HEADER]: fault.errorMessage } : {}),
          },
          body: fault.body ?? `<html><body><h1>${fault.status}</h1></body></html>`,
        });
        return;
      case 'html':
        send(res, { status: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, body: HTML_PAGE });
        return;
      case 'delay':
        await sleep(fault.ms);
        if (server === null || res.destroyed || req.socket.destroyed) return;
        break;
      default:
        break;
    }

    const raw: OauthRequest = {
      method: request.method,
      path: url.pathname,
      query: url.searchParams,
      contentType: req.headers['content-type'],
      body,
      authorization: req.headers.authorization,
    };
    const response = answer(route, request, raw);
    if (fault?.kind === 'truncate') {
      send(res, { ...response, body: response.body.slice(0, Math.max(1, Math.floor(response.body.length / 2))) });
      return;
    }
    send(res, response);
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      handle(req, res, Buffer.concat(chunks).toString('utf8')).catch((error: unknown) => {
        send(res, { status: 500, headers: { 'content-type': 'text/plain' }, body: `Simulator error: ${String(error)}` });
      });
    });
  };

  // ------------------------------------------------------------------ public API

  return {
    start: async () => {
      if (server !== null) throw new Error('The simulator is already started');
      const created = createServer(onRequest);
      server = created;
      await new Promise<void>((resolve, reject) => {
        created.once('error', reject);
        created.listen(0, '127.0.0.1', () => {
          created.off('error', reject);
          resolve();
        });
      });
      const { port } = created.address() as AddressInfo;
      const companyUrlTemplate = `http://127.0.0.1:${port}/companies/${SUBDOMAIN_PLACEHOLDER}`;
      return {
        port,
        apiBase: `http://127.0.0.1:${port}/api/gateway.php`,
        companyUrlTemplate,
        companyUrl: (subdomain) => companyUrlTemplate.replace(SUBDOMAIN_PLACEHOLDER, encodeURIComponent(subdomain)),
      };
    },

    stop: async () => {
      const running = server;
      if (running === null) return;
      server = null;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await new Promise<void>((resolve) => {
        running.close(() => resolve());
        running.closeAllConnections();
      });
    },

    addCompany: (input) => {
      if (companies.has(input.subdomain)) throw new Error(`Company '${input.subdomain}' already exists`);
      const state: CompanyState = {
        subdomain: input.subdomain,
        keys: new Map(input.keys.map((k) => [k.apiKey, { ...k }])),
        employees: new Map(),
        changes: new Map(),
        exclusionField: input.exclusionField ? { ...input.exclusionField } : null,
        checkboxValues: { ...(input.checkboxValues ?? DEFAULT_CHECKBOX) },
        fieldDefs: [],
        fieldLookup: new Map(),
        webhooks: [],
        oauth: oauth.newCompany(input.subdomain, input.oauthUser),
      };
      rebuildFields(state);
      for (const employee of input.employees) {
        state.employees.set(employee.id, copyEmployee(employee));
        stamp(state, employee.id, 'Inserted');
      }
      companies.set(input.subdomain, state);
      return handleFor(state);
    },

    company: (subdomain) => {
      const state = companies.get(subdomain);
      if (!state) throw new Error(`No simulated company '${subdomain}'`);
      return handleFor(state);
    },

    removeCompany: (subdomain) => {
      companies.delete(subdomain);
    },

    registerOauthApp: (app) => oauth.registerApp(app),

    injectFault: (fault) => {
      const remaining = fault.kind === 'drop-field' ? Number.POSITIVE_INFINITY : (fault.times ?? 1);
      faults.push({ fault, remaining });
    },

    clearFaults: () => {
      faults = [];
    },

    get requests() {
      return requests;
    },

    requestCount: (subdomain) => counts.get(subdomain) ?? 0,

    clearRequests: () => {
      requests = [];
      counts.clear();
    },
  };
};
