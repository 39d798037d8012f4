import { DeleteSecretCommand, GetSecretValueCommand, ListSecretsCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ChangeMessageVisibilityCommand, SendMessageBatchCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand, QueryCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { readFileSync } from 'node:fs';
import { signWebhook } from '../../lib/bamboohr/webhook-signature.js';
import { aTenant, FAKE_API_KEY } from '../helpers/builders.js';
import { aLambdaContext, anHttpEvent, useUnitLambdaEnvironment } from '../helpers/lambda.js';

/**
 * The Lambda handlers with AWS mocked by aws-sdk-client-mock: what they send to SQS, DynamoDB and
 * Secrets Manager for a given event. (tests/integration runs the same handlers against emulators.)
 */
const ddb = mockClient(DynamoDBDocumentClient);
const sqs = mockClient(SQSClient);
const secrets = mockClient(SecretsManagerClient);
const event = (name: string) => JSON.parse(readFileSync(new URL(`../../events/${name}`, import.meta.url), 'utf8'));
type Handler = (event: unknown, context: unknown) => Promise<any>;

describe('Lambda handlers (AWS mocked)', () => {
  let scheduler: Handler;
  let worker: Handler;
  let webhook: Handler;

  beforeAll(async () => {
    useUnitLambdaEnvironment();
    scheduler = (await import('../../functions/scheduler.js')).handler as unknown as Handler;
    worker = (await import('../../functions/worker.js')).handler as unknown as Handler;
    webhook = (await import('../../functions/webhook.js')).handler as unknown as Handler;
  });

  beforeEach(() => {
    ddb.reset();
    sqs.reset();
    secrets.reset();
  });

  it('scheduler: queries the tenants due in its window by the slot index, retries the entries SendMessageBatch reported as failed, then moves its cursor', async () => {
    // Prepare: the previous invocation covered up to an hour ago: every tenant is due
    const tenants = Array.from({ length: 12 }, (_, i) => ({ ...aTenant({ tenantId: `t${i}`, subdomain: `t${i}`, lastSuccessAt: '2026-11-25T09:30:00.000Z' }), slotKey: i * 1000 }));
    ddb.on(GetCommand, { Key: { key: 'scheduler#state' } }).resolves({ Item: { key: 'scheduler#state', coveredUntil: Date.parse('2026-11-25T09:00:00Z') } });
    ddb.on(QueryCommand).resolves({ Items: [] });
    ddb.on(QueryCommand, { IndexName: 'bySlot' }).resolves({ Items: tenants });
    ddb.on(UpdateCommand).resolves({});
    ddb.on(ScanCommand).resolves({ Items: [] });
    let calls = 0;
    sqs.on(SendMessageBatchCommand).callsFake((input: { Entries: { Id: string }[] }) => {
      calls += 1;
      // The first call loses its last entry; every other call takes everything.
      const failed = calls === 1 ? input.Entries.slice(-1) : [];
      return {
        Successful: input.Entries.filter((e) => !failed.includes(e)).map((e) => ({ Id: e.Id, MessageId: `m-${e.Id}`, MD5OfMessageBody: '' })),
        Failed: failed.map((e) => ({ Id: e.Id, Code: 'InternalError', SenderFault: false })),
      };
    });

    // Act
    const result = await scheduler(event('scheduled-event.json'), aLambdaContext('scheduler'));

    // Assess
    expect(ddb.commandCalls(QueryCommand)[0]?.args[0].input).toMatchObject({ IndexName: 'bySlot', ExpressionAttributeValues: { ':active': 'active', ':from': 0, ':to': 2 ** 32 - 1 } });
    expect(ddb.commandCalls(UpdateCommand).map((c) => c.args[0].input.ExpressionAttributeValues)).toEqual([
      { ':from': Date.parse('2026-11-25T09:00:00Z'), ':to': Date.parse('2026-11-25T10:00:00Z'), ':period': 3_600_000 },
    ]);
    // The window holds a period start: tenants stored without a slot are looked for.
    expect(ddb.commandCalls(ScanCommand)[0]?.args[0].input).toMatchObject({ FilterExpression: 'attribute_not_exists(slotKey)' });
    const batches = sqs.commandCalls(SendMessageBatchCommand).map((c) => c.args[0].input.Entries ?? []);
    expect(batches).toHaveLength(3); // 10 + 2, then the one failed entry again
    expect(batches[2]).toEqual([batches[0]!.at(-1)]);
    expect(new Set(batches.flat().map((e) => e.MessageGroupId))).toEqual(new Set(tenants.map((t) => t.tenantId)));
    expect(batches[0]![0]).toMatchObject({ MessageGroupId: expect.any(String), MessageDeduplicationId: expect.stringMatching(/^schedule-20261125T0900-t\d+$/) });
    expect(result).toMatchObject({ tenants: 12, probes: 0, sent: 12 });
  });

  it('scheduler: at a period start, after queueing the syncs, deletes the credentials of connect links that expired unused; mid-period, lists nothing', async () => {
    // Prepare: one credential kept 40 days ago (its link expired), one kept yesterday
    const old = 'a'.repeat(40);
    ddb.on(GetCommand, { Key: { key: 'scheduler#state' } }).resolves({ Item: { key: 'scheduler#state', coveredUntil: Date.parse('2026-11-25T09:59:00Z'), periodMs: 3_600_000 } });
    ddb.on(QueryCommand).resolves({ Items: [] });
    ddb.on(UpdateCommand).resolves({});
    ddb.on(ScanCommand).resolves({ Items: [] });
    secrets.on(ListSecretsCommand).resolves({
      SecretList: [
        { Name: `bamboohr-sync/unit/connect/${old}`, LastChangedDate: new Date(Date.parse('2026-11-25T10:00:00Z') - 40 * 86_400_000) },
        { Name: `bamboohr-sync/unit/connect/${'b'.repeat(40)}`, LastChangedDate: new Date(Date.parse('2026-11-24T10:00:00Z')) },
      ],
    });
    secrets.on(DeleteSecretCommand).resolves({});

    // Act: 10:00 (the window [09:59, 10:00) holds no period start), then 10:01 ([10:00, 10:01) does)
    const midPeriod = await scheduler({ ...event('scheduled-event.json'), time: '2026-11-25T09:59:30Z' }, aLambdaContext('scheduler'));
    const listedMidPeriod = secrets.commandCalls(ListSecretsCommand).length;
    ddb.on(GetCommand, { Key: { key: 'scheduler#state' } }).resolves({ Item: { key: 'scheduler#state', coveredUntil: Date.parse('2026-11-25T10:00:00Z'), periodMs: 3_600_000 } });
    const atStart = await scheduler({ ...event('scheduled-event.json'), time: '2026-11-25T10:01:00Z' }, aLambdaContext('scheduler'));

    // Assess
    expect(listedMidPeriod).toBe(0);
    expect(midPeriod).toMatchObject({ periodStarted: false, abandonedConnectionsDeleted: 0 });
    expect(secrets.commandCalls(ListSecretsCommand)[0]?.args[0].input).toMatchObject({ Filters: [{ Key: 'name', Values: ['bamboohr-sync/unit/connect/'] }] });
    expect(secrets.commandCalls(DeleteSecretCommand).map((c) => c.args[0].input)).toEqual([{ SecretId: `bamboohr-sync/unit/connect/${old}`, ForceDeleteWithoutRecovery: true }]);
    expect(atStart).toMatchObject({ periodStarted: true, abandonedConnectionsDeleted: 1 });
  });

  it('worker: a poison record goes to the dead-letter queue at once, without blocking its tenant; a job for a removed tenant is dropped (hardening 7)', async () => {
    // Prepare
    const sample = event('sqs-sync-job.json');
    const poison = { ...sample.Records[0], messageId: 'poison', body: '{"not":"a job"}', attributes: { ...sample.Records[0].attributes, MessageGroupId: 'other' } };
    const records = [poison, sample.Records[1]];
    ddb.on(GetCommand).resolves({}); // the tenant no longer exists
    sqs.on(SendMessageCommand).resolves({ MessageId: 'dead-1' });

    // Act
    const response = await worker({ Records: records }, aLambdaContext('worker'));

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    const dead = sqs.commandCalls(SendMessageCommand).map((c) => c.args[0].input);
    expect(dead).toEqual([
      expect.objectContaining({
        QueueUrl: expect.stringContaining('jobs-dlq.fifo'),
        MessageBody: '{"not":"a job"}',
        MessageGroupId: 'other',
        MessageDeduplicationId: 'dead-poison',
        MessageAttributes: { reason: { DataType: 'String', StringValue: expect.stringContaining('not a sync job') } },
      }),
    ]);
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(0);
  });

  it("worker: records held back behind a failed record of their tenant come back at once (not after the queue's 30 minutes), other tenants run (hardening 7)", async () => {
    // Prepare: the first job of tenant demo fails retryably (DynamoDB throttled), the second of demo is held back, one of another tenant runs
    const sample = event('sqs-sync-job.json');
    const other = { ...sample.Records[1], messageId: 'other', receiptHandle: 'rh-other', body: sample.Records[1].body.replace('"demo"', '"other"'), attributes: { ...sample.Records[1].attributes, MessageGroupId: 'other' } };
    const records = [{ ...sample.Records[0], messageId: 'first', receiptHandle: 'rh-first' }, { ...sample.Records[1], messageId: 'second', receiptHandle: 'rh-second' }, other];
    ddb.on(GetCommand, { Key: { tenantId: 'demo' } }).rejects(Object.assign(new Error('Throttled'), { name: 'ThrottlingException' }));
    ddb.on(GetCommand, { Key: { tenantId: 'other' } }).resolves({});
    sqs.on(ChangeMessageVisibilityCommand).resolves({});

    // Act
    const response = await worker({ Records: records }, aLambdaContext('worker'));

    // Assess
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'first' }, { itemIdentifier: 'second' }] });
    const visibility = Object.fromEntries(sqs.commandCalls(ChangeMessageVisibilityCommand).map((c) => [c.args[0].input.ReceiptHandle, c.args[0].input.VisibilityTimeout]));
    expect(visibility).toEqual({ 'rh-first': 30, 'rh-second': 0 });
    expect(ddb.commandCalls(GetCommand).map((c) => c.args[0].input.Key)).toContainEqual({ tenantId: 'other' });
  });

  it('worker: does not start a record it may not have time to finish; it comes back at once (hardening 9)', async () => {
    // Prepare: 100 s left, less than one job's worst case
    const sample = event('sqs-sync-job.json');
    const other = { ...sample.Records[1], messageId: 'other', receiptHandle: 'rh-other', body: sample.Records[1].body.replace('"demo"', '"other"'), attributes: { ...sample.Records[1].attributes, MessageGroupId: 'other' } };
    sqs.on(ChangeMessageVisibilityCommand).resolves({});

    // Act
    const response = await worker({ Records: [{ ...sample.Records[0], receiptHandle: 'rh-first' }, other] }, { ...aLambdaContext('worker'), getRemainingTimeInMillis: () => 100_000 });

    // Assess
    expect(response.batchItemFailures.map((f: { itemIdentifier: string }) => f.itemIdentifier)).toEqual([sample.Records[0].messageId, 'other']);
    expect(sqs.commandCalls(ChangeMessageVisibilityCommand).map((c) => c.args[0].input.VisibilityTimeout)).toEqual([0, 0]);
    expect(ddb.commandCalls(GetCommand)).toHaveLength(0);
  });

  it('webhook: verifies the signature with the key from Secrets Manager and queues one targeted job', async () => {
    // Prepare
    ddb.on(GetCommand).resolves({ Item: aTenant({ webhookEnabled: true }) });
    secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ apiKey: FAKE_API_KEY, webhookPrivateKey: 'whk' }) });
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [{ Id: '0', MessageId: 'm', MD5OfMessageBody: '' }], Failed: [] });
    const body = readFileSync(new URL('../../events/webhook-event-based.json', import.meta.url), 'utf8');
    const timestamp = String(Math.floor(Date.now() / 1000));
    const request = (key: string) =>
      anHttpEvent('POST /webhooks/bamboohr/{tenantId}', {
        params: { tenantId: 'acme' },
        body,
        headers: { 'x-bamboohr-signature': signWebhook(body, timestamp, key), 'x-bamboohr-timestamp': timestamp },
      });

    // Act
    const accepted = await webhook(request('whk'), aLambdaContext('webhook'));
    const forged = await webhook(request('forged'), aLambdaContext('webhook'));

    // Assess
    expect(accepted.statusCode).toBe(202);
    expect(forged.statusCode).toBe(401);
    const sent = sqs.commandCalls(SendMessageBatchCommand).flatMap((c) => c.args[0].input.Entries ?? []);
    expect(sent).toHaveLength(1);
    expect(JSON.parse(sent[0]!.MessageBody!)).toMatchObject({ tenantId: 'acme', kind: 'employees', employeeIds: ['2'], requestedBy: 'webhook' });
    expect(JSON.stringify(sent)).not.toContain(FAKE_API_KEY);
  });
});
