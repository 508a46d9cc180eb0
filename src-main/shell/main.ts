/**
 * Electron's entry point (package.json "main", built to dist/main/shell.js): the desktop host with the
 * real ConsoleService. Everything else lives in app.ts, which the tests drive with a fake backend.
 */
import path from 'node:path';
import { app } from 'electron';
import { ConsoleService } from '../core/console-service.js';
import { startShell } from './app.js';
import { utilityProcessLauncher } from './server-launcher.js';

startShell({
  argv: process.argv,
  openBackend: ({ dataDir, demo }) =>
    ConsoleService.open({ dataDir, host: 'electron', demo, launchDemoServer: utilityProcessLauncher(path.join(app.getAppPath(), 'dist/server/cli.js')) }),
}).catch((err: unknown) => {
  console.error(`Backup Console failed to start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
