import { BatchGetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { chunk, forEachConcurrently } from './dynamodb-batch-writer.js';

/** BatchGetItem takes at most 100 keys per call. */
export const BATCH_GET_LIMIT = 100;

export interface BatchGetOptions {
  /** Strongly consistent reads (twice the read units). */
  consistent?: boolean;
  projection?: { expression: string; names: Record<string, string> };
  /** Calls in flight at once (default 4). */
  concurrency?: number;
  /** Calls per chunk that make no progress before giving up (default 8). */
  maxAttempts?: number;
  sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The items with these keys (those that exist), in no particular order: chunks of 100 keys, several
 * in flight, and every UnprocessedKey asked again with backoff until DynamoDB has answered for all.
 */
export const batchGet = async (
  documentClient: DynamoDBDocumentClient,
  tableName: string,
  keys: readonly Record<string, unknown>[],
  options: BatchGetOptions = {},
): Promise<Record<string, unknown>[]> => {
  const found: Record<string, unknown>[] = [];
  const sleep = options.sleep ?? defaultSleep;
  const maxAttempts = options.maxAttempts ?? 8;
  await forEachConcurrently(chunk(keys, BATCH_GET_LIMIT), options.concurrency ?? 4, async (part) => {
    let remaining: Record<string, unknown>[] = part;
    for (let fruitless = 0; remaining.length > 0; ) {
      const output = await documentClient.send(
        new BatchGetCommand({
          RequestItems: {
            [tableName]: {
              Keys: remaining,
              ConsistentRead: options.consistent ?? false,
              ...(options.projection ? { ProjectionExpression: options.projection.expression, ExpressionAttributeNames: options.projection.names } : {}),
            },
          },
        }),
      );
      found.push(...(output.Responses?.[tableName] ?? []));
      const unprocessed = (output.UnprocessedKeys?.[tableName]?.Keys ?? []) as Record<string, unknown>[];
      fruitless = unprocessed.length < remaining.length ? 0 : fruitless + 1;
      if (fruitless >= maxAttempts) {
        throw new Error(`DynamoDB left ${unprocessed.length} key(s) of ${tableName} unread after ${fruitless} attempts without progress. Reading is safe to repeat.`);
      }
      remaining = unprocessed;
      if (remaining.length > 0) await sleep(Math.floor(Math.random() * Math.min(2_000, 50 * 2 ** fruitless)));
    }
  });
  return found;
};
