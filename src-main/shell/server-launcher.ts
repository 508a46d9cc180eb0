import { Readable } from 'node:stream';
import { utilityProcess } from 'electron';
import type { ServerLauncher } from '../core/embedded-server.js';

/**
 * Runs the embedded demo server as an Electron utility process. A packaged app has the RunAsNode fuse
 * off (electron-builder.yml), so it cannot spawn itself as Node the way the browser host does; a
 * utility process is Electron's supported way to run a Node program beside the app.
 */
export function utilityProcessLauncher(serverEntry: string): ServerLauncher {
  return (args, env) => {
    const child = utilityProcess.fork(serverEntry, [...args], { env, stdio: 'pipe', serviceName: 'Backup Server (demo)' });
    return {
      stdout: new Readable().wrap(child.stdout!),
      stderr: new Readable().wrap(child.stderr!),
      exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))),
      // A utility process has one way to stop: kill() sends SIGTERM, and the server shuts down cleanly.
      stop: () => {
        child.kill();
      },
    };
  };
}
