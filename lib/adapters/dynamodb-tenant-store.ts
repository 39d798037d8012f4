import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { TenantChangedError, TenantExistsError, TenantNotFoundError } from '../errors.js';
import { madeActiveByHand, runSummarySchema, TENANT_CONFIGURATION_ATTRIBUTES, tenantSchema, type Tenant } from '../model/tenant.js';
import { slotKeyOf } from '../sync/schedule.js';
import type { DueTenant, StatusTransition, TenantStatusWriter, TenantStore } from '../ports.js';
import { documentClientOf } from './aws-clients.js';
import { decodeCursor, encodeCursor, pageLimit } from './dynamodb-cursor.js';

export interface DynamoDbTenantStoreOptions {
  client: DynamoDBClient | DynamoDBDocumentClient;
  /** config.tables.tenants */
  tableName: string;
  /** The GSI on (status, tenantId); `byStatus` in serverless.yml. */
  statusIndexName?: string;
  /** The GSI on (status, slotKey), keys and what the scheduler reads; `bySlot` in serverless.yml. */
  slotIndexName?: string;
}

const DEFAULT_PAGE = 100;
const MAX_PAGE = 1000;

const isConditionFailure = (error: unknown): boolean => error instanceof Error && error.name === 'ConditionalCheckFailedException';

/**
 * Tenants in DynamoDB, one item per tenant with the tenant's fields as attributes (so that the
 * `byStatus` index can serve the scheduler). Also the worker's TenantStatusWriter.
 */
export class DynamoDbTenantStore implements TenantStore, TenantStatusWriter {
  private readonly documentClient: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly statusIndexName: string;
  private readonly slotIndexName: string;

  constructor(options: DynamoDbTenantStoreOptions) {
    this.documentClient = documentClientOf(options.client);
    this.tableName = options.tableName;
    this.statusIndexName = options.statusIndexName ?? 'byStatus';
    this.slotIndexName = options.slotIndexName ?? 'bySlot';
  }

  async get(tenantId: string): Promise<Tenant | null> {
    const { Item } = await this.documentClient.send(new GetCommand({ TableName: this.tableName, Key: { tenantId }, ConsistentRead: true }));
    return Item ? tenantSchema.parse(Item) : null;
  }

  async create(tenant: Tenant): Promise<void> {
    const { heldRun, ...parsed } = tenantSchema.parse(tenant);
    // heldRun is absent rather than null while nothing is held (recordRun sets it with if_not_exists).
    const item = { ...parsed, ...(heldRun ? { heldRun } : {}), slotKey: slotKeyOf(tenant.tenantId) };
    try {
      await this.documentClient.send(
        new PutCommand({ TableName: this.tableName, Item: item, ConditionExpression: 'attribute_not_exists(tenantId)' }),
      );
    } catch (error) {
      if (isConditionFailure(error)) throw new TenantExistsError(tenant.tenantId);
      throw error;
    }
  }

  async save(tenant: Tenant, options: { expectedStatus?: Tenant['status'] } = {}): Promise<void> {
    const parsed = tenantSchema.parse(tenant);
    const names: Record<string, string> = { '#tenantId': 'tenantId' };
    const values: Record<string, unknown> = {};
    // The tenant's configuration only, never its sync bookkeeping (lastRun, attention...).
    const sets = TENANT_CONFIGURATION_ATTRIBUTES.map((attribute) => {
      names[`#${attribute}`] = attribute;
      values[`:${attribute}`] = parsed[attribute];
      return `#${attribute} = :${attribute}`;
    });
    if (madeActiveByHand(parsed, options.expectedStatus)) {
      names['#recoveryPending'] = 'recoveryPending';
      values[':recoveryPending'] = true;
      sets.push('#recoveryPending = :recoveryPending');
    }
    if (options.expectedStatus) values[':expectedStatus'] = options.expectedStatus;
    try {
      await this.documentClient.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { tenantId: parsed.tenantId },
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: options.expectedStatus ? 'attribute_exists(#tenantId) AND #status = :expectedStatus' : 'attribute_exists(#tenantId)',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      if (options.expectedStatus && (await this.get(parsed.tenantId))) throw new TenantChangedError(parsed.tenantId);
      throw new TenantNotFoundError(parsed.tenantId);
    }
  }

