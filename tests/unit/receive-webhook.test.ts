import { readFileSync } from 'node:fs';
import { signWebhook } from '../../lib/bamboohr/webhook-signature.js';
import { receiveWebhook, type ReceiveWebhookDeps } from '../../lib/use-cases/receive-webhook.js';
import { aTenant, FAKE_API_KEY } from '../helpers/builders.js';
import { FixedClock, InMemoryJobQueue, InMemorySecretStore, InMemoryTenantStore, RecordingLog } from '../helpers/in-memory-ports.js';

const fieldBased = readFileSync(new URL('../../events/webhook-field-based.json', import.meta.url));
const eventBased = readFileSync(new URL('../../events/webhook-event-based.json', import.meta.url));
const NOW = new Date('2026-11-25T10:00:00.000Z');
const nowSeconds = String(Math.floor(NOW.getTime() / 1000));

const setup = async () => {
  const tenants = new InMemoryTenantStore();
  const secrets = new InMemorySecretStore();
  await tenants.create(aTenant({ tenantId: 'acme', webhookEnabled: true }));
  await tenants.create(aTenant({ tenantId: 'globex', subdomain: 'globex', webhookEnabled: true }));
  await tenants.create(aTenant({ tenantId: 'off', subdomain: 'off', status: 'disabled' }));
  await secrets.put('acme', { apiKey: FAKE_API_KEY, webhookPrivateKey: 'acme-webhook-key' });
  await secrets.put('globex', { apiKey: FAKE_API_KEY, webhookPrivateKey: 'globex-webhook-key' });
  await secrets.put('off', { apiKey: FAKE_API_KEY, webhookPrivateKey: 'off-webhook-key' });
  const queue = new InMemoryJobQueue();
  const deps: ReceiveWebhookDeps = {
    tenants,
    secrets,
    queue,
    clock: new FixedClock(NOW),
    log: new RecordingLog(),
    settings: { toleranceSeconds: 300, maxBodyBytes: 1_048_576 },
  };
  return { deps, queue };
};

const signed = (body: Buffer | string, key: string, timestamp = nowSeconds) => ({
  'X-BambooHR-Signature': signWebhook(body, timestamp, key),
  'X-BambooHR-Timestamp': timestamp,
});

