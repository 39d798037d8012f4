/** `activity` (a tenant's activity log) and `alerts` (what needed a person, across tenants). */
import type { ActivityEvent } from '../../model/activity.js';
import { listActivity, listAlerts } from '../../use-cases/read-tenants.js';
import { intOption, str, type Command } from '../command.js';
import { table, when } from '../output.js';

const eventsTable = (events: readonly ActivityEvent[], now: number, withTenant: boolean): string[] =>
  table(
    [...(withTenant ? ['TENANT'] : []), 'AT', 'EVENT', 'BY', 'RUN', 'WHAT'],
    events.map((e) => [...(withTenant ? [e.tenantId] : []), when(e.at, now), e.type, e.actor, e.runId, e.message]),
  );

const activity: Command = {
  path: ['activity'],
  usage: 'activity <tenantId> [--limit N] [--before <eventId>]',
  summary: "A tenant's activity log, newest first: registration, changes, status, held runs and approvals, dead letters, alerts",
  details: ['Events are kept 180 days (ACTIVITY_TTL_DAYS); a removed tenant keeps its log, with who removed it.'],
  positionals: { min: 1, max: 1 },
  options: {
    limit: { type: 'string', value: '<n>', description: 'How many events (default 50, at most 500).' },
    before: { type: 'string', value: '<eventId>', description: 'Older events than this one (its id, from --json).' },
  },
  run: async (ctx, { values, positionals }) => {
    const tenantId = positionals[0]!;
    const limit = intOption(values, 'limit', { min: 1, max: 500 });
    const before = str(values, 'before');
    const events = await listActivity(await ctx.deps(), tenantId, { ...(limit !== undefined ? { limit } : {}), ...(before ? { before } : {}) });
    ctx.out.result({ activity: events });
    ctx.out.lines(...(events.length === 0 ? [`No activity of '${tenantId}' yet.`] : eventsTable(events, ctx.now(), false)));
  },
};

const alerts: Command = {
  path: ['alerts'],
  usage: 'alerts [--since <ISO date | 30m | 6h | 2d>] [--limit N]',
  summary: 'The alerts of every tenant (needs attention, held, dead-lettered, stale, recovered), newest first',
  details: ['The same alerts go to the SNS topic bamboohr-sync-<stage>-alerts (subscribe an email address or a chat integration to it).'],
  positionals: { min: 0, max: 0 },
  options: {
    since: { type: 'string', value: '<when>', description: 'From this time: an ISO date, or a duration back from now (default 24h).' },
    limit: { type: 'string', value: '<n>', description: 'How many alerts (default 100, at most 500).' },
  },
  run: async (ctx, { values }) => {
    const since = str(values, 'since');
    const limit = intOption(values, 'limit', { min: 1, max: 500 });
    const result = await listAlerts(await ctx.deps(), { ...(since ? { since } : {}), ...(limit !== undefined ? { limit } : {}) });
    ctx.out.result(result);
    ctx.out.lines(...(result.alerts.length === 0 ? [`No alerts since ${result.since}.`] : eventsTable(result.alerts, ctx.now(), true)));
  },
};

export const ACTIVITY_COMMANDS: Command[] = [activity, alerts];
