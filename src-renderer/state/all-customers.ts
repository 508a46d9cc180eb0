import type { Customer } from '../../src-shared/api/customers.js';
import { fetchAllPages } from '../lib/paging.js';
import { customerScopes, type TreeContext } from './nodes.js';

export interface AllCustomers {
  customers: Customer[];
  /** reseller id → name, for telling customers of several resellers apart. */
  resellerNames: Map<string, string>;
  /** Set when some of it came from the offline cache. */
  asOf: string | null;
}

/** Every customer a session sees on a server, across its resellers, with progress for long lists. */
export async function loadAllCustomers(ctx: TreeContext, serverId: string, onProgress?: (done: number, total: number) => void): Promise<AllCustomers> {
  const scopes = await customerScopes(ctx, serverId);
  const customers: Customer[] = [];
  let asOf: string | null = null;
  for (const scope of scopes) {
    const base = customers.length;
    const page = await fetchAllPages((q) => ctx.bridge.invoke('customers.list', { serverId, id: scope.resellerId, query: { ...q, sort: 'name' } }), {
      onProgress: (done, total) => onProgress?.(base + done, base + total),
    });
    asOf ??= page.asOf;
    customers.push(...page.items);
  }
  return { customers, resellerNames: new Map(scopes.map((s) => [s.resellerId, s.name])), asOf };
}
