import { z } from 'zod';
import { JOB_KINDS } from './job.js';

export const WARNING_CODES = [
  'duplicate-work-email',
  'manager-loop',
  'manager-not-synced',
  'missing-work-email',
  'fields-not-visible',
  'duplicate-employee-id',
  'exclusion-unreadable',
  'exclusion-unknown',
  'approval-not-applied',
] as const;
export type WarningCode = (typeof WARNING_CODES)[number];

export const warningSchema = z.object({
  code: z.enum(WARNING_CODES),
  message: z.string(),
  /** Some of the employees concerned (capped, so that a run record stays small). */
  employeeIds: z.array(z.string()).optional(),
  count: z.number().int().optional(),
  fields: z.array(z.string()).optional(),
});
export type Warning = z.infer<typeof warningSchema>;

export const RUN_STATUSES = ['running', 'succeeded', 'held', 'failed'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export const changeCountsSchema = z.object({
  created: z.number().int(),
  updated: z.number().int(),
  deactivated: z.number().int(),
  reactivated: z.number().int(),
});
export type ChangeCounts = z.infer<typeof changeCountsSchema>;
export const ZERO_COUNTS: ChangeCounts = { created: 0, updated: 0, deactivated: 0, reactivated: 0 };

export const heldRunSchema = z.object({
  wouldDeactivate: z.number().int(),
  /** People who would come back (e.g. everyone who opted out, once exclusion is turned off). */
  wouldReactivate: z.number().int().default(0),
  syncedBefore: z.number().int(),
  thresholdPct: z.number(),
  thresholdMin: z.number().int(),
  /** Some of the employees who would be deactivated, then reactivated (capped). */
  sample: z.array(
    z.object({
      employeeId: z.string(),
      name: z.string().nullable(),
      reason: z.string().nullable(),
      type: z.enum(['deactivated', 'reactivated']).default('deactivated'),
    }),
  ),
  /** Identifies exactly this set of departures and returns: what an approval of this run binds to. */
  fingerprint: z.string().optional(),
});
export type HeldRun = z.infer<typeof heldRunSchema>;

export const runRecordSchema = z.object({
  tenantId: z.string(),
  runId: z.string(),
  jobId: z.string(),
  kind: z.enum(JOB_KINDS),
  requestedBy: z.string(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  status: z.enum(RUN_STATUSES),
  counts: changeCountsSchema,
  warnings: z.array(warningSchema),
  held: heldRunSchema.nullable(),
  error: z
    .object({
      code: z.string(),
      message: z.string(),
      retryable: z.boolean(),
      /** BambooHR's Retry-After on a rate limit: the next delivery waits at least this long. */
      retryAfterSeconds: z.number().int().min(0).optional(),
    })
    .nullable(),
  /** Deliveries of the job that started this run (a crashed one included). */
  attempts: z.number().int().min(0).default(0),
  /** Of those, the ones that ended waiting out a BambooHR rate limit: they never count toward dead-lettering. */
  waits: z.number().int().min(0).default(0),
  /** The feed range this run wrote, if any. */
  feed: z.object({ firstSeq: z.number().int(), lastSeq: z.number().int() }).nullable(),
  employeesSynced: z.number().int().nullable(),
  bamboohrRequests: z.number().int().nullable(),
});
export type RunRecord = z.infer<typeof runRecordSchema>;
