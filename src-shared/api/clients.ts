import { Type, type Static } from 'typebox';
import { Bytes, Id, ListOf, Name, Nullable, Timestamp } from './common.js';
import { folded, listSpec, plain } from './list-spec.js';

export const ClientStatus = Type.Union([Type.Literal('pending'), Type.Literal('authorized'), Type.Literal('moved')]);
export type ClientStatus = Static<typeof ClientStatus>;

export const BackupStatus = Type.Union([
  Type.Literal('running'),
  Type.Literal('success'),
  Type.Literal('partial'),
  Type.Literal('failed'),
  Type.Literal('refused'),
]);
export type BackupStatus = Static<typeof BackupStatus>;

export const Client = Type.Object({
  id: Id,
  customerId: Nullable(Id),
  name: Type.String(),
  hostname: Type.String(),
  os: Type.String(),
  status: ClientStatus,
  trial: Type.Boolean(),
  trialExpiresAt: Nullable(Timestamp),
  mcalConsumed: Type.Boolean(),
  spaceUsed: Bytes,
  lastBackupAt: Nullable(Timestamp),
  lastBackupStatus: Nullable(BackupStatus),
  createdAt: Timestamp,
  /** Where a `moved` client (seed backup migration) lives now; null otherwise. */
  movedTo: Nullable(Type.Object({ url: Type.String() })),
});
export type Client = Static<typeof Client>;

export const ClientCreate = Type.Object({ name: Name }, { additionalProperties: false });
export type ClientCreate = Static<typeof ClientCreate>;

export const ClientCreated = Type.Object({ client: Client, registrationKey: Type.String() });
export type ClientCreated = Static<typeof ClientCreated>;

export const ClientPatch = Type.Object({ name: Name }, { additionalProperties: false });
export type ClientPatch = Static<typeof ClientPatch>;

export const ClientMigrate = Type.Object({ customerId: Id }, { additionalProperties: false });
export type ClientMigrate = Static<typeof ClientMigrate>;

export const ClientList = ListOf(Client);
/** `q` searches the name and the hostname (API.md). */
export const CLIENT_LIST = listSpec(ClientList, {
  sortable: {
    name: folded,
    hostname: plain,
    os: plain,
    status: plain,
    trial: plain,
    trialExpiresAt: plain,
    spaceUsed: plain,
    lastBackupAt: plain,
    lastBackupStatus: plain,
    createdAt: plain,
  },
  search: ['name', 'hostname'],
  defaultSort: 'name',
});
