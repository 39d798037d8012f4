import { DeleteMessageBatchCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';

/** The Lambda context a handler gets, enough for middy and Powertools (15 minutes left, the worker's timeout). */
export const aLambdaContext = (functionName = 'test'): Context => ({
  callbackWaitsForEmptyEventLoop: false,
  functionName,
  functionVersion: '$LATEST',
  invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
  memoryLimitInMB: '1024',
  awsRequestId: `req-${Math.random().toString(36).slice(2)}`,
  logGroupName: `/aws/lambda/${functionName}`,
  logStreamName: 'stream',
  getRemainingTimeInMillis: () => 900_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
});

/** SQS messages in the shape Lambda's event source mapping hands the worker. */
export const toSqsEvent = (messages: readonly Message[], queueArn = 'arn:aws:sqs:us-east-1:123456789012:jobs.fifo'): SQSEvent => ({
  Records: messages.map((m) => ({
    messageId: m.MessageId!,
    receiptHandle: m.ReceiptHandle!,
    body: m.Body ?? '',
    attributes: {
      ApproximateReceiveCount: m.Attributes?.ApproximateReceiveCount ?? '1',
      SentTimestamp: m.Attributes?.SentTimestamp ?? String(Date.now()),
      SenderId: 'local',
      ApproximateFirstReceiveTimestamp: String(Date.now()),
      MessageGroupId: m.Attributes?.MessageGroupId ?? '',
      MessageDeduplicationId: m.Attributes?.MessageDeduplicationId ?? '',
      SequenceNumber: m.Attributes?.SequenceNumber ?? '1',
    },
    messageAttributes: {},
    md5OfBody: m.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: 'us-east-1',
  })),
});

export type WorkerHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | void>;

export const receiveAll = async (sqs: SQSClient, queueUrl: string, max = 10): Promise<Message[]> => {
  const received = await sqs.send(
    new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: max, WaitTimeSeconds: 0, AttributeNames: ['All'] }),
  );
  return received.Messages ?? [];
};

/**
 * Does what Lambda's SQS event source mapping does until the queue is empty: receive a batch, invoke
 * the worker, delete the records it did not report as failed. Returns every batch response.
 */
export const drainQueue = async (sqs: SQSClient, queueUrl: string, worker: WorkerHandler, maxBatches = 100) => {
  const responses: { messages: Message[]; response: SQSBatchResponse | void }[] = [];
  for (let i = 0; i < maxBatches; i += 1) {
    const messages = await receiveAll(sqs, queueUrl);
    if (messages.length === 0) break;
    const response = await worker(toSqsEvent(messages), aLambdaContext('worker'));
    const failed = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
    const done = messages.filter((m) => !failed.has(m.MessageId!));
    if (done.length > 0) {
      await sqs.send(
        new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: done.map((m, n) => ({ Id: String(n), ReceiptHandle: m.ReceiptHandle! })) }),
      );
    }
    responses.push({ messages, response });
    if (failed.size > 0) break;
  }
  return responses;
};

/** An API Gateway HTTP API (payload v2) event for a route, as the gateway would build it. */
export const anHttpEvent = (
  routeKey: string,
  options: { params?: Record<string, string>; query?: Record<string, string>; body?: unknown; headers?: Record<string, string>; token?: string } = {},
) => {
  const [method, template] = routeKey.split(' ') as [string, string];
  const path = template.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(options.params?.[name] ?? ''));
  const query = new URLSearchParams(options.query ?? {}).toString();
  return {
    version: '2.0',
    routeKey,
    rawPath: path,
    rawQueryString: query,
    headers: {
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...options.headers,
    },
    ...(options.query ? { queryStringParameters: options.query } : {}),
    ...(options.params ? { pathParameters: options.params } : {}),
    ...(options.body !== undefined ? { body: typeof options.body === 'string' ? options.body : JSON.stringify(options.body) } : {}),
    isBase64Encoded: false,
    requestContext: { http: { method, path } },
  };
};

/** The environment the handlers read at import, for unit tests with AWS mocked (stage `unit`, quiet logs, no metrics). */
export const useUnitLambdaEnvironment = (): void => {
  Object.assign(process.env, {
    STAGE: 'unit',
    SYNC_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/bamboohr-sync-unit-jobs.fifo',
    SYNC_DLQ_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/bamboohr-sync-unit-jobs-dlq.fifo',
    POWERTOOLS_LOG_LEVEL: 'CRITICAL',
    POWERTOOLS_METRICS_DISABLED: 'true',
    AWS_ACCESS_KEY_ID: 'unit',
    AWS_SECRET_ACCESS_KEY: 'unit',
  });
};
