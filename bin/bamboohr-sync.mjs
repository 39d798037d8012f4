#!/usr/bin/env node
// The `bamboohr-sync` command: runs the CLI bundled by `npm run build` (dist/cli.mjs).

// package.json supports Node 20.19+; the AWS SDK's notice about its future Node 22 requirement is
// noise in a support person's terminal (and would break the output's shape for scripts).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// With --debug, stack traces point into lib/ rather than into the bundle.
if (process.argv.includes('--debug')) process.setSourceMapsEnabled(true);

let cli;
try {
  cli = await import('../dist/cli.mjs');
} catch (error) {
  if (error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('dist/cli.mjs')) {
    process.stderr.write('bamboohr-sync is not built yet: run `npm run build` (npm ci does it for you).\n');
    process.exit(1);
  }
  throw error;
}
process.exitCode = await cli.main(process.argv.slice(2));
