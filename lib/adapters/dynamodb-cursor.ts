import { ValidationError } from '../errors.js';

/** An opaque page cursor: base64url of the JSON of a DynamoDB key (string and number attributes only). */
export const encodeCursor = (key: Record<string, unknown> | undefined): string | undefined =>
  key ? Buffer.from(JSON.stringify(key), 'utf8').toString('base64url') : undefined;

/** DynamoDB's limit on a key attribute (a sort key; a partition key may have 2048). */
const KEY_BYTES = 1024;

/**
 * The key inside a cursor, checked to have exactly `attributes`, each of its type (a string non-empty
 * and within a key's size, a number finite): anything else is the caller's mistake (400), not a
 * request DynamoDB refuses (500).
 */
export const decodeCursor = (
  cursor: string | undefined,
  attributes: Readonly<Record<string, 'string' | 'number'>>,
): Record<string, string | number> | undefined => {
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
  if (entries.length !== Object.keys(attributes).length) throw invalid();
  for (const [name, value] of entries) {
    const type = Object.hasOwn(attributes, name) ? attributes[name] : undefined;
    if (type === 'string' && !(typeof value === 'string' && value !== '' && Buffer.byteLength(value, 'utf8') <= KEY_BYTES)) throw invalid();
    else if (type === 'number' && !(typeof value === 'number' && Number.isFinite(value))) throw invalid();
    else if (type === undefined) throw invalid();
  }
  return key as Record<string, string | number>;
};

/** A page size between 1 and `max`, `fallback` when absent. */
export const pageLimit = (limit: number | undefined, fallback: number, max: number): number => {
  if (limit === undefined) return fallback;
  if (!Number.isFinite(limit)) return fallback;
  return Math.min(max, Math.max(1, Math.floor(limit)));
};
