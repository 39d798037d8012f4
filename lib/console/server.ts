/**
 * PLACEHOLDER: the support console's web server (issue 10) replaces this file.
 * Contract used by the CLI's `console` command.
 */
import type { ServiceDeps } from '../composition.js';
import type { Log } from '../logging.js';
import type { DeadLetterQueue } from '../ports.js';

export interface ConsoleDeps extends Omit<ServiceDeps, 'clients' | 'stats'> {
  log: Log;
  deadLetters: DeadLetterQueue;
}

export interface ConsoleServer {
  /** The URL to open, with the per-launch token in it. */
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

export const startConsole = async (_deps: ConsoleDeps, _options: { port?: number; host?: string; label?: string } = {}): Promise<ConsoleServer> => {
  throw new Error('The support console is not built yet.');
};
