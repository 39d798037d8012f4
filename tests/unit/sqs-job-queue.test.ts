import { SendMessageBatchCommand, SQSClient, type SendMessageBatchCommandInput } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { deduplicationId, SqsJobQueue } from '../../lib/adapters/sqs-job-queue.js';
import { ValidationError } from '../../lib/errors.js';
import type { SyncJob } from '../../lib/model/job.js';

const QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/bamboohr-sync-test-jobs.fifo';
const sqsMock = mockClient(SQSClient);
const noSleep = async (): Promise<void> => undefined;

const job = (i: number, tenantId = `tenant-${i % 4}`): SyncJob => ({
  jobId: `schedule:${tenantId}:2026-03-01T12:00:00.000Z:${i}`,
  tenantId,
  kind: 'full',
  requestedAt: '2026-03-01T12:00:00.000Z',
  requestedBy: 'schedule',
});

const queue = (overrides: Partial<ConstructorParameters<typeof SqsJobQueue>[0]> = {}) =>
  new SqsJobQueue({ client: new SQSClient({ region: 'us-east-1' }), queueUrl: QUEUE_URL, sleep: noSleep, ...overrides });

const succeedAll = (input: SendMessageBatchCommandInput) => ({
  Successful: (input.Entries ?? []).map((e) => ({ Id: e.Id, MessageId: `m-${e.Id}`, MD5OfMessageBody: 'x' })),
  Failed: [],
});

describe('SqsJobQueue', () => {
  beforeEach(() => {
    sqsMock.reset();
  });

  it('sends batches of 10 with the tenant as group and the job id as deduplication id', async () => {
    // Prepare
    sqsMock.on(SendMessageBatchCommand).callsFake(succeedAll);
    const jobs = Array.from({ length: 25 }, (_, i) => job(i));

    // Act
    const result = await queue().enqueue(jobs);

    // Assess
    expect(result).toEqual({ sent: 25, batches: 3 });
    const entries = sqsMock.commandCalls(SendMessageBatchCommand).flatMap((call) => call.args[0].input.Entries ?? []);
    expect(entries).toHaveLength(25);
    for (const entry of entries) {
      const body = JSON.parse(entry.MessageBody as string) as SyncJob;
      expect(entry.MessageGroupId).toBe(body.tenantId);
      expect(entry.MessageDeduplicationId).toBe(body.jobId);
    }
    expect(sqsMock.commandCalls(SendMessageBatchCommand).every((call) => call.args[0].input.QueueUrl === QUEUE_URL)).toBe(true);
  });

  it('retries only the entries SQS reports as failed', async () => {
    // Prepare
    sqsMock
      .on(SendMessageBatchCommand)
      .callsFakeOnce((input: SendMessageBatchCommandInput) => ({
        Successful: (input.Entries ?? []).slice(2).map((e) => ({ Id: e.Id, MessageId: 'm', MD5OfMessageBody: 'x' })),
        Failed: (input.Entries ?? []).slice(0, 2).map((e) => ({ Id: e.Id, Code: 'InternalError', SenderFault: false })),
      }))
      .callsFake(succeedAll);
    const jobs = Array.from({ length: 10 }, (_, i) => job(i));

    // Act
    const result = await queue({ concurrency: 1 }).enqueue(jobs);

    // Assess
    const calls = sqsMock.commandCalls(SendMessageBatchCommand);
    expect(calls).toHaveLength(2);
    expect(calls[1]?.args[0].input.Entries?.map((e) => JSON.parse(e.MessageBody as string).jobId)).toEqual([jobs[0]?.jobId, jobs[1]?.jobId]);
    expect(result).toEqual({ sent: 10, batches: 2 });
  });

  it('throws naming how many jobs could not be queued when entries keep failing', async () => {
    // Prepare
    sqsMock.on(SendMessageBatchCommand).callsFake((input: SendMessageBatchCommandInput) => ({
      Successful: (input.Entries ?? []).filter((e) => e.Id !== '3').map((e) => ({ Id: e.Id, MessageId: 'm', MD5OfMessageBody: 'x' })),
      Failed: (input.Entries ?? []).filter((e) => e.Id === '3').map((e) => ({ Id: e.Id, Code: 'InternalError', SenderFault: false })),
    }));
    const jobs = Array.from({ length: 20 }, (_, i) => job(i));

    // Act
    const act = queue({ maxAttempts: 3 }).enqueue(jobs);

    // Assess
    await expect(act).rejects.toThrow(/^2 of 20 jobs could not be queued/);
    // Two batches, each sent once and then its one failing entry twice more.
    const sizes = sqsMock.commandCalls(SendMessageBatchCommand).map((call) => call.args[0].input.Entries?.length);
    expect(sizes.sort()).toEqual([1, 1, 1, 1, 10, 10]);
  });

  it('does not retry sender faults', async () => {
    // Prepare
    sqsMock.on(SendMessageBatchCommand).callsFake((input: SendMessageBatchCommandInput) => ({
      Successful: [],
      Failed: (input.Entries ?? []).map((e) => ({ Id: e.Id, Code: 'InvalidParameterValue', SenderFault: true })),
    }));

    // Act
    const act = queue().enqueue([job(1)]);

    // Assess
    await expect(act).rejects.toThrow(/1 of 1 jobs could not be queued \(first: InvalidParameterValue/);
    expect(sqsMock.commandCalls(SendMessageBatchCommand)).toHaveLength(1);
  });

  it('validates every job before sending any', async () => {
    // Prepare
    sqsMock.on(SendMessageBatchCommand).callsFake(succeedAll);
    const invalid = { ...job(2), tenantId: 'Not A Tenant' };

    // Act
    const act = queue().enqueue([job(1), invalid]);

    // Assess
    await expect(act).rejects.toBeInstanceOf(ValidationError);
    expect(sqsMock.commandCalls(SendMessageBatchCommand)).toHaveLength(0);
  });

  it('replaces a job id SQS would refuse as deduplication id by a stable hash', () => {
    // Act
    const plain = deduplicationId('schedule:acme:2026-03-01T12:00:00Z');
    const spaced = deduplicationId('support run for acme');

    // Assess
    expect(plain).toBe('schedule:acme:2026-03-01T12:00:00Z');
    expect(spaced).toMatch(/^sha256-[0-9a-f]{64}$/);
    expect(deduplicationId('support run for acme')).toBe(spaced);
  });

  it('sends 10,000 jobs in 1,000 calls', async () => {
    // Prepare
    sqsMock.on(SendMessageBatchCommand).callsFake(succeedAll);
    const jobs = Array.from({ length: 10_000 }, (_, i) => job(i, `tenant-${i}`));

    // Act
    const result = await queue().enqueue(jobs);

    // Assess
    expect(result).toEqual({ sent: 10_000, batches: 1_000 });
  });
});
