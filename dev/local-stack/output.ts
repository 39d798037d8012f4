/** What the local stack prints: the banner, then one line per sync run (and a few notices). */
import type { RunRecord } from '../../lib/model/run.js';
import type { SyncJob } from '../../lib/model/job.js';

const useColor = (stream: NodeJS.WriteStream = process.stdout): boolean => Boolean(stream.isTTY) && !process.env.NO_COLOR && process.env.TERM !== 'dumb';

const paint = (code: number) => (text: string) => (useColor() ? `\u001b[${code}m${text}\u001b[0m` : text);
export const bold = paint(1);
export const dim = paint(2);
export const red = paint(31);
export const green = paint(32);
export const yellow = paint(33);
export const cyan = paint(36);

/** `10:42:07` in local time. */
export const clock = (date = new Date()): string => date.toTimeString().slice(0, 8);

export const formatDuration = (ms: number): string => (ms < 1000 ? `${Math.max(0, Math.round(ms))} ms` : ms < 60_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`);

export const formatCounts = (counts: RunRecord['counts']): string =>
  `+${counts.created} ~${counts.updated} -${counts.deactivated} ↺${counts.reactivated}`;

export const formatWarnings = (warnings: RunRecord['warnings']): string => {
  if (warnings.length === 0) return 'no warnings';
  const codes = [...new Set(warnings.map((w) => w.code))];
  return `${warnings.length} warning${warnings.length === 1 ? '' : 's'} (${codes.join(', ')})`;
};

const pad = (text: string, width: number): string => (text.length >= width ? text : text + ' '.repeat(width - text.length));

const statusText = (run: RunRecord): string => {
  if (run.status === 'succeeded') return green('succeeded');
  if (run.status === 'held') {
    const held = run.held ? `: would deactivate ${run.held.wouldDeactivate} of ${run.held.syncedBefore}` : '';
    return yellow(`HELD${held}`);
  }
  if (run.status === 'failed') return red(`FAILED${run.error ? ` (${run.error.code}: ${run.error.message})` : ''}`);
  return run.status;
};

/** One line per run: time, tenant, kind, who asked, counts, duration, warnings, status. */
export const formatRunLine = (run: RunRecord, extra = ''): string => {
  const finished = run.finishedAt ? Date.parse(run.finishedAt) : Date.now();
  const duration = formatDuration(finished - Date.parse(run.startedAt));
  return [
    dim(clock(run.finishedAt ? new Date(run.finishedAt) : new Date())),
    bold(pad(run.tenantId, 12)),
    pad(run.kind, 11),
    pad(run.requestedBy, 8),
    pad(formatCounts(run.counts), 20),
    pad(duration, 8),
    pad(formatWarnings(run.warnings), 14),
    statusText(run),
  ].join('  ') + extra;
};

/** A line about a job that left no run record (skipped, dropped, not a job). */
export const formatJobLine = (job: Partial<Pick<SyncJob, 'tenantId' | 'kind' | 'requestedBy'>>, text: string): string =>
  [dim(clock()), bold(pad(job.tenantId ?? '?', 12)), pad(job.kind ?? '?', 11), pad(job.requestedBy ?? '?', 8), text].join('  ');

/** A line about something else (the demo's BambooHR edits, a scheduler problem). */
export const formatNotice = (who: string, text: string): string => [dim(clock()), bold(pad(who, 12)), text].join('  ');

export interface BannerInput {
  gatewayUrl: string;
  adminToken: string;
  /** The change-feed API's own token: what the product would hold, never the admin one. */
  feedToken: string;
  dynamodb: { endpoint: string; persistedAt: string | null; note: string };
  sqs: { endpoint: string; queue: string; dlq: string; maxReceiveCount: number | undefined; note: string };
  bamboohr: { apiBase: string; simulator: boolean; employees?: number; note: string };
  stateFiles: { stack: string; secrets: string };
  /** Put before CLI commands when the CLI would not find stack.json by itself. */
  cliPrefix: string;
  scheduleSeconds: number;
  schedulerTickSeconds: number;
  demoChangeSeconds: number | null;
  /** A ready connect link for the second simulated company (the customer's side of onboarding). */
  connectLink?: string | null;
  notes: string[];
}

const row = (label: string, value: string) => `  ${pad(label, 12)} ${value}`;

export const formatBanner = (b: BannerInput): string => {
  const demo = b.bamboohr.simulator;
  const lines = [
    '',
    bold(`bamboohr-sync local stack is ready`) + dim(`  (stage local, ${b.dynamodb.persistedAt ? 'data kept' : 'in memory'})`),
    '',
    row('Gateway', cyan(b.gatewayUrl)),
    ...(demo ? [row('Change feed', cyan(`${b.gatewayUrl}/tenants/demo/changes`))] : []),
    row('Admin token', `${b.adminToken}  (admin API)`),
    row('Feed token', `${b.feedToken}  (change feed and employees: what the product holds)`),
    row('DynamoDB', `${b.dynamodb.endpoint}${b.dynamodb.persistedAt ? `  data in ${b.dynamodb.persistedAt}` : '  in memory'}${b.dynamodb.note}`),
    row('SQS', `${b.sqs.endpoint}  ${b.sqs.queue} → ${b.sqs.dlq}${b.sqs.maxReceiveCount ? ` after ${b.sqs.maxReceiveCount} receives` : ''}${b.sqs.note}`),
    row('BambooHR', demo ? `simulator ${b.bamboohr.apiBase}, company "demo" (${b.bamboohr.employees ?? 0} employees) = tenant "demo"${b.bamboohr.note}` : `${b.bamboohr.apiBase} (real BambooHR: no simulator, no demo tenant)`),
    row(
      'Schedule',
      `a full sync of every active tenant every ${b.scheduleSeconds} s, each in its own slot (the scheduler looks every ${b.schedulerTickSeconds} s)` +
        `${b.demoChangeSeconds ? `; demo edits in BambooHR every ${b.demoChangeSeconds} s, sent as signed webhooks` : ''}`,
    ),
    row('Alerts', 'printed here as ALERT lines (in AWS: the SNS topic bamboohr-sync-<stage>-alerts); npx bamboohr-sync alerts lists them'),
    row('State', `${b.stateFiles.stack} (for the CLI), ${b.stateFiles.secrets} (tenant keys, 0600)`),
    ...(b.connectLink
      ? [row('Connect link', `${cyan(b.connectLink)}  (company "globex", not connected yet: open it and connect as its admin would, with OAuth or a key)`)]
      : []),
    ...b.notes.map((note) => row('Note', yellow(note))),
    '',
    'Try:',
    `  ${b.cliPrefix}npx bamboohr-sync tenant list`,
    ...(demo
      ? [`  ${b.cliPrefix}npx bamboohr-sync changes demo`, `  curl -H "Authorization: Bearer ${b.feedToken}" ${b.gatewayUrl}/tenants/demo/changes`]
      : [
          `  ${b.cliPrefix}npx bamboohr-sync tenant add <id> --subdomain <sub> --api-key-stdin     (register a real company: paste its key)`,
          `  curl -H "Authorization: Bearer ${b.adminToken}" ${b.gatewayUrl}/tenants`,
        ]),
    '',
    `Sync runs below: time, tenant, kind, requested by, +created ~updated -deactivated ↺reactivated, duration, warnings, status.`,
    dim('Ctrl-C stops everything.'),
    '',
  ];
  return lines.join('\n');
};
