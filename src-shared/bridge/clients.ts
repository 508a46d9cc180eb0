/** A customer's clients (backup agents), trial clients, and the command that registers a new one. */
import { Client, ClientCreate, ClientCreated, ClientList, ClientMigrate, ClientPatch } from '../api/clients.js';
import { Id } from '../api/common.js';
import { Arg, ById, CachedOf, Done, ListArg, ServerListArg, type RequestSpecs } from './request.js';

const Clients = CachedOf(ClientList);

export const clientRequests = {
  /** `id`: the customer. */
  'clients.list': { arg: ListArg, result: Clients },
  'clients.listTrial': { arg: ServerListArg, result: Clients },
  'clients.create': { arg: Arg({ serverId: Id, customerId: Id, input: ClientCreate }), result: ClientCreated },
  'clients.update': { arg: Arg({ serverId: Id, id: Id, patch: ClientPatch }), result: Client },
  'clients.authorize': { arg: ById, result: Client },
  'clients.migrate': { arg: Arg({ serverId: Id, id: Id, input: ClientMigrate }), result: Client },
  'clients.delete': { arg: ById, result: Done },
} satisfies RequestSpecs;

/** The agent command the "Add New Clients" page shows, so a technician can copy it as is. */
export function agentRegisterCommand(server: { url: string; fingerprint: string | null }, registrationKey: string, clientName: string): string {
  const quote = (s: string) => (/^[A-Za-z0-9_./:@-]+$/.test(s) ? s : `'${s.replaceAll("'", "'\\''")}'`);
  const trust = server.fingerprint ? `--fingerprint ${server.fingerprint}` : '';
  return ['npm run agent -- register', `--server ${quote(server.url)}`, `--key ${quote(registrationKey)}`, `--name ${quote(clientName)}`, trust, '--state-dir ./backup-agent-state']
    .filter(Boolean)
    .join(' ');
}
