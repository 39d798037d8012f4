import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { snapshotEntrySchema, type SnapshotEntry } from '../model/snapshot.js';
import type { SnapshotStore } from '../ports.js';
import { documentClientOf } from './aws-clients.js';
import { batchGet } from './dynamodb-batch-get.js';
import { DynamoDbBatchWriter, type BatchWriteStats } from './dynamodb-batch-writer.js';
import { decodeCursor, encodeCursor, pageLimit } from './dynamodb-cursor.js';
import { decodeBody, encodeBody, partsOf, partsPartition } from './dynamodb-item-body.js';
import { queryTenantItems } from './dynamodb-query.js';

export interface DynamoDbSnapshotStoreOptions {
  client: DynamoDBClient | DynamoDBDocumentClient;
  /** config.tables.employees */
  tableName: string;
  /** Counts the BatchWriteItem calls and items written (benchmarks). */
  stats?: BatchWriteStats;
  /** Overrides the batch writer (concurrency, retry budget). */
  batchWriter?: DynamoDbBatchWriter;
}

const DEFAULT_PAGE = 100;
const MAX_PAGE = 1000;

/** The attributes an entry's item is read back by (see dynamodb-item-body.ts for the body's forms). */
const BODY_PROJECTION = { ProjectionExpression: 'employeeId, #body, bodyGz, #parts, partsId, #data', ExpressionAttributeNames: { '#body': 'body', '#parts': 'parts', '#data': 'data' } };

/** The key of part `i` of an employee's body; the parts id ties the parts to exactly one version of the body. */
const partKey = (tenantId: string, employeeId: string, partsId: string, i: number) => ({
  tenantId: partsPartition(tenantId),
  employeeId: `${employeeId}#${partsId}#${String(i).padStart(3, '0')}`,
});

/** The items a snapshot entry is stored as (its item, and the parts of a large body), exactly as `put` writes them. */
export const snapshotItemsOf = (tenantId: string, entry: SnapshotEntry): { item: Record<string, unknown>; parts: Record<string, unknown>[] } => {
  const employeeId = entry.employee.id;
  const encoded = encodeBody(entry, () => `The snapshot entry of employee ${employeeId} (tenant '${tenantId}')`);
  const parts = 'parts' in encoded.attributes ? encoded.parts.map((chunk, i) => ({ ...partKey(tenantId, employeeId, (encoded.attributes as { partsId: string }).partsId, i), chunk })) : [];
  return { item: { tenantId, employeeId, ...(entry.seq !== undefined ? { seq: entry.seq } : {}), ...encoded.attributes }, parts };
};

/** The snapshot summary's chunks live in their own partition of the table: no query of the tenant's entries meets them. */
export const summaryPartition = (tenantId: string): string => `${tenantId}#summary`;

/** Chunk `index` in `slot`: two slots per chunk, so that a new version never overwrites the one the head names. */
const summaryKey = (tenantId: string, index: number, slot: 0 | 1) => ({ tenantId: summaryPartition(tenantId), employeeId: `${String(index).padStart(5, '0')}#${slot}` });

/**
 * The snapshot in DynamoDB: one item per employee, `{tenantId, employeeId, seq, body}` where the body
 * is the JSON of the SnapshotEntry (text, gzip, or parts for a manager with a huge list of reports:
 * see dynamodb-item-body.ts). `seq` is a copy for people reading the table.
 */
export class DynamoDbSnapshotStore implements SnapshotStore {
  private readonly documentClient: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly writer: DynamoDbBatchWriter;

  constructor(options: DynamoDbSnapshotStoreOptions) {
    this.documentClient = documentClientOf(options.client);
    this.tableName = options.tableName;
    this.writer = options.batchWriter ?? new DynamoDbBatchWriter({ client: options.client, stats: options.stats });
  }

  /** Strongly consistent, so that a run always diffs against everything the previous run wrote. */
  async load(tenantId: string): Promise<Map<string, SnapshotEntry>> {
    const items: Record<string, unknown>[] = [];
    for await (const item of queryTenantItems(this.documentClient, this.tableName, tenantId, BODY_PROJECTION)) items.push(item);
    const snapshot = new Map<string, SnapshotEntry>();
    for (const entry of await this.decode(tenantId, items)) snapshot.set(entry.employee.id, entry);
    return snapshot;
  }

  async get(tenantId: string, employeeIds: readonly string[]): Promise<SnapshotEntry[]> {
    const keys = [...new Set(employeeIds)].map((employeeId) => ({ tenantId, employeeId }));
    if (keys.length === 0) return [];
    const items = await batchGet(this.documentClient, this.tableName, keys, {
      consistent: true,
      projection: { expression: BODY_PROJECTION.ProjectionExpression, names: BODY_PROJECTION.ExpressionAttributeNames },
    });
    return this.decode(tenantId, items);
  }

