import { Type, type Static } from 'typebox';
import { Bytes, Email, Id, ListOf, Name, Nullable, Timestamp } from './common.js';
import { folded, listSpec, plain, unlimited } from './list-spec.js';

export const ReplicationMode = Type.Union([Type.Literal('inherit'), Type.Literal('custom'), Type.Literal('off')]);
export type ReplicationMode = Static<typeof ReplicationMode>;

export const Customer = Type.Object({
  id: Id,
  resellerId: Id,
  name: Type.String(),
  email: Type.String(),
  mcalsAllotted: Nullable(Type.Integer({ minimum: 0 })),
  mcalsUsed: Type.Integer({ minimum: 0 }),
  spaceAllotted: Nullable(Bytes),
  spaceUsed: Bytes,
  autoAuthorization: Type.Boolean(),
  active: Type.Boolean(),
  clientCount: Type.Integer({ minimum: 0 }),
  createdAt: Timestamp,
  replication: Type.Object({ mode: ReplicationMode }),
  invoicing: Type.Object({ enabled: Type.Boolean() }),
});
export type Customer = Static<typeof Customer>;

const MAX_MCALS = 10_000_000;
const MAX_SPACE = Number.MAX_SAFE_INTEGER;

export const CustomerCreate = Type.Object(
  {
    name: Name,
    email: Type.Optional(Email),
    mcalsAllotted: Type.Optional(Nullable(Type.Integer({ minimum: 0, maximum: MAX_MCALS }))),
    spaceAllotted: Type.Optional(Nullable(Type.Integer({ minimum: 0, maximum: MAX_SPACE }))),
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
    spaceAllotted: Type.Optional(Nullable(Type.Integer({ minimum: 0, maximum: MAX_SPACE }))),
    autoAuthorization: Type.Optional(Type.Boolean()),
    active: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type CustomerPatch = Static<typeof CustomerPatch>;

export const DeletionPreview = Type.Object({
  clients: Type.Integer({ minimum: 0 }),
  schedules: Type.Integer({ minimum: 0 }),
  bytes: Bytes,
});
export type DeletionPreview = Static<typeof DeletionPreview>;

export const CustomerList = ListOf(Customer);
/** Sortable by every scalar field (API.md); `q` searches the name. */
export const CUSTOMER_LIST = listSpec(CustomerList, {
  sortable: {
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
