import { errorMessage } from '../errors.js';
import type { Log } from '../logging.js';
import type { DeliveredJob, JobDeadLetters, JobRetries } from '../ports.js';
import { decideRetry, parseSyncJob, processSyncJob, type ProcessedJob } from './process-sync-job.js';
import type { SyncJob } from '../model/job.js';
import { GiveUpError, parkAfterGivingUp, RetryLaterError, runIdFor, type SyncTenantDeps } from './sync-tenant.js';

/** One SQS delivery of a job, as the worker receives it. */
export interface Delivery extends DeliveredJob {
  receiptHandle: string;
  receiveCount: number;
  /** When the worker received it (epoch ms; default: when handling starts): SQS counts its 12 h of visibility from there. */
  receivedAt?: number;
}

/** SQS keeps a received message invisible at most 12 h from its receive (a longer request is refused). */
const MAX_VISIBILITY_SECONDS = 43_200;
/** Room for the time between now and SQS applying the request. */
const VISIBILITY_MARGIN_SECONDS = 60;

export interface DeliveryPolicy {
  /** Failed attempts of a job (rate-limit waits aside) before it goes to the dead-letter queue. */
  maxAttempts: number;
  /** The queue's own maxReceiveCount (serverless.yml): its last allowed receive. */
  maxReceiveCount: number;
  /** The longest one job may take: a record is only started with at least this much time left. */
  recordBudgetMs: number;
}

export type HandleSyncDeliveryDeps = SyncTenantDeps & { retries: JobRetries; jobDeadLetters: JobDeadLetters; policy: DeliveryPolicy };

export type DeliveryResult = ProcessedJob | { outcome: 'dead-lettered'; reason: string };

/** Not started for lack of time: back in the queue at once, counted as no attempt. */
export class NotStartedError extends Error {
  constructor(readonly remainingMs: number) {
    super(`Not started: ${Math.round(remainingMs / 1000)} s left in this invocation, less than one job may need. It comes back at once.`);
    this.name = 'NotStartedError';
  }
}

/**
 * One delivery of a sync job, deliberately handled whatever happens. Resolves when SQS may delete
 * the message (done, held, skipped, dropped, or moved to the dead-letter queue by the worker itself);
 * rejects when it must come back, after making it visible again when it should (see decideRetry).
 */
export const handleSyncDelivery = async (deps: HandleSyncDeliveryDeps, delivery: Delivery, remainingMs: number, log: Log = deps.log): Promise<DeliveryResult> => {
  const receivedAt = delivery.receivedAt ?? deps.clock.now().getTime();
  if (remainingMs < deps.policy.recordBudgetMs) {
    await deps.retries.retryLater(delivery.receiptHandle, 0);
    throw new NotStartedError(remainingMs);
  }
  try {
    return await processSyncJob(deps, parseSyncJob(delivery.body), log);
  } catch (error) {
    const decision = decideRetry({ error, receiveCount: delivery.receiveCount, maxAttempts: deps.policy.maxAttempts, maxReceiveCount: deps.policy.maxReceiveCount });
    if (decision.action === 'dead-letter') {
      await deps.jobDeadLetters.deadLetter(delivery, decision.reason);
      log.error('Sync job moved to the dead-letter queue', { messageId: delivery.messageId, reason: decision.reason });
      if (error instanceof RetryLaterError || error instanceof GiveUpError) await parkAfterGivingUp(deps, error.run, decision.reason);
      const job = jobOf(delivery.body);
      await deps.activity.record({
        tenantId: job?.tenantId ?? delivery.groupId,
        type: 'dead-lettered',
        actor: 'worker',
        runId: job ? runIdFor(job) : null,
        message:
          `${job ? `Job ${job.jobId}` : 'A message that is not a sync job'} was moved to the dead-letter queue: ${decision.reason}. ` +
          `Fix the cause, then send it back with: bamboohr-sync dlq redrive ${delivery.messageId}`,
        details: { messageId: delivery.messageId, jobId: job?.jobId ?? null },
      });
      return { outcome: 'dead-lettered', reason: decision.reason };
    }
    if (!(error instanceof RetryLaterError)) log.error('Sync job failed', { error: errorMessage(error) });
    // Whatever was asked, within what SQS allows this delivery (its 12 h count from the receive).
    const inFlightSeconds = Math.ceil((deps.clock.now().getTime() - receivedAt) / 1000);
    const delaySeconds = Math.max(0, Math.min(decision.delaySeconds, MAX_VISIBILITY_SECONDS - inFlightSeconds - VISIBILITY_MARGIN_SECONDS));
    await deps.retries
      .retryLater(delivery.receiptHandle, delaySeconds)
      .catch((e: unknown) => log.warn('Could not set when the job comes back', { error: errorMessage(e) }));
    throw error;
  }
};

const jobOf = (body: string): SyncJob | null => {
  try {
    return parseSyncJob(body);
  } catch {
    return null;
  }
};
