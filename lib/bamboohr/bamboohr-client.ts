import got, { HTTPError, RequestError, TimeoutError, type Got, type RetryObject } from 'got';
import { z } from 'zod';
import type { Config } from '../config.js';
import {
  BambooHrAuthError,
  BambooHrRateLimitedError,
  BambooHrResponseError,
  BambooHrUnavailableError,
  BambooHrUnknownCompanyError,
  WebhookNotPermittedError,
  type SyncError,
} from '../errors.js';
import type {
  ChangedSince,
  EmployeeSource,
  EmployeeSourceFactory,
  ReportRequest,
  ReportResult,
  WebhookRegistration,
} from '../ports.js';
import {
  rawChangedEmployeesSchema,
  rawCustomReportSchema,
  rawFieldListSchema,
  rawWebhookCreatedSchema,
  rawWebhookListSchema,
  type RawFieldMeta,
} from './raw-schema.js';

export interface BambooHrClientOptions {
  /** e.g. https://api.bamboohr.com/api/gateway.php (no trailing slash needed). */
  apiBase: string;
  /** The company URL template (`https://{subdomain}.bamboohr.com`): OAuth tenants' API is `<it>/api/v1`. */
  companyUrl?: string;
  subdomain: string;
  /** An API key (Basic auth against `apiBase`), or an OAuth access token (Bearer against the company URL). */
  apiKey?: string;
  accessToken?: string;
  tenantId?: string;
  /** Per attempt, from request start to the end of the answer (default 30 s). */
  timeoutMs?: number;
  /** Retries after the first attempt (default 4). */
  retryLimit?: number;
  /** Longest wait before a retry; a longer Retry-After ends the call at once (default 60 s). */
  retryMaxWaitMs?: number;
  /** First backoff step when no Retry-After is given; doubles per attempt, with jitter (default 1 s). */
  retryBaseDelayMs?: number;
}

const REPORT_TITLE = 'bamboohr-sync';
const EXCERPT_LENGTH = 200;
const RETRY_STATUS_CODES = [408, 429, 500, 502, 503, 504];
const RETRY_ERROR_CODES = ['ETIMEDOUT', 'ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ENOTFOUND', 'ENETUNREACH', 'EAI_AGAIN', 'EADDRINUSE'];
/** Codes that prove the request never reached BambooHR: the only ones safe to retry for a non-idempotent POST. */
const NOT_SENT_ERROR_CODES = ['ECONNREFUSED', 'ENOTFOUND', 'ENETUNREACH', 'EAI_AGAIN'];

const SAFE_KEY = /^[A-Za-z_][A-Za-z0-9_.-]{0,39}$/;

const typeOf = (value: unknown): string => (Array.isArray(value) ? `array of ${value.length}` : value === null ? 'null' : typeof value);

/** A JSON value's shape: its kind and, for an object, its keys (only those that look like field names) and their types. */
export const describeJsonShape = (value: unknown): string => {
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (value === null || typeof value !== 'object') return `a ${typeOf(value)}`;
  const entries = Object.entries(value);
  const shown = entries.slice(0, 8).map(([key, v]) => `${SAFE_KEY.test(key) ? key : '…'} (${typeOf(v)})`);
  return `an object with keys ${shown.join(', ') || 'none'}${entries.length > 8 ? `, and ${entries.length - 8} more` : ''}`;
};

/** What an answer looked like, never what it said (it may hold employees' data): its kind and size. */
export const describeShape = (body: string): string => {
  const bytes = Buffer.byteLength(body, 'utf8');
  const start = body.trimStart();
  if (start === '') return 'an empty answer';
  if (/^<!doctype html|^<html/i.test(start)) return `an HTML page (${bytes} bytes)`;
  if (start.startsWith('<')) return `an XML or HTML document (${bytes} bytes)`;
  try {
    return describeJsonShape(JSON.parse(body));
  } catch {
    const first = start[0]!;
    return `not JSON (${bytes} bytes, starting with ${/[{[\"]/.test(first) ? `'${first}'` : 'text'})`;
  }
};

