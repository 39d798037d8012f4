import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { runRecordSchema, type RunRecord } from '../model/run.js';
import type { RunStore } from '../ports.js';
import { documentClientOf } from './aws-clients.js';
import { DynamoDbBatchWriter, type BatchWriteStats } from './dynamodb-batch-writer.js';
import { queryTenantItems } from './dynamodb-query.js';

export interface DynamoDbRunStoreOptions {
  client: DynamoDBClient | DynamoDBDocumentClient;
  /** config.tables.runs */
  tableName: string;
  /** config.retention.runTtlDays: a run record expires this long after it was last written. */
  ttlDays: number;
  now?: () => Date;
  stats?: BatchWriteStats;
  batchWriter?: DynamoDbBatchWriter;
}

const MAX_LIST = 1000;

const isConditionFailure = (error: unknown): boolean => error instanceof Error && error.name === 'ConditionalCheckFailedException';

/**
 * Run records in DynamoDB: `{tenantId, runId, status, startedAt, expiresAt, data}` with `data` the
 * JSON of the RunRecord (status and startedAt are copies for people reading the table). `list`
 * returns the newest first by runId, so run ids must sort by time (e.g. ULIDs or ISO-time prefixes).
 */
export class DynamoDbRunStore implements RunStore {
  private readonly documentClient: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly ttlSeconds: number;
  private readonly now: () => Date;
  private readonly writer: DynamoDbBatchWriter;

  constructor(options: DynamoDbRunStoreOptions) {
    this.documentClient = documentClientOf(options.client);
    this.tableName = options.tableName;
    this.ttlSeconds = options.ttlDays * 86_400;
    this.now = options.now ?? (() => new Date());
    this.writer = options.batchWriter ?? new DynamoDbBatchWriter({ client: options.client, stats: options.stats });
  }

  async start(run: RunRecord): Promise<{ created: true } | { created: false; existing: RunRecord }> {
    try {
      await this.documentClient.send(
        new PutCommand({ TableName: this.tableName, Item: this.item(run), ConditionExpression: 'attribute_not_exists(runId)' }),
      );
      return { created: true };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const existing = await this.get(run.tenantId, run.runId);
      if (!existing) throw new Error(`Run '${run.runId}' of tenant '${run.tenantId}' exists but could not be read back.`, { cause: error });
      return { created: false, existing };
    }
  }

  async finish(run: RunRecord): Promise<void> {
    await this.documentClient.send(new PutCommand({ TableName: this.tableName, Item: this.item(run) }));
  }

  async get(tenantId: string, runId: string): Promise<RunRecord | null> {
    const { Item } = await this.documentClient.send(new GetCommand({ TableName: this.tableName, Key: { tenantId, runId }, ConsistentRead: true }));
    return Item ? this.parse(Item) : null;
  }

  async list(tenantId: string, limit: number): Promise<RunRecord[]> {
    const { Items } = await this.documentClient.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'tenantId = :tenantId',
        ExpressionAttributeValues: { ':tenantId': tenantId },
        ScanIndexForward: false,
        Limit: Math.min(MAX_LIST, Math.max(1, Math.floor(limit) || 1)),
      }),
    );
    return (Items ?? []).map((item) => this.parse(item));
  }

  async deleteAll(tenantId: string): Promise<void> {
    const keys: Array<{ tenantId: string; runId: string }> = [];
    for await (const item of queryTenantItems(this.documentClient, this.tableName, tenantId, { ProjectionExpression: 'runId' })) {
      keys.push({ tenantId, runId: String(item.runId) });
    }
    await this.writer.delete(this.tableName, keys);
  }

  private item(run: RunRecord): Record<string, unknown> {
    const record = runRecordSchema.parse(run);
    return {
      tenantId: record.tenantId,
      runId: record.runId,
      status: record.status,
      startedAt: record.startedAt,
      expiresAt: Math.floor(this.now().getTime() / 1000) + this.ttlSeconds,
      data: JSON.stringify(record),
    };
  }

  private parse(item: Record<string, unknown>): RunRecord {
    return runRecordSchema.parse(JSON.parse(String(item.data)));
  }
}
