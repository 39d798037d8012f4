import type { DiffedField } from '../model/employee.js';
import type { Warning } from '../model/run.js';
import type { SnapshotEntry } from '../model/snapshot.js';
import type { SourceEmployee } from './map-employee.js';

const MAX_IDS = 20;

const capped = (ids: readonly string[]): string[] => ids.slice(0, MAX_IDS);

/** Everything odd about a pull that does not stop it, said out loud in the run result. */
export const collectWarnings = (input: {
  universe: ReadonlyMap<string, SourceEmployee>;
  synced: ReadonlySet<string>;
  previous: ReadonlyMap<string, SnapshotEntry>;
  managerOf: (source: SourceEmployee) => string | null;
  unknownFields: ReadonlySet<DiffedField>;
}): Warning[] => {
  const { universe, synced } = input;
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
  for (const [id, source] of universe) {
    if (source.exclusionUnreadable) unreadableExclusion.push(id);
    if (!source.excluded && source.status === 'active' && source.workEmail === null && !synced.has(id)) missingEmail.push(id);
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

  const byEmail = new Map<string, string[]>();
  const unsyncedManagers: string[] = [];
  for (const id of synced) {
    const source = universe.get(id)!;
    if (source.workEmail) {
      const list = byEmail.get(source.workEmail);
      if (list) list.push(id);
      else byEmail.set(source.workEmail, [id]);
    }
    if (source.sourceManagerId !== null && source.sourceManagerId !== id && input.managerOf(source) === null) unsyncedManagers.push(id);
  }
  const duplicates = [...byEmail.values()].filter((ids) => ids.length > 1);
  if (duplicates.length > 0) {
    warnings.push({
      code: 'duplicate-work-email',
      message: `${duplicates.length} work email(s) are shared by more than one synced employee. Fix them in BambooHR: the product may merge these people.`,
      employeeIds: capped(duplicates.flat()),
      count: duplicates.length,
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

  const loops = findManagerLoops(synced, (id) => input.managerOf(universe.get(id)!));
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

/** Each cycle in the manager graph once, as the ids along it. Linear in the number of employees. */
export const findManagerLoops = (ids: Iterable<string>, managerOf: (id: string) => string | null): string[][] => {
  const state = new Map<string, 1 | 2>(); // 1: on the current path, 2: done
  const loops: string[][] = [];
  for (const start of ids) {
    if (state.has(start)) continue;
    const path: string[] = [];
    let current: string | null = start;
    while (current !== null && !state.has(current)) {
      state.set(current, 1);
      path.push(current);
      current = managerOf(current);
    }
    if (current !== null && state.get(current) === 1) loops.push(path.slice(path.indexOf(current)));
    for (const id of path) state.set(id, 2);
  }
  return loops;
};
