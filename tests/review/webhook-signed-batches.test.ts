import { signWebhook } from '../../lib/bamboohr/webhook-signature.js';
import { receiveWebhook, type ReceiveWebhookDeps } from '../../lib/use-cases/receive-webhook.js';
import type { InMemoryJobQueue } from '../helpers/in-memory-ports.js';
import { aWebhookHarness, webhookSeconds } from '../helpers/webhook-deps.js';

/**
 * Reviews of the webhook route: a correctly signed BambooHR webhook was refused with 400 (which
 * BambooHR never retries; the changes then waited for the hourly sync) when
 * - a part of the payload the service does not use came in another shape than the sample (BambooHR is
 *   PHP: json_encode writes an empty map as [], not {});
 * - a field-based batch named more than 1,000 employees (a mass change; they can be batched).
 */
const deliver = (deps: ReceiveWebhookDeps, payload: unknown) => {
  const rawBody = Buffer.from(JSON.stringify(payload));
  const timestamp = webhookSeconds();
  return receiveWebhook(deps, {
    tenantId: 'acme',
    rawBody,
    headers: { 'X-BambooHR-Signature': signWebhook(rawBody, timestamp, 'acme-webhook-key'), 'X-BambooHR-Timestamp': timestamp },
  });
};

const queuedIds = (queue: InMemoryJobQueue) => new Set(queue.jobs.flatMap((j) => [...(j.employeeIds ?? []), ...(j.deletedEmployeeIds ?? [])]));

describe('receiveWebhook, signed field-based payloads whose unused parts have another shape', () => {
  it.each([
    ["an empty `fields` written as PHP's []", { fields: [], changedFields: [] }],
    ['changedFields null', { fields: {}, changedFields: null }],
  ])('queues the deletion of a payload with %s', async (_case, parts) => {
    // Prepare
    const { deps, queue } = await aWebhookHarness();
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

describe('receiveWebhook, a field-based batch of more than 1,000 employees', () => {
  it('does not drop a batch that names 1,500 employees: one full sync covers them', async () => {
    // Prepare: e.g. a department renamed for 1,500 people, posted in one call
    const { deps, queue } = await aWebhookHarness();
    const ids = Array.from({ length: 1500 }, (_, i) => String(i + 1));
    const payload = { employees: ids.map((id) => ({ id, action: 'Updated', changedFields: ['Department'], fields: { Department: 'R&D' } })) };

    // Act
    const response = await deliver(deps, payload);

    // Assess
    expect(response.status).toBe(202);
    expect(queue.jobs).toEqual([expect.objectContaining({ tenantId: 'acme', kind: 'full', requestedBy: 'webhook' })]);
    expect(queuedIds(queue).size).toBe(0);
  });
});
