import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDbChangeFeed } from '../../lib/adapters/dynamodb-change-feed.js';
import { DynamoDbRunStore } from '../../lib/adapters/dynamodb-run-store.js';
import { aRunRecord } from '../helpers/builders.js';

const documentMock = mockClient(DynamoDBDocumentClient);
const client = new DynamoDBClient({ region: 'us-east-1' });
const NOW = new Date('2026-03-01T12:00:00.000Z');

const conditionFailed = () => new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });

const run = aRunRecord;

describe('DynamoDbRunStore', () => {
  beforeEach(() => {
    documentMock.reset();
  });

  it('starts a run with a conditional put and a TTL', async () => {
    // Prepare
    documentMock.on(PutCommand).resolves({});
    const runs = new DynamoDbRunStore({ client, tableName: 'runs', ttlDays: 180, now: () => NOW });

    // Act
    const result = await runs.start(run());

    // Assess
    expect(result).toEqual({ created: true });
    const input = documentMock.commandCalls(PutCommand)[0]?.args[0].input;
    expect(input?.ConditionExpression).toBe('attribute_not_exists(runId)');
    expect(input?.Item).toMatchObject({ tenantId: 'acme', runId: run().runId, expiresAt: NOW.getTime() / 1000 + 180 * 86_400 });
  });

  it('returns the existing record when the run was started before', async () => {
    // Prepare
    const existing = run({ status: 'succeeded', finishedAt: NOW.toISOString() });
    documentMock.on(PutCommand).rejects(conditionFailed());
    documentMock.on(GetCommand).resolves({ Item: { tenantId: 'acme', runId: existing.runId, data: JSON.stringify(existing) } });
    const runs = new DynamoDbRunStore({ client, tableName: 'runs', ttlDays: 180, now: () => NOW });

    // Act
    const result = await runs.start(run());

    // Assess
    expect(result).toEqual({ created: false, existing });
  });
});

describe('DynamoDbChangeFeed', () => {
  beforeEach(() => {
    documentMock.reset();
  });

  it('refuses to reserve while another run has a pending append', async () => {
    // Prepare
    documentMock.on(GetCommand).resolves({
      Item: { tenantId: 'acme', seq: 0, nextSeq: 11, committedSeq: 5, pending: { runId: 'run-old', firstSeq: 6, lastSeq: 10 } },
    });
    const feed = new DynamoDbChangeFeed({ client, tableName: 'changes', ttlDays: 90, now: () => NOW });

    // Act
    const act = feed.reserve('acme', 'run-new', 3);

    // Assess
    await expect(act).rejects.toThrow(/run 'run-old' \(seqs 6-10\)/);
    expect(documentMock.commandCalls(UpdateCommand)).toHaveLength(0);
  });

  it('fails cleanly when a concurrent reserve wins the race', async () => {
    // Prepare
    documentMock
      .on(GetCommand)
      .resolvesOnce({ Item: { tenantId: 'acme', seq: 0, nextSeq: 6, committedSeq: 5 } })
      .resolves({ Item: { tenantId: 'acme', seq: 0, nextSeq: 9, committedSeq: 5, pending: { runId: 'run-other', firstSeq: 6, lastSeq: 8 } } });
    documentMock.on(UpdateCommand).rejects(conditionFailed());
    const feed = new DynamoDbChangeFeed({ client, tableName: 'changes', ttlDays: 90, now: () => NOW });

    // Act
    const act = feed.reserve('acme', 'run-new', 3);

    // Assess
    await expect(act).rejects.toThrow(/run-other/);
    expect(documentMock.commandCalls(UpdateCommand)).toHaveLength(1);
  });

  it('reserves the next seqs on the meta item, on condition that nothing is pending', async () => {
    // Prepare
    documentMock.on(GetCommand).resolves({ Item: { tenantId: 'acme', seq: 0, nextSeq: 6, committedSeq: 5 } });
    documentMock.on(UpdateCommand).resolves({});
    const feed = new DynamoDbChangeFeed({ client, tableName: 'changes', ttlDays: 90, now: () => NOW });

    // Act
    const pending = await feed.reserve('acme', 'run-new', 3);

    // Assess
    expect(pending).toEqual({ runId: 'run-new', firstSeq: 6, lastSeq: 8 });
    const input = documentMock.commandCalls(UpdateCommand)[0]?.args[0].input;
    expect(input?.Key).toEqual({ tenantId: 'acme', seq: 0 });
    expect(input?.ConditionExpression).toContain('attribute_not_exists(#pending)');
    expect(input?.ExpressionAttributeValues).toMatchObject({ ':pending': pending, ':nextSeq': 9, ':expected': 6 });
  });
});
