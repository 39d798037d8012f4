import { randomUUID } from 'node:crypto';
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { syncJobSchema, type SyncJob } from '../model/job.js';
import type { DeadLetter, DeadLetterQueue, RedriveResult } from '../ports.js';

export interface SqsDeadLetterQueueOptions {
  client: SQSClient;
  /** config.queues.dlqUrl: the FIFO dead-letter queue of the jobs queue. */
  dlqUrl: string;
  /** config.queues.syncUrl: where redriven jobs go back to. */
  queueUrl: string;
  /** How long a peeked message stays hidden while a listing pages through the queue (default 30 s). */
  holdSeconds?: number;
  /** Long-poll time of each receive (default 1 s: a short poll may miss messages on a small queue). */
  waitSeconds?: number;
  /** Receives per call at most (a guard against a queue that keeps answering; default 100). */
  maxReceives?: number;
  /** A fresh deduplication id for a redriven job (default `redrive-<uuid>`). */
  newDeduplicationId?: () => string;
  now?: () => Date;
}

export type { RedriveResult } from '../ports.js';

/**
 * Receives in a row that bring no message not seen yet before a listing or redrive stops: one short
 * poll may sample only part of a queue (SQS answers a short poll from a subset of its servers).
 */
const FRUITLESS_RECEIVES = 3;

/** The share of a poison body kept for display. */
export const RAW_BODY_LIMIT = 1000;

