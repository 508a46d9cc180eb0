import type { Bridge, ConnectionState, ServerView } from '../../src-shared/bridge.js';
import type { Client } from '../../src-shared/api/clients.js';
import type { Customer } from '../../src-shared/api/customers.js';
import type { Reseller } from '../../src-shared/api/resellers.js';
import type { Schedule } from '../../src-shared/api/schedules.js';
import type { ServerInfo } from '../../src-shared/api/session.js';
import { formatCount } from '../lib/format.js';
import { fetchAllPages } from '../lib/paging.js';
import { TreeNode, type TreeLoad } from './tree.svelte.js';

export type ReportKind = 'backup' | 'restore' | 'deleted';
export const REPORT_LABELS: Record<ReportKind, string> = {
  backup: 'Backup Report',
  restore: 'Restore Report',
  deleted: 'Deleted Reports',
};

/** What each tree item stands for. */
export type NodeData =
  | { kind: 'server'; serverId: string }
  | { kind: 'reseller'; serverId: string; reseller: Reseller }
  | { kind: 'customers'; serverId: string; resellerId: string; resellerName: string | null }
  | { kind: 'customer'; serverId: string; resellerId: string; customer: Customer }
  | { kind: 'client'; serverId: string; customer: Customer; client: Client }
  | { kind: 'schedule'; serverId: string; customer: Customer; client: Client; schedule: Schedule }
  | { kind: 'report'; serverId: string; customer: Customer; client: Client; schedule: Schedule; report: ReportKind };

export type ConsoleNode = TreeNode<NodeData>;

export interface TreeContext {
  bridge: Bridge;
  server(id: string): ServerView | undefined;
}

export const STATE_WORDS: Record<ConnectionState, string> = {
  connecting: 'connecting…',
  online: 'online',
  offline: 'offline',
  'signed-out': 'signed out',
  'certificate-changed': 'certificate changed',
};

/** How many children a tree item shows before a "Show more" item (the table shows them all). */
export const TREE_PAGE = 200;

export function serverKey(serverId: string): string {
  return `s:${serverId}`;
}

export function serverNode(ctx: TreeContext, view: ServerView): ConsoleNode {
  const key = serverKey(view.id);
  return new TreeNode<NodeData>({
    key,
    label: view.name,
    badge: STATE_WORDS[view.state],
    data: { kind: 'server', serverId: view.id },
    loader: () => loadServerChildren(ctx, view.id, key),
  });
}

async function serverInfo(ctx: TreeContext, serverId: string): Promise<ServerInfo> {
  const view = ctx.server(serverId);
  if (view?.info) return view.info;
  return (await ctx.bridge.invoke('server.info', { serverId })).data;
}

/** The resellers whose customers a session sees: its own (reseller login) or all of the server's. */
export async function customerScopes(ctx: TreeContext, serverId: string): Promise<{ resellerId: string; name: string }[]> {
  const view = ctx.server(serverId);
  if (view?.role === 'reseller' && view.resellerId) return [{ resellerId: view.resellerId, name: view.username }];
  const all = await fetchAllPages((q) => ctx.bridge.invoke('resellers.list', { serverId, query: { ...q, sort: 'name' } }));
  return all.items.map((r) => ({ resellerId: r.id, name: r.name }));
}

async function loadServerChildren(ctx: TreeContext, serverId: string, key: string): Promise<TreeLoad<NodeData>> {
  const view = ctx.server(serverId);
  if (view?.role === 'reseller' && view.resellerId) {
    return { nodes: [customersNode(ctx, key, serverId, view.resellerId, null)] };
  }
  const info = await serverInfo(ctx, serverId);
  const resellers = await fetchAllPages((q) => ctx.bridge.invoke('resellers.list', { serverId, query: { ...q, sort: 'name' } }));
  if (!info.resellerManagement) {
    const only = resellers.items[0];
    return { nodes: only ? [customersNode(ctx, key, serverId, only.id, null)] : [] };
  }
  return { nodes: resellers.items.map((r) => resellerNode(ctx, key, serverId, r)) };
}

