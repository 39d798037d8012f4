import type { RawEmployeeRow } from '../bamboohr/raw-schema.js';
import { BambooHrDataError } from '../errors.js';
import type { Employee } from '../model/employee.js';
import { parseCheckbox } from './checkbox.js';

/**
 * One employee as BambooHR describes it, normalised, before the org tree is derived:
 * the employee without managerId/directReportIds, plus BambooHR's supervisorEId and the exclusion.
 */
export type SourceEmployee = Omit<Employee, 'managerId' | 'directReportIds'> & {
  /** BambooHR's supervisorEId: the manager's BambooHR id (not employee number). */
  sourceManagerId: string | null;
  excluded: boolean;
  /** The exclusion checkbox held a value we could not read: the employee is treated as excluded. */
  exclusionUnreadable?: boolean;
  /**
   * The row came back without the exclusion checkbox at all (BambooHR drops keys for some users):
   * nothing may be created or changed from it; the employee stays as the product knows them.
   */
  exclusionUnknown?: boolean;
};

export interface MapOptions {
  subdomain: string;
  /** The key under which the exclusion checkbox comes back (its resolved id), or null: no exclusion. */
  exclusionKey: string | null;
}

const text = (value: unknown): string | null => {
  if (typeof value === 'string') {
    if (value.length === 0) return null;
    const trimmed = value.trim();
    return trimmed === '' ? null : trimmed;
  }
  if (value === null || value === undefined) return null;
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') return null;
  const trimmed = String(value).trim();
  return trimmed === '' ? null : trimmed;
};

const DATE = /^(\d{4})-(\d{2})-(\d{2})/;

/** `YYYY-MM-DD` or null; BambooHR sends `0000-00-00` for an empty date. */
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export const normaliseDate = (value: unknown): string | null => {
  const raw = text(value);
  if (raw === null) return null;
  const match = DATE.exec(raw);
  if (!match) return null;
  const [, y, m, d] = match;
  const year = Number(y);
  const month = Number(m);
  const day = Number(d);
  if (year === 0 || month < 1 || month > 12 || day < 1) return null;
  // A real calendar day (no 31 April, 29 February only in leap years): arithmetic, no Date per row.
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  if (day > (month === 2 ? (leap ? 29 : 28) : DAYS_IN_MONTH[month - 1]!)) return null;
  return `${y}-${m}-${d}`;
};

const normaliseId = (value: unknown): string | null => {
  const raw = text(value);
  return raw === null || raw === '0' ? null : raw;
};

export const mapEmployee = (row: RawEmployeeRow, options: MapOptions): SourceEmployee => {
  const statusText = text(row.status)?.toLowerCase();
  if (statusText !== 'active' && statusText !== 'inactive') {
    throw new BambooHrDataError(options.subdomain, `employee ${row.id} has status ${JSON.stringify(row.status ?? null)}, expected Active or Inactive`);
  }
  let excluded = false;
  let exclusionUnreadable = false;
  let exclusionUnknown = false;
  if (options.exclusionKey !== null && !Object.hasOwn(row, options.exclusionKey)) {
    // Fail closed per row: no value at all is not "unticked".
    excluded = true;
    exclusionUnknown = true;
  } else if (options.exclusionKey !== null) {
    const ticked = parseCheckbox(row[options.exclusionKey]);
    // Fail closed: a value we cannot read is treated as ticked.
    excluded = ticked !== false;
    exclusionUnreadable = ticked === null;
  }
  const email = text(row.workEmail);
  const employee: SourceEmployee = {
    id: row.id,
    employeeNumber: text(row.employeeNumber),
    status: statusText,
    firstName: text(row.firstName),
    middleName: text(row.middleName),
    lastName: text(row.lastName),
    preferredName: text(row.preferredName),
    workEmail: email === null ? null : email.toLowerCase(),
    hireDate: normaliseDate(row.hireDate),
    originalHireDate: normaliseDate(row.originalHireDate),
    jobTitle: text(row.jobTitle),
    department: text(row.department),
    division: text(row.division),
    location: text(row.location),
    sourceManagerId: normaliseId(row.supervisorEId),
    excluded,
  };
  if (exclusionUnreadable) employee.exclusionUnreadable = true;
  if (exclusionUnknown) employee.exclusionUnknown = true;
  return employee;
};