const parseJob = (body: string | undefined): SyncJob | null => {
  if (body === undefined) return null;
  try {
    const parsed = syncJobSchema.safeParse(JSON.parse(body));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
};

export const toDeadLetter = (message: Message): DeadLetter => {
  const job = parseJob(message.Body);
  const attributes = message.Attributes ?? {};
  const sent = Number(attributes.SentTimestamp);
  return {
    messageId: message.MessageId ?? '',
    job,
    rawBody: job ? null : (message.Body ?? '').slice(0, RAW_BODY_LIMIT),
    receiveCount: Number(attributes.ApproximateReceiveCount ?? 0) || 0,
    sentAt: Number.isFinite(sent) && sent > 0 ? new Date(sent).toISOString() : null,
    tenantId: job?.tenantId ?? attributes.MessageGroupId ?? null,
    reason: message.MessageAttributes?.reason?.StringValue ?? null,
  };
};

/**
 * The jobs queue's dead-letter queue, for support: `list` peeks (receives, then makes the messages
 * visible again at once) and `redrive` moves jobs back to the jobs queue, in the tenant's message
 * group and with a new deduplication id, then deletes them from the DLQ. A body that is not a sync
 * job (poison) is never redriven: it would only fail again.
 *
 * A FIFO queue hides the rest of a message group while some of its messages are received, so one
 * call sees at most one receive batch (10) per tenant; redriving them makes room for the next ones.
 */
export class SqsDeadLetterQueue implements DeadLetterQueue {
  private readonly client: SQSClient;
  private readonly dlqUrl: string;
  private readonly queueUrl: string;
  private readonly holdSeconds: number;
  private readonly waitSeconds: number;
  private readonly maxReceives: number;
  private readonly newDeduplicationId: () => string;
  private readonly now: () => Date;

  constructor(options: SqsDeadLetterQueueOptions) {
    this.now = options.now ?? (() => new Date());
    this.client = options.client;
    this.dlqUrl = options.dlqUrl;
    this.queueUrl = options.queueUrl;
    this.holdSeconds = options.holdSeconds ?? 30;
    this.waitSeconds = options.waitSeconds ?? 1;
    this.maxReceives = options.maxReceives ?? 100;
    this.newDeduplicationId = options.newDeduplicationId ?? (() => `redrive-${randomUUID()}`);
  }

  async list(max: number): Promise<DeadLetter[]> {
    const limit = Math.max(0, Math.floor(max));
    const seen = new Map<string, Message>();
    const handles: string[] = [];
    try {
      let fruitless = 0;
      for (let i = 0; i < this.maxReceives && seen.size < limit && fruitless < FRUITLESS_RECEIVES; i += 1) {
        const messages = await this.receive(Math.min(10, limit - seen.size));
        let fresh = 0;
        for (const message of messages) {
          if (message.ReceiptHandle) handles.push(message.ReceiptHandle);
          if (message.MessageId && !seen.has(message.MessageId)) {
            seen.set(message.MessageId, message);
            fresh += 1;
          }
        }
        fruitless = fresh === 0 ? fruitless + 1 : 0;
      }
    } finally {
      await this.release(handles);
    }
    return [...seen.values()].slice(0, limit).map(toDeadLetter);
  }

  async count(): Promise<{ waiting: number; inFlight: number }> {
    const output = await this.client.send(
      new GetQueueAttributesCommand({ QueueUrl: this.dlqUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
    );
    const number = (value: string | undefined) => Math.max(0, Number(value ?? 0) || 0);
    return { waiting: number(output.Attributes?.ApproximateNumberOfMessages), inFlight: number(output.Attributes?.ApproximateNumberOfMessagesNotVisible) };
  }

  async redrive(messageIds?: readonly string[]): Promise<RedriveResult> {
    const wanted = messageIds ? new Set(messageIds) : null;
    const seen = new Set<string>();
    const result: RedriveResult = { redriven: 0, redrivenIds: [], redrivenJobs: [], poison: [], notFound: [] };
    const poison = new Set<string>();
    let fruitless = 0;
    for (let i = 0; i < this.maxReceives && fruitless < FRUITLESS_RECEIVES; i += 1) {
      if (wanted && [...wanted].every((id) => seen.has(id))) break;
      const messages = await this.receive(10);
      const sent = new Set<Message>();
      let fresh = 0;
      try {
        for (const message of messages) {
          const id = message.MessageId ?? '';
          if (!seen.has(id)) fresh += 1;
          seen.add(id);
          const job = parseJob(message.Body);
          if (!job && (!wanted || wanted.has(id))) poison.add(id);
          if (!job || (wanted && !wanted.has(id))) continue;
          sent.add(message);
          // A new run, its attempts counted afresh; requestedAt (and so an approval's age) is kept.
          const redriven = { ...job, redrive: { count: (job.redrive?.count ?? 0) + 1, at: this.now().toISOString() } };
          await this.client.send(
            new SendMessageCommand({
              QueueUrl: this.queueUrl,
              MessageBody: JSON.stringify(redriven),
              MessageGroupId: job.tenantId,
              MessageDeduplicationId: this.newDeduplicationId(),
            }),
          );
          await this.client.send(new DeleteMessageCommand({ QueueUrl: this.dlqUrl, ReceiptHandle: message.ReceiptHandle }));
          result.redriven += 1;
          result.redrivenIds.push(id);
          result.redrivenJobs.push({ messageId: id, tenantId: job.tenantId, jobId: job.jobId });
        }
      } finally {
        // What stays is visible again at once (the next receive may then reach past it in its group),
        // except a message already sent back, which stays hidden rather than be sent twice.
        await this.release(messages.filter((m) => !sent.has(m) && m.ReceiptHandle).map((m) => m.ReceiptHandle!));
      }
      fruitless = fresh === 0 ? fruitless + 1 : 0;
    }
    result.poison = [...poison];
    result.notFound = wanted ? [...wanted].filter((id) => !seen.has(id)) : [];
    return result;
  }

  private async receive(max: number): Promise<Message[]> {
    const output = await this.client.send(
      new ReceiveMessageCommand({
        QueueUrl: this.dlqUrl,
        MaxNumberOfMessages: Math.max(1, Math.min(10, max)),
        VisibilityTimeout: this.holdSeconds,
        WaitTimeSeconds: this.waitSeconds,
        AttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
    );
    return output.Messages ?? [];
  }

  /** Makes received messages visible again (visibility timeout 0), 10 per call. */
  private async release(receiptHandles: readonly string[]): Promise<void> {
    for (let i = 0; i < receiptHandles.length; i += 10) {
      const batch = receiptHandles.slice(i, i + 10);
      await this.client.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: this.dlqUrl,
          Entries: batch.map((ReceiptHandle, n) => ({ Id: String(n), ReceiptHandle, VisibilityTimeout: 0 })),
        }),
      );
    }
  }
}
