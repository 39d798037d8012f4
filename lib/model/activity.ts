import { z } from 'zod';

/** What can happen to a tenant that support may want to know, newest first in its activity log. */
export const ACTIVITY_TYPES = [
  'registered',
  'configuration-changed',
  'disabled',
  'enabled',
  'removed',
  'needs-attention',
  'active',
  'recovered',
  'held',
  'held-allowed',
  'dead-lettered',
  'redriven',
  'stale',
  /** Support made a connect link for the customer (issue 15). */
  'invited',
] as const;
export type ActivityType = (typeof ACTIVITY_TYPES)[number];

/** The events that need a person: they are also published as alerts, once per problem. */
export const ALERT_TYPES: ReadonlySet<ActivityType> = new Set(['needs-attention', 'held', 'dead-lettered', 'stale', 'recovered']);

export const activityEventSchema = z.object({
  tenantId: z.string(),
  /** Unique, and sorting by time: `<at>#<random>` makes the log's order. */
  id: z.string(),
  at: z.string(),
  type: z.enum(ACTIVITY_TYPES),
  /** What happened and what to do, in a sentence or two. Never a secret's value. */
  message: z.string(),
  /** Who: the IAM principal or `local` for support's actions; `scheduler`, `worker`, `bambooHR`... for the service's own. */
  actor: z.string(),
  runId: z.string().nullable(),
  /** A few facts for machines (what changed, counts). Never a secret's value. */
  details: z.record(z.string(), z.unknown()).optional(),
});
export type ActivityEvent = z.infer<typeof activityEventSchema>;

/** An alert as it is published: the event with a subject a person can read in a mail client or a chat. */
export interface Alert extends ActivityEvent {
  subject: string;
  stage: string;
}

const SUBJECTS: Record<ActivityType, string> = {
  registered: 'registered',
  'configuration-changed': 'configuration changed',
  disabled: 'disabled',
  enabled: 'enabled',
  removed: 'removed',
  'needs-attention': 'needs attention',
  active: 'active again',
  recovered: 'recovered',
  held: 'sync held',
  'held-allowed': 'held sync allowed',
  'dead-lettered': 'job dead-lettered',
  redriven: 'job redriven',
  stale: 'not synced for a while',
  invited: 'connect link made',
};

/** `[bamboohr-sync prod] acme needs attention`: SNS subjects are ASCII, at most 100 characters. */
export const alertSubject = (event: Pick<ActivityEvent, 'tenantId' | 'type'>, stage: string): string =>
  `[bamboohr-sync ${stage}] ${event.tenantId} ${SUBJECTS[event.type]}`.replace(/[^\x20-\x7e]/g, '?').slice(0, 100);
