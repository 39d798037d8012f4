/**
 * The demo company of the local stack: 250 simulated BambooHR employees (a few excluded, a few
 * inactive), and a loop that edits a few of them now and then, the way HR would, and sends the
 * signed webhook BambooHR would send for the edits.
 */
import { createRandom, generateEmployees } from '../bamboohr-simulator/demo-data.js';
import { sendWebhook, type BambooHrSimulator, type SimCompany, type SimEmployee, type SimEmployeePatch } from '../bamboohr-simulator/simulator.js';

export const DEMO = {
  tenantId: 'demo',
  subdomain: 'demo',
  employees: 250,
  inactive: 6,
  excluded: 4,
  seed: 20_251_125,
  /** The exclusion checkbox, by the API name the README asks customers to use. */
  exclusionField: { id: '4501', name: 'skip_elevo_sync' },
} as const;

export const addDemoCompany = (simulator: BambooHrSimulator, apiKey: string): SimCompany =>
  simulator.addCompany({
    subdomain: DEMO.subdomain,
    keys: [{ apiKey }],
    employees: generateEmployees({ count: DEMO.employees, seed: DEMO.seed, inactive: DEMO.inactive, excluded: DEMO.excluded }),
    exclusionField: { ...DEMO.exclusionField },
  });

interface Edit {
  id: string;
  action: 'Updated' | 'Created';
  what: string;
  patch: SimEmployeePatch;
}

const today = (): string => new Date().toISOString().slice(0, 10);

const fullName = (e: SimEmployee): string => `${e.firstName ?? ''} ${e.lastName ?? ''}`.trim();

const managerFields = (m: SimEmployee): SimEmployeePatch => ({
  supervisorEId: m.id,
  supervisorId: m.employeeNumber ?? '',
  supervisor: fullName(m),
  supervisorEmail: m.workEmail ?? '',
});

const TITLES = ['Senior', 'Lead', 'Principal', 'Junior'];

/** Plans this tick's edits (a few, varied by tick) over the company's current employees. */
export const planDemoEdits = (employees: readonly SimEmployee[], tick: number, random: () => number): Edit[] => {
  const pick = <T>(items: readonly T[]): T | undefined => items[Math.floor(random() * items.length)];
  const byId = new Map(employees.map((e) => [e.id, e]));
  const isActive = (e: SimEmployee) => e.status === 'Active' && !e.excluded;
  const reports = new Map<string, SimEmployee[]>();
  for (const e of employees) if (e.supervisorEId && isActive(e)) reports.set(e.supervisorEId, [...(reports.get(e.supervisorEId) ?? []), e]);
  const touched = new Set<string>();
  const candidates = (filter: (e: SimEmployee) => boolean) => employees.filter((e) => !touched.has(e.id) && e.supervisorEId && filter(e));
  const activeLeaves = () => candidates((e) => isActive(e) && !reports.has(e.id));
  const managers = employees.filter((e) => isActive(e) && reports.has(e.id));
  const edits: Edit[] = [];
  const add = (edit: Edit | null) => {
    if (!edit) return;
    touched.add(edit.id);
    edits.push(edit);
  };

  const jobTitle = (): Edit | null => {
    const e = pick(candidates(isActive));
    if (!e) return null;
    const base = (e.jobTitle ?? 'Associate').replace(/^(Senior|Lead|Principal|Junior) /, '');
    const prefix = pick(TITLES.filter((t) => !(e.jobTitle ?? '').startsWith(`${t} `))) ?? 'Senior';
    return { id: e.id, action: 'Updated', what: `job title → ${prefix} ${base}`, patch: { jobTitle: `${prefix} ${base}` } };
  };
  const department = (): Edit | null => {
    const e = pick(candidates(isActive));
    const departments = [...new Map(employees.filter((x) => x.department && x.department !== 'Executive').map((x) => [x.department, x.division])).entries()];
    const target = pick(departments.filter(([name]) => name !== e?.department));
    if (!e || !target) return null;
    return { id: e.id, action: 'Updated', what: `department → ${target[0]}`, patch: { department: target[0], division: target[1] ?? '' } };
  };
  const manager = (): Edit | null => {
    const e = pick(candidates(isActive));
    if (!e) return null;
    const reportsTo = (m: SimEmployee): boolean => {
      for (let current: SimEmployee | undefined = m, hops = 0; current && hops < 100; current = byId.get(current.supervisorEId ?? ''), hops += 1) {
        if (current.id === e.id) return true;
      }
      return false;
    };
    const m = pick(managers.filter((x) => x.id !== e.supervisorEId && !reportsTo(x)));
    if (!m) return null;
    return { id: e.id, action: 'Updated', what: `manager → ${fullName(m)}`, patch: managerFields(m) };
  };
  const leaver = (): Edit | null => {
    const e = pick(activeLeaves());
    if (!e) return null;
    return { id: e.id, action: 'Updated', what: 'left the company', patch: { status: 'Inactive', employmentHistoryStatus: 'Terminated', terminationDate: today() } };
  };
  const excluded = (): Edit | null => {
    const e = pick(activeLeaves());
    if (!e) return null;
    return { id: e.id, action: 'Updated', what: `${DEMO.exclusionField.name} ticked`, patch: { excluded: true } };
  };
  const rehire = (): Edit | null => {
    const e = pick(candidates((x) => x.status === 'Inactive' && !x.excluded && Boolean(x.supervisorEId && isActive(byId.get(x.supervisorEId) ?? x))));
    if (!e) return null;
    return { id: e.id, action: 'Updated', what: 'rehired', patch: { status: 'Active', employmentHistoryStatus: 'Full-Time', terminationDate: '', hireDate: today() } };
  };
  const newHire = (): Edit | null => {
    const m = pick(managers.filter((x) => x.supervisorEId));
    if (!m) return null;
    const id = String(Math.max(0, ...employees.map((e) => Number(e.id))) + 1);
    const generated = generateEmployees({ count: 1, seed: DEMO.seed + Number(id), firstId: Number(id) })[0] as SimEmployee;
    const emails = new Set(employees.map((e) => (e.workEmail ?? '').toLowerCase()));
    let email = (generated.workEmail ?? `new.hire${id}@example.com`).toLowerCase();
    for (let n = 2; emails.has(email); n += 1) email = email.replace(/(\d*)@/, `${n}@`);
    const colleague = pick(employees.filter((x) => x.department === m.department && isActive(x) && !reports.has(x.id)));
    const employeeNumber = String(Math.max(20_000, ...employees.map((e) => Number(e.employeeNumber) || 0)) + 1);
    return {
      id,
      action: 'Created',
      what: `new hire ${fullName(generated)} (${colleague?.jobTitle ?? 'Associate'})`,
      patch: {
        ...generated,
        employeeNumber,
        workEmail: email,
        hireDate: today(),
        originalHireDate: today(),
        jobTitle: colleague?.jobTitle ?? 'Associate',
        department: m.department ?? '',
        division: m.division ?? '',
        location: m.location ?? '',
        ...managerFields(m),
      },
    };
  };

  const plans: Array<Array<() => Edit | null>> = [
    [jobTitle, manager, newHire],
    [department, jobTitle, leaver],
    [jobTitle, manager, excluded],
    [department, newHire, rehire],
  ];
  for (const step of plans[tick % plans.length] ?? []) add(step());
  return edits;
};

