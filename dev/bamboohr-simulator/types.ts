/** Types shared by the BambooHR simulator, its demo data and the tests that drive it. */

/**
 * One simulated employee: BambooHR API field names → string values (empty string when unset),
 * plus whether the company's exclusion checkbox is ticked.
 */
export interface SimEmployee {
  id: string;
  excluded: boolean;
  employeeNumber?: string;
  status?: string;
  firstName?: string;
  middleName?: string;
  lastName?: string;
  preferredName?: string;
  workEmail?: string;
  hireDate?: string;
  originalHireDate?: string;
  jobTitle?: string;
  department?: string;
  division?: string;
  location?: string;
  supervisorEId?: string;
  supervisorId?: string;
  supervisor?: string;
  supervisorEmail?: string;
  terminationDate?: string;
  employmentHistoryStatus?: string;
  [field: string]: string | boolean | undefined;
}

export type SimEmployeePatch = { [field: string]: string | boolean | undefined };

export interface SimApiKey {
  apiKey: string;
  /** API names (aliases) or field ids this key cannot see. */
  hiddenFields?: string[];
  /** The key's user is disabled: every request gets 403. */
  disabled?: boolean;
  /** Whether the key's user may `POST /v1/webhooks` (default true). */
  canCreateWebhooks?: boolean;
}

export interface SimExclusionField {
  /** Numeric id, e.g. '4501'. */
  id: string;
  name: string;
  alias?: string;
}

/** How the exclusion checkbox is written in JSON answers (BambooHR does not document it). */
export interface SimCheckboxValues {
  checked: string;
  unchecked: string;
}

export interface SimCompanyInput {
  subdomain: string;
  keys: SimApiKey[];
  employees: SimEmployee[];
  exclusionField?: SimExclusionField | null;
  /** Default `{ checked: '1', unchecked: '0' }`. */
  checkboxValues?: SimCheckboxValues;
}

export type SimChangeAction = 'Inserted' | 'Updated' | 'Deleted';

export interface SimWebhook {
  id: string;
  privateKey: string;
  name: string;
  url: string;
  format: string;
  monitorFields: string[];
  postFields: Record<string, string>;
  includeCompanyDomain: boolean;
  createdWithKey: string;
}

interface FaultTarget {
  /** Only requests whose path contains this string (or matches this pattern). */
  path?: string | RegExp;
  /** Only requests for this company. */
  subdomain?: string;
}

/** Faults apply to the next `times` matching requests (default 1); `drop-field` lasts until clearFaults(). */
export type SimFault = FaultTarget &
  (
    | {
        kind: 'status';
        status: number;
        retryAfter?: string;
        errorMessage?: string;
        body?: string;
        times?: number;
      }
    | { kind: 'delay'; ms: number; times?: number }
    | { kind: 'truncate'; times?: number }
    | { kind: 'html'; times?: number }
    | { kind: 'reset'; times?: number }
    | { kind: 'drop-field'; field: string }
  );

export interface SimRequest {
  /** 1-based, across the whole simulator. */
  seq: number;
  /** Epoch milliseconds at which the request was fully received. */
  receivedAt: number;
  method: string;
  path: string;
  query: Record<string, string>;
  /** Lower-cased header names; Authorization is left out (see `auth`). */
  headers: Record<string, string>;
  /** The decoded HTTP Basic credentials, when sent. */
  auth: { user: string; password: string } | null;
  body: string;
  subdomain: string | null;
  /** The fault applied to this request, if any. */
  fault: SimFault['kind'] | null;
}
