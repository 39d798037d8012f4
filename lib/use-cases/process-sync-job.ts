import { z } from 'zod';
import { errorMessage, SyncError } from '../errors.js';
import type { Log } from '../logging.js';
import { syncJobSchema, type SyncJob } from '../model/job.js';
import { GiveUpError, RetryLaterError, syncTenant, type SyncTenantDeps, type SyncTenantResult } from './sync-tenant.js';

/** A message body that is not a sync job: retrying cannot help, so it ends in the DLQ. */
export class PoisonMessageError extends Error {
  constructor(readonly detail: string) {
    super(`Not a sync job, left for the dead-letter queue: ${detail}`);
    this.name = 'PoisonMessageError';
  }
}

export const parseSyncJob = (body: string): SyncJob => {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new PoisonMessageError('the body is not JSON');
  }
  const parsed = syncJobSchema.safeParse(json);
  if (!parsed.success) throw new PoisonMessageError(z.prettifyError(parsed.error).slice(0, 500));
  return parsed.data;
};

export type ProcessedJob = SyncTenantResult | { outcome: 'dropped'; reason: string };

/**
 * One SQS record's job (parsed with parseSyncJob): sync the tenant. Resolves when the message may be deleted
 * (done, held, skipped, a duplicate, or a failure that no retry can fix); rejects when the queue
 * should deliver it again (retryable failure) or dead-letter it (poison).
 */
export const processSyncJob = async (deps: SyncTenantDeps, job: SyncJob, log: Log = deps.log): Promise<ProcessedJob> => {
  try {
    return await syncTenant({ ...deps, log }, job);
  } catch (error) {
    if (error instanceof RetryLaterError || error instanceof GiveUpError) throw error;
    if (error instanceof SyncError && !error.retryable) {
      log.error('Sync job dropped: it cannot succeed as it is', { jobId: job.jobId, code: error.code, error: errorMessage(error) });
      return { outcome: 'dropped', reason: error.message };
    }
    throw error;
  }
};

/** SQS's longest visibility timeout: the longest a job can be told to wait before its next delivery. */
export const MAX_DELAY_SECONDS = 43_200;

export type RetryDecision = { action: 'retry'; delaySeconds: number; counted: boolean } | { action: 'dead-letter'; reason: string };

const backoffSeconds = (failures: number): number => Math.min(900, 30 * 2 ** Math.max(0, failures - 1));

/**
 * What becomes of a delivery that failed (or of the job behind it):
 * - a body that is not a job, or a job that gave up (its runs kept dying): the dead-letter queue, now;
 * - a rate limit BambooHR announced with Retry-After: the next delivery waits at least that long (up
 *   to SQS's 12 h), and the wait does not count as a failure of the job;
 * - any other failure backs off 30 s, 60 s, 120 s... 15 min, counted in the run record, and after
 *   `maxAttempts` failed attempts the job goes to the dead-letter queue with the reason;
 * - a failure before any run started (DynamoDB unreachable, say) backs off by deliveries, and goes to
 *   the dead-letter queue at the queue's own last allowed receive, so that it is recorded as such.
 */
export const decideRetry = (input: { error: unknown; receiveCount: number; maxAttempts: number; maxReceiveCount: number }): RetryDecision => {
  const { error } = input;
  if (error instanceof PoisonMessageError) return { action: 'dead-letter', reason: `not a sync job: ${error.detail}`.slice(0, 250) };
  if (error instanceof GiveUpError) return { action: 'dead-letter', reason: errorMessage(error.run.error?.message ?? error).slice(0, 250) };
  if (error instanceof RetryLaterError) {
    const { run } = error;
    const retryAfter = run.error?.retryAfterSeconds;
    if (retryAfter !== undefined) return { action: 'retry', delaySeconds: Math.min(MAX_DELAY_SECONDS, Math.max(retryAfter, 30)), counted: false };
    const failures = run.attempts - run.waits;
    if (failures >= input.maxAttempts) {
      return { action: 'dead-letter', reason: `failed ${failures} attempts (limit ${input.maxAttempts}); the last: ${run.error?.message ?? 'unknown'}`.slice(0, 250) };
    }
    return { action: 'retry', delaySeconds: backoffSeconds(failures), counted: true };
  }
  if (input.receiveCount >= input.maxReceiveCount) {
    return { action: 'dead-letter', reason: `failed ${input.receiveCount} deliveries before a run could start; the last: ${errorMessage(error)}`.slice(0, 250) };
  }
  return { action: 'retry', delaySeconds: backoffSeconds(input.receiveCount), counted: true };
};
