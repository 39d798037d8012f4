/**
 * The synced employee fields as support reads them (`explain` in the CLI and the console's employee
 * page), in the order shown. No imports: the console's browser bundle takes it as it is.
 */
export const EXPLAINED_FIELDS: ReadonlyArray<readonly [label: string, field: string]> = [
  ['Status', 'status'],
  ['Work email', 'workEmail'],
  ['First name', 'firstName'],
  ['Middle name', 'middleName'],
  ['Last name', 'lastName'],
  ['Preferred name', 'preferredName'],
  ['Employee #', 'employeeNumber'],
  ['Hire date', 'hireDate'],
  ['Original hire date', 'originalHireDate'],
  ['Job title', 'jobTitle'],
  ['Department', 'department'],
  ['Division', 'division'],
  ['Location', 'location'],
];

/** A field's value as shown beside its label: a dash for none, a list joined. */
export const shownValue = (v: unknown): string => (v === null || v === undefined || v === '' ? '—' : Array.isArray(v) ? v.join(', ') || '—' : String(v));
