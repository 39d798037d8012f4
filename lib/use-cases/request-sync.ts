import { randomUUID } from 'node:crypto';
import { TenantNotFoundError, ValidationError } from '../errors.js';
import type { SyncJob } from '../model/job.js';
import type { Clock, JobQueue, TenantStore } from '../ports.js';
import { runIdFor } from './sync-tenant.js';

/** Support asks for a sync now: one full job on the same queue as scheduled runs. */
export const requestSync = async (
  deps: { tenants: Pick<TenantStore, 'get'>; queue: JobQueue; clock: Clock },
  tenantId: string,
  options: { allowDeactivations?: boolean } = {},
): Promise<{ jobId: string; runId: string; job: SyncJob }> => {
  const tenant = await deps.tenants.get(tenantId);
  if (!tenant) throw new TenantNotFoundError(tenantId);
  if (tenant.status === 'disabled') {
    throw new ValidationError(`Tenant '${tenantId}' is disabled. Enable it first: bamboohr-sync tenant enable ${tenantId}`, 'tenantId');
  }
  const job: SyncJob = {
    jobId: `support-${randomUUID()}`,
    tenantId,
    kind: 'full',
    requestedAt: deps.clock.now().toISOString(),
    requestedBy: 'support',
    ...(options.allowDeactivations ? { allowDeactivations: true } : {}),
  };
  await deps.queue.enqueue([job]);
  return { jobId: job.jobId, runId: runIdFor(job), job };
};
