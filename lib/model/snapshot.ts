import { z } from 'zod';
import { DEACTIVATION_REASONS } from './change.js';
import { employeeSchema } from './employee.js';

/**
 * What the service last told the product about one employee. Only employees that ever reached the
 * product have an entry; a deactivated one keeps it, so that a return is a `reactivated` change.
 */
export const snapshotEntrySchema = z.object({
  employee: employeeSchema,
  state: z.enum(['synced', 'deactivated']),
  reason: z.enum(DEACTIVATION_REASONS).nullable(),
  /** BambooHR's supervisorEId as last pulled, so that a targeted sync can re-derive the org tree. */
  sourceManagerId: z.string().nullable(),
  /**
   * The feed seq of the change that made this entry what it is (absent on entries written before seqs
   * were kept: 0). An entry whose seq is above the feed's committed seq belongs to an append that is
   * not committed yet: readers show `previous` instead.
   */
  seq: z.number().int().min(0).optional(),
  /** The employee's entry before that change (its seq, state and reason; its body is the change's `from`s); null for a newcomer. */
  previous: z
    .object({ seq: z.number().int().min(0), state: z.enum(['synced', 'deactivated']), reason: z.enum(DEACTIVATION_REASONS).nullable() })
    .nullable()
    .optional(),
});
export type SnapshotEntry = z.infer<typeof snapshotEntrySchema>;
