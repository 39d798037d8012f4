/** `changes` (the change feed, as the product reads it) and `employees` (the current snapshot). */
import { listChanges, listEmployees } from '../../use-cases/read-tenants.js';
import { intOption, str, type Command } from '../command.js';
import { table } from '../output.js';
import { changesTable } from '../render.js';

const changes: Command = {
  path: ['changes'],
  usage: 'changes <tenantId> [--after SEQ] [--limit N]',
  summary: "A tenant's change feed after a seq, in seq order, as the product reads it",
  positionals: { min: 1, max: 1 },
  options: {
    after: { type: 'string', value: '<seq>', description: 'Only changes after this seq (default 0: from the start).' },
    limit: { type: 'string', value: '<n>', description: 'How many changes (default 100, at most 1000).' },
  },
  run: async (ctx, { values, positionals }) => {
    const tenantId = positionals[0]!;
    const after = intOption(values, 'after');
    const limit = intOption(values, 'limit', { min: 1, max: 1000 });
    const page = await listChanges(await ctx.deps(), tenantId, { ...(after !== undefined ? { after } : {}), ...(limit !== undefined ? { limit } : {}) });
    ctx.out.result(page);
    if (page.changes.length === 0) {
      ctx.out.lines(`No changes of '${tenantId}' after seq ${after ?? 0}.`);
      return;
    }
    ctx.out.lines(
      ...changesTable(page.changes, ctx.now()),
      `Next page: ${ctx.suggest(`changes ${tenantId} --after ${page.nextAfter}${limit !== undefined ? ` --limit ${limit}` : ''}`)}`,
    );
  },
};

const employees: Command = {
  path: ['employees'],
  usage: 'employees <tenantId> [--limit N] [--cursor C]',
  summary: "A tenant's current snapshot, a page at a time (deactivated employees included, marked), and the feed seq it reflects",
  positionals: { min: 1, max: 1 },
  options: {
    limit: { type: 'string', value: '<n>', description: 'How many employees (default 100, at most 1000).' },
    cursor: { type: 'string', value: '<c>', description: 'Continue after a previous page (its cursor).' },
  },
  run: async (ctx, { values, positionals }) => {
    const tenantId = positionals[0]!;
    const limit = intOption(values, 'limit', { min: 1, max: 1000 });
    const cursor = str(values, 'cursor');
    const page = await listEmployees(await ctx.deps(), tenantId, { ...(cursor ? { cursor } : {}), ...(limit !== undefined ? { limit } : {}) });
    ctx.out.result(page);
    if (page.employees.length === 0) {
      ctx.out.lines(`No employees of '${tenantId}' in the snapshot${cursor ? ' after this cursor' : ''}.`);
      return;
    }
    ctx.out.lines(
      ...table(
        ['ID', 'NAME', 'WORK EMAIL', 'STATUS', 'JOB TITLE', 'DEPARTMENT', 'MANAGER', 'SYNCED'],
        page.employees.map((e) => [
          e.id,
          [e.preferredName ?? e.firstName, e.lastName].filter((p) => p).join(' '),
          e.workEmail,
          e.status,
          e.jobTitle,
          e.department,
          e.managerId,
          e.synced ? 'yes' : 'no',
        ]),
      ),
      ...(page.cursor
        ? [`Next page: ${ctx.suggest(`employees ${tenantId} --cursor=${page.cursor}${limit !== undefined ? ` --limit ${limit}` : ''}`)}`]
        : [`This listing reflects the feed up to seq ${page.seq}: read on with ${ctx.suggest(`changes ${tenantId} --after ${page.seq}`)}`]),
    );
  },
};

export const FEED_COMMANDS: Command[] = [changes, employees];
