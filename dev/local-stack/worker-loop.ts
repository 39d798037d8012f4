/**
 * What Lambda's SQS event source mapping does for the worker, locally: receive a batch from the
 * FIFO jobs queue, invoke the worker with the SQS event, delete the records it did not report in
 * batchItemFailures, and make the failed ones visible again after a short delay, so that retries
 * and the redrive to the dead-letter queue happen as in AWS.
 *
 * When a failed record comes back is the worker's own decision (it sets the visibility itself, capped
 * locally at `retrySeconds` by JOB_RETRY_DELAY_CAP_SECONDS), as in AWS.
 *
 * Two differences of local-aws-sqs are made up for here:
 * - it does not block a message group while one of its messages waits for a retry: messages of
 *   that group received meanwhile are held back and processed after the retried one;
 * - its ChangeMessageVisibility counts as a receive, so each failed delivery adds 2 to
 *   ApproximateReceiveCount (the queue's maxReceiveCount is only a backstop: the worker counts its
 *   own attempts and moves a job to the dead-letter queue itself).
 * Short polls with a pause, since its long polls wait the whole WaitTimeSeconds.
 */
import {
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';

export interface MessageOutcome {
  message: Message;
  failed: boolean;
  /** The delivery count SQS reported for this delivery. */
  receiveCount: number;
  /** Failed for the last time: the queue moves it to the dead-letter queue. */
  deadLettered: boolean;
}

export interface WorkerLoopOptions {
  sqs: SQSClient;
  queueUrl: string;
  queueArn: string;
  region: string;
  batchSize: number;
  maxReceiveCount: number | undefined;
  retrySeconds: number;
  invoke: (event: SQSEvent) => Promise<SQSBatchResponse | void>;
  onBatch: (outcomes: MessageOutcome[]) => Promise<void>;
  onError: (what: string, error: unknown) => void;
  pollMs?: number;
}

export interface WorkerLoop {
  /** Stops polling and waits (up to `graceMs`) for the batch in progress. */
  stop(graceMs: number): Promise<void>;
}

/** The record shape Lambda's event source mapping hands the worker. */
export const toSqsEvent = (messages: readonly Message[], queueArn: string, region: string): SQSEvent => ({
  Records: messages.map((m) => ({
    messageId: m.MessageId ?? '',
    receiptHandle: m.ReceiptHandle ?? '',
    body: m.Body ?? '',
    attributes: {
      ApproximateReceiveCount: m.Attributes?.ApproximateReceiveCount ?? '1',
      SentTimestamp: m.Attributes?.SentTimestamp ?? String(Date.now()),
      SenderId: m.Attributes?.SenderId ?? 'local',
      ApproximateFirstReceiveTimestamp: m.Attributes?.ApproximateFirstReceiveTimestamp || String(Date.now()),
      ...(m.Attributes?.MessageGroupId ? { MessageGroupId: m.Attributes.MessageGroupId } : {}),
      ...(m.Attributes?.MessageDeduplicationId ? { MessageDeduplicationId: m.Attributes.MessageDeduplicationId } : {}),
      ...(m.Attributes?.SequenceNumber ? { SequenceNumber: m.Attributes.SequenceNumber } : {}),
    },
    messageAttributes: {},
    md5OfBody: m.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: region,
  })),
});

const chunks = <T>(items: readonly T[], size: number): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
};

interface BlockedGroup {
  /** When the failed messages are visible again. */
  until: number;
  /** The failed messages that will come back. */
  retrying: Set<string>;
  /** Messages of the group received meanwhile, oldest first. */
  waiting: Message[];
}

