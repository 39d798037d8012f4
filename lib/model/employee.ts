import { z } from 'zod';

/**
 * The normalised employee: what the performance-review product receives.
 * Kept apart from the raw BambooHR row (lib/bamboohr/raw-schema.ts).
 */
export const employeeSchema = z.object({
  id: z.string().min(1),
  employeeNumber: z.string().nullable(),
  status: z.enum(['active', 'inactive']),
  firstName: z.string().nullable(),
  middleName: z.string().nullable(),
  lastName: z.string().nullable(),
  preferredName: z.string().nullable(),
  workEmail: z.string().nullable(),
  hireDate: z.string().nullable(),
  originalHireDate: z.string().nullable(),
  jobTitle: z.string().nullable(),
  department: z.string().nullable(),
  division: z.string().nullable(),
  location: z.string().nullable(),
  managerId: z.string().nullable(),
  directReportIds: z.array(z.string()),
});
export type Employee = z.infer<typeof employeeSchema>;

/** Employee fields that come straight from a BambooHR field (everything but the derived ones). */
export const SOURCE_EMPLOYEE_FIELDS = [
  'employeeNumber',
  'status',
  'firstName',
  'middleName',
  'lastName',
  'preferredName',
  'workEmail',
  'hireDate',
  'originalHireDate',
  'jobTitle',
  'department',
  'division',
  'location',
] as const;
export type SourceEmployeeField = (typeof SOURCE_EMPLOYEE_FIELDS)[number];

/** Every field of the normalised employee that the diff compares. */
export const DIFFED_FIELDS = [...SOURCE_EMPLOYEE_FIELDS, 'managerId', 'directReportIds'] as const;
export type DiffedField = (typeof DIFFED_FIELDS)[number];

/**
 * The BambooHR fields requested from the custom report, with the name BambooHR's UI shows in the
 * access-level checklist that customers follow, and the normalised fields each one feeds.
 */
export const BAMBOOHR_SYNCED_FIELDS = [
  { apiName: 'employeeNumber', uiName: 'Employee #', feeds: ['employeeNumber'], required: false },
  { apiName: 'status', uiName: 'Status', feeds: ['status'], required: true },
  { apiName: 'firstName', uiName: 'First Name', feeds: ['firstName'], required: false },
  { apiName: 'middleName', uiName: 'Middle Name', feeds: ['middleName'], required: false },
  { apiName: 'lastName', uiName: 'Last Name', feeds: ['lastName'], required: false },
  { apiName: 'preferredName', uiName: 'Preferred Name', feeds: ['preferredName'], required: false },
  { apiName: 'workEmail', uiName: 'Work Email', feeds: ['workEmail'], required: false },
  { apiName: 'hireDate', uiName: 'Hire Date', feeds: ['hireDate'], required: false },
  { apiName: 'originalHireDate', uiName: 'Original Hire Date', feeds: ['originalHireDate'], required: false },
  { apiName: 'jobTitle', uiName: 'Job Title', feeds: ['jobTitle'], required: false },
  { apiName: 'department', uiName: 'Department', feeds: ['department'], required: false },
  { apiName: 'division', uiName: 'Division', feeds: ['division'], required: false },
  { apiName: 'location', uiName: 'Location', feeds: ['location'], required: false },
  {
    apiName: 'supervisorEId',
    uiName: 'Reports To / Direct Reports',
    feeds: ['managerId', 'directReportIds'],
    required: false,
  },
] as const satisfies ReadonlyArray<{
  apiName: string;
  uiName: string;
  feeds: readonly DiffedField[];
  required: boolean;
}>;
export type BambooHrSyncedField = (typeof BAMBOOHR_SYNCED_FIELDS)[number]['apiName'];
export const BAMBOOHR_FIELD_NAMES: readonly BambooHrSyncedField[] = BAMBOOHR_SYNCED_FIELDS.map((f) => f.apiName);

export const DEFAULT_EXCLUSION_FIELD = 'skip_elevo_sync';

/** Orders employee ids numerically when both are numbers (BambooHR's ids are), as text otherwise. */
export const compareIds = (a: string, b: string): number => {
  const na = Number(a);
  const nb = Number(b);
  if (Number.isInteger(na) && Number.isInteger(nb) && na !== nb) return na - nb;
  return a < b ? -1 : a > b ? 1 : 0;
};
