import { randomBytes } from 'node:crypto';
import { errorMessage } from '../errors.js';
import type { Log } from '../logging.js';
import { ALERT_TYPES, alertSubject, type ActivityEvent } from '../model/activity.js';
import type { ActivityLog, AlertSink, Clock } from '../ports.js';

/** An event to record: its id and time are given by the recorder. */
export type NewActivity = Omit<ActivityEvent, 'id' | 'at' | 'runId'> & { runId?: string | null };

/** Records what happens to tenants; the events that need a person are also published as alerts. */
export interface ActivityRecorder {
  record(event: NewActivity): Promise<ActivityEvent>;
}

/**
 * The activity log and the alerts, from one call. Best effort by design: the action it describes has
 * happened (a tenant registered, a job dead-lettered), and failing it now for want of a log line
 * would be worse; a failure is logged as an error instead (and the console's Attention list reads
 * the tenants' state itself, so nothing that needs a person goes unseen).
 */
export const createActivityRecorder = (deps: { activityLog: ActivityLog; alerts: AlertSink; clock: Clock; log: Log; stage: string }): ActivityRecorder => ({
  record: async (input) => {
    const at = deps.clock.now().toISOString();
    const event: ActivityEvent = { ...input, runId: input.runId ?? null, at, id: `${at}#${randomBytes(4).toString('hex')}` };
    try {
      await deps.activityLog.record(event);
    } catch (error) {
      deps.log.error('Could not record a tenant activity event', { tenantId: event.tenantId, type: event.type, error: errorMessage(error) });
    }
    if (ALERT_TYPES.has(event.type)) {
      try {
        await deps.alerts.publish({ ...event, subject: alertSubject(event, deps.stage), stage: deps.stage });
      } catch (error) {
        deps.log.error('Could not publish an alert', { tenantId: event.tenantId, type: event.type, error: errorMessage(error) });
      }
    }
    return event;
  },
});
