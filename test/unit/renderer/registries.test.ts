import { cleanup, render, screen } from '@testing-library/svelte';
import { afterEach, describe, expect, test } from 'vitest';
import DialogHost from '../../../src-renderer/dialogs/DialogHost.svelte';
import { DIALOGS, type DialogKind, type DialogState } from '../../../src-renderer/dialogs/registry.js';
import PageView from '../../../src-renderer/pages/PageView.svelte';
import { PAGES, type Page, type PageKind } from '../../../src-renderer/pages/registry.js';
import { appContext } from '../../../src-renderer/state/app.svelte.js';
import type { NodeData } from '../../../src-renderer/state/nodes.js';
import NodeView from '../../../src-renderer/views/NodeView.svelte';
import { NODE_VIEWS } from '../../../src-renderer/views/registry.js';
import { REPORT_TABLES } from '../../../src-renderer/views/reports/registry.js';
import { makeInvoice, type FakeBridge } from './fake-bridge.js';
import { settle, startedApp } from './helpers.js';

// One example of every kind, typed so that a kind added to a registry (or to NodeData) without an
// example here fails svelte-check; each is then drawn through its host to show it resolves.
function pages(b: FakeBridge): { [K in PageKind]: Extract<Page, { kind: K }> } {
  const customer = b.customers[0]!;
  return {
    'delete-customer': { kind: 'delete-customer', serverId: 'srv1', customer },
    'deleted-report': { kind: 'deleted-report', serverId: 'srv1', customer: null },
    'trial-settings': { kind: 'trial-settings', serverId: 'srv1' },
    'client-migration': { kind: 'client-migration', serverId: 'srv1', client: null },
    'audit-log': { kind: 'audit-log', serverId: 'srv1' },
    'customer-replication': { kind: 'customer-replication', serverId: 'srv1', customer },
    'replication-management': { kind: 'replication-management', serverId: 'srv1' },
    'seed-migration': { kind: 'seed-migration', serverId: 'srv1' },
    'invoice-report': { kind: 'invoice-report', serverId: 'srv1', customer },
    'invoice-plans': { kind: 'invoice-plans', serverId: 'srv1' },
    'invoice-config': { kind: 'invoice-config', serverId: 'srv1', customer },
  };
}

function dialogs(b: FakeBridge): { [K in DialogKind]: Extract<DialogState, { kind: K }> } {
  const [customer, client, schedule, server] = [b.customers[0]!, b.clients[0]!, b.schedules[0]!, b.servers[0]!];
  const ondone = () => undefined;
  return {
    'customer-form': { kind: 'customer-form', serverId: 'srv1', resellerId: 'r1', customer: null },
    'add-clients': { kind: 'add-clients', serverId: 'srv1', customer },
    'server-form': { kind: 'server-form', server: null },
    'remove-server': { kind: 'remove-server', server },
    'bulk-customers': { kind: 'bulk-customers', serverId: 'srv1', action: 'activate', customers: [customer], ondone },
    'bulk-clients': { kind: 'bulk-clients', serverId: 'srv1', action: 'authorize', clients: [client], ondone },
    'delete-schedule': { kind: 'delete-schedule', serverId: 'srv1', client, schedule, ondone },
    'clear-cache': { kind: 'clear-cache' },
    'invoice-generate': { kind: 'invoice-generate', serverId: 'srv1', customer, ongenerated: ondone },
    'invoice-credit-note': { kind: 'invoice-credit-note', invoice: makeInvoice({ id: 'i1', number: 'INV-000001' }), issue: () => Promise.reject(new Error('not issued')), ondone },
    about: { kind: 'about' },
  };
}

function nodes(b: FakeBridge): { [K in NodeData['kind']]: Extract<NodeData, { kind: K }> } {
  const [reseller, customer, client, schedule] = [b.resellers[0]!, b.customers[0]!, b.clients[0]!, b.schedules[0]!];
  return {
    server: { kind: 'server', serverId: 'srv1' },
    reseller: { kind: 'reseller', serverId: 'srv1', reseller },
    customers: { kind: 'customers', serverId: 'srv1', resellerId: 'r1', resellerName: reseller.name },
    customer: { kind: 'customer', serverId: 'srv1', resellerId: 'r1', customer },
    client: { kind: 'client', serverId: 'srv1', customer, client },
    schedule: { kind: 'schedule', serverId: 'srv1', customer, client, schedule },
    report: { kind: 'report', serverId: 'srv1', customer, client, schedule, report: 'restore' },
  };
}

afterEach(() => cleanup());

describe('registries', () => {
  test('every page kind resolves to its component, drawn with a heading', async () => {
    const { bridge, app } = await startedApp();
    const all = pages(bridge);
    expect(Object.keys(all).sort()).toEqual(Object.keys(PAGES).sort());
    for (const page of Object.values(all)) {
      render(PageView, { props: { page }, context: appContext(app) });
      await settle();
      expect(screen.getAllByRole('heading', { level: 2 }).length, page.kind).toBe(1);
      cleanup();
    }
  });

  test('every dialog kind resolves to its component, drawn as the one modal dialog', async () => {
    const { bridge, app } = await startedApp();
    const all = dialogs(bridge);
    expect(Object.keys(all).sort()).toEqual(Object.keys(DIALOGS).sort());
    render(DialogHost, { context: appContext(app) });
    for (const dialog of Object.values(all)) {
      app.nav.openDialog(dialog);
      await settle();
      expect(screen.getByRole('dialog').getAttribute('aria-modal'), dialog.kind).toBe('true');
      app.nav.closeDialog();
      await settle();
      expect(screen.queryByRole('dialog'), dialog.kind).toBeNull();
    }
  });

  test('every kind of tree item resolves to its view, drawn with a heading', async () => {
    const { bridge, app } = await startedApp();
    const all = nodes(bridge);
    expect(Object.keys(all).sort()).toEqual(Object.keys(NODE_VIEWS).sort());
    for (const node of Object.values(all)) {
      render(NodeView, { props: { node }, context: appContext(app) });
      await settle();
      expect(screen.getAllByRole('heading', { level: 2 }).length, node.kind).toBe(1);
      cleanup();
    }
  });

  test('every report kind resolves to its table', async () => {
    const { bridge, app } = await startedApp();
    const node = nodes(bridge).report;
    for (const report of ['backup', 'restore', 'deleted'] as const) {
      expect(REPORT_TABLES[report]).toBeTypeOf('function');
      render(NodeView, { props: { node: { ...node, report } }, context: appContext(app) });
      await settle();
      expect(screen.getByRole('table').getAttribute('aria-label'), report).toBe(screen.getByRole('heading', { level: 2 }).textContent);
      cleanup();
    }
  });
});
