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

/** The company user who approves OAuth apps: access tokens act with this user's access. */
export interface SimOauthUser {
  /** API names (aliases) or field ids this user cannot see (as `SimApiKey.hiddenFields`). */
  hiddenFields?: string[];
}

export interface SimCompanyInput {
  subdomain: string;
  keys: SimApiKey[];
  employees: SimEmployee[];
  exclusionField?: SimExclusionField | null;
  /** Default `{ checked: '1', unchecked: '0' }`. */
  checkboxValues?: SimCheckboxValues;
  /** Default: a user who sees every field. */
  oauthUser?: SimOauthUser;
}

/** An OAuth app as registered in BambooHR's developer portal. */
export interface SimOauthApp {
  clientId: string;
  clientSecret: string;
  /** Shown on the consent page. */
  name: string;
  /**
   * Redirect URIs matched exactly, or `'loopback'`: any `http(s)://127.0.0.1:<port>/...` or
   * `http://localhost:<port>/...` (a local stack or a test listens on a random port).
   */
  redirectUris: readonly string[] | 'loopback';
}

/** What a company's OAuth grants look like, for assertions. */
export interface SimOauthTokenStats {
  /** Access tokens that still work: neither expired nor revoked. */
  activeAccessTokens: number;
  accessTokensIssued: number;
  /** Refresh tokens that still work: neither used (they rotate) nor revoked. */
  activeRefreshTokens: number;
  refreshTokensIssued: number;
  refreshTokensUsed: number;
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
  /** The API key it was created with; unset when created with an OAuth access token. */
  createdWithKey?: string;
  /** The OAuth app whose access token created it; unset when created with an API key. */
  createdWithOauthClient?: string;
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
  /** Secret parameters (client_secret, code, refresh_token, access_token) read `[redacted]`. */
  query: Record<string, string>;
  /** Lower-cased header names; Authorization is left out (see `auth`). */
  headers: Record<string, string>;
  /** The decoded HTTP Basic credentials, when sent; on OAuth endpoints the password (a client secret) is `[redacted]`. */
  auth: { user: string; password: string } | null;
  /** On OAuth endpoints, secret parameters read `[redacted]` (a body that is neither a form nor JSON is redacted whole). */
  body: string;
  subdomain: string | null;
  /** The fault applied to this request, if any. */
  fault: SimFault['kind'] | null;
}
