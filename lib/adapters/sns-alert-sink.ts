import { appendFile } from 'node:fs/promises';
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { Alert } from '../model/activity.js';
import type { AlertSink } from '../ports.js';

/**
 * Alerts to the deployment's SNS topic (`bamboohr-sync-<stage>-alerts`): a readable subject, and the
 * event as JSON for a chat integration or a filter policy (`type` and `tenantId` are message attributes).
 */
export class SnsAlertSink implements AlertSink {
  constructor(
    private readonly client: SNSClient,
    private readonly topicArn: string,
  ) {}

  async publish(alert: Alert): Promise<void> {
    const { subject, ...body } = alert;
    await this.client.send(
      new PublishCommand({
        TopicArn: this.topicArn,
        Subject: subject,
        Message: JSON.stringify(body, null, 2),
        MessageAttributes: {
          type: { DataType: 'String', StringValue: alert.type },
          tenantId: { DataType: 'String', StringValue: alert.tenantId },
        },
      }),
    );
  }
}

/** Alerts as lines on a stream: the local stack's terminal (and a Lambda without a topic, in its log). */
export class ConsoleAlertSink implements AlertSink {
  constructor(private readonly write: (line: string) => void = (line) => process.stdout.write(`${line}\n`)) {}

  async publish(alert: Alert): Promise<void> {
    this.write(`ALERT ${alert.subject}: ${alert.message}${alert.runId ? ` (run ${alert.runId})` : ''}`);
  }
}

/**
 * Alerts for the local stack: one JSON line each, appended to a file (`.local/alerts.jsonl`), which
 * `npm start` prints as they come and tests read back. The same port as SNS, so the same code path.
 */
export class FileAlertSink implements AlertSink {
  constructor(private readonly path: string) {}

  async publish(alert: Alert): Promise<void> {
    await appendFile(this.path, `${JSON.stringify(alert)}\n`, { mode: 0o600 });
  }
}
