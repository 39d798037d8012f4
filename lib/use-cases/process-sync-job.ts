import { z } from 'zod';
import { errorMessage, SyncError } from '../errors.js';
import type { Log } from '../logging.js';
import { syncJobSchema, type SyncJob } from '../model/job.js';
import { RetryLaterError, syncTenant, type SyncTenantDeps, type SyncTenantResult } from './sync-tenant.js';

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
    if (error instanceof RetryLaterError) throw error;
    if (error instanceof SyncError && !error.retryable) {
      log.error('Sync job dropped: it cannot succeed as it is', { jobId: job.jobId, code: error.code, error: errorMessage(error) });
      return { outcome: 'dropped', reason: error.message };
    }
    throw error;
  }
};

/**
 * How long a failed job waits before its next delivery: a poison body comes back at once (so that it
 * reaches the DLQ after maxReceiveCount deliveries in seconds, not hours, and stops blocking its
 * tenant's FIFO group); a retryable failure backs off 30 s, 60 s, 120 s... up to 15 minutes.
 */
export const retryDelaySeconds = (error: unknown, receiveCount: number): number =>
  error instanceof PoisonMessageError ? 0 : Math.min(900, 30 * 2 ** Math.max(0, receiveCount - 1));
