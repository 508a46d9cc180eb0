import { Type, type Static } from 'typebox';
import { Bytes, Count, Email, Id, ListOf, Name, Nullable, Timestamp } from './common.js';
import { folded, listSpec, plain, unlimited } from './list-spec.js';

export const ReplicationMode = Type.Union([Type.Literal('inherit'), Type.Literal('custom'), Type.Literal('off')]);
export type ReplicationMode = Static<typeof ReplicationMode>;

/** Set only on a replication server's copies: the server the customer is replicated from. */
export const ReplicaOf = Type.Object({ serverId: Type.String(), serverName: Type.String() });
export type ReplicaOf = Static<typeof ReplicaOf>;

export const Customer = Type.Object({
  id: Id,
  resellerId: Id,
  name: Type.String(),
  email: Type.String(),
  mcalsAllotted: Nullable(Count),
  mcalsUsed: Count,
  spaceAllotted: Nullable(Bytes),
  spaceUsed: Bytes,
  autoAuthorization: Type.Boolean(),
  active: Type.Boolean(),
  clientCount: Count,
  createdAt: Timestamp,
  replication: Type.Object({ mode: ReplicationMode }),
  invoicing: Type.Object({ enabled: Type.Boolean() }),
  replicaOf: Nullable(ReplicaOf),
});
export type Customer = Static<typeof Customer>;

const MAX_MCALS = 10_000_000;

export const CustomerCreate = Type.Object(
  {
    name: Name,
    email: Type.Optional(Email),
    mcalsAllotted: Type.Optional(Nullable(Type.Integer({ minimum: 0, maximum: MAX_MCALS }))),
    spaceAllotted: Type.Optional(Nullable(Bytes)),
    autoAuthorization: Type.Optional(Type.Boolean()),
    active: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type CustomerCreate = Static<typeof CustomerCreate>;

export const CustomerPatch = Type.Object(
  {
    name: Type.Optional(Name),
    email: Type.Optional(Email),
    mcalsAllotted: Type.Optional(Nullable(Type.Integer({ minimum: 0, maximum: MAX_MCALS }))),
    spaceAllotted: Type.Optional(Nullable(Bytes)),
    autoAuthorization: Type.Optional(Type.Boolean()),
    active: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type CustomerPatch = Static<typeof CustomerPatch>;

export const DeletionPreview = Type.Object({
  clients: Count,
  schedules: Count,
  bytes: Bytes,
});
export type DeletionPreview = Static<typeof DeletionPreview>;

export const CustomerList = ListOf(Customer);
/** Sortable by every scalar field (API.md); `q` searches the name. */
export const CUSTOMER_LIST = listSpec(CustomerList, {
  sortable: {
    id: plain,
    resellerId: plain,
    name: folded,
    email: plain,
    mcalsAllotted: unlimited,
    mcalsUsed: plain,
    spaceAllotted: unlimited,
    spaceUsed: plain,
    autoAuthorization: plain,
    active: plain,
    clientCount: plain,
    createdAt: plain,
  },
  search: ['name'],
  defaultSort: 'name',
});
