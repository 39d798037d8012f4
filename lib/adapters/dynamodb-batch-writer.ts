import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, type BatchWriteCommandOutput, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ItemTooLargeError } from '../errors.js';
import { documentClientOf } from './aws-clients.js';
import { approximateItemBytes } from './dynamodb-item-body.js';

/** Counters for benchmarks: BatchWriteItem calls made and items DynamoDB confirmed. */
export interface BatchWriteStats {
  requests: number;
  itemsWritten: number;
  /** Calls repeated for unprocessed items or after throttling. */
  retries: number;
  /** Calls that were throttled or left items unprocessed. */
  throttled: number;
}

export const createBatchWriteStats = (): BatchWriteStats => ({ requests: 0, itemsWritten: 0, retries: 0, throttled: 0 });

export type WriteRequest = { PutRequest: { Item: Record<string, unknown> } } | { DeleteRequest: { Key: Record<string, unknown> } };

export interface BatchWriterOptions {
  client: DynamoDBClient | DynamoDBDocumentClient;
  /** BatchWriteItem calls in flight at once (default 8). */
  concurrency?: number;
  /** Calls per batch of 25 that make no progress before giving up (default 10). */
  maxAttempts?: number;
  /** First backoff (default 50 ms); it doubles per fruitless attempt, with full jitter, up to maxDelayMs. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  stats?: BatchWriteStats;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export const BATCH_WRITE_LIMIT = 25;

const RETRYABLE_ERRORS = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'InternalServerError',
  'ServiceUnavailable',
]);

const isRetryable = (error: unknown): boolean => error instanceof Error && RETRYABLE_ERRORS.has(error.name);

const isItemTooLarge = (error: unknown): boolean =>
  error instanceof Error && error.name === 'ValidationException' && /item size|maximum allowed size/i.test(error.message);

/** Names an item for an error: how the caller describes it, or its key. */
export type DescribeItem = (item: Record<string, unknown>) => string;

const itemOf = (request: WriteRequest): Record<string, unknown> => ('PutRequest' in request ? request.PutRequest.Item : request.DeleteRequest.Key);

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Runs `task` over `items` with at most `limit` in flight; stops starting new ones after a failure. */
export const forEachConcurrently = async <T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> => {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const lane = async () => {
    while (!failure && next < items.length) {
      const item = items[next++] as T;
      try {
        await task(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
  if (failure) throw failure.error;
};

/** Splits `items` into chunks of at most `size`. */
export const chunk = <T>(items: readonly T[], size: number): T[][] => {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
};

/**
 * BatchWriteItem for any number of puts and deletes: batches of 25, several in flight, and every
 * UnprocessedItem and throttled call retried with exponential backoff and full jitter, so that
 * nothing is lost. Throws (naming how many items) if a batch still has unprocessed items after
 * `maxAttempts` calls in a row without progress. Callers write idempotent items, so a failed
 * write can be repeated as a whole. Requests for the same key must not appear twice in one call.
 */
export class DynamoDbBatchWriter {
  readonly stats: BatchWriteStats;
  private readonly documentClient: DynamoDBDocumentClient;
  private readonly concurrency: number;
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;

  constructor(options: BatchWriterOptions) {
    this.documentClient = documentClientOf(options.client);
    this.concurrency = options.concurrency ?? 8;
    this.maxAttempts = options.maxAttempts ?? 10;
    this.baseDelayMs = options.baseDelayMs ?? 50;
    this.maxDelayMs = options.maxDelayMs ?? 5_000;
    this.stats = options.stats ?? createBatchWriteStats();
    this.sleep = options.sleep ?? defaultSleep;
    this.random = options.random ?? Math.random;
  }

  /** `describe` names an item in the error if DynamoDB refuses it as too large (default: its key attributes). */
  put(tableName: string, items: readonly Record<string, unknown>[], describe?: DescribeItem): Promise<void> {
    return this.write(
      tableName,
      items.map((Item) => ({ PutRequest: { Item } })),
      describe,
    );
  }

  delete(tableName: string, keys: readonly Record<string, unknown>[]): Promise<void> {
    return this.write(
      tableName,
      keys.map((Key) => ({ DeleteRequest: { Key } })),
    );
  }

  async write(tableName: string, requests: readonly WriteRequest[], describe?: DescribeItem): Promise<void> {
    if (requests.length === 0) return;
    await forEachConcurrently(chunk(requests, BATCH_WRITE_LIMIT), this.concurrency, async (batch) => {
      try {
        await this.writeBatch(tableName, batch);
      } catch (error) {
        if (!isItemTooLarge(error)) throw error;
        // Retrying the same item can never succeed: fail for good, naming the largest item of the batch.
        const items = batch.map(itemOf);
        const largest = items.reduce((a, b) => (approximateItemBytes(b) > approximateItemBytes(a) ? b : a));
        const what = describe ? describe(largest) : `An item of ${tableName} (${JSON.stringify(Object.fromEntries(Object.entries(largest).filter(([, v]) => typeof v !== 'object').slice(0, 3)))})`;
        throw new ItemTooLargeError(what, approximateItemBytes(largest));
      }
    });
  }

  private backoff(attempt: number): number {
    const cap = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** attempt);
    return Math.floor(this.random() * cap);
  }

  private async writeBatch(tableName: string, batch: WriteRequest[]): Promise<void> {
    let remaining = batch;
    let fruitless = 0;
    for (;;) {
      let output: BatchWriteCommandOutput;
      this.stats.requests += 1;
      try {
        output = await this.documentClient.send(new BatchWriteCommand({ RequestItems: { [tableName]: remaining } }));
      } catch (error) {
        if (!isRetryable(error)) throw error;
        this.stats.throttled += 1;
        fruitless += 1;
        if (fruitless >= this.maxAttempts) {
          throw new Error(
            `DynamoDB kept throttling writes to ${tableName}: ${remaining.length} item(s) of a batch of ${batch.length} were not written ` +
              `after ${fruitless} attempts. The write is idempotent: run it again.`,
            { cause: error },
          );
        }
        this.stats.retries += 1;
        await this.sleep(this.backoff(fruitless - 1));
        continue;
      }
      const unprocessed = (output.UnprocessedItems?.[tableName] ?? []) as WriteRequest[];
      this.stats.itemsWritten += remaining.length - unprocessed.length;
      if (unprocessed.length === 0) return;
      this.stats.throttled += 1;
      fruitless = unprocessed.length < remaining.length ? 0 : fruitless + 1;
      remaining = unprocessed;
      if (fruitless >= this.maxAttempts) {
        throw new Error(
          `DynamoDB left ${remaining.length} item(s) of a batch of ${batch.length} unprocessed in ${tableName} after ${fruitless} attempts without progress. ` +
            `The write is idempotent: run it again.`,
        );
      }
      this.stats.retries += 1;
      await this.sleep(this.backoff(fruitless));
    }
  }
}
