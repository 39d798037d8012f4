import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { isDeepStrictEqual } from 'node:util';
import { GetCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { afterBeyondFeed, ValidationError } from '../errors.js';
import { changeRecordSchema, type ChangeRecord } from '../model/change.js';
import { compareIds } from '../model/employee.js';
import { snapshotEntrySchema, type SnapshotEntry } from '../model/snapshot.js';
import type { ChangeFeed, FeedAppend, FeedState, PendingAppend } from '../ports.js';
import { documentClientOf } from './aws-clients.js';
import { batchGet } from './dynamodb-batch-get.js';
import { DynamoDbBatchWriter, type BatchWriteStats } from './dynamodb-batch-writer.js';
import { decodeBody, encodeBody, partsOf, partsPartition } from './dynamodb-item-body.js';
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
  summary?: { head: Uint8Array; version: number };
  summaryStale?: boolean;
}

const SUMMARY_NAMES = { '#summary': 'summary', '#summaryVersion': 'summaryVersion', '#summaryStale': 'summaryStale' };

const asBytes = (value: unknown): Uint8Array | null => (value instanceof Uint8Array ? value : null);

const isConditionFailure = (error: unknown): boolean => error instanceof Error && error.name === 'ConditionalCheckFailedException';

const describe = (pending: PendingAppend) => `run '${pending.runId}' (seqs ${pending.firstSeq}-${pending.lastSeq})`;

/** Part `i` of the body of the record at `seq` lives at seq × 1000 + i in the tenant's parts partition. */
const PART_SEQ_FACTOR = 1000;
const partKey = (tenantId: string, seq: number, i: number) => ({ tenantId: partsPartition(tenantId), seq: seq * PART_SEQ_FACTOR + i });

/** What a feed item's body holds (format 2): the record, compacted, and the snapshot entry's own fields. */
interface StoredFeedBody {
  v: 2;
  record: Omit<ChangeRecord, 'changes'> & { changes: Record<string, unknown> };
  /** `record.changes.directReportIds` is `{added, removed}`: `from` is rebuilt from `to` (the body's list). */
  reportsDiff?: true;
  /** The snapshot entry but its employee, which is the record's (stored again only if it differs). */
  snapshot: Omit<SnapshotEntry, 'employee'> & { employee?: SnapshotEntry['employee'] };
}

const sameIds = (a: readonly unknown[], b: readonly unknown[]): boolean => a.length === b.length && a.every((v, i) => v === b[i]);

/** A list of direct reports before a change, from the list after it and what was added and removed. */
const reportsBefore = (after: readonly string[], added: readonly string[], removed: readonly string[]): string[] => {
  const addedIds = new Set(added);
  return [...after.filter((id) => !addedIds.has(id)), ...removed].sort(compareIds);
};

/**
 * The body of a feed item. A manager's list of reports would otherwise be stored four times (the
 * change's from and to, the body, the snapshot entry): here it is stored once, plus what changed.
 */
const toStoredBody = ({ record, snapshot }: FeedAppend): StoredFeedBody => {
  let changes: Record<string, unknown> = record.changes;
  let reportsDiff = false;
  const reports = record.changes.directReportIds;
  if (reports && Array.isArray(reports.from) && Array.isArray(reports.to) && sameIds(reports.to, record.employee.directReportIds)) {
    const before = new Set(reports.from as string[]);
    const after = new Set(reports.to as string[]);
    const added = (reports.to as string[]).filter((id) => !before.has(id));
    const removed = (reports.from as string[]).filter((id) => !after.has(id));
    // Only when the rebuilt `from` is exactly the one given (same order).
    if (sameIds(reportsBefore(record.employee.directReportIds, added, removed), reports.from)) {
      changes = { ...record.changes, directReportIds: { added, removed } };
      reportsDiff = true;
    }
  }
  const { employee, ...entry } = snapshot;
  return {
    v: 2,
    record: { ...record, changes },
    ...(reportsDiff ? { reportsDiff: true as const } : {}),
    snapshot: employee === record.employee || isDeepStrictEqual(employee, record.employee) ? entry : snapshot,
  };
};

const fromStoredBody = (body: StoredFeedBody): FeedAppend => {
  const changes = { ...body.record.changes };
  if (body.reportsDiff) {
    const { added, removed } = changes.directReportIds as { added: string[]; removed: string[] };
    const after = body.record.employee.directReportIds;
    changes.directReportIds = { from: reportsBefore(after, added, removed), to: [...after] };
  }
  const record = changeRecordSchema.parse({ ...body.record, changes });
  const snapshot = snapshotEntrySchema.parse({ ...body.snapshot, employee: body.snapshot.employee ?? record.employee });
  return { record, snapshot };
};

