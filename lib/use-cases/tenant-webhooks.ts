import { BambooHrAuthError, BambooHrRateLimitedError, BambooHrUnavailableError, errorMessage, WebhookNotPermittedError } from '../errors.js';
import type { EmployeeSource } from '../ports.js';

/** What deleting a tenant's webhooks did: how many went, and why others (or the listing) did not. */
export interface WebhookCleanup {
  deleted: number;
  /** Empty when all went; otherwise one reason per failure (the listing's, or each refused deletion's). */
  failures: string[];
}

/** How long a removal or an update waits for BambooHR's webhooks (the admin API's Lambda has 29 s for all of its work). */
export const WEBHOOK_CLEANUP_DEADLINE_MS = 10_000;

/** An id BambooHR gives (numbers; never a path segment such as `..`). */
const WEBHOOK_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Deletes the webhooks the credential's user owns in BambooHR that call `url` (this deployment's
 * route for one tenant: another tenant's, or another deployment's, never match), but `keep`. Each
 * one is tried (BambooHR lets only the credential that made a webhook delete it, so one may be
 * refused while the next is not); a listing that fails is thrown.
 */
export const deleteWebhooksCalling = async (
  source: Pick<EmployeeSource, 'listWebhooks' | 'deleteWebhook'>,
  url: string,
  keep: string | null = null,
): Promise<WebhookCleanup> => {
  const cleanup: WebhookCleanup = { deleted: 0, failures: [] };
  for (const webhook of await source.listWebhooks()) {
    if (webhook.url !== url || webhook.id === keep) continue;
    if (!WEBHOOK_ID.test(webhook.id)) {
      cleanup.failures.push(`webhook '${webhook.id.slice(0, 64)}' has an id this service does not send to BambooHR`);
      continue;
    }
    try {
      await source.deleteWebhook(webhook.id);
      cleanup.deleted += 1;
    } catch (error) {
      cleanup.failures.push(`webhook ${webhook.id}: ${reasonOf(error)}`);
    }
  }
  return cleanup;
};

/** Why BambooHR did not do it, in a few words (BambooHR's own errors carry advice for syncs, not for this). */
export const reasonOf = (error: unknown): string => {
  if (error instanceof WebhookNotPermittedError) return 'the key may not manage webhooks';
  if (error instanceof BambooHrAuthError) return 'BambooHR refused the key';
  if (error instanceof BambooHrRateLimitedError) return 'BambooHR is rate limiting';
  if (error instanceof BambooHrUnavailableError) return 'BambooHR did not answer';
  return errorMessage(error).replace(/\.$/, '');
};

/** The work's result, or `late` when it has not ended within `ms` (it goes on; a late failure is dropped). */
export const withinDeadline = async <T>(work: Promise<T>, ms: number): Promise<T | 'late'> => {
  work.catch(() => undefined);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), ms);
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
};
