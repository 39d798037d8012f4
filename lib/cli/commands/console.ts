/** `console`: the support console's web server on this machine, until Ctrl-C. */
import { startConsole } from '../../console/server.js';
import { intOption, type Command } from '../command.js';

const consoleCommand: Command = {
  path: ['console'],
  usage: 'console [--stage S] [--port P]',
  summary: 'Open the support console: a web page on 127.0.0.1 over the same use cases, until Ctrl-C',
  positionals: { min: 0, max: 0 },
  options: { port: { type: 'string', value: '<port>', description: 'The local port (default: any free port).' } },
  run: async (ctx, { values }) => {
    const port = intOption(values, 'port', { min: 0, max: 65535 });
    const deps = await ctx.deps();
    const server = await startConsole({ ...deps, actor: await ctx.actor() }, { ...(port !== undefined ? { port } : {}), label: await ctx.targetLabel() });
    try {
      ctx.out.result({ url: server.url, port: server.port });
      ctx.out.lines(`Support console for the ${await ctx.targetLabel()}:`, `  ${server.url}`, 'Press Ctrl-C to stop.');
      await ctx.interrupted();
    } finally {
      await server.close();
    }
    ctx.out.progress('Console stopped.');
  },
};

export const CONSOLE_COMMANDS: Command[] = [consoleCommand];
