import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { ValidationError } from '../errors.js';
import { changeRecordSchema, type ChangeRecord } from '../model/change.js';
import { snapshotEntrySchema } from '../model/snapshot.js';
import type { ChangeFeed, FeedAppend, PendingAppend } from '../ports.js';
import { documentClientOf } from './aws-clients.js';
import { DynamoDbBatchWriter, type BatchWriteStats } from './dynamodb-batch-writer.js';
import { queryTenantItems } from './dynamodb-query.js';

export interface DynamoDbChangeFeedOptions {
  client: DynamoDBClient | DynamoDBDocumentClient;
  /** config.tables.changes */
  tableName: string;
  /** config.retention.changeTtlDays: records expire this long after they are written. */
  ttlDays: number;
  now?: () => Date;
  stats?: BatchWriteStats;
  batchWriter?: DynamoDbBatchWriter;
}

/** The seq of each tenant's bookkeeping item: `{nextSeq, committedSeq, pending?}`. Records start at 1. */
export const META_SEQ = 0;
export const MAX_LIST_LIMIT = 1000;

const META_NAMES = { '#pending': 'pending', '#nextSeq': 'nextSeq', '#committedSeq': 'committedSeq' };

interface MetaItem {
  nextSeq?: number;
  committedSeq?: number;
  pending?: PendingAppend;
}

const isConditionFailure = (error: unknown): boolean => error instanceof Error && error.name === 'ConditionalCheckFailedException';

const describe = (pending: PendingAppend) => `run '${pending.runId}' (seqs ${pending.firstSeq}-${pending.lastSeq})`;

/**
 * The change feed in DynamoDB: one item per record, `{tenantId, seq, runId, type, employeeId, at,
 * expiresAt, data}` with `data` the JSON of the ChangeRecord. Appends are two-phase: `reserve`
 * takes a range of seqs on the tenant's meta item (seq 0), `write` puts the records (idempotent),
 * and `commit` moves `committedSeq`, the only thing readers (`list`) trust. A reader therefore
 * never sees half an append, and never a gap that is filled later.
 */
export class DynamoDbChangeFeed implements ChangeFeed {
  private readonly documentClient: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly ttlSeconds: number;
  private readonly now: () => Date;
  private readonly writer: DynamoDbBatchWriter;

  constructor(options: DynamoDbChangeFeedOptions) {
    this.documentClient = documentClientOf(options.client);
    this.tableName = options.tableName;
    this.ttlSeconds = options.ttlDays * 86_400;
    this.now = options.now ?? (() => new Date());
    this.writer = options.batchWriter ?? new DynamoDbBatchWriter({ client: options.client, stats: options.stats });
  }

  async pending(tenantId: string): Promise<PendingAppend | null> {
    return (await this.meta(tenantId)).pending ?? null;
  }