describe('receiveWebhook', () => {
  it('queues one employees job from a field-based payload, with deletions kept apart', async () => {
    // Prepare
    const { deps, queue } = await setup();

    // Act
    const response = await receiveWebhook(deps, { tenantId: 'acme', rawBody: fieldBased, headers: signed(fieldBased, 'acme-webhook-key') });

    // Assess
    expect(response.status).toBe(202);
    expect(queue.jobs).toEqual([
      expect.objectContaining({ tenantId: 'acme', kind: 'employees', employeeIds: ['2'], deletedEmployeeIds: ['3'], requestedBy: 'webhook' }),
    ]);
  });

  it('queues one employees job from an event-based payload', async () => {
    // Prepare
    const { deps, queue } = await setup();

    // Act
    const response = await receiveWebhook(deps, { tenantId: 'acme', rawBody: eventBased, headers: signed(eventBased, 'acme-webhook-key') });

    // Assess
    expect(response.status).toBe(202);
    expect(queue.jobs[0]).toMatchObject({ employeeIds: ['2'] });
    expect(queue.jobs[0]?.deletedEmployeeIds).toBeUndefined();
  });

  it('gives a redelivered webhook the same job id, so the FIFO queue drops the copy', async () => {
    // Prepare
    const { deps, queue } = await setup();
    const headers = signed(eventBased, 'acme-webhook-key');

    // Act
    await receiveWebhook(deps, { tenantId: 'acme', rawBody: eventBased, headers });
    await receiveWebhook(deps, { tenantId: 'acme', rawBody: eventBased, headers });

    // Assess
    expect(queue.jobs[0]?.jobId).toBe(queue.jobs[1]?.jobId);
  });

  it.each([
    ['a wrong key', () => signed(eventBased, 'not-the-key'), eventBased],
    ['a body altered by a byte', () => signed(eventBased, 'acme-webhook-key'), Buffer.from(eventBased.toString().replace('"2"', '"3"'))],
    ['a whitespace change', () => signed(eventBased, 'acme-webhook-key'), Buffer.concat([eventBased, Buffer.from(' ')])],
    ['a replay beyond the window', () => signed(eventBased, 'acme-webhook-key', String(Number(nowSeconds) - 301)), eventBased],
    ['a timestamp from the future', () => signed(eventBased, 'acme-webhook-key', String(Number(nowSeconds) + 301)), eventBased],
    ['no headers', () => ({}), eventBased],
    ["tenant B's valid signature on tenant A's URL", () => signed(eventBased, 'globex-webhook-key'), eventBased],
  ])('refuses %s with a bare 401 and queues nothing', async (_case, headers, body) => {
    // Prepare
    const { deps, queue } = await setup();

    // Act
    const response = await receiveWebhook(deps, { tenantId: 'acme', rawBody: body, headers: headers() });

    // Assess
    expect(response).toEqual({ status: 401, body: { error: { code: 'unauthorized', message: 'Invalid signature.' } } });
    expect(queue.jobs).toEqual([]);
  });

  it.each([['ghost'], ['off'], ['../etc']])('answers 404 for unknown or disabled tenant %s', async (tenantId) => {
    // Prepare
    const { deps, queue } = await setup();

    // Act
    const response = await receiveWebhook(deps, { tenantId, rawBody: eventBased, headers: signed(eventBased, 'off-webhook-key') });

    // Assess
    expect(response.status).toBe(404);
    expect(queue.jobs).toEqual([]);
  });

  it('answers 413 for a body over the limit, before anything else', async () => {
    // Prepare
    const { deps } = await setup();
    const huge = Buffer.alloc(10 * 1024 * 1024, 'a');

    // Act
    const response = await receiveWebhook(deps, { tenantId: 'acme', rawBody: huge, headers: signed(huge, 'acme-webhook-key') });

    // Assess
    expect(response.status).toBe(413);
  });

  it.each([
    ['invalid JSON', '{"employees": [', 'invalid-json'],
    ['a body of the wrong shape', '{"hello":"world"}', 'invalid-payload'],
    ['a non-numeric employee id', '{"type":"employee.updated","data":{"employeeId":"1; drop"}}', 'invalid-payload'],
  ])('answers 400 for %s once signed', async (_case, text, code) => {
    // Prepare
    const { deps, queue } = await setup();
    const body = Buffer.from(text);

    // Act
    const response = await receiveWebhook(deps, { tenantId: 'acme', rawBody: body, headers: signed(body, 'acme-webhook-key') });

    // Assess
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ error: { code } });
    expect(queue.jobs).toEqual([]);
  });

  it('answers 503 only when the job could not be queued', async () => {
    // Prepare
    const { deps } = await setup();
    deps.queue.enqueue = async () => {
      throw new Error('SQS down');
    };

    // Act
    const response = await receiveWebhook(deps, { tenantId: 'acme', rawBody: eventBased, headers: signed(eventBased, 'acme-webhook-key') });

    // Assess
    expect(response.status).toBe(503);
  });

  it('accepts a webhook signed with a key support has just rotated, though the old one is still cached', async () => {
    // Prepare
    const { deps, queue } = await setup();
    const secrets = deps.secrets as InMemorySecretStore;
    secrets.cached.set('acme', { apiKey: FAKE_API_KEY, webhookPrivateKey: 'acme-webhook-key' });
    await secrets.put('acme', { apiKey: FAKE_API_KEY, webhookPrivateKey: 'rotated-webhook-key' });

    // Act
    const response = await receiveWebhook(deps, { tenantId: 'acme', rawBody: eventBased, headers: signed(eventBased, 'rotated-webhook-key') });

    // Assess
    expect(response.status).toBe(202);
    expect(queue.jobs).toHaveLength(1);
  });
});
