/**
 * `bamboohr-sync`: the support CLI. Every command is a thin wrapper over the same use cases as the
 * admin HTTP API (lib/use-cases); this file only finds the command, parses its arguments (strictly,
 * with node:util parseArgs), builds the service's adapters for the target once, and turns the
 * outcome into output and an exit code: 0 ok, 1 failure, 2 usage.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Log } from '../logging.js';
import { silentLog } from '../logging.js';
import type { SecretStore, TenantSecret } from '../ports.js';
import { redactSecrets } from '../observability.js';
import { COMMON_OPTIONS, str, type Command, type CommandContext, type OptionSpec, type ParsedArgs } from './command.js';
import { ACTIVITY_COMMANDS } from './commands/activity.js';
import { CONSOLE_COMMANDS } from './commands/console.js';
import { DLQ_COMMANDS } from './commands/dlq.js';
import { EXPLAIN_COMMANDS } from './commands/explain.js';
import { FEED_COMMANDS } from './commands/feed.js';
import { SYNC_COMMANDS } from './commands/sync.js';
import { TENANT_COMMANDS } from './commands/tenant.js';
import { CancelledError } from './keys.js';
import { describeError, EXIT, Output, UsageError, type CliIo } from './output.js';
import { openTarget, type Target, type TargetOptions } from './target.js';

export const PROGRAM = 'bamboohr-sync';

export const COMMANDS: readonly Command[] = [...TENANT_COMMANDS, ...SYNC_COMMANDS, ...FEED_COMMANDS, ...EXPLAIN_COMMANDS, ...ACTIVITY_COMMANDS, ...DLQ_COMMANDS, ...CONSOLE_COMMANDS];

const STAGE = /^[a-z0-9-]{1,20}$/;

export interface MainOptions {
  /** Builds the target (tests pass in-memory adapters). */
  openTarget?: (options: TargetOptions) => Promise<Target>;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  /** Resolves when the user asks to stop (default: SIGINT or SIGTERM). */
  interrupted?: () => Promise<void>;
}

const processIo = (): CliIo => ({ stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env });

