import type { RawFieldMeta } from './raw-schema.js';

/**
 * Finds a BambooHR field the way a customer names it: by alias (API name), then by display name,
 * then by numeric id; exact matches first, then case-insensitive alias and name. Null when absent.
 */
export const resolveField = (fields: readonly RawFieldMeta[], wanted: string): RawFieldMeta | null => {
  const name = wanted.trim();
  if (name === '') return null;
  const lower = name.toLowerCase();
  return (
    fields.find((f) => f.alias === name) ??
    fields.find((f) => f.name === name) ??
    fields.find((f) => String(f.id) === name) ??
    fields.find((f) => f.alias !== undefined && f.alias.toLowerCase() === lower) ??
    fields.find((f) => f.name.toLowerCase() === lower) ??
    null
  );
};
