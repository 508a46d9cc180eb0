import { Type, type Static } from 'typebox';
import { Bytes, Count, Email, Id, ListOf, Name, Password, Timestamp } from './common.js';
import { folded, listSpec, plain } from './list-spec.js';

export const Reseller = Type.Object({
  id: Id,
  name: Type.String(),
  email: Type.String(),
  customerCount: Count,
  mcalsAllotted: Count,
  mcalsUsed: Count,
  spaceAllotted: Bytes,
  spaceUsed: Bytes,
  createdAt: Timestamp,
});
export type Reseller = Static<typeof Reseller>;

export const ResellerCreate = Type.Object(
  { name: Name, email: Type.Optional(Email), password: Password },
  { additionalProperties: false },
);
export type ResellerCreate = Static<typeof ResellerCreate>;

export const ResellerPatch = Type.Object(
  { name: Type.Optional(Name), email: Type.Optional(Email), password: Type.Optional(Password) },
  { additionalProperties: false, minProperties: 1 },
);
export type ResellerPatch = Static<typeof ResellerPatch>;

export const ResellerList = ListOf(Reseller);
export const RESELLER_LIST = listSpec(ResellerList, {
  sortable: { name: folded, email: plain, customerCount: plain, mcalsAllotted: plain, mcalsUsed: plain, spaceAllotted: plain, spaceUsed: plain, createdAt: plain },
  search: ['name'],
  defaultSort: 'name',
});
