import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ScheduleState } from '../ports.js';
import { documentClientOf } from './aws-clients.js';

const KEY = { key: 'scheduler#state' };

const isConditionFailure = (error: unknown): boolean => error instanceof Error && error.name === 'ConditionalCheckFailedException';

/** The scheduler's cursor, one item of the markers table (no expiry): `{coveredUntil, periodMs}` in epoch ms. */
export class DynamoDbScheduleState implements ScheduleState {
  private readonly documentClient: DynamoDBDocumentClient;

  constructor(private readonly options: { client: DynamoDBClient | DynamoDBDocumentClient; tableName: string }) {
    this.documentClient = documentClientOf(options.client);
  }

  async read(): Promise<{ coveredUntil: number; periodMs: number | null } | null> {
    const { Item } = await this.documentClient.send(new GetCommand({ TableName: this.options.tableName, Key: KEY, ConsistentRead: true }));
    if (typeof Item?.coveredUntil !== 'number') return null;
    return { coveredUntil: Item.coveredUntil, periodMs: typeof Item.periodMs === 'number' ? Item.periodMs : null };
  }

  async advance(from: number | null, to: number, periodMs: number): Promise<boolean> {
    try {
      await this.documentClient.send(
        new UpdateCommand({
          TableName: this.options.tableName,
          Key: KEY,
          UpdateExpression: 'SET coveredUntil = :to, periodMs = :period',
          ConditionExpression: from === null ? 'attribute_not_exists(coveredUntil)' : 'coveredUntil = :from',
          ExpressionAttributeValues: { ':to': to, ':period': periodMs, ...(from === null ? {} : { ':from': from }) },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }
}
