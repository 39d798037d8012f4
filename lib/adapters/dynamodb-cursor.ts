import { ValidationError } from '../errors.js';

/** An opaque page cursor: base64url of the JSON of a DynamoDB key (string and number attributes only). */
export const encodeCursor = (key: Record<string, unknown> | undefined): string | undefined =>
  key ? Buffer.from(JSON.stringify(key), 'utf8').toString('base64url') : undefined;

/** The key inside a cursor, checked to have exactly `attributes` as its string/number attributes. */
export const decodeCursor = (cursor: string | undefined, attributes: readonly string[]): Record<string, string | number> | undefined => {
  if (cursor === undefined || cursor === '') return undefined;
  const invalid = () => new ValidationError('The page cursor is not valid. Start again without a cursor, or pass the cursor of the previous page unchanged.', 'cursor');
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (typeof key !== 'object' || key === null || Array.isArray(key)) throw invalid();
  const entries = Object.entries(key);
  if (entries.length !== attributes.length) throw invalid();
  for (const [name, value] of entries) {
    if (!attributes.includes(name) || (typeof value !== 'string' && typeof value !== 'number')) throw invalid();
  }
  return key as Record<string, string | number>;
};

/** A page size between 1 and `max`, `fallback` when absent. */
export const pageLimit = (limit: number | undefined, fallback: number, max: number): number => {
  if (limit === undefined) return fallback;
  if (!Number.isFinite(limit)) return fallback;
  return Math.min(max, Math.max(1, Math.floor(limit)));
};
