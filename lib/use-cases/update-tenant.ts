import { resolveField } from '../bamboohr/resolve-field.js';
import { ConfirmationRequiredError, SecretMissingError, TenantChangedError, TenantNotFoundError, ValidationError, WebhookNotPermittedError, errorMessage } from '../errors.js';
import { parseCheckbox } from '../sync/checkbox.js';
import { BAMBOOHR_FIELD_NAMES } from '../model/employee.js';
import { parseExclusionField, parseSubdomain, safeguardSettingsSchema, type SafeguardSettings, type Tenant } from '../model/tenant.js';
import type { BambooHrCredentials, Clock, Deployment, EmployeeSource, EmployeeSourceFactory, OAuthGrant, SecretStore, SnapshotStore, TenantSecret, TenantStore } from '../ports.js';
import { amendSecret, credentialsOf, usableSecret, type CredentialDeps } from './tenant-credentials.js';
import { checkBambooHrAccess, type AccessCheck } from './check-bamboohr-access.js';
import type { ActivityRecorder } from './record-activity.js';
import { parseApiKey, webhookUrlFor, webhookUrlToCreate } from './register-tenant.js';
import { cleanUpWithin, deleteWebhooksCalling } from './tenant-webhooks.js';

export interface UpdateTenantDeps extends Partial<Pick<CredentialDeps, 'oauth' | 'markers'>> {
  tenants: TenantStore;
  secrets: SecretStore;
  employeeSource: EmployeeSourceFactory;
  clock: Clock;
  /** To count, when exclusion is turned off, the people who opted out after being synced. */
  snapshots: Pick<SnapshotStore, 'load'>;
  deployment: Deployment;
  activity: ActivityRecorder;
}

export interface UpdateTenantInput {
  subdomain?: string;
  /** A name or true (the default name) to turn exclusion on or change it; null/false to turn it off. */
  exclusionField?: string | boolean | null;
  apiKey?: string;
  /** A new OAuth grant (the customer connected again through a connect link). */
  oauth?: OAuthGrant;
  /** How, for the activity log (e.g. 'by the customer through a connect link'). */
  via?: string;
  /** A pasted private key, a webhook to create (at this deployment's URL for the tenant; null: derive it), or null to remove the webhook key. */
  webhook?: { privateKey: string } | { createAtUrl: string | null } | null;
  safeguards?: Partial<SafeguardSettings>;
  /** Yes to a drastic change: turning exclusion off while people have opted out. */
  confirm?: boolean;
  /** Who changes it, for the activity log. */
  actor?: string;
}

export interface UpdateTenantResult {
  tenant: Tenant;
  /** Present when the change was checked against BambooHR (new subdomain, key or exclusion field). */
  access: AccessCheck | null;
  warnings: string[];
}

/**
 * Changes a tenant's configuration. Whatever touches BambooHR (subdomain, key, exclusion field, a
 * webhook to create) is proven against BambooHR first, and nothing is saved on a hard failure. A
 * tenant that needed attention is active again once its new configuration checks out.
 */
