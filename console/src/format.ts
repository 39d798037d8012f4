import type { ChangeCounts } from './types';

const absolute = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });

/** A time in the viewer's timezone, e.g. "25 Nov 2026, 14:05". */
export const formatTime = (iso: string): string => {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : absolute.format(date);
};

/** "just now", "5 min ago", "in 2 hours", "3 days ago". */
export const formatRelative = (iso: string, now = Date.now()): string => {
  const ms = new Date(iso).getTime();
  if (Number.isNaN(ms)) return '';
  const seconds = Math.round((ms - now) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 45) return 'just now';
  if (abs < 45 * 60) return relative.format(Math.round(seconds / 60), 'minute').replace('minutes', 'min').replace('minute', 'min');
  if (abs < 22 * 3600) return relative.format(Math.round(seconds / 3600), 'hour');
  if (abs < 26 * 86400) return relative.format(Math.round(seconds / 86400), 'day');
  return relative.format(Math.round(seconds / (30 * 86400)), 'month');
};

export const formatDuration = (fromIso: string, toIso: string | null): string => {
  if (!toIso) return '';
  const ms = new Date(toIso).getTime() - new Date(fromIso).getTime();
  if (!(ms >= 0)) return '';
  return ms < 1000 ? `${ms} ms` : ms < 120_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 60_000)} min`;
};

export const formatCounts = (counts: Partial<ChangeCounts> | Record<string, number>): string => {
  const c = counts as Partial<ChangeCounts>;
  return `${c.created ?? 0} new, ${c.updated ?? 0} updated, ${c.deactivated ?? 0} deactivated, ${c.reactivated ?? 0} reactivated`;
};

export const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;
