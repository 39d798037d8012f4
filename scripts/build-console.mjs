#!/usr/bin/env node
/**
 * Builds the support console's front end (console/) into dist/console/, which lib/console/server.ts
 * serves: console/src/main.tsx bundled with React by esbuild → app.js, console/src/styles.css →
 * app.css, and console/index.html. Everything is local: the page loads nothing from a CDN.
 *
 *   node scripts/build-console.mjs            production build (minified)
 *   node scripts/build-console.mjs --dev      readable, with a source map
 */
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'console');
const out = join(root, 'dist', 'console');
const dev = process.argv.includes('--dev');

export const buildConsole = async () => {
  const started = Date.now();
  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });
  await Promise.all([
    build({
      entryPoints: [join(source, 'src', 'main.tsx')],
      outfile: join(out, 'app.js'),
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: ['es2022'],
      jsx: 'automatic',
      minify: !dev,
      sourcemap: dev ? 'linked' : false,
      legalComments: 'none',
      define: { 'process.env.NODE_ENV': JSON.stringify(dev ? 'development' : 'production') },
      logLevel: 'warning',
    }),
    build({
      entryPoints: [join(source, 'src', 'styles.css')],
      outfile: join(out, 'app.css'),
      bundle: true,
      minify: !dev,
      logLevel: 'warning',
    }),
    copyFile(join(source, 'index.html'), join(out, 'index.html')),
  ]);
  return { out, ms: Date.now() - started };
};

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  buildConsole().then(
    ({ out: dir, ms }) => console.log(`Built the console into ${dir.replace(`${root}/`, '')}/ in ${ms} ms.`),
    (error) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}