export interface DemoLoop {
  stop(): Promise<void>;
}

export interface DemoLoopOptions {
  company: SimCompany;
  webhookUrl: string;
  webhookPrivateKey: string;
  intervalSeconds: number;
  print: (line: string) => void;
  onError: (what: string, error: unknown) => void;
}

/** Every `intervalSeconds`: a few edits in the simulated BambooHR, then their signed webhook. */
export const startDemoLoop = (options: DemoLoopOptions): DemoLoop => {
  const random = createRandom(Date.now() & 0x7fffffff);
  let tick = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let lastRefusal = '';

  const once = async () => {
    const edits = planDemoEdits(options.company.employees(), tick, random);
    tick += 1;
    if (edits.length === 0) return;
    for (const edit of edits) {
      if (edit.action === 'Created') options.company.addEmployee({ excluded: false, ...(edit.patch as Omit<SimEmployee, 'id' | 'excluded'>), id: edit.id });
      else options.company.updateEmployee(edit.id, edit.patch);
    }
    const timestamp = new Date().toISOString();
    const body = {
      employees: edits.map((edit) => ({
        id: edit.id,
        action: edit.action,
        timestamp,
        changedFields: Object.keys(edit.patch).map((field) => (field === 'excluded' ? DEMO.exclusionField.name : field)),
        fields: Object.fromEntries(Object.entries(edit.patch).map(([field, value]) => [field === 'excluded' ? DEMO.exclusionField.name : field, String(value)])),
      })),
    };
    const summary = edits.map((edit) => `#${edit.id} ${edit.what}`).join(', ');
    const response = await sendWebhook({ url: options.webhookUrl, privateKey: options.webhookPrivateKey, body });
    if (response.status === 202) {
      lastRefusal = '';
      options.print(`BambooHR edits: ${summary} → webhook 202`);
    } else {
      let reason = response.body;
      try {
        reason = (JSON.parse(response.body) as { error?: { message?: string } }).error?.message ?? response.body;
      } catch {
        // not JSON
      }
      const refusal = `${response.status} ${reason}`;
      if (refusal !== lastRefusal) options.print(`BambooHR edits: ${summary} → webhook refused: ${refusal}`);
      lastRefusal = refusal;
    }
  };

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = once()
        .catch((error: unknown) => {
          if (!stopped) options.onError('The demo could not edit BambooHR or send its webhook', error);
        })
        .finally(schedule);
    }, options.intervalSeconds * 1000);
  };
  schedule();

  return {
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
};
