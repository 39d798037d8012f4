/**
 * The support console's web server (issue 10): a local page on 127.0.0.1 for support staff.
 *
 * - Serves the built front end (`dist/console/`, see scripts/build-console.mjs) and a JSON API under
 *   `/api/...` that forwards to the admin and change-feed routes (lib/admin-routes.ts) with synthetic
 *   HTTP API events, so the console runs exactly the use cases the CLI and the admin API run. Its
 *   only own routes are the dead-letter queue (the port, listed and redriven) and `/api/info`.
 * - A random token, new at each launch, is in the URL it prints. The page needs it as `?token=`, every
 *   API call as `Authorization: Bearer`; anything else is a 401. The Host header must name this
 *   server (no DNS rebinding), and the answers carry a strict CSP, no framing, no referrer, no cache.
 * - An API key is accepted in POST/PATCH bodies only. The use cases never echo it; as a second line,
 *   any value sent as a key is blanked out of the answer to that request. Requests are logged by
 *   method, path (never the query, which carries the page's token), status and duration: no bodies.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { z } from 'zod';
import { ADMIN_ROUTES, FEED_ROUTES, routeRequest } from '../admin-routes.js';
import { toApiError } from '../api-errors.js';
import type { ServiceDeps } from '../composition.js';
import { json, type HttpApiEvent, type HttpResponse } from '../http.js';
import { repoRoot } from '../local-stack-info.js';
import type { Log } from '../logging.js';
import type { DeadLetterQueue } from '../ports.js';
import { redriveDeadLetters } from '../use-cases/redrive-dead-letters.js';

export interface ConsoleDeps extends Omit<ServiceDeps, 'clients' | 'stats'> {
  log: Log;
  deadLetters: DeadLetterQueue;
  /** Who operates the console (`local`, or the AWS principal with --stage): recorded as the actor of what it does. */
  actor?: string;
}

export interface ConsoleServer {
  /** The URL to open, with the per-launch token in it. */
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

export interface ConsoleOptions {
  /** 0 or absent: a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** What the page shows it is connected to, e.g. `local` or `stage prod`. */
  label?: string;
}

/** Where the built front end is. */
export const consoleAssetsDir = (): string => join(repoRoot(), 'dist', 'console');

const MAX_BODY_BYTES = 64 * 1024;

/** The API routes the console forwards, by its own method and path template (under /api). */
const FORWARDED: ReadonlyArray<{ method: string; template: string; routes: typeof ADMIN_ROUTES }> = [
  { method: 'GET', template: '/tenants', routes: ADMIN_ROUTES },
  { method: 'POST', template: '/tenants', routes: ADMIN_ROUTES },
  { method: 'GET', template: '/tenants/{tenantId}', routes: ADMIN_ROUTES },
  { method: 'PATCH', template: '/tenants/{tenantId}', routes: ADMIN_ROUTES },
  { method: 'POST', template: '/tenants/{tenantId}/syncs', routes: ADMIN_ROUTES },
  { method: 'GET', template: '/tenants/{tenantId}/runs', routes: ADMIN_ROUTES },
  { method: 'GET', template: '/tenants/{tenantId}/runs/{runId}', routes: ADMIN_ROUTES },
  { method: 'GET', template: '/tenants/{tenantId}/changes', routes: FEED_ROUTES },
  { method: 'GET', template: '/tenants/{tenantId}/activity', routes: ADMIN_ROUTES },
  { method: 'GET', template: '/alerts', routes: ADMIN_ROUTES },
  { method: 'GET', template: '/tenants/{tenantId}/employees/search', routes: ADMIN_ROUTES },
  { method: 'GET', template: '/tenants/{tenantId}/employees/{employeeId}/explain', routes: ADMIN_ROUTES },
  { method: 'POST', template: '/tenants/{tenantId}/invites', routes: ADMIN_ROUTES },
];

/** Files of the front end the server hands out, by URL path. Nothing else on disk is reachable. */
const ASSETS: Record<string, { file: string; type: string }> = {
  '/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/app.css': { file: 'app.css', type: 'text/css; charset=utf-8' },
};

const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; " +
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=()',
  'cache-control': 'no-store',
};

