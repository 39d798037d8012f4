import { PassThrough } from 'node:stream';
import { expandOptionalValues, main, type MainOptions } from '../../lib/cli/main.js';
import { Output, table, type CliIo } from '../../lib/cli/output.js';
import type { CliDeps } from '../../lib/cli/target.js';
import { silentLog } from '../../lib/logging.js';
import type { RunRecord } from '../../lib/model/run.js';
import { aRawRow, FAKE_API_KEY } from '../helpers/builders.js';
import { FakeEmployeeSource } from '../helpers/fake-employee-source.js';
import { FixedClock, InMemoryChangeFeed, InMemoryJobQueue, InMemoryRunStore, InMemorySecretStore, InMemorySnapshotStore, InMemoryTenantStore, RecordingActivity } from '../helpers/in-memory-ports.js';

const WEBHOOK_KEY = 'webhook-key-0a1b2c3d4e5f';

const anIo = (input: { text?: string; tty?: boolean } = {}) => {
  const stdin = Object.assign(new PassThrough(), {
    isTTY: input.tty ?? false,
    rawModes: [] as boolean[],
    setRawMode(mode: boolean) {
      stdin.rawModes.push(mode);
      return stdin;
    },
  });
  if (!input.tty) stdin.end(input.text ?? '');
  let stdout = '';
  let stderr = '';
  const io: CliIo = { stdin, stdout: { write: (c: string) => (stdout += c) }, stderr: { write: (c: string) => (stderr += c) }, env: {} };
  return { io, stdin, out: () => stdout, err: () => stderr };
};

const setup = () => {
  const source = new FakeEmployeeSource([aRawRow('1'), aRawRow('2')]);
  source.fields.push({ id: '4502', name: 'Skip sync', alias: 'skip_elevo_sync', type: 'checkbox' });
  const deps = {
    tenants: new InMemoryTenantStore(),
    secrets: new InMemorySecretStore(),
    snapshots: new InMemorySnapshotStore(),
    feed: new InMemoryChangeFeed(),
    runs: new InMemoryRunStore(),
    queue: new InMemoryJobQueue(),
    clock: new FixedClock(),
    employeeSource: () => source,
    log: silentLog,
    activity: new RecordingActivity(),
    deployment: { publicBaseUrl: async () => 'https://sync.example.com' },
    deadLetters: { list: async () => [], redrive: async () => ({ redriven: 0, redrivenIds: [], redrivenJobs: [], poison: [], notFound: [] }), count: async () => ({ waiting: 0, inFlight: 0 }) },
  };
  let opened = 0;
  const options: MainOptions = {
    openTarget: async () => {
      opened += 1;
      return { label: 'test', actor: async () => 'test-operator', deps: deps as unknown as CliDeps, close: () => undefined };
    },
    sleep: async () => undefined,
    now: () => Date.parse('2026-11-25T10:05:00.000Z'),
    interrupted: () => new Promise<void>(() => undefined),
  };
  return { deps, source, options, opened: () => opened };
};