/** The snapshot entry a change record describes (for items written before the entry was stored with them). */
const entryOfRecord = (record: ChangeRecord): SnapshotEntry => ({
  employee: record.employee,
  state: record.type === 'deactivated' ? 'deactivated' : 'synced',
  reason: record.type === 'deactivated' ? record.reason : null,
  // BambooHR's own manager id was not kept then: the told one is the best there is.
  sourceManagerId: record.employee.managerId,
  seq: record.seq,
});

/**
 * The items a feed append is stored as (the record's item, and the parts of a large body before it),
 * exactly as `write` puts them (the bench's write floor builds them with this too).
 */
export const feedItemsOf = (append: FeedAppend, expiresAt: number): { item: Record<string, unknown>; parts: Record<string, unknown>[] } => {
  const { record } = append;
  const what = () => `The change of employee ${record.employeeId} at seq ${record.seq} (tenant '${record.tenantId}')`;
  // The body also holds the snapshot entry of this change (internal, never listed), for a roll-forward repair.
  const encoded = encodeBody(toStoredBody(append), what);
  return {
    item: { tenantId: record.tenantId, seq: record.seq, runId: record.runId, type: record.type, employeeId: record.employeeId, at: record.at, expiresAt, ...encoded.attributes },
    parts: encoded.parts.map((chunk, i) => ({ ...partKey(record.tenantId, record.seq, i), chunk, expiresAt })),
  };
};

