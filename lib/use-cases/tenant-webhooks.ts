import { BambooHrAuthError, BambooHrRateLimitedError, BambooHrUnavailableError, errorMessage, OAuthGrantRefusedError, WebhookNotPermittedError } from '../errors.js';
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
const reasonOf = (error: unknown): string => {
  if (error instanceof WebhookNotPermittedError) return 'the key may not manage webhooks';
  if (error instanceof BambooHrAuthError) return 'BambooHR refused the key';
  if (error instanceof BambooHrRateLimitedError) return 'BambooHR is rate limiting';
  if (error instanceof BambooHrUnavailableError) return 'BambooHR did not answer';
  return errorMessage(error).replace(/\.$/, '');
};

/**
 * A clean-up given at most `ms` (it goes on after that; a late failure is dropped). A listing that
 * failed or came too late is one failure; `refused` says the listing failed because BambooHR refused
 * the credential (a customer who left), which a caller may take as no news.
 */
export const cleanUpWithin = async (work: Promise<WebhookCleanup>, ms: number = WEBHOOK_CLEANUP_DEADLINE_MS): Promise<WebhookCleanup & { refused: boolean }> => {
  work.catch(() => undefined);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), ms);
  });
  try {
    const cleanup = await Promise.race([work, late]);
    if (cleanup === 'late') return { deleted: 0, failures: ['BambooHR did not answer in time'], refused: false };
    return { ...cleanup, refused: false };
  } catch (error) {
    const refused = error instanceof BambooHrAuthError || error instanceof WebhookNotPermittedError || error instanceof OAuthGrantRefusedError;
    return { deleted: 0, failures: [reasonOf(error)], refused };
  } finally {
    clearTimeout(timer);
  }
};
