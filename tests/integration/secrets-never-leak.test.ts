import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { generateEmployees } from '../../dev/bamboohr-simulator/demo-data.js';
import { signWebhook } from '../../lib/bamboohr/webhook-signature.js';
import { FAKE_API_KEY } from '../helpers/builders.js';
import { aLambdaContext, anHttpEvent, drainQueue, type WorkerHandler } from '../helpers/lambda.js';
import { startLocalService, type LocalService } from '../helpers/local-service.js';

const WEBHOOK_KEY = 'whk-7d1e0c9b2a4f4e6a8b0c2d4e6f8a0b1c';
type HttpHandler = (event: unknown, context: unknown) => Promise<{ statusCode: number; body: string }>;

describe('the API key and webhook key never leak', () => {
  let local: LocalService;
  const seen: string[] = [];
  const writes = { stdout: process.stdout.write.bind(process.stdout), stderr: process.stderr.write.bind(process.stderr) };

  beforeAll(async () => {
    process.env.TEST_LOG_LEVEL = 'DEBUG';
    local = await startLocalService();
    process.env.ADMIN_TOKEN = 'leak-test-token';
    // Capture every line any handler logs (Powertools writes JSON lines to stdout/stderr).
    process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) => (seen.push(String(chunk)), writes.stdout(chunk, ...rest))) as typeof process.stdout.write;
    process.stderr.write = ((chunk: string | Uint8Array, ...rest: never[]) => (seen.push(String(chunk)), writes.stderr(chunk, ...rest))) as typeof process.stderr.write;
  });

  afterAll(async () => {
    process.stdout.write = writes.stdout;
    process.stderr.write = writes.stderr;
    delete process.env.TEST_LOG_LEVEL;
    delete process.env.ADMIN_TOKEN;
    await local?.stop();
  });

  it('appears in no log line, error, API answer, DynamoDB item or SQS body through every flow', async () => {
    // Prepare
    local.simulator.addCompany({
      subdomain: 'acme',
      keys: [{ apiKey: FAKE_API_KEY }],
      employees: generateEmployees({ count: 15, seed: 3, today: '2026-11-25' }),
    });
    const admin = (await import('../../functions/admin-api.js')).handler as unknown as HttpHandler;
    const webhook = (await import('../../functions/webhook.js')).handler as unknown as HttpHandler;
    const worker = (await import('../../functions/worker.js')).handler as unknown as WorkerHandler;
    const answers: string[] = [];
    const call = async (routeKey: string, options: Parameters<typeof anHttpEvent>[1] = {}) => {
      const response = await admin(anHttpEvent(routeKey, { token: 'leak-test-token', ...options }), aLambdaContext('admin'));
      answers.push(response.body);
      return response;
    };

    // Act: register (with a refused attempt), sync, a webhook, a failing key, every read
    await call('POST /tenants', { body: { tenantId: 'acme', subdomain: 'acme', apiKey: `${FAKE_API_KEY}x` } });
    await call('POST /tenants', { body: { tenantId: 'acme', subdomain: 'acme', apiKey: FAKE_API_KEY, webhookPrivateKey: WEBHOOK_KEY } });
    await call('POST /tenants/{tenantId}/syncs', { params: { tenantId: 'acme' }, body: {} });
    await drainQueue(local.emulators.sqs.client, local.config.queues.syncUrl!, worker);
    const body = JSON.stringify({ type: 'employee.updated', data: { employeeId: '2' } });
    const timestamp = String(Math.floor(Date.now() / 1000));
    for (const key of [WEBHOOK_KEY, 'forged']) {
      const response = await webhook(
        { headers: { 'x-bamboohr-signature': signWebhook(body, timestamp, key), 'x-bamboohr-timestamp': timestamp }, pathParameters: { tenantId: 'acme' }, body },
        aLambdaContext('webhook'),
      );
      answers.push(response.body);
    }
    await drainQueue(local.emulators.sqs.client, local.config.queues.syncUrl!, worker);
    local.simulator.injectFault({ kind: 'status', status: 401, subdomain: 'acme', times: 5 });
    await call('POST /tenants/{tenantId}/syncs', { params: { tenantId: 'acme' }, body: { dryRun: true } });
    await call('POST /tenants/{tenantId}/syncs', { params: { tenantId: 'acme' }, body: {} });
    await drainQueue(local.emulators.sqs.client, local.config.queues.syncUrl!, worker);
    local.simulator.clearFaults();
    for (const routeKey of ['GET /tenants', 'GET /tenants/{tenantId}', 'GET /tenants/{tenantId}/runs']) await call(routeKey, { params: { tenantId: 'acme' } });
    await call('PATCH /tenants/{tenantId}', { params: { tenantId: 'acme' }, body: { apiKey: FAKE_API_KEY } });

    // Assess
    const items: string[] = [];
    for (const TableName of Object.values(local.config.tables)) {
      const scanned = await local.emulators.dynamodb.client.send(new ScanCommand({ TableName }));
      items.push(JSON.stringify(scanned.Items));
    }
    for (const QueueUrl of [local.config.queues.syncUrl!, local.config.queues.dlqUrl!]) {
      const peeked = await local.emulators.sqs.client.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 0 }));
      items.push(JSON.stringify(peeked.Messages ?? []));
    }
    const runs = await local.deps.runs.list('acme', 20);
    expect(runs.some((r) => r.error?.code === 'bamboohr-key-rejected')).toBe(true); // the failing path did run
    expect(seen.join('')).toContain('"service":"bamboohr-sync"'); // the handlers' logs were captured
    expect(answers.some((a) => a.includes('bamboohr-key-rejected'))).toBe(true);
    for (const secret of [FAKE_API_KEY, WEBHOOK_KEY, Buffer.from(`${FAKE_API_KEY}:x`).toString('base64')]) {
      expect(seen.join('\n')).not.toContain(secret);
      expect(answers.join('\n')).not.toContain(secret);
      expect(items.join('\n')).not.toContain(secret);
      expect(JSON.stringify(runs)).not.toContain(secret);
    }
  });
});
