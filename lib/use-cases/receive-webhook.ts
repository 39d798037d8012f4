import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { verifyWebhookSignature } from '../bamboohr/webhook-signature.js';
import { employeesNamedBy, webhookPayloadSchema } from '../bamboohr/webhook-payload.js';
import { errorMessage } from '../errors.js';
import type { Log } from '../logging.js';
import type { SyncJob } from '../model/job.js';
import { tenantIdSchema } from '../model/tenant.js';
import type { Clock, JobQueue, SecretStore, TenantStore } from '../ports.js';

export interface ReceiveWebhookDeps {
  tenants: Pick<TenantStore, 'get'>;
  secrets: Pick<SecretStore, 'get'>;
  queue: JobQueue;
  clock: Clock;
  log: Log;
  settings: { toleranceSeconds: number; maxBodyBytes: number };
}

export interface WebhookRequest {
  tenantId: string;
  rawBody: Buffer;
  /** Header names in any case. */
  headers: Record<string, string | undefined>;
}

export type WebhookResponse =
  | { status: 202; body: { accepted: true; jobId: string; employees: number } }
  | { status: 400 | 401 | 404 | 413 | 503; body: { error: { code: string; message: string } } };

const fail = (status: 400 | 401 | 404 | 413 | 503, code: string, message: string): WebhookResponse => ({
  status,
  body: { error: { code, message } },
});

/** Verified against when the tenant has no webhook key, so that an unknown tenant costs the same. */
const DECOY_KEY = randomBytes(32).toString('hex');

const header = (headers: WebhookRequest['headers'], name: string): string | undefined => {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === wanted) return value;
  return undefined;
};

/**
 * A BambooHR webhook for one tenant: verify the signature over the exact raw bytes, then queue one
 * targeted `employees` job. The payload only says who changed; the worker fetches their current
 * data with the tenant's key. 5xx only when the job could not be queued (BambooHR then retries).
 */
export const receiveWebhook = async (deps: ReceiveWebhookDeps, request: WebhookRequest): Promise<WebhookResponse> => {
  if (request.rawBody.length > deps.settings.maxBodyBytes) {
    return fail(413, 'payload-too-large', `The body is over ${deps.settings.maxBodyBytes} bytes.`);
  }
  const signature = header(request.headers, 'x-bamboohr-signature');
  const timestamp = header(request.headers, 'x-bamboohr-timestamp');

  const validId = tenantIdSchema.safeParse(request.tenantId).success;
  const tenant = validId ? await deps.tenants.get(request.tenantId) : null;
  const secret = tenant && tenant.status !== 'disabled' ? await deps.secrets.get(tenant.tenantId) : null;
  let privateKey = secret?.webhookPrivateKey ?? null;
  const verify = (key: string) =>
    verifyWebhookSignature({ rawBody: request.rawBody, timestamp, signature, privateKey: key, now: deps.clock.now(), toleranceSeconds: deps.settings.toleranceSeconds });
  let verified = verify(privateKey ?? DECOY_KEY);
  if (privateKey === null) return fail(404, 'not-found', 'No such webhook.');
  if (!verified && signature && timestamp) {
    // The cached key may be one support has just rotated: read it again, uncached, once.
    const fresh = (await deps.secrets.get(tenant!.tenantId, { fresh: true }))?.webhookPrivateKey ?? null;
    if (fresh !== null && fresh !== privateKey) {
      privateKey = fresh;
      verified = verify(fresh);
    }
  }
  if (!verified) return fail(401, 'unauthorized', 'Invalid signature.');

  let json: unknown;
  try {
    json = JSON.parse(request.rawBody.toString('utf8'));
  } catch {
    return fail(400, 'invalid-json', 'The body is not JSON.');
  }
  const payload = webhookPayloadSchema.safeParse(json);
  if (!payload.success) {
    return fail(400, 'invalid-payload', `The body is not a BambooHR employee webhook: ${z.prettifyError(payload.error).slice(0, 300)}`);
  }
  const { changed, deleted } = employeesNamedBy(payload.data);
  const jobId = `webhook-${createHash('sha256').update(request.tenantId).update('\n').update(timestamp ?? '').update('\n').update(request.rawBody).digest('hex').slice(0, 40)}`;
  const job: SyncJob = {
    jobId,
    tenantId: request.tenantId,
    kind: 'employees',
    ...(changed.length > 0 ? { employeeIds: changed } : {}),
    ...(deleted.length > 0 ? { deletedEmployeeIds: deleted } : {}),
    requestedAt: deps.clock.now().toISOString(),
    requestedBy: 'webhook',
  };
  try {
    await deps.queue.enqueue([job]);
  } catch (error) {
    deps.log.error('Could not queue the webhook job', { tenantId: request.tenantId, jobId, error: errorMessage(error) });
    return fail(503, 'queue-unavailable', 'The job could not be queued; retry later.');
  }
  deps.log.info('Webhook accepted', { tenantId: request.tenantId, jobId, changed: changed.length, deleted: deleted.length });
  return { status: 202, body: { accepted: true, jobId, employees: changed.length + deleted.length } };
};
