import { z } from 'zod';
import { errorMessage, ValidationError, WebhookNotPermittedError } from '../errors.js';
import { DEFAULT_SAFEGUARDS, parseExclusionField, parseSubdomain, tenantIdSchema, type SafeguardSettings, type Tenant } from '../model/tenant.js';
import { BAMBOOHR_FIELD_NAMES } from '../model/employee.js';
import type { BambooHrCredentials, ChangeFeed, Clock, Deployment, EmployeeSourceFactory, OAuthGrant, RunStore, SecretStore, SnapshotStore, TenantStore } from '../ports.js';
import { checkBambooHrAccess, type AccessCheck } from './check-bamboohr-access.js';
import type { ActivityRecorder } from './record-activity.js';

export interface RegisterTenantDeps {
  tenants: TenantStore;
  secrets: SecretStore;
  employeeSource: EmployeeSourceFactory;
  clock: Clock;
  /** This deployment's public address: a created webhook must call it. */
  deployment: Deployment;
  activity: ActivityRecorder;
  /** To clear what a removed tenant of the same id may have left behind (see below). */
  snapshots: Pick<SnapshotStore, 'deleteAll'>;
  feed: Pick<ChangeFeed, 'deleteAll'>;
  runs: Pick<RunStore, 'deleteAll'>;
}

export interface RegisterTenantInput {
  tenantId: string;
  /** `acme` or `https://acme.bamboohr.com/`. */
  subdomain: string;
  /** The API key of the integration user, or (`oauth`) the grant the company's admin gave the app. */
  apiKey?: string;
  oauth?: OAuthGrant;
  /** Opt-in. true: `skip_elevo_sync`; a name: that field; absent/null/false: no exclusion. */
  exclusionField?: string | boolean | null;
  /** A private key copied from BambooHR's UI, or a webhook to create (at this deployment's URL for the tenant; null: derive it). */
  webhook?: { privateKey: string } | { createAtUrl: string | null } | null;
  safeguards?: Partial<SafeguardSettings>;
  /** Who registers it, for the activity log: the IAM principal, `local`, or (later) the customer's connect link. */
  actor?: string;
  /** How the connection was made, for the activity log (default: support with an API key). */
  via?: string;
}

export interface RegisterTenantResult {
  tenant: Tenant;
  access: AccessCheck;
  webhook: 'stored' | 'created' | 'not-permitted' | 'none';
  warnings: string[];
}

/** Trims a pasted key; refuses an empty one or one with inner whitespace. Never echoes it. */
export const parseApiKey = (input: string, what = 'API key'): string => {
  const key = input.trim();
  if (key === '') throw new ValidationError(`The ${what} is empty. Paste the key the customer created for the integration user.`, 'apiKey');
  if (/\s/.test(key) || key.length > 512) {
    throw new ValidationError(`The ${what} contains spaces or line breaks, or is too long: paste the key alone, on one line.`, 'apiKey');
  }
  return key;
};

const parseTenantId = (input: string): string => {
  const parsed = tenantIdSchema.safeParse(input);
  if (!parsed.success) {
    throw new ValidationError(`'${input}' is not a usable tenant id: use 1-63 lower-case letters, digits and inner hyphens, e.g. 'acme'.`, 'tenantId');
  }
  return parsed.data;
};

/** The only URL a tenant's webhook may call: this deployment's webhook route for that tenant. */
export const webhookUrlFor = (publicBaseUrl: string, tenantId: string): string => `${publicBaseUrl}/webhooks/bamboohr/${tenantId}`;

/**
 * The URL to create a tenant's BambooHR webhook at: this deployment's own route for that tenant (given
 * or derived), never anything else, so that a key can never be used to point BambooHR elsewhere.
 */
export const webhookUrlToCreate = async (deployment: Deployment, tenantId: string, given: string | null): Promise<string> => {
  const expected = webhookUrlFor(await deployment.publicBaseUrl(), tenantId);
  if (given === null || given.trim() === '') return expected;
  const trimmed = given.trim().replace(/\/+$/, '');
  if (trimmed !== expected) {
    throw new ValidationError(`'${given}' is not this deployment's webhook URL for '${tenantId}': the only one allowed is ${expected} (or give no URL to use it).`, 'webhook');
  }
  return expected;
};

/**
 * Registers a tenant. Validates everything first (ids, subdomain, key, field access, exclusion field)
 * against BambooHR, and saves nothing on a hard failure. The key goes to the secret store only.
 */
