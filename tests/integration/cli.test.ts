/**
 * The real `bamboohr-sync` binary (bin/bamboohr-sync.mjs over the bundle of `scripts/build.mjs`),
 * run as a child process against DynamoDB Local, local SQS and the BambooHR simulator, found through
 * a stack file as `npm start` writes it. The worker runs in this process, draining the queue.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { generateEmployees } from '../../dev/bamboohr-simulator/demo-data.js';
import type { SyncJob } from '../../lib/model/job.js';
import { FAKE_API_KEY } from '../helpers/builders.js';
import { drainQueue, receiveAll, type WorkerHandler } from '../helpers/lambda.js';
import { startLocalService, writeStackFile, type LocalService } from '../helpers/local-service.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'bin', 'bamboohr-sync.mjs');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

describe('the bamboohr-sync CLI', () => {
  let local: LocalService;
  let worker: WorkerHandler;
  let dir: string;
  let stackFile: string;
  /** Every stdout and stderr of every command run in this file: the key must be in none of them. */
  const outputs: string[] = [];

  const cli = (args: readonly string[], input = '', stack = stackFile): Promise<Run> =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [BIN, ...args], {
        cwd: ROOT,
        // Only what a support person's shell would have: the stack is found through the stack file.
        env: { PATH: process.env.PATH ?? '', HOME: dir, BAMBOOHR_SYNC_STACK_FILE: stack },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk) => (stdout += chunk));
      child.stderr.on('data', (chunk) => (stderr += chunk));
      child.on('error', reject);
      child.on('close', (code) => {
        outputs.push(stdout, stderr);
        resolve({ code, stdout, stderr });
      });
      child.stdin.end(input);
    });
  const cliJson = async (args: readonly string[], input = '') => {
    const run = await cli([...args, '--json'], input);
    return { ...run, body: JSON.parse(run.stdout) };
  };

  /** The worker, draining the jobs queue in the background (as Lambda's event source mapping would). */
  const startWorker = () => {
    let stopped = false;
    const loop = (async () => {
      while (!stopped) {
        await drainQueue(local.emulators.sqs.client, local.config.queues.syncUrl!, worker);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    return async () => {
      stopped = true;
      await loop;
    };
  };

  beforeAll(async () => {
    execFileSync(process.execPath, ['scripts/build.mjs', 'cli'], { cwd: ROOT, stdio: 'pipe' });
    local = await startLocalService();
    for (const subdomain of ['acme', 'blind', 'gone']) {
      local.simulator.addCompany({
        subdomain,
        keys: [{ apiKey: FAKE_API_KEY, ...(subdomain === 'blind' ? { hiddenFields: ['workEmail'] } : {}) }],
        employees: generateEmployees({ count: 25, seed: subdomain.length, today: '2026-11-25' }),
      });
    }
    dir = mkdtempSync(join(tmpdir(), 'bamboohr-sync-cli-'));
    stackFile = writeStackFile(local, dir);
    worker = (await import('../../functions/worker.js')).handler as never;
  }, 60_000);

  afterAll(async () => {
    await local?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('answers usage errors with exit code 2 and a usage line, never echoing a key given as an argument', async () => {
    // Act
    const [missing, unknown, badFlag, keyInArgv, keyAsWord, noKeySource, notConfirmed] = await Promise.all([
      cli(['tenant', 'add']),
      cli(['tenant', 'frob']),
      cli(['runs', 'acme', '--bogus']),
      cli(['tenant', 'add', 'acme', '--subdomain', 'acme', `--api-key=${FAKE_API_KEY}`]),
      cli(['runs', 'acme', FAKE_API_KEY]),
      cli(['tenant', 'add', 'acme', '--subdomain', 'acme']),
      cliJson(['tenant', 'remove', 'acme']),
    ]);

    // Assess
    for (const run of [missing, unknown, badFlag, keyInArgv, keyAsWord, noKeySource]) {
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/Usage: bamboohr-sync /);
    }
    expect(missing.stderr).toContain('Missing <tenantId>');
    expect(badFlag.stderr).toContain("Unknown option '--bogus'");
    expect(keyInArgv.stderr).toContain('never taken from the command line');
    expect(noKeySource.stderr).toContain('--api-key-stdin');
    expect(notConfirmed).toMatchObject({ code: 2, body: { error: { code: 'usage', message: expect.stringContaining('--yes') } } });
  });

  it('finds no local stack when there is no stack file, or it names a process that is gone', async () => {
    // Prepare
    const stale = join(dir, 'stale.json');
    writeFileSync(stale, JSON.stringify({ pid: 2 ** 22 + 12345, startedAt: '', stage: 'x', region: 'x', dynamodbEndpoint: '', sqsEndpoint: '', secretsFile: '', queueUrl: '', dlqUrl: '', gatewayUrl: '', adminToken: '', bamboohrApiBase: '', simulator: true }));

    // Act
    const runs = await Promise.all([cli(['tenant', 'list'], '', stale), cli(['tenant', 'list'], '', join(dir, 'missing.json'))]);

    // Assess
    for (const run of runs) {
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('No local stack is running. Start one with `npm start`, or pass --stage <stage> to use AWS.');
    }
  });

  it('adds a tenant with a good key from stdin, showing the access checklist and the next command', async () => {
    // Act
    const added = await cli(['tenant', 'add', 'acme', '--subdomain', 'https://acme.bamboohr.com/', '--api-key-stdin'], `${FAKE_API_KEY}\n`);
    const listed = await cliJson(['tenant', 'list']);

    // Assess
    expect(added.code).toBe(0);
    expect(added.stdout).toContain('✓ Key accepted by BambooHR');
    expect(added.stdout).toContain("✓ Company 'acme' found: the key sees 25 employees");
    expect(added.stdout).toMatch(/✓ Work Email/);
    expect(added.stdout).toContain('bamboohr-sync sync acme --dry-run');
    expect(listed.body.tenants).toEqual([expect.objectContaining({ tenantId: 'acme', subdomain: 'acme', status: 'active' })]);
    expect(await local.deps.secrets.get('acme')).toEqual({ apiKey: FAKE_API_KEY, webhookPrivateKey: null });
  });

  it('refuses a bad key with the fix in the message, and saves nothing', async () => {
    // Act
    const refused = await cli(['tenant', 'add', 'nokey', '--subdomain', 'acme', '--api-key-stdin'], 'wrong-key\n');
    const refusedJson = await cliJson(['tenant', 'add', 'nokey', '--subdomain', 'acme', '--api-key-stdin'], 'wrong-key\n');
    const unknownCompany = await cliJson(['tenant', 'add', 'nokey', '--subdomain', 'initech', '--api-key-stdin'], `${FAKE_API_KEY}\n`);

    // Assess
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("BambooHR rejected the API key for 'acme'");
    expect(refused.stderr).toContain('register the tenant again with the corrected value'); // nothing was saved: no 'tenant update'
    expect(refused.stderr).not.toContain('    at ');
    expect(refusedJson).toMatchObject({ code: 1, body: { error: { code: 'bamboohr-key-rejected' } } });
    expect(unknownCompany).toMatchObject({ code: 1, body: { error: { code: 'bamboohr-unknown-company', message: expect.stringContaining("No BambooHR company 'initech'") } } });
    expect(await local.deps.tenants.get('nokey')).toBeNull();
    expect(await local.deps.secrets.get('nokey')).toBeNull();
  });

  it('saves a key that cannot see Work Email, with a crossed checklist item and a warning', async () => {
    // Act
    const added = await cli(['tenant', 'add', 'blind', '--subdomain', 'blind', '--api-key-stdin'], FAKE_API_KEY);

    // Assess
    expect(added.code).toBe(0);
    expect(added.stdout).toMatch(/✗ Work Email +not visible/);
    expect(added.stdout).toMatch(/! The key cannot see: Work Email/);
    expect(await local.deps.tenants.get('blind')).toMatchObject({ status: 'active' });
  });

  it('previews a sync with --dry-run and writes nothing', async () => {
    // Act
    const preview = await cli(['sync', 'acme', '--dry-run', '--limit', '3']);
    const previewJson = await cliJson(['sync', 'acme', '--dry-run']);
    const feed = await cliJson(['changes', 'acme']);

    // Assess
    expect(preview.code).toBe(0);
    expect(preview.stderr).toBe('');
    expect(preview.stdout).toContain("Dry run of 'acme' (nothing was written)");
    expect(preview.stdout).toMatch(/First 3 of \d+ changes:/);
    expect(preview.stdout).toContain('bamboohr-sync sync acme --wait');
    expect(previewJson.body.preview).toMatchObject({ tenantId: 'acme', outcome: 'apply', pulled: 25 });
    expect(previewJson.body.preview.counts.created).toBeGreaterThan(0);
    expect(feed.body).toEqual({ changes: [], nextAfter: 0 });
    expect(await local.deps.runs.list('acme', 10)).toEqual([]);
    expect((await local.deps.snapshots.load('acme')).size).toBe(0);
    expect(await receiveAll(local.emulators.sqs.client, local.config.queues.syncUrl!)).toEqual([]);
  });

  it('queues a sync and follows it with --wait until it succeeds; runs shows it', async () => {
    // Prepare
    const stopWorker = startWorker();

    // Act
    let synced: Awaited<ReturnType<typeof cliJson>>;
    let waited: Run;
    try {
      synced = await cliJson(['sync', 'acme', '--wait', '--timeout', '30']);
      waited = await cli(['sync', 'blind', '--wait', '--timeout', '30']);
    } finally {
      await stopWorker();
    }
    const [runs, shown] = await Promise.all([cli(['runs', 'acme']), cli(['tenant', 'show', 'blind'])]);

    // Assess
    expect(synced.code).toBe(0);
    expect(synced.body.run).toMatchObject({ status: 'succeeded', requestedBy: 'support', runId: synced.body.runId });
    expect(synced.stderr).toContain('queued: waiting for the worker');
    expect(waited.code).toBe(0);
    expect(waited.stdout).toMatch(/✓ Succeeded in .*: \+\d+ ~0 -0 ↺0, \d+ employees synced/);
    expect(waited.stdout).toContain('bamboohr-sync changes blind');
    expect(runs.code).toBe(0);
    expect(runs.stdout).toMatch(/STARTED +RUN +KIND/);
    expect(runs.stdout).toContain(synced.body.runId);
    expect(shown.stdout).toMatch(/Subdomain +blind \(https:\/\/blind\.bamboohr\.com\/\)/);
    expect(shown.stdout).toContain('Warnings of the last run:');
  });

  it('pages the change feed with --after', async () => {
    // Act
    const page1 = await cliJson(['changes', 'acme', '--limit', '10']);
    const page2 = await cliJson(['changes', 'acme', '--after', String(page1.body.nextAfter), '--limit', '1000']);
    const end = await cliJson(['changes', 'acme', '--after', String(page2.body.nextAfter)]);
    const text = await cli(['changes', 'acme', '--after', '20', '--limit', '2']);

    // Assess
    expect(page1.body.changes.map((c: { seq: number }) => c.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(page1.body.nextAfter).toBe(10);
    expect(page2.body.changes[0].seq).toBe(11);
    expect(page2.body.changes.map((c: { seq: number }) => c.seq)).toEqual(page2.body.changes.map((_: unknown, i: number) => 11 + i));
    expect(end.body).toEqual({ changes: [], nextAfter: page2.body.nextAfter });
    expect(text.stdout).toMatch(/^SEQ +AT +TYPE +EMPLOYEE/);
    expect(text.stdout).toContain('Next page: bamboohr-sync changes acme --after 22 --limit 2');
  });

  it('pages the employee snapshot with a cursor', async () => {
    // Act
    const first = await cliJson(['employees', 'acme', '--limit', '5']);
    const next = await cliJson(['employees', 'acme', '--limit', '5', `--cursor=${first.body.cursor}`]);

    // Assess
    expect(first.body.employees).toHaveLength(5);
    expect(next.body.employees).toHaveLength(5);
    expect(next.body.employees[0].id).not.toBe(first.body.employees[0].id);
  });

  it('updates, disables and enables a tenant; a disabled tenant cannot be synced', async () => {
    // Act
    const updated = await cliJson(['tenant', 'update', 'acme', '--api-key-stdin', '--deactivation-threshold', '50'], `${FAKE_API_KEY}\n`);
    const disabled = await cli(['tenant', 'disable', 'acme']);
    const refused = await cli(['sync', 'acme']);
    const enabled = await cliJson(['tenant', 'enable', 'acme']);

    // Assess
    expect(updated).toMatchObject({ code: 0, body: { tenant: { safeguards: { deactivationThresholdPct: 50, deactivationMin: 5 } } } });
    expect(updated.body.access.checklist).toHaveLength(14);
    expect(disabled.stdout).toContain("Tenant 'acme' is disabled");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('bamboohr-sync tenant enable acme');
    expect(enabled.body.tenant.status).toBe('active');
  });

  it('makes a one-time connect link with tenant invite, for a new tenant and to reconnect one; a bad lifetime says which forms work', async () => {
    // Act
    const fresh = await cliJson(['tenant', 'invite', 'newco', '--exclusion-field', '--expires', '36h']);
    const text = await cli(['tenant', 'invite', 'acme']);
    const badExpiry = await cli(['tenant', 'invite', 'newco', '--expires', 'forever']);
    const activity = await cliJson(['activity', 'newco']);

    // Assess
    expect(fresh.code).toBe(0);
    expect(fresh.body).toEqual({ url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:9\/connect\/[A-Za-z0-9_-]{43}$/), expiresAt: expect.any(String), mode: 'register' });
    expect(Date.parse(fresh.body.expiresAt) - Date.now()).toBeGreaterThan(35 * 3_600_000);
    expect(Date.parse(fresh.body.expiresAt) - Date.now()).toBeLessThanOrEqual(36 * 3_600_000);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain("Connect link to connect 'acme' again");
    expect(text.stdout).toMatch(/\/connect\/[A-Za-z0-9_-]{43}/);
    expect(badExpiry.code).toBe(1);
    expect(badExpiry.stderr).toContain("'forever' is not a link lifetime");
    expect(JSON.stringify(activity.body)).toContain('invited');
    expect(JSON.stringify(activity.body)).not.toContain(fresh.body.url.split('/connect/')[1]);
  });

  it('removes a tenant with --yes: its key, configuration, snapshot, feed and runs, and its webhook in BambooHR', async () => {
    // Prepare
    const added = await cli(['tenant', 'add', 'gone', '--subdomain', 'gone', '--api-key-stdin', '--create-webhook'], FAKE_API_KEY);
    expect(added.code).toBe(0);
    expect(local.simulator.company('gone').webhooks).toHaveLength(1);
    await cli(['sync', 'gone']);
    await drainQueue(local.emulators.sqs.client, local.config.queues.syncUrl!, worker);
    expect((await local.deps.snapshots.load('gone')).size).toBeGreaterThan(0);

    // Act
    const removed = await cliJson(['tenant', 'remove', 'gone', '--yes']);
    const shown = await cliJson(['tenant', 'show', 'gone']);

    // Assess
    expect(removed.code).toBe(0);
    expect(removed.body).toEqual({ removed: 'gone', webhooksDeleted: 1, webhookProblem: null });
    expect(local.simulator.company('gone').webhooks).toEqual([]);
    expect(shown).toMatchObject({ code: 1, body: { error: { code: 'tenant-not-found' } } });
    expect(await local.deps.tenants.get('gone')).toBeNull();
    expect(await local.deps.secrets.get('gone')).toBeNull();
    expect((await local.deps.snapshots.load('gone')).size).toBe(0);
    expect(await local.deps.runs.list('gone', 10)).toEqual([]);
    expect(await local.deps.feed.readRange('gone', 0, 1000)).toEqual([]);
  });

  it('lists the dead-letter queue and redrives its jobs back to the jobs queue, leaving the poison', async () => {
    // Prepare
    const sqs = local.emulators.sqs.client;
    const job: SyncJob = { jobId: 'support-dead', tenantId: 'acme', kind: 'full', requestedAt: '2026-11-25T12:00:00.000Z', requestedBy: 'support' };
    const put = (body: string, group: string, dedup: string) =>
      sqs.send(new SendMessageCommand({ QueueUrl: local.config.queues.dlqUrl!, MessageBody: body, MessageGroupId: group, MessageDeduplicationId: dedup }));
    const jobMessage = (await put(JSON.stringify(job), 'acme', 'dead-1')).MessageId!;
    const poisonMessage = (await put('not a job', 'acme-poison', 'dead-2')).MessageId!;

    // Act
    const listed = await cliJson(['dlq', 'list']);
    const listedText = await cli(['dlq', 'list']);
    const redriven = await cli(['dlq', 'redrive', '--all']);
    const after = await cliJson(['dlq', 'list']);
    const requeued = await receiveAll(sqs, local.config.queues.syncUrl!);
    const neither = await cli(['dlq', 'redrive']);

    // Assess
    expect(listed.body.deadLetters.map((l: { messageId: string }) => l.messageId).sort()).toEqual([jobMessage, poisonMessage].sort());
    expect(listedText.stdout).toMatch(/MESSAGE ID +TENANT +JOB/);
    expect(listedText.stdout).toContain('NOT A SYNC JOB');
    expect(redriven.code).toBe(0);
    expect(redriven.stdout).toContain('✓ Moved 1 job back to the jobs queue.');
    expect(redriven.stdout).toContain(`Not redriven, as they are not sync jobs (a retry cannot fix them): ${poisonMessage}`);
    expect(after.body.deadLetters.map((l: { messageId: string }) => l.messageId)).toEqual([poisonMessage]);
    expect(requeued.map((m) => JSON.parse(m.Body!).jobId)).toEqual(['support-dead']);
    expect(requeued[0]!.Attributes?.MessageGroupId).toBe('acme');
    expect(neither.code).toBe(2);
  });

  it('never printed the key in any output of any command above', () => {
    // Assess
    expect(outputs.length).toBeGreaterThan(40);
    for (const output of outputs) expect(output).not.toContain(FAKE_API_KEY);
  });
});
