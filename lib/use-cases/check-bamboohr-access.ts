import { resolveField } from '../bamboohr/resolve-field.js';
import { ExclusionFieldNotFoundError, RequiredFieldsNotVisibleError } from '../errors.js';
import { BAMBOOHR_FIELD_NAMES, BAMBOOHR_SYNCED_FIELDS } from '../model/employee.js';
import type { EmployeeSource } from '../ports.js';

export interface AccessChecklistItem {
  apiName: string;
  /** The name in BambooHR's UI, as in the access-level checklist customers follow. */
  uiName: string;
  visible: boolean;
  required: boolean;
}

export interface AccessCheck {
  checklist: AccessChecklistItem[];
  exclusionField: { name: string; id: string } | null;
  employeeCount: number;
  warnings: string[];
}

/** What a key or grant can see, without refusing: the checklist, and what blocks a connection (if anything). */
export interface AccessInspection extends AccessCheck {
  /** Synced fields required for any sync that the credential cannot see (by their UI names). */
  requiredMissing: string[];
  /** The exclusion field asked for, when it does not exist or cannot be read. */
  exclusionMissing: string | null;
}

/**
 * What a key or grant can see of a company: the company exists and the credential is accepted (else
 * a typed error), which synced fields it can see, and whether the exclusion field exists and can be
 * read. Nothing is refused here: the connect page shows it all, with what to fix.
 */
export const inspectBambooHrAccess = async (
  source: EmployeeSource,
  input: { subdomain: string; tenantId?: string; exclusionField: string | null },
): Promise<AccessInspection> => {
  const fields = await source.listFields();
  let exclusion: AccessCheck['exclusionField'] = null;
  let exclusionMissing: string | null = null;
  if (input.exclusionField !== null) {
    const field = resolveField(fields, input.exclusionField);
    if (field) exclusion = { name: input.exclusionField, id: field.id };
    else exclusionMissing = input.exclusionField;
  }
  const requested = exclusion ? [...BAMBOOHR_FIELD_NAMES, exclusion.id] : [...BAMBOOHR_FIELD_NAMES];
  const report = await source.fetchReport({ fields: requested });
  if (exclusion && report.missingFields.includes(exclusion.id)) {
    exclusionMissing = exclusion.name;
    exclusion = null;
  }
  const checklist = BAMBOOHR_SYNCED_FIELDS.map((f) => ({
    apiName: f.apiName,
    uiName: f.uiName,
    visible: !report.missingFields.includes(f.apiName),
    required: f.required,
  }));
  const requiredMissing = checklist.filter((c) => c.required && !c.visible).map((c) => c.uiName);
  const hidden = checklist.filter((c) => !c.visible);
  const warnings =
    hidden.length === 0
      ? []
      : [
          `The key cannot see: ${hidden.map((c) => c.uiName).join(', ')}. Ask the customer to add them to the integration user's access level; until then they are not synced.`,
        ];
  if (report.employees.length === 0) warnings.push('The key sees no employees at all: check the access level before the first sync.');
  return { checklist, exclusionField: exclusion, employeeCount: report.employees.length, warnings, requiredMissing, exclusionMissing };
};

/**
 * Proves a key against BambooHR before anything is saved: the company exists, the key is accepted,
 * which synced fields it can see, and that the exclusion field exists and can be read. Hard failures
 * throw (typed); fields the key cannot see are warnings with the names a customer finds in BambooHR.
 */
export const checkBambooHrAccess = async (
  source: EmployeeSource,
  input: { subdomain: string; tenantId?: string; exclusionField: string | null },
): Promise<AccessCheck> => {
  const inspection = await inspectBambooHrAccess(source, input);
  if (inspection.exclusionMissing !== null) throw new ExclusionFieldNotFoundError(input.subdomain, inspection.exclusionMissing, input.tenantId);
  if (inspection.requiredMissing.length > 0) throw new RequiredFieldsNotVisibleError(input.subdomain, inspection.requiredMissing);
  const { requiredMissing: _r, exclusionMissing: _e, ...access } = inspection;
  return access;
};
