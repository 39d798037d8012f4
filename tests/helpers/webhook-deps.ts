import { createFreshReadLimiter, type ReceiveWebhookDeps } from '../../lib/use-cases/receive-webhook.js';
import type { JobQueue } from '../../lib/ports.js';
import { aTenant, FAKE_API_KEY } from './builders.js';
import { FixedClock, InMemoryJobQueue, InMemoryMarkerStore, InMemorySecretStore, InMemoryTenantStore, RecordingLog } from './in-memory-ports.js';

export const WEBHOOK_NOW = new Date('2026-11-25T10:00:00.000Z');
/** The BambooHR timestamp header of WEBHOOK_NOW (seconds), `offset` seconds later. */
export const webhookSeconds = (offset = 0): string => String(Math.floor(WEBHOOK_NOW.getTime() / 1000) + offset);

/**
 * The webhook route's ports, in memory, with tenant `acme` signing with `acme-webhook-key` (more
 * tenants can be added to `tenants` and `secrets`). `queue` defaults to an in-memory one.
 */
export const aWebhookHarness = async <Q extends JobQueue = InMemoryJobQueue>(options: { queue?: Q } = {}) => {
  const tenants = new InMemoryTenantStore();
  const secrets = new InMemorySecretStore();
  await tenants.create(aTenant({ tenantId: 'acme', webhookEnabled: true }));
  await secrets.put('acme', { apiKey: FAKE_API_KEY, webhookPrivateKey: 'acme-webhook-key' });
  const queue = (options.queue ?? new InMemoryJobQueue()) as Q;
  const clock = new FixedClock(WEBHOOK_NOW);
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
  return { deps, queue, tenants, secrets, clock };
};
