import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ScenarioResult } from '../../bench/report.js';

/**
 * The bench (`npm run bench`) at tiny sizes, so that it never rots. It checks the results file's
 * shape and the counts that do not depend on the machine; it times nothing.
 */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

const SCENARIOS = [
  'full-1000',
  'full-10000',
  'full-50000',
  'nochange-10000',
  'onepercent-10000',
  'webhook-1-of-10000',
  'schedule-100000-tenants',
  'diff-100000',
  'naive-10000',
];

type Scenario = ScenarioResult;

const runBench = (args: string[]): Promise<{ code: number | null; output: string }> =>
  new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env.NODE_OPTIONS;
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/run.ts', ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output }));
  });

describe('npm run bench, at tiny sizes', () => {
  let dir: string;
  let results: { machine: Record<string, unknown>; scenarios: Scenario[]; targets?: Array<{ target: string }> };
  let output: string;
  const scenario = (name: string): Scenario => {
    const found = results.scenarios.find((s) => s.name === name);
    if (!found) throw new Error(`no scenario ${name} in the results`);
    return found;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bench-smoke-'));
    const out = join(dir, 'results.json');
    const run = await runBench(['--quick', '--sizes', '20,50,60', '--tenants', '30', '--diff', '500', '--out', out]);
    output = run.output;
    if (run.code !== 0) throw new Error(`the bench exited with ${run.code}:\n${output.slice(-4000)}`);
    results = JSON.parse(readFileSync(out, 'utf8'));
  }, 120_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('writes every scenario of the issue, with the figures the issue names', () => {
    // Assess
    expect(results.scenarios.map((s) => s.name).sort()).toEqual([...SCENARIOS].sort());
    expect(results.machine).toMatchObject({ cores: expect.any(Number), node: process.version, date: expect.any(String) });
    for (const s of results.scenarios) {
      for (const field of ['employees', 'bamboohrRequests', 'itemsWritten', 'dynamoRequests', 'wallMs', 'peakRssMb']) {
        expect(typeof s[field]).toBe('number');
        expect(s[field] as number).toBeGreaterThanOrEqual(0);
      }
      expect(s.wallMs).toBeGreaterThan(0);
      expect(s.peakRssMb).toBeGreaterThan(10);
      expect(s).toHaveProperty('floorMs');
      expect(s).toHaveProperty('ratioToFloor');
    }
    expect(output).toContain('## Targets');
  });

  it('pulls a full sync with one BambooHR request and writes a feed and a snapshot item per synced employee', () => {
    // Assess
    for (const [name, employees] of [['full-1000', 20], ['full-10000', 50], ['full-50000', 60]] as const) {
      const s = scenario(name);
      expect(s.employees).toBe(employees);
      expect(s.bamboohrRequests).toBe(1);
      expect(s.itemsWritten).toBe(2 * (s.employeesSynced as number));
      expect(s.itemsWritten).toBeGreaterThan(0);
      expect(s.floorMs).toBeGreaterThan(0);
      expect(s.ratioToFloor).toBeCloseTo(s.wallMs / (s.floorMs as number), 1);
      expect(s.dynamoRequests).toBeGreaterThanOrEqual(Math.ceil(s.itemsWritten / 25));
    }
  });

  it('writes nothing on a re-sync without changes, and only the changes after some', () => {
    // Assess
    expect(scenario('nochange-10000')).toMatchObject({ bamboohrRequests: 1, itemsWritten: 0, feedItems: 0 });
    const onepercent = scenario('onepercent-10000');
    expect(onepercent.feedItems).toBe(onepercent.expectedFeedItems);
    expect(onepercent.itemsWritten).toBeGreaterThan(0);
    expect(onepercent.itemsWritten).toBeLessThan(scenario('full-10000').itemsWritten);
  });

  it('syncs one employee on webhook with one request', () => {
    // Assess
    expect(scenario('webhook-1-of-10000')).toMatchObject({ bamboohrRequests: 1, feedItems: 1, itemsWritten: 2 });
  });

  it('reports what DynamoDB consumed and what each run read, the pull floor and the monthly cost (issue 17)', () => {
    // Assess: every sync scenario has the capacity figures
    for (const name of ['full-1000', 'full-10000', 'full-50000', 'nochange-10000', 'onepercent-10000', 'webhook-1-of-10000', 'naive-10000']) {
      const s = scenario(name);
      for (const field of ['readUnits', 'writeUnits', 'readCalls', 'itemsRead', 'costPerTenantMonthUsd']) expect(typeof s[field]).toBe('number');
      expect(s.writeUnits as number).toBeGreaterThan(0);
    }
    // A re-sync without change reads the summary, not the snapshot: a few calls, a fraction of the units
    const nochange = scenario('nochange-10000');
    const whole = nochange.wholeSnapshot as { readUnits: number; itemsRead: number };
    expect(nochange.readCalls as number).toBeLessThanOrEqual(3);
    expect(nochange.readUnits as number).toBeLessThan(whole.readUnits);
    expect(whole.itemsRead).toBeGreaterThanOrEqual(50);
    expect(nochange).toMatchObject({ pullFloorMs: expect.any(Number), pullWarmMs: expect.any(Number), warmWallMs: expect.any(Number), ratioToPullFloor: expect.any(Number) });
    // The warm pull is the median of three processes' third pulls.
    expect(nochange.pullWarmRuns).toHaveLength(3);
    expect([...(nochange.pullWarmRuns as number[])].sort((a, b) => a - b)[1]).toBe(nochange.pullWarmMs);
    // A webhook reads its employee's entry and the summary, not everyone
    const webhook = scenario('webhook-1-of-10000');
    expect(webhook.itemsRead as number).toBeLessThanOrEqual(10);
    expect(webhook.warmWallMs).toEqual(expect.any(Number));
    // The changes of 1% are read, not everyone
    const onepercent = scenario('onepercent-10000');
    expect(onepercent.itemsRead as number).toBeLessThanOrEqual(3 * (onepercent.expectedFeedItems as number));
    expect(results.targets?.some((t) => t.target.includes('read units'))).toBe(true);
  });

  it('compares with the naive pull: more requests than employees, the same items', () => {
    // Assess
    const naive = scenario('naive-10000');
    expect(naive.bamboohrRequests).toBeGreaterThan(naive.employees);
    expect(naive.itemsWritten).toBe(scenario('full-10000').itemsWritten);
    expect(naive.requestsRatio).toBe(naive.bamboohrRequests);
  });

  it('schedules every tenant once over a period, spread over its minutes, and diffs without I/O', () => {
    // Assess
    const schedule = scenario('schedule-100000-tenants');
    expect(schedule).toMatchObject({ tenants: 30, jobsSent: 30, invocations: 60, evenPerMinute: 0.5 });
    expect((schedule.jobsPerMinute as { max: number }).max).toBeLessThanOrEqual(5);
    expect((schedule.perInvocation as { maxDynamoCalls: number }).maxDynamoCalls).toBeGreaterThan(0);
    const diff = scenario('diff-100000');
    expect(diff).toMatchObject({ employees: 500, bamboohrRequests: 0, itemsWritten: 0, dynamoRequests: 0 });
    expect(diff.changes as number).toBeGreaterThanOrEqual(diff.changedEmployees as number);
  });
});