const redriveBody = z.strictObject({ messageIds: z.array(z.string().min(1).max(200)).max(100).optional() }).default({});

/** Request fields whose values are secrets: never sent back, whatever a use case answers. */
const SECRET_FIELDS = ['apiKey', 'webhookPrivateKey'] as const;

const sameSecret = (given: string, expected: string): boolean => {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
};

const bearerOf = (header: string | undefined): string => /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')?.[1] ?? '';

class BodyTooLargeError extends Error {}

const readBody = (req: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new BodyTooLargeError());
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });

const matchTemplate = (template: string, path: string): Record<string, string> | null => {
  const want = template.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i += 1) {
    const w = want[i]!;
    const g = got[i]!;
    const name = /^\{(\w+)\}$/.exec(w)?.[1];
    if (name) {
      if (g === '') return null;
      params[name] = g;
    } else if (w !== g) return null;
  }
  return params;
};

/** Secret values in a request body, to be kept out of its answer. */
const secretsIn = (raw: string): string[] => {
  try {
    const body = JSON.parse(raw) as Record<string, unknown> | null;
    if (!body || typeof body !== 'object') return [];
    return SECRET_FIELDS.map((f) => body[f])
      .filter((v): v is string => typeof v === 'string')
      .flatMap((v) => [v, v.trim()])
      .filter((v) => v.length >= 4);
  } catch {
    return [];
  }
};

const blankOut = (text: string, secrets: readonly string[]): string =>
  secrets.reduce((out, secret) => out.split(secret).join('[redacted]'), text);

