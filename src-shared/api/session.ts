import { Type, type Static } from 'typebox';
import { Count, Id, Name, Nullable, Timestamp } from './common.js';

export const Role = Type.Union([Type.Literal('admin'), Type.Literal('reseller')]);
export type Role = Static<typeof Role>;

export const Login = Type.Object(
  { username: Type.String({ minLength: 1, maxLength: 200 }), password: Type.String({ minLength: 1, maxLength: 1024 }) },
  { additionalProperties: false },
);
export type Login = Static<typeof Login>;

export const Session = Type.Object({ token: Type.String(), role: Role, resellerId: Nullable(Id), expiresAt: Timestamp });
export type Session = Static<typeof Session>;

export const Deployment = Type.Union([Type.Literal('on-premise'), Type.Literal('cloud')]);
export type Deployment = Static<typeof Deployment>;

export const ServerInfo = Type.Object({
  /** A UUID made with the data dir; it never changes. */
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  version: Type.String(),
  deployment: Deployment,
  resellerManagement: Type.Boolean(),
  mcalPool: Type.Object({
    total: Count,
    allotted: Count,
    used: Count,
  }),
  features: Type.Object({ replication: Type.Boolean(), seedMigration: Type.Boolean() }),
});
export type ServerInfo = Static<typeof ServerInfo>;

export const ServerPatch = Type.Object(
  {
    name: Type.Optional(Name),
    resellerManagement: Type.Optional(Type.Boolean()),
    mcalPoolTotal: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000_000 })),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type ServerPatch = Static<typeof ServerPatch>;
