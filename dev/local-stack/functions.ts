/**
 * The functions of serverless.yml, as the local stack runs them: each one's handler module, its
 * events (httpApi routes, schedule, sqs) and a Lambda context like the one AWS passes.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import { loadServerlessYml } from '../aws-resources.js';
import { repoRoot } from '../../lib/local-stack-info.js';

export interface HttpRoute {
  functionName: string;
  /** Upper case, or `ANY`. */
  method: string;
  /** The path template, e.g. `/tenants/{tenantId}/changes`, or `*`. */
  path: string;
  /** What API Gateway puts in `routeKey`: `GET /tenants/{tenantId}/changes`. */
  routeKey: string;
}

export interface FunctionDefinition {
  name: string;
  /** `functions/worker.handler` */
  handler: string;
  timeoutSeconds: number;
  memorySize: number;
  httpRoutes: HttpRoute[];
  schedule: boolean;
  sqs: { batchSize: number } | null;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
const isObject = (value: unknown): value is Record<string, Json> => typeof value === 'object' && value !== null && !Array.isArray(value);

const numberOr = (value: Json | undefined, fallback: number): number => {
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN;
  return Number.isFinite(n) && n > 0 ? n : fallback;
};

/** `httpApi: '*'`, `httpApi: 'GET /x'` or `httpApi: { method, path }`. */
const httpRouteOf = (functionName: string, spec: Json | undefined): HttpRoute | null => {
  let method: string;
  let path: string;
  if (typeof spec === 'string') {
    if (spec.trim() === '*') [method, path] = ['ANY', '*'];
    else [method = '', path = ''] = spec.trim().split(/\s+/);
  } else if (isObject(spec)) {
    method = String(spec.method ?? 'ANY');
    path = String(spec.path ?? '*');
  } else return null;
  method = method === '*' ? 'ANY' : method.toUpperCase();
  if (path !== '*' && !path.startsWith('/')) throw new Error(`serverless.yml: function ${functionName} has an httpApi path '${path}' that does not start with '/'.`);
  return { functionName, method, path, routeKey: method === 'ANY' && path === '*' ? '$default' : `${method} ${path}` };
};

/** The functions of serverless.yml (the default provider timeout is 6 s and memory 1024 MB, as in Serverless). */
export const functionDefinitions = (file?: URL | string): FunctionDefinition[] => {
  const document = loadServerlessYml(file);
  const provider = isObject(document.provider) ? document.provider : {};
  const functions = isObject(document.functions) ? document.functions : {};
  return Object.entries(functions).flatMap(([name, fn]) => {
    if (!isObject(fn) || typeof fn.handler !== 'string') return [];
    const events = Array.isArray(fn.events) ? fn.events.filter(isObject) : [];
    const sqs = events.map((e) => e.sqs).find((s) => s !== undefined);
    return [
      {
        name,
        handler: fn.handler,
        timeoutSeconds: numberOr(fn.timeout ?? provider.timeout, 6),
        memorySize: numberOr(fn.memorySize ?? provider.memorySize, 1024),
        httpRoutes: events.map((e) => httpRouteOf(name, e.httpApi)).filter((r): r is HttpRoute => r !== null),
        schedule: events.some((e) => e.schedule !== undefined),
        sqs: sqs === undefined ? null : { batchSize: Math.min(10, numberOr(isObject(sqs) ? sqs.batchSize : undefined, 10)) },
      },
    ];
  });
};

export type LambdaHandler = (event: unknown, context: Context) => Promise<unknown>;

/** Imports a function's handler (`functions/worker.handler` → functions/worker.ts, export `handler`). */
export const importHandler = async (definition: FunctionDefinition, root = repoRoot()): Promise<LambdaHandler> => {
  const dot = definition.handler.lastIndexOf('.');
  const modulePath = definition.handler.slice(0, dot);
  const exportName = definition.handler.slice(dot + 1);
  const file = ['.ts', '.mts', '.js', '.mjs'].map((ext) => join(root, `${modulePath}${ext}`)).find((candidate) => existsSync(candidate));
  if (!file) throw new Error(`serverless.yml: no module for handler ${definition.handler} (looked for ${modulePath}.ts/.js).`);
  const module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  const handler = module[exportName];
  if (typeof handler !== 'function') throw new Error(`${file} has no exported function '${exportName}' (serverless.yml: ${definition.handler}).`);
  return handler as LambdaHandler;
};

/** The Lambda context AWS passes: enough for middy and Powertools, with the function's real timeout. */
export const lambdaContext = (definition: FunctionDefinition, stage: string, region: string): Context => {
  const functionName = `bamboohr-sync-${stage}-${definition.name}`;
  const deadline = Date.now() + definition.timeoutSeconds * 1000;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:123456789012:function:${functionName}`,
    memoryLimitInMB: String(definition.memorySize),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `local/[$LATEST]${randomUUID().replace(/-/g, '')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
};
