/** `dlq list|redrive`: the jobs the queue gave up on, and moving them back to the jobs queue. */
import { redriveDeadLetters } from '../../use-cases/redrive-dead-letters.js';
import { bool, intOption, type Command } from '../command.js';
import { plural, table, UsageError, when } from '../output.js';

const list: Command = {
  path: ['dlq', 'list'],
  usage: 'dlq list [--limit N]',
  summary: 'The sync jobs in the dead-letter queue (left in place)',
  details: [
    'A job lands there when its deliveries keep failing (maxReceiveCount in serverless.yml). A FIFO queue shows at most 10 messages of one tenant at a time; redriving them shows the next ones.',
  ],
  positionals: { min: 0, max: 0 },
  options: { limit: { type: 'string', value: '<n>', description: 'How many messages at most (default 50).' } },
  run: async (ctx, { values }) => {
    const letters = await (await ctx.deps()).deadLetters.list(intOption(values, 'limit', { min: 1, max: 1000 }) ?? 50);
    ctx.out.result({ deadLetters: letters });
    if (letters.length === 0) {
      ctx.out.lines('No failed jobs: the dead-letter queue is empty.');
      return;
    }
    const now = ctx.now();
    const poison = letters.filter((l) => !l.job);
    ctx.out.lines(
      ...table(
        ['MESSAGE ID', 'TENANT', 'JOB', 'KIND', 'BY', 'SENT', 'RECEIVES'],
        letters.map((l) => [
          l.messageId,
          l.tenantId,
          l.job ? l.job.jobId : 'NOT A SYNC JOB',
          l.job?.kind,
          l.job?.requestedBy,
          when(l.sentAt, now),
          l.receiveCount,
        ]),
      ),
      ...poison.map((l) => `! ${l.messageId} is not a sync job, so it cannot be redriven. Its body: ${JSON.stringify(l.rawBody ?? '').slice(0, 200)}`),
      `Check why with ${ctx.suggest('runs <tenantId>')}, fix the cause, then: ${ctx.suggest('dlq redrive --all')} (or: dlq redrive <messageId>...)`,
    );
  },
};

const redrive: Command = {
  path: ['dlq', 'redrive'],
  usage: 'dlq redrive (--all | <messageId>...)',
  summary: 'Move jobs from the dead-letter queue back to the jobs queue (all, or these messages)',
  details: ['Bodies that are not sync jobs stay in the dead-letter queue: a retry cannot fix them (they expire after 14 days).'],
  positionals: { min: 0, max: 100 },
  options: { all: { type: 'boolean', description: 'Every job in the dead-letter queue.' } },
  run: async (ctx, { values, positionals }) => {
    const all = bool(values, 'all');
    if (all === (positionals.length > 0)) throw new UsageError(all ? 'Give --all or message ids, not both.' : 'Give --all, or the message ids to redrive (see dlq list).');
    const result = await redriveDeadLetters(await ctx.deps(), all ? undefined : positionals, await ctx.actor());
    ctx.out.result(result);
    ctx.out.lines(
      result.redriven > 0 ? `✓ Moved ${plural(result.redriven, 'job')} back to the jobs queue.` : 'No job was moved.',
      ...(result.poison.length > 0
        ? [`! Not redriven, as they are not sync jobs (a retry cannot fix them): ${result.poison.join(', ')}`]
        : []),
      ...(result.notFound.length > 0 ? [`✗ Not in the dead-letter queue: ${result.notFound.join(', ')}`] : []),
    );
    // Asked-for messages that stayed behind are a failure; with --all, poison staying is expected.
    return result.notFound.length > 0 || (!all && result.poison.length > 0) ? 1 : 0;
  },
};

export const DLQ_COMMANDS: Command[] = [list, redrive];
