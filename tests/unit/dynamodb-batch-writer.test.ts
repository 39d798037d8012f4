import { DynamoDBClient, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient, type BatchWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { createBatchWriteStats, DynamoDbBatchWriter, type WriteRequest } from '../../lib/adapters/dynamodb-batch-writer.js';
import { ItemTooLargeError } from '../../lib/errors.js';

const TABLE = 'bamboohr-sync-test-employees';
const documentMock = mockClient(DynamoDBDocumentClient);

const noSleep = async (): Promise<void> => undefined;

const requestsOf = (input: BatchWriteCommandInput): WriteRequest[] => (input.RequestItems?.[TABLE] ?? []) as WriteRequest[];
const idOf = (request: WriteRequest): string => String('PutRequest' in request ? request.PutRequest.Item.employeeId : request.DeleteRequest.Key.employeeId);

const throttled = () => new ProvisionedThroughputExceededException({ message: 'Rate of requests exceeds the allowed throughput', $metadata: {} });

describe('DynamoDbBatchWriter', () => {
  beforeEach(() => {
    documentMock.reset();
  });

  it('retries unprocessed items and throttled calls until every item is written exactly once', async () => {
    // Prepare
    const written = new Map<string, number>();
    let calls = 0;
    documentMock.on(BatchWriteCommand).callsFake((input: BatchWriteCommandInput) => {
      calls += 1;
      const requests = requestsOf(input);
      expect(requests.length).toBeLessThanOrEqual(25);
      if (calls % 4 === 1) throw throttled();
      // DynamoDB writes the first half and hands back the rest.
      const keep = calls % 4 === 2 && requests.length > 1 ? Math.ceil(requests.length / 2) : requests.length;
      for (const request of requests.slice(0, keep)) written.set(idOf(request), (written.get(idOf(request)) ?? 0) + 1);
      const unprocessed = requests.slice(keep);
      return { UnprocessedItems: unprocessed.length > 0 ? { [TABLE]: unprocessed } : {} };
    });
    const stats = createBatchWriteStats();
    const writer = new DynamoDbBatchWriter({ client: new DynamoDBClient({ region: 'us-east-1' }), stats, sleep: noSleep, concurrency: 3 });
    const items = Array.from({ length: 110 }, (_, i) => ({ tenantId: 't', employeeId: String(i), data: '{}' }));

    // Act
    await writer.put(TABLE, items);

    // Assess
    expect([...written.keys()].sort()).toEqual(items.map((i) => i.employeeId).sort());
    expect([...written.values()].every((count) => count === 1)).toBe(true);
    expect(stats.itemsWritten).toBe(110);
    expect(stats.requests).toBe(calls);
    expect(stats.retries).toBeGreaterThan(0);
    expect(stats.throttled).toBeGreaterThan(0);
  });

  it('sends deletes in batches of 25', async () => {
    // Prepare
    documentMock.on(BatchWriteCommand).resolves({ UnprocessedItems: {} });
    const writer = new DynamoDbBatchWriter({ client: new DynamoDBClient({ region: 'us-east-1' }), sleep: noSleep });
    const keys = Array.from({ length: 51 }, (_, i) => ({ tenantId: 't', employeeId: String(i) }));

    // Act
    await writer.delete(TABLE, keys);

    // Assess
    const sizes = documentMock.commandCalls(BatchWriteCommand).map((call) => requestsOf(call.args[0].input).length);
    expect(sizes.sort((a, b) => a - b)).toEqual([1, 25, 25]);
    expect(documentMock.commandCalls(BatchWriteCommand).every((call) => requestsOf(call.args[0].input).every((r) => 'DeleteRequest' in r))).toBe(true);
  });

  it('gives up after the retry budget, naming how many items were not written', async () => {
    // Prepare
    documentMock.on(BatchWriteCommand).callsFake((input: BatchWriteCommandInput) => ({ UnprocessedItems: { [TABLE]: requestsOf(input) } }));
    const writer = new DynamoDbBatchWriter({ client: new DynamoDBClient({ region: 'us-east-1' }), sleep: noSleep, maxAttempts: 4 });

    // Act
    const act = writer.put(TABLE, [{ tenantId: 't', employeeId: '1' }, { tenantId: 't', employeeId: '2' }]);

    // Assess
    await expect(act).rejects.toThrow(/2 item\(s\) of a batch of 2 unprocessed/);
    expect(documentMock.commandCalls(BatchWriteCommand)).toHaveLength(4);
  });

  it('does not retry errors other than throttling', async () => {
    // Prepare
    const error = Object.assign(new Error('One or more parameter values were invalid'), { name: 'ValidationException' });
    documentMock.on(BatchWriteCommand).rejects(error);
    const writer = new DynamoDbBatchWriter({ client: new DynamoDBClient({ region: 'us-east-1' }), sleep: noSleep });

    // Act
    const act = writer.put(TABLE, [{ tenantId: 't', employeeId: '1' }]);

    // Assess
    await expect(act).rejects.toThrow(/parameter values were invalid/);
    expect(documentMock.commandCalls(BatchWriteCommand)).toHaveLength(1);
  });

  it('turns an item DynamoDB refuses as too large into a non-retryable error naming it, instead of retrying forever (hardening 6)', async () => {
    // Prepare
    documentMock.on(BatchWriteCommand).rejects(Object.assign(new Error('Item size has exceeded the maximum allowed size'), { name: 'ValidationException' }));
    const writer = new DynamoDbBatchWriter({ client: new DynamoDBClient({ region: 'us-east-1' }), sleep: noSleep });

    // Act
    const act = writer.put(TABLE, [{ tenantId: 't', employeeId: '42', data: '{}' }], (item) => `employee ${String(item.employeeId)}`);

    // Assess
    await expect(act).rejects.toThrow(ItemTooLargeError);
    await expect(act).rejects.toThrow(/employee 42/);
    await expect(act).rejects.toMatchObject({ retryable: false });
  });
});
