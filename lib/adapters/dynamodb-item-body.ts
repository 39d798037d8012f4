import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { ItemTooLargeError } from '../errors.js';

/**
 * The JSON body of a feed or snapshot item, kept under DynamoDB's 400 KB item limit whatever the org
 * size (a manager's direct reports can run to tens of thousands of ids):
 *
 * - up to 32 KB of JSON: `body`, the JSON text (readable in the AWS console; nearly every item);
 * - up to 300 KB once gzipped: `bodyGz`, the gzip of the JSON, in the item;
 * - beyond: the gzip split into 300 KB parts stored as items of their own (under the tenant's
 *   `<tenantId>#parts` partition, so that no query of the tenant's own partition ever meets them),
 *   written BEFORE the main item, which then holds `parts` (their count) and `partsId` (a hash of
 *   the gzip). A reader sees either the whole previous item or the whole new one, never half a body.
 *
 * Items written before this format hold `data` (JSON text): decodeBody still reads them.
 */
export const INLINE_TEXT_LIMIT = 32 * 1024;
export const INLINE_GZIP_LIMIT = 300 * 1024;
export const PART_BYTES = 300 * 1024;
/** Parts of one body at most: 999 × 300 KB is far beyond what a Lambda could hold anyway. */
export const MAX_PARTS = 999;

/** The partition that holds a tenant's body parts in a table. Tenant ids never contain `#`. */
export const partsPartition = (tenantId: string): string => `${tenantId}#parts`;

export interface EncodedBody {
  /** Attributes of the main item that carry the body. */
  attributes: { body: string } | { bodyGz: Uint8Array } | { parts: number; partsId: string };
  /** The parts to write (in order) before the main item; empty unless `attributes.parts`. */
  parts: Uint8Array[];
}

/** Encodes a body; `describe` names what the body is, for the error if it cannot be stored at all. */
export const encodeBody = (value: unknown, describe: () => string): EncodedBody => {
  const text = JSON.stringify(value);
  // At most 3 UTF-8 bytes per UTF-16 unit: most bodies are known to fit without counting.
  if (text.length * 3 <= INLINE_TEXT_LIMIT || Buffer.byteLength(text, 'utf8') <= INLINE_TEXT_LIMIT) return { attributes: { body: text }, parts: [] };
  const gzip = gzipSync(text);
  if (gzip.length <= INLINE_GZIP_LIMIT) return { attributes: { bodyGz: gzip }, parts: [] };
  const parts: Uint8Array[] = [];
  for (let offset = 0; offset < gzip.length; offset += PART_BYTES) parts.push(gzip.subarray(offset, offset + PART_BYTES));
  if (parts.length > MAX_PARTS) throw new ItemTooLargeError(describe(), gzip.length);
  const partsId = createHash('sha256').update(gzip).digest('hex').slice(0, 16);
  return { attributes: { parts: parts.length, partsId }, parts };
};

/** The stored item's body reference: what decodeBody needs, and which parts to fetch. */
export interface StoredBody {
  body?: unknown;
  bodyGz?: unknown;
  data?: unknown;
  parts?: unknown;
  partsId?: unknown;
}

export const partsOf = (item: StoredBody): { count: number; partsId: string } | null =>
  item.parts === undefined ? null : { count: Number(item.parts), partsId: String(item.partsId) };

const bytes = (value: unknown): Buffer => {
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  throw new Error('A stored body is not binary where binary was expected.');
};

/**
 * The JSON value of a stored body. `parts` are the item's parts in order (fetched by the caller, who
 * knows the table's keys), required when the item has any.
 */
export const decodeBody = (item: StoredBody, parts?: readonly unknown[]): unknown => {
  if (typeof item.body === 'string') return JSON.parse(item.body);
  if (item.bodyGz !== undefined) return JSON.parse(gunzipSync(bytes(item.bodyGz)).toString('utf8'));
  const reference = partsOf(item);
  if (reference) {
    if (!parts || parts.length !== reference.count) {
      throw new Error(`A stored body has ${reference.count} part(s) but ${parts?.length ?? 0} were found: it was not written completely.`);
    }
    const gzip = Buffer.concat(parts.map(bytes));
    if (createHash('sha256').update(gzip).digest('hex').slice(0, 16) !== reference.partsId) {
      throw new Error('A stored body does not match its parts: it was not written completely.');
    }
    return JSON.parse(gunzipSync(gzip).toString('utf8'));
  }
  if (typeof item.data === 'string') return JSON.parse(item.data);
  throw new Error('A stored item has no body.');
};

/** The approximate size DynamoDB counts for an item (attribute names and values). */
export const approximateItemBytes = (item: Record<string, unknown>): number => {
  let size = 0;
  for (const [name, value] of Object.entries(item)) {
    size += Buffer.byteLength(name, 'utf8');
    if (typeof value === 'string') size += Buffer.byteLength(value, 'utf8');
    else if (value instanceof Uint8Array) size += value.byteLength;
    else if (typeof value === 'number') size += 21;
    else if (value !== undefined && value !== null) size += Buffer.byteLength(JSON.stringify(value), 'utf8');
    else size += 1;
  }
  return size;
};
