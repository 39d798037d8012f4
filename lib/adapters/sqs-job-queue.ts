import { createHash } from 'node:crypto';
import {
  ChangeMessageVisibilityCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  type BatchResultErrorEntry,
  type SendMessageBatchRequestEntry,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { ConfigError, ValidationError } from '../errors.js';
import { syncJobSchema, type SyncJob } from '../model/job.js';
import type { DeliveredJob, JobDeadLetters, JobQueue, JobRetries } from '../ports.js';

export interface SqsJobQueueOptions {
  client: SQSClient;
  /** config.queues.syncUrl: the FIFO jobs queue. */
  queueUrl: string;
  /** config.queues.dlqUrl: where the worker moves a job it gives up on. */
  dlqUrl?: string | undefined;
  /** Local stack only: the longest a failed job is told to wait (config.jobs.retryDelayCapSeconds). */
  retryDelayCapSeconds?: number | undefined;
  /** SendMessageBatch calls in flight at once (default 10). */
  concurrency?: number;
  /** Calls per batch, counting the first, while some entries keep failing (default 5). */
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

/** SQS's longest visibility timeout (12 h). */
const MAX_VISIBILITY_SECONDS = 43_200;

/** SQS limits: 10 entries and 256 KiB of payload per SendMessageBatch. */
const MAX_ENTRIES = 10;
const MAX_BATCH_BYTES = 256 * 1024;

/** A deduplication id is 1-128 printable ASCII characters without spaces. */
const DEDUPLICATION_ID = /^[\x21-\x7e]{1,128}$/;

/** The job id when SQS accepts it as a deduplication id, otherwise a stable hash of it. */
export const deduplicationId = (jobId: string): string =>
  DEDUPLICATION_ID.test(jobId) ? jobId : `sha256-${createHash('sha256').update(jobId, 'utf8').digest('hex')}`;

const RETRYABLE_ERRORS = new Set(['RequestThrottled', 'ThrottlingException', 'KmsThrottled', 'InternalError', 'ServiceUnavailable']);

const isRetryable = (error: unknown): boolean => {
  if (!(error instanceof Error)) return false;
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return RETRYABLE_ERRORS.has(error.name) || (status !== undefined && status >= 500);
};

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface Entry {
  job: SyncJob;
  body: string;
}

/**
 * The FIFO jobs queue. Every job is validated first (nothing is sent if one is invalid), then sent
 * in batches of up to 10 with several batches in flight. The tenant is the message group (one job
 * per tenant at a time) and the job id the deduplication id (a job sent twice within SQS's
 * 5-minute window is queued once). Entries SQS reports as Failed are retried with backoff.
 */
export class SqsJobQueue implements JobQueue, JobRetries, JobDeadLetters {
  private readonly client: SQSClient;
  private readonly queueUrl: string;
  private readonly dlqUrl: string | undefined;
  private readonly retryDelayCapSeconds: number;
  private readonly concurrency: number;
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;

  constructor(options: SqsJobQueueOptions) {
    this.client = options.client;
    this.queueUrl = options.queueUrl;
    this.dlqUrl = options.dlqUrl;
    this.retryDelayCapSeconds = options.retryDelayCapSeconds ?? MAX_VISIBILITY_SECONDS;
    this.concurrency = options.concurrency ?? 10;
    this.maxAttempts = options.maxAttempts ?? 5;
    this.baseDelayMs = options.baseDelayMs ?? 100;
    this.maxDelayMs = options.maxDelayMs ?? 5_000;
    this.sleep = options.sleep ?? defaultSleep;
    this.random = options.random ?? Math.random;
  }

  async retryLater(receiptHandle: string, delaySeconds: number): Promise<void> {
    const visibility = Math.max(0, Math.min(MAX_VISIBILITY_SECONDS, this.retryDelayCapSeconds, Math.round(delaySeconds)));
    await this.client.send(new ChangeMessageVisibilityCommand({ QueueUrl: this.queueUrl, ReceiptHandle: receiptHandle, VisibilityTimeout: visibility }));
  }

  /** The job to the dead-letter queue, in its tenant's group, with the reason; sent twice within 5 minutes, it is there once. */
  async deadLetter(job: DeliveredJob, reason: string): Promise<void> {
    if (!this.dlqUrl) throw new ConfigError('SYNC_DLQ_URL is not set, so the job cannot be moved to the dead-letter queue. Set it (serverless.yml does on deploy).');
    await this.client.send(
      new SendMessageCommand({
        QueueUrl: this.dlqUrl,
        MessageBody: job.body,
        MessageGroupId: job.groupId || 'unknown',
        MessageDeduplicationId: deduplicationId(`dead-${job.messageId}`),
        MessageAttributes: { reason: { DataType: 'String', StringValue: reason.slice(0, 1000) || 'unknown' } },
      }),
    );
  }

  async enqueue(jobs: readonly SyncJob[]): Promise<{ sent: number; batches: number }> {
    const entries = jobs.map((job, index): Entry => {
      const parsed = syncJobSchema.safeParse(job);
      if (!parsed.success) {
        const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'job'}: ${i.message}`).join('; ');
        throw new ValidationError(`Job #${index + 1} is not a valid sync job (${problems}). Nothing was queued.`, 'job');
      }
      return { job: parsed.data, body: JSON.stringify(parsed.data) };
    });

    const batches = this.batch(entries);
    const result = { sent: 0, batches: 0 };
    const failures: BatchResultErrorEntry[] = [];
    let next = 0;
    let thrown: { error: unknown } | undefined;
    const lane = async () => {
      while (!thrown && next < batches.length) {
        const batch = batches[next++] as Entry[];
        try {
          failures.push(...(await this.sendBatch(batch, result)));
        } catch (error) {
          thrown ??= { error };
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(this.concurrency, batches.length)) }, lane));
    if (thrown) {
      const reason = thrown.error instanceof Error ? thrown.error.message : String(thrown.error);
      throw new Error(
        `Could not queue all ${jobs.length} jobs: SendMessageBatch failed (${reason}); ${result.sent} were queued. ` +
          `Sending them again is safe within 5 minutes (deduplicated by job id).`,
        { cause: thrown.error },
      );
    }
    if (failures.length > 0) {
      const first = failures[0] as BatchResultErrorEntry;
      throw new Error(
        `${failures.length} of ${jobs.length} jobs could not be queued (first: ${first.Code ?? 'error'}${first.Message ? `: ${first.Message}` : ''}); ` +
          `${result.sent} were queued. Sending them again is safe within 5 minutes (deduplicated by job id).`,
      );
    }
    return result;
  }

  /** Groups entries into batches of at most 10 entries and 256 KiB. */
  private batch(entries: readonly Entry[]): Entry[][] {
    const batches: Entry[][] = [];
    let current: Entry[] = [];
    let bytes = 0;
    for (const entry of entries) {
      const size = Buffer.byteLength(entry.body, 'utf8');
      if (current.length === MAX_ENTRIES || (current.length > 0 && bytes + size > MAX_BATCH_BYTES)) {
        batches.push(current);
        current = [];
        bytes = 0;
      }
      current.push(entry);
      bytes += size;
    }
    if (current.length > 0) batches.push(current);
    return batches;
  }

  /** Sends one batch, retrying the entries SQS reports as Failed; returns those that never went through. */
  private async sendBatch(batch: readonly Entry[], result: { sent: number; batches: number }): Promise<BatchResultErrorEntry[]> {
    let remaining = batch.map((entry, index): SendMessageBatchRequestEntry => ({
      Id: String(index),
      MessageBody: entry.body,
      MessageGroupId: entry.job.tenantId,
      MessageDeduplicationId: deduplicationId(entry.job.jobId),
    }));
    // Sender faults (e.g. a malformed entry) fail the same way on every retry: not retried.
    const permanent: BatchResultErrorEntry[] = [];
    for (let attempt = 1; ; attempt += 1) {
      result.batches += 1;
      let failed: BatchResultErrorEntry[];
      try {
        const output = await this.client.send(new SendMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: remaining }));
        const succeeded = new Set((output.Successful ?? []).map((s) => s.Id));
        result.sent += succeeded.size;
        failed = [...(output.Failed ?? [])];
        // An entry in neither list did not go through either.
        const reported = new Set([...succeeded, ...failed.map((f) => f.Id)]);
        for (const entry of remaining) {
          if (!reported.has(entry.Id)) failed.push({ Id: entry.Id, Code: 'NotReported', Message: 'SQS did not report this entry', SenderFault: false });
        }
      } catch (error) {
        if (!isRetryable(error) || attempt >= this.maxAttempts) throw error;
        await this.sleep(this.backoff(attempt));
        continue;
      }
      permanent.push(...failed.filter((f) => f.SenderFault));
      const retry = failed.filter((f) => !f.SenderFault);
      if (retry.length === 0) return permanent;
      if (attempt >= this.maxAttempts) return [...permanent, ...retry];
      const retryIds = new Set(retry.map((f) => f.Id));
      remaining = remaining.filter((entry) => retryIds.has(entry.Id));
      await this.sleep(this.backoff(attempt));
    }
  }

  private backoff(attempt: number): number {
    return Math.floor(this.random() * Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** attempt));
  }
}
