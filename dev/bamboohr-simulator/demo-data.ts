import type { SimEmployee } from './types.js';

/** Deterministic demo employees for the simulator, tests, the local stack and benchmarks. */

export interface GenerateEmployeesInput {
  count: number;
  seed: number;
  /** Terminated employees (status Inactive, a termination date). */
  inactive?: number;
  /** Employees whose exclusion checkbox is ticked. */
  excluded?: number;
  /** Active employees whose hire date is after `today`. */
  futureHires?: number;
  /** Employees with an empty work email. */
  withoutEmail?: number;
  /** Reference date (YYYY-MM-DD) for future hires; default: today (UTC). Same seed and today, same output. */
  today?: string;
  /** Id of the first employee (default 1); ids are consecutive numeric strings. */
  firstId?: number;
}

/** mulberry32: small, fast, good enough for demo data. */
export const createRandom = (seed: number): (() => number) => {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

const FIRST_NAMES = [
  'Olivia', 'Liam', 'Emma', 'Noah', 'Amelia', 'Oliver', 'Ava', 'Elijah', 'Sophia', 'Mateo', 'Isabella', 'Lucas',
  'Mia', 'Levi', 'Charlotte', 'Asher', 'Harper', 'James', 'Evelyn', 'Leo', 'Luna', 'Grayson', 'Camila', 'Ezra',
  'Gianna', 'Luca', 'Elizabeth', 'Ethan', 'Eleanor', 'Aiden', 'Ella', 'Wyatt', 'Abigail', 'Sebastian', 'Sofia',
  'Benjamin', 'Avery', 'Mason', 'Scarlett', 'Henry', 'Emily', 'Hudson', 'Aria', 'Jack', 'Penelope', 'Jackson',
  'Chloe', 'Owen', 'Layla', 'Daniel', 'Mila', 'Alexander', 'Nora', 'Maverick', 'Hazel', 'Kai', 'Madison', 'Gabriel',
  'Ellie', 'Carter', 'Lily', 'William', 'Nova', 'Logan', 'Isla', 'Michael', 'Grace', 'Samuel', 'Violet', 'Muhammad',
  'Aurora', 'Waylon', 'Riley', 'Ezekiel', 'Zoey', 'Jayden', 'Willow', 'Luke', 'Emilia', 'Lincoln', 'Stella',
  'Theo', 'Zoe', 'Jacob', 'Victoria', 'Josiah', 'Hannah', 'David', 'Addison', 'Jaxon', 'Leah', 'Elias', 'Lucy',
  'Julian', 'Eliana', 'Theodore', 'Ivy', 'Isaiah', 'Everly', 'Matthew', 'Lillian', 'Wei', 'Priya', 'Aarav', 'Yuki',
  'Sipho', 'Chiara', 'Joaquín', 'Zoë', 'Björn', 'Siobhán', "D'Andre",
];

const LAST_NAMES = [
  'Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Garcia', 'Miller', 'Davis', 'Rodriguez', 'Martinez', 'Hernandez',
  'Lopez', 'Gonzalez', 'Wilson', 'Anderson', 'Thomas', 'Taylor', 'Moore', 'Jackson', 'Martin', 'Lee', 'Perez',
  'Thompson', 'White', 'Harris', 'Sanchez', 'Clark', 'Ramirez', 'Lewis', 'Robinson', 'Walker', 'Young', 'Allen',
  'King', 'Wright', 'Scott', 'Torres', 'Nguyen', 'Hill', 'Flores', 'Green', 'Adams', 'Nelson', 'Baker', 'Hall',
  'Rivera', 'Campbell', 'Mitchell', 'Carter', 'Roberts', 'Gomez', 'Phillips', 'Evans', 'Turner', 'Diaz', 'Parker',
  'Cruz', 'Edwards', 'Collins', 'Reyes', 'Stewart', 'Morris', 'Morales', 'Murphy', 'Cook', 'Rogers', 'Gutierrez',
  'Ortiz', 'Morgan', 'Cooper', 'Peterson', 'Bailey', 'Reed', 'Kelly', 'Howard', 'Ramos', 'Kim', 'Cox', 'Ward',
  'Richardson', 'Watson', 'Brooks', 'Chavez', 'Wood', 'James', 'Bennett', 'Gray', 'Mendoza', 'Ruiz', 'Hughes',
  "O'Brien", 'Müller', 'Van der Berg', 'Nakamura', 'Okafor', 'Kowalski', 'Johansson', 'Patel', 'Singh', 'Chen',
];

const NICKNAMES = ['Alex', 'Sam', 'Jo', 'Max', 'Bea', 'Kit', 'Lou', 'Ted', 'Liz', 'Ben', 'Ally', 'Rae', 'Jay'];

const DEPARTMENTS: ReadonlyArray<{ name: string; division: string; roles: readonly string[] }> = [
  { name: 'Engineering', division: 'Product & Technology', roles: ['Software Engineer', 'Senior Software Engineer', 'Staff Engineer', 'QA Engineer', 'Site Reliability Engineer'] },
  { name: 'Product', division: 'Product & Technology', roles: ['Product Manager', 'Product Designer', 'UX Researcher', 'Technical Writer'] },
  { name: 'Sales', division: 'Go To Market', roles: ['Account Executive', 'Sales Development Representative', 'Sales Engineer', 'Account Manager'] },
  { name: 'Marketing', division: 'Go To Market', roles: ['Marketing Specialist', 'Content Strategist', 'Demand Generation Manager', 'Brand Designer'] },
  { name: 'Customer Success', division: 'Go To Market', roles: ['Customer Success Manager', 'Support Specialist', 'Implementation Consultant'] },
  { name: 'Finance', division: 'General & Administrative', roles: ['Accountant', 'Financial Analyst', 'Payroll Specialist'] },
  { name: 'People', division: 'General & Administrative', roles: ['HR Generalist', 'Recruiter', 'People Partner'] },
  { name: 'Operations', division: 'General & Administrative', roles: ['Operations Analyst', 'Office Manager', 'IT Specialist'] },
  { name: 'Legal', division: 'General & Administrative', roles: ['Counsel', 'Paralegal', 'Compliance Analyst'] },
];

const LOCATIONS = ['Lindon, Utah', 'Remote - US', 'New York, NY', 'London, UK', 'Berlin, Germany', 'Toronto, Canada', 'Sydney, Australia'];
const EMPLOYMENT_STATUSES = ['Full-Time', 'Full-Time', 'Full-Time', 'Full-Time', 'Part-Time', 'Contractor'];

const DAY_MS = 86_400_000;
const isoDate = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
const EARLIEST_HIRE = Date.UTC(2008, 0, 1);
const LATEST_HIRE = Date.UTC(2024, 11, 31);

const emailPart = (name: string): string =>
  name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z]/g, '');

