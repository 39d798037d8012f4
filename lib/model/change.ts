import { z } from 'zod';
import { employeeSchema } from './employee.js';

export const CHANGE_TYPES = ['created', 'updated', 'deactivated', 'reactivated'] as const;
export type ChangeType = (typeof CHANGE_TYPES)[number];

/** Why an employee left the product. */
export const DEACTIVATION_REASONS = ['inactive', 'excluded', 'deleted'] as const;
export type DeactivationReason = (typeof DEACTIVATION_REASONS)[number];

export const fieldChangeSchema = z.object({ from: z.unknown(), to: z.unknown() });

/** One change as the pure diff produces it, before it gets its place (seq) in the feed. */
export const changeDraftSchema = z.object({
  type: z.enum(CHANGE_TYPES),
  reason: z.enum(DEACTIVATION_REASONS).nullable(),
  employeeId: z.string(),
  changes: z.record(z.string(), fieldChangeSchema),
  employee: employeeSchema,
});
export type ChangeDraft = z.infer<typeof changeDraftSchema>;

/** One item of a tenant's change feed: a draft with its strictly increasing seq. */
export const changeRecordSchema = changeDraftSchema.extend({
  tenantId: z.string(),
  seq: z.number().int().positive(),
  runId: z.string(),
  at: z.string(),
});
export type ChangeRecord = z.infer<typeof changeRecordSchema>;

/**
 * The employee's body before a change: its body after, with each changed field back at its `from`.
 * Exact, because a change lists every field that differs from what the product had (fields the key
 * could not see keep the product's value in the body).
 */
export const employeeBefore = (change: Pick<ChangeDraft, 'employee' | 'changes'>): ChangeDraft['employee'] => {
  const before: Record<string, unknown> = { ...change.employee };
  for (const [field, { from }] of Object.entries(change.changes)) before[field] = from;
  return employeeSchema.parse(before);
};
