import type { DeadLetterQueue, RedriveResult } from '../ports.js';
import type { ActivityRecorder } from './record-activity.js';

/** Support sends failed jobs back (all, or these): each comes back as a new run, recorded in its tenant's activity. */
export const redriveDeadLetters = async (
  deps: { deadLetters: DeadLetterQueue; activity: ActivityRecorder },
  messageIds: readonly string[] | undefined,
  actor = 'unknown',
): Promise<RedriveResult> => {
  const result = await deps.deadLetters.redrive(messageIds);
  for (const job of result.redrivenJobs) {
    await deps.activity.record({
      tenantId: job.tenantId,
      type: 'redriven',
      actor,
      message: `Job ${job.jobId} was sent back from the dead-letter queue; it runs again as a new run.`,
      details: { messageId: job.messageId, jobId: job.jobId },
    });
  }
  return result;
};
