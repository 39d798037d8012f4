/**
 * Typed errors. Branch on them with `instanceof`, never on message text.
 * Every message names what an operator should do. No message ever carries an API key.
 */
export abstract class SyncError extends Error {
  /** A stable machine-readable code, also used by the APIs and the CLI's --json output. */
  abstract readonly code: string;
  /** True when trying the same job again later may succeed. */
  abstract readonly retryable: boolean;
  /** True when a person must act: the tenant goes to `needs-attention` and is not retried. */
  readonly needsAttention: boolean = false;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The command that applies a fix: `tenant update` for a registered tenant; for a registration, try again. */
const fixWith = (tenantId: string | undefined, flags: string): string =>
  tenantId ? `run: bamboohr-sync tenant update ${tenantId} ${flags}` : 'register the tenant again with the corrected value';

const updateKeyHint = (tenantId?: string): string =>
  `Ask the customer to create a new key for the integration user and ${fixWith(tenantId, '--api-key-stdin')}`;

export class BambooHrAuthError extends SyncError {
  readonly code = 'bamboohr-key-rejected';
  readonly retryable = false;
  override readonly needsAttention = true;
  constructor(
    readonly subdomain: string,
    readonly status: number,
    tenantId?: string,
    detail?: string,
  ) {
    super(
      `BambooHR rejected the API key for '${subdomain}' (${status}${detail ? `: ${detail}` : ''}). ` +
        `The key is wrong, revoked, or its user is disabled or lacks access. ${updateKeyHint(tenantId)}`,
    );
  }
}

export class BambooHrUnknownCompanyError extends SyncError {
  readonly code = 'bamboohr-unknown-company';
  readonly retryable = false;
  override readonly needsAttention = true;
  constructor(
    readonly subdomain: string,
    tenantId?: string,
  ) {
    super(
      `No BambooHR company '${subdomain}'. Check the subdomain (the 'acme' of https://acme.bamboohr.com/) ` +
        `with the customer and ${fixWith(tenantId, '--subdomain <subdomain>')}`,
    );
  }
}

export class BambooHrRateLimitedError extends SyncError {
  readonly code = 'bamboohr-rate-limited';
  readonly retryable = true;
  constructor(
    readonly subdomain: string,
    readonly retryAfterSeconds: number | null,
  ) {
    super(
      `BambooHR kept rate limiting '${subdomain}' past the retry budget` +
        (retryAfterSeconds !== null ? ` (last Retry-After: ${retryAfterSeconds}s)` : '') +
        `. The job goes back to the queue and is retried later; nothing was applied.`,
    );
  }
}

export class BambooHrUnavailableError extends SyncError {
  readonly code = 'bamboohr-unavailable';
  readonly retryable = true;
  constructor(
    readonly subdomain: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(
      `BambooHR did not answer for '${subdomain}' (${detail}). The job is retried later through the queue; ` +
        `nothing was applied. If it persists, check https://status.bamboohr.com/.`,
      options,
    );
  }
}

export class BambooHrResponseError extends SyncError {
  readonly code = 'bamboohr-bad-response';
  readonly retryable = true;
  constructor(
    readonly subdomain: string,
    detail: string,
    /** What the answer looked like (its kind, size, keys and types), never what it said: it may hold employees' data. */
    readonly shape: string,
  ) {
    super(`BambooHR sent an answer for '${subdomain}' that could not be used (${detail}): ${shape}. Nothing was applied; the job is retried later.`);
  }
}

/** BambooHR answered, but its data contradicts itself: retrying cannot help, a person must look. */
export class BambooHrDataError extends SyncError {
  readonly code = 'bamboohr-bad-data';
  readonly retryable = false;
  override readonly needsAttention = true;
  constructor(
    readonly subdomain: string,
    detail: string,
  ) {
    super(
      `BambooHR's data for '${subdomain}' cannot be synced safely: ${detail}. Nothing was applied. ` +
        `Ask the customer to correct it in BambooHR, then run: bamboohr-sync sync <tenantId> --wait`,
    );
  }
}

export class ExclusionFieldNotFoundError extends SyncError {
  readonly code = 'exclusion-field-missing';
  readonly retryable = false;
  override readonly needsAttention = true;
  constructor(
    readonly subdomain: string,
    readonly fieldName: string,
    tenantId?: string,
  ) {
    super(
      `The exclusion field '${fieldName}' cannot be found or read in BambooHR '${subdomain}', so nobody is synced ` +
        `(people who asked to be left out must never be sent). Ask the customer to restore the checkbox field '${fieldName}' ` +
        `and the integration user's access to it` +
        (tenantId
          ? `, then run: bamboohr-sync sync ${tenantId} --wait. If the customer renamed the field: bamboohr-sync tenant update ${tenantId} --exclusion-field <new name>. ` +
            `Turning exclusion off (tenant update ${tenantId} --no-exclusion --yes) sends everyone who opted out.`
          : `, or register the tenant with the field's right name. Registering without exclusion sends everyone who opted out.`),
    );
  }
}

/** DynamoDB refused an item as larger than 400 KB: retrying cannot help, and the run must not loop. */
export class ItemTooLargeError extends SyncError {
  readonly code = 'item-too-large';
  readonly retryable = false;
  override readonly needsAttention = true;
  constructor(
    readonly what: string,
    readonly bytes: number | null,
  ) {
    super(
      `${what} is too large to store${bytes !== null ? ` (${Math.round(bytes / 1024)} KB)` : ''}: DynamoDB keeps at most 400 KB per item. ` +
        `Nothing of this run was applied. This is a defect of bamboohr-sync (large bodies are meant to be split): report it with the tenant and this message.`,
    );
  }
}

/** A change that would send people who asked not to be sent (or is otherwise drastic) needs a yes. */
export class ConfirmationRequiredError extends SyncError {
  readonly code = 'confirmation-required';
  readonly retryable = false;
}

export class RequiredFieldsNotVisibleError extends SyncError {
  readonly code = 'required-fields-not-visible';
  readonly retryable = false;
  override readonly needsAttention = true;
  constructor(
    readonly subdomain: string,
    readonly fields: readonly string[],
  ) {
    super(
      `The API key for '${subdomain}' cannot see ${fields.map((f) => `'${f}'`).join(', ')}, without which no sync is safe. ` +
        `Ask the customer to grant the integration user's access level these fields, then run the sync again.`,
    );
  }
}

export class EmptyReportError extends SyncError {
  readonly code = 'empty-report';
  readonly retryable = false;
  constructor(readonly subdomain: string) {
    super(
      `BambooHR returned no employees at all for '${subdomain}'. Nothing was applied (no one is deactivated on an empty answer). ` +
        `Check that the integration user's access level can see employees.`,
    );
  }
}

export class ValidationError extends SyncError {
  readonly code = 'invalid-input';
  readonly retryable = false;
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

/** A feed read `after` a seq the feed never handed out (past its committed seq): a product's stored seq is wrong. */
export const afterBeyondFeed = (after: number, committed: number): ValidationError =>
  new ValidationError(
    `'after' (${after}) is past the last seq this tenant's feed has committed (${committed}): the feed never handed it out. ` +
      `Read on from the nextAfter it returns; if your stored seq came from elsewhere (a restore, a typo), load /employees again and read the changes after its seq.`,
    'after',
  );

export class TenantNotFoundError extends SyncError {
  readonly code = 'tenant-not-found';
  readonly retryable = false;
  constructor(readonly tenantId: string) {
    super(`No tenant '${tenantId}'. List the tenants with: bamboohr-sync tenant list`);
  }
}

export class TenantExistsError extends SyncError {
  readonly code = 'tenant-exists';
  readonly retryable = false;
  constructor(readonly tenantId: string) {
    super(`A tenant '${tenantId}' already exists. Pick another id, or change it with: bamboohr-sync tenant update ${tenantId}`);
  }
}

export class TenantChangedError extends SyncError {
  readonly code = 'tenant-changed';
  readonly retryable = false;
  constructor(readonly tenantId: string) {
    super(`Tenant '${tenantId}' changed while this was being saved (a sync finished meanwhile); nothing was saved. Look at it again with: bamboohr-sync tenant show ${tenantId}, then repeat the command.`);
  }
}

export class SecretMissingError extends SyncError {
  readonly code = 'secret-missing';
  readonly retryable = false;
  override readonly needsAttention = true;
  constructor(readonly tenantId: string) {
    super(`No API key is stored for tenant '${tenantId}'. Run: bamboohr-sync tenant update ${tenantId} --api-key-stdin`);
  }
}

export class ConfigError extends SyncError {
  readonly code = 'config';
  readonly retryable = false;
}

/** The message of any thrown value, for logs and run records. */
export const errorMessage = (error: unknown): string => (error instanceof Error ? error.message : String(error));

export class WebhookNotPermittedError extends SyncError {
  readonly code = 'webhook-not-permitted';
  readonly retryable = false;
  constructor(readonly subdomain: string) {
    super(
      `The API key for '${subdomain}' may not create webhooks. The tenant is synced on schedule only. ` +
        `To get fast updates, ask the customer to create a webhook in BambooHR and paste its private key with --webhook-key-stdin.`,
    );
  }
}

/** `explain`: no one in the product or in BambooHR matches what support typed. */
export class EmployeeNotFoundError extends SyncError {
  readonly code = 'employee-not-found';
  readonly retryable = false;
  constructor(
    readonly tenantId: string,
    readonly who: string,
  ) {
    super(`No employee of '${tenantId}' matches '${who}' (an id, a work email, an employee number or a name), in the product or in BambooHR. Check the spelling, or give the BambooHR id.`);
  }
}

/** `explain`: several people match a name; the candidates say who they are. */
export class AmbiguousEmployeeError extends SyncError {
  readonly code = 'ambiguous-employee';
  readonly retryable = false;
  constructor(
    readonly who: string,
    readonly candidates: ReadonlyArray<{ employeeId: string; name: string | null; workEmail: string | null; employeeNumber: string | null; inProduct: boolean }>,
  ) {
    super(
      `${candidates.length} employees match '${who}': ${candidates
        .slice(0, 10)
        .map((c) => `${c.name ?? 'unnamed'} (#${c.employeeId}${c.workEmail ? `, ${c.workEmail}` : ''})`)
        .join('; ')}${candidates.length > 10 ? '; …' : ''}. Ask again with one of their ids or emails.`,
    );
  }
}

/** BambooHR refused the tenant's OAuth grant (revoked app, expired or spent refresh token): only a new connection helps. */
export class OAuthGrantRefusedError extends SyncError {
  readonly code = 'oauth-grant-refused';
  readonly retryable = false;
  override readonly needsAttention = true;
  constructor(
    readonly tenantId: string,
    readonly subdomain: string,
  ) {
    super(
      `BambooHR no longer accepts the connection of '${subdomain}' (the app was disconnected there, or its refresh token expired). ` +
        `Send the customer a new connect link: bamboohr-sync tenant invite ${tenantId}`,
    );
  }
}

/** The OAuth app's client id and secret are not configured. */
/**
 * BambooHR refused this deployment's OAuth app itself (`invalid_client`, `unauthorized_client`) on a
 * refresh: the app's id or secret is wrong or was rotated. The operators' to fix, for every OAuth
 * tenant at once; the tenants' grants are kept, and the job is retried (then dead-lettered, alerting).
 */
export class OAuthAppRefusedError extends SyncError {
  readonly code = 'oauth-app-refused';
  readonly retryable = true;
  constructor(readonly reason: string) {
    super(
      `BambooHR refused this deployment's OAuth app (${reason}): the client id or secret in the BAMBOOHR_OAUTH_CLIENT secret is wrong or was rotated. ` +
        'Store the app\'s current {"clientId", "clientSecret"} there; the tenants\' connections are kept and their jobs are retried.',
    );
  }
}

export class OAuthNotConfiguredError extends SyncError {
  readonly code = 'oauth-not-configured';
  readonly retryable = false;
  constructor(where: string) {
    super(`The BambooHR OAuth app is not configured: ${where}. Until it is, customers can connect with an API key.`);
  }
}
