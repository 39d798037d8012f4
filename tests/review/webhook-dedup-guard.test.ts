import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { SqsJobQueue } from '../../lib/adapters/sqs-job-queue.js';
import { signWebhook } from '../../lib/bamboohr/webhook-signature.js';
import { receiveWebhook } from '../../lib/use-cases/receive-webhook.js';
import { aWebhookHarness, webhookSeconds } from '../helpers/webhook-deps.js';

/**
 * Regression guard (passes today), from the review of the webhook route: SQS FIFO deduplicates by the
 * job id for 5 minutes, so two different changes of the same employee within that time must be two
 * deduplication ids, and the same delivery twice (even with its signature header spelled otherwise:
 * upper-case hex, a `sha256=` prefix) one job only.
 */
const sqs = mockClient(SQSClient);
const seconds = webhookSeconds;

const setup = () => aWebhookHarness({ queue: new SqsJobQueue({ client: sqs as unknown as SQSClient, queueUrl: 'https://sqs.example/jobs.fifo', sleep: async () => undefined }) });

const body = (changedField: string) =>
  Buffer.from(JSON.stringify({ type: 'employee.updated', timestamp: '2026-11-25T10:00:00Z', data: { companyId: 1, employeeId: '2', changedFields: [changedField] } }));
const dedupIds = () => sqs.commandCalls(SendMessageBatchCommand).flatMap((c) => (c.args[0].input.Entries ?? []).map((e) => e.MessageDeduplicationId));

describe('webhook jobs and SQS FIFO deduplication', () => {
  beforeEach(() => {
    sqs.reset();
    sqs.on(SendMessageBatchCommand).callsFake((input: { Entries: { Id: string }[] }) => ({
      Successful: input.Entries.map((e) => ({ Id: e.Id, MessageId: `m-${e.Id}`, MD5OfMessageBody: '' })),
      Failed: [],
    }));
  });

  it('queues two changes of the same employee a minute apart (even the same body) under two deduplication ids', async () => {
    // Prepare
    const { deps, clock } = await setup();
    const first = body('jobTitle');

    // Act
    const a = await receiveWebhook(deps, { tenantId: 'acme', rawBody: first, headers: { 'X-BambooHR-Signature': signWebhook(first, seconds(0), 'acme-webhook-key'), 'X-BambooHR-Timestamp': seconds(0) } });
    clock.advance(60_000);
    const b = await receiveWebhook(deps, { tenantId: 'acme', rawBody: first, headers: { 'X-BambooHR-Signature': signWebhook(first, seconds(60), 'acme-webhook-key'), 'X-BambooHR-Timestamp': seconds(60) } });

    // Assess
    expect([a.status, b.status]).toEqual([202, 202]);
    const ids = dedupIds();
    expect(ids).toHaveLength(2);
    expect(new Set(ids).size).toBe(2);
  });

  it('queues the same delivery once, whether its signature is in lower case, upper case or with a sha256= prefix', async () => {
    // Prepare
    const { deps, clock } = await setup();
    const raw = body('department');
    const signature = signWebhook(raw, seconds(0), 'acme-webhook-key');

    // Act
    const answers = [];
    for (const spelled of [signature, signature.toUpperCase(), `sha256=${signature}`, ` SHA256=${signature} `]) {
      answers.push(await receiveWebhook(deps, { tenantId: 'acme', rawBody: raw, headers: { 'x-bamboohr-signature': spelled, 'x-bamboohr-timestamp': seconds(0) } }));
      clock.advance(100_000);
    }

    // Assess
    expect(answers.map((r) => r.status)).toEqual([202, 202, 202, 202]);
    expect(answers.slice(1).every((r) => r.status === 202 && 'duplicate' in r.body)).toBe(true);
    expect(dedupIds()).toHaveLength(1);
  });
});
