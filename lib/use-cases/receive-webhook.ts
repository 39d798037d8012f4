import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { parseWebhookTimestamp, verifyWebhookSignature } from '../bamboohr/webhook-signature.js';
import { employeesNamedBy, webhookPayloadSchema } from '../bamboohr/webhook-payload.js';
import { errorMessage } from '../errors.js';
import type { Log } from '../logging.js';
import { MAX_JOB_EMPLOYEES, type SyncJob } from '../model/job.js';
import { tenantIdSchema } from '../model/tenant.js';
import type { Clock, JobQueue, MarkerStore, SecretStore, TenantStore } from '../ports.js';

export interface ReceiveWebhookDeps {
  tenants: Pick<TenantStore, 'get'>;
  secrets: Pick<SecretStore, 'get'>;
  queue: JobQueue;
  clock: Clock;
  log: Log;
  settings: { toleranceSeconds: number; maxBodyBytes: number };
  /** Remembers the signatures accepted within the timestamp window: a replay queues nothing. */
  markers: MarkerStore;
  /** Limits uncached secret reads per tenant (see createFreshReadLimiter). */
  freshReads: FreshReadLimiter;
  /**
   * Every refusal (401) takes at least `floorMs` from the request's start, so that its time does not
   * tell a customer's tenant (secret reads) from an unknown one (none). `elapsedMs` is a monotonic
   * clock. Absent: refusals answer at once.
   */
  refusalFloor?: { floorMs: number; elapsedMs: () => number; sleep: (ms: number) => Promise<void> };
}

/** The refusal floor the webhook Lambda uses: above a tenant read, a cached and an uncached secret read. */
export const DEFAULT_REFUSAL_FLOOR_MS = 250;

export interface WebhookRequest {
  tenantId: string;
  rawBody: Buffer;
  /** Header names in any case. */
  headers: Record<string, string | undefined>;
}

export type WebhookResponse =
  | { status: 202; body: { accepted: true; jobId: string; employees: number; duplicate?: true } }
  | { status: 400 | 401 | 413 | 503; body: { error: { code: string; message: string } } };

const fail = (status: 400 | 401 | 413 | 503, code: string, message: string): WebhookResponse => ({
  status,
  body: { error: { code, message } },
});

/**
 * Every refusal is this one answer: an unknown, disabled or webhook-less tenant cannot be told from
 * a known one with a bad signature, so the route does not reveal which tenant ids exist.
 */
const REFUSED = (): WebhookResponse => fail(401, 'unauthorized', 'Invalid signature.');

/** Verified against when the tenant has no webhook key, so that an unknown tenant costs the same. */
const DECOY_KEY = randomBytes(32).toString('hex');

const header = (headers: WebhookRequest['headers'], name: string): string | undefined => {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === wanted) return value;
  return undefined;
};

/** Whether a tenant's secret may be read uncached now: at most once a minute per tenant and process. */
export interface FreshReadLimiter {
  allow(tenantId: string, now: Date): boolean;
}

export const createFreshReadLimiter = (intervalMs = 60_000): FreshReadLimiter => {
  const last = new Map<string, number>();
  return {
    allow: (tenantId, now) => {
      const previous = last.get(tenantId);
      if (previous !== undefined && now.getTime() - previous < intervalMs) return false;
      if (last.size > 10_000) last.clear();
      last.set(tenantId, now.getTime());
      return true;
    },
  };
};

const SIGNATURE_SHAPE = /^(sha256=)?[0-9a-f]{64}$/i;

/** How long a webhook is remembered while its job is being queued (the function's own timeout is 10 s). */
const IN_FLIGHT_CLAIM_MS = 60_000;

/**
 * A BambooHR webhook for one tenant: verify the signature over the exact raw bytes, then queue one
 * targeted `employees` job. The payload only says who changed; the worker fetches their current
 * data with the tenant's key. 5xx only when the job could not be queued (BambooHR then retries).
 *
 * Costs are bounded for a flood of forged requests: the secret comes from a cache, and is read
 * uncached (to catch a key support has just rotated) only for a well-formed signature with a timely
 * timestamp, at most once a minute per tenant. An accepted signature is remembered for the whole
 * timestamp window, so that a captured webhook replayed within it queues nothing.
 */