  async reserve(tenantId: string, runId: string, count: number): Promise<PendingAppend> {
    if (!Number.isInteger(count) || count < 1) throw new ValidationError(`Cannot reserve ${count} feed seqs: reserve at least one.`, 'count');
    // Read, then claim with a condition on what was read: a concurrent reserve makes the update fail.
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const meta = await this.meta(tenantId);
      if (meta.pending) {
        const size = meta.pending.lastSeq - meta.pending.firstSeq + 1;
        // The same run asking again (a retried job) gets its own reservation back.
        if (meta.pending.runId === runId && size === count) return meta.pending;
        throw new Error(
          `Cannot append to the change feed of tenant '${tenantId}' for run '${runId}': ${describe(meta.pending)} reserved seqs and did not commit. ` +
            `Recover that append (write and commit it) first.`,
        );
      }
      const firstSeq = meta.nextSeq ?? META_SEQ + 1;
      const pending: PendingAppend = { runId, firstSeq, lastSeq: firstSeq + count - 1 };
      try {
        await this.documentClient.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { tenantId, seq: META_SEQ },
            UpdateExpression: 'SET #pending = :pending, #nextSeq = :nextSeq, #committedSeq = if_not_exists(#committedSeq, :zero)',
            ConditionExpression:
              meta.nextSeq === undefined
                ? 'attribute_not_exists(#pending) AND attribute_not_exists(#nextSeq)'
                : 'attribute_not_exists(#pending) AND #nextSeq = :expected',
            ExpressionAttributeNames: META_NAMES,
            ExpressionAttributeValues: {
              ':pending': pending,
              ':nextSeq': pending.lastSeq + 1,
              ':zero': 0,
              ...(meta.nextSeq === undefined ? {} : { ':expected': meta.nextSeq }),
            },
          }),
        );
        return pending;
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
        // Someone else reserved meanwhile: read again (and fail on their pending append).
      }
    }
    throw new Error(`Cannot reserve change feed seqs for tenant '${tenantId}': other appends keep interfering. Retry the job.`);
  }

  async write(appends: readonly FeedAppend[]): Promise<void> {
    const expiresAt = Math.floor(this.now().getTime() / 1000) + this.ttlSeconds;
    const byKey = new Map<string, Record<string, unknown>>();
    for (const { record, snapshot } of appends) {
      if (!Number.isInteger(record.seq) || record.seq <= META_SEQ) {
        throw new ValidationError(`A change record needs a positive integer seq, not ${record.seq}.`, 'seq');
      }
      byKey.set(`${record.tenantId}\u0000${record.seq}`, {
        tenantId: record.tenantId,
        seq: record.seq,
        runId: record.runId,
        type: record.type,
        employeeId: record.employeeId,
        at: record.at,
        expiresAt,
        data: JSON.stringify(record),
        // Internal (never listed): the snapshot entry of this change, for a roll-forward repair.
        snapshot: JSON.stringify(snapshot),
      });
    }
    await this.writer.put(this.tableName, [...byKey.values()]);
  }

  async readRange(tenantId: string, firstSeq: number, lastSeq: number): Promise<FeedAppend[]> {
    const from = Math.max(firstSeq, META_SEQ + 1);
    if (lastSeq < from) return [];
    const records: FeedAppend[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const output = await this.documentClient.send(new QueryCommand({ ...this.rangeQuery(tenantId, from, lastSeq), ExclusiveStartKey }));
      for (const item of output.Items ?? []) {
        records.push({ record: this.parse(item), snapshot: snapshotEntrySchema.parse(JSON.parse(String(item.snapshot))) });
      }
      ExclusiveStartKey = output.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return records;
  }

  async commit(tenantId: string, pending: PendingAppend): Promise<void> {
    try {
      await this.documentClient.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { tenantId, seq: META_SEQ },
          UpdateExpression: 'REMOVE #pending SET #committedSeq = :lastSeq',
          ConditionExpression: '#pending.#runId = :runId AND #pending.#firstSeq = :firstSeq AND #pending.#lastSeq = :lastSeq',
          ExpressionAttributeNames: { '#pending': 'pending', '#committedSeq': 'committedSeq', '#runId': 'runId', '#firstSeq': 'firstSeq', '#lastSeq': 'lastSeq' },
          ExpressionAttributeValues: { ':runId': pending.runId, ':firstSeq': pending.firstSeq, ':lastSeq': pending.lastSeq },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const meta = await this.meta(tenantId);
      // A repeated commit (e.g. a retried job) is fine: the range is already visible.
      if ((meta.committedSeq ?? 0) >= pending.lastSeq) return;
      throw new Error(
        `Cannot commit ${describe(pending)} to the change feed of tenant '${tenantId}': ` +
          (meta.pending ? `the pending append is ${describe(meta.pending)}.` : 'nothing is pending.'),
      );
    }
  }

  async list(tenantId: string, after: number, limit: number): Promise<{ changes: ChangeRecord[]; nextAfter: number }> {
    if (!Number.isInteger(after) || after < 0) throw new ValidationError(`'after' must be a whole number of at least 0, not ${after}.`, 'after');
    const pageSize = Math.min(MAX_LIST_LIMIT, Math.max(1, Math.floor(limit) || 1));
    const committed = (await this.meta(tenantId)).committedSeq ?? 0;
    if (after >= committed) return { changes: [], nextAfter: after };
    const output = await this.documentClient.send(
      new QueryCommand({ ...this.rangeQuery(tenantId, after + 1, committed), Limit: pageSize, ProjectionExpression: '#data', ExpressionAttributeNames: { '#seq': 'seq', '#data': 'data' } }),
    );
    const changes = (output.Items ?? []).map((item) => this.parse(item));
    return { changes, nextAfter: changes.at(-1)?.seq ?? after };
  }

  async deleteAll(tenantId: string): Promise<void> {
    const keys: Array<{ tenantId: string; seq: number }> = [];
    const projection = { ProjectionExpression: '#seq', ExpressionAttributeNames: { '#seq': 'seq' } };
    for await (const item of queryTenantItems(this.documentClient, this.tableName, tenantId, projection)) {
      if (Number(item.seq) !== META_SEQ) keys.push({ tenantId, seq: Number(item.seq) });
    }
    await this.writer.delete(this.tableName, keys);
    // The bookkeeping item stays, emptied: a tenant registered again under the same id continues
    // the seqs, so a product that kept its last seq never misses the new tenant's changes.
    await this.documentClient.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { tenantId, seq: META_SEQ },
        UpdateExpression: 'REMOVE #pending SET #nextSeq = if_not_exists(#nextSeq, :one), #committedSeq = if_not_exists(#nextSeq, :one) - :one',
        ExpressionAttributeNames: { '#pending': 'pending', '#nextSeq': 'nextSeq', '#committedSeq': 'committedSeq' },
        ExpressionAttributeValues: { ':one': 1 },
      }),
    );
  }

  private async meta(tenantId: string): Promise<MetaItem> {
    const { Item } = await this.documentClient.send(
      new GetCommand({ TableName: this.tableName, Key: { tenantId, seq: META_SEQ }, ConsistentRead: true }),
    );
    if (!Item) return {};
    const pending = Item.pending as PendingAppend | undefined;
    return {
      nextSeq: Item.nextSeq === undefined ? undefined : Number(Item.nextSeq),
      committedSeq: Item.committedSeq === undefined ? undefined : Number(Item.committedSeq),
      pending: pending ? { runId: String(pending.runId), firstSeq: Number(pending.firstSeq), lastSeq: Number(pending.lastSeq) } : undefined,
    };
  }

  /** Strongly consistent: a reader right after a commit sees every record of it. */
  private rangeQuery(tenantId: string, from: number, to: number): QueryCommandInput {
    return {
      TableName: this.tableName,
      KeyConditionExpression: 'tenantId = :tenantId AND #seq BETWEEN :from AND :to',
      ExpressionAttributeNames: { '#seq': 'seq' },
      ExpressionAttributeValues: { ':tenantId': tenantId, ':from': from, ':to': to },
      ConsistentRead: true,
    };
  }

  private parse(item: Record<string, unknown>): ChangeRecord {
    return changeRecordSchema.parse(JSON.parse(String(item.data)));
  }
}