  async recordRun(tenantId: string, summary: NonNullable<Tenant['lastRun']>, status?: StatusTransition): Promise<boolean> {
    const names: Record<string, string> = { '#tenantId': 'tenantId', '#lastRun': 'lastRun' };
    const values: Record<string, unknown> = { ':lastRun': runSummarySchema.parse(summary) };
    const sets = ['#lastRun = :lastRun'];
    if (summary.status === 'succeeded') {
      // Fresh again: the stale alert may be raised anew next time.
      names['#lastSuccessAt'] = 'lastSuccessAt';
      names['#staleSince'] = 'staleSince';
      values[':lastSuccessAt'] = summary.finishedAt ?? summary.startedAt;
      values[':null'] = null;
      sets.push('#lastSuccessAt = :lastSuccessAt', '#staleSince = :null');
    }
    const removes: string[] = [];
    names['#heldRun'] = 'heldRun';
    if (summary.status === 'held') {
      // The first held run of the episode stays; a later held run (or a webhook sync between) keeps it.
      values[':heldRun'] = { runId: summary.runId, since: summary.finishedAt ?? summary.startedAt };
      sets.push('#heldRun = if_not_exists(#heldRun, :heldRun)');
    } else if (summary.status === 'succeeded' && summary.kind === 'full') removes.push('#heldRun');
    else delete names['#heldRun'];
    let condition = 'attribute_exists(#tenantId)';
    if (status) {
      names['#status'] = 'status';
      names['#statusReason'] = 'statusReason';
      names['#attention'] = 'attention';
      values[':status'] = status.status;
      values[':statusReason'] = status.reason;
      values[':attention'] = status.attention;
      status.from.forEach((from, i) => (values[`:from${i}`] = from));
      sets.push('#status = :status', '#statusReason = :statusReason', '#attention = :attention');
      // (Made active by support: activeSince was stamped then.)
      if (status.status === 'active' && !status.from.includes('active')) {
        names['#activeSince'] = 'activeSince';
        values[':activeSince'] = summary.finishedAt ?? summary.startedAt;
        sets.push('#activeSince = :activeSince');
      }
      condition += ` AND #status IN (${status.from.map((_, i) => `:from${i}`).join(', ')})`;
      names['#recoveryPending'] = 'recoveryPending';
      values[':recoveryPending'] = false;
      sets.push('#recoveryPending = :recoveryPending');
      if (status.whileRecoveryPending) {
        values[':pending'] = true;
        condition += ' AND #recoveryPending = :pending';
      }
    }
    try {
      await this.documentClient.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { tenantId },
          UpdateExpression: `SET ${sets.join(', ')}${removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : ''}`,
          ConditionExpression: condition,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
      return Boolean(status);
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      // The tenant moved meanwhile (e.g. support disabled it): record the run, keep its status.
      if (status) return (await this.recordRun(tenantId, summary), false);
      throw new TenantNotFoundError(tenantId);
    }
  }

