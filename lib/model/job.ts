import { z } from 'zod';
import { tenantIdSchema } from './tenant.js';

export const JOB_KINDS = ['full', 'employees', 'incremental'] as const;
export type JobKind = (typeof JOB_KINDS)[number];

/** The most employees a targeted job names (changed, and deleted, each). */
export const MAX_JOB_EMPLOYEES = 1000;

/** The body of one SQS sync job. Validated when it is sent and again when it is received. */
export const syncJobSchema = z
  .object({
    jobId: z.string().min(1).max(128),
    tenantId: tenantIdSchema,
    kind: z.enum(JOB_KINDS),
    employeeIds: z.array(z.string().regex(/^\d{1,12}$/)).max(MAX_JOB_EMPLOYEES).optional(),
    /** Ids a webhook reported as Deleted: deactivated only if BambooHR no longer returns them. */
    deletedEmployeeIds: z.array(z.string().regex(/^\d{1,12}$/)).max(MAX_JOB_EMPLOYEES).optional(),
    requestedAt: z.iso.datetime(),
    /** `probe`: the scheduler checking whether a tenant that needs attention works again. */
    requestedBy: z.enum(['schedule', 'webhook', 'support', 'probe']),
    /** Set by `dlq redrive`: a redriven job is a new run, its attempts counted afresh (approvals still age from requestedAt). */
    redrive: z.object({ count: z.number().int().min(1), at: z.iso.datetime() }).optional(),
    /**
     * Before approvals were bound to a held run: a bare go-ahead. Still accepted in a body (old jobs
     * may be queued or dead-lettered), never acted on: such a run is judged by the safeguard again.
     */
    allowDeactivations: z.boolean().optional(),
    /** Support's go-ahead for exactly the departures and returns of one held run (see evaluateSafeguard). */
    approval: z
      .object({
        heldRunId: z.string().min(1).max(200),
        fingerprint: z.string().regex(/^[0-9a-f]{32}$/),
        /** Who approved: the IAM principal in AWS, `local` on the local stack. */
        approvedBy: z.string().max(300).optional(),
      })
      .optional(),
  })
  .refine((job) => job.kind !== 'employees' || (job.employeeIds?.length ?? 0) + (job.deletedEmployeeIds?.length ?? 0) > 0, {
    message: "an 'employees' job names at least one employee id",
    path: ['employeeIds'],
  });
export type SyncJob = z.infer<typeof syncJobSchema>;
