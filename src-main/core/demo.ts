/**
 * `--demo`: the embedded backup server with demo data, registered as a server like any other, except that
 * the console starts it, knows its admin password, and pins the fingerprint its own child printed.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { ConsoleState } from './console-state.js';
import { startEmbeddedServer } from './embedded-server.js';
import type { ServerEntry } from './registry.js';

export const DEMO_SERVER_DIR = 'demo-server';
export const DEMO_SERVER_NAME = 'Demo Server';
/** The setting that remembers which registry entry is the embedded demo server (its id, not a secret). */
export const DEMO_SERVER_SETTING = 'demoServerId';

/** The registry entry of the embedded demo server, if the user still has it. */
export function demoServerId(state: ConsoleState): string | null {
  const id = state.registry.getSetting(DEMO_SERVER_SETTING);
  return typeof id === 'string' && state.servers.has(id) ? id : null;
}

/**
 * Starts the embedded server and points its registry entry at it: added on first run, and on later runs
 * updated, since the port (and so the address) changes with every start. Its fingerprint is the one
 * our own child printed on stdout, so it is pinned without asking.
 */
export async function startDemo(state: ConsoleState): Promise<void> {
  const { registry, options } = state;
  const vault = state.requireVault();
  const dataDir = path.join(options.dataDir, DEMO_SERVER_DIR);
  const known = demoServerId(state);
  let password = known ? await vault.getPassword(known) : null;
  const freshPassword = password === null;
  if (password === null) {
    // Without its admin password (a memory vault last time, a cleaned keychain) the old demo data
    // cannot be signed in to; it is demo data, so it starts over.
    await fs.promises.rm(dataDir, { recursive: true, force: true });
    password = randomBytes(24).toString('base64url');
  }
  const server = await startEmbeddedServer({
    dataDir,
    adminPassword: password,
    launch: options.launchDemoServer,
    log: (line) => state.log(`demo server: ${line}`),
  });
  state.demoServer = server;

  let entry: ServerEntry;
  if (known) {
    registry.update(known, { url: server.url });
    entry = registry.pinFingerprint(known, server.fingerprint);
  } else {
    const added = registry.add({ name: DEMO_SERVER_NAME, url: server.url, username: 'admin' });
    entry = registry.pinFingerprint(added.id, server.fingerprint);
    registry.setSetting(DEMO_SERVER_SETTING, entry.id);
  }
  await vault.setPassword(entry.id, password);
  if (freshPassword) await vault.deleteToken(entry.id);

  const existing = state.servers.find(entry.id);
  if (existing) existing.reconfigure(entry, freshPassword);
  const connection = existing ?? state.servers.open(entry);
  state.servers.add(connection);
  void connection.connect();
  state.serversChanged();
}
