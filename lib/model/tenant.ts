import { z } from 'zod';
import { ValidationError } from '../errors.js';
import { DEFAULT_EXCLUSION_FIELD } from './employee.js';

export const TENANT_STATUSES = ['active', 'disabled', 'needs-attention'] as const;
export type TenantStatus = (typeof TENANT_STATUSES)[number];

export const tenantIdSchema = z
  .string()
  .regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, 'a tenant id is 1-63 lower-case letters, digits and inner hyphens');

/**
 * A BambooHR field's API name, display name or numeric id: letters, digits, spaces, underscores,
 * dots, hyphens and parentheses. No quotes, slashes, semicolons or markup.
 */
export const fieldNameSchema = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9_.()-](?:[A-Za-z0-9 _.()-]{0,98}[A-Za-z0-9_.()-])?$/, 'a field name is 1-100 letters, digits, spaces, underscores, dots, hyphens or parentheses');

export const safeguardSettingsSchema = z.object({
  /** Hold a run that would deactivate more than this percentage of the synced employees... */
  deactivationThresholdPct: z.number().min(0).max(100).default(20),
  /** ...and more than this many of them. */
  deactivationMin: z.number().int().min(0).default(5),
});
export type SafeguardSettings = z.infer<typeof safeguardSettingsSchema>;
export const DEFAULT_SAFEGUARDS: SafeguardSettings = { deactivationThresholdPct: 20, deactivationMin: 5 };

export const runSummarySchema = z.object({
  runId: z.string(),
  kind: z.string(),
  status: z.string(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  counts: z.record(z.string(), z.number()),
  warnings: z.number().int(),
  error: z.string().nullable(),
  employeesSynced: z.number().int().nullable(),
});
export type RunSummary = z.infer<typeof runSummarySchema>;

export const attentionSchema = z.object({ since: z.string(), probes: z.number().int().min(0), nextProbeAt: z.string() });

export const tenantSchema = z.object({
  tenantId: tenantIdSchema,
  subdomain: z.string(),
  exclusionField: z.string().nullable(),
  exclusionFieldId: z.string().nullable(),
  status: z.enum(TENANT_STATUSES),
  statusReason: z.string().nullable(),
  safeguards: safeguardSettingsSchema,
  webhookEnabled: z.boolean().default(false),
  createdAt: z.string(),
  updatedAt: z.string(),
  lastRun: runSummarySchema.nullable(),
  /**
   * While the tenant needs attention: since when, how many automatic probes have failed, and when the
   * scheduler probes it next (1 h, 2 h, 4 h... at most a day apart). Null otherwise.
   */
  attention: attentionSchema.nullable().default(null),
  /** When the last run that succeeded finished (null: never): how stale the product's copy may be. */
  lastSuccessAt: z.string().nullable().default(null),
  /** When the scheduler raised the `stale` alert (null while fresh): one alert until the next success. */
  staleSince: z.string().nullable().default(null),
  /**
   * When the tenant last became active (registered, enabled, recovered; for a tenant stored before
   * this was kept, the scheduler's first look at it): staleness counts from here or the last success.
   */
  activeSince: z.string().nullable().default(null),
  /**
   * The safeguard holds this tenant's runs: the first held run of the episode and when. It lasts
   * until a full run is applied (a webhook sync of one person in between does not end it), so that
   * support hears about it once.
   */
  heldRun: z.object({ runId: z.string(), since: z.string() }).nullable().default(null),
  /**
   * Support made the tenant active by hand (`tenant enable`, a working key) while it needed attention:
   * the next run that reaches BambooHR answers the needs-attention alert with `recovered`, once, and
   * clears this. Written only by that save and by the worker's status moves, never by other saves.
   */
  recoveryPending: z.boolean().default(false),
});
export type Tenant = z.infer<typeof tenantSchema>;

/**
 * What saving a tenant's configuration writes (support's changes); the rest (last run, probe
 * bookkeeping, staleness, held run, slot) is the worker's and the scheduler's, never overwritten by a save.
 */
/** Whether a save of `tenant`, expecting `expectedStatus`, is support making a tenant that needed attention active. */
export const madeActiveByHand = (tenant: Tenant, expectedStatus: Tenant['status'] | undefined): boolean =>
  expectedStatus === 'needs-attention' && tenant.status === 'active';

export const TENANT_CONFIGURATION_ATTRIBUTES = [
  'subdomain',
  'exclusionField',
  'exclusionFieldId',
  'status',
  'statusReason',
  'safeguards',
  'webhookEnabled',
  'updatedAt',
  'activeSince',
] as const satisfies ReadonlyArray<keyof Tenant>;
export type Attention = z.infer<typeof attentionSchema>;

const SUBDOMAIN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/**
 * Accepts `acme` or a BambooHR URL such as `https://acme.bamboohr.com/` and returns `acme`.
 * Anything else is a ValidationError that says what was wrong.
 */
export const parseSubdomain = (input: string): string => {
  const value = input.trim();
  let candidate = value;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw new ValidationError(`'${value}' is not a valid URL. Give the subdomain, e.g. 'acme' for https://acme.bamboohr.com/.`, 'subdomain');
    }
    const match = /^([^.]+)\.bamboohr\.com$/i.exec(url.hostname);
    if (url.protocol !== 'https:' || !match || url.username || url.password || url.port) {
      throw new ValidationError(
        `'${value}' is not a BambooHR address. Give the subdomain, e.g. 'acme' for https://acme.bamboohr.com/.`,
        'subdomain',
      );
    }
    candidate = match[1] ?? '';
  }
  if (!SUBDOMAIN.test(candidate)) {
    throw new ValidationError(
      `'${value}' is not a BambooHR subdomain: use 1-63 letters, digits and inner hyphens, e.g. 'acme' for https://acme.bamboohr.com/.`,
      'subdomain',
    );
  }
  return candidate.toLowerCase();
};

/** Exclusion is opt-in: absent/null/false → none; true or '' → `skip_elevo_sync`; a name → that field. */
export const parseExclusionField = (input: string | boolean | null | undefined): string | null => {
  if (input === null || input === undefined || input === false) return null;
  if (input === true || input.trim() === '') return DEFAULT_EXCLUSION_FIELD;
  const parsed = fieldNameSchema.safeParse(input);
  if (!parsed.success) {
    throw new ValidationError(
      `'${input}' is not a usable exclusion field name: use the field's API name or name (letters, digits, spaces, underscores, dots, hyphens, parentheses), e.g. '${DEFAULT_EXCLUSION_FIELD}'.`,
      'exclusionField',
    );
  }
  return parsed.data;
};