  async listDue(fromSlot: number, toSlot: number, cursor?: string, limit?: number): Promise<{ tenants: DueTenant[]; cursor?: string }> {
    const output = await this.documentClient.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: this.slotIndexName,
        KeyConditionExpression: '#status = :active AND slotKey BETWEEN :from AND :to',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':active': 'active', ':from': fromSlot, ':to': toSlot - 1 },
        Limit: pageLimit(limit, DEFAULT_PAGE, MAX_PAGE),
        ExclusiveStartKey: decodeCursor(cursor, { tenantId: 'string', status: 'string', slotKey: 'number' }),
      }),
    );
    const tenants = (output.Items ?? []).map(
      (item): DueTenant => ({
        tenantId: String(item.tenantId),
        slotKey: Number(item.slotKey),
        createdAt: String(item.createdAt),
        lastSuccessAt: typeof item.lastSuccessAt === 'string' ? item.lastSuccessAt : null,
        staleSince: typeof item.staleSince === 'string' ? item.staleSince : null,
        activeSince: typeof item.activeSince === 'string' ? item.activeSince : null,
      }),
    );
    const next = encodeCursor(output.LastEvaluatedKey);
    return next ? { tenants, cursor: next } : { tenants };
  }

  async markStale(tenantId: string, at: string, notSyncedSince: string): Promise<boolean> {
    try {
      await this.documentClient.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { tenantId },
          UpdateExpression: 'SET #staleSince = :at',
          // Read from the table, not the index (which may lag): a sync that just succeeded wins.
          ConditionExpression:
            '#status = :active AND (attribute_not_exists(#staleSince) OR #staleSince = :null) AND ' +
            '(attribute_not_exists(#lastSuccessAt) OR #lastSuccessAt = :null OR #lastSuccessAt < :since)',
          ExpressionAttributeNames: { '#staleSince': 'staleSince', '#status': 'status', '#lastSuccessAt': 'lastSuccessAt' },
          ExpressionAttributeValues: { ':at': at, ':active': 'active', ':null': null, ':since': notSyncedSince },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async assignMissingSlots(now: string): Promise<number> {
    let assigned = 0;
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const output = await this.documentClient.send(
        new ScanCommand({
          TableName: this.tableName,
          ProjectionExpression: 'tenantId, lastRun',
          FilterExpression: 'attribute_not_exists(slotKey)',
          ExclusiveStartKey,
        }),
      );
      for (const item of output.Items ?? []) {
        const tenantId = String(item.tenantId);
        const lastRun = item.lastRun as { status?: unknown; finishedAt?: unknown } | null | undefined;
        // Its last success, when its last run was one (kept before lastSuccessAt existed).
        const lastSuccessAt = lastRun?.status === 'succeeded' && typeof lastRun.finishedAt === 'string' ? lastRun.finishedAt : null;
        await this.documentClient
          .send(
            new UpdateCommand({
              TableName: this.tableName,
              Key: { tenantId },
              UpdateExpression:
                'SET slotKey = :slot, activeSince = if_not_exists(activeSince, :now)' + (lastSuccessAt ? ', lastSuccessAt = if_not_exists(lastSuccessAt, :lastSuccessAt)' : ''),
              ConditionExpression: 'attribute_exists(tenantId)',
              ExpressionAttributeValues: { ':slot': slotKeyOf(tenantId), ':now': now, ...(lastSuccessAt ? { ':lastSuccessAt': lastSuccessAt } : {}) },
            }),
          )
          .then(() => (assigned += 1))
          .catch((error: unknown) => {
            if (!isConditionFailure(error)) throw error;
          });
      }
      ExclusiveStartKey = output.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return assigned;
  }

  async listByStatus(status: Tenant['status'], cursor?: string, limit?: number): Promise<{ tenants: Tenant[]; cursor?: string }> {
    const output = await this.documentClient.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: this.statusIndexName,
        KeyConditionExpression: '#status = :status',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':status': status },
        Limit: pageLimit(limit, DEFAULT_PAGE, MAX_PAGE),
        ExclusiveStartKey: decodeCursor(cursor, { tenantId: 'string', status: 'string' }),
      }),
    );
    return this.page(output.Items, output.LastEvaluatedKey);
  }

  async list(cursor?: string, limit?: number): Promise<{ tenants: Tenant[]; cursor?: string }> {
    const output = await this.documentClient.send(
      new ScanCommand({
        TableName: this.tableName,
        Limit: pageLimit(limit, DEFAULT_PAGE, MAX_PAGE),
        ExclusiveStartKey: decodeCursor(cursor, { tenantId: 'string' }),
      }),
    );
    return this.page(output.Items, output.LastEvaluatedKey);
  }

  async delete(tenantId: string): Promise<void> {
    await this.documentClient.send(new DeleteCommand({ TableName: this.tableName, Key: { tenantId } }));
  }

  private page(items: Record<string, unknown>[] | undefined, lastKey: Record<string, unknown> | undefined): { tenants: Tenant[]; cursor?: string } {
    const tenants = (items ?? []).map((item) => tenantSchema.parse(item));
    const cursor = encodeCursor(lastKey);
    return cursor ? { tenants, cursor } : { tenants };
  }
}