/** Retry-After (seconds or an HTTP date) in whole seconds, or null when absent or unreadable. */
export const parseRetryAfterSeconds = (value: string | string[] | undefined, now: number = Date.now()): number | null => {
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined || text.trim() === '') return null;
  if (/^\s*\d+(\.\d+)?\s*$/.test(text)) return Math.ceil(Number(text));
  const at = Date.parse(text);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - now) / 1000));
};

const header = (headers: Record<string, string | string[] | undefined>, name: string): string | undefined => {
  const value = headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
};

/**
 * The BambooHR adapter of the EmployeeSource port. Retries are got's own (Retry-After honoured up to
 * `retryMaxWaitMs`, else exponential backoff with jitter); every failure becomes a typed SyncError
 * that never carries the API key, the Authorization header, or got's error (which holds both).
 */
export const createBambooHrClient = (options: BambooHrClientOptions): EmployeeSource => {
  const { subdomain, tenantId } = options;
  const token = options.accessToken;
  const apiKey = options.apiKey ?? '';
  if (!token && !apiKey) throw new Error('A BambooHR client needs an API key or an access token.');
  const timeoutMs = options.timeoutMs ?? 30_000;
  const retryLimit = options.retryLimit ?? 4;
  const retryMaxWaitMs = options.retryMaxWaitMs ?? 60_000;
  const retryBaseDelayMs = options.retryBaseDelayMs ?? 1_000;
  const baseUrl = token
    ? `${(options.companyUrl ?? 'https://{subdomain}.bamboohr.com').replace('{subdomain}', encodeURIComponent(subdomain)).replace(/\/+$/, '')}/api/v1`
    : `${options.apiBase.replace(/\/+$/, '')}/${encodeURIComponent(subdomain)}/v1`;
  const credentials = token ?? Buffer.from(`${apiKey}:x`).toString('base64');
  let requestCount = 0;

  /** Defence in depth: whatever text we pass on (excerpts, messages) loses the key, the token and the credentials. */
  const secrets = [apiKey, credentials, encodeURIComponent(apiKey), ...(token ? [token, encodeURIComponent(token)] : [])].filter((s) => s.length >= 4);
  const redact = (text: string): string => secrets.reduce((acc, secret) => acc.split(secret).join('[redacted]'), text);

  const calculateDelay = ({ attemptCount, error, retryAfter, computedValue }: RetryObject): number => {
    if (computedValue === 0) return 0;
    // got has already checked that a Retry-After fits under maxRetryAfter: computedValue is it.
    if (error.response && retryAfter) return computedValue;
    const ceiling = Math.min(retryBaseDelayMs * 2 ** (attemptCount - 1), retryMaxWaitMs);
    return Math.max(1, Math.round(ceiling / 2 + Math.random() * (ceiling / 2)));
  };

  const http: Got = got.extend({
    headers: {
      accept: 'application/json',
      authorization: token ? `Bearer ${token}` : `Basic ${credentials}`,
      'user-agent': 'bamboohr-sync',
    },
    timeout: { request: timeoutMs },
    responseType: 'text',
    followRedirect: false,
    throwHttpErrors: true,
    retry: {
      limit: retryLimit,
      methods: ['GET', 'POST'],
      statusCodes: RETRY_STATUS_CODES,
      errorCodes: RETRY_ERROR_CODES,
      maxRetryAfter: retryMaxWaitMs,
      enforceRetryRules: true,
      calculateDelay,
    },
    hooks: {
      beforeRequest: [
        () => {
          requestCount += 1;
        },
      ],
    },
  });

  // ---------------------------------------------------------------- error translation

  const fromStatus = (
    status: number,
    headers: Record<string, string | string[] | undefined>,
    body: string,
    attempts: number,
    on403?: () => SyncError,
  ): SyncError => {
    if (status === 403 && on403) return on403();
    if (status === 401 || status === 403) {
      const detail = header(headers, 'x-bamboohr-error-message');
      return new BambooHrAuthError(subdomain, status, tenantId, detail ? redact(detail).slice(0, EXCERPT_LENGTH) : undefined);
    }
    if (status === 404) return new BambooHrUnknownCompanyError(subdomain, tenantId);
    if (status === 429 || status === 503) {
      return new BambooHrRateLimitedError(subdomain, parseRetryAfterSeconds(headers['retry-after']));
    }
    if (status === 408 || status >= 500) {
      return new BambooHrUnavailableError(subdomain, `HTTP ${status} after ${attempts} attempt(s)`);
    }
    return new BambooHrResponseError(subdomain, `unexpected HTTP ${status}`, describeShape(body));
  };

  const translate = (error: unknown, attempts: number, on403?: () => SyncError): SyncError => {
    if (error instanceof HTTPError) {
      const { statusCode, headers, body } = error.response;
      return fromStatus(statusCode, headers, typeof body === 'string' ? body : '', attempts, on403);
    }
    // A clean cause: got's errors hold the request options, Authorization header included.
    const code = error instanceof RequestError ? error.code : undefined;
    const cause = Object.assign(new Error(redact(error instanceof Error ? error.message : String(error))), code ? { code } : {});
    if (error instanceof TimeoutError) {
      return new BambooHrUnavailableError(subdomain, `no complete answer within ${timeoutMs} ms, ${attempts} attempt(s)`, { cause });
    }
    return new BambooHrUnavailableError(subdomain, `${code ?? 'request failed'} after ${attempts} attempt(s)`, { cause });
  };

  // ---------------------------------------------------------------- one call

  const call = async <S extends z.ZodType>(
    schema: S,
    request: {
      method: 'GET' | 'POST' | 'DELETE';
      path: string;
      searchParams?: Record<string, string>;
      json?: unknown;
      retry?: { statusCodes: number[]; errorCodes: string[]; methods?: Array<'GET' | 'POST' | 'DELETE'> };
      on403?: () => SyncError;
      /** A redirect or a page that is not JSON means no such company (BambooHR's answer to an unknown subdomain). */
      unusableMeansNoCompany?: boolean;
      /** What BambooHR answers is not read (a plain-text confirmation; give z.null()); a 404 then means it is gone already. */
      noAnswer?: boolean;
    },
  ): Promise<z.output<S>> => {
    const before = requestCount;
    let status: number;
    let headers: Record<string, string | string[] | undefined>;
    let body: string;
    try {
      const response = await http(`${baseUrl}/${request.path}`, {
        method: request.method,
        ...(request.searchParams ? { searchParams: request.searchParams } : {}),
        ...(request.json !== undefined
          ? { body: JSON.stringify(request.json), headers: { 'content-type': 'application/json' } }
          : {}),
        ...(request.retry ? { retry: request.retry } : {}),
      });
      ({ statusCode: status, headers, body } = response);
    } catch (error) {
      if (request.noAnswer && error instanceof HTTPError && error.response.statusCode === 404) return schema.parse(null);
      throw translate(error, requestCount - before, request.on403);
    }
    // Redirects are not followed (they could carry the key elsewhere): any non-2xx left is unusable.
    if (request.unusableMeansNoCompany && status >= 300 && status < 400) throw new BambooHrUnknownCompanyError(subdomain, tenantId);
    if (status < 200 || status > 299) throw fromStatus(status, headers, body, requestCount - before, request.on403);
    if (request.noAnswer) return schema.parse(null);

    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      if (request.unusableMeansNoCompany && /^\s*</.test(body)) throw new BambooHrUnknownCompanyError(subdomain, tenantId);
      throw new BambooHrResponseError(subdomain, `the answer to ${request.path} is not JSON`, describeShape(body));
    }
    const result = schema.safeParse(parsed);
    if (!result.success) {
      const issue = result.error.issues[0];
      const where = issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'unknown';
      throw new BambooHrResponseError(subdomain, `the answer to ${request.path} has an unexpected shape (${redact(where)})`, describeJsonShape(parsed));
    }
    return result.data;
  };

  // ---------------------------------------------------------------- the port

  const fetchReport = async (request: ReportRequest): Promise<ReportResult> => {
    const fields = [...new Set(request.fields)];
    const wantedIds = request.employeeIds ? new Set(request.employeeIds) : null;
    // An empty employeeIds filter could be read as "no filter": never ask it.
    if (wantedIds !== null && wantedIds.size === 0) return { employees: [], missingFields: [] };

    const filters = wantedIds
      ? { employeeIds: [...wantedIds].map((id) => (/^\d{1,15}$/.test(id) ? Number(id) : id)) }
      : undefined;
    const report = await call(rawCustomReportSchema, {
      method: 'POST',
      path: 'reports/custom',
      searchParams: { format: 'JSON', onlyCurrent: 'true' },
      json: { title: REPORT_TITLE, fields, ...(filters ? { filters } : {}) },
    });
    const returned = new Set(report.fields.map((f) => f.id));
    return {
      // A targeted pull never yields someone who was not asked for, even if the filter were ignored.
      employees: wantedIds ? report.employees.filter((e) => wantedIds.has(e.id)) : report.employees,
      missingFields: fields.filter((f) => !returned.has(f)),
    };
  };

  const fetchChangedSince = async (since: string): Promise<ChangedSince> => {
    const answer = await call(rawChangedEmployeesSchema, {
      method: 'GET',
      path: 'employees/changed',
      searchParams: { since },
    });
    return {
      latest: answer.latest ?? null,
      employees: Object.values(answer.employees).map((e) => ({ id: e.id, action: e.action, lastChanged: e.lastChanged ?? null })),
    };
  };

  /** The first call of a registration: an HTML page or a redirect here means the subdomain is wrong. */
  const listFields = async (): Promise<RawFieldMeta[]> =>
    call(rawFieldListSchema, { method: 'GET', path: 'meta/fields', unusableMeansNoCompany: true });

  const createWebhook = async (input: { name: string; url: string; monitorFields: string[] }): Promise<WebhookRegistration> => {
    const created = await call(rawWebhookCreatedSchema, {
      method: 'POST',
      path: 'webhooks',
      json: {
        name: input.name,
        url: input.url,
        format: 'json',
        monitorFields: input.monitorFields,
        postFields: {},
        includeCompanyDomain: false,
      },
      // Creating is not idempotent: retry only what was surely not processed.
      retry: { statusCodes: [429, 503], errorCodes: NOT_SENT_ERROR_CODES },
      on403: () => new WebhookNotPermittedError(subdomain),
    });
    return { id: created.id, privateKey: created.privateKey };
  };

  const listWebhooks = async (): Promise<Array<{ id: string; url: string }>> => {
    const answer = await call(rawWebhookListSchema, { method: 'GET', path: 'webhooks' });
    return answer.webhooks.map((w) => ({ id: w.id, url: w.url }));
  };

  /** Deleting is idempotent: retried like a read; a webhook already gone (404) is deleted. */
  const deleteWebhook = async (id: string): Promise<void> => {
    await call(z.null(), {
      method: 'DELETE',
      path: `webhooks/${encodeURIComponent(id)}`,
      retry: { statusCodes: RETRY_STATUS_CODES, errorCodes: RETRY_ERROR_CODES, methods: ['DELETE'] },
      noAnswer: true,
    });
  };

  return {
    listWebhooks,
    deleteWebhook,
    fetchReport,
    fetchChangedSince,
    listFields,
    createWebhook,
    get requestCount() {
      return requestCount;
    },
  };
};

/** The EmployeeSourceFactory the composition roots use, built from `config.bamboohr`. */
export const createBambooHrSourceFactory =
  (settings: Config['bamboohr'] & { retryBaseDelayMs?: number }): EmployeeSourceFactory =>
  ({ tenantId, subdomain, apiKey, accessToken }) =>
    createBambooHrClient({
      ...settings,
      subdomain,
      ...(accessToken ? { accessToken } : { apiKey: apiKey ?? '' }),
      ...(tenantId !== undefined ? { tenantId } : {}),
    });
