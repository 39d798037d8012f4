import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * BambooHR webhook signatures: hex HMAC-SHA256 of (raw body + timestamp), keyed with the webhook's
 * private key, sent in `X-BambooHR-Signature`; the timestamp comes in `X-BambooHR-Timestamp`.
 */
export const signWebhook = (rawBody: string | Buffer, timestamp: string, privateKey: string): string =>
  createHmac('sha256', privateKey).update(rawBody).update(timestamp, 'utf8').digest('hex');

/** Unix seconds (as BambooHR sends it) or an ISO date, in milliseconds; null when unreadable. */
export const parseWebhookTimestamp = (timestamp: string): number | null => {
  const trimmed = timestamp.trim();
  if (/^\d{1,12}$/.test(trimmed)) return Number(trimmed) * 1000;
  if (/^\d{4}-\d{2}-\d{2}T/.test(trimmed)) {
    const ms = Date.parse(trimmed);
    return Number.isNaN(ms) ? null : ms;
  }
  return null;
};

const HEX_SHA256 = /^[0-9a-f]{64}$/i;

export interface VerifyWebhookInput {
  rawBody: string | Buffer | null | undefined;
  timestamp: string | null | undefined;
  signature: string | null | undefined;
  privateKey: string | null | undefined;
  now: Date;
  toleranceSeconds: number;
}

/**
 * True only when the signature matches the raw body and timestamp, and the timestamp is within
 * `toleranceSeconds` of `now` (either way: stale and future timestamps are both refused).
 */
export const verifyWebhookSignature = (input: VerifyWebhookInput): boolean => {
  const { rawBody, timestamp, signature, privateKey, now, toleranceSeconds } = input;
  if (rawBody === null || rawBody === undefined || !timestamp || !signature || !privateKey) return false;

  const sentAt = parseWebhookTimestamp(timestamp);
  if (sentAt === null) return false;
  if (Math.abs(now.getTime() - sentAt) > toleranceSeconds * 1000) return false;

  const given = signature.trim().replace(/^sha256=/i, '');
  if (!HEX_SHA256.test(given)) return false;

  const expected = Buffer.from(signWebhook(rawBody, timestamp, privateKey), 'hex');
  const actual = Buffer.from(given, 'hex');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
};