/** Resolves on Ctrl-C or SIGTERM; `dispose` removes the handlers again. */
const signals = (): { promise: Promise<void>; dispose(): void } => {
  let dispose = () => undefined as void;
  const promise = new Promise<void>((resolve) => {
    const done = () => {
      dispose();
      resolve();
    };
    dispose = () => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
    };
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
  return { promise, dispose };
};

/** The secret store, with every key that passes through it never printed (whatever a message carries). */
const scrubbing = (secrets: SecretStore, out: Output): SecretStore => {
  const seen = (secret: TenantSecret | null | undefined) => {
    out.addSecret(secret?.apiKey);
    out.addSecret(secret?.webhookPrivateKey);
    out.addSecret(secret?.oauth?.accessToken);
    out.addSecret(secret?.oauth?.refreshToken);
    return secret ?? null;
  };
  return {
    get: async (tenantId, options) => seen(await secrets.get(tenantId, options)),
    put: (tenantId, secret) => {
      seen(secret);
      return secrets.put(tenantId, secret);
    },
    delete: (tenantId) => secrets.delete(tenantId),
    getVersioned: async (tenantId) => {
      const versioned = await secrets.getVersioned(tenantId);
      seen(versioned?.secret);
      seen(versioned?.pending?.secret);
      return versioned;
    },
    replaceIfCurrent: (tenantId, secret, version) => {
      seen(secret);
      return secrets.replaceIfCurrent(tenantId, secret, version);
    },
  };
};

/** Log lines on stderr (with --debug), credentials redacted as in the Lambdas' logs. */
const stderrLog = (out: Output): Log => {
  const line = (level: string) => (message: string, ...extra: Record<string, unknown>[]) =>
    out.stderr(`${level} ${message}${extra.length > 0 ? ` ${JSON.stringify(Object.assign({}, ...extra), redactSecrets)}` : ''}`);
  return { debug: line('DEBUG'), info: line('INFO'), warn: line('WARN'), error: line('ERROR') };
};

// ------------------------------------------------------------------ help

const optionLabel = (name: string, spec: OptionSpec) => `${spec.short ? `-${spec.short}, ` : ''}--${name}${spec.value ? ` ${spec.value}` : ''}`;

const optionLines = (options: Record<string, OptionSpec>, width: number): string[] => {
  const entries = Object.entries(options);
  return entries.map(([name, spec]) => `  ${optionLabel(name, spec).padEnd(width)}  ${spec.description}`);
};

const labelWidth = (...groups: Record<string, OptionSpec>[]): number =>
  Math.max(...groups.flatMap((options) => Object.entries(options).map(([name, spec]) => optionLabel(name, spec).length)));

const commandHelp = (command: Command): string =>
  [
    `Usage: ${PROGRAM} ${command.usage}`,
    '',
    `${command.summary}.`,
    ...(command.details ?? []).flatMap((d) => ['', d]),
    '',
    'Options:',
    ...optionLines(command.options, labelWidth(command.options, COMMON_OPTIONS)),
    ...optionLines(COMMON_OPTIONS, labelWidth(command.options, COMMON_OPTIONS)),
    '',
  ].join('\n');

export const generalHelp = (): string => {
  const width = Math.max(...COMMANDS.map((c) => c.path.join(' ').length));
  return [
    `Usage: ${PROGRAM} <command> [options]`,
    '',
    'Support tooling for bamboohr-sync. Works against the local stack (`npm start`) by default,',
    'or a deployed stage with --stage <stage> [--region <region>] and your AWS credentials.',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.path.join(' ').padEnd(width)}  ${c.summary}`),
    '',
    'Every command takes --json (machine-readable output), --debug and --help.',
    'Exit codes: 0 ok, 1 failure, 2 usage.',
    '',
  ].join('\n');
};

const groupHelp = (name: string, group: readonly Command[]): string => {
  const width = Math.max(...group.map((c) => c.path.join(' ').length));
  return [`Usage: ${PROGRAM} ${name} <command> [options]`, '', 'Commands:', ...group.map((c) => `  ${c.path.join(' ').padEnd(width)}  ${c.summary}`), ''].join('\n');
};

// ------------------------------------------------------------------ parsing

/** Finds the command named by the first words of argv. */
const findCommand = (argv: readonly string[]): { command: Command; rest: string[] } => {
  const words = argv.slice(0, 2);
  const command = COMMANDS.find((c) => c.path.every((part, i) => words[i] === part));
  if (command) return { command, rest: argv.slice(command.path.length) };
  const group = COMMANDS.filter((c) => c.path.length > 1 && c.path[0] === argv[0]);
  if (group.length > 0) {
    const sub = argv[1];
    throw new UsageError(
      `${sub === undefined || sub.startsWith('-') ? 'Missing' : `Unknown`} ${argv[0]} command. Use one of: ${group.map((c) => c.path[1]).join(', ')}.`,
      `${PROGRAM} ${argv[0]} <${group.map((c) => c.path[1]).join('|')}> ...`,
    );
  }
  throw new UsageError(`Unknown command '${argv[0]}'.`, `${PROGRAM} <command> [options]; see ${PROGRAM} --help`);
};

/**
 * parseArgs cannot take an optional value: `--exclusion-field` followed by another option, or by
 * nothing, becomes `--exclusion-field=` (the empty value meaning "the default").
 */
export const expandOptionalValues = (args: readonly string[], options: Record<string, OptionSpec>): string[] => {
  const optional = new Set(Object.entries(options).filter(([, s]) => s.optionalValue).map(([n]) => `--${n}`));
  const out: string[] = [];
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i]!;
    if (arg === '--') {
      out.push(...args.slice(i));
      break;
    }
    const next = args[i + 1];
    out.push(optional.has(arg) && (next === undefined || next.startsWith('-')) ? `${arg}=` : arg);
  }
  return out;
};

const KEY_FLAG = /^--?(api-?key|key|token|password|webhook-?key|private-?key)$/i;

const parseCommandArgs = (command: Command, rest: readonly string[]): ParsedArgs => {
  const options = { ...command.options, ...COMMON_OPTIONS };
  const config: ParseArgsConfig = {
    args: expandOptionalValues(rest, options),
    options: Object.fromEntries(
      Object.entries(options).map(([name, spec]) => [name, { type: spec.type, ...(spec.short ? { short: spec.short } : {}), ...(spec.multiple ? { multiple: true } : {}) }]),
    ),
    strict: true,
    allowPositionals: true,
  };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs(config);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const message = (error as Error).message.split('\n')[0] ?? 'Invalid arguments.';
    const unknown = /^Unknown option '([^']+)'/.exec(message)?.[1];
    if (unknown && KEY_FLAG.test(unknown.split('=')[0]!)) {
      throw new UsageError(
        'Keys are never taken from the command line, where they would land in shell history and `ps`: ' +
          'pipe them in with --api-key-stdin / --webhook-key-stdin, or run the command in a terminal to be prompted.',
        `${PROGRAM} ${command.usage}`,
      );
    }
    throw new UsageError(code?.startsWith('ERR_PARSE_ARGS') ? message : 'Invalid arguments.', `${PROGRAM} ${command.usage}`);
  }
  const positionals = parsed.positionals;
  if (positionals.length < command.positionals.min) {
    const missing = /<(\w+)>/.exec(command.usage)?.[1];
    throw new UsageError(`Missing ${missing ? `<${missing}>` : 'argument'}.`, `${PROGRAM} ${command.usage}`);
  }
  // Extra words are not echoed: a key pasted as an argument must not be printed back.
  if (positionals.length > command.positionals.max) {
    throw new UsageError(`Too many arguments (${positionals.length - command.positionals.max} unexpected).`, `${PROGRAM} ${command.usage}`);
  }
  return { values: parsed.values as ParsedArgs['values'], positionals };
};

// ------------------------------------------------------------------ main

const printError = (out: Output, error: unknown, debug: boolean, command: Command | undefined): void => {
  const body = describeError(error);
  if (out.json) out.io.stdout.write(out.scrub(`${JSON.stringify({ error: body }, null, 2)}\n`));
  if (error instanceof UsageError) {
    if (!out.json) {
      out.stderr(`${PROGRAM}: ${body.message}`);
      const usage = error.usage ?? (command ? `${PROGRAM} ${command.usage}` : undefined);
      if (usage) out.stderr(`Usage: ${usage}`);
      if (command) out.stderr(`Run '${PROGRAM} ${command.path.join(' ')} --help' for details.`);
    }
  } else if (!out.json) {
    out.stderr(`Error: ${body.message}`);
  }
  if (debug && error instanceof Error && error.stack) out.stderr(error.stack);
};

/** Runs one command line; resolves to the exit code. */
export const main = async (argv: readonly string[], io: CliIo = processIo(), options: MainOptions = {}): Promise<number> => {
  const endOfOptions = argv.indexOf('--');
  const flags = endOfOptions === -1 ? argv : argv.slice(0, endOfOptions);
  const out = new Output(io, flags.includes('--json'));
  const debug = flags.includes('--debug');
  let target: Target | undefined;
  let command: Command | undefined;
  let interrupt: ReturnType<typeof signals> | undefined;
  try {
    if (argv.length === 0) {
      io.stderr.write(generalHelp());
      return EXIT.usage;
    }
    if (argv[0] === 'help' || argv[0] === '--help' || argv[0] === '-h') {
      const topic = argv[0] === 'help' && argv.length > 1 ? findCommand(argv.slice(1)).command : null;
      io.stdout.write(topic ? commandHelp(topic) : generalHelp());
      return EXIT.ok;
    }
    const group = COMMANDS.filter((c) => c.path.length > 1 && c.path[0] === argv[0]);
    if (group.length > 0 && (argv[1] === '--help' || argv[1] === '-h')) {
      io.stdout.write(groupHelp(argv[0]!, group));
      return EXIT.ok;
    }
    const found = findCommand(argv);
    command = found.command;
    const rest = found.rest;
    if (rest.slice(0, rest.includes('--') ? rest.indexOf('--') : undefined).some((a) => a === '--help' || a === '-h')) {
      io.stdout.write(commandHelp(found.command));
      return EXIT.ok;
    }
    const args = parseCommandArgs(found.command, rest);
    const stage = str(args.values, 'stage');
    const region = str(args.values, 'region');
    if (stage !== undefined && !STAGE.test(stage)) throw new UsageError('--stage takes a stage name: 1-20 lower-case letters, digits and hyphens, e.g. prod.');
    if (region !== undefined && stage === undefined) throw new UsageError('--region only applies with --stage (the local stack has no region to choose).');
    if (region !== undefined && !/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) throw new UsageError('--region takes an AWS region, e.g. eu-west-1.');

    const log = debug ? stderrLog(out) : silentLog;
    let opening: Promise<Target> | undefined;
    const open = () =>
      (opening ??= (options.openTarget ?? openTarget)({ stage, region, env: io.env, log }).then((t) => {
        target = t;
        return { ...t, deps: { ...t.deps, secrets: scrubbing(t.deps.secrets, out) } };
      }));
    const suffix = `${stage !== undefined ? ` --stage ${stage}` : ''}${region !== undefined ? ` --region ${region}` : ''}`;
    const ctx: CommandContext = {
      out,
      io,
      deps: async () => (await open()).deps,
      targetLabel: async () => (await open()).label,
      actor: async () => (await open()).actor(),
      suggest: (command) => `${PROGRAM} ${command}${suffix}`,
      sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
      now: options.now ?? Date.now,
      interrupted: options.interrupted ?? (() => (interrupt ??= signals()).promise),
    };
    const code = await found.command.run(ctx, args);
    return code ?? EXIT.ok;
  } catch (error) {
    if (error instanceof CancelledError) {
      out.stderr('Cancelled.');
      return 130;
    }
    printError(out, error, debug, command);
    return error instanceof UsageError ? EXIT.usage : EXIT.failure;
  } finally {
    interrupt?.dispose();
    target?.close();
  }
};
