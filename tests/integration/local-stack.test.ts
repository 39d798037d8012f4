/**
 * `npm start`, the way a new user runs it: a child process (on random ports, with its own state
 * directory so that a developer's running stack is left alone), its banner, the demo tenant's first
 * sync in the change feed over HTTP, a webhook, then Ctrl-C and nothing left running. Plus the
 * pieces it is made of that are worth checking on their own (routes from serverless.yml, the
 * gateway's events, the demo's edits).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateEmployees } from '../../dev/bamboohr-simulator/demo-data.js';
import { DEMO, planDemoEdits } from '../../dev/local-stack/demo.js';
import { functionDefinitions } from '../../dev/local-stack/functions.js';
import { compileRoutes, matchRoute, toHttpApiEvent, toHttpResponse } from '../../dev/local-stack/gateway.js';
import { parseOptions } from '../../dev/local-stack/options.js';
import { localStackInfoSchema, repoRoot, type LocalStackInfo } from '../../lib/local-stack-info.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `probe` returns something (not null/undefined/false), or fails naming what it waited for. */
const waitFor = async <T>(probe: () => Promise<T | null | undefined | false> | T | null | undefined | false, ms: number, what: string, details = () => ''): Promise<T> => {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      const value = await probe();
      if (value !== null && value !== undefined && value !== false) return value;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`Timed out after ${ms / 1000} s waiting for ${what}.\n${details()}`);
    await sleep(250);
  }
};

/** The processes (Linux: from /proc) whose environment holds this LOCAL_STACK_DIR: the stack and every child, detached or not. */
const processesOf = (stateDir: string): Array<{ pid: number; cmd: string }> => {
  if (!existsSync('/proc/self/environ')) return [];
  const marker = `LOCAL_STACK_DIR=${stateDir}`;
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .flatMap((name) => {
      try {
        const environ = readFileSync(`/proc/${name}/environ`, 'utf8').split('\0');
        if (!environ.includes(marker)) return [];
        return [{ pid: Number(name), cmd: readFileSync(`/proc/${name}/cmdline`, 'utf8').replace(/\0/g, ' ').trim() }];
      } catch {
        return []; // gone meanwhile, or not ours to read
      }
    });
};

