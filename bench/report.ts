/** Tables and target checks for bench/run.ts. Pure: strings in, strings out. */

export interface ScenarioResult {
  name: string;
  employees: number;
  bamboohrRequests: number;
  itemsWritten: number;
  dynamoRequests: number;
  wallMs: number;
  floorMs: number | null;
  ratioToFloor: number | null;
  peakRssMb: number;
  [extra: string]: unknown;
}

export interface TargetCheck {
  scenario: string;
  target: string;
  measured: string;
  /** null: informational, no pass/fail. */
  pass: boolean | null;
}

export const SCENARIO_NAMES = [
  'full-1000',
  'full-10000',
  'full-50000',
  'nochange-10000',
  'onepercent-10000',
  'webhook-1-of-10000',
  'schedule-100000-tenants',
  'diff-100000',
  'naive-10000',
] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

const fmt = (value: unknown): string => {
  if (value === null || value === undefined) return '-';
  if (typeof value === 'number') return Number.isInteger(value) ? value.toLocaleString('en-US') : value.toLocaleString('en-US', { maximumFractionDigits: 2 });
  return String(value);
};

const pad = (text: string, width: number, right = false): string => (right ? text.padStart(width) : text.padEnd(width));

/** A plain text table; numeric-looking columns are right-aligned. */
export const table = (headers: readonly string[], rows: ReadonlyArray<readonly unknown[]>): string => {
  const cells = rows.map((row) => row.map(fmt));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const numeric = headers.map((_, i) => cells.every((r) => /^[-\d.,×x]*$/.test(r[i] ?? '')));
  const line = (values: readonly string[]) => `| ${values.map((v, i) => pad(v, widths[i] ?? 0, numeric[i])).join(' | ')} |`;
  return [line(headers), `|${widths.map((w, i) => (numeric[i] ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`, ...cells.map(line)].join('\n');
};

/** The per-scenario table: one row per figure. */
export const scenarioTable = (result: ScenarioResult): string => {
  const rows: Array<[string, unknown]> = [
    ['employees', result.employees],
    ['BambooHR requests', result.bamboohrRequests],
    ['items written (BatchWriteItem)', result.itemsWritten],
    ['DynamoDB requests (all calls)', result.dynamoRequests],
    ['wall ms', result.wallMs],
    ['floor ms', result.floorMs],
    ['ratio to floor', result.ratioToFloor],
    ['peak RSS MB', result.peakRssMb],
  ];
  const skip = new Set(['name', ...rows.map(([k]) => k), 'employees', 'bamboohrRequests', 'itemsWritten', 'dynamoRequests', 'wallMs', 'floorMs', 'ratioToFloor', 'peakRssMb']);
  for (const [key, value] of Object.entries(result)) {
    if (skip.has(key) || value === undefined) continue;
    if (Array.isArray(value)) rows.push([key, value.length === 0 ? '-' : value.join(', ')]);
    else if (typeof value === 'object' && value !== null) {
      for (const [sub, inner] of Object.entries(value)) rows.push([`${key}.${sub}`, typeof inner === 'object' && inner !== null ? compact(inner) : inner]);
    } else rows.push([key, value]);
  }
  return `### ${result.name}\n${table(['figure', 'value'], rows)}`;
};

const compact = (value: object): string =>
  Object.entries(value)
    .map(([k, v]) => `${k}=${typeof v === 'object' && v !== null ? `{${compact(v)}}` : fmt(v)}`)
    .join(', ');

export const summaryTable = (results: readonly ScenarioResult[]): string =>
  table(
    ['scenario', 'employees', 'BambooHR req', 'items written', 'DynamoDB req', 'read calls', 'items read', 'RRU', 'WRU', '$/tenant/month', 'wall ms', 'floor ms', 'ratio', 'peak RSS MB'],
    results.map((r) => [
      r.name,
      r.employees,
      r.bamboohrRequests,
      r.itemsWritten,
      r.dynamoRequests,
      r.readCalls,
      r.itemsRead,
      r.readUnits,
      r.writeUnits,
      r.costPerTenantMonthUsd,
      r.wallMs,
      r.floorMs,
      r.ratioToFloor,
      r.peakRssMb,
    ]),
  );