describe('the CLI (in process)', () => {
  it('reads --exclusion-field with no value as the default field, and a value as that field', async () => {
    // Prepare
    const { deps, options } = setup();

    // Act
    const byDefault = await main(['tenant', 'add', 'acme', '--subdomain', 'acme', '--exclusion-field', '--api-key-stdin'], anIo({ text: `${FAKE_API_KEY}\n` }).io, options);
    const atEnd = await main(['tenant', 'add', 'beta', '--subdomain', 'acme', '--api-key-stdin', '--exclusion-field'], anIo({ text: FAKE_API_KEY }).io, options);
    const named = await main(['tenant', 'add', 'gamma', '--subdomain', 'acme', '--exclusion-field', 'Skip Elevo Sync', '--api-key-stdin'], anIo({ text: FAKE_API_KEY }).io, options);
    const none = await main(['tenant', 'add', 'delta', '--subdomain', 'acme', '--api-key-stdin'], anIo({ text: FAKE_API_KEY }).io, options);

    // Assess
    expect([byDefault, atEnd, named, none]).toEqual([0, 0, 0, 0]);
    expect((await deps.tenants.get('acme'))?.exclusionField).toBe('skip_elevo_sync');
    expect((await deps.tenants.get('beta'))?.exclusionField).toBe('skip_elevo_sync');
    expect((await deps.tenants.get('gamma'))).toMatchObject({ exclusionField: 'Skip Elevo Sync', exclusionFieldId: '4501' });
    expect((await deps.tenants.get('delta'))?.exclusionField).toBeNull();
  });

  it('expands only the optional-value flags, and nothing after --', () => {
    // Act
    const expanded = expandOptionalValues(['--exclusion-field', '--json', '--subdomain', 'x', '--', '--exclusion-field'], {
      'exclusion-field': { type: 'string', optionalValue: true, description: '' },
      subdomain: { type: 'string', description: '' },
    });

    // Assess
    expect(expanded).toEqual(['--exclusion-field=', '--json', '--subdomain', 'x', '--', '--exclusion-field']);
  });

  it('takes the API key then the webhook key from stdin, one per line, and prints neither', async () => {
    // Prepare
    const { deps, options } = setup();
    const { io, out, err } = anIo({ text: `  ${FAKE_API_KEY}  \n${WEBHOOK_KEY}\n` });

    // Act
    const code = await main(['tenant', 'add', 'acme', '--subdomain', 'acme', '--api-key-stdin', '--webhook-key-stdin', '--json'], io, options);

    // Assess
    expect(code).toBe(0);
    expect(await deps.secrets.get('acme')).toEqual({ apiKey: FAKE_API_KEY, webhookPrivateKey: WEBHOOK_KEY });
    expect(JSON.parse(out())).toMatchObject({ tenant: { tenantId: 'acme', webhookEnabled: true }, webhook: 'stored' });
    expect(out() + err()).not.toContain(FAKE_API_KEY);
    expect(out() + err()).not.toContain(WEBHOOK_KEY);
  });

  it('prompts for the key in a terminal with echo off, and handles backspace', async () => {
    // Prepare
    const { deps, options } = setup();
    const { io, stdin, err } = anIo({ tty: true });

    // Act
    const running = main(['tenant', 'add', 'acme', '--subdomain', 'acme'], io, options);
    await new Promise((resolve) => setTimeout(resolve, 10));
    stdin.write(`${FAKE_API_KEY}x\u007f\r`);
    const code = await running;

    // Assess
    expect(code).toBe(0);
    expect(err()).toContain('BambooHR API key: ');
    expect(stdin.rawModes).toEqual([true, false]);
    expect((await deps.secrets.get('acme'))?.apiKey).toBe(FAKE_API_KEY);
  });

  it('refuses, as a usage error and before touching anything, a key that could only come from argv', async () => {
    // Prepare
    const { options, opened } = setup();
    const { io, err } = anIo();

    // Act
    const code = await main(['tenant', 'add', 'acme', '--subdomain', 'acme'], io, options);

    // Assess
    expect(code).toBe(2);
    expect(err()).toContain('never from the command line');
    expect(opened()).toBe(0);
  });

  it('answers usage errors in --json on stdout with exit code 2', async () => {
    // Prepare
    const { options } = setup();
    const { io, out } = anIo();

    // Act
    const code = await main(['tenant', 'update', 'acme', '--json'], io, options);

    // Assess
    expect(code).toBe(2);
    expect(JSON.parse(out())).toEqual({ error: { code: 'usage', message: 'Nothing to update: give at least one option (see --help).' } });
  });

  it('refuses options that cannot go together', async () => {
    // Prepare
    const { options } = setup();
    const { io, err } = anIo();

    // Act
    const code = await main(['tenant', 'update', 'acme', '--exclusion-field', 'x', '--no-exclusion'], io, options);

    // Assess
    expect(code).toBe(2);
    expect(err()).toContain('--exclusion-field and --no-exclusion cannot be used together.');
  });

  it('turns exclusion off with --no-exclusion and changes the safeguard', async () => {
    // Prepare
    const { deps, options } = setup();
    await main(['tenant', 'add', 'acme', '--subdomain', 'acme', '--exclusion-field', '--api-key-stdin'], anIo({ text: FAKE_API_KEY }).io, options);
    const { io, out } = anIo();

    // Act
    const code = await main(['tenant', 'update', 'acme', '--no-exclusion', '--deactivation-threshold', '35', '--deactivation-min', '2'], io, options);

    // Assess
    expect(code).toBe(0);
    expect(await deps.tenants.get('acme')).toMatchObject({ exclusionField: null, safeguards: { deactivationThresholdPct: 35, deactivationMin: 2 } });
    expect(out()).toContain("Updated tenant 'acme'");
  });

  it('prints a typed error with its fix, as text on stderr or JSON on stdout, with exit code 1 and no stack', async () => {
    // Prepare
    const { options } = setup();
    const text = anIo();
    const json = anIo();

    // Act
    const textCode = await main(['tenant', 'show', 'nobody'], text.io, options);
    const jsonCode = await main(['tenant', 'show', 'nobody', '--json'], json.io, options);

    // Assess
    expect(textCode).toBe(1);
    expect(text.err()).toBe("Error: No tenant 'nobody'. List the tenants with: bamboohr-sync tenant list\n");
    expect(jsonCode).toBe(1);
    expect(JSON.parse(json.out())).toEqual({ error: { code: 'tenant-not-found', message: "No tenant 'nobody'. List the tenants with: bamboohr-sync tenant list" } });
  });

  it('explains a held run after --wait, and exits 1 on a failed one', async () => {
    // Prepare
    const { deps, options } = setup();
    await main(['tenant', 'add', 'acme', '--subdomain', 'acme', '--api-key-stdin'], anIo({ text: FAKE_API_KEY }).io, options);
    const finishWith = (status: RunRecord['status']) => {
      const original = deps.queue.enqueue.bind(deps.queue);
      deps.queue.enqueue = async (jobs) => {
        const result = await original(jobs);
        const job = jobs[0]!;
        const runId = `${job.requestedAt.replace(/[^0-9]/g, '').slice(0, 17).padEnd(17, '0')}-${job.jobId}`;
        await deps.runs.finish({
          tenantId: 'acme',
          runId,
          jobId: job.jobId,
          kind: 'full',
          requestedBy: 'support',
          startedAt: '2026-11-25T10:00:00.000Z',
          finishedAt: '2026-11-25T10:00:02.000Z',
          status,
          counts: { created: 0, updated: 0, deactivated: 0, reactivated: 0 },
          warnings: [],
          held: status === 'held' ? { wouldDeactivate: 9, wouldReactivate: 0, syncedBefore: 10, thresholdPct: 20, thresholdMin: 5, fingerprint: 'f'.repeat(32), sample: [{ employeeId: '7', name: 'Ann Lee', reason: 'inactive', type: 'deactivated' }] } : null,
          error: status === 'failed' ? { code: 'bamboohr-key-rejected', message: 'BambooHR rejected the API key.', retryable: false } : null,
          feed: null,
          employeesSynced: 10,
          bamboohrRequests: 1,
          attempts: 1,
          waits: 0,
        });
        return result;
      };
    };
    const held = anIo();
    const failed = anIo();

    // Act
    finishWith('held');
    const heldCode = await main(['sync', 'acme', '--wait', '--stage', 'prod'], held.io, options);
    finishWith('failed');
    const failedCode = await main(['sync', 'acme', '--wait'], failed.io, options);

    // Assess
    expect(heldCode).toBe(0);
    expect(held.out()).toContain('would deactivate 9 of 10 synced employees');
    expect(held.out()).toContain('bamboohr-sync sync acme --allow-deactivations --wait --stage prod');
    expect(failedCode).toBe(1);
    expect(failed.out()).toContain('✗ Failed: BambooHR rejected the API key.');
  });

  it('times out --wait with exit code 1 when the run does not end', async () => {
    // Prepare
    const { options } = setup();
    await main(['tenant', 'add', 'acme', '--subdomain', 'acme', '--api-key-stdin'], anIo({ text: FAKE_API_KEY }).io, options);
    let now = 0;
    const { io, out } = anIo();

    // Act
    const code = await main(['sync', 'acme', '--wait', '--timeout', '3', '--json'], io, { ...options, now: () => now, sleep: async (ms) => void (now += ms) });

    // Assess
    expect(code).toBe(1);
    expect(JSON.parse(out())).toMatchObject({ run: null, error: { code: 'timeout' } });
  });

  it('validates --stage and --region before anything runs', async () => {
    // Prepare
    const { options, opened } = setup();

    // Act
    const badStage = await main(['tenant', 'list', '--stage', 'Prod!'], anIo().io, options);
    const regionAlone = await main(['tenant', 'list', '--region', 'eu-west-1'], anIo().io, options);

    // Assess
    expect([badStage, regionAlone]).toEqual([2, 2]);
    expect(opened()).toBe(0);
  });

  it('prints help for a command with exit code 0, and general help for no command with exit code 2', async () => {
    // Prepare
    const help = anIo();
    const nothing = anIo();

    // Act
    const helpCode = await main(['sync', '--help'], help.io);
    const nothingCode = await main([], nothing.io);

    // Assess
    expect(helpCode).toBe(0);
    expect(help.out()).toContain('Usage: bamboohr-sync sync <tenantId>');
    expect(help.out()).toContain('--allow-deactivations');
    expect(nothingCode).toBe(2);
    expect(nothing.err()).toContain('tenant add');
  });
});