export const updateTenant = async (deps: UpdateTenantDeps, tenantId: string, input: UpdateTenantInput): Promise<UpdateTenantResult> => {
  const current = await deps.tenants.get(tenantId);
  if (!current) throw new TenantNotFoundError(tenantId);
  const secret = await deps.secrets.get(tenantId);

  const subdomain = input.subdomain !== undefined ? parseSubdomain(input.subdomain) : current.subdomain;
  const exclusionField = input.exclusionField !== undefined ? parseExclusionField(input.exclusionField) : current.exclusionField;
  if (input.apiKey !== undefined && input.oauth !== undefined) throw new ValidationError('Give an API key or an OAuth grant, not both.', 'apiKey');
  // The credential after this change: a new key, a new grant, or the stored one (refreshed if it is a grant about to expire).
  let next: TenantSecret | null;
  if (input.apiKey !== undefined) next = { apiKey: parseApiKey(input.apiKey), webhookPrivateKey: secret?.webhookPrivateKey ?? null };
  else if (input.oauth !== undefined) next = { apiKey: null, oauth: input.oauth, webhookPrivateKey: secret?.webhookPrivateKey ?? null };
  else next = secret ? await usableSecret(deps, current, secret) : null;
  if (!next || (!next.apiKey && !next.oauth)) throw new ValidationError(`Tenant '${tenantId}' has no API key stored: give one with --api-key-stdin.`, 'apiKey');
  const credentials: BambooHrCredentials = credentialsOf(next);
  const newCredential = input.apiKey !== undefined || input.oauth !== undefined;
  const webhookUrl = input.webhook && 'createAtUrl' in input.webhook ? await webhookUrlToCreate(deps.deployment, tenantId, input.webhook.createAtUrl) : null;
  let safeguards = current.safeguards;
  if (input.safeguards) {
    const parsed = safeguardSettingsSchema.safeParse({ ...current.safeguards, ...input.safeguards });
    if (!parsed.success) {
      throw new ValidationError('The deactivation threshold is a percentage from 0 to 100 and the minimum a whole number of 0 or more.', 'safeguards');
    }
    safeguards = parsed.data;
  }

  const touchesBambooHr = input.subdomain !== undefined || newCredential || input.exclusionField !== undefined || webhookUrl !== null;
  const source = deps.employeeSource({ tenantId, subdomain, ...credentials });
  if (current.exclusionField !== null && exclusionField === null && input.confirm !== true) {
    await refuseToSendOptedOut(deps, current, source);
  }
  const access = touchesBambooHr ? await checkBambooHrAccess(source, { subdomain, tenantId, exclusionField }) : null;
  const warnings = [...(access?.warnings ?? [])];

  let webhookPrivateKey = secret?.webhookPrivateKey ?? null;
  let createdWebhookId: string | null = null;
  if (input.webhook === null) webhookPrivateKey = null;
  else if (input.webhook && 'privateKey' in input.webhook) webhookPrivateKey = parseApiKey(input.webhook.privateKey, 'webhook private key');
  else if (webhookUrl && next.oauth && !next.oauth.scopes.includes('webhooks')) {
    warnings.push('The connection was not granted the "webhooks" permission, so changes sync on the schedule only (hourly).');
  } else if (webhookUrl) {
    try {
      const fields = access?.exclusionField ? [...BAMBOOHR_FIELD_NAMES, access.exclusionField.id] : [...BAMBOOHR_FIELD_NAMES];
      const created = await source.createWebhook({ name: `bamboohr-sync ${tenantId}`, url: webhookUrl, monitorFields: fields });
      webhookPrivateKey = created.privateKey;
      createdWebhookId = created.id;
    } catch (error) {
      if (!(error instanceof WebhookNotPermittedError)) throw error;
      warnings.push(errorMessage(error));
    }
  }

  const tenant: Tenant = {
    ...current,
    subdomain,
    exclusionField,
    exclusionFieldId: access ? (access.exclusionField?.id ?? null) : current.exclusionFieldId,
    safeguards,
    webhookEnabled: webhookPrivateKey !== null,
    status: current.status === 'needs-attention' && access !== null ? 'active' : current.status,
    statusReason: current.status === 'needs-attention' && access !== null ? null : current.statusReason,
    updatedAt: deps.clock.now().toISOString(),
    activeSince: current.status === 'needs-attention' && access !== null ? deps.clock.now().toISOString() : current.activeSince,
  };
  if (newCredential) await deps.secrets.put(tenantId, { ...next, webhookPrivateKey });
  else if (webhookPrivateKey !== (secret?.webhookPrivateKey ?? null)) await saveWebhookKey(deps, tenantId, webhookPrivateKey);
  await deps.tenants.save(tenant, { expectedStatus: current.status });
  // The webhooks the service made before for this tenant call it with a key it no longer has: once the
  // new key (or none) is saved, they go (best effort: a failure is a warning).
  // (Without this deployment's address, none of its webhooks can be told apart: nothing is asked.)
  const url = webhookUrl ?? (input.webhook === null ? await deps.deployment.publicBaseUrl().then((base) => webhookUrlFor(base, tenantId), () => null) : null);
  if (url !== null && (input.webhook === null || createdWebhookId !== null)) {
    const { failures } = await cleanUpWithin(deleteWebhooksCalling(source, url, createdWebhookId));
    // Said only if there was one (a refused key of a tenant without a webhook is no news here).
    if (failures.length > 0 && secret?.webhookPrivateKey) {
      warnings.push(`The webhook this service made before in BambooHR could not be deleted (${failures.join('; ')}): delete the older webhook calling ${url} in BambooHR's settings.`);
    }
  }
  const changed = [
    ...(subdomain !== current.subdomain ? [`subdomain '${current.subdomain}' → '${subdomain}'`] : []),
    ...(exclusionField !== current.exclusionField ? [`exclusion field ${current.exclusionField ? `'${current.exclusionField}'` : 'off'} → ${exclusionField ? `'${exclusionField}'` : 'off'}`] : []),
    ...(input.apiKey !== undefined ? [next.apiKey !== secret?.apiKey ? 'API key replaced' : 'API key checked (unchanged)'] : []),
    ...(input.oauth !== undefined ? [`connected again with OAuth${input.via ? ` ${input.via}` : ''}`] : []),
    ...(webhookPrivateKey !== (secret?.webhookPrivateKey ?? null) ? [webhookPrivateKey === null ? 'webhook removed' : 'webhook key replaced'] : []),
    ...(JSON.stringify(safeguards) !== JSON.stringify(current.safeguards)
      ? [`safeguard ${current.safeguards.deactivationThresholdPct}%/${current.safeguards.deactivationMin} → ${safeguards.deactivationThresholdPct}%/${safeguards.deactivationMin}`]
      : []),
  ];
  await deps.activity.record({
    tenantId,
    type: tenant.status === 'active' && current.status === 'needs-attention' ? 'active' : 'configuration-changed',
    actor: input.actor ?? 'unknown',
    message: `${changed.length > 0 ? changed.join('; ') : 'Configuration saved, nothing changed'}.${tenant.status !== current.status ? ` The tenant is ${tenant.status} again.` : ''}`,
    details: { changed },
  });
  return { tenant, access, warnings };
};

