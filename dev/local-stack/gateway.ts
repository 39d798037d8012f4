/**
 * A small API Gateway (HTTP API, payload format 2.0) over the httpApi routes of serverless.yml:
 * each request is matched to a route, turned into the event API Gateway would send, and handed to
 * the real Lambda handler; its result becomes the HTTP response.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { HttpRoute } from './functions.js';

/** API Gateway's own limit on a request payload. */
export const MAX_BODY_BYTES = 10 * 1024 * 1024;

type Segment = { kind: 'literal'; value: string } | { kind: 'param'; name: string } | { kind: 'greedy'; name: string };

export interface CompiledRoute extends HttpRoute {
  segments: Segment[] | null;
}

const splitPath = (path: string): string[] => path.split('/').slice(1);

export const compileRoutes = (routes: readonly HttpRoute[]): CompiledRoute[] =>
  routes.map((route) => ({
    ...route,
    segments:
      route.path === '*'
        ? null
        : splitPath(route.path).map((part): Segment => {
            const param = /^\{([A-Za-z0-9_]+)(\+?)\}$/.exec(part);
            if (!param) return { kind: 'literal', value: part };
            return param[2] ? { kind: 'greedy', name: param[1] as string } : { kind: 'param', name: param[1] as string };
          }),
  }));

export interface RouteMatch {
  route: CompiledRoute;
  /** As they appear in the path (still percent-encoded, as API Gateway passes them). */
  pathParameters: Record<string, string>;
}

const matchSegments = (segments: Segment[], parts: string[]): Record<string, string> | null => {
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i += 1) {
    const segment = segments[i] as Segment;
    if (segment.kind === 'greedy') {
      const rest = parts.slice(i);
      if (rest.length === 0 || rest.join('/') === '') return null;
      params[segment.name] = rest.join('/');
      return params;
    }
    const part = parts[i];
    if (part === undefined) return null;
    if (segment.kind === 'literal') {
      if (part !== segment.value) return null;
    } else {
      if (part === '') return null;
      params[segment.name] = part;
    }
  }
  return parts.length === segments.length ? params : null;
};

const RANK = { literal: 0, param: 1, greedy: 2 } as const;

/** Orders two matching routes as API Gateway does: the most specific path first, then an exact method over ANY. */
const moreSpecific = (a: CompiledRoute, b: CompiledRoute): number => {
  if (!a.segments || !b.segments) return a.segments ? -1 : b.segments ? 1 : 0;
  for (let i = 0; i < Math.min(a.segments.length, b.segments.length); i += 1) {
    const diff = RANK[(a.segments[i] as Segment).kind] - RANK[(b.segments[i] as Segment).kind];
    if (diff !== 0) return diff;
  }
  if (a.segments.length !== b.segments.length) return b.segments.length - a.segments.length;
  return (a.method === 'ANY' ? 1 : 0) - (b.method === 'ANY' ? 1 : 0);
};

export const matchRoute = (routes: readonly CompiledRoute[], method: string, rawPath: string): RouteMatch | null => {
  const parts = splitPath(rawPath);
  const matches: RouteMatch[] = [];
  for (const route of routes) {
    if (route.method !== 'ANY' && route.method !== method.toUpperCase()) continue;
    if (!route.segments) {
      matches.push({ route, pathParameters: {} });
      continue;
    }
    const params = matchSegments(route.segments, parts);
    if (params) matches.push({ route, pathParameters: params });
  }
  matches.sort((a, b) => moreSpecific(a.route, b.route));
  return matches[0] ?? null;
};

const TEXT_TYPES = /^(text\/|application\/(json|[\w.+-]+\+json|xml|[\w.+-]+\+xml|javascript|x-www-form-urlencoded|graphql))/i;

export interface GatewayRequest {
  method: string;
  /** The request target: path and query string. */
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  sourceIp: string;
  protocol: string;
}

/**
 * The API Gateway HTTP API payload 2.0 event for a request: lower-case headers (repeated ones
 * joined by commas), cookies apart, decoded query parameters, and the body as text when its
 * content type is textual and it is valid UTF-8, else base64 with `isBase64Encoded: true`.
 */