function resellerNode(ctx: TreeContext, parentKey: string, serverId: string, reseller: Reseller): ConsoleNode {
  const key = `${parentKey}/r:${reseller.id}`;
  return new TreeNode<NodeData>({
    key,
    label: reseller.name,
    data: { kind: 'reseller', serverId, reseller },
    loader: async () => ({ nodes: [customersNode(ctx, key, serverId, reseller.id, reseller.name)] }),
  });
}

export function customersKey(parentKey: string): string {
  return `${parentKey}/customers`;
}

function customersNode(ctx: TreeContext, parentKey: string, serverId: string, resellerId: string, resellerName: string | null): ConsoleNode {
  const key = customersKey(parentKey);
  const page = async (offset: number): Promise<TreeLoad<NodeData>> => {
    const res = await ctx.bridge.invoke('customers.list', { serverId, id: resellerId, query: { offset, limit: TREE_PAGE, sort: 'name' } });
    const shown = offset + res.data.items.length;
    return {
      nodes: res.data.items.map((c) => customerNode(ctx, key, serverId, resellerId, c)),
      more:
        shown < res.data.total && res.data.items.length > 0
          ? { label: `Show more customers (${formatCount(shown)} of ${formatCount(res.data.total)} shown)`, load: () => page(shown) }
          : null,
    };
  };
  return new TreeNode<NodeData>({
    key,
    label: 'Customers',
    data: { kind: 'customers', serverId, resellerId, resellerName },
    loader: () => page(0),
  });
}

export function customerNode(ctx: TreeContext, parentKey: string, serverId: string, resellerId: string, customer: Customer): ConsoleNode {
  const key = customerKey(parentKey, customer.id);
  const page = async (offset: number): Promise<TreeLoad<NodeData>> => {
    const res = await ctx.bridge.invoke('clients.list', { serverId, id: customer.id, query: { offset, limit: TREE_PAGE, sort: 'name' } });
    const shown = offset + res.data.items.length;
    return {
      nodes: res.data.items.map((cl) => clientNode(ctx, key, serverId, customer, cl)),
      more:
        shown < res.data.total && res.data.items.length > 0
          ? { label: `Show more clients (${formatCount(shown)} of ${formatCount(res.data.total)} shown)`, load: () => page(shown) }
          : null,
    };
  };
  return new TreeNode<NodeData>({
    key,
    label: customer.name,
    badge: customer.active ? null : 'inactive',
    data: { kind: 'customer', serverId, resellerId, customer },
    loader: () => page(0),
  });
}

function clientNode(ctx: TreeContext, parentKey: string, serverId: string, customer: Customer, client: Client): ConsoleNode {
  const key = `${parentKey}/k:${client.id}`;
  return new TreeNode<NodeData>({
    key,
    label: client.name,
    badge: client.status === 'authorized' ? (client.trial ? 'trial' : null) : client.status,
    data: { kind: 'client', serverId, customer, client },
    loader: async () => {
      const all = await fetchAllPages((q) => ctx.bridge.invoke('schedules.list', { serverId, id: client.id, query: { ...q, sort: 'name' } }));
      return { nodes: all.items.map((s) => scheduleNode(key, serverId, customer, client, s)) };
    },
  });
}

function scheduleNode(parentKey: string, serverId: string, customer: Customer, client: Client, schedule: Schedule): ConsoleNode {
  const key = `${parentKey}/j:${schedule.id}`;
  return new TreeNode<NodeData>({
    key,
    label: schedule.name,
    badge: schedule.enabled ? null : 'disabled',
    data: { kind: 'schedule', serverId, customer, client, schedule },
    loader: async () => ({
      nodes: (['backup', 'restore', 'deleted'] as const).map(
        (report) =>
          new TreeNode<NodeData>({
            key: `${key}/${report}`,
            label: REPORT_LABELS[report],
            data: { kind: 'report', serverId, customer, client, schedule, report },
          }),
      ),
    }),
  });
}

/** The customer a node belongs to, when it is one of a customer's items. */
export function customerOf(data: NodeData | null): { serverId: string; customer: Customer } | null {
  if (!data) return null;
  if (data.kind === 'customer' || data.kind === 'client' || data.kind === 'schedule' || data.kind === 'report') {
    return { serverId: data.serverId, customer: data.customer };
  }
  return null;
}

export function customerKey(customersFolderKey: string, customerId: string): string {
  return `${customersFolderKey}/c:${customerId}`;
}