export const generateEmployees = (input: GenerateEmployeesInput): SimEmployee[] => {
  const { count, seed } = input;
  if (!Number.isInteger(count) || count < 0) throw new Error('count must be a non-negative integer');
  const random = createRandom(seed);
  const int = (max: number): number => Math.floor(random() * max);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)] as T;
  const firstId = input.firstId ?? 1;
  const todayMs = input.today !== undefined ? Date.parse(`${input.today}T00:00:00Z`) : Date.parse(`${isoDate(Date.now())}T00:00:00Z`);

  // Hire dates fall before `today` (future hires are only the ones asked for).
  const latestHire = Math.min(LATEST_HIRE, todayMs - DAY_MS);
  const earliestHire = Math.min(EARLIEST_HIRE, latestHire - 365 * DAY_MS);
  const hireSpanDays = Math.max(1, Math.round((latestHire - earliestHire) / DAY_MS));

  // Org tree, breadth first: the CEO, department heads, then managers with 3 to 9 reports each.
  const managerOf = new Int32Array(count).fill(-1);
  const level = new Int32Array(count);
  const reportCount = new Int32Array(count);
  let next = 1;
  for (let m = 0; m < count && next < count; m += 1) {
    const span = m === 0 ? Math.min(DEPARTMENTS.length, 4 + int(6)) : 3 + int(7);
    for (let j = 0; j < span && next < count; j += 1) {
      managerOf[next] = m;
      level[next] = (level[m] ?? 0) + 1;
      reportCount[m] = (reportCount[m] ?? 0) + 1;
      next += 1;
    }
  }

  const usedEmails = new Set<string>();
  const employees: SimEmployee[] = [];
  const departmentOf = new Int32Array(count).fill(-1);
  for (let i = 0; i < count; i += 1) {
    const manager = managerOf[i] ?? -1;
    let departmentIndex: number;
    if (i === 0) departmentIndex = -1;
    else if (manager === 0) departmentIndex = (i - 1) % DEPARTMENTS.length;
    else departmentIndex = departmentOf[manager] ?? 0;
    departmentOf[i] = departmentIndex;
    const department = departmentIndex >= 0 ? DEPARTMENTS[departmentIndex] : undefined;

    const firstName = pick(FIRST_NAMES);
    const lastName = pick(LAST_NAMES);
    const middleName = random() < 0.35 ? pick(FIRST_NAMES) : '';
    const preferredName = random() < 0.12 ? pick(NICKNAMES) : '';

    const local = `${emailPart(firstName)}.${emailPart(lastName)}`;
    let candidate = local;
    for (let n = 2; usedEmails.has(candidate.toLowerCase()); n += 1) candidate = `${local}${n}`;
    usedEmails.add(candidate.toLowerCase());
    const workEmail = random() < 0.15 ? `${candidate}@Example.com` : `${candidate.toLowerCase()}@example.com`;

    const hireMs = i === 0 ? earliestHire : earliestHire + int(hireSpanDays) * DAY_MS;
    const hireDate = isoDate(hireMs);
    const roll = random();
    const originalHireDate = roll < 0.8 ? hireDate : roll < 0.9 ? isoDate(hireMs - (365 + int(2000)) * DAY_MS) : '';

    let jobTitle: string;
    if (i === 0) jobTitle = 'Chief Executive Officer';
    else if (!department) jobTitle = 'Associate';
    else if (manager === 0) jobTitle = `VP of ${department.name}`;
    else if ((reportCount[i] ?? 0) > 0) jobTitle = (level[i] ?? 0) === 2 ? `Director of ${department.name}` : `${department.name} Manager`;
    else jobTitle = pick(department.roles);

    employees.push({
      id: String(firstId + i),
      excluded: false,
      employeeNumber: String(20000 + i),
      status: 'Active',
      firstName,
      middleName,
      lastName,
      preferredName,
      workEmail,
      hireDate,
      originalHireDate,
      jobTitle,
      department: department?.name ?? 'Executive',
      division: department?.division ?? 'Executive',
      location: pick(LOCATIONS),
      supervisorEId: '',
      supervisorId: '',
      supervisor: '',
      supervisorEmail: '',
      terminationDate: '',
      employmentHistoryStatus: pick(EMPLOYMENT_STATUSES),
    });
  }

  // Special populations, drawn without replacement (partial Fisher-Yates over the candidates).
  const draw = (candidates: number[], n: number): number[] => {
    const wanted = Math.min(Math.max(0, n), candidates.length);
    for (let k = 0; k < wanted; k += 1) {
      const j = k + int(candidates.length - k);
      const swap = candidates[k] as number;
      candidates[k] = candidates[j] as number;
      candidates[j] = swap;
    }
    return candidates.slice(0, wanted);
  };
  const nonCeo = Array.from({ length: Math.max(0, count - 1) }, (_, k) => k + 1);
  const leaves = nonCeo.filter((k) => (reportCount[k] ?? 0) === 0);
  const managers = nonCeo.filter((k) => (reportCount[k] ?? 0) > 0);

  const inactive = draw([...leaves], input.inactive ?? 0);
  if (inactive.length < (input.inactive ?? 0)) inactive.push(...draw([...managers], (input.inactive ?? 0) - inactive.length));
  const inactiveSet = new Set(inactive);
  for (const k of inactive) {
    const e = employees[k] as SimEmployee;
    const hired = Date.parse(`${e.hireDate}T00:00:00Z`);
    e.status = 'Inactive';
    e.employmentHistoryStatus = 'Terminated';
    e.terminationDate = isoDate(Math.max(hired, Math.min(hired + (30 + int(1500)) * DAY_MS, todayMs - DAY_MS)));
  }

  const activeLeaves = leaves.filter((k) => !inactiveSet.has(k));
  for (const k of draw(activeLeaves, input.futureHires ?? 0)) {
    const e = employees[k] as SimEmployee;
    e.hireDate = isoDate(todayMs + (7 + int(80)) * DAY_MS);
    e.originalHireDate = e.hireDate;
  }

  for (const k of draw([...nonCeo], input.excluded ?? 0)) (employees[k] as SimEmployee).excluded = true;
  for (const k of draw([...nonCeo], input.withoutEmail ?? 0)) (employees[k] as SimEmployee).workEmail = '';

  // Reporting lines, once emails are final.
  for (let i = 1; i < count; i += 1) {
    const e = employees[i] as SimEmployee;
    const boss = employees[managerOf[i] ?? 0] as SimEmployee;
    e.supervisorEId = boss.id;
    e.supervisorId = boss.employeeNumber ?? '';
    e.supervisor = `${boss.firstName ?? ''} ${boss.lastName ?? ''}`;
    e.supervisorEmail = boss.workEmail ?? '';
  }
  return employees;
};
