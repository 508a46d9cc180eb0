/** Customers and clients by name, across every server at once. */
import { Type, type Static } from 'typebox';
import { Nullable } from '../api/common.js';
import { Arg, type RequestSpecs } from './request.js';

export const SearchHit = Type.Object({
  serverId: Type.String(),
  serverName: Type.String(),
  kind: Type.Union([Type.Literal('customer'), Type.Literal('client')]),
  id: Type.String(),
  name: Type.String(),
  resellerId: Type.String(),
  customerId: Nullable(Type.String()),
  customerName: Nullable(Type.String()),
});
export type SearchHit = Static<typeof SearchHit>;

export const searchRequests = {
  'search.all': { arg: Arg({ q: Type.String({ minLength: 1, maxLength: 200 }) }), result: Type.Array(SearchHit) },
} satisfies RequestSpecs;
