import { signWebhook } from '../../lib/bamboohr/webhook-signature.js';
import { createFreshReadLimiter, receiveWebhook, type ReceiveWebhookDeps } from '../../lib/use-cases/receive-webhook.js';
import { aTenant, FAKE_API_KEY } from '../helpers/builders.js';
import { FixedClock, InMemoryJobQueue, InMemoryMarkerStore, InMemorySecretStore, InMemoryTenantStore, RecordingLog } from '../helpers/in-memory-ports.js';

/**
 * Review of the webhook route: a correctly signed field-based BambooHR webhook that names more than
 * 1,000 employees (a mass change; field-based webhooks can be batched by frequency) is refused with
 * 400 "not a BambooHR employee webhook" (webhookPayloadSchema's .max(1000)), which BambooHR never
 * retries and the handler logs at debug level only. Every change it names waits for the hourly sync.
 * A batch too big for one targeted job should become several jobs, or one full sync.
 */
const NOW = new Date('2026-11-25T10:00:00.000Z');
const timestamp = String(Math.floor(NOW.getTime() / 1000));

const setup = async () => {
  const tenants = new InMemoryTenantStore();
  const secrets = new InMemorySecretStore();
  await tenants.create(aTenant({ tenantId: 'acme', webhookEnabled: true }));
  await secrets.put('acme', { apiKey: FAKE_API_KEY, webhookPrivateKey: 'acme-webhook-key' });
  const queue = new InMemoryJobQueue();
  const clock = new FixedClock(NOW);
  const deps: ReceiveWebhookDeps = {
    tenants,
    secrets,
    queue,
    clock,
    log: new RecordingLog(),
    settings: { toleranceSeconds: 300, maxBodyBytes: 1_048_576 },
    markers: new InMemoryMarkerStore(clock),
    freshReads: createFreshReadLimiter(),
  };
  return { deps, queue };
};

const deliver = (deps: ReceiveWebhookDeps, payload: unknown) => {
  const rawBody = Buffer.from(JSON.stringify(payload));
  return receiveWebhook(deps, {
    tenantId: 'acme',
    rawBody,
    headers: { 'X-BambooHR-Signature': signWebhook(rawBody, timestamp, 'acme-webhook-key'), 'X-BambooHR-Timestamp': timestamp },
  });
};

const queuedIds = (queue: InMemoryJobQueue) => new Set(queue.jobs.flatMap((j) => [...(j.employeeIds ?? []), ...(j.deletedEmployeeIds ?? [])]));

describe('receiveWebhook, a field-based batch of more than 1,000 employees', () => {
  it('does not drop a batch that names 1,500 employees: every one is synced', async () => {
    // Prepare: e.g. a department renamed for 1,500 people, posted in one call
    const { deps, queue } = await setup();
    const ids = Array.from({ length: 1500 }, (_, i) => String(i + 1));
    const payload = { employees: ids.map((id) => ({ id, action: 'Updated', changedFields: ['Department'], fields: { Department: 'R&D' } })) };

    // Act
    const response = await deliver(deps, payload);

    // Assess: 202, and either every id or a full sync is queued
    expect(response.status).toBe(202);
    const full = queue.jobs.some((j) => j.kind === 'full');
    expect(full || ids.every((id) => queuedIds(queue).has(id))).toBe(true);
  });
});
