import type { SimCheckboxValues, SimEmployee, SimExclusionField } from './types.js';

/** A field the simulated company knows, with how to read it off a SimEmployee. */
export interface SimFieldDef {
  id: string;
  name: string;
  type: string;
  alias?: string;
  read(employee: SimEmployee): string;
}

const EMPTY_DATE = '0000-00-00';

const standard = (id: number, alias: string, name: string, type = 'text'): SimFieldDef => ({
  id: String(id),
  alias,
  name,
  type,
  read:
    type === 'date'
      ? (e) => {
          const value = e[alias];
          return typeof value === 'string' && value !== '' ? value : EMPTY_DATE;
        }
      : (e) => {
          const value = e[alias];
          return typeof value === 'string' ? value : '';
        },
});

/** Standard BambooHR fields (ids are the simulator's own; aliases are BambooHR's API names). */
export const STANDARD_FIELDS: readonly SimFieldDef[] = [
  standard(17, 'employeeNumber', 'Employee #'),
  standard(1, 'status', 'Status', 'status'),
  standard(5, 'firstName', 'First Name'),
  standard(6, 'middleName', 'Middle Name'),
  standard(4, 'lastName', 'Last Name'),
  standard(1358, 'preferredName', 'Preferred Name'),
  standard(15, 'workEmail', 'Work Email', 'email'),
  standard(18, 'hireDate', 'Hire Date', 'date'),
  standard(1936, 'originalHireDate', 'Original Hire Date', 'date'),
  standard(10, 'jobTitle', 'Job Title', 'list'),
  standard(11, 'department', 'Department', 'list'),
  standard(12, 'division', 'Division', 'list'),
  standard(13, 'location', 'Location', 'list'),
  standard(149, 'supervisorEId', 'Reports To (ID)', 'employee'),
  standard(150, 'supervisorId', 'Reports To (Employee #)', 'text'),
  standard(151, 'supervisor', 'Reports To', 'employee'),
  standard(152, 'supervisorEmail', 'Reports To (Email)', 'email'),
  standard(1916, 'terminationDate', 'Termination Date', 'date'),
  standard(1360, 'employmentHistoryStatus', 'Employment Status', 'list'),
];

export const exclusionFieldDef = (field: SimExclusionField, values: SimCheckboxValues): SimFieldDef => ({
  id: field.id,
  name: field.name,
  type: 'checkbox',
  ...(field.alias !== undefined ? { alias: field.alias } : {}),
  read: (e) => (e.excluded ? values.checked : values.unchecked),
});

/** Every name a field can be requested by in a report or `?fields=`: its alias and its id. */
export const buildFieldLookup = (defs: readonly SimFieldDef[]): Map<string, SimFieldDef> => {
  const lookup = new Map<string, SimFieldDef>();
  for (const def of defs) {
    lookup.set(def.id, def);
    if (def.alias !== undefined) lookup.set(def.alias, def);
  }
  return lookup;
};
