import type { Log } from '../../lib/logging.js';

/** A Log that keeps every line (message and extras, as JSON) to assert on. */
export const createRecordingLog = (): Log & { lines: string[] } => {
  const lines: string[] = [];
  const at =
    (level: string) =>
    (message: string, ...extra: Record<string, unknown>[]) => {
      lines.push(JSON.stringify({ level, message, extra }, (_k, v: unknown) => (v instanceof Error ? { name: v.name, message: v.message, stack: v.stack } : v)));
    };
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
};
