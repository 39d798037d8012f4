/** `sync` (queue a run, or preview one with --dry-run) and `runs` (the run history). */
import type { RunRecord } from '../../model/run.js';
import { previewSync } from '../../use-cases/preview-sync.js';
import { getRun, listRuns } from '../../use-cases/read-tenants.js';
import { requestSync } from '../../use-cases/request-sync.js';
import { bool, intOption, str, type Command, type CommandContext } from '../command.js';
import { counts, duration, plural, UsageError } from '../output.js';
import { changesTable, COUNTS_KEY, COUNTS_LEGEND, heldLines, runsTable, warningLines } from '../render.js';

const POLL_MS = 1000;

const FINAL = new Set<RunRecord['status']>(['succeeded', 'held', 'failed']);

/** Polls the run until it ends, printing each state once. A reason instead when the time is up or the user stopped it. */
const waitForRun = async (ctx: CommandContext, tenantId: string, runId: string, timeoutMs: number): Promise<RunRecord | 'timeout' | 'interrupted'> => {
  const deps = await ctx.deps();
  const started = ctx.now();
  let last = '';
  const stop = ctx.interrupted().then(() => 'interrupted' as const);
  for (;;) {
    const run = await getRun(deps, tenantId, runId);
    const state = run ? run.status : 'queued';
    if (state !== last) {
      const elapsed = Math.round((ctx.now() - started) / 1000);
      ctx.out.progress(`  [${String(elapsed).padStart(3)} s] ${state === 'queued' ? 'queued: waiting for the worker to take the job' : state}`);
      last = state;
    }
    if (run && FINAL.has(run.status)) return run;
    if (ctx.now() - started >= timeoutMs) return 'timeout';
    if ((await Promise.race([ctx.sleep(POLL_MS).then(() => 'slept' as const), stop])) === 'interrupted') return 'interrupted';
  }
};

