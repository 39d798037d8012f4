import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
  type Message,
} from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { RAW_BODY_LIMIT, SqsDeadLetterQueue } from '../../lib/adapters/sqs-dead-letter-queue.js';
import type { SyncJob } from '../../lib/model/job.js';

const DLQ_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/bamboohr-sync-test-jobs-dlq.fifo';
const QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/bamboohr-sync-test-jobs.fifo';
const sqsMock = mockClient(SQSClient);

const aJob = (tenantId: string): SyncJob => ({
  jobId: `support-${tenantId}`,
  tenantId,
  kind: 'full',
  requestedAt: '2026-11-25T12:00:00.000Z',
  requestedBy: 'support',
});

const aMessage = (id: string, body: string, groupId = 'acme'): Message => ({
  MessageId: id,
  ReceiptHandle: `rh-${id}`,
  Body: body,
  Attributes: { ApproximateReceiveCount: '6', SentTimestamp: String(Date.UTC(2026, 10, 25, 12)), MessageGroupId: groupId },
});

let ids = 0;
const dlq = () =>
  new SqsDeadLetterQueue({ client: new SQSClient({ region: 'us-east-1' }), dlqUrl: DLQ_URL, queueUrl: QUEUE_URL, waitSeconds: 0, newDeduplicationId: () => `dedup-${(ids += 1)}` });

