import { z } from 'zod';

/**
 * Raw BambooHR answers, mirroring the provider as it is (ids as strings or numbers, values as
 * strings, `0000-00-00` for empty dates). Mapping to the normalised model is lib/sync/map-employee.ts.
 */
const idSchema = z.union([z.string().min(1), z.number().int()]).transform((v) => String(v));

export const rawReportFieldSchema = z.object({
  id: idSchema,
  type: z.string().optional(),
  name: z.string().optional(),
});
export type RawReportField = z.infer<typeof rawReportFieldSchema>;

export const rawEmployeeRowSchema = z.object({ id: idSchema }).catchall(z.unknown());
export type RawEmployeeRow = z.infer<typeof rawEmployeeRowSchema>;

export const rawCustomReportSchema = z.object({
  title: z.string().optional(),
  fields: z.array(rawReportFieldSchema),
  employees: z.array(rawEmployeeRowSchema),
});
export type RawCustomReport = z.infer<typeof rawCustomReportSchema>;

export const rawFieldMetaSchema = z.object({
  id: idSchema,
  name: z.string(),
  type: z.string().optional(),
  alias: z.string().optional(),
});
export type RawFieldMeta = z.infer<typeof rawFieldMetaSchema>;
export const rawFieldListSchema = z.array(rawFieldMetaSchema);

export const rawChangedEmployeesSchema = z.object({
  latest: z.string().optional(),
  employees: z
    .record(
      z.string(),
      z.object({
        id: idSchema,
        action: z.enum(['Inserted', 'Updated', 'Deleted']),
        lastChanged: z.string().optional(),
      }),
    )
    .or(z.array(z.never()).transform(() => ({})))
    .default({}),
});
export type RawChangedEmployees = z.infer<typeof rawChangedEmployeesSchema>;

/** The answer to `POST /v1/webhooks` (201): the private key is shown only once. */
export const rawWebhookCreatedSchema = z.object({
  id: idSchema,
  privateKey: z.string().min(1),
});
export type RawWebhookCreated = z.infer<typeof rawWebhookCreatedSchema>;

/** `GET /v1/webhooks`: the webhooks of the authenticated user (a summary each). */
export const rawWebhookListSchema = z.object({
  webhooks: z.array(z.object({ id: idSchema, url: z.string() }).catchall(z.unknown())),
});