/** The issue's targets, checked against what was measured. */
export const checkTargets = (results: readonly ScenarioResult[]): TargetCheck[] => {
  const by = new Map(results.map((r) => [r.name, r]));
  const checks: TargetCheck[] = [];
  const add = (scenario: string, target: string, measured: unknown, pass: boolean | null) =>
    checks.push({ scenario, target, measured: fmt(measured), pass });

  const full10 = by.get('full-10000');
  if (full10) {
    add('full-10000', '1 BambooHR request', full10.bamboohrRequests, full10.bamboohrRequests === 1);
    add('full-10000', 'wall ≤ 1.2× floor', full10.ratioToFloor, full10.ratioToFloor !== null && full10.ratioToFloor <= 1.2);
    add('full-10000', 'peak RSS < 256 MB', full10.peakRssMb, full10.peakRssMb < 256);
  }
  const nochange = by.get('nochange-10000');
  if (nochange) {
    add('nochange-10000', '0 employee/feed items written', nochange.itemsWritten, nochange.itemsWritten === 0);
    add('nochange-10000', '≤ 3 DynamoDB read calls', nochange.readCalls, typeof nochange.readCalls === 'number' && nochange.readCalls <= 3);
    const whole = nochange.wholeSnapshot as { readUnits?: number } | undefined;
    add(
      'nochange-10000',
      '≤ 1/20 of the read units of reading the whole snapshot',
      `${fmt(nochange.readUnits)} vs ${fmt(whole?.readUnits)} (${fmt(nochange.readUnitsRatio)})`,
      typeof nochange.readUnitsRatio === 'number' ? nochange.readUnitsRatio <= 0.05 : null,
    );
    add(
      'nochange-10000',
      'wall ≤ 1.5× pull floor (warm, as a warm Lambda)',
      `${fmt(nochange.warmWallMs)} vs ${fmt(nochange.pullWarmMs)} (${fmt(nochange.warmRatioToPullFloor)}×)`,
      typeof nochange.warmRatioToPullFloor === 'number' ? nochange.warmRatioToPullFloor <= 1.5 : null,
    );
    add('nochange-10000', 'the same, each in a fresh process', `${fmt(nochange.wallMs)} vs ${fmt(nochange.pullFloorMs)} (${fmt(nochange.ratioToPullFloor)}×)`, null);
  }
  const onepercent = by.get('onepercent-10000');
  if (onepercent) {
    const expected = onepercent.expectedFeedItems as number | undefined;
    add(
      'onepercent-10000',
      'feed items = changed employees + their managers',
      `${fmt(onepercent.feedItems)} (changed ${fmt(onepercent.changedEmployees)}, + managers → ${fmt(expected)})`,
      expected === undefined ? null : onepercent.feedItems === expected,
    );
    add(
      'onepercent-10000',
      'items read ≤ 3× (changed + their managers)',
      `${fmt(onepercent.itemsRead)} vs 3 × ${fmt(expected)}`,
      expected === undefined || typeof onepercent.itemsRead !== 'number' ? null : onepercent.itemsRead <= 3 * expected,
    );
  }
  const webhook = by.get('webhook-1-of-10000');
  if (webhook) {
    add('webhook-1-of-10000', '1 BambooHR request', webhook.bamboohrRequests, webhook.bamboohrRequests === 1);
    add('webhook-1-of-10000', '≤ 10 items read', webhook.itemsRead, typeof webhook.itemsRead === 'number' && webhook.itemsRead <= 10);
    add('webhook-1-of-10000', 'wall ≤ 150 ms (warm, as a warm Lambda)', webhook.warmWallMs, typeof webhook.warmWallMs === 'number' && webhook.warmWallMs <= 150);
    add('webhook-1-of-10000', 'the same, in a fresh process', webhook.wallMs, null);
  }
  const full50 = by.get('full-50000');
  if (full50) {
    add('full-50000', '1 BambooHR request', full50.bamboohrRequests, full50.bamboohrRequests === 1);
    add('full-50000', 'wall ≤ 1.5× floor', full50.ratioToFloor, full50.ratioToFloor !== null && full50.ratioToFloor <= 1.5);
    add('full-50000', 'peak RSS < 768 MB', full50.peakRssMb, full50.peakRssMb < 768);
  }
  const diff = by.get('diff-100000');
  if (diff) add('diff-100000', 'planSync < 300 ms', diff.wallMs, diff.wallMs < 300);
  const fanout = by.get('fanout-10000-tenants');
  if (fanout) {
    const tenants = Number(fanout.tenants ?? 0);
    const expectedCalls = Math.ceil(tenants / 10);
    add('fanout-10000-tenants', 'wall < 10,000 ms', fanout.wallMs, fanout.wallMs < 10_000);
    add('fanout-10000-tenants', `${fmt(expectedCalls)} SendMessageBatch calls`, fanout.sendMessageBatchCalls, fanout.sendMessageBatchCalls === expectedCalls);
  }
  const schedule = by.get('schedule-100000-tenants');
  if (schedule) {
    const tenants = Number(schedule.tenants ?? 0);
    const perInvocation = schedule.perInvocation as { maxDynamoCalls?: number } | undefined;
    add('schedule-100000-tenants', 'every tenant enqueued once in the period', `${fmt(schedule.jobsSent)} of ${fmt(tenants)}`, schedule.jobsSent === tenants);
    add('schedule-100000-tenants', 'busiest minute ≤ 1.25× the even spread', schedule.spreadRatio, typeof schedule.spreadRatio === 'number' && schedule.spreadRatio <= 1.25);
    add('schedule-100000-tenants', 'DynamoDB calls per invocation ≤ 10 (but the slot sweep at a period start)', perInvocation?.maxDynamoCalls, (perInvocation?.maxDynamoCalls ?? Infinity) <= 10);
  }
  const naive = by.get('naive-10000');
  if (naive && full10) {
    add('naive-10000', 'vs full-10000 (requests, time)', `${fmt(naive.requestsRatio)}× requests, ${fmt(naive.timeRatio)}× time`, null);
  }
  return checks;
};

export const targetsTable = (checks: readonly TargetCheck[]): string =>
  table(
    ['scenario', 'target', 'measured', 'result'],
    checks.map((c) => [c.scenario, c.target, c.measured, c.pass === null ? 'info' : c.pass ? 'PASS' : 'MISS']),
  );