export const receiveWebhook = async (deps: ReceiveWebhookDeps, request: WebhookRequest): Promise<WebhookResponse> => {
  const floor = deps.refusalFloor;
  const started = floor?.elapsedMs() ?? 0;
  const refused = async (): Promise<WebhookResponse> => {
    if (floor) {
      const wait = floor.floorMs - (floor.elapsedMs() - started);
      if (wait > 0) await floor.sleep(wait);
    }
    return REFUSED();
  };
  if (request.rawBody.length > deps.settings.maxBodyBytes) {
    return fail(413, 'payload-too-large', `The body is over ${deps.settings.maxBodyBytes} bytes.`);
  }
  const signature = header(request.headers, 'x-bamboohr-signature');
  const timestamp = header(request.headers, 'x-bamboohr-timestamp');
  const now = deps.clock.now();

  const validId = tenantIdSchema.safeParse(request.tenantId).success;
  const tenant = validId ? await deps.tenants.get(request.tenantId) : null;
  const secret = tenant && tenant.status !== 'disabled' ? await deps.secrets.get(tenant.tenantId) : null;
  let privateKey = secret?.webhookPrivateKey ?? null;
  const verify = (key: string) =>
    verifyWebhookSignature({ rawBody: request.rawBody, timestamp, signature, privateKey: key, now, toleranceSeconds: deps.settings.toleranceSeconds });
  let verified = privateKey !== null && verify(privateKey);
  if (privateKey === null) verify(DECOY_KEY);
  const sentAt = timestamp ? parseWebhookTimestamp(timestamp) : null;
  const timely = sentAt !== null && Math.abs(now.getTime() - sentAt) <= deps.settings.toleranceSeconds * 1000;
  // The cached key may be one support has just rotated; or none is cached while the tenant says it has
  // one (support has just added it): read it again, uncached.
  const maybeStale = privateKey !== null || tenant?.webhookEnabled === true;
  if (!verified && secret && maybeStale && timely && SIGNATURE_SHAPE.test(signature?.trim() ?? '') && deps.freshReads.allow(tenant!.tenantId, now)) {
    const fresh = (await deps.secrets.get(tenant!.tenantId, { fresh: true }))?.webhookPrivateKey ?? null;
    if (fresh !== null && fresh !== privateKey) {
      privateKey = fresh;
      verified = verify(fresh);
    }
  }
  if (!verified) return refused();

  // Signed with the tenant's key from here: a refusal is BambooHR's webhook set up wrong (its format,
  // its kind), which it will send again and again, so it is logged for support (not only counted).
  const signedButRefused = (code: string, message: string): WebhookResponse => {
    deps.log.warn('Signed webhook refused: check its format in BambooHR (JSON, employee changes)', { tenantId: request.tenantId, code, message });
    return fail(400, code, message);
  };
  let json: unknown;
  try {
    json = JSON.parse(request.rawBody.toString('utf8'));
  } catch {
    return signedButRefused('invalid-json', 'The body is not JSON.');
  }
  const payload = webhookPayloadSchema.safeParse(json);
  if (!payload.success) {
    return signedButRefused('invalid-payload', `The body is not a BambooHR employee webhook: ${z.prettifyError(payload.error).slice(0, 300)}`);
  }
  const { changed, deleted } = employeesNamedBy(payload.data);
  const jobId = `webhook-${createHash('sha256').update(request.tenantId).update('\n').update(timestamp ?? '').update('\n').update(request.rawBody).digest('hex').slice(0, 40)}`;
  const accepted = { accepted: true as const, jobId, employees: changed.length + deleted.length };
  // Remembered past the whole window the timestamp is accepted in (either side of it).
  const marker = `webhook#${request.tenantId}#${(signature ?? '').trim().toLowerCase().replace(/^sha256=/, '')}`;
  const rememberUntil = new Date((sentAt ?? now.getTime()) + deps.settings.toleranceSeconds * 1000 + 60_000);
  // Claimed for a minute while the job is queued, then for the whole window: a function that dies in
  // between leaves a claim that soon lapses, so BambooHR's retry of the same webhook is accepted.
  if (!(await deps.markers.claim(marker, new Date(now.getTime() + IN_FLIGHT_CLAIM_MS)))) {
    deps.log.info('Webhook already accepted: nothing queued again', { tenantId: request.tenantId, jobId });
    return { status: 202, body: { ...accepted, duplicate: true } };
  }
  // More people than a targeted job takes (a mass change): one full sync covers them all.
  const full = changed.length > MAX_JOB_EMPLOYEES || deleted.length > MAX_JOB_EMPLOYEES;
  const job: SyncJob = {
    jobId,
    tenantId: request.tenantId,
    ...(full
      ? { kind: 'full' as const }
      : {
          kind: 'employees' as const,
          ...(changed.length > 0 ? { employeeIds: changed } : {}),
          ...(deleted.length > 0 ? { deletedEmployeeIds: deleted } : {}),
        }),
    // The webhook's own time (not the receipt's): the same webhook is always the same job and run.
    requestedAt: new Date(sentAt ?? now.getTime()).toISOString(),
    requestedBy: 'webhook',
  };
  try {
    await deps.queue.enqueue([job]);
  } catch (error) {
    deps.log.error('Could not queue the webhook job', { tenantId: request.tenantId, jobId, error: errorMessage(error) });
    await deps.markers.release(marker).catch(() => undefined);
    return fail(503, 'queue-unavailable', 'The job could not be queued; retry later.');
  }
  await deps.markers.renew(marker, rememberUntil).catch((error: unknown) => deps.log.warn('Could not remember the webhook for its whole window', { jobId, error: errorMessage(error) }));
  deps.log.info('Webhook accepted', { tenantId: request.tenantId, jobId, changed: changed.length, deleted: deleted.length });
  return { status: 202, body: accepted };
};
