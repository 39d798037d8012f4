/**
 * Prints the alerts the handlers publish (appended as JSON lines to `.local/alerts.jsonl` by
 * FileAlertSink) in the `npm start` output, as they come: a poll of the file's new bytes.
 */
import { existsSync, openSync, readSync, closeSync, statSync } from 'node:fs';

export interface AlertPrinter {
  stop(): void;
}

export const startAlertPrinter = (path: string, print: (alert: { subject: string; message: string }) => void, pollMs = 500): AlertPrinter => {
  let offset = existsSync(path) ? statSync(path).size : 0;
  let partial = '';
  const poll = () => {
    if (!existsSync(path)) return;
    const size = statSync(path).size;
    if (size <= offset) return;
    const buffer = Buffer.alloc(size - offset);
    const fd = openSync(path, 'r');
    try {
      readSync(fd, buffer, 0, buffer.length, offset);
    } finally {
      closeSync(fd);
    }
    offset = size;
    const lines = (partial + buffer.toString('utf8')).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (line.trim() === '') continue;
      try {
        const alert = JSON.parse(line) as { subject?: string; message?: string };
        print({ subject: String(alert.subject ?? 'alert'), message: String(alert.message ?? '') });
      } catch {
        // not an alert line: ignore
      }
    }
  };
  const timer = setInterval(poll, pollMs);
  timer.unref();
  return { stop: () => (clearInterval(timer), poll()) };
};
