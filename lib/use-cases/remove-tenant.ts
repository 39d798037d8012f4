import { BambooHrAuthError, errorMessage, TenantNotFoundError } from '../errors.js';
import type { Tenant } from '../model/tenant.js';
import type { ChangeFeed, Clock, Deployment, EmployeeSourceFactory, RunStore, SecretStore, SnapshotStore, TenantSecret, TenantStore } from '../ports.js';
import type { ActivityRecorder } from './record-activity.js';
import { webhookUrlFor } from './register-tenant.js';
import { credentialAfterRefusal, credentialsOf, usableSecret, type CredentialDeps } from './tenant-credentials.js';
import { cleanUpWithin, deleteWebhooksCalling, type WebhookCleanup } from './tenant-webhooks.js';

export interface RemoveTenantDeps extends Partial<Pick<CredentialDeps, 'oauth' | 'markers'>> {
  tenants: TenantStore;
  secrets: SecretStore;
  snapshots: SnapshotStore;
  feed: ChangeFeed;
  runs: RunStore;
  activity: ActivityRecorder;
  /** To delete the tenant's webhook in BambooHR first (without these, BambooHR is not asked). */
  employeeSource?: EmployeeSourceFactory;
  deployment?: Deployment;
  clock?: Clock;
  /** How long to wait for BambooHR (default WEBHOOK_CLEANUP_DEADLINE_MS, tenant-webhooks.ts). */
  webhookDeadlineMs?: number;
}

export interface RemoveTenantResult {
  /** This deployment's webhooks for the tenant deleted in BambooHR. */
  webhooksDeleted: number;
  /** What support should still do in BambooHR (a webhook that could not be deleted, or was not found), or null. */
  webhookProblem: string | null;
}

/**
 * Deletes everything of a tenant: it is disabled first (no new scheduled or webhook job runs), then
 * its webhooks in BambooHR are deleted while its key is still there (else BambooHR would go on
 * sending a removed customer's changes; a failure there does not stop the removal, it is reported),
 * then the secret goes (so that no queued job can run with it), then the snapshot, the feed (whose
 * seq counter stays, see DynamoDbChangeFeed.deleteAll), the runs, and last the record, so that a
 * failure half-way can simply be run again.
 */
export const removeTenant = async (deps: RemoveTenantDeps, tenantId: string, actor = 'unknown'): Promise<RemoveTenantResult> => {
  const tenant = await deps.tenants.get(tenantId);
  if (!tenant) throw new TenantNotFoundError(tenantId);
  if (tenant.status !== 'disabled') await deps.tenants.save({ ...tenant, status: 'disabled', statusReason: 'being removed' }, { expectedStatus: tenant.status });
  const webhooks = await removeWebhooks(deps, tenant);
  await deps.secrets.delete(tenantId);
  await deps.snapshots.deleteAll(tenantId);
  await deps.feed.deleteAll(tenantId);
  await deps.runs.deleteAll(tenantId);
  await deps.tenants.delete(tenantId);
  // Kept after the tenant (until its TTL): who removed it, and when.
  await deps.activity.record({
    tenantId,
    type: 'removed',
    actor,
    message:
      'Removed: its key, configuration, snapshot, change feed and runs are deleted' +
      (webhooks.webhooksDeleted > 0 ? `, and its webhook in BambooHR.` : '.') +
      (webhooks.webhookProblem ? ` ${webhooks.webhookProblem}` : ''),
    details: { webhooksDeleted: webhooks.webhooksDeleted, webhookProblem: webhooks.webhookProblem },
  });
  return webhooks;
};

/** Deletes the webhooks the tenant's credential made in BambooHR that call this deployment for it; never throws. */
const removeWebhooks = async (deps: RemoveTenantDeps, tenant: Tenant): Promise<RemoveTenantResult> => {
  const { employeeSource, deployment, clock } = deps;
  if (!employeeSource || !deployment || !clock) return { webhooksDeleted: 0, webhookProblem: null };
  let url: string;
  try {
    url = webhookUrlFor(await deployment.publicBaseUrl(), tenant.tenantId);
  } catch (error) {
    return { webhooksDeleted: 0, webhookProblem: tenant.webhookEnabled ? leftInBambooHr(null, errorMessage(error)) : null };
  }
  const stored = await deps.secrets.get(tenant.tenantId).catch(() => 'unreadable' as const);
  if (!stored || stored === 'unreadable') {
    const why = stored === 'unreadable' ? 'its key could not be read' : 'its key was gone already';
    return { webhooksDeleted: 0, webhookProblem: tenant.webhookEnabled ? leftInBambooHr(url, why) : null };
  }
  const credentials = { ...deps, clock };
  const attempt = async (secret: TenantSecret) =>
    deleteWebhooksCalling(employeeSource({ tenantId: tenant.tenantId, subdomain: tenant.subdomain, ...credentialsOf(secret) }), url);
  const work = async (): Promise<WebhookCleanup> => {
    const secret = await usableSecret(credentials, tenant, stored);
    try {
      return await attempt(secret);
    } catch (error) {
      if (!(error instanceof BambooHrAuthError)) throw error;
      // A refused credential may be a stale one (as in a sync): once more with the current one.
      const again = await credentialAfterRefusal(credentials, tenant, secret);
      if (!again) throw error;
      return attempt(again);
    }
  };
  const cleanup = await cleanUpWithin(work(), deps.webhookDeadlineMs);
  if (cleanup.failures.length > 0) {
    // Without a webhook key a webhook is unlikely (one a --no-webhook could not delete): a refused key (a
    // customer who left) is no news then; BambooHR unavailable or rate limiting is (one may be there).
    return { webhooksDeleted: cleanup.deleted, webhookProblem: tenant.webhookEnabled || !cleanup.refused ? leftInBambooHr(url, cleanup.failures.join('; ')) : null };
  }
  if (cleanup.deleted === 0 && tenant.webhookEnabled) {
    return {
      webhooksDeleted: 0,
      webhookProblem: `No webhook made by its BambooHR key calls ${url}: if its webhook was made in BambooHR's settings (its private key pasted here), delete it there.`,
    };
  }
  return { webhooksDeleted: cleanup.deleted, webhookProblem: null };
};

const leftInBambooHr = (url: string | null, why: string): string =>
  `Its webhook in BambooHR could not be deleted (${why.replace(/\.$/, '')}): delete the webhook calling ${url ?? "this deployment's /webhooks/bamboohr/<tenant>"} in BambooHR's settings, or BambooHR goes on sending its changes to a tenant that no longer exists.`;
