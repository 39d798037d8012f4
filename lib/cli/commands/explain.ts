/** `explain`: why is (or isn't) this person in the product? */
import { explainEmployee, type EmployeeExplanation, type OrgNode } from '../../use-cases/explain-employee.js';
import type { Command } from '../command.js';
import { table, when } from '../output.js';
import { CHECK, CROSS } from '../render.js';
import { EXPLAINED_FIELDS as FIELDS, shownValue as value } from '../../model/field-labels.js';

const node = (n: OrgNode): string => `${n.name ?? 'unnamed'} (#${n.employeeId}${n.state === 'synced' ? '' : `, ${n.state}`})`;

/** The explanation as lines: the verdict and reasons first, then the comparison, the history, the org. */
export const explanationLines = (x: EmployeeExplanation, now: number): string[] => {
  const b = x.bamboohr.employee;
  const p = x.product?.employee;
  const name = [b?.preferredName ?? b?.firstName ?? p?.preferredName ?? p?.firstName, b?.lastName ?? p?.lastName].filter(Boolean).join(' ') || `Employee ${x.employeeId}`;
  const good = new Set(['synced']);
  const rows: Array<[string, string, string]> = [
    ...FIELDS.map(([label, key]): [string, string, string] => [label, b ? value((b as Record<string, unknown>)[key]) : '—', p ? value((p as Record<string, unknown>)[key]) : '—']),
    ['Manager (BambooHR id)', b ? value(b.sourceManagerId) : '—', p ? value(p.managerId) : '—'],
    ['Direct reports', '(derived)', p ? value(p.directReportIds) : '—'],
    ['Exclusion box', x.bamboohr.exclusion, x.product ? (x.product.state === 'synced' ? 'synced' : `deactivated (${x.product.reason ?? ''})`) : 'never told'],
  ];
  return [
    `${name} (#${x.employeeId}): ${x.verdict === 'in-product' ? 'IN THE PRODUCT' : 'NOT IN THE PRODUCT'}`,
    ...x.reasons.map((r) => `  ${good.has(r.code) ? CHECK : CROSS} ${r.code}: ${r.message}`),
    '',
    ...table(['', 'BAMBOOHR NOW', 'PRODUCT (LAST TOLD)'], rows),
    ...(x.bamboohr.hiddenFields.length > 0 ? [`The key cannot see: ${x.bamboohr.hiddenFields.join(', ')}`] : []),
    ...(x.bamboohr.terminationDate ? [`Termination date: ${x.bamboohr.terminationDate}`] : []),
    '',
    ...(x.history.length === 0
      ? ['No change for them in the feed (kept 90 days).']
      : ['History in the feed (newest first):', ...table(['SEQ', 'WHEN', 'CHANGE', 'FIELDS', 'RUN'], x.history.map((h) => [h.seq, when(h.at, now), `${h.type}${h.reason ? ` (${h.reason})` : ''}`, Object.keys(h.changes).join(', ') || '—', h.runId]))]),
    '',
    `Managers: ${x.org.chain.length === 0 ? 'none' : x.org.chain.map(node).join(' → ')}`,
    `Direct reports: ${x.org.reports.length === 0 ? 'none' : x.org.reports.map(node).join(', ')}${x.org.moreReports > 0 ? `, and ${x.org.moreReports} more` : ''}`,
  ];
};

const explain: Command = {
  path: ['explain'],
  usage: 'explain <tenantId> <who>',
  summary: 'Why is (or isn\'t) this person in the product: BambooHR now, what the product was told, their history, and the reasons with what to do',
  details: [
    '<who> is a BambooHR employee id, a work email, an employee number or a name ("Jane Doe"; quote it). A name that matches several people lists them.',
    'It makes one targeted BambooHR request for that person (and one lookup of names and emails when the product does not know them), and writes nothing.',
    'Reason codes: synced, not-found, excluded, inactive, no-work-email, field-hidden, manager-not-synced, pending-change, deleted.',
  ],
  positionals: { min: 2, max: 2 },
  options: {},
  run: async (ctx, { positionals }) => {
    const [tenantId, who] = positionals as [string, string];
    const explanation = await explainEmployee(await ctx.deps(), tenantId, who);
    ctx.out.result(explanation);
    ctx.out.lines(...explanationLines(explanation, ctx.now()));
  },
};

export const EXPLAIN_COMMANDS: Command[] = [explain];
