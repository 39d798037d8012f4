/**
 * Every AWS call a function makes is allowed by its role in serverless.yml. The emulators enforce no
 * IAM, so a call the role lacks (a BatchGetItem the worker never had) would only fail once deployed.
 * Each handler runs its paths here against the emulators while every DynamoDB and SQS call is
 * recorded with the function that made it; then each call is matched against that function's role.
 */
import { readFileSync } from 'node:fs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { generateEmployees } from '../../dev/bamboohr-simulator/demo-data.js';
import { loadServerlessYml, resolveVariables } from '../../dev/aws-resources.js';
import { signWebhook } from '../../lib/bamboohr/webhook-signature.js';
import { FAKE_API_KEY } from '../helpers/builders.js';
import { aLambdaContext, anHttpEvent, drainQueue, type WorkerHandler } from '../helpers/lambda.js';
import { startLocalService, type LocalService } from '../helpers/local-service.js';

type HttpHandler = (event: unknown, context: unknown) => Promise<{ statusCode: number; body: string }>;
const TOKEN = 'iam-admin-token';
const FEED_TOKEN = 'iam-feed-token';
const WEBHOOK_KEY = 'iam-webhook-private-key';
const scheduledEvent = JSON.parse(readFileSync(new URL('../../events/scheduled-event.json', import.meta.url), 'utf8'));

interface Statement {
  Action: string | string[];
  Resource: unknown;
}
const asArray = <T,>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/** `!GetAtt X.Arn` → `X`; `!Join ['/', [!GetAtt X.Arn, 'index', name]]` → `X/index/name`; anything else as JSON. */
const resourceName = (resource: unknown): string => {
  const r = resource as Record<string, unknown>;
  if (Array.isArray(r['Fn::GetAtt'])) return String((r['Fn::GetAtt'] as string[])[0]);
  if (Array.isArray(r['Fn::Join'])) {
    const [, parts] = r['Fn::Join'] as [string, unknown[]];
    return parts.map((p) => (typeof p === 'string' ? p : resourceName(p))).join('/');
  }
  if (r.Ref) return String(r.Ref);
  return JSON.stringify(resource);
};

const allowedByRole = (stage: string): Map<string, Set<string>> => {
  const document = loadServerlessYml();
  const resources = resolveVariables(document.resources ?? null, document, { stage, region: 'us-east-1' }) as unknown as {
    Resources: Record<string, { Type: string; Properties: { Policies?: { PolicyDocument: { Statement: Statement[] } }[] } }>;
  };
  const roles = new Map<string, Set<string>>();
  for (const [id, resource] of Object.entries(resources.Resources)) {
    if (resource.Type !== 'AWS::IAM::Role') continue;
    const allowed = new Set<string>();
    for (const statement of (resource.Properties.Policies ?? []).flatMap((p) => p.PolicyDocument.Statement)) {
      for (const action of asArray(statement.Action)) for (const r of asArray(statement.Resource)) allowed.add(`${action} ${resourceName(r)}`);
    }
    roles.set(id, allowed);
  }
  return roles;
};

