/** Readable renderings shared by several commands. */
import type { ChangeDraft, ChangeRecord } from '../model/change.js';
import type { HeldRun, RunRecord, Warning } from '../model/run.js';
import type { AccessCheck } from '../use-cases/check-bamboohr-access.js';
import { counts, duration, plural, table, when } from './output.js';

export const CHECK = '✓';
export const CROSS = '✗';

/** The access check of a key, as a customer's access-level checklist. */
export const accessLines = (access: AccessCheck, subdomain: string): string[] => {
  const width = Math.max(...access.checklist.map((c) => c.uiName.length));
  return [
    `${CHECK} Key accepted by BambooHR`,
    `${CHECK} Company '${subdomain}' found: the key sees ${plural(access.employeeCount, 'employee')}`,
    `Access checklist (fields the integration user's access level must allow):`,
    ...access.checklist.map((c) => {
      const note = c.visible ? (c.required ? '(required)' : '') : c.required ? 'NOT VISIBLE (required: no sync without it)' : 'not visible: not synced until allowed';
      return `  ${c.visible ? CHECK : CROSS} ${c.uiName.padEnd(width)}  ${note}`.trimEnd();
    }),
    ...(access.exclusionField ? [`${CHECK} Exclusion field '${access.exclusionField.name}' found (BambooHR field ${access.exclusionField.id})`] : []),
  ];
};

export const warningLines = (warnings: readonly (string | Warning)[], title = 'Warnings:'): string[] =>
  warnings.length === 0 ? [] : [title, ...warnings.map((w) => `  ! ${typeof w === 'string' ? w : w.message}`)];

export const runResult = (run: Pick<RunRecord, 'status' | 'counts' | 'warnings' | 'error'>): string => {
  const parts: string[] = [run.status];
  if (run.status !== 'running') parts.push(counts(run.counts));
  if (run.warnings.length > 0) parts.push(plural(run.warnings.length, 'warning'));
  return parts.join('  ');
};

export const runsTable = (runs: readonly RunRecord[], now = Date.now()): string[] =>
  table(
    ['STARTED', 'RUN', 'KIND', 'BY', 'STATUS', 'CHANGES', 'EMPLOYEES', 'TOOK', 'WARNINGS', 'ERROR'],
    runs.map((r) => [
      when(r.startedAt, now),
      r.runId,
      r.kind,
      r.requestedBy,
      r.status,
      r.status === 'running' ? '' : counts(r.counts),
      r.employeesSynced,
      duration(r.startedAt, r.finishedAt),
      r.warnings.length || '',
      r.error ? `${r.error.code}${r.error.retryable ? ' (retried)' : ''}` : '',
    ]),
  );

export const COUNTS_KEY = '+created ~updated -deactivated ↺reactivated';
export const COUNTS_LEGEND = `Changes: ${COUNTS_KEY}.`;

export const heldLines = (held: HeldRun, allowCommand: string): string[] => [
  `Held by the safeguard: it would deactivate ${held.wouldDeactivate}${held.wouldReactivate ? ` and reactivate ${held.wouldReactivate}` : ''} ` +
    `of ${held.syncedBefore} synced employees (the limit is more than ${held.thresholdPct}% and more than ${held.thresholdMin}, for departures and returns each).`,
  ...(held.sample.length > 0
    ? [
        'Some of them:',
        ...table(
          ['EMPLOYEE', 'NAME', 'CHANGE', 'REASON'],
          held.sample.map((s) => [s.employeeId, s.name, s.type, s.reason]),
        ).map((l) => `  ${l}`),
      ]
    : []),
  `If that is right (e.g. a real reorganisation), apply exactly this run with: ${allowCommand}`,
];

const name = (c: Pick<ChangeDraft, 'employee'>) =>
  [c.employee.preferredName ?? c.employee.firstName, c.employee.lastName].filter((part) => part).join(' ');

const what = (c: ChangeDraft): string =>
  c.type === 'deactivated' ? `reason: ${c.reason ?? '-'}` : c.type === 'created' ? (c.employee.workEmail ?? '') : Object.keys(c.changes).join(', ');

export const changesTable = (changes: readonly (ChangeDraft | ChangeRecord)[], now = Date.now()): string[] => {
  const withSeq = changes.some((c) => 'seq' in c);
  return withSeq
    ? table(
        ['SEQ', 'AT', 'TYPE', 'EMPLOYEE', 'NAME', 'WHAT'],
        changes.map((c) => ['seq' in c ? c.seq : '', 'at' in c ? when(c.at, now) : '', c.type, c.employeeId, name(c), what(c)]),
      )
    : table(['TYPE', 'EMPLOYEE', 'NAME', 'WHAT'], changes.map((c) => [c.type, c.employeeId, name(c), what(c)]));
};
