import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { createSqsServer } from 'local-aws-sqs';
import { createQueues } from '../../dev/aws-resources.js';
import { SqsDeadLetterQueue } from '../../lib/adapters/sqs-dead-letter-queue.js';
import type { SyncJob } from '../../lib/model/job.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../helpers/emulators.js';
import { receiveAll } from '../helpers/lambda.js';

const aJob = (tenantId: string, n: number): SyncJob => ({
  jobId: `support-${tenantId}-${n}`,
  tenantId,
  kind: 'full',
  requestedAt: '2026-11-25T12:00:00.000Z',
  requestedBy: 'support',
});

describe('SqsDeadLetterQueue against local-aws-sqs', () => {
  let server: Server;
  let sqs: SQSClient;
  let queues: { jobsQueueUrl: string; dlqUrl: string };
  let dlq: SqsDeadLetterQueue;
  let sent = 0;
  const putDeadLetter = async (body: string, groupId: string) => {
    sent += 1;
    const { MessageId } = await sqs.send(
      new SendMessageCommand({ QueueUrl: queues.dlqUrl, MessageBody: body, MessageGroupId: groupId, MessageDeduplicationId: `dead-${sent}` }),
    );
    return MessageId!;
  };

  beforeAll(async () => {
    server = await createSqsServer({ port: 0, hostname: '127.0.0.1', emulateQueueCreationLifecycle: false, emulateLazyQueues: false });
    sqs = new SQSClient({ endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
    queues = await createQueues(sqs, 'dlqtest');
    dlq = new SqsDeadLetterQueue({ client: sqs, dlqUrl: queues.dlqUrl, queueUrl: queues.jobsQueueUrl, waitSeconds: 0 });
  });

  afterAll(async () => {
    sqs?.destroy();
    await new Promise((resolve) => server?.close(resolve));
  });

  it('lists dead letters without removing them, then redrives the jobs and leaves the poison', async () => {
    // Prepare
    const acme = await putDeadLetter(JSON.stringify(aJob('acme', 1)), 'acme');
    const globex = await putDeadLetter(JSON.stringify(aJob('globex', 1)), 'globex');
    const poison = await putDeadLetter('{"not":"a job"}', 'initech');

    // Act
    const first = await dlq.list(10);
    const second = await dlq.list(10);
    const redriven = await dlq.redrive();
    const left = await dlq.list(10);
    const requeued = await receiveAll(sqs, queues.jobsQueueUrl);

    // Assess
    expect(first.map((l) => l.messageId).sort()).toEqual([acme, globex, poison].sort());
    expect(second.map((l) => l.messageId).sort()).toEqual([acme, globex, poison].sort());
    expect(first.find((l) => l.messageId === acme)).toMatchObject({ job: aJob('acme', 1), rawBody: null, tenantId: 'acme' });
    expect(first.find((l) => l.messageId === poison)).toMatchObject({ job: null, rawBody: '{"not":"a job"}', tenantId: 'initech' });
    expect(redriven).toMatchObject({ redriven: 2, poison: [poison], notFound: [] });
    expect(left.map((l) => l.messageId)).toEqual([poison]);
    expect(requeued.map((m) => JSON.parse(m.Body!).jobId).sort()).toEqual(['support-acme-1', 'support-globex-1']);
    expect(requeued.find((m) => m.Attributes?.MessageGroupId === 'acme')).toBeDefined();
  });

  it('redrives only the messages asked for, and names those it did not find', async () => {
    // Prepare
    const wanted = await putDeadLetter(JSON.stringify(aJob('umbrella', 2)), 'umbrella');
    const other = await putDeadLetter(JSON.stringify(aJob('hooli', 2)), 'hooli');

    // Act
    const result = await dlq.redrive([wanted, 'no-such-message']);
    const left = await dlq.list(10);

    // Assess
    expect(result).toMatchObject({ redriven: 1, redrivenIds: [wanted], notFound: ['no-such-message'] });
    expect(left.map((l) => l.messageId)).toContain(other);
    expect(left.map((l) => l.messageId)).not.toContain(wanted);
  });
});
