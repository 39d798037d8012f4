import { readFileSync } from 'node:fs';
import type { TenantSecret } from '../../lib/ports.js';
import { receiveWebhook } from '../../lib/use-cases/receive-webhook.js';
import { aTenant, FAKE_API_KEY } from '../helpers/builders.js';
import { aWebhookHarness, webhookSeconds } from '../helpers/webhook-deps.js';

const eventBased = readFileSync(new URL('../../events/webhook-event-based.json', import.meta.url));

/** A monotonic clock that only moves when the code under test waits: secret reads and the floor's sleep. */
const aFakeTimer = () => {
  let now = 1_000;
  return { elapsedMs: () => now, advance: (ms: number) => (now += ms), sleep: async (ms: number) => void (now += ms) };
};

/**
 * Hardening 14 says no tenant can be told from another by the webhook route. The answers were the
 * same, but not their time (review of the webhook route): a forged, well-formed, timely signature for
 * a customer costs secret reads (one uncached, once a minute), for an unknown tenant none. Every
 * refusal now ends at the same floor after the request's start; accepted webhooks do not wait.
 */
describe('receiveWebhook: refusals take the same time, whoever the tenant', () => {
  it('ends a forged request for a customer, an unknown id, a disabled and a webhook-less tenant at the same time', async () => {
    // Prepare: each secret read takes 40 ms on the fake clock
    const timer = aFakeTimer();
    const { deps, tenants, secrets } = await aWebhookHarness();
    await tenants.create(aTenant({ tenantId: 'off', subdomain: 'off', status: 'disabled' }));
    await secrets.put('off', { apiKey: FAKE_API_KEY, webhookPrivateKey: 'off-key' });
    await tenants.create(aTenant({ tenantId: 'nohook', subdomain: 'nohook' }));
    await secrets.put('nohook', { apiKey: FAKE_API_KEY, webhookPrivateKey: null });
    const read = secrets.get.bind(secrets);
    secrets.get = async (tenantId: string, options?: { fresh?: boolean }): Promise<TenantSecret | null> => {
      timer.advance(40);
      return read(tenantId, options);
    };
    deps.refusalFloor = { floorMs: 250, elapsedMs: timer.elapsedMs, sleep: timer.sleep };
    const forged = { 'X-BambooHR-Signature': 'ab'.repeat(32), 'X-BambooHR-Timestamp': webhookSeconds() };
    const took = async (tenantId: string) => {
      const started = timer.elapsedMs();
      const response = await receiveWebhook(deps, { tenantId, rawBody: eventBased, headers: forged });
      return { status: response.status, ms: timer.elapsedMs() - started };
    };

    // Act
    const times = [await took('acme'), await took('ghost'), await took('off'), await took('nohook'), await took('Not An Id')];

    // Assess
    expect(times).toEqual(Array.from({ length: 5 }, () => ({ status: 401, ms: 250 })));
  });

  it('does not hold back an accepted webhook', async () => {
    // Prepare
    const timer = aFakeTimer();
    const { deps } = await aWebhookHarness();
    deps.refusalFloor = { floorMs: 250, elapsedMs: timer.elapsedMs, sleep: timer.sleep };
    const { signWebhook } = await import('../../lib/bamboohr/webhook-signature.js');
    const timestamp = webhookSeconds();

    // Act
    const response = await receiveWebhook(deps, {
      tenantId: 'acme',
      rawBody: eventBased,
      headers: { 'X-BambooHR-Signature': signWebhook(eventBased, timestamp, 'acme-webhook-key'), 'X-BambooHR-Timestamp': timestamp },
    });

    // Assess
    expect(response.status).toBe(202);
    expect(timer.elapsedMs()).toBe(1_000);
  });
});
