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
});
export type SnapshotEntry = z.infer<typeof snapshotEntrySchema>;
