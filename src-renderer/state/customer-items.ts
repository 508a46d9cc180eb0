import type { Customer } from '../../src-shared/api/customers.js';
import { customerKey, customerNode, customersKey, serverKey, type ConsoleNode, type NodeData, type TreeContext } from './nodes.js';
import type { TreeModel } from './tree.svelte.js';

/** The server tree as these helpers need it: how to load items, and the tree itself. */
export interface ServerTree extends TreeContext {
  readonly tree: TreeModel<NodeData>;
}

// Finding and updating a customer's item in the server tree, wherever its Customers folder hangs.

/** Shows a changed customer in the tree without reloading it (name, inactive badge). */
export function showCustomerChange(app: ServerTree, serverId: string, customer: Customer): void {
  const stack = [...app.tree.roots];
  while (stack.length) {
    const n = stack.pop()!;
    const d = n.data;
    if (d?.kind === 'customer' && d.serverId === serverId && d.customer.id === customer.id) {
      n.data = { ...d, customer };
      n.label = customer.name;
      n.badge = customer.active ? null : 'inactive';
    }
    if (n.children) stack.push(...n.children);
  }
}

/** Selects a customer's tree item, opening its Customers folder (and adding the item when beyond the loaded page). */
export async function revealCustomer(app: ServerTree, serverId: string, customer: Customer): Promise<void> {
  const { tree } = app;
  const folder = loadedFolder(tree, serverId, customer.resellerId) ?? (await openFolder(tree, serverId, customer.resellerId));
  if (!folder) return;
  await tree.expand(folder);
  const node = tree.find(customerKey(folder.key, customer.id)) ?? tree.insertChild(folder, customerNode(app, folder.key, serverId, customer.resellerId, customer));
  tree.select(node);
}

/** The reseller's Customers folder if its item is loaded: under the server (one reseller) or under the reseller. */
function loadedFolder(tree: TreeModel<NodeData>, serverId: string, resellerId: string): ConsoleNode | null {
  const server = tree.find(serverKey(serverId));
  if (!server) return null;
  for (const k of [customersKey(server.key), customersKey(`${server.key}/r:${resellerId}`)]) {
    const n = tree.find(k);
    if (n && n.data?.kind === 'customers' && n.data.resellerId === resellerId) return n;
  }
  return null;
}

async function openFolder(tree: TreeModel<NodeData>, serverId: string, resellerId: string): Promise<ConsoleNode | null> {
  const server = tree.find(serverKey(serverId));
  if (!server) return null;
  await tree.expand(server);
  const direct = loadedFolder(tree, serverId, resellerId);
  if (direct) return direct;
  const reseller = tree.find(`${server.key}/r:${resellerId}`);
  if (reseller) await tree.expand(reseller);
  return loadedFolder(tree, serverId, resellerId);
}
