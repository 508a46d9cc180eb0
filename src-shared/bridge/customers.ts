/** A reseller's customers. */
import { Id } from '../api/common.js';
import { Customer, CustomerCreate, CustomerList, CustomerPatch, DeletionPreview } from '../api/customers.js';
import { Arg, ById, CachedOf, Done, ListArg, type RequestSpecs } from './request.js';

export const customerRequests = {
  /** `id`: the reseller. */
  'customers.list': { arg: ListArg, result: CachedOf(CustomerList) },
  'customers.get': { arg: ById, result: CachedOf(Customer) },
  'customers.create': { arg: Arg({ serverId: Id, resellerId: Id, input: CustomerCreate }), result: Customer },
  'customers.update': { arg: Arg({ serverId: Id, id: Id, patch: CustomerPatch }), result: Customer },
  /** What deleting would remove; always live, never from the cache. */
  'customers.deletionPreview': { arg: ById, result: DeletionPreview },
  'customers.delete': { arg: ById, result: Done },
} satisfies RequestSpecs;
