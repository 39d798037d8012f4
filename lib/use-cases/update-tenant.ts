import { TenantNotFoundError, ValidationError, WebhookNotPermittedError, errorMessage } from '../errors.js';
import { BAMBOOHR_FIELD_NAMES } from '../model/employee.js';
import { parseExclusionField, parseSubdomain, safeguardSettingsSchema, type SafeguardSettings, type Tenant } from '../model/tenant.js';
import type { Clock, EmployeeSourceFactory, SecretStore, TenantStore } from '../ports.js';
import { checkBambooHrAccess, type AccessCheck } from './check-bamboohr-access.js';
import { parseApiKey, parseWebhookUrl } from './register-tenant.js';

export interface UpdateTenantDeps {
  tenants: TenantStore;
  secrets: SecretStore;
  employeeSource: EmployeeSourceFactory;
  clock: Clock;
}

export interface UpdateTenantInput {
  subdomain?: string;
  /** A name or true (the default name) to turn exclusion on or change it; null/false to turn it off. */
  exclusionField?: string | boolean | null;
  apiKey?: string;
  /** A pasted private key, a URL to create the webhook at, or null to remove the webhook key. */
  webhook?: { privateKey: string } | { createAtUrl: string } | null;
  safeguards?: Partial<SafeguardSettings>;
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
  const apiKey = input.apiKey !== undefined ? parseApiKey(input.apiKey) : secret?.apiKey;
  if (!apiKey) throw new ValidationError(`Tenant '${tenantId}' has no API key stored: give one with --api-key-stdin.`, 'apiKey');
  const webhookUrl = input.webhook && 'createAtUrl' in input.webhook ? parseWebhookUrl(input.webhook.createAtUrl) : null;
  let safeguards = current.safeguards;
  if (input.safeguards) {
    const parsed = safeguardSettingsSchema.safeParse({ ...current.safeguards, ...input.safeguards });
    if (!parsed.success) {
      throw new ValidationError('The deactivation threshold is a percentage from 0 to 100 and the minimum a whole number of 0 or more.', 'safeguards');
    }
    safeguards = parsed.data;
  }

  const touchesBambooHr = input.subdomain !== undefined || input.apiKey !== undefined || input.exclusionField !== undefined || webhookUrl !== null;
  const source = deps.employeeSource({ tenantId, subdomain, apiKey });
  const access = touchesBambooHr ? await checkBambooHrAccess(source, { subdomain, tenantId, exclusionField }) : null;
  const warnings = [...(access?.warnings ?? [])];

  let webhookPrivateKey = secret?.webhookPrivateKey ?? null;
  if (input.webhook === null) webhookPrivateKey = null;
  else if (input.webhook && 'privateKey' in input.webhook) webhookPrivateKey = parseApiKey(input.webhook.privateKey, 'webhook private key');
  else if (webhookUrl) {
    try {
      const fields = access?.exclusionField ? [...BAMBOOHR_FIELD_NAMES, access.exclusionField.id] : [...BAMBOOHR_FIELD_NAMES];
      webhookPrivateKey = (await source.createWebhook({ name: `bamboohr-sync ${tenantId}`, url: webhookUrl, monitorFields: fields })).privateKey;
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
  };
  if (apiKey !== secret?.apiKey || webhookPrivateKey !== (secret?.webhookPrivateKey ?? null)) {
    await deps.secrets.put(tenantId, { apiKey, webhookPrivateKey });
  }
  await deps.tenants.save(tenant, { expectedStatus: current.status });
  return { tenant, access, warnings };
};
