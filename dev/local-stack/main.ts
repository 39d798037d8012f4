/**
 * `npm start`: the whole service on this machine, no AWS account needed. Ctrl-C (SIGINT) or
 * SIGTERM stops everything and exits 0. See `npm start -- --help`.
 */
import { errorMessage } from '../../lib/errors.js';
import { PortInUseError } from '../local-emulators.js';
import { HELP, parseOptions, UsageError } from './options.js';
import { dim, red } from './output.js';
import { StackAlreadyRunningError, startLocalStack, type RunningStack } from './stack.js';

// The SDK's notice about its future Node.js requirement says nothing about the local stack.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const print = (line: string) => process.stdout.write(`${line}\n`);
const printError = (line: string) => process.stderr.write(`${line}\n`);

const main = async (): Promise<void> => {
  let options;
  try {
    options = parseOptions(process.argv.slice(2), process.env);
  } catch (error) {
    printError(red(errorMessage(error)));
    process.exit(2);
  }
  if (options === 'help') {
    print(HELP);
    return;
  }

  let stack: RunningStack | undefined;
  let exiting = false;
  let firstSignalAt = 0;

  const shutdown = async (code: number, why: string): Promise<void> => {
    if (exiting) return;
    exiting = true;
    print(dim(`\n${why}: stopping…`));
    const forced = setTimeout(() => {
      printError(red('Could not stop cleanly within 30 s: killing what is left.'));
      stack?.emergencyStop();
      process.exit(code || 1);
    }, 30_000);
    forced.unref();
    try {
      await stack?.stop();
    } catch (error) {
      printError(red(`Stopping failed: ${errorMessage(error)}`));
      stack?.emergencyStop();
      code ||= 1;
    }
    clearTimeout(forced);
    print(code === 0 ? 'Stopped. Nothing is left running.' : 'Stopped.');
    process.exit(code);
  };

  const onSignal = (signal: NodeJS.Signals) => {
    const now = Date.now();
    if (firstSignalAt === 0) {
      firstSignalAt = now;
      if (stack) void shutdown(0, signal === 'SIGINT' ? 'Ctrl-C' : signal);
      return;
    }
    // The same signal relayed twice (the terminal and npm/tsx) is not an impatient user.
    if (now - firstSignalAt < 1000) return;
    printError(red(`${signal} again: killing everything now.`));
    stack?.emergencyStop();
    process.exit(1);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  process.on('exit', () => stack?.emergencyStop());
  process.on('uncaughtException', (error) => {
    printError(red(`Unexpected error: ${error.stack ?? String(error)}`));
    void shutdown(1, 'Error');
  });
  process.on('unhandledRejection', (reason) => {
    printError(red(`Unexpected error: ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}`));
    void shutdown(1, 'Error');
  });

  print(dim('Starting the bamboohr-sync local stack…'));
  try {
    stack = await startLocalStack(options, { print, error: printError });
  } catch (error) {
    const expected = error instanceof StackAlreadyRunningError || error instanceof PortInUseError || error instanceof UsageError;
    printError(red(`Could not start the local stack: ${expected ? errorMessage(error) : error instanceof Error ? (error.stack ?? error.message) : String(error)}`));
    process.exit(1);
  }
  void stack.failure.then((error) => {
    printError(red(error.message));
    void shutdown(1, 'Failure');
  });
  // Ctrl-C while it was starting.
  if (firstSignalAt !== 0) void shutdown(0, 'Interrupted');
};

await main();