export const startConsole = async (deps: ConsoleDeps, options: ConsoleOptions = {}): Promise<ConsoleServer> => {
  const host = options.host ?? '127.0.0.1';
  const label = options.label ?? '';
  const token = randomBytes(32).toString('base64url');
  const assetsDir = consoleAssetsDir();
  let port = 0;

  const allowedHosts = (): Set<string> =>
    new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, `${host}:${port}`].map((h) => h.toLowerCase()));

  const send = (res: ServerResponse, status: number, body: string | Buffer, type: string, extra: Record<string, string> = {}) => {
    res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': type, ...extra });
    res.end(body);
  };
  const sendJson = (res: ServerResponse, response: HttpResponse, secrets: readonly string[] = []) =>
    send(res, response.statusCode, blankOut(response.body, secrets), 'application/json; charset=utf-8');
  const sendError = (res: ServerResponse, status: number, code: string, message: string) =>
    sendJson(res, json(status, { error: { code, message } }));

  const ownApi = async (method: string, path: string, query: URLSearchParams, raw: string): Promise<HttpResponse | null> => {
    try {
      if (method === 'GET' && path === '/info') return json(200, { label });
      if (method === 'GET' && path === '/dead-letters') {
        const max = z.coerce.number().int().min(1).max(100).default(50).parse(query.get('max') ?? undefined);
        return json(200, { deadLetters: await deps.deadLetters.list(max) });
      }
      if (method === 'GET' && path === '/dead-letters/count') return json(200, await deps.deadLetters.count());
      if (method === 'POST' && path === '/dead-letters/redrive') {
        let body: unknown;
        try {
          body = raw.trim() === '' ? undefined : JSON.parse(raw);
        } catch {
          return json(400, { error: { code: 'invalid-json', message: 'The body is not JSON.' } });
        }
        const { messageIds } = redriveBody.parse(body);
        return json(200, await redriveDeadLetters(deps, messageIds, deps.actor ?? 'console'));
      }
      return null;
    } catch (error) {
      const { status, body } = toApiError(error, deps.log);
      return json(status, body);
    }
  };

  const api = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    if (!sameSecret(bearerOf(req.headers.authorization), token)) {
      return sendError(res, 401, 'unauthorized', 'Open the console with the URL that `bamboohr-sync console` printed: it carries the token.');
    }
    const method = req.method ?? 'GET';
    if (method !== 'GET') {
      const origin = req.headers.origin;
      if (origin !== undefined && !allowedHosts().has(origin.replace(/^https?:\/\//i, '').toLowerCase())) {
        return sendError(res, 403, 'forbidden', 'Requests from other sites are refused.');
      }
      if (!/^application\/json\b/i.test(req.headers['content-type'] ?? 'application/json')) {
        return sendError(res, 415, 'unsupported-media-type', 'Send the body as application/json.');
      }
    }
    let raw = '';
    if (method === 'POST' || method === 'PATCH') {
      try {
        raw = await readBody(req);
      } catch (error) {
        if (error instanceof BodyTooLargeError) return sendError(res, 413, 'too-large', 'The body is too large.');
        throw error;
      }
    }
    const path = url.pathname.slice('/api'.length) || '/';
    const own = await ownApi(method, path, url.searchParams, raw);
    if (own) return sendJson(res, own, secretsIn(raw));

    for (const route of FORWARDED) {
      if (route.method !== method) continue;
      const params = matchTemplate(route.template, path);
      if (!params) continue;
      const query = Object.fromEntries(url.searchParams.entries());
      const event: HttpApiEvent = {
        routeKey: `${route.method} ${route.template}`,
        rawPath: path,
        rawQueryString: url.searchParams.toString(),
        headers: { 'content-type': 'application/json' },
        queryStringParameters: query,
        pathParameters: params,
        ...(raw !== '' ? { body: raw } : {}),
        isBase64Encoded: false,
        requestContext: { http: { method, path } },
      };
      // The console checked its own token; the admin routes' token is for the HTTP API.
      const response = await routeRequest(route.routes, deps, event, undefined, deps.actor ?? 'console');
      return sendJson(res, response, secretsIn(raw));
    }
    return sendError(res, 404, 'no-route', `No route ${method} /api${path}.`);
  };

  const page = async (res: ServerResponse, url: URL): Promise<void> => {
    if (!sameSecret(url.searchParams.get('token') ?? '', token)) {
      return send(
        res,
        401,
        'This console needs the token in its URL. Open the URL that `bamboohr-sync console` printed.\n',
        'text/plain; charset=utf-8',
      );
    }
    try {
      const html = await readFile(join(assetsDir, 'index.html'));
      return send(res, 200, html, 'text/html; charset=utf-8');
    } catch {
      return send(res, 503, 'The console front end is not built: run `npm run build` (or `node scripts/build-console.mjs`).\n', 'text/plain; charset=utf-8');
    }
  };

  const asset = async (res: ServerResponse, file: { file: string; type: string }): Promise<void> => {
    try {
      return send(res, 200, await readFile(join(assetsDir, file.file)), file.type);
    } catch {
      return send(res, 404, 'Not built.\n', 'text/plain; charset=utf-8');
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (!allowedHosts().has((req.headers.host ?? '').toLowerCase())) {
      return send(res, 421, 'Unknown host.\n', 'text/plain; charset=utf-8');
    }
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    const method = req.method ?? 'GET';
    if (url.pathname === '/api' || url.pathname.startsWith('/api/')) return api(req, res, url);
    if (method !== 'GET' && method !== 'HEAD') return send(res, 405, 'Method not allowed.\n', 'text/plain; charset=utf-8', { allow: 'GET, HEAD' });
    if (url.pathname === '/' || url.pathname === '/index.html') return page(res, url);
    const file = ASSETS[url.pathname];
    if (file) return asset(res, file);
    if (url.pathname === '/favicon.ico') return send(res, 204, '', 'image/x-icon');
    return send(res, 404, 'Not found.\n', 'text/plain; charset=utf-8');
  };

  const server = createServer((req, res) => {
    const started = Date.now();
    res.on('finish', () => {
      // Never the query string (the page's token is there) and never a body.
      const path = (req.url ?? '/').split('?')[0];
      deps.log.info('console request', { method: req.method, path, status: res.statusCode, ms: Date.now() - started });
    });
    handle(req, res).catch((error: unknown) => {
      const { status, body } = toApiError(error, deps.log);
      if (!res.headersSent) sendJson(res, json(status, body));
      else res.destroy();
    });
  });
  server.headersTimeout = 20_000;
  server.requestTimeout = 60_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}/?token=${token}`,
    port,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};
