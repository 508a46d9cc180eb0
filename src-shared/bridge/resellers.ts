/** Resellers (admins only). */
import { Id } from '../api/common.js';
import { Reseller, ResellerCreate, ResellerList, ResellerPatch } from '../api/resellers.js';
import { Arg, ById, CachedOf, Done, ServerListArg, type RequestSpecs } from './request.js';

export const resellerRequests = {
  'resellers.list': { arg: ServerListArg, result: CachedOf(ResellerList) },
  'resellers.create': { arg: Arg({ serverId: Id, input: ResellerCreate }), result: Reseller },
  'resellers.update': { arg: Arg({ serverId: Id, id: Id, patch: ResellerPatch }), result: Reseller },
  'resellers.delete': { arg: ById, result: Done },
} satisfies RequestSpecs;
