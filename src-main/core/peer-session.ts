/**
 * A fresh admin session on one of the console's servers, for ANOTHER server to use (a seed backup
 * migration's source copies to its target with it). It is signed in with the password the vault keeps
 * for that server, through a client of its own: the console's own session token is never handed away,
 * and this one is never stored — it lives in this object until the caller is done with it.
 */
import { BridgeError } from '../../src-shared/bridge.js';
import type { ConsoleState } from './console-state.js';
import { ServerClient, type Credentials } from './server-client.js';

export interface PeerSession {
  /** What the other server needs to reach this one: its address, the session token, the pinned fingerprint (null for http). */
  target: { url: string; token: string; fingerprint: string | null };
  /** Ends the session (best effort): for when the other server never got to use it. */
  revoke(): Promise<void>;
  /** Closes the connections the sign-in used; the session itself stays valid for the other server. */
  close(): void;
}

/**
 * Signs in to `serverId` as the console does (same address, user, pinned certificate, stored password)
 * and checks that the session is an administrator's: peer routes accept no other (API.md, Replication).
 */
export async function openPeerSession(state: ConsoleState, serverId: string): Promise<PeerSession> {
  const { name, url, username, fingerprint } = state.servers.get(serverId).view();
  const label = `"${name}" (${url})`;
  if (url.startsWith('https:') && fingerprint === null) {
    throw new BridgeError('UNTRUSTED_CERTIFICATE', `The certificate of ${label} is not trusted yet: open the server in the console and trust it first.`);
  }
  const vault = state.requireVault();
  let token: string | null = null;
  // The client keeps its token through these: here in a variable, never in the vault next to the console's own.
  const credentials: Credentials = {
    getPassword: (id) => vault.getPassword(id),
    getToken: async () => token,
    setToken: async (_id, fresh) => {
      token = fresh;
    },
    deleteToken: async () => {
      token = null;
      return true;
    },
  };
  const client = new ServerClient({ ...state.options.client, serverId, label, url, username, fingerprint, credentials });
  try {
    const identity = await client.signIn();
    if (identity.role !== 'admin') {
      await client.signOut();
      throw new BridgeError('FORBIDDEN', `The console signs in to ${label} as "${username}", a reseller; moving clients there takes its administrator. Edit the server in the console to sign in as an administrator.`);
    }
  } catch (error) {
    client.close();
    throw error;
  }
  if (token === null) {
    client.close();
    throw new BridgeError('NOT_SIGNED_IN', `Signing in to ${label} did not give a session.`);
  }
  return {
    target: { url, token, fingerprint },
    revoke: () => client.signOut(),
    close: () => client.close(),
  };
}