/** The attributes a record is read back by: the body in any of its forms (and format 1's `data`/`snapshot`). */
const BODY_NAMES = { '#seq': 'seq', '#body': 'body', '#parts': 'parts', '#data': 'data', '#snapshot': 'snapshot', '#expiresAt': 'expiresAt' };
const BODY_PROJECTION = '#seq, #body, bodyGz, #parts, partsId, #data, #snapshot, #expiresAt';

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

  async state(tenantId: string): Promise<FeedState> {
    const meta = await this.meta(tenantId);
    return {
      pending: meta.pending ?? null,
      committedSeq: meta.committedSeq ?? 0,
      nextSeq: meta.nextSeq ?? META_SEQ + 1,
      summary: meta.summary ?? null,
      summaryStale: meta.summaryStale ?? false,
    };
  }

  async markSummaryStale(tenantId: string): Promise<void> {
    await this.documentClient.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { tenantId, seq: META_SEQ },
        UpdateExpression: 'SET #summaryStale = :true',
        ExpressionAttributeNames: { '#summaryStale': 'summaryStale' },
        ExpressionAttributeValues: { ':true': true },
      }),
    );
  }

  async saveSummary(tenantId: string, head: Uint8Array, expectedVersion: number | null): Promise<boolean> {
    try {
      await this.documentClient.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { tenantId, seq: META_SEQ },
          UpdateExpression: 'SET #summary = :head, #summaryVersion = :next REMOVE #summaryStale',
          ConditionExpression: `attribute_not_exists(#pending) AND ${expectedVersion === null ? 'attribute_not_exists(#summaryVersion)' : '#summaryVersion = :expected'}`,
          ExpressionAttributeNames: { ...SUMMARY_NAMES, '#pending': 'pending' },
          ExpressionAttributeValues: { ':head': head, ':next': (expectedVersion ?? 0) + 1, ...(expectedVersion === null ? {} : { ':expected': expectedVersion }) },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async reserve(tenantId: string, runId: string, count: number, expectedNextSeq?: number): Promise<PendingAppend> {
    if (!Number.isInteger(count) || count < 1) throw new ValidationError(`Cannot reserve ${count} feed seqs: reserve at least one.`, 'count');
    // Read, then claim with a condition on what was read: a concurrent reserve makes the update fail.
    // A caller that has just read the state starts from it (no pending append, that nextSeq).
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const meta: MetaItem = attempt === 0 && expectedNextSeq !== undefined && expectedNextSeq > META_SEQ + 1 ? { nextSeq: expectedNextSeq } : await this.meta(tenantId);
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
            // The snapshot is about to change: the summary is stale until the commit saves the new one.
            UpdateExpression: 'SET #pending = :pending, #nextSeq = :nextSeq, #committedSeq = if_not_exists(#committedSeq, :zero), #summaryStale = :true',
            ConditionExpression:
              meta.nextSeq === undefined
                ? 'attribute_not_exists(#pending) AND attribute_not_exists(#nextSeq)'
                : 'attribute_not_exists(#pending) AND #nextSeq = :expected',
            ExpressionAttributeNames: { ...META_NAMES, '#summaryStale': 'summaryStale' },
            ExpressionAttributeValues: {
              ':pending': pending,
              ':nextSeq': pending.lastSeq + 1,
              ':zero': 0,
              ':true': true,
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
    const parts: Record<string, unknown>[] = [];
    for (const append of appends) {
      const { record } = append;
      if (!Number.isInteger(record.seq) || record.seq <= META_SEQ) {
        throw new ValidationError(`A change record needs a positive integer seq, not ${record.seq}.`, 'seq');
      }
      const items = feedItemsOf(append, expiresAt);
      parts.push(...items.parts);
      byKey.set(`${record.tenantId}\u0000${record.seq}`, items.item);
    }
    // Parts first: an item never points at parts that are not there yet.
    await this.writer.put(this.tableName, parts);
    await this.writer.put(this.tableName, [...byKey.values()], (item) => `The change of employee ${String(item.employeeId)} at seq ${String(item.seq)}`);
  }

  async readRange(tenantId: string, firstSeq: number, lastSeq: number): Promise<FeedAppend[]> {
    const from = Math.max(firstSeq, META_SEQ + 1);
    if (lastSeq < from) return [];
    const items: Record<string, unknown>[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const output = await this.documentClient.send(
        new QueryCommand({ ...this.rangeQuery(tenantId, from, lastSeq), ProjectionExpression: BODY_PROJECTION, ExpressionAttributeNames: BODY_NAMES, ExclusiveStartKey }),
      );
      items.push(...(output.Items ?? []));
      ExclusiveStartKey = output.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return this.decode(tenantId, items);
  }

  async readSeqs(tenantId: string, seqs: readonly number[]): Promise<FeedAppend[]> {
    const keys = [...new Set(seqs)].filter((seq) => Number.isInteger(seq) && seq > META_SEQ).map((seq) => ({ tenantId, seq }));
    if (keys.length === 0) return [];
    const items = await batchGet(this.documentClient, this.tableName, keys, { consistent: true, projection: { expression: BODY_PROJECTION, names: BODY_NAMES } });
    return (await this.decode(tenantId, items)).sort((a, b) => a.record.seq - b.record.seq);
  }

  async committedSeq(tenantId: string): Promise<number> {
    return (await this.meta(tenantId)).committedSeq ?? 0;
  }

  async commit(tenantId: string, pending: PendingAppend, summary?: { head: Uint8Array; expectedVersion: number | null }): Promise<void> {
    if (summary) {
      try {
        await this.commitWithSummary(tenantId, pending, summary);
        return;
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
        // Another summary was saved since this run read its own (or the range was committed already):
        // commit the range alone, leaving the summary marked stale for the next run to rebuild.
      }
    }
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

  /** The commit and the summary's switch in one write, on both conditions: the pending range is ours, the summary is the one read. */
  private async commitWithSummary(tenantId: string, pending: PendingAppend, summary: { head: Uint8Array; expectedVersion: number | null }): Promise<void> {
    await this.documentClient.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { tenantId, seq: META_SEQ },
        UpdateExpression: 'REMOVE #pending, #summaryStale SET #committedSeq = :lastSeq, #summary = :head, #summaryVersion = :next',
        ConditionExpression:
          '#pending.#runId = :runId AND #pending.#firstSeq = :firstSeq AND #pending.#lastSeq = :lastSeq AND ' +
          (summary.expectedVersion === null ? 'attribute_not_exists(#summaryVersion)' : '#summaryVersion = :expected'),
        ExpressionAttributeNames: { '#pending': 'pending', '#committedSeq': 'committedSeq', '#runId': 'runId', '#firstSeq': 'firstSeq', '#lastSeq': 'lastSeq', ...SUMMARY_NAMES },
        ExpressionAttributeValues: {
          ':runId': pending.runId,
          ':firstSeq': pending.firstSeq,
          ':lastSeq': pending.lastSeq,
          ':head': summary.head,
          ':next': (summary.expectedVersion ?? 0) + 1,
          ...(summary.expectedVersion === null ? {} : { ':expected': summary.expectedVersion }),
        },
      }),
    );
  }

  async list(tenantId: string, after: number, limit: number): Promise<{ changes: ChangeRecord[]; nextAfter: number }> {
    if (!Number.isInteger(after) || after < 0) throw new ValidationError(`'after' must be a whole number of at least 0, not ${after}.`, 'after');
    const pageSize = Math.min(MAX_LIST_LIMIT, Math.max(1, Math.floor(limit) || 1));
    const committed = (await this.meta(tenantId)).committedSeq ?? 0;
    if (after > committed) throw afterBeyondFeed(after, committed);
    if (after === committed) return { changes: [], nextAfter: after };
    const output = await this.documentClient.send(
      new QueryCommand({ ...this.rangeQuery(tenantId, after + 1, committed), Limit: pageSize, ProjectionExpression: BODY_PROJECTION, ExpressionAttributeNames: BODY_NAMES }),
    );
    const items = output.Items ?? [];
    const changes = (await this.decode(tenantId, items)).map((append) => append.record);
    // Past what this page read, even a record it had to leave out.
    return { changes, nextAfter: items.length > 0 ? Number(items.at(-1)!.seq) : after };
  }

  async deleteAll(tenantId: string): Promise<void> {
    const keys: Array<{ tenantId: string; seq: number }> = [];
    const projection = { ProjectionExpression: '#seq', ExpressionAttributeNames: { '#seq': 'seq' } };
    for (const partition of [tenantId, partsPartition(tenantId)]) {
      for await (const item of queryTenantItems(this.documentClient, this.tableName, partition, projection)) {
        if (partition !== tenantId || Number(item.seq) !== META_SEQ) keys.push({ tenantId: partition, seq: Number(item.seq) });
      }
    }
    await this.writer.delete(this.tableName, keys);
    // The bookkeeping item stays, emptied: a tenant registered again under the same id continues
    // the seqs, so a product that kept its last seq never misses the new tenant's changes.
    await this.documentClient.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { tenantId, seq: META_SEQ },
        UpdateExpression:
          'REMOVE #pending, #summary, #summaryVersion, #summaryStale SET #nextSeq = if_not_exists(#nextSeq, :one), #committedSeq = if_not_exists(#nextSeq, :one) - :one',
        ExpressionAttributeNames: { '#pending': 'pending', '#nextSeq': 'nextSeq', '#committedSeq': 'committedSeq', ...SUMMARY_NAMES },
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
    const head = asBytes(Item.summary);
    return {
      nextSeq: Item.nextSeq === undefined ? undefined : Number(Item.nextSeq),
      committedSeq: Item.committedSeq === undefined ? undefined : Number(Item.committedSeq),
      pending: pending ? { runId: String(pending.runId), firstSeq: Number(pending.firstSeq), lastSeq: Number(pending.lastSeq) } : undefined,
      summary: head && typeof Item.summaryVersion === 'number' ? { head, version: Item.summaryVersion } : undefined,
      summaryStale: Item.summaryStale === true,
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

  /**
   * The appends of these items, with the parts of any large body fetched; format 1 items (`data` +
   * `snapshot`) too. An item past its TTL whose parts TTL deleted first (DynamoDB deletes expired
   * items in any order) is left out: it was about to go anyway.
   */
  private async decode(tenantId: string, items: readonly Record<string, unknown>[]): Promise<FeedAppend[]> {
    return (await this.decodeEach(tenantId, items)).filter((append): append is FeedAppend => append !== null);
  }

  private async decodeEach(tenantId: string, items: readonly Record<string, unknown>[]): Promise<(FeedAppend | null)[]> {
    const nowSeconds = Math.floor(this.now().getTime() / 1000);
    const partKeys = items.flatMap((item) => {
      const reference = partsOf(item);
      return reference ? Array.from({ length: reference.count }, (_, i) => partKey(tenantId, Number(item.seq), i)) : [];
    });
    const chunks = new Map<number, unknown>();
    if (partKeys.length > 0) {
      for (const part of await batchGet(this.documentClient, this.tableName, partKeys, { consistent: true })) chunks.set(Number(part.seq), part.chunk);
    }
    return items.map((item) => {
      if (typeof item.data === 'string') {
        // Format 1: the record, and (since the roll-forward stores it) the snapshot entry beside it;
        // an item older than that has none, and gets the entry its record describes.
        const record = changeRecordSchema.parse(JSON.parse(item.data));
        return { record, snapshot: typeof item.snapshot === 'string' ? snapshotEntrySchema.parse(JSON.parse(item.snapshot)) : entryOfRecord(record) };
      }
      const reference = partsOf(item);
      const parts = reference
        ? Array.from({ length: reference.count }, (_, i) => chunks.get(partKey(tenantId, Number(item.seq), i).seq)).filter((p) => p !== undefined)
        : undefined;
      if (reference && parts!.length < reference.count && Number(item.expiresAt) <= nowSeconds) return null;
      return fromStoredBody(decodeBody(item, parts) as StoredFeedBody);
    });
  }
}