/**
 * Turning exclusion off sends everyone who ticked the box: it needs a yes, after saying how many. The
 * count comes from BambooHR (active people with a work email and the box ticked) while the field can
 * be read; otherwise from the snapshot (those who left the product by ticking it: a lower bound).
 */
const refuseToSendOptedOut = async (deps: Pick<UpdateTenantDeps, 'snapshots'>, tenant: Tenant, source: EmployeeSource): Promise<void> => {
  const field = tenant.exclusionField!;
  const fromBambooHr = async (): Promise<number | null> => {
    const id = tenant.exclusionFieldId ?? resolveField(await source.listFields(), field)?.id ?? null;
    if (id === null) return null;
    const report = await source.fetchReport({ fields: ['status', 'workEmail', id] });
    if (report.missingFields.includes(id)) return null;
    return report.employees.filter((row) => String(row.status).toLowerCase() === 'active' && String(row.workEmail ?? '').trim() !== '' && parseCheckbox(row[id]) !== false)
      .length;
  };
  const counted = await fromBambooHr();
  const people = (n: number) => (n === 1 ? '1 person' : `${n} people`);
  let what: string;
  if (counted !== null) {
    if (counted === 0) return;
    what = `would send ${people(counted)} who opted out (their '${field}' box is ticked in BambooHR) to the product`;
  } else {
    let excluded = 0;
    for (const entry of (await deps.snapshots.load(tenant.tenantId)).values()) if (entry.state === 'deactivated' && entry.reason === 'excluded') excluded += 1;
    what =
      excluded > 0
        ? `would send at least ${people(excluded)} who opted out (more may have ticked '${field}' before their first sync; the field cannot be read now)`
        : `could send people who opted out: '${field}' cannot be read, so how many ticked it is unknown`;
  }
  throw new ConfirmationRequiredError(
    `Turning exclusion off for '${tenant.tenantId}' ${what}. If the field disappeared or is hidden, ask the customer to restore it and the ` +
      `integration user's access instead. If the customer really wants everyone synced, repeat with --yes (API: "confirm": true); ` +
      `a mass return is still held by the safeguard until allowed.`,
  );
};

/**
 * Only the webhook key changes: merged into the secret as it is now, by a compare-and-set, never by
 * writing back the credential read earlier. (A worker may have rotated an OAuth grant meanwhile, whose
 * old refresh token BambooHR has spent; a rotation saved but not made current is the one to keep.)
 */
const saveWebhookKey = async (deps: Pick<UpdateTenantDeps, 'secrets'>, tenantId: string, webhookPrivateKey: string | null): Promise<void> => {
  const saved = await amendSecret(deps.secrets, tenantId, (current) => {
    if (!current) throw new SecretMissingError(tenantId);
    return { ...(current.pending?.secret.oauth ? current.pending.secret : current.secret), webhookPrivateKey };
  });
  if (saved === 'busy') throw new TenantChangedError(tenantId);
};
