import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { activityEventSchema, ALERT_TYPES, type ActivityEvent } from '../model/activity.js';
import type { ActivityLog } from '../ports.js';
import { documentClientOf } from './aws-clients.js';

export interface DynamoDbActivityLogOptions {
  client: DynamoDBClient | DynamoDBDocumentClient;
  /** config.tables.activity */
  tableName: string;
  /** config.retention.activityTtlDays */
  ttlDays: number;
  /** The sparse index of alert-type events across tenants (`alerts` in serverless.yml). */
  alertsIndexName?: string;
}

/** The single partition of the alerts index: alerts are rare (one per problem), so one partition carries them all. */
const ALERT_PARTITION = 'alert';
const MAX_PAGE = 500;

/**
 * Activity in DynamoDB: `{tenantId, eventKey: <id>, expiresAt, data}` (the id starts with the time, so
 * a tenant's partition is in time order), and for alert-type events also `{alertPartition, alertKey}`,
 * which puts them in the `alerts` index, newest first across tenants.
 */
export class DynamoDbActivityLog implements ActivityLog {
  private readonly documentClient: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly ttlSeconds: number;
  private readonly alertsIndexName: string;

  constructor(options: DynamoDbActivityLogOptions) {
    this.documentClient = documentClientOf(options.client);
    this.tableName = options.tableName;
    this.ttlSeconds = options.ttlDays * 86_400;
    this.alertsIndexName = options.alertsIndexName ?? 'alerts';
  }

  async record(event: ActivityEvent): Promise<void> {
    const parsed = activityEventSchema.parse(event);
    await this.documentClient.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          tenantId: parsed.tenantId,
          eventKey: parsed.id,
          type: parsed.type,
          expiresAt: Math.floor(Date.parse(parsed.at) / 1000) + this.ttlSeconds,
          data: JSON.stringify(parsed),
          ...(ALERT_TYPES.has(parsed.type) ? { alertPartition: ALERT_PARTITION, alertKey: `${parsed.at}#${parsed.tenantId}#${parsed.id}` } : {}),
        },
      }),
    );
  }

  async list(tenantId: string, limit: number, before?: string): Promise<ActivityEvent[]> {
    const output = await this.documentClient.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: before ? 'tenantId = :tenantId AND eventKey < :before' : 'tenantId = :tenantId',
        ExpressionAttributeValues: { ':tenantId': tenantId, ...(before ? { ':before': before } : {}) },
        ScanIndexForward: false,
        Limit: Math.min(MAX_PAGE, Math.max(1, Math.floor(limit) || 1)),
      }),
    );
    return (output.Items ?? []).map((item) => activityEventSchema.parse(JSON.parse(String(item.data))));
  }

  async alerts(since: string, limit: number): Promise<ActivityEvent[]> {
    const output = await this.documentClient.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: this.alertsIndexName,
        KeyConditionExpression: 'alertPartition = :alert AND alertKey >= :since',
        ExpressionAttributeValues: { ':alert': ALERT_PARTITION, ':since': since },
        ScanIndexForward: false,
        Limit: Math.min(MAX_PAGE, Math.max(1, Math.floor(limit) || 1)),
      }),
    );
    return (output.Items ?? []).map((item) => activityEventSchema.parse(JSON.parse(String(item.data))));
  }
}
