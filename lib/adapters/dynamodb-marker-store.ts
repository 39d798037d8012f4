import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { MarkerStore } from '../ports.js';
import { documentClientOf } from './aws-clients.js';

export interface DynamoDbMarkerStoreOptions {
  client: DynamoDBClient | DynamoDBDocumentClient;
  /** config.tables.markers */
  tableName: string;
  now?: () => Date;
}

const isConditionFailure = (error: unknown): boolean => error instanceof Error && error.name === 'ConditionalCheckFailedException';

/**
 * One-time markers in DynamoDB: `{key, expiresAt}` (epoch seconds, the table's TTL attribute). A claim
 * is a conditional put that succeeds only when no unexpired marker holds the key; TTL deletes expired
 * ones eventually, and until it does the condition treats them as gone.
 */
export class DynamoDbMarkerStore implements MarkerStore {
  private readonly documentClient: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly now: () => Date;

  constructor(options: DynamoDbMarkerStoreOptions) {
    this.documentClient = documentClientOf(options.client);
    this.tableName = options.tableName;
    this.now = options.now ?? (() => new Date());
  }

  async claim(key: string, expiresAt: Date): Promise<boolean> {
    try {
      await this.documentClient.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { key, expiresAt: Math.ceil(expiresAt.getTime() / 1000) },
          ConditionExpression: 'attribute_not_exists(#key) OR #expiresAt <= :now',
          ExpressionAttributeNames: { '#key': 'key', '#expiresAt': 'expiresAt' },
          ExpressionAttributeValues: { ':now': Math.floor(this.now().getTime() / 1000) },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async renew(key: string, expiresAt: Date): Promise<void> {
    await this.documentClient.send(new PutCommand({ TableName: this.tableName, Item: { key, expiresAt: Math.ceil(expiresAt.getTime() / 1000) } }));
  }

  async release(key: string): Promise<void> {
    await this.documentClient.send(new DeleteCommand({ TableName: this.tableName, Key: { key } }));
  }
}