describe('IAM: every DynamoDB and SQS call each function makes is allowed by its role', () => {
  let local: LocalService;
  let running: string | null = null;
  const calls = new Map<string, Set<string>>();
  const restore: Array<() => void> = [];
  const handlers: Record<string, (event: unknown, context: unknown) => Promise<unknown>> = {};

  /** Runs a handler as its function's role: every call it makes is recorded under the role. */
  const as = async <T,>(role: string, action: () => Promise<T>): Promise<T> => {
    running = role;
    try {
      return await action();
    } finally {
      running = null;
    }
  };
  const http = (role: string, name: string, routeKey: string, options: Parameters<typeof anHttpEvent>[1] = {}) =>
    as(role, async () => {
      const response = (await (handlers[name] as HttpHandler)(anHttpEvent(routeKey, { token: name === 'changes' ? FEED_TOKEN : TOKEN, ...options }), aLambdaContext(name))) as {
        statusCode: number;
        body: string;
      };
      return { status: response.statusCode, body: JSON.parse(response.body) as Record<string, unknown> };
    });
  const connectPage = (routeKey: string, options: Parameters<typeof anHttpEvent>[1] & { cookies?: string[] } = {}) =>
    as('ConnectRole', async () => {
      const { cookies, ...rest } = options;
      const event = { ...anHttpEvent(routeKey, rest), ...(cookies ? { cookies } : {}) };
      return (await (handlers.connect as HttpHandler)(event, aLambdaContext('connect'))) as { statusCode: number; body: string; headers: Record<string, string>; cookies?: string[] };
    });
  const drain = () => as('WorkerRole', () => drainQueue(local.emulators.sqs.client, local.config.queues.syncUrl!, handlers.worker as WorkerHandler));

  beforeAll(async () => {
    // OAuth access tokens shorter than the refresh margin: the OAuth tenant's run refreshes (the refresh lock's marker).
    local = await startLocalService({ simulator: { oauthAccessTokenSeconds: 120 } });
    process.env.ADMIN_TOKEN = TOKEN;
    process.env.FEED_TOKEN = FEED_TOKEN;
    const logical = new Map<string, string>([
      [local.config.tables.tenants, 'TenantsTable'],
      [local.config.tables.employees, 'EmployeesTable'],
      [local.config.tables.changes, 'ChangesTable'],
      [local.config.tables.runs, 'RunsTable'],
      [local.config.tables.markers, 'MarkersTable'],
      [local.config.tables.activity, 'ActivityTable'],
      [local.config.queues.syncUrl!, 'JobsQueue'],
      [local.config.queues.dlqUrl!, 'JobsDeadLetterQueue'],
    ]);
    // lib-dynamodb's commands, by the DynamoDB action they perform.
    const DOCUMENT_ACTIONS: Record<string, string> = {
      Get: 'GetItem',
      Put: 'PutItem',
      Update: 'UpdateItem',
      Delete: 'DeleteItem',
      BatchGet: 'BatchGetItem',
      BatchWrite: 'BatchWriteItem',
      TransactWrite: 'TransactWriteItems',
      TransactGet: 'TransactGetItems',
    };
    const record = (client: unknown, command: { constructor: { name: string }; input: Record<string, unknown> }) => {
      if (!running) return;
      const service = client instanceof SQSClient ? 'sqs' : 'dynamodb';
      const name = command.constructor.name.replace(/Command$/, '');
      // SQS's batch calls are allowed by their single action (SendMessageBatch by sqs:SendMessage).
      const action = `${service}:${service === 'sqs' ? name.replace(/Batch$/, '') : (DOCUMENT_ACTIONS[name] ?? name)}`;
      const input = command.input;
      const targets = input.RequestItems ? Object.keys(input.RequestItems as object) : [String(input.TableName ?? input.QueueUrl ?? '?')];
      for (const target of targets) {
        const resource = `${logical.get(target) ?? target}${input.IndexName ? `/index/${String(input.IndexName)}` : ''}`;
        const seen = calls.get(running) ?? new Set<string>();
        seen.add(`${action} ${resource}`);
        calls.set(running, seen);
      }
    };
    // Every AWS SDK client (DynamoDB's, its document client, SQS's) sends through the same base class.
    const base = Object.getPrototypeOf(DynamoDBClient.prototype) as { send: (...args: unknown[]) => unknown };
    const send = base.send;
    base.send = function (this: unknown, ...args: unknown[]) {
      if (this instanceof DynamoDBClient || this instanceof SQSClient || (this as { constructor: { name: string } }).constructor.name === 'DynamoDBDocumentClient') {
        record(this, args[0] as never);
      }
      return send.apply(this, args);
    };
    restore.push(() => {
      base.send = send;
    });
    local.simulator.addCompany({
      subdomain: 'acme',
      keys: [{ apiKey: FAKE_API_KEY }],
      employees: generateEmployees({ count: 30, seed: 3, today: '2026-11-25' }),
      exclusionField: { id: '4501', name: 'skip_elevo_sync' },
    });
    for (const [name, file] of [
      ['scheduler', 'scheduler'],
      ['worker', 'worker'],
      ['webhook', 'webhook'],
      ['admin', 'admin-api'],
      ['changes', 'changes-api'],
      ['connect', 'connect'],
    ] as const) {
      handlers[name] = (await import(`../../functions/${file}.js`)).handler as never;
    }
  }, 60_000);

  afterAll(async () => {
    for (const undo of restore) undo();
    delete process.env.ADMIN_TOKEN;
    delete process.env.FEED_TOKEN;
    await local?.stop();
  });

  it('runs every path of every function, then finds each call in its role', async () => {
    // Act: support registers, previews and syncs; the schedule, webhooks, the product's reads; a
    // summary-backed run, a broken key, a probe; then support removes the tenant
    const company = local.simulator.company('acme');
    expect((await http('AdminRole', 'admin', 'POST /tenants', { body: { tenantId: 'acme', subdomain: 'acme', apiKey: FAKE_API_KEY, exclusionField: true } })).status).toBe(201);
    await local.deps.secrets.put('acme', { apiKey: FAKE_API_KEY, webhookPrivateKey: WEBHOOK_KEY });
    await local.deps.tenants.save({ ...(await local.deps.tenants.get('acme'))!, webhookEnabled: true });
    await http('AdminRole', 'admin', 'POST /tenants/{tenantId}/syncs', { params: { tenantId: 'acme' }, body: { dryRun: true } });
    await http('AdminRole', 'admin', 'POST /tenants/{tenantId}/syncs', { params: { tenantId: 'acme' }, body: {} });
    await drain();
    await as('SchedulerRole', () => (handlers.scheduler as (e: unknown, c: unknown) => Promise<unknown>)({ ...scheduledEvent, time: '2026-11-25T10:00:00Z' }, aLambdaContext('scheduler')));
    await as('SchedulerRole', () => (handlers.scheduler as (e: unknown, c: unknown) => Promise<unknown>)({ ...scheduledEvent, time: '2026-11-25T11:00:30Z' }, aLambdaContext('scheduler')));
    await drain();
    const someone = company.employees().find((e) => e.status === 'Active' && !e.excluded && e.workEmail)!;
    company.updateEmployee(someone.id, { lastName: 'Changed' });
    const body = JSON.stringify({ employees: [{ id: someone.id, action: 'Updated', timestamp: '2026-11-25T11:00:00+00:00', changedFields: ['lastName'], fields: {} }] });
    const timestamp = String(Math.floor(Date.now() / 1000));
    await as('WebhookRole', () =>
      (handlers.webhook as HttpHandler)(
        {
          ...anHttpEvent('POST /webhooks/bamboohr/{tenantId}', { params: { tenantId: 'acme' } }),
          headers: { 'x-bamboohr-signature': signWebhook(body, timestamp, WEBHOOK_KEY), 'x-bamboohr-timestamp': timestamp, 'content-type': 'application/json' },
          body,
        },
        aLambdaContext('webhook'),
      ),
    );
    await drain();
    await http('ChangesApiRole', 'changes', 'GET /tenants/{tenantId}/changes', { params: { tenantId: 'acme' }, query: { after: '0', limit: '5' } });
    const page = await http('ChangesApiRole', 'changes', 'GET /tenants/{tenantId}/employees', { params: { tenantId: 'acme' }, query: { limit: '10' } });
    await http('ChangesApiRole', 'changes', 'GET /tenants/{tenantId}/employees', { params: { tenantId: 'acme' }, query: { limit: '10', cursor: String(page.body.cursor) } });
    for (const [route, query] of [
      ['GET /tenants', {}],
      ['GET /tenants/{tenantId}', {}],
      ['GET /tenants/{tenantId}/runs', {}],
      ['GET /tenants/{tenantId}/activity', {}],
      ['GET /alerts', {}],
      ['GET /tenants/{tenantId}/employees/search', { q: someone.lastName ?? 'x' }],
    ] as const) {
      await http('AdminRole', 'admin', route, { params: { tenantId: 'acme' }, query });
    }
    await http('AdminRole', 'admin', 'GET /tenants/{tenantId}/employees/{employeeId}/explain', { params: { tenantId: 'acme', employeeId: someone.id } });
    // The customer's side: a connect link (admin), the page, OAuth consent and callback, a key that reconnects
    local.simulator.addCompany({
      subdomain: 'globex',
      keys: [{ apiKey: FAKE_API_KEY }],
      employees: generateEmployees({ count: 10, seed: 5, today: '2026-11-25' }),
      exclusionField: { id: '4501', name: 'skip_elevo_sync' },
    });
    const invited = await http('AdminRole', 'admin', 'POST /tenants/{tenantId}/invites', { params: { tenantId: 'globex' }, body: { exclusionField: true } });
    expect(invited.status).toBe(201);
    const inviteToken = String(invited.body.url).split('/connect/')[1]!;
    expect((await connectPage('GET /connect/{token}', { params: { token: inviteToken } })).statusCode).toBe(200);
    const toConsent = await connectPage('GET /connect/{token}/oauth', { params: { token: inviteToken }, query: { subdomain: 'globex' } });
    expect(toConsent.statusCode).toBe(302);
    const consent = await fetch(String(toConsent.headers.location));
    const fields = Object.fromEntries([...(await consent.text()).matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [m[1]!, m[2]!.replace(/&amp;/g, '&')]));
    const approved = await fetch(new URL(String(toConsent.headers.location)).href.split('?')[0]!, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...fields, decision: 'approve' }),
      redirect: 'manual',
    });
    const back = new URL(approved.headers.get('location')!);
    const callback = await connectPage('GET /oauth/bamboohr/callback', {
      query: Object.fromEntries(back.searchParams),
      cookies: (toConsent.cookies ?? []).map((c) => c.split(';')[0]!),
    });
    expect(callback.body).toContain('is connected');
    await http('AdminRole', 'admin', 'POST /tenants/{tenantId}/syncs', { params: { tenantId: 'globex' }, body: {} });
    await drain();
    expect((await local.deps.runs.list('globex', 1))[0]?.status).toBe('succeeded');
    const again = await http('AdminRole', 'admin', 'POST /tenants/{tenantId}/invites', { params: { tenantId: 'globex' }, body: {} });
    const againToken = String(again.body.url).split('/connect/')[1]!;
    const keyed = await connectPage('POST /connect/{token}/key', {
      params: { token: againToken },
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ subdomain: 'globex', apiKey: FAKE_API_KEY }).toString(),
    });
    expect(keyed.body).toContain('is connected');
    company.updateKey(FAKE_API_KEY, { disabled: true });
    await http('AdminRole', 'admin', 'POST /tenants/{tenantId}/syncs', { params: { tenantId: 'acme' }, body: {} });
    await drain();
    company.updateKey(FAKE_API_KEY, { disabled: false });
    await as('SchedulerRole', () => (handlers.scheduler as (e: unknown, c: unknown) => Promise<unknown>)({ ...scheduledEvent, time: '2026-11-26T12:00:00Z' }, aLambdaContext('scheduler')));
    await drain();
    await http('AdminRole', 'admin', 'PATCH /tenants/{tenantId}', { params: { tenantId: 'acme' }, body: { status: 'disabled' } });
    await http('AdminRole', 'admin', 'DELETE /tenants/{tenantId}', { params: { tenantId: 'acme' }, query: { confirm: 'true' } });

    // Assess
    const allowed = allowedByRole(local.config.stage);
    const missing = [...calls].flatMap(([role, made]) => [...made].filter((call) => !allowed.get(role)?.has(call)).map((call) => `${role}: ${call}`));
    expect(missing).toEqual([]);
    // The paths that matter were taken
    expect(calls.get('WorkerRole')).toEqual(expect.any(Set));
    expect([...calls.get('WorkerRole')!]).toEqual(expect.arrayContaining(['dynamodb:BatchGetItem EmployeesTable', 'sqs:DeleteMessage JobsQueue']));
    expect([...calls.get('SchedulerRole')!]).toEqual(expect.arrayContaining(['dynamodb:Query TenantsTable/index/bySlot', 'sqs:SendMessage JobsQueue']));
    expect([...calls.get('ChangesApiRole')!]).toEqual(expect.arrayContaining(['dynamodb:Query ChangesTable', 'dynamodb:Query EmployeesTable']));
    expect([...calls.get('WebhookRole')!]).toEqual(expect.arrayContaining(['sqs:SendMessage JobsQueue']));
    expect([...calls.get('AdminRole')!]).toEqual(expect.arrayContaining(['dynamodb:BatchWriteItem EmployeesTable', 'dynamodb:PutItem MarkersTable']));
    expect([...calls.get('ConnectRole')!]).toEqual(expect.arrayContaining(['dynamodb:PutItem TenantsTable', 'dynamodb:UpdateItem MarkersTable']));
    expect([...calls.get('WorkerRole')!]).toEqual(expect.arrayContaining(['dynamodb:DeleteItem MarkersTable']));
  }, 120_000);
});
