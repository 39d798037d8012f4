import { readFileSync } from 'node:fs';
import { signWebhook } from '../../lib/bamboohr/webhook-signature.js';
import { receiveWebhook } from '../../lib/use-cases/receive-webhook.js';
import { aTenant, FAKE_API_KEY } from '../helpers/builders.js';
import { aWebhookHarness, WEBHOOK_NOW, webhookSeconds } from '../helpers/webhook-deps.js';
import type { InMemorySecretStore, RecordingLog } from '../helpers/in-memory-ports.js';

const fieldBased = readFileSync(new URL('../../events/webhook-field-based.json', import.meta.url));
const eventBased = readFileSync(new URL('../../events/webhook-event-based.json', import.meta.url));
const NOW = WEBHOOK_NOW;
const nowSeconds = webhookSeconds();

const setup = async () => {
  const { deps, queue, tenants, secrets, clock } = await aWebhookHarness();
  await tenants.create(aTenant({ tenantId: 'globex', subdomain: 'globex', webhookEnabled: true }));
  await tenants.create(aTenant({ tenantId: 'off', subdomain: 'off', status: 'disabled' }));
  await secrets.put('globex', { apiKey: FAKE_API_KEY, webhookPrivateKey: 'globex-webhook-key' });
  await secrets.put('off', { apiKey: FAKE_API_KEY, webhookPrivateKey: 'off-webhook-key' });
  await tenants.create(aTenant({ tenantId: 'nohook', subdomain: 'nohook' }));
  await secrets.put('nohook', { apiKey: FAKE_API_KEY, webhookPrivateKey: null });
  return { deps, queue, secrets, clock };
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

  it('answers a redelivered webhook with the same job id, and queues it once', async () => {
    // Prepare
    const { deps, queue } = await setup();
    const headers = signed(eventBased, 'acme-webhook-key');

    // Act
    const first = await receiveWebhook(deps, { tenantId: 'acme', rawBody: eventBased, headers });
    const again = await receiveWebhook(deps, { tenantId: 'acme', rawBody: eventBased, headers });

    // Assess
    expect(again).toEqual({ status: 202, body: { ...first.body, duplicate: true } });
    expect(queue.jobs).toHaveLength(1);
  });

  it('queues nothing for a captured webhook replayed inside the timestamp window, after SQS would have forgotten it (hardening 12)', async () => {
    // Prepare: signed 290 s ahead of the clock (skew), replayed 580 s later (SQS deduplicates 5 minutes only)
    const { deps, queue, clock } = await setup();
    const headers = signed(eventBased, 'acme-webhook-key', String(Number(nowSeconds) + 290));
    const first = await receiveWebhook(deps, { tenantId: 'acme', rawBody: eventBased, headers });
    clock.advance(580_000);

    // Act
    const replay = await receiveWebhook(deps, { tenantId: 'acme', rawBody: eventBased, headers });

    // Assess
    expect(first.status).toBe(202);
    expect(replay).toMatchObject({ status: 202, body: { duplicate: true } });
    expect(queue.jobs).toHaveLength(1);
  });

  it('accepts BambooHR\'s retry of a webhook whose Lambda died between remembering it and queueing it (review follow-up)', async () => {
    // Prepare: the first delivery never gets past queueing (the function is killed there)
    const { deps, queue, clock } = await setup();
    const headers = signed(eventBased, 'acme-webhook-key');
    const enqueue = queue.enqueue.bind(queue);
    queue.enqueue = () => new Promise(() => undefined);
    void receiveWebhook(deps, { tenantId: 'acme', rawBody: eventBased, headers });
    await new Promise((resolve) => setImmediate(resolve));
    queue.enqueue = enqueue;
    clock.advance(120_000); // BambooHR retries a few minutes later, inside the timestamp window

    // Act
    const retried = await receiveWebhook(deps, { tenantId: 'acme', rawBody: eventBased, headers });

    // Assess
    expect(retried).toMatchObject({ status: 202, body: { accepted: true } });
    expect(retried.body).not.toHaveProperty('duplicate');
    expect(queue.jobs).toHaveLength(1);
  });

  it('forgets a webhook it could not queue, so that BambooHR may deliver it again (hardening 12)', async () => {
    // Prepare
    const { deps, queue } = await setup();
    const headers = signed(eventBased, 'acme-webhook-key');
    const enqueue = queue.enqueue.bind(queue);
    queue.enqueue = async () => {
      throw new Error('SQS down');
    };
    const failed = await receiveWebhook(deps, { tenantId: 'acme', rawBody: eventBased, headers });
    queue.enqueue = enqueue;

    // Act
    const retried = await receiveWebhook(deps, { tenantId: 'acme', rawBody: eventBased, headers });

    // Assess
    expect(failed.status).toBe(503);
    expect(retried).toMatchObject({ status: 202, body: { accepted: true } });
    expect(retried.body).not.toHaveProperty('duplicate');
    expect(queue.jobs).toHaveLength(1);
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

  it.each([['ghost'], ['off'], ['nohook'], ['../etc']])(
    'answers the tenant %s (unknown, disabled, without webhook, not an id) exactly as a bad signature: no tenant can be told from another (hardening 14)',
    async (tenantId) => {
      // Prepare
      const { deps, queue } = await setup();

      // Act
      const response = await receiveWebhook(deps, { tenantId, rawBody: eventBased, headers: signed(eventBased, 'off-webhook-key') });

      // Assess
      expect(response).toEqual({ status: 401, body: { error: { code: 'unauthorized', message: 'Invalid signature.' } } });
      expect(queue.jobs).toEqual([]);
    },
  );

  it('reads a secret uncached (a key support may just have rotated) at most once a minute per tenant, and only for a well-formed, timely signature (hardening 13)', async () => {
    // Prepare
    const { deps, secrets, clock } = await setup();
    const forged = (timestamp = nowSeconds, signature = 'a'.repeat(64)) => ({ 'X-BambooHR-Signature': signature, 'X-BambooHR-Timestamp': timestamp });
    const freshReads = () => secrets.freshReads.filter((id) => id === 'acme').length;

    // Act
    for (let i = 0; i < 20; i += 1) await receiveWebhook(deps, { tenantId: 'acme', rawBody: eventBased, headers: forged() });
    const inOneMinute = freshReads();
    await receiveWebhook(deps, { tenantId: 'acme', rawBody: eventBased, headers: forged(String(Number(nowSeconds) - 3600)) });
    await receiveWebhook(deps, { tenantId: 'acme', rawBody: eventBased, headers: forged(nowSeconds, 'not-hex') });
    clock.advance(61_000);
    await receiveWebhook(deps, { tenantId: 'acme', rawBody: eventBased, headers: forged(String(Number(nowSeconds) + 61)) });

    // Assess
    expect(inOneMinute).toBe(1);
    expect(freshReads()).toBe(2);
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
  ])('answers 400 for %s once signed, and says so in a warning (a forged body is never logged)', async (_case, text, code) => {
    // Prepare
    const { deps, queue } = await setup();
    const body = Buffer.from(text);
    const log = deps.log as RecordingLog;

    // Act
    const forged = await receiveWebhook(deps, { tenantId: 'acme', rawBody: body, headers: signed(body, 'not-the-key') });
    const warningsOfForged = log.lines.filter((l) => l.level === 'warn').length;
    const response = await receiveWebhook(deps, { tenantId: 'acme', rawBody: body, headers: signed(body, 'acme-webhook-key') });

    // Assess
    expect(forged.status).toBe(401);
    expect(warningsOfForged).toBe(0);
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ error: { code } });
    expect(log.lines.filter((l) => l.level === 'warn')).toEqual([
      expect.objectContaining({ message: expect.stringContaining('Signed webhook refused'), extra: [expect.objectContaining({ tenantId: 'acme', code })] }),
    ]);
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
