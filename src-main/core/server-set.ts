/** The console's live servers: one ServerConnection per registry entry, in the registry's order. */
import { BridgeError, type ServerView } from '../../src-shared/bridge.js';
import type { ServerEntry, ServerRegistry } from './registry.js';
import { ServerConnection, type ConnectionContext } from './server-connection.js';

export class ServerSet {
  private readonly connections = new Map<string, ServerConnection>();

  constructor(
    private readonly registry: ServerRegistry,
    private readonly context: ConnectionContext,
  ) {
    for (const entry of registry.list()) this.connections.set(entry.id, this.open(entry));
  }

  has(serverId: string): boolean {
    return this.connections.has(serverId);
  }

  find(serverId: string): ServerConnection | undefined {
    return this.connections.get(serverId);
  }

  /** The connection of a request's `serverId`; NOT_FOUND for a server the console does not have. */
  get(serverId: string): ServerConnection {
    const connection = this.connections.get(serverId);
    if (!connection) throw new BridgeError('NOT_FOUND', `No server with id "${serverId}".`);
    return connection;
  }

  /** A connection not served yet: a server being added is served only once its sign-in worked (`add`). */
  open(entry: ServerEntry): ServerConnection {
    return new ServerConnection(entry, this.context);
  }

  add(connection: ServerConnection): void {
    this.connections.set(connection.id, connection);
  }

  delete(serverId: string): void {
    this.connections.delete(serverId);
  }

  all(): IterableIterator<ServerConnection> {
    return this.connections.values();
  }

  ordered(): ServerConnection[] {
    return this.registry.list().flatMap((entry) => this.connections.get(entry.id) ?? []);
  }

  views(): ServerView[] {
    return this.ordered().map((connection) => connection.view());
  }

  closeAll(): void {
    for (const connection of this.connections.values()) connection.close();
  }
}
