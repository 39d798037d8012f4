/**
 * How the CLI writes: aligned tables and short lines for people, or one JSON document on stdout
 * with --json. Every write goes through `scrub`, which blanks any key the CLI has read this run,
 * so that a key can never reach a terminal, a pipe or a CI log, whatever a message carries.
 */
import { z } from 'zod';
import { AmbiguousEmployeeError, SyncError } from '../errors.js';

export interface Writer {
  write(chunk: string): unknown;
}

export interface CliIo {
  stdout: Writer;
  stderr: Writer;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (mode: boolean) => unknown };
  env: Record<string, string | undefined>;
}

/** A mistake in the command line: exit code 2 with a usage line. */
export class UsageError extends Error {
  readonly code = 'usage';
  constructor(
    message: string,
    readonly usage?: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

export class Output {
  private readonly secrets = new Set<string>();

  constructor(
    readonly io: CliIo,
    readonly json: boolean,
  ) {}

  /** Never print this value (a key read from stdin or a prompt). */
  addSecret(value: string | null | undefined): void {
    const trimmed = value?.trim();
    if (trimmed && trimmed.length >= 4) this.secrets.add(trimmed);
  }

  scrub(text: string): string {
    let out = text;
    for (const secret of this.secrets) out = out.split(secret).join('[redacted]');
    return out;
  }

  /** Lines for people; nothing in --json mode. */
  lines(...lines: string[]): void {
    if (!this.json) this.io.stdout.write(this.scrub(lines.map((l) => `${l}\n`).join('')));
  }

  /** Progress while something runs: stdout for people, stderr in --json mode (stdout stays one document). */
  progress(line: string): void {
    (this.json ? this.io.stderr : this.io.stdout).write(this.scrub(`${line}\n`));
  }

  /** The machine-readable result; nothing without --json. */
  result(value: unknown): void {
    if (this.json) this.io.stdout.write(this.scrub(`${JSON.stringify(value, null, 2)}\n`));
  }

  stderr(text: string): void {
    this.io.stderr.write(this.scrub(text.endsWith('\n') ? text : `${text}\n`));
  }
}

// ------------------------------------------------------------------ formatting

/** An aligned table (two spaces between columns); `-` for empty cells. */
export const table = (headers: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number | null | undefined>>): string[] => {
  const cells = rows.map((row) => headers.map((_, i) => cellText(row[i])));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((row) => row[i]!.length)));
  const line = (values: readonly string[]) =>
    values
      .map((v, i) => (i === values.length - 1 ? v : v.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...cells.map(line)];
};

const cellText = (value: string | number | null | undefined): string => {
  if (value === null || value === undefined || value === '') return '-';
  return String(value).replace(/\s+/g, ' ');
};

/** Label/value pairs, the labels padded to one width. */
export const fields = (pairs: ReadonlyArray<readonly [string, string | number | null | undefined]>): string[] => {
  const width = Math.max(...pairs.map(([label]) => label.length));
  return pairs.map(([label, value]) => `${label.padEnd(width)}  ${cellText(value)}`);
};

export const ago = (iso: string | null | undefined, now = Date.now()): string => {
  if (!iso) return '';
  const ms = now - Date.parse(iso);
  if (!Number.isFinite(ms)) return '';
  const s = Math.round(Math.abs(ms) / 1000);
  const text = s < 60 ? `${s} s` : s < 3600 ? `${Math.round(s / 60)} min` : s < 172_800 ? `${Math.round(s / 3600)} h` : `${Math.round(s / 86_400)} d`;
  return ms >= 0 ? `${text} ago` : `in ${text}`;
};

/** `2026-11-25 18:30 UTC (5 min ago)`. */
export const when = (iso: string | null | undefined, now = Date.now()): string => {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC (${ago(iso, now)})`;
};

export const duration = (from: string | null | undefined, to: string | null | undefined): string => {
  if (!from || !to) return '';
  const ms = Date.parse(to) - Date.parse(from);
  if (!Number.isFinite(ms) || ms < 0) return '';
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : ms < 120_000 ? `${Math.round(ms / 1000)} s` : `${Math.round(ms / 60_000)} min`;
};

export const counts = (c: { created?: number; updated?: number; deactivated?: number; reactivated?: number } | Record<string, number>): string =>
  `+${c.created ?? 0} ~${c.updated ?? 0} -${c.deactivated ?? 0} ↺${c.reactivated ?? 0}`;

export const plural = (n: number, word: string, many = `${word}s`): string => `${n} ${n === 1 ? word : many}`;

// ------------------------------------------------------------------ errors

export interface CliErrorBody {
  code: string;
  message: string;
  /** `explain` with a name several people have: who they are. */
  candidates?: unknown[];
}

/** A hint for the AWS and network errors that the use cases do not type. */
const awsHint = (error: Error): string | null => {
  const name = error.name;
  const code = (error as NodeJS.ErrnoException).code;
  if (name === 'CredentialsProviderError' || /Could not load credentials/i.test(error.message)) {
    return 'No AWS credentials were found. Log in (e.g. `aws sso login`) or set AWS_PROFILE, then try again.';
  }
  if (name === 'ExpiredTokenException' || name === 'ExpiredToken') return 'Your AWS session has expired. Log in again (e.g. `aws sso login`).';
  if (name === 'AccessDeniedException' || name === 'AccessDenied' || name === 'UnrecognizedClientException') {
    return 'AWS refused the call: check that your credentials are for the right account and allow it.';
  }
  if (name === 'ResourceNotFoundException') return 'A table of this stage does not exist: check --stage and --region (is the stage deployed there?).';
  if (code === 'ECONNREFUSED' || /ECONNREFUSED/.test(error.message)) {
    return 'Nothing answers at the service endpoint. If you use the local stack, is `npm start` still running?';
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || /ENOTFOUND|EAI_AGAIN/.test(error.message)) {
    return 'AWS cannot be reached: check your network connection and --region.';
  }
  return null;
};

/** The error as `{code, message}`: a typed error's own message (it names the fix), never a stack. */
export const describeError = (error: unknown): CliErrorBody => {
  if (error instanceof UsageError) return { code: 'usage', message: error.message };
  if (error instanceof AmbiguousEmployeeError) return { code: error.code, message: error.message, candidates: [...error.candidates] };
  if (error instanceof SyncError) return { code: error.code, message: error.message };
  if (error instanceof z.ZodError) {
    return { code: 'invalid-input', message: z.prettifyError(error).replace(/\s*\n\s*/g, ' ').slice(0, 1000) };
  }
  if (error instanceof Error) {
    const hint = awsHint(error);
    const message = error.message || error.name;
    return { code: hint ? 'aws' : 'internal', message: hint ? `${message.replace(/[.\s]*$/, '.')} ${hint}` : message };
  }
  return { code: 'internal', message: String(error) };
};
