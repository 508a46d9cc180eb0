/**
 * The server registry as the user edits it: adding (after trusting the certificate), editing, trusting a
 * new certificate, reordering and removing servers; and each server's own info.
 */
import { BridgeError, type ArgOf, type ProbeResult, type ServerView } from '../../../src-shared/bridge.js';
import type { serverRequests } from '../../../src-shared/bridge/servers.js';
import type { ConsoleState } from '../console-state.js';
import { DEMO_SERVER_SETTING } from '../demo.js';
import type { ServerPatch } from '../registry.js';
import { probeFingerprint } from '../tls-pin.js';
import type { Handlers } from './handler.js';

/** Sign-out on removal is a courtesy to the server; it must not hold the removal up. */
const SIGN_OUT_GRACE_MS = 2_000;

export const serverHandlers = (state: ConsoleState) =>
  ({
    'servers.list': async () => state.servers.views(),
    'servers.probe': ({ url }) => probe(state, url),
    'servers.add': (arg) => addServer(state, arg),
    'servers.update': (arg) => updateServer(state, arg),
    'servers.trust': ({ serverId, fingerprint }) => trust(state, serverId, fingerprint),
    'servers.remove': ({ serverId }) => removeServer(state, serverId),
    'servers.reorder': async ({ ids }) => {
      state.registry.reorder(ids);
      return state.serversChanged();
    },
    'servers.connect': ({ serverId }) => state.servers.get(serverId).connect(),

    'server.info': ({ serverId }) => state.servers.get(serverId).readInfo(),
    'server.update': ({ serverId, patch }) => state.servers.get(serverId).updateInfo(patch),
  }) satisfies Handlers<typeof serverRequests>;

async function probe(state: ConsoleState, url: string): Promise<ProbeResult> {
  const address = checkAddress(url);
  const fingerprint = await probeFingerprint(address.href, state.options.client?.timeoutMs);
  const twin = state.registry.list().find((entry) => new URL(entry.url).origin === address.origin && entry.fingerprint !== null && entry.fingerprint !== fingerprint);
  return { fingerprint, pinned: twin?.fingerprint ?? null };
}

/**
 * Registers a server, pins the fingerprint the user accepted, keeps the password in the vault and signs
 * in. A failed sign-in (wrong password, changed certificate, unreachable) undoes all of it: a server the
 * console cannot use is not added.
 */
async function addServer(state: ConsoleState, arg: ArgOf<'servers.add'>): Promise<ServerView> {
  const { registry } = state;
  const vault = state.requireVault();
  const address = checkAddress(arg.url);
  if (address.protocol === 'https:' && arg.fingerprint === null) {
    throw new BridgeError('UNTRUSTED_CERTIFICATE', 'Check the server certificate fingerprint (probe the address) and accept it before adding the server.');
  }
  const added = registry.add({ name: arg.name, url: arg.url, username: arg.username });
  // Plain http (loopback only) has no certificate to pin.
  const entry = address.protocol === 'https:' ? registry.pinFingerprint(added.id, arg.fingerprint) : added;
  const connection = state.servers.open(entry);
  try {
    await vault.setPassword(entry.id, arg.password);
    await connection.signIn();
  } catch (error) {
    connection.close();
    registry.remove(entry.id);
    state.cache.clear(entry.id);
    await vault.forget(entry.id).catch(() => undefined);
    throw error;
  }
  state.servers.add(connection);
  const view = await connection.connect();
  state.serversChanged();
  return view;
}

/**
 * Edits a server. New credentials or a new address drop the session token (it belongs to the old
 * ones); a new address also drops the pinned fingerprint (registry.ts), so the server shows as
 * certificate-changed until the user trusts what it presents now.
 */
async function updateServer(state: ConsoleState, arg: ArgOf<'servers.update'>): Promise<ServerView> {
  const { serverId, password } = arg;
  const connection = state.servers.get(serverId);
  const before = state.registry.get(serverId);
  // Only the fields given: an explicit undefined must not blank a field.
  const fields: ServerPatch = {};
  if (arg.name !== undefined) fields.name = arg.name;
  if (arg.username !== undefined) fields.username = arg.username;
  if (arg.url !== undefined) {
    checkAddress(arg.url);
    fields.url = arg.url;
  }
  const entry = Object.keys(fields).length > 0 ? state.registry.update(serverId, fields) : before;
  if (password !== undefined) await state.requireVault().setPassword(serverId, password);
  const newSession = password !== undefined || entry.username !== before.username || new URL(entry.url).origin !== new URL(before.url).origin;
  if (newSession && state.vault) await state.vault.deleteToken(serverId);
  connection.reconfigure(entry, newSession);
  const view = await connection.connect();
  state.serversChanged();
  return view;
}

/** The user accepts the certificate the server presents (first use after an address change, or a replaced one). */
async function trust(state: ConsoleState, serverId: string, fingerprint: string): Promise<ServerView> {
  const connection = state.servers.get(serverId);
  if (new URL(state.registry.get(serverId).url).protocol !== 'https:') {
    throw new BridgeError('BAD_REQUEST', 'This server uses plain http (on this computer): there is no certificate to trust.');
  }
  connection.reconfigure(state.registry.pinFingerprint(serverId, fingerprint), false);
  const view = await connection.connect();
  state.serversChanged();
  return view;
}

/** Removes the server and everything kept for it: its session, its vault entries, its cached data. */
async function removeServer(state: ConsoleState, serverId: string): Promise<null> {
  const { registry } = state;
  const connection = state.servers.get(serverId);
  await Promise.race([connection.signOut(), new Promise((resolve) => setTimeout(resolve, SIGN_OUT_GRACE_MS).unref())]);
  connection.close();
  state.servers.delete(serverId);
  registry.remove(serverId);
  if (registry.getSetting(DEMO_SERVER_SETTING) === serverId) registry.setSetting(DEMO_SERVER_SETTING, null);
  await state.vault?.forget(serverId);
  state.cache.clear(serverId);
  state.serversChanged();
  return null;
}

const isLoopbackHost = (host: string) => host === 'localhost' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);

/**
 * A server address the console will talk to. Plain http only to this computer (the server refuses
 * --http elsewhere too): anywhere else the password and every report would cross the network unencrypted.
 */
function checkAddress(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new BridgeError('BAD_REQUEST', 'url must be a full address such as https://backup.example.com:8443.', { field: 'url' });
  }
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    throw new BridgeError('BAD_REQUEST', 'url: plain http:// is only accepted for a server on this computer; use https:// so the password and data travel encrypted.', {
      field: 'url',
    });
  }
  return url;
}
