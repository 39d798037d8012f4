import type { DiffedField } from '../model/employee.js';
import type { Warning } from '../model/run.js';
import type { SourceEmployee } from './map-employee.js';

const MAX_IDS = 20;

const capped = (ids: readonly string[]): string[] => ids.slice(0, MAX_IDS);

/** Everything odd about a pull that does not stop it, said out loud in the run result. */
export const collectWarnings = (input: {
  /** The employees known after the pull, by index. */
  sources: readonly SourceEmployee[];
  /** 1 where the employee at that index is in the product after this run. */
  synced: Uint8Array;
  /** The index of each synced employee's derived manager; -1 for none (or a manager not synced). */
  manager: Int32Array;
  unknownFields: ReadonlySet<DiffedField>;
  /** 1 for the employees to report on (default: all); the others are only context. */
  about?: Uint8Array;
}): Warning[] => {
  const { sources, synced, manager, about } = input;
  const warnings: Warning[] = [];

  if (input.unknownFields.size > 0) {
    const fields = [...input.unknownFields];
    warnings.push({
      code: 'fields-not-visible',
      message: `The API key cannot see ${fields.join(', ')}: these fields keep their last known values. Ask the customer to grant the integration user access to them.`,
      fields,
    });
  }

  const missingEmail: string[] = [];
  const unreadableExclusion: string[] = [];
  const unknownExclusion: string[] = [];
  const unsyncedManagers: string[] = [];
  // First holder of each email; lists only for emails that turn out to be shared.
  const firstWithEmail = new Map<string, string>();
  const shared = new Map<string, string[]>();
  for (let i = 0; i < sources.length; i += 1) {
    if (about && about[i] !== 1) continue;
    const source = sources[i]!;
    if (source.exclusionUnreadable) unreadableExclusion.push(source.id);
    if (source.exclusionUnknown) {
      unknownExclusion.push(source.id);
      continue;
    }
    if (synced[i] !== 1) {
      if (!source.excluded && source.status === 'active' && source.workEmail === null) missingEmail.push(source.id);
      continue;
    }
    const email = source.workEmail;
    if (email !== null) {
      const first = firstWithEmail.get(email);
      if (first === undefined) firstWithEmail.set(email, source.id);
      else {
        const list = shared.get(email);
        if (list) list.push(source.id);
        else shared.set(email, [first, source.id]);
      }
    }
    if (source.sourceManagerId !== null && source.sourceManagerId !== source.id && manager[i] === -1) unsyncedManagers.push(source.id);
  }

  if (missingEmail.length > 0) {
    warnings.push({
      code: 'missing-work-email',
      message: `${missingEmail.length} active employee(s) have no work email and were not synced. Add a work email in BambooHR to sync them.`,
      employeeIds: capped(missingEmail),
      count: missingEmail.length,
    });
  }
  if (unreadableExclusion.length > 0) {
    warnings.push({
      code: 'exclusion-unreadable',
      message: `${unreadableExclusion.length} employee(s) have an exclusion checkbox value that could not be read; they are treated as excluded. Check the field's values in BambooHR.`,
      employeeIds: capped(unreadableExclusion),
      count: unreadableExclusion.length,
    });
  }
  if (unknownExclusion.length > 0) {
    warnings.push({
      code: 'exclusion-unknown',
      message:
        `${unknownExclusion.length} employee(s) came back from BambooHR without the exclusion checkbox, so nothing about them was created or changed ` +
        `(they stay as the product knows them). Check that the integration user can see the checkbox for everyone, then sync again.`,
      employeeIds: capped(unknownExclusion),
      count: unknownExclusion.length,
    });
  }
  if (shared.size > 0) {
    warnings.push({
      code: 'duplicate-work-email',
      message: `${shared.size} work email(s) are shared by more than one synced employee. Fix them in BambooHR: the product may merge these people.`,
      employeeIds: capped([...shared.values()].flat()),
      count: shared.size,
    });
  }
  if (unsyncedManagers.length > 0) {
    warnings.push({
      code: 'manager-not-synced',
      message: `${unsyncedManagers.length} synced employee(s) report to a manager who is not synced (inactive, excluded or without a work email); their manager is left empty.`,
      employeeIds: capped(unsyncedManagers),
      count: unsyncedManagers.length,
    });
  }

  const loops = findManagerLoops(manager).map((loop) => loop.map((i) => sources[i]!.id));
  if (loops.length > 0) {
    warnings.push({
      code: 'manager-loop',
      message: `${loops.length} reporting loop(s) (e.g. ${loops[0]!.join(' → ')} → ${loops[0]![0]}): fix "Reports To" in BambooHR.`,
      employeeIds: capped(loops.flat()),
      count: loops.length,
    });
  }
  return warnings;
};

/**
 * Each cycle in a manager graph (`manager[i]` is i's manager's index, -1 for none) once, as the
 * indexes along it. Linear, and allocation-free but for the loops found: each walk stamps the
 * indexes it visits with its start, so meeting its own stamp again means a loop.
 */
export const findManagerLoops = (manager: Int32Array): number[][] => {
  const stamp = new Int32Array(manager.length).fill(-1);
  const loops: number[][] = [];
  for (let start = 0; start < manager.length; start += 1) {
    if (stamp[start] !== -1 || manager[start] === -1) continue;
    let i = start;
    while (i !== -1 && stamp[i] === -1) {
      stamp[i] = start;
      i = manager[i]!;
    }
    if (i !== -1 && stamp[i] === start) {
      const loop = [i];
      for (let k = manager[i]!; k !== i; k = manager[k]!) loop.push(k);
      loops.push(loop);
    }
  }
  return loops;
};
