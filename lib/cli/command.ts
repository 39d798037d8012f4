/** The shape of a CLI command, the options every command takes, and argument helpers. */
import type { CliDeps } from './target.js';
import { UsageError, type CliIo, type Output } from './output.js';

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  /** The value's placeholder in help (`<n>`). */
  value?: string;
  /** A string option that may also stand alone (`--exclusion-field` or `--exclusion-field name`). */
  optionalValue?: boolean;
  description: string;
}

export type Values = Record<string, string | boolean | string[] | undefined>;

export interface ParsedArgs {
  values: Values;
  positionals: string[];
}

export interface CommandContext {
  out: Output;
  io: CliIo;
  /** The service's adapters for the chosen target (local stack or --stage), built once, on first use. */
  deps(): Promise<CliDeps>;
  /** `local stack` or `stage prod (eu-west-1)`. */
  targetLabel(): Promise<string>;
  /** Who runs the command, for approvals and the activity log: `local`, or the AWS principal with --stage. */
  actor(): Promise<string>;
  sleep(ms: number): Promise<void>;
  now(): number;
  /** A command to suggest, for the same target: `bamboohr-sync sync acme --dry-run [--stage S]`. */
  suggest(command: string): string;
  /** Resolves when the user asks to stop (Ctrl-C, SIGTERM). */
  interrupted(): Promise<void>;
}

export interface Command {
  /** `['tenant', 'add']`. */
  path: readonly string[];
  /** After `bamboohr-sync `: `tenant add <tenantId> --subdomain <sub|url> [...]`. */
  usage: string;
  summary: string;
  /** Longer help, one paragraph per entry. */
  details?: readonly string[];
  positionals: { min: number; max: number };
  options: Record<string, OptionSpec>;
  run(ctx: CommandContext, args: ParsedArgs): Promise<number | void>;
}

/** Options every command takes. */
export const COMMON_OPTIONS: Record<string, OptionSpec> = {
  json: { type: 'boolean', description: 'Machine-readable output on stdout (errors too, as {"error":{"code","message"}}).' },
  stage: { type: 'string', value: '<stage>', description: 'Use this deployed stage in AWS, with your AWS credentials (default: the local stack of `npm start`).' },
  region: { type: 'string', value: '<region>', description: 'The AWS region of --stage (default: AWS_REGION, else us-east-1).' },
  debug: { type: 'boolean', description: 'Show log lines and stack traces on stderr.' },
  help: { type: 'boolean', short: 'h', description: 'Show this help.' },
};

export const str = (values: Values, name: string): string | undefined => {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
};

export const bool = (values: Values, name: string): boolean => values[name] === true;

/** A whole number option, or a usage error naming the option. */
export const intOption = (values: Values, name: string, range: { min?: number; max?: number } = {}): number | undefined => {
  const raw = str(values, name);
  if (raw === undefined) return undefined;
  const min = range.min ?? 0;
  if (!/^\d+$/.test(raw.trim()) || Number(raw) < min || (range.max !== undefined && Number(raw) > range.max)) {
    throw new UsageError(`--${name} takes a whole number${range.max !== undefined ? ` from ${min} to ${range.max}` : ` of ${min} or more`}.`);
  }
  return Number(raw);
};

export const numberOption = (values: Values, name: string): number | undefined => {
  const raw = str(values, name);
  if (raw === undefined) return undefined;
  if (!/^\d+(\.\d+)?$/.test(raw.trim())) throw new UsageError(`--${name} takes a number, e.g. 20.`);
  return Number(raw);
};

/** Refuses options that cannot go together. */
export const exclusive = (values: Values, names: readonly string[]): void => {
  const given = names.filter((n) => values[n] !== undefined && values[n] !== false);
  if (given.length > 1) throw new UsageError(`${given.map((n) => `--${n}`).join(' and ')} cannot be used together.`);
};
