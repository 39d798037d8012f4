import { z } from 'zod';

/** BambooHR webhook bodies, as the provider sends them. Only the ids and actions are trusted. */
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
        changedFields: z.array(z.string()).optional(),
        fields: z.record(z.string(), z.unknown()).optional(),
        timestamp: z.string().optional(),
      }),
    )
    .min(1)
    .max(1000),
});

/** Event-based (the newer global webhooks). */
export const eventBasedPayloadSchema = z.object({
  type: z.string().regex(/^employee\.[a-z_.]+$/i, "an event type such as 'employee.updated'"),
  timestamp: z.union([z.string(), z.number()]).optional(),
  data: z.object({
    companyId: z.union([z.string(), z.number()]).optional(),
    employeeId: employeeIdSchema,
    changedFields: z.array(z.string()).optional(),
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
