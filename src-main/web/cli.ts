/**
 * `npm run web -- [--demo] [--port N] [--data-dir DIR]`: the browser host. Prints exactly one line on
 * stdout, `console <url>`, once it serves; everything else goes to stderr. SIGINT/SIGTERM close the
 * ConsoleService (which stops the embedded demo server) and exit 0.
 */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConsoleService } from '../core/console-service.js';
import { appRoot } from '../core/embedded-server.js';
import { defaultDataDir, RENDERER_BUILD } from './paths.js';
import { startWebHost } from './server.js';

const USAGE = 'usage: npm run web -- [--demo] [--port N] [--data-dir DIR]';

interface WebArgs {
  demo: boolean;
  port: number;
  dataDir: string;
}

/** Parses the flags; throws an Error whose message is for the user. */
function parseWebArgs(argv: readonly string[]): WebArgs {
  const args: WebArgs = { demo: false, port: 0, dataDir: defaultDataDir() };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => {
      const next = argv[++i];
      if (next === undefined || next.startsWith('--')) throw new Error(`${flag} needs a value.`);
      return next;
    };
    if (flag === '--demo') args.demo = true;
    else if (flag === '--port') {
      const text = value();
      const port = Number(text);
      if (!/^\d+$/.test(text) || port > 65535) throw new Error(`--port must be a number from 0 to 65535, not "${text}".`);
      args.port = port;
    } else if (flag === '--data-dir') args.dataDir = path.resolve(value());
    else throw new Error(`Unknown flag "${flag}".`);
  }
  return args;
}

async function main(): Promise<void> {
  let args: WebArgs;
  try {
    args = parseWebArgs(process.argv.slice(2));
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    process.exit(2);
  }

  const rendererDir = path.join(appRoot(path.dirname(fileURLToPath(import.meta.url))), RENDERER_BUILD);
  if (!existsSync(path.join(rendererDir, 'index.html'))) {
    console.error(`warning: no renderer build in ${rendererDir}: run \`npm run build\`; the bridge is served meanwhile.`);
  }
  mkdirSync(args.dataDir, { recursive: true });

  const service = await ConsoleService.open({ dataDir: args.dataDir, host: 'browser', demo: args.demo });
  // Said once here, and shown in the console's top bar: how passwords are kept, and how to get the keychain.
  const { keychainProblem } = await service.invoke('app.info', {});
  if (keychainProblem) console.error(`web: ${keychainProblem}`);
  const host = await startWebHost({ backend: service, rendererDir, port: args.port });

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    console.error(`web: ${signal}, closing`);
    void (async () => {
      let code = 0;
      try {
        await host.close();
        await service.close();
      } catch (err) {
        console.error(`web: closing failed: ${(err as Error).message}`);
        code = 1;
      }
      process.exit(code);
    })();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  process.stdout.write(`console ${host.url}\n`);
}

main().catch((err: unknown) => {
  console.error(`web: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
