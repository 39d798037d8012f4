import { randomUUID } from 'node:crypto';
import { TenantNotFoundError, ValidationError } from '../errors.js';
import type { SyncJob } from '../model/job.js';
import type { RunRecord } from '../model/run.js';
import type { Clock, JobQueue, RunStore, TenantStore } from '../ports.js';
import type { ActivityRecorder } from './record-activity.js';
import { runIdFor } from './sync-tenant.js';

export interface RequestSyncOptions {
  /** Approve the departures and returns of the tenant's held run (its last run, or `heldRunId`). */
  allowDeactivations?: boolean;
  heldRunId?: string;
  /** Who asks: the IAM principal in AWS, `local` on the local stack. */
  actor?: string;
}

export interface ApprovedHold {
  heldRunId: string;
  wouldDeactivate: number;
  wouldReactivate: number;
}

/**
 * Finds the held run an approval is for: the given one, or the tenant's last run. An approval binds to
 * that run's exact set of departures and returns, never to whatever a later run finds.
 */
const heldRunToApprove = async (
  deps: { runs: Pick<RunStore, 'get'> },
  tenantId: string,
  lastRun: { runId: string; status: string } | null,
  heldRunId: string | undefined,
): Promise<RunRecord & { held: NonNullable<RunRecord['held']> }> => {
  const runId = heldRunId ?? lastRun?.runId;
  const run = runId ? await deps.runs.get(tenantId, runId) : null;
  if (!run || run.status !== 'held' || !run.held) {
    const last = lastRun ? `its last run '${lastRun.runId}' ended ${lastRun.status}` : 'it has not run yet';
    throw new ValidationError(
      heldRunId
        ? `Run '${heldRunId}' of '${tenantId}' is not a held run, so there is nothing to allow. See the runs with: bamboohr-sync runs ${tenantId}`
        : `Nothing is held for '${tenantId}': ${last}. To sync it now: bamboohr-sync sync ${tenantId}`,
      'allowDeactivations',
    );
  }
  if (!run.held.fingerprint) {
    throw new ValidationError(
      `Run '${run.runId}' was held before approvals were bound to what they approve. Sync again (bamboohr-sync sync ${tenantId} --wait): ` +
        'if it is held again, allow that run.',
      'allowDeactivations',
    );
  }
  return run as RunRecord & { held: NonNullable<RunRecord['held']> };
};

/** Support asks for a sync now: one full job on the same queue as scheduled runs, approving a held run if asked. */
export const requestSync = async (
  deps: { tenants: Pick<TenantStore, 'get'>; runs: Pick<RunStore, 'get'>; queue: JobQueue; clock: Clock; activity: ActivityRecorder },
  tenantId: string,
  options: RequestSyncOptions = {},
): Promise<{ jobId: string; runId: string; job: SyncJob; approved: ApprovedHold | null }> => {
  const tenant = await deps.tenants.get(tenantId);
  if (!tenant) throw new TenantNotFoundError(tenantId);
  if (tenant.status === 'disabled') {
    throw new ValidationError(`Tenant '${tenantId}' is disabled. Enable it first: bamboohr-sync tenant enable ${tenantId}`, 'tenantId');
  }
  if (options.heldRunId !== undefined && options.allowDeactivations !== true) {
    throw new ValidationError(`A held run (${options.heldRunId}) is only approved with allowDeactivations: true; nothing was queued.`, 'heldRunId');
  }
  const held = options.allowDeactivations === true ? await heldRunToApprove(deps, tenantId, tenant.lastRun, options.heldRunId) : null;
  const job: SyncJob = {
    jobId: `support-${randomUUID()}`,
    tenantId,
    kind: 'full',
    requestedAt: deps.clock.now().toISOString(),
    requestedBy: 'support',
    ...(held
      ? { approval: { heldRunId: held.runId, fingerprint: held.held.fingerprint!, ...(options.actor ? { approvedBy: options.actor } : {}) } }
      : {}),
  };
  await deps.queue.enqueue([job]);
  if (held) {
    await deps.activity.record({
      tenantId,
      type: 'held-allowed',
      actor: options.actor ?? 'unknown',
      runId: held.runId,
      message: `Held run allowed: ${held.held.wouldDeactivate} deactivation(s) and ${held.held.wouldReactivate} reactivation(s), exactly those, by job ${job.jobId} (run ${runIdFor(job)}).`,
      details: { wouldDeactivate: held.held.wouldDeactivate, wouldReactivate: held.held.wouldReactivate, jobId: job.jobId },
    });
  }
  return {
    jobId: job.jobId,
    runId: runIdFor(job),
    job,
    approved: held ? { heldRunId: held.runId, wouldDeactivate: held.held.wouldDeactivate, wouldReactivate: held.held.wouldReactivate } : null,
  };
};
