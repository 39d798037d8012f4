import { createHash } from 'node:crypto';

/**
 * Spreading every tenant's scheduled sync evenly over the period. Each tenant has a stable slot, a
 * number in [0, 2^32) derived from its id (the same tenant always lands in the same place of every
 * period); slot k of the period starting at P falls at P + k/2^32 × period. The scheduler covers time
 * in consecutive windows [from, to) and enqueues the slots that fall in each: consecutive windows
 * partition time, so over a period every tenant is enqueued exactly once. Pure: no clock, no I/O.
 */
export const SLOT_SPACE = 2 ** 32;

/** A tenant's slot: the first 32 bits of the SHA-256 of its id. */
export const slotKeyOf = (tenantId: string): number => createHash('sha256').update(tenantId, 'utf8').digest().readUInt32BE(0);

const UNITS: Record<string, number> = { minute: 60_000, minutes: 60_000, hour: 3_600_000, hours: 3_600_000, day: 86_400_000, days: 86_400_000 };

/** The period of an EventBridge rate expression (`rate(1 hour)`, `rate(15 minutes)`) in ms; null for anything else. */
export const parseRate = (expression: string): number | null => {
  const match = /^rate\(\s*(\d+)\s+(minutes?|hours?|days?)\s*\)$/.exec(expression.trim());
  if (!match) return null;
  const ms = Number(match[1]) * UNITS[match[2]!]!;
  return ms > 0 ? ms : null;
};

/** Slots `lo <= k < hi` of the period starting at `periodStart` are due. */
export interface DueSlots {
  periodStart: number;
  lo: number;
  hi: number;
}

/** The slots that fall in [from, to), period by period (periods are aligned to the epoch). */
export const dueSlots = (from: number, to: number, periodMs: number): DueSlots[] => {
  const due: DueSlots[] = [];
  for (let periodStart = Math.floor(from / periodMs) * periodMs; periodStart < to; periodStart += periodMs) {
    const a = Math.max(from, periodStart) - periodStart;
    const b = Math.min(to, periodStart + periodMs) - periodStart;
    const lo = Math.ceil((a / periodMs) * SLOT_SPACE);
    const hi = b >= periodMs ? SLOT_SPACE : Math.ceil((b / periodMs) * SLOT_SPACE);
    if (hi > lo) due.push({ periodStart, lo, hi });
  }
  return due;
};

/** When slot `slotKey` falls in the period starting at `periodStart`. */
export const slotTime = (periodStart: number, slotKey: number, periodMs: number): number => periodStart + Math.floor((slotKey / SLOT_SPACE) * periodMs);