export const startWorkerLoop = (options: WorkerLoopOptions): WorkerLoop => {
  const pollMs = options.pollMs ?? 250;
  let stopped = false;
  let wake: (() => void) | undefined;
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  const blocked = new Map<string, BlockedGroup>();
  const groupOf = (m: Message) => m.Attributes?.MessageGroupId ?? '';

  /** Orders a receive against the blocked groups: what to process now, in FIFO order per group. */
  const admit = (received: Message[]): Message[] => {
    const batch: Message[] = [];
    const released = new Set<string>();
    for (const m of received) {
      const group = groupOf(m);
      const block = group ? blocked.get(group) : undefined;
      if (!block) batch.push(m);
      else if (block.retrying.has(m.MessageId ?? '')) {
        batch.push(m);
        released.add(group);
      } else block.waiting.push(m);
    }
    // A retry that never comes back went to the dead-letter queue: let the group go on.
    const now = Date.now();
    for (const [group, block] of blocked) if (now > block.until + 2000) released.add(group);
    for (const group of released) {
      batch.push(...(blocked.get(group)?.waiting ?? []));
      blocked.delete(group);
    }
    return batch;
  };

  const processBatch = async (batch: Message[]): Promise<void> => {
    let failedIds: Set<string>;
    try {
      const response = await options.invoke(toSqsEvent(batch, options.queueArn, options.region));
      failedIds = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
    } catch (error) {
      options.onError('The worker failed on a whole batch', error);
      failedIds = new Set(batch.map((m) => m.MessageId ?? ''));
    }
    const done = batch.filter((m) => !failedIds.has(m.MessageId ?? ''));
    const failed = batch.filter((m) => failedIds.has(m.MessageId ?? ''));
    for (const part of chunks(done, 10)) {
      try {
        const result = await options.sqs.send(
          new DeleteMessageBatchCommand({ QueueUrl: options.queueUrl, Entries: part.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? '' })) }),
        );
        if (result.Failed?.length) options.onError('Could not delete processed jobs', new Error(result.Failed.map((f) => f.Message ?? f.Code).join('; ')));
      } catch (error) {
        options.onError('Could not delete processed jobs', error);
      }
    }
    // The worker made its failed records visible again when it chose (at most retrySeconds locally).
    const until = Date.now() + options.retrySeconds * 1000;
    const outcomes = batch.map((message): MessageOutcome => {
      const receiveCount = Number(message.Attributes?.ApproximateReceiveCount ?? '1');
      const isFailed = failedIds.has(message.MessageId ?? '');
      // local-aws-sqs counts the worker's ChangeMessageVisibility as a receive, and dead-letters on expiry.
      const deadLettered = isFailed && options.maxReceiveCount !== undefined && receiveCount + 1 >= options.maxReceiveCount;
      return { message, failed: isFailed, receiveCount, deadLettered };
    });
    for (const outcome of outcomes) {
      if (!outcome.failed) continue;
      const group = groupOf(outcome.message);
      if (!group) continue;
      const block = blocked.get(group) ?? { until, retrying: new Set<string>(), waiting: [] };
      block.until = until;
      if (!outcome.deadLettered) block.retrying.add(outcome.message.MessageId ?? '');
      blocked.set(group, block);
    }
    try {
      await options.onBatch(outcomes);
    } catch (error) {
      options.onError('Could not report the batch', error);
    }
  };

  const loop = (async () => {
    while (!stopped) {
      let received: Message[];
      try {
        const result = await options.sqs.send(
          new ReceiveMessageCommand({ QueueUrl: options.queueUrl, MaxNumberOfMessages: options.batchSize, WaitTimeSeconds: 0, AttributeNames: ['All'] }),
        );
        received = result.Messages ?? [];
      } catch (error) {
        if (stopped) break;
        options.onError('Could not receive from the jobs queue', error);
        await pause(2000);
        continue;
      }
      const batch = admit(received);
      if (batch.length === 0) {
        await pause(pollMs);
        continue;
      }
      await processBatch(batch);
    }
  })();

  return {
    stop: async (graceMs) => {
      stopped = true;
      wake?.();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([loop, new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))]);
      clearTimeout(timer);
    },
  };
};
