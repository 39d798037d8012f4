import { signWebhook } from '../../lib/bamboohr/webhook-signature.js';
import { createFreshReadLimiter, receiveWebhook, type ReceiveWebhookDeps } from '../../lib/use-cases/receive-webhook.js';
import { aTenant, FAKE_API_KEY } from '../helpers/builders.js';
import { FixedClock, InMemoryJobQueue, InMemoryMarkerStore, InMemorySecretStore, InMemoryTenantStore, RecordingLog } from '../helpers/in-memory-ports.js';

/**
 * Review of the webhook route: a correctly signed BambooHR webhook is refused with 400 (which BambooHR
 * never retries, and which the handler logs at debug level only) when a part of the payload the
 * service does not even use ("Only the ids and actions are trusted": fields, changedFields) comes in
 * another shape than the sample. BambooHR is PHP: json_encode writes an empty map as [], not {}.
 * The changes the webhook names then wait for the next hourly full sync.
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

describe('receiveWebhook, signed field-based payloads whose unused parts have another shape', () => {
  it.each([
    ["an empty `fields` written as PHP's []", { fields: [], changedFields: [] }],
    ['changedFields null', { fields: {}, changedFields: null }],
  ])('queues the deletion of a payload with %s', async (_case, parts) => {
    // Prepare
    const { deps, queue } = await setup();
    const payload = {
      employees: [
        { id: '2', action: 'Updated', changedFields: ['Job Title'], fields: { 'Job Title': 'Head of Platform' }, timestamp: '2026-11-25T10:00:00+00:00' },
        { id: '3', action: 'Deleted', ...parts, timestamp: '2026-11-25T10:00:00+00:00' },
      ],
    };

    // Act
    const response = await deliver(deps, payload);

    // Assess
    expect(response.status).toBe(202);
    expect(queue.jobs).toEqual([expect.objectContaining({ employeeIds: ['2'], deletedEmployeeIds: ['3'] })]);
  });
});