export const registerTenant = async (deps: RegisterTenantDeps, input: RegisterTenantInput): Promise<RegisterTenantResult> => {
  const tenantId = parseTenantId(input.tenantId);
  const subdomain = parseSubdomain(input.subdomain);
  if ((input.apiKey === undefined) === (input.oauth === undefined)) throw new ValidationError('Give an API key or an OAuth grant (one of them).', 'apiKey');
  const apiKey = input.apiKey !== undefined ? parseApiKey(input.apiKey) : null;
  const credentials: BambooHrCredentials = apiKey !== null ? { apiKey } : { accessToken: input.oauth!.accessToken };
  const exclusionField = parseExclusionField(input.exclusionField);
  const webhookUrl = input.webhook && 'createAtUrl' in input.webhook ? await webhookUrlToCreate(deps.deployment, tenantId, input.webhook.createAtUrl) : null;
  const pastedWebhookKey = input.webhook && 'privateKey' in input.webhook ? parseApiKey(input.webhook.privateKey, 'webhook private key') : null;
  if (await deps.tenants.get(tenantId)) {
    throw new ValidationError(`A tenant '${tenantId}' already exists. Pick another id, or change it with: bamboohr-sync tenant update ${tenantId}`, 'tenantId');
  }

  // No tenant id yet for BambooHR's errors: their fix is to register again, not `tenant update`.
  const source = deps.employeeSource({ subdomain, ...credentials });
  const access = await checkBambooHrAccess(source, { subdomain, exclusionField });
  const warnings = [...access.warnings];

  let webhook: RegisterTenantResult['webhook'] = pastedWebhookKey ? 'stored' : 'none';
  let webhookPrivateKey = pastedWebhookKey;
  let createdWebhookId: string | null = null;
  if (webhookUrl && input.oauth && !input.oauth.scopes.includes('webhooks')) {
    webhook = 'not-permitted';
    warnings.push('The connection was not granted the "webhooks" permission, so changes sync on the schedule only (hourly). Connect again and allow it for updates within a minute.');
  } else if (webhookUrl) {
    try {
      const created = await source.createWebhook({
        name: `bamboohr-sync ${tenantId}`,
        url: webhookUrl,
        monitorFields: access.exclusionField ? [...BAMBOOHR_FIELD_NAMES, access.exclusionField.id] : [...BAMBOOHR_FIELD_NAMES],
      });
      webhookPrivateKey = created.privateKey;
      createdWebhookId = created.id;
      webhook = 'created';
    } catch (error) {
      if (!(error instanceof WebhookNotPermittedError)) throw error;
      webhook = 'not-permitted';
      warnings.push(errorMessage(error));
    }
  }

  const now = deps.clock.now().toISOString();
  const tenant: Tenant = {
    tenantId,
    subdomain,
    exclusionField,
    exclusionFieldId: access.exclusionField?.id ?? null,
    status: 'active',
    statusReason: null,
    safeguards: { ...DEFAULT_SAFEGUARDS, ...input.safeguards },
    webhookEnabled: webhookPrivateKey !== null,
    createdAt: now,
    updatedAt: now,
    lastRun: null,
    attention: null,
    lastSuccessAt: null,
    staleSince: null,
    activeSince: now,
    heldRun: null,
    recoveryPending: false,
  };
  // 1. Claim the id: the conditional create is what makes a tenant id unique. It is created disabled,
  //    so that no job runs for it (nor marks it needs-attention) before its key is stored; a lost race
  //    fails here (TenantExistsError), before anything of the other tenant is touched.
  // A webhook made above and not kept would call this tenant with a key nobody has (best effort).
  const dropWebhook = async () => {
    if (createdWebhookId !== null) await source.deleteWebhook(createdWebhookId).catch(() => undefined);
  };
  try {
    await deps.tenants.create({ ...tenant, status: 'disabled', statusReason: registeringReason(tenantId) });
  } catch (error) {
    await dropWebhook();
    throw error;
  }
  try {
    // 2. A tenant removed while one of its syncs was still running may have left snapshot items, feed
    //    records or runs behind: a new tenant starts from nothing (the feed keeps only its seq counter).
    await deps.snapshots.deleteAll(tenantId);
    await deps.feed.deleteAll(tenantId);
    await deps.runs.deleteAll(tenantId);
    // 3. The key.
    await deps.secrets.put(tenantId, input.oauth ? { apiKey: null, oauth: input.oauth, webhookPrivateKey } : { apiKey, webhookPrivateKey });
  } catch (error) {
    // Nothing of this registration is left: the id can be registered again.
    await deps.tenants.delete(tenantId);
    await dropWebhook();
    throw error;
  }
  // 4. Active last. Should this fail, the tenant stays disabled, its reason saying so (and
  //    `tenant enable` finishes the job).
  await deps.tenants.save(tenant, { expectedStatus: 'disabled' });
  const hidden = access.checklist.filter((c) => !c.visible).map((c) => c.uiName);
  await deps.activity.record({
    tenantId,
    type: 'registered',
    actor: input.actor ?? 'unknown',
    message:
      `Registered ${input.via ?? 'by support with an API key'}: subdomain '${subdomain}', exclusion ${exclusionField ? `field '${exclusionField}'` : 'off'}, ` +
      `webhook ${webhook}; the key sees ${access.employeeCount} employee(s)${hidden.length > 0 ? ` and cannot see ${hidden.join(', ')}` : ' and every synced field'}.`,
    details: { subdomain, exclusionField, webhook, hiddenFields: hidden },
  });
  return { tenant, access, webhook, warnings };
};

/** The status reason of a tenant whose registration has not finished. */
export const registeringReason = (tenantId: string): string =>
  `registration in progress (if this stays, the registration did not finish: run bamboohr-sync tenant enable ${tenantId})`;
