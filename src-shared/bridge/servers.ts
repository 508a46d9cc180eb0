/** The servers the console manages: the registry of them, trust in their certificates, and each one's info. */
import { Type, type Static } from 'typebox';
import { Id, Name, Nullable } from '../api/common.js';
import { Role, ServerInfo, ServerPatch } from '../api/session.js';
import { Arg, CachedOf, Done, NoArg, ServerArg, type RequestSpecs } from './request.js';

export const ConnectionState = Type.Union([
  Type.Literal('connecting'),
  Type.Literal('online'),
  Type.Literal('offline'),
  Type.Literal('signed-out'),
  Type.Literal('certificate-changed'),
]);
export type ConnectionState = Static<typeof ConnectionState>;

/** A server as the console shows it: registry entry + live state. Never a password or token. */
export const ServerView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  url: Type.String(),
  username: Type.String(),
  fingerprint: Nullable(Type.String()),
  state: ConnectionState,
  /** Why the server is not online, in words for the user. */
  problem: Nullable(Type.String()),
  info: Nullable(ServerInfo),
  role: Nullable(Role),
  resellerId: Nullable(Type.String()),
});
export type ServerView = Static<typeof ServerView>;

export const ProbeResult = Type.Object({
  /** null for plain http (loopback) servers. */
  fingerprint: Nullable(Type.String()),
  /** The fingerprint already pinned for this URL, when it differs: the certificate changed. */
  pinned: Nullable(Type.String()),
});
export type ProbeResult = Static<typeof ProbeResult>;

const Url = Type.String({ minLength: 1, maxLength: 2048, pattern: '^https?://' });
const Fingerprint = Type.String({ pattern: '^[0-9a-f]{64}$' });
const Username = Type.String({ minLength: 1, maxLength: 200 });
const ServerPassword = Type.String({ minLength: 1, maxLength: 1024 });
const Views = Type.Array(ServerView);

export const serverRequests = {
  'servers.list': { arg: NoArg, result: Views },
  /** The fingerprint an address presents, for the user to compare before trusting it. */
  'servers.probe': { arg: Arg({ url: Url }), result: ProbeResult },
  'servers.add': { arg: Arg({ name: Name, url: Url, username: Username, password: ServerPassword, fingerprint: Nullable(Fingerprint) }), result: ServerView },
  'servers.update': {
    arg: Arg({ serverId: Id, name: Type.Optional(Name), url: Type.Optional(Url), username: Type.Optional(Username), password: Type.Optional(ServerPassword) }),
    result: ServerView,
  },
  'servers.trust': { arg: Arg({ serverId: Id, fingerprint: Fingerprint }), result: ServerView },
  'servers.remove': { arg: ServerArg, result: Done },
  'servers.reorder': { arg: Arg({ ids: Type.Array(Id, { maxItems: 1000 }) }), result: Views },
  'servers.connect': { arg: ServerArg, result: ServerView },

  'server.info': { arg: ServerArg, result: CachedOf(ServerInfo) },
  'server.update': { arg: Arg({ serverId: Id, patch: ServerPatch }), result: ServerInfo },
} satisfies RequestSpecs;
