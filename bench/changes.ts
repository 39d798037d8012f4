/**
 * The "1% of employees changed" mix used by onepercent-10000 and diff-100000: mostly field edits,
 * plus some manager moves, terminations and new hires, so that managers' direct-report lists change
 * too. Deterministic for a given seed. Pure: the caller applies it (to the simulator or an array).
 */
import { createRandom } from '../dev/bamboohr-simulator/demo-data.js';
import type { SimEmployee, SimEmployeePatch } from '../dev/bamboohr-simulator/types.js';

export interface ChangeMix {
  updates: Array<{ id: string; patch: SimEmployeePatch }>;
  additions: SimEmployee[];
  /** Employees touched: updated, moved, terminated or hired. */
  changedEmployees: number;
  kinds: { fieldEdits: number; managerMoves: number; terminations: number; hires: number };
}

const isSynced = (e: SimEmployee): boolean => e.status === 'Active' && !e.excluded && Boolean(e.workEmail);

export const planChangeMix = (employees: readonly SimEmployee[], percent: number, seed: number): ChangeMix => {
  const random = createRandom(seed);
  const int = (max: number): number => Math.floor(random() * max);
  const total = Math.max(4, Math.round((employees.length * percent) / 100));
  const hires = Math.max(1, Math.round(total * 0.1));
  const terminations = Math.max(1, Math.round(total * 0.1));
  const managerMoves = Math.max(1, Math.round(total * 0.1));
  const fieldEdits = Math.max(0, total - hires - terminations - managerMoves);

  const supervisors = new Set(employees.map((e) => e.supervisorEId).filter((id): id is string => Boolean(id)));
  const synced = employees.filter((e) => isSynced(e) && e.supervisorEId);
  const managers = synced.filter((e) => supervisors.has(e.id));
  const leaves = synced.filter((e) => !supervisors.has(e.id));
  const shuffle = <T>(items: T[]): T[] => {
    for (let i = items.length - 1; i > 0; i -= 1) {
      const j = int(i + 1);
      [items[i], items[j]] = [items[j] as T, items[i] as T];
    }
    return items;
  };
  shuffle(leaves);
  const taken = new Set<string>();
  const takeLeaf = (): SimEmployee | undefined => {
    const e = leaves.find((l) => !taken.has(l.id));
    if (e) taken.add(e.id);
    return e;
  };
  const pickManager = (not?: string): SimEmployee | undefined => {
    if (managers.length === 0) return undefined;
    for (let attempt = 0; attempt < 10; attempt += 1) {
      const m = managers[int(managers.length)] as SimEmployee;
      if (m.id !== not) return m;
    }
    return managers[0];
  };

  const updates: ChangeMix['updates'] = [];
  const kinds = { fieldEdits: 0, managerMoves: 0, terminations: 0, hires: 0 };
  for (let k = 0; k < managerMoves; k += 1) {
    const e = takeLeaf();
    const boss = e && pickManager(e.supervisorEId);
    if (!e || !boss || boss.id === e.supervisorEId) continue;
    updates.push({ id: e.id, patch: { supervisorEId: boss.id, supervisorId: boss.employeeNumber ?? '', supervisor: `${boss.firstName ?? ''} ${boss.lastName ?? ''}`, supervisorEmail: boss.workEmail ?? '' } });
    kinds.managerMoves += 1;
  }
  for (let k = 0; k < terminations; k += 1) {
    const e = takeLeaf();
    if (!e) continue;
    updates.push({ id: e.id, patch: { status: 'Inactive', employmentHistoryStatus: 'Terminated', terminationDate: '2026-11-20' } });
    kinds.terminations += 1;
  }
  // Field edits: anyone synced, managers included.
  const editable = shuffle(synced.filter((e) => !taken.has(e.id)));
  for (const e of editable.slice(0, fieldEdits)) {
    taken.add(e.id);
    updates.push({ id: e.id, patch: { jobTitle: `Senior ${e.jobTitle ?? 'Associate'}` } });
    kinds.fieldEdits += 1;
  }

  const maxId = employees.reduce((max, e) => Math.max(max, Number(e.id) || 0), 0);
  const additions: SimEmployee[] = [];
  for (let k = 0; k < hires; k += 1) {
    const boss = pickManager();
    const id = String(maxId + 1 + k);
    additions.push({
      id,
      excluded: false,
      employeeNumber: String(900000 + k),
      status: 'Active',
      firstName: 'New',
      middleName: '',
      lastName: `Hire${k}`,
      preferredName: '',
      workEmail: `new.hire.${id}@example.com`,
      hireDate: '2026-11-01',
      originalHireDate: '2026-11-01',
      jobTitle: 'Associate',
      department: boss?.department ?? 'Engineering',
      division: boss?.division ?? 'Product & Technology',
      location: 'Remote - US',
      supervisorEId: boss?.id ?? '',
      supervisorId: boss?.employeeNumber ?? '',
      supervisor: boss ? `${boss.firstName ?? ''} ${boss.lastName ?? ''}` : '',
      supervisorEmail: boss?.workEmail ?? '',
      terminationDate: '',
      employmentHistoryStatus: 'Full-Time',
    });
    kinds.hires += 1;
  }
  return { updates, additions, changedEmployees: updates.length + additions.length, kinds };
};

/** The mix applied to a copy of `employees` (for the pure diff). */
export const applyChangeMix = (employees: readonly SimEmployee[], mix: ChangeMix): SimEmployee[] => {
  const patches = new Map(mix.updates.map((u) => [u.id, u.patch]));
  const changed = employees.map((e) => {
    const patch = patches.get(e.id);
    return patch ? ({ ...e, ...patch } as SimEmployee) : e;
  });
  return [...changed, ...mix.additions];
};
