/**
 * What a bridge feature file is made of: one entry per channel with the schema of its argument (checked at
 * the host boundary, in both hosts) and the schema of its result (its type, for the renderer and the
 * handlers), plus the argument shapes most channels share.
 */
import { Type, type Static, type TProperties, type TSchema } from 'typebox';
import { Id, ListQuery, Nullable } from '../api/common.js';

export interface RequestSpec {
  arg: TSchema;
  result: TSchema;
}
/** A feature's channels, `'<feature>.<verb>': { arg, result }`; checked with `satisfies`. */
export type RequestSpecs = Record<string, RequestSpec>;

export type ArgOfSpec<S extends RequestSpec> = Static<S['arg']>;
export type ResultOfSpec<S extends RequestSpec> = Static<S['result']>;

/** Arguments are closed objects: a stray property is a mistake (or an attempt) and is refused. */
export const Arg = <P extends TProperties>(properties: P) => Type.Object(properties, { additionalProperties: false });

export const NoArg = Arg({});
export const ServerArg = Arg({ serverId: Id });
export const ById = Arg({ serverId: Id, id: Id });
/** A list under a parent (`id`): a reseller's customers, a schedule's reports. */
export const ListArg = Arg({ serverId: Id, id: Id, query: Type.Optional(ListQuery) });
/** A list at the server's top level (resellers, trial clients). */
export const ServerListArg = Arg({ serverId: Id, query: Type.Optional(ListQuery) });

/** What a request that only acts answers. */
export const Done = Type.Null();

/** A read served live (`asOf` null) or from the offline cache (`asOf` = when it was fetched). */
export interface Cached<T> {
  data: T;
  asOf: string | null;
}
export const CachedOf = <T extends TSchema>(data: T) => Type.Object({ data, asOf: Nullable(Type.String()) });