describe('CLI output', () => {
  it('aligns table columns and fills empty cells', () => {
    // Act
    const lines = table(['ID', 'NAME'], [['1', 'Ann'], ['22', null]]);

    // Assess
    expect(lines).toEqual(['ID  NAME', '1   Ann', '22  -']);
  });

  it('never writes a registered secret', () => {
    // Prepare
    let written = '';
    const out = new Output({ stdout: { write: (c: string) => (written += c) }, stderr: { write: (c: string) => (written += c) }, stdin: new PassThrough(), env: {} }, false);
    out.addSecret(FAKE_API_KEY);

    // Act
    out.lines(`the key is ${FAKE_API_KEY}`);
    out.stderr(`again ${FAKE_API_KEY}`);

    // Assess
    expect(written).toBe('the key is [redacted]\nagain [redacted]\n');
  });
});

describe('CLI secrets', () => {
  it("never prints a tenant's key read from the secret store, even if an error carried it", async () => {
    // Prepare
    const { deps, options } = setup();
    await main(['tenant', 'add', 'acme', '--subdomain', 'acme', '--api-key-stdin'], anIo({ text: FAKE_API_KEY }).io, options);
    deps.employeeSource = () => {
      throw new Error(`request failed with key ${FAKE_API_KEY}`);
    };
    const { io, out, err } = anIo();

    // Act
    const code = await main(['sync', 'acme', '--dry-run'], io, options);

    // Assess
    expect(code).toBe(1);
    expect(err()).toBe('Error: request failed with key [redacted]\n');
    expect(out()).toBe('');
  });
});
