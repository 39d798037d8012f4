import { z } from 'zod';

/**
 * BambooHR webhook bodies, as the provider sends them. Only the ids and actions are trusted, and only
 * they are checked: the rest (changed fields, posted values, times) is never used, and its shape varies
 * (BambooHR's PHP writes an empty map as `[]`), so a signed batch is never refused for it.
 */
const employeeIdSchema = z
  .union([z.string(), z.number().int()])
  .transform((v) => String(v).trim())
  .pipe(z.string().regex(/^\d{1,12}$/, 'an employee id is a number'));

/** Field-based (the classic, permissioned webhook): field values are display names and may be partial. */
export const fieldBasedPayloadSchema = z.object({
  employees: z
    .array(
      z.object({
        id: employeeIdSchema,
        action: z.string().transform((a) => a.toLowerCase()).pipe(z.enum(['created', 'updated', 'deleted', 'inserted'])),
        changedFields: z.unknown().optional(),
        fields: z.unknown().optional(),
        timestamp: z.unknown().optional(),
      }),
    )
    .min(1)
    // A mass change (a department renamed) may name thousands: bounded by the body's size only.
    .max(100_000),
});

/** Event-based (the newer global webhooks). */
export const eventBasedPayloadSchema = z.object({
  type: z.string().regex(/^employee\.[a-z_.]+$/i, "an event type such as 'employee.updated'"),
  timestamp: z.unknown().optional(),
  data: z.object({
    companyId: z.unknown().optional(),
    employeeId: employeeIdSchema,
    changedFields: z.unknown().optional(),
  }),
});

export const webhookPayloadSchema = z.union([fieldBasedPayloadSchema, eventBasedPayloadSchema]);
export type WebhookPayload = z.infer<typeof webhookPayloadSchema>;

/** Who changed, and who BambooHR says was deleted. Nothing else of the payload is used. */
export const employeesNamedBy = (payload: WebhookPayload): { changed: string[]; deleted: string[] } => {
  const changed = new Set<string>();
  const deleted = new Set<string>();
  if ('employees' in payload) {
    for (const e of payload.employees) (e.action === 'deleted' ? deleted : changed).add(e.id);
  } else {
    (/\.deleted$/i.test(payload.type) ? deleted : changed).add(payload.data.employeeId);
  }
  for (const id of deleted) changed.delete(id);
  return { changed: [...changed], deleted: [...deleted] };
};