const sync: Command = {
  path: ['sync'],
  usage: 'sync <tenantId> [--dry-run] [--allow-deactivations [--held-run <runId>]] [--wait [--timeout <s>]]',
  summary: 'Queue a full sync now; --wait follows it to the end; --dry-run previews it and writes nothing',
  details: [
    '--dry-run pulls from BambooHR and diffs exactly as the worker would, prints the would-be changes and warnings, and writes nothing: ' +
      "the preview before a tenant's first real sync, or of what a held run would do.",
    '--allow-deactivations approves the departures and returns of the held run (the last run, or --held-run): the new run applies ' +
      'exactly those, and is held again if BambooHR now says something else. An approval is good for 24 h.',
  ],
  positionals: { min: 1, max: 1 },
  options: {
    'dry-run': { type: 'boolean', description: 'Preview: pull and diff, write nothing.' },
    'allow-deactivations': { type: 'boolean', description: "Approve the held run's deactivations and reactivations (exactly those)." },
    'held-run': { type: 'string', value: '<runId>', description: 'With --allow-deactivations: the held run to approve (default: the last run).' },
    wait: { type: 'boolean', description: 'Show progress until the run ends; exit 1 if it failed.' },
    timeout: { type: 'string', value: '<s>', description: 'How long --wait waits, in seconds (default 300).' },
    limit: { type: 'string', value: '<n>', description: 'With --dry-run: how many changes to show (default 20).' },
  },
  run: async (ctx, { values, positionals }) => {
    const tenantId = positionals[0]!;
    const allowDeactivations = bool(values, 'allow-deactivations');
    const timeoutS = intOption(values, 'timeout', { min: 1 });
    const limit = intOption(values, 'limit', { min: 1, max: 1000 });
    if (bool(values, 'dry-run')) {
      if (bool(values, 'wait') || timeoutS !== undefined) throw new UsageError('--wait and --timeout do not apply to --dry-run, which writes nothing.');
      const preview = await previewSync(await ctx.deps(), tenantId, { allowDeactivations, limit: limit ?? 20 });
      ctx.out.result({ preview });
      const shown = preview.changes.length;
      ctx.out.lines(
        `Dry run of '${tenantId}' (nothing was written): ${plural(preview.pulled, 'employee')} pulled from BambooHR, ${preview.employeesSynced} would be synced.`,
        `Would write ${plural(preview.totalChanges, 'change')}: ${counts(preview.counts)}  (${COUNTS_KEY})`,
        ...(shown > 0 ? ['', shown < preview.totalChanges ? `First ${shown} of ${preview.totalChanges} changes:` : 'Changes:', ...changesTable(preview.changes)] : []),
        ...(preview.warnings.length > 0 ? ['', ...warningLines(preview.warnings)] : []),
        '',
        ...(preview.held
          ? heldLines(preview.held, ctx.suggest(`sync ${tenantId} --allow-deactivations --wait`))
          : [`A real run would apply this. Start it with: ${ctx.suggest(`sync ${tenantId}${allowDeactivations ? ' --allow-deactivations' : ''} --wait`)}`]),
      );
      return;
    }
    if (limit !== undefined) throw new UsageError('--limit only applies to --dry-run.');
    if (timeoutS !== undefined && !bool(values, 'wait')) throw new UsageError('--timeout only applies with --wait.');
    const heldRunId = str(values, 'held-run');
    if (heldRunId !== undefined && !allowDeactivations) throw new UsageError('--held-run only applies with --allow-deactivations.');
    const { jobId, runId, approved } = await requestSync(await ctx.deps(), tenantId, {
      allowDeactivations,
      ...(heldRunId !== undefined ? { heldRunId } : {}),
      actor: await ctx.actor(),
    });
    const approvalLine = approved
      ? [`Approved held run ${approved.heldRunId}: ${plural(approved.wouldDeactivate, 'deactivation')} and ${plural(approved.wouldReactivate, 'reactivation')}, exactly those.`]
      : [];
    if (!bool(values, 'wait')) {
      ctx.out.result({ jobId, runId, approved });
      ctx.out.lines(...approvalLine, `Queued a full sync of '${tenantId}' (job ${jobId}, run ${runId}).`, `Follow it with: ${ctx.suggest(`runs ${tenantId}`)}`);
      return;
    }
    for (const line of approvalLine) ctx.out.progress(line);
    ctx.out.progress(`Queued a full sync of '${tenantId}' (run ${runId}). Waiting for it to end...`);
    const timeoutMs = (timeoutS ?? 300) * 1000;
    const run = await waitForRun(ctx, tenantId, runId, timeoutMs);
    if (run === 'timeout' || run === 'interrupted') {
      const follow = `Follow it with: ${ctx.suggest(`runs ${tenantId}`)}`;
      const message =
        run === 'timeout'
          ? `The run has not ended after ${Math.round(timeoutMs / 1000)} s; it goes on without you. ${follow}`
          : `Stopped waiting; the run goes on. ${follow}`;
      ctx.out.result({ jobId, runId, approved, run: null, error: { code: run, message } });
      ctx.out.lines(message);
      return run === 'timeout' ? 1 : 130;
    }
    const error = run.status === 'failed' ? { code: run.error?.code ?? 'run-failed', message: run.error?.message ?? 'The run failed.' } : null;
    ctx.out.result({ jobId, runId, approved, run, ...(error ? { error } : {}) });
    const took = duration(run.startedAt, run.finishedAt);
    const summary = `${counts(run.counts)}${run.employeesSynced !== null ? `, ${plural(run.employeesSynced, 'employee')} synced` : ''}`;
    switch (run.status) {
      case 'succeeded':
        ctx.out.lines(`✓ Succeeded${took ? ` in ${took}` : ''}: ${summary}  (${COUNTS_KEY})`, ...warningLines(run.warnings), `See the feed: ${ctx.suggest(`changes ${tenantId}`)}`);
        return;
      case 'held':
        ctx.out.lines(
          '! Held: nothing was applied.',
          ...(run.held ? heldLines(run.held, ctx.suggest(`sync ${tenantId} --allow-deactivations --wait`)) : []),
          ...warningLines(run.warnings),
        );
        return;
      default:
        ctx.out.lines(
          `✗ Failed: ${run.error?.message ?? 'no error recorded'}`,
          ...(run.error?.retryable ? [`The queue retries the job later. Follow it with: ${ctx.suggest(`runs ${tenantId}`)}`] : []),
          ...warningLines(run.warnings),
        );
        return 1;
    }
  },
};

const runs: Command = {
  path: ['runs'],
  usage: 'runs <tenantId> [--limit N]',
  summary: "A tenant's run history, newest first",
  positionals: { min: 1, max: 1 },
  options: { limit: { type: 'string', value: '<n>', description: 'How many runs (default 20, at most 200).' } },
  run: async (ctx, { values, positionals }) => {
    const tenantId = positionals[0]!;
    const list = await listRuns(await ctx.deps(), tenantId, intOption(values, 'limit', { min: 1, max: 200 }) ?? 20);
    ctx.out.result({ runs: list });
    if (list.length === 0) {
      ctx.out.lines(`No runs of '${tenantId}' yet. Start one with: ${ctx.suggest(`sync ${tenantId} --wait`)}`);
      return;
    }
    const latest = list[0]!;
    ctx.out.lines(
      ...runsTable(list, ctx.now()),
      COUNTS_LEGEND,
      ...(latest.error ? [`Last run's error: ${latest.error.message}`] : []),
      ...warningLines(latest.warnings, "Warnings of the last run:"),
      ...(latest.held ? heldLines(latest.held, ctx.suggest(`sync ${tenantId} --allow-deactivations --wait`)) : []),
    );
  },
};

export const SYNC_COMMANDS: Command[] = [sync, runs];