  async readSummaryChunks(tenantId: string, chunks: ReadonlyArray<{ index: number; slot: 0 | 1 }>): Promise<(Uint8Array | null)[]> {
    const keys = chunks.map((c) => summaryKey(tenantId, c.index, c.slot));
    const found = new Map<string, Uint8Array>();
    for (const item of await batchGet(this.documentClient, this.tableName, keys, { consistent: true })) {
      if (item.chunk instanceof Uint8Array) found.set(String(item.employeeId), item.chunk);
    }
    return keys.map((key) => found.get(key.employeeId) ?? null);
  }

  async writeSummaryChunks(tenantId: string, chunks: ReadonlyArray<{ index: number; slot: 0 | 1; bytes: Uint8Array }>): Promise<void> {
    await this.writer.put(
      this.tableName,
      chunks.map((c) => ({ ...summaryKey(tenantId, c.index, c.slot), chunk: c.bytes })),
      (item) => `Chunk ${String(item.employeeId)} of the snapshot summary (tenant '${tenantId}')`,
    );
  }

  async put(tenantId: string, entries: readonly SnapshotEntry[]): Promise<void> {
    // One request per employee (the last entry wins): BatchWriteItem rejects a key twice in a call.
    const byEmployee = new Map<string, SnapshotEntry>();
    for (const entry of entries) byEmployee.set(entry.employee.id, entry);
    const parts: Record<string, unknown>[] = [];
    const items = [...byEmployee.values()].map((entry) => {
      const stored = snapshotItemsOf(tenantId, entry);
      parts.push(...stored.parts);
      return stored.item;
    });
    // Parts first: an item never points at parts that are not there yet.
    await this.writer.put(this.tableName, parts);
    await this.writer.put(this.tableName, items, (item) => `The snapshot entry of employee ${String(item.employeeId)} (tenant '${tenantId}')`);
  }

  /** Strongly consistent too: a page never shows less than what the feed has committed. */
  async page(tenantId: string, cursor?: string, limit?: number): Promise<{ entries: SnapshotEntry[]; cursor?: string }> {
    const start = decodeCursor(cursor, { employeeId: 'string' });
    const output = await this.documentClient.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'tenantId = :tenantId',
        ExpressionAttributeValues: { ':tenantId': tenantId },
        Limit: pageLimit(limit, DEFAULT_PAGE, MAX_PAGE),
        ConsistentRead: true,
        ...BODY_PROJECTION,
        // The cursor carries only the employee id: it cannot page into another tenant.
        ExclusiveStartKey: start ? { tenantId, employeeId: start.employeeId } : undefined,
      }),
    );
    const entries = await this.decode(tenantId, output.Items ?? []);
    const last = output.LastEvaluatedKey;
    return last ? { entries, cursor: encodeCursor({ employeeId: last.employeeId }) as string } : { entries };
  }

  async deleteAll(tenantId: string): Promise<void> {
    for (const partition of [tenantId, partsPartition(tenantId), summaryPartition(tenantId)]) {
      const keys: Array<{ tenantId: string; employeeId: string }> = [];
      for await (const item of queryTenantItems(this.documentClient, this.tableName, partition, { ProjectionExpression: 'employeeId' })) {
        keys.push({ tenantId: partition, employeeId: String(item.employeeId) });
      }
      await this.writer.delete(this.tableName, keys);
    }
  }

  /** The entries of these items, with the parts of any large body fetched. Validated: a damaged item must not become a wrong diff. */
  private async decode(tenantId: string, items: readonly Record<string, unknown>[]): Promise<SnapshotEntry[]> {
    const partKeys = items.flatMap((item) => {
      const reference = partsOf(item);
      return reference ? Array.from({ length: reference.count }, (_, i) => partKey(tenantId, String(item.employeeId), reference.partsId, i)) : [];
    });
    const chunks = new Map<string, unknown>();
    if (partKeys.length > 0) {
      for (const part of await batchGet(this.documentClient, this.tableName, partKeys, { consistent: true })) chunks.set(String(part.employeeId), part.chunk);
    }
    return items.map((item) => {
      const reference = partsOf(item);
      const parts = reference
        ? Array.from({ length: reference.count }, (_, i) => chunks.get(partKey(tenantId, String(item.employeeId), reference.partsId, i).employeeId))
        : undefined;
      // A missing part leaves fewer parts than the item names: decodeBody refuses it.
      return snapshotEntrySchema.parse(decodeBody(item, parts?.filter((p) => p !== undefined)));
    });
  }
}
