#!/usr/bin/env node
/**
 * Builds what runs outside Lambda: the `bamboohr-sync` CLI (dist/cli.mjs, loaded by
 * bin/bamboohr-sync.mjs) and the support console's front end (dist/console/). `npm ci` runs it through the `prepare` script.
 *
 *   node scripts/build.mjs            every step
 *   node scripts/build.mjs cli        only the named steps
 *
 * Each step is one entry of STEPS; add a step (e.g. the console's front end) by adding an entry.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { buildConsole } from './build-console.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** @type {{ name: string, run: () => Promise<void> }[]} */
const STEPS = [
  {
    name: 'cli',
    run: async () => {
      await build({
        absWorkingDir: root,
        entryPoints: ['lib/cli/main.ts'],
        outfile: 'dist/cli.mjs',
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node20',
        // Dependencies load from node_modules at run time; only the service's own code is bundled.
        packages: 'external',
        sourcemap: 'linked',
        legalComments: 'none',
        logLevel: 'warning',
      });
    },
  },
  { name: 'console', run: buildConsole },
];

const main = async () => {
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((name) => !STEPS.some((step) => step.name === name));
  if (unknown.length > 0) throw new Error(`Unknown build step(s): ${unknown.join(', ')}. Steps: ${STEPS.map((s) => s.name).join(', ')}.`);
  for (const step of STEPS.filter((s) => wanted.length === 0 || wanted.includes(s.name))) {
    const started = performance.now();
    await step.run();
    console.log(`built ${step.name} in ${Math.round(performance.now() - started)} ms`);
  }
};

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
