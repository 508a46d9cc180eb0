/**
 * Cross-server search: customers and clients by name, on every server at once.
 *
 * What it can and cannot find, given API.md (lists filter by name with `q`, but there is no search
 * across a server's clients):
 * - Customers: always — one `q` request per reseller (admins: every reseller; a reseller login: its own).
 * - Clients (name or hostname): by asking each customer's client list with `q`, which costs one request
 *   per customer. That is done only on servers with at most `clientScanCustomers` customers (an MSP's
 *   typical server), with a few requests in flight per server. On larger servers clients are not
 *   searched: hundreds of requests per keystroke would load the server for everyone.
 * - Trial clients are not returned: a hit names its reseller, and a trial client has none.
 * - Servers that are offline (or signed out) are searched in their offline cache, through the same reads.
 * - Each server has a deadline; a slow one contributes what it found by then, and never holds the others.
 */
import type { SearchHit } from '../../src-shared/bridge.js';
import { mapSettled } from './concurrency.js';
import type { ServerConnection } from './server-connection.js';
import { ClientList, CustomerList, ResellerList } from './wire.js';

export interface SearchLimits {
  /** Hits asked of one list (one reseller's customers, one customer's clients). */
  perList: number;
  /** Largest server (in customers) whose clients are searched. */
  clientScanCustomers: number;
  /** Requests in flight per server while scanning clients. */
  concurrency: number;
  deadlineMs: number;
  /** Hits returned in all. */
  maxHits: number;
}

export const SEARCH_LIMITS: SearchLimits = { perList: 25, clientScanCustomers: 250, concurrency: 6, deadlineMs: 8_000, maxHits: 200 };

/** Searches every connection concurrently; hits are grouped by server (in the given order), customers first, by name. */
export async function searchAll(connections: readonly ServerConnection[], q: string, limits: SearchLimits = SEARCH_LIMITS): Promise<SearchHit[]> {
  const runs = connections.map((connection) => {
    const hits: SearchHit[] = [];
    // Search is best effort: a server that fails contributes nothing, and its state already tells why.
    const done = searchServer(connection, q, limits, hits).catch(() => undefined);
    return { hits, finished: deadline(done, limits.deadlineMs) };
  });
  await Promise.all(runs.map((run) => run.finished));
  const byKindThenName = (a: SearchHit, b: SearchHit) => (a.kind === b.kind ? a.name.localeCompare(b.name) : a.kind === 'customer' ? -1 : 1);
  // Copied when the deadline passed: a late server's work goes on in the background into an array no one reads.
  return runs.flatMap((run) => [...run.hits].sort(byKindThenName)).slice(0, limits.maxHits);
}

async function deadline(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([work, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

async function searchServer(connection: ServerConnection, q: string, limits: SearchLimits, hits: SearchHit[]): Promise<void> {
  if (connection.connectionState === 'certificate-changed') return;
  const identity = connection.identity;
  // Never signed in: we do not know which resellers this login may see.
  if (!identity) return;
  const server = { serverId: connection.id, serverName: connection.name };

  let resellers: { id: string; customers: number | null }[];
  if (identity.role === 'admin') {
    // A whole list in the normal case, kept for offline use like any resellers view.
    const list = await connection.read('/resellers', { limit: 1000 }, ResellerList, { kind: 'resellers' });
    resellers = list.data.items.map((reseller) => ({ id: reseller.id, customers: reseller.customerCount }));
  } else if (identity.resellerId) {
    resellers = [{ id: identity.resellerId, customers: null }];
  } else {
    return;
  }
  const customersPath = (resellerId: string) => `/resellers/${encodeURIComponent(resellerId)}/customers`;

  const customerHits = mapSettled(resellers, limits.concurrency, async (reseller) => {
    const found = await connection.read(customersPath(reseller.id), { q, limit: limits.perList }, CustomerList, { kind: 'customers', writeThrough: false });
    for (const customer of found.data.items) {
      hits.push({ ...server, kind: 'customer', id: customer.id, name: customer.name, resellerId: customer.resellerId, customerId: null, customerName: null });
    }
  });

  const clientHits = (async () => {
    let customerCount = 0;
    for (const reseller of resellers) {
      customerCount +=
        reseller.customers ?? (await connection.read(customersPath(reseller.id), { limit: 1 }, CustomerList, { kind: 'customers', writeThrough: false })).data.total;
    }
    if (customerCount > limits.clientScanCustomers) return;
    const lists = await mapSettled(resellers, limits.concurrency, (reseller) =>
      connection.read(customersPath(reseller.id), { limit: 1000 }, CustomerList, { kind: 'customers' }),
    );
    const customers = lists.flatMap((list) => (list.status === 'fulfilled' ? list.value.data.items : []));
    await mapSettled(customers, limits.concurrency, async (customer) => {
      const found = await connection.read(`/customers/${encodeURIComponent(customer.id)}/clients`, { q, limit: limits.perList }, ClientList, {
        kind: 'clients',
        writeThrough: false,
      });
      for (const client of found.data.items) {
        hits.push({ ...server, kind: 'client', id: client.id, name: client.name, resellerId: customer.resellerId, customerId: customer.id, customerName: customer.name });
      }
    });
  })();

  await Promise.all([customerHits, clientHits]);
}
