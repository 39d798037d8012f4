/**
 * `bamboohr-sync explain` end to end: the real CLI binary against DynamoDB Local and the BambooHR
 * simulator, for each reason code, with --json (issue 16).
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SimEmployee } from '../../dev/bamboohr-simulator/types.js';
import { registerTenant } from '../../lib/use-cases/register-tenant.js';
import { syncTenant } from '../../lib/use-cases/sync-tenant.js';
import { aJob, FAKE_API_KEY } from '../helpers/builders.js';
import { startLocalService, writeStackFile, type LocalService } from '../helpers/local-service.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'bin', 'bamboohr-sync.mjs');

const person = (id: string, first: string, last: string, extra: Partial<SimEmployee> = {}): SimEmployee => ({
  id,
  excluded: false,
  employeeNumber: `E-${id}`,
  status: 'Active',
  firstName: first,
  lastName: last,
  workEmail: `${first}.${last}@example.com`.toLowerCase(),
  hireDate: '2024-01-15',
  jobTitle: 'Engineer',
  department: 'Engineering',
  division: 'Product',
  location: 'Remote',
  supervisorEId: '1',
  ...extra,
});

describe('bamboohr-sync explain, against the simulator (issue 16)', () => {
  let local: LocalService;
  let dir: string;
  let stackFile: string;
  const cli = (args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', HOME: dir, BAMBOOHR_SYNC_STACK_FILE: stackFile }, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk) => (stdout += chunk));
      child.stderr.on('data', (chunk) => (stderr += chunk));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
  const explain = async (who: string) => {
    const run = await cli(['explain', 'acme', who, '--json']);
    return { ...run, body: JSON.parse(run.stdout) as Record<string, unknown> };
  };
  const codesOf = (body: Record<string, unknown>) => (body.reasons as Array<{ code: string }>).map((r) => r.code);
  let jobs = 0;
  const sync = () => syncTenant(local.deps, aJob({ jobId: `explain-${(jobs += 1)}`, requestedAt: new Date(Date.UTC(2026, 10, 25, 8, jobs)).toISOString() }));

  beforeAll(async () => {
    execFileSync(process.execPath, ['scripts/build.mjs', 'cli'], { cwd: ROOT, stdio: 'pipe' });
    local = await startLocalService();
    local.simulator.addCompany({
      subdomain: 'acme',
      keys: [{ apiKey: FAKE_API_KEY }],
      exclusionField: { id: '4501', name: 'skip_elevo_sync' },
      employees: [
        person('1', 'Ann', 'Boss', { supervisorEId: '' }),
        person('2', 'Jane', 'Nomail', { workEmail: '' }),
        person('3', 'Ex', 'Cluded'),
        person('4', 'Ina', 'Ctive'),
        person('5', 'Rep', 'Ort', { supervisorEId: '3' }),
        person('6', 'Pen', 'Ding'),
        person('7', 'Del', 'Eted'),
        person('8', 'Sam', 'Smith', { workEmail: 'sam.smith1@example.com' }),
        person('9', 'Sam', 'Smith', { workEmail: 'sam.smith2@example.com' }),
      ],
    });
    dir = mkdtempSync(join(tmpdir(), 'bamboohr-sync-explain-'));
    stackFile = writeStackFile(local, dir);

    // Synced once; then the box ticked for 3, 4 terminated, 7 deleted, and synced again; then 6 changes (not synced yet)
    await registerTenant(local.deps, { tenantId: 'acme', subdomain: 'acme', apiKey: FAKE_API_KEY, exclusionField: true });
    await sync();
    const company = local.simulator.company('acme');
    company.updateEmployee('3', { excluded: true });
    company.updateEmployee('4', { status: 'Inactive', terminationDate: '2026-11-20' });
    company.removeEmployee('7');
    await sync();
    company.updateEmployee('6', { jobTitle: 'Staff Engineer' });
  }, 90_000);

  afterAll(async () => {
    await local?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('says synced for someone in the product as BambooHR has them, side by side, with their history', async () => {
    // Act
    const { code, body } = await explain('1');

    // Assess
    expect(code).toBe(0);
    expect(body).toMatchObject({ tenantId: 'acme', employeeId: '1', verdict: 'in-product', bamboohr: { found: true, exclusion: 'unticked' }, product: { state: 'synced' } });
    expect(codesOf(body)).toEqual(['synced']);
    expect((body.history as unknown[]).length).toBeGreaterThanOrEqual(1);
    expect((body.org as { reports: Array<{ employeeId: string; state: string }> }).reports.map((r) => [r.employeeId, r.state])).toEqual(
      expect.arrayContaining([['4', 'inactive'], ['6', 'synced']]),
    );
    expect(body.bamboohrRequests).toBe(1);
  });

  it('finds by id or by name someone the product was never told about (a lookup in BambooHR), and says no-work-email', async () => {
    // Act
    const byId = await explain('2');
    const byName = await explain('jane nomail');

    // Assess
    expect(byId.body).toMatchObject({ verdict: 'not-in-product', product: null });
    expect(codesOf(byId.body)).toEqual(['no-work-email']);
    expect(byName.body).toMatchObject({ employeeId: '2', bamboohrRequests: 2 });
  });

  it('says excluded since the run that deactivated them, and manager-not-synced for their report', async () => {
    // Act
    const excluded = await explain('ex.cluded@example.com');
    const report = await explain('E-5');

    // Assess
    expect(excluded.body).toMatchObject({ employeeId: '3', verdict: 'not-in-product', bamboohr: { exclusion: 'ticked' }, product: { state: 'deactivated', reason: 'excluded' } });
    expect(codesOf(excluded.body)).toEqual(['excluded']);
    expect((excluded.body.reasons as Array<{ message: string }>)[0]!.message).toMatch(/since run /);
    expect(report.body).toMatchObject({ employeeId: '5', verdict: 'in-product' });
    expect(codesOf(report.body)).toEqual(['manager-not-synced']);
    expect((report.body.org as { chain: Array<{ employeeId: string; state: string }> }).chain.map((n) => [n.employeeId, n.state])).toEqual([
      ['3', 'excluded'],
      ['1', 'synced'],
    ]);
  });

  it('says inactive with the termination date, deleted, and not-found', async () => {
    // Act
    const inactive = await explain('4');
    const deleted = await explain('7');
    const nobody = await explain('999');

    // Assess
    expect(codesOf(inactive.body)).toEqual(['inactive']);
    expect(inactive.body.bamboohr).toMatchObject({ terminationDate: '2026-11-20' });
    expect(codesOf(deleted.body)).toEqual(['deleted']);
    expect(deleted.body).toMatchObject({ verdict: 'not-in-product', bamboohr: { found: false } });
    expect(codesOf(nobody.body)).toEqual(['not-found']);
    expect(nobody.code).toBe(0);
  });

  it('says pending-change for what the next run will send, and writes nothing', async () => {
    // Prepare
    const committed = await local.deps.feed.committedSeq('acme');

    // Act
    const { body } = await explain('6');

    // Assess
    expect(codesOf(body)).toEqual(['pending-change']);
    expect((body.reasons as Array<{ message: string }>)[0]!.message).toContain('update jobTitle');
    expect(await local.deps.feed.committedSeq('acme')).toBe(committed);
    expect((await local.deps.snapshots.load('acme')).get('6')!.employee.jobTitle).toBe('Engineer');
  });

  it('lists the people a name matches and asks for one; prints a readable explanation without --json', async () => {
    // Act
    const ambiguous = await cli(['explain', 'acme', 'Sam Smith', '--json']);
    const human = await cli(['explain', 'acme', 'sam.smith2@example.com']);

    // Assess
    expect(ambiguous.code).toBe(1);
    const error = JSON.parse(ambiguous.stdout || ambiguous.stderr).error;
    expect(error).toMatchObject({ code: 'ambiguous-employee' });
    expect(error.candidates.map((c: { employeeId: string }) => c.employeeId)).toEqual(['8', '9']);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/Sam Smith \(#9\): IN THE PRODUCT/);
    expect(human.stdout).toMatch(/BAMBOOHR NOW\s+PRODUCT \(LAST TOLD\)/);
  });

  it('says field-hidden for a field the key cannot see', async () => {
    // Prepare
    local.simulator.company('acme').updateKey(FAKE_API_KEY, { hiddenFields: ['division'] });

    // Act
    const { body } = await explain('1');
    local.simulator.company('acme').updateKey(FAKE_API_KEY, { hiddenFields: [] });

    // Assess
    expect(codesOf(body)).toEqual(['synced', 'field-hidden']);
    expect(body.bamboohr).toMatchObject({ hiddenFields: ['Division'] });
  });
});
