/** `.local/stack.json`: how the CLI finds a running local stack. Mode 0600, written at start, removed at exit. */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { localStackInfoSchema, readLocalStackInfo, repoRoot as defaultRepoRoot, type LocalStackInfo } from '../../lib/local-stack-info.js';

/**
 * Creates the state directory (0700). It holds tenants' keys and data: anywhere but the repository's
 * own `.local/` (which the repository's .gitignore covers) it gets a `.gitignore` of its own that
 * ignores everything in it, so that a `git add .` can never pick a key up. True when it wrote one.
 */
export const prepareStateDir = (dir: string, options: { repoRoot?: string } = {}): boolean => {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const fromIgnored = relative(join(options.repoRoot ?? defaultRepoRoot(), '.local'), resolve(dir));
  if (fromIgnored === '' || (!fromIgnored.startsWith('..') && !fromIgnored.startsWith('/'))) return false;
  const ignore = join(dir, '.gitignore');
  if (existsSync(ignore)) return false;
  writeFileSync(ignore, '# Written by the bamboohr-sync local stack: keys and data live here, never in git.\n*\n', { mode: 0o600 });
  return true;
};

/** The stack already running with this state directory, if any (a stale file of a dead process is not one). */
export const runningStack = (path: string): LocalStackInfo | null => readLocalStackInfo(path);

export const writeStackFile = (path: string, info: LocalStackInfo): void => {
  const parsed = localStackInfoSchema.parse(info);
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${process.pid}.tmp`;
  rmSync(temporary, { force: true });
  writeFileSync(temporary, `${JSON.stringify(parsed, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(temporary, 0o600);
  renameSync(temporary, path);
};

/** Removes the file if it is this process's (never another stack's). Synchronous: usable in an exit handler. */
export const removeStackFile = (path: string, pid = process.pid): void => {
  try {
    const info = JSON.parse(readFileSync(path, 'utf8')) as { pid?: unknown };
    if (info.pid === pid) rmSync(path, { force: true });
  } catch {
    // no file, or not ours to judge
  }
};