export const toHttpApiEvent = (request: GatewayRequest, match: RouteMatch, stage = '$default') => {
  const queryStart = request.url.indexOf('?');
  const rawPath = queryStart < 0 ? request.url : request.url.slice(0, queryStart);
  const rawQueryString = queryStart < 0 ? '' : request.url.slice(queryStart + 1);
  const headers: Record<string, string> = {};
  let cookies: string[] = [];
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    const key = name.toLowerCase();
    if (key === 'cookie') {
      cookies = (Array.isArray(value) ? value.join('; ') : value).split(/;\s*/).filter(Boolean);
      continue;
    }
    headers[key] = Array.isArray(value) ? value.join(',') : value;
  }
  headers['x-forwarded-for'] ??= request.sourceIp;
  headers['x-forwarded-proto'] ??= 'http';
  const query: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(rawQueryString)) query[key] = key in query ? `${query[key]},${value}` : value;

  const contentType = headers['content-type'] ?? '';
  const text = request.body.toString('utf8');
  const asText = TEXT_TYPES.test(contentType) && Buffer.from(text, 'utf8').equals(request.body);
  const now = new Date();
  const domainName = headers.host ?? '127.0.0.1';
  return {
    version: '2.0',
    routeKey: match.route.routeKey,
    rawPath,
    rawQueryString,
    ...(cookies.length > 0 ? { cookies } : {}),
    headers,
    ...(Object.keys(query).length > 0 ? { queryStringParameters: query } : {}),
    requestContext: {
      accountId: '123456789012',
      apiId: 'local',
      domainName,
      domainPrefix: domainName.split('.')[0] ?? domainName,
      http: { method: request.method.toUpperCase(), path: rawPath, protocol: request.protocol, sourceIp: request.sourceIp, userAgent: headers['user-agent'] ?? '' },
      requestId: randomUUID(),
      routeKey: match.route.routeKey,
      stage,
      time: now.toISOString(),
      timeEpoch: now.getTime(),
    },
    ...(Object.keys(match.pathParameters).length > 0 ? { pathParameters: match.pathParameters } : {}),
    ...(request.body.length > 0 ? { body: asText ? text : request.body.toString('base64') } : {}),
    isBase64Encoded: request.body.length > 0 && !asText,
  };
};

export interface GatewayResponse {
  statusCode: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
}

/** What API Gateway makes of a handler's result (payload 2.0, including the "just return JSON" form). */
export const toHttpResponse = (result: unknown): GatewayResponse => {
  if (typeof result === 'object' && result !== null && 'statusCode' in result) {
    const r = result as { statusCode: number; headers?: Record<string, unknown>; body?: unknown; isBase64Encoded?: boolean; cookies?: string[] };
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(r.headers ?? {})) if (value !== undefined && value !== null) headers[name.toLowerCase()] = String(value);
    if (r.cookies?.length) headers['set-cookie'] = r.cookies;
    const body = r.body === undefined || r.body === null ? Buffer.alloc(0) : Buffer.from(String(r.body), r.isBase64Encoded ? 'base64' : 'utf8');
    return { statusCode: Number(r.statusCode), headers, body };
  }
  const body = result === undefined ? '' : typeof result === 'string' ? result : JSON.stringify(result);
  return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from(body) };
};

const jsonResponse = (statusCode: number, body: unknown): GatewayResponse => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  body: Buffer.from(JSON.stringify(body)),
});

export interface Gateway {
  server: Server;
  /** Stops accepting requests and waits (up to `graceMs`) for those in progress. */
  close(graceMs?: number): Promise<void>;
}

export interface GatewayOptions {
  routes: readonly HttpRoute[];
  invoke: (route: HttpRoute, event: ReturnType<typeof toHttpApiEvent>) => Promise<unknown>;
  onError: (route: HttpRoute, error: unknown) => void;
}

const readBody = (req: IncomingMessage, max: number): Promise<Buffer | null> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? null : Buffer.concat(chunks)));
    req.on('error', reject);
  });

export const createGateway = (options: GatewayOptions): Gateway => {
  const routes = compileRoutes(options.routes);
  const handle = async (req: IncomingMessage): Promise<GatewayResponse> => {
    const url = req.url ?? '/';
    const path = url.split('?')[0] ?? '/';
    const method = (req.method ?? 'GET').toUpperCase();
    const declared = parseInt(req.headers['content-length'] ?? '0', 10);
    if (declared > MAX_BODY_BYTES) {
      req.resume();
      return jsonResponse(413, { message: 'Request Entity Too Large' });
    }
    const body = await readBody(req, MAX_BODY_BYTES);
    if (body === null) return jsonResponse(413, { message: 'Request Entity Too Large' });
    const match = matchRoute(routes, method, path);
    if (!match) {
      return jsonResponse(404, { error: { code: 'no-route', message: `No route ${method} ${path}.`, routes: options.routes.map((r) => r.routeKey) } });
    }
    const event = toHttpApiEvent(
      { method, url, headers: req.headers, body, sourceIp: req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1', protocol: `HTTP/${req.httpVersion}` },
      match,
    );
    try {
      return toHttpResponse(await options.invoke(match.route, event));
    } catch (error) {
      options.onError(match.route, error);
      return jsonResponse(500, { message: 'Internal Server Error' });
    }
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    handle(req)
      .catch((error: unknown): GatewayResponse => {
        options.onError({ functionName: 'gateway', method: req.method ?? '', path: req.url ?? '', routeKey: 'gateway' }, error);
        return jsonResponse(500, { message: 'Internal Server Error' });
      })
      .then((response) => {
        if (res.writableEnded || res.destroyed) return;
        res.writeHead(response.statusCode, { ...response.headers, 'content-length': String(response.body.length) });
        res.end(response.body);
      });
  });
  server.keepAliveTimeout = 5_000;
  return {
    server,
    close: (graceMs = 3_000) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(() => server.closeAllConnections(), graceMs);
        timer.unref();
        server.close(() => {
          clearTimeout(timer);
          resolve();
        });
        server.closeIdleConnections();
      }),
  };
};
