/**
 * Headless Chromium for end-to-end tests: Debian's `chromium` package driven by playwright-core
 * (no browser download), with a fresh profile each launch.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface HeadlessChromium {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Launches Chromium, or fails with how to install it: a missing browser is an error, never a skip. */
export const launchChromium = async (options: { timezoneId?: string } = {}): Promise<HeadlessChromium> => {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Headless Chromium is missing: no ${CHROMIUM_PATH}. Install Debian's package (as root): apt-get update && apt-get install -y chromium`,
    );
  }
  const userDataDir = mkdtempSync(join(tmpdir(), 'bamboohr-sync-chromium-'));
  try {
    const context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: CHROMIUM_ARGS,
      timeout: 30_000,
      viewport: { width: 1280, height: 900 },
      ...(options.timezoneId ? { timezoneId: options.timezoneId } : {}),
    });
    return {
      context,
      close: async () => {
        await context.close().catch(() => undefined);
        rmSync(userDataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(userDataDir, { recursive: true, force: true });
    throw error;
  }
};
