/**
 * Keys never come from argv, where they would land in shell history and `ps`. In a terminal they are
 * typed or pasted at a prompt with echo off; otherwise they are piped in (`--api-key-stdin`,
 * `--webhook-key-stdin`), one per line, the API key first.
 */
import { UsageError, type CliIo, type Output } from './output.js';

export interface KeyRequest {
  /** `BambooHR API key`. */
  label: string;
  /** `--api-key-stdin`. */
  flag: string;
  /** The flag was given: read it from stdin (or the prompt, in a terminal). */
  fromStdin: boolean;
}

/** Ctrl-C at a prompt. */
export class CancelledError extends Error {
  constructor() {
    super('Cancelled.');
    this.name = 'CancelledError';
  }
}

const MAX_STDIN_BYTES = 64 * 1024;

const readAll = (stdin: CliIo['stdin']): Promise<string> =>
  new Promise((resolve, reject) => {
    let text = '';
    stdin.setEncoding('utf8');
    const onData = (chunk: string) => {
      text += chunk;
      if (text.length > MAX_STDIN_BYTES) {
        cleanup();
        reject(new UsageError('stdin is too long for a key: pipe the key alone, on one line.'));
      }
    };
    const onEnd = () => {
      cleanup();
      resolve(text);
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    const cleanup = () => {
      stdin.off('data', onData);
      stdin.off('end', onEnd);
      stdin.off('error', onError);
      stdin.pause();
    };
    stdin.on('data', onData);
    stdin.once('end', onEnd);
    stdin.once('error', onError);
    stdin.resume();
  });

/** Reads one line at a terminal with echo off (the prompt goes to stderr). */
export const promptHidden = (io: CliIo, label: string): Promise<string> =>
  new Promise((resolve, reject) => {
    const stdin = io.stdin;
    io.stderr.write(`${label}: `);
    let value = '';
    const finish = () => {
      stdin.off('data', onData);
      stdin.setRawMode?.(false);
      stdin.pause();
      io.stderr.write('\n');
    };
    const onData = (chunk: Buffer | string) => {
      // Bracketed-paste markers, should the terminal send them.
      const text = String(chunk).replace(/\x1b\[20[01]~/g, '');
      for (const char of text) {
        if (char === '\r' || char === '\n' || char === '\u0004') {
          finish();
          resolve(value);
          return;
        }
        if (char === '\u0003') {
          finish();
          reject(new CancelledError());
          return;
        }
        if (char === '\u007f' || char === '\b') value = value.slice(0, -1);
        else if (char === '\u0015') value = '';
        else if (char >= ' ') value += char;
      }
    };
    stdin.setRawMode?.(true);
    stdin.setEncoding('utf8');
    stdin.on('data', onData);
    stdin.resume();
  });

/** Refuses, before anything runs, a key that could only come from argv (no terminal, no stdin flag). */
export const assertKeySources = (io: CliIo, requests: readonly KeyRequest[]): void => {
  if (io.stdin.isTTY) return;
  const unflagged = requests.find((r) => !r.fromStdin);
  if (unflagged) {
    throw new UsageError(
      `The ${unflagged.label} is read from a prompt or stdin, never from the command line. ` +
        `Pipe it in with ${unflagged.flag}, or run the command in a terminal to be prompted.`,
    );
  }
};

/**
 * Reads the keys asked for, in order. Each key read is registered with the output, which then
 * never prints it.
 */
export const readKeys = async (io: CliIo, out: Output, requests: readonly KeyRequest[]): Promise<string[]> => {
  if (requests.length === 0) return [];
  const keys: string[] = [];
  if (io.stdin.isTTY) {
    for (const request of requests) {
      const key = await promptHidden(io, request.label);
      out.addSecret(key);
      keys.push(key);
    }
    return keys;
  }
  assertKeySources(io, requests);
  const lines = (await readAll(io.stdin)).split(/\r?\n/);
  for (let i = 0; i < requests.length; i += 1) {
    const key = (lines[i] ?? '').trim();
    out.addSecret(key);
    keys.push(key);
  }
  return keys;
};