const portOpen = (url: string): Promise<boolean> =>
  new Promise((resolve) => {
    const { hostname, port } = new URL(url);
    const socket = connect(Number(port), hostname);
    socket.setTimeout(2000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });

/** The environment minus what a developer's shell may set for their own stack (real BambooHR, persistence...). */
const withoutStackSettings = (env: NodeJS.ProcessEnv): NodeJS.ProcessEnv => {
  const own = ['BAMBOOHR_API_BASE', 'LOCAL_PERSIST', 'ADMIN_TOKEN', 'FEED_TOKEN', 'LOG_LEVEL', 'POWERTOOLS_LOG_LEVEL', 'SCHEDULE_SECONDS', 'RETRY_SECONDS', 'BAMBOOHR_SYNC_STACK_FILE'];
  return Object.fromEntries(Object.entries(env).filter(([name]) => !own.includes(name)));
};

const onWindows = process.platform === 'win32';

(onWindows ? describe.skip : describe)('npm start: the local stack', () => {
  let stateDir: string;
  let child: ChildProcess | undefined;
  let output = '';
  let exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  beforeAll(() => {
    stateDir = mkdtempSync(join(tmpdir(), 'bamboohr-sync-local-stack-'));
  });

  afterAll(async () => {
    // Only if the test failed half-way: nothing of this run may outlive it.
    if (child?.pid && child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    for (const { pid } of processesOf(stateDir)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('starts, shows the demo tenant first sync in the change feed, takes webhooks, and leaves nothing running after Ctrl-C', async () => {
    // Prepare: `npm start` in its own process group, as a terminal runs it (Ctrl-C signals the group)
    child = spawn('npm', ['start'], {
      cwd: repoRoot(),
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...withoutStackSettings(process.env),
        LOCAL_STACK_DIR: stateDir,
        PORT: '0',
        DYNAMODB_PORT: '0',
        SQS_PORT: '0',
        SIMULATOR_PORT: '0',
        DEMO_CHANGE_SECONDS: '3',
        NO_COLOR: '1',
      },
    });
    const started = child;
    started.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    started.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    exited = new Promise((resolve) => started.once('exit', (code, signal) => resolve({ code, signal })));
    const log = () => `Output of npm start:\n${output}`;

    // Act: wait for the banner and the stack file
    await waitFor(() => output.includes('local stack is ready') || started.exitCode !== null, 90_000, 'the banner', log);
    expect(started.exitCode).toBeNull();
    const stackFile = join(stateDir, 'stack.json');
    const info: LocalStackInfo = localStackInfoSchema.parse(JSON.parse(readFileSync(stackFile, 'utf8')));
    const auth = { authorization: `Bearer ${info.adminToken}` };
    const feedAuth = { authorization: `Bearer ${info.feedToken}` };

    // Assess: the banner and the stack file agree, the file is private, and the state dir (outside .local) keeps itself out of git
    expect(statSync(stackFile).mode & 0o777).toBe(0o600);
    expect(info).toMatchObject({ stage: 'local', simulator: true, feedToken: expect.any(String) });
    expect(output).toContain(info.gatewayUrl);
    expect(output).toContain(info.adminToken);
    expect(output).toContain(info.feedToken);
    expect(readFileSync(join(stateDir, '.gitignore'), 'utf8')).toMatch(/^\*$/m);
    expect(output).toContain(`${info.gatewayUrl}/tenants/demo/changes`);

    // Assess: the scheduled first sync of the demo tenant reaches the change feed over HTTP
    const firstRun = await waitFor(
      async () => {
        const response = await fetch(`${info.gatewayUrl}/tenants/demo/changes?limit=1000`, { headers: feedAuth });
        if (response.status !== 200) return null;
        const body = (await response.json()) as { changes: Array<{ type: string; seq: number; runId: string; employeeId: string }> };
        const scheduled = body.changes.find((c) => c.runId.includes('-schedule-'));
        return scheduled ? body.changes.filter((c) => c.runId === scheduled.runId) : null;
      },
      60_000,
      "the demo tenant's first sync in the change feed",
      log,
    );
    expect(firstRun.length).toBeGreaterThan(200);
    expect(firstRun.every((c) => c.type === 'created')).toBe(true);
    expect(firstRun.map((c) => c.seq)).toEqual(firstRun.map((_, i) => (firstRun[0]?.seq ?? 0) + i));
    await waitFor(() => /demo\s+full\s+schedule\s+\+\d{3} ~0 -0 ↺0 .*succeeded/.test(output), 30_000, 'the run line of the first sync', log);

    // Assess: the demo edits BambooHR and its signed webhooks become targeted syncs
    await waitFor(() => /demo\s+BambooHR edits: .* → webhook 202/.test(output), 60_000, 'a demo edit', log);
    await waitFor(() => /demo\s+employees\s+webhook\s+\+\d+ ~\d+ -\d+ ↺\d+ .*succeeded/.test(output), 60_000, 'a webhook sync run', log);

    // Assess: the gateway's other answers
    expect((await fetch(`${info.gatewayUrl}/tenants/demo/changes`)).status).toBe(401);
    expect((await fetch(`${info.gatewayUrl}/tenants/demo/changes`, { headers: auth })).status).toBe(401); // the admin token does not open the feed
    const forged = await fetch(`${info.gatewayUrl}/webhooks/bamboohr/demo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-bamboohr-signature': 'f'.repeat(64), 'x-bamboohr-timestamp': String(Math.floor(Date.now() / 1000)) },
      body: JSON.stringify({ employees: [{ id: '1', action: 'Updated' }] }),
    });
    expect(forged.status).toBe(401);
    const unknown = await fetch(`${info.gatewayUrl}/no/such/route`, { headers: auth });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { code: 'no-route' } });

    // Act: Ctrl-C
    const running = processesOf(stateDir);
    if (existsSync('/proc/self/environ')) expect(running.some((p) => p.cmd.includes('DynamoDBLocal'))).toBe(true);
    process.kill(-(started.pid as number), 'SIGINT');
    const exit = await waitFor(() => Promise.race([exited, sleep(500).then(() => null)]), 45_000, 'npm start to exit', log);

    // Assess: a clean exit (npm itself re-raises the SIGINT it got, after the stack exited 0)
    expect(exit.code === 0 || exit.signal === 'SIGINT').toBe(true);
    await waitFor(() => output.includes('Stopped. Nothing is left running.'), 5_000, 'the last line', log);
    const left = await waitFor(
      () => {
        const still = processesOf(stateDir);
        return still.length === 0 ? still : null;
      },
      20_000,
      'every process of the stack to end',
      () => JSON.stringify(processesOf(stateDir), null, 2),
    );
    expect(left).toEqual([]);
    expect(existsSync(stackFile)).toBe(false);
    for (const endpoint of [info.gatewayUrl, info.dynamodbEndpoint, info.sqsEndpoint, info.bamboohrApiBase]) {
      expect(await portOpen(endpoint)).toBe(false);
    }
  }, 240_000);
});

describe('the local stack, piece by piece', () => {
  it('takes the routes, the schedule and the queue from serverless.yml', () => {
    // Act
    const functions = functionDefinitions();

    // Assess
    const routes = functions.flatMap((f) => f.httpRoutes.map((r) => `${r.functionName}: ${r.routeKey}`));
    expect(routes).toEqual(
      expect.arrayContaining([
        'webhook: POST /webhooks/bamboohr/{tenantId}',
        'adminApi: GET /tenants',
        'adminApi: GET /tenants/{tenantId}/runs/{runId}',
        'changesApi: GET /tenants/{tenantId}/changes',
      ]),
    );
    expect(functions.find((f) => f.schedule)?.name).toBe('scheduler');
    expect(functions.find((f) => f.sqs)).toMatchObject({ name: 'worker', sqs: { batchSize: 1 }, timeoutSeconds: 900 });
  });

  it('routes a request to the most specific route, with its path parameters', () => {
    // Prepare
    const routes = compileRoutes(functionDefinitions().flatMap((f) => f.httpRoutes));

    // Act & Assess
    expect(matchRoute(routes, 'GET', '/tenants/acme/runs/123-abc')).toMatchObject({
      route: { routeKey: 'GET /tenants/{tenantId}/runs/{runId}' },
      pathParameters: { tenantId: 'acme', runId: '123-abc' },
    });
    expect(matchRoute(routes, 'GET', '/tenants')?.route.routeKey).toBe('GET /tenants');
    expect(matchRoute(routes, 'get', '/tenants/acme')?.route.functionName).toBe('adminApi');
    expect(matchRoute(routes, 'PUT', '/tenants')).toBeNull();
    expect(matchRoute(routes, 'GET', '/tenants/acme/changes/extra')).toBeNull();
    expect(matchRoute(routes, 'GET', '/tenants//changes')).toBeNull();
  });

  it('builds the API Gateway v2 event: lower-case headers, decoded query, raw bytes of a binary body in base64', () => {
    // Prepare
    const routes = compileRoutes([{ functionName: 'webhook', method: 'POST', path: '/webhooks/bamboohr/{tenantId}', routeKey: 'POST /webhooks/bamboohr/{tenantId}' }]);
    const match = matchRoute(routes, 'POST', '/webhooks/bamboohr/acme')!;
    const binary = Buffer.from([0xff, 0xfe, 0x00, 0x7b]);

    // Act
    const json = toHttpApiEvent(
      { method: 'POST', url: '/webhooks/bamboohr/acme?a=1&a=2&b=x%20y', headers: { 'content-type': 'application/json', 'X-BambooHR-Signature': 'sig', cookie: 'k=v; w=z' }, body: Buffer.from('{"é":1}'), sourceIp: '127.0.0.1', protocol: 'HTTP/1.1' },
      match,
    );
    const bytes = toHttpApiEvent({ method: 'POST', url: '/webhooks/bamboohr/acme', headers: { 'content-type': 'application/json' }, body: binary, sourceIp: '127.0.0.1', protocol: 'HTTP/1.1' }, match);

    // Assess
    expect(json).toMatchObject({
      version: '2.0',
      routeKey: 'POST /webhooks/bamboohr/{tenantId}',
      rawPath: '/webhooks/bamboohr/acme',
      rawQueryString: 'a=1&a=2&b=x%20y',
      queryStringParameters: { a: '1,2', b: 'x y' },
      pathParameters: { tenantId: 'acme' },
      cookies: ['k=v', 'w=z'],
      body: '{"é":1}',
      isBase64Encoded: false,
      requestContext: { http: { method: 'POST', path: '/webhooks/bamboohr/acme' }, stage: '$default' },
    });
    expect(json.headers['x-bamboohr-signature']).toBe('sig');
    expect(bytes).toMatchObject({ body: binary.toString('base64'), isBase64Encoded: true });
    expect(toHttpResponse({ statusCode: 202, headers: { 'Content-Type': 'application/json' }, body: '{"ok":true}' })).toMatchObject({ statusCode: 202, headers: { 'content-type': 'application/json' } });
    expect(toHttpResponse({ ok: true })).toMatchObject({ statusCode: 200, body: Buffer.from('{"ok":true}') });
  });

  it('reads its ports and intervals from flags over environment variables, with fixed defaults', () => {
    // Act
    const defaults = parseOptions([], {});
    const set = parseOptions(['--port', '4000', '--persist'], { PORT: '5000', DYNAMODB_PORT: '0', LOCAL_STACK_DIR: 'tmp/x', SCHEDULE_SECONDS: '15' }, '/work');

    // Assess
    expect(defaults).toMatchObject({ gateway: { port: 3000, strict: false }, dynamodb: { port: 8000 }, persist: false, scheduleSeconds: 60, demoChangeSeconds: 30, logLevel: 'ERROR' });
    expect(set).toMatchObject({ gateway: { port: 4000, strict: true }, dynamodb: { port: 0, strict: true }, persist: true, stateDir: '/work/tmp/x', scheduleSeconds: 15 });
    expect(() => parseOptions(['--port', 'x'], {})).toThrow(/port number/);
    expect(() => parseOptions(['--nope'], {})).toThrow(/--help/);
  });

  it("plans the demo's edits without giving anyone a manager loop", () => {
    // Prepare
    let employees = generateEmployees({ count: DEMO.employees, seed: DEMO.seed, inactive: DEMO.inactive, excluded: DEMO.excluded, today: '2026-11-25' });
    let seed = 1;
    const random = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;

    // Act: a day of demo edits
    for (let tick = 0; tick < 200; tick += 1) {
      for (const edit of planDemoEdits(employees, tick, random)) {
        employees = edit.action === 'Created' ? [...employees, { excluded: false, ...edit.patch, id: edit.id } as (typeof employees)[number]] : employees.map((e) => (e.id === edit.id ? { ...e, ...edit.patch } : e));
      }
    }

    // Assess
    const byId = new Map(employees.map((e) => [e.id, e]));
    for (const employee of employees) {
      const seen = new Set<string>();
      for (let current: (typeof employees)[number] | undefined = employee; current?.supervisorEId; current = byId.get(current.supervisorEId)) {
        expect(seen.has(current.id)).toBe(false);
        seen.add(current.id);
      }
    }
    expect(new Set(employees.map((e) => e.id)).size).toBe(employees.length);
    expect(new Set(employees.map((e) => e.workEmail?.toLowerCase())).size).toBe(employees.length);
    expect(employees.length).toBeGreaterThan(DEMO.employees);
  });
});