describe('SqsDeadLetterQueue', () => {
  beforeEach(() => {
    sqsMock.reset();
    ids = 0;
    sqsMock.on(ChangeMessageVisibilityBatchCommand).resolves({ Successful: [], Failed: [] });
    sqsMock.on(SendMessageCommand).resolves({ MessageId: 'new' });
    sqsMock.on(DeleteMessageCommand).resolves({});
  });

  it('lists by peeking: receives with every attribute, then makes the messages visible again', async () => {
    // Prepare
    sqsMock
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [aMessage('m1', JSON.stringify(aJob('acme'))), aMessage('m2', 'not json', 'globex')] })
      .resolves({ Messages: [] });

    // Act
    const letters = await dlq().list(50);

    // Assess
    expect(letters).toEqual([
      { messageId: 'm1', job: aJob('acme'), rawBody: null, receiveCount: 6, sentAt: '2026-11-25T12:00:00.000Z', tenantId: 'acme', reason: null },
      { messageId: 'm2', job: null, rawBody: 'not json', receiveCount: 6, sentAt: '2026-11-25T12:00:00.000Z', tenantId: 'globex', reason: null },
    ]);
    const receive = sqsMock.commandCalls(ReceiveMessageCommand)[0]!.args[0].input;
    expect(receive).toMatchObject({ QueueUrl: DLQ_URL, AttributeNames: ['All'], MaxNumberOfMessages: 10 });
    const released = sqsMock.commandCalls(ChangeMessageVisibilityBatchCommand).flatMap((c) => c.args[0].input.Entries ?? []);
    expect(released.map((e) => [e.ReceiptHandle, e.VisibilityTimeout])).toEqual([
      ['rh-m1', 0],
      ['rh-m2', 0],
    ]);
    expect(sqsMock.commandCalls(DeleteMessageCommand)).toHaveLength(0);
  });

  it('counts the dead letters from the queue attributes without receiving any', async () => {
    // Prepare
    sqsMock.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: '3', ApproximateNumberOfMessagesNotVisible: '1' } });

    // Act
    const count = await dlq().count();

    // Assess
    expect(count).toEqual({ waiting: 3, inFlight: 1 });
    expect(sqsMock.commandCalls(GetQueueAttributesCommand)[0]!.args[0].input).toMatchObject({ QueueUrl: DLQ_URL });
    expect(sqsMock.commandCalls(ReceiveMessageCommand)).toHaveLength(0);
  });

  it('caps a poison body, stops at max and still releases what it received when SQS fails midway', async () => {
    // Prepare
    sqsMock
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [aMessage('m1', 'x'.repeat(5000))] })
      .rejects(new Error('boom'));

    // Act
    const failing = dlq().list(5);

    // Assess
    await expect(failing).rejects.toThrow('boom');
    expect(sqsMock.commandCalls(ChangeMessageVisibilityBatchCommand)).toHaveLength(1);

    // Act
    sqsMock.on(ReceiveMessageCommand).resolves({ Messages: [aMessage('m1', 'x'.repeat(5000))] });
    const letters = await dlq().list(1);

    // Assess
    expect(letters).toHaveLength(1);
    expect(letters[0]!.rawBody).toHaveLength(RAW_BODY_LIMIT);
    expect(sqsMock.commandCalls(ReceiveMessageCommand).at(-1)!.args[0].input.MaxNumberOfMessages).toBe(1);
  });

  it("redrives jobs to the jobs queue in the tenant's group with a new deduplication id, as a new run, then deletes them", async () => {
    // Prepare
    const body = JSON.stringify(aJob('acme'));
    sqsMock
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [aMessage('m1', body), aMessage('m2', '{"jobId":1}', 'globex')] })
      .resolves({ Messages: [aMessage('m2', '{"jobId":1}', 'globex')] });

    // Act
    const result = await dlq().redrive();

    // Assess
    expect(result).toEqual({ redriven: 1, redrivenIds: ['m1'], redrivenJobs: [{ messageId: 'm1', tenantId: 'acme', jobId: aJob('acme').jobId }], poison: ['m2'], notFound: [] });
    const sends = sqsMock.commandCalls(SendMessageCommand).map((c) => c.args[0].input);
    expect(sends).toEqual([{ QueueUrl: QUEUE_URL, MessageBody: expect.any(String), MessageGroupId: 'acme', MessageDeduplicationId: 'dedup-1' }]);
    // The same job, marked as redriven: its run starts afresh, while its requestedAt (an approval's age) is kept.
    expect(JSON.parse(sends[0]!.MessageBody!)).toEqual({ ...JSON.parse(body), redrive: { count: 1, at: expect.any(String) } });
    expect(sqsMock.commandCalls(DeleteMessageCommand).map((c) => c.args[0].input)).toEqual([{ QueueUrl: DLQ_URL, ReceiptHandle: 'rh-m1' }]);
    const released = sqsMock.commandCalls(ChangeMessageVisibilityBatchCommand).flatMap((c) => c.args[0].input.Entries ?? []);
    expect(released.every((e) => e.ReceiptHandle === 'rh-m2' && e.VisibilityTimeout === 0)).toBe(true);
  });

  it('redrives only the requested messages and reports the missing ones', async () => {
    // Prepare
    sqsMock
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [aMessage('m1', JSON.stringify(aJob('acme'))), aMessage('m2', JSON.stringify(aJob('globex')), 'globex')] })
      .resolves({ Messages: [aMessage('m1', JSON.stringify(aJob('acme')))] });

    // Act
    const result = await dlq().redrive(['m2', 'm9']);

    // Assess
    expect(result).toMatchObject({ redriven: 1, redrivenIds: ['m2'], poison: [], notFound: ['m9'] });
    expect(result.redrivenJobs.map((j) => j.messageId)).toEqual(['m2']);
    expect(sqsMock.commandCalls(SendMessageCommand).map((c) => c.args[0].input.MessageGroupId)).toEqual(['globex']);
  });

  it('does not send again when the delete after a send fails, and leaves the rest visible', async () => {
    // Prepare
    sqsMock.on(ReceiveMessageCommand).resolves({ Messages: [aMessage('m1', JSON.stringify(aJob('acme'))), aMessage('m2', 'poison')] });
    sqsMock.on(DeleteMessageCommand).rejects(new Error('delete failed'));

    // Act
    const redrive = dlq().redrive();

    // Assess
    await expect(redrive).rejects.toThrow('delete failed');
    expect(sqsMock.commandCalls(SendMessageCommand)).toHaveLength(1);
    const released = sqsMock.commandCalls(ChangeMessageVisibilityBatchCommand).flatMap((c) => c.args[0].input.Entries ?? []);
    expect(released.map((e) => e.ReceiptHandle)).toEqual(['rh-m2']);
  });
});
