import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { describe, expect, test, vi } from 'vitest';
import { agentRegisterCommand } from '../../../src-shared/bridge.js';
import App from '../../../src-renderer/App.svelte';
import { FakeBridge } from './fake-bridge.js';
import { bodyRows, settle } from './helpers.js';

async function renderApp(configure?: (b: FakeBridge) => void) {
  const bridge = new FakeBridge();
  configure?.(bridge);
  render(App, { props: { bridge } });
  await settle(10);
  return bridge;
}

/** Svelte sets `inert` as a property (which browsers reflect to the attribute; jsdom has neither). */
function isInert(): boolean {
  const el = document.querySelector<HTMLElement & { inert?: boolean }>('.app');
  return !!el && (el.hasAttribute('inert') || el.inert === true);
}

async function press(key: string) {
  await fireEvent.keyDown(document.activeElement!, { key });
  await settle();
}

describe('the console', () => {
  test('walks the tree by keyboard from the server to a schedule report, each node showing its table', async () => {
    await renderApp();
    const tree = screen.getByRole('tree', { name: 'Servers' });
    const server = within(tree).getByRole('treeitem', { name: 'Test server online' });
    // The first server is selected and opened on start.
    expect(server.getAttribute('aria-selected')).toBe('true');
    expect(server.getAttribute('aria-expanded')).toBe('true');
    expect(screen.getByRole('table', { name: 'List of Resellers' })).toBeTruthy();

    server.focus();
    await press('ArrowDown'); // Northwind IT
    await press('ArrowRight'); // expand
    await press('ArrowRight'); // Customers
    expect(document.activeElement?.textContent).toContain('Customers');
    await press('Enter');
    expect(screen.getByRole('heading', { name: 'List Of Customers' })).toBeTruthy();
    await press('ArrowRight');
    await press('ArrowRight'); // first customer (sorted by name): Adatum
    await press('ArrowDown'); // Contoso
    await press('Enter');
    expect(screen.getByRole('table', { name: 'List Of Clients' })).toBeTruthy();
    await press('ArrowRight');
    await press('ArrowRight'); // Desk-2 (pending)
    await press('ArrowDown'); // Laptop-1
    await press('Enter');
    expect(screen.getByRole('table', { name: 'List Of Backup Schedules' })).toBeTruthy();
    await press('ArrowRight');
    await press('ArrowRight'); // Documents
    await press('Enter');
    expect(screen.getByRole('tablist', { name: 'Reports of Documents' })).toBeTruthy();
    expect(screen.getByRole('table', { name: 'Backup Report' })).toBeTruthy();
    await press('ArrowRight');
    await press('ArrowRight');
    expect(within(tree).getByRole('treeitem', { name: 'Backup Report' })).toBe(document.activeElement);
    await press('ArrowDown');
    await press('ArrowDown');
    expect(within(tree).getByRole('treeitem', { name: 'Deleted Reports' })).toBe(document.activeElement);
    await press('Enter');
    const deleted = screen.getByRole('table', { name: 'Deleted Reports' });
    expect(bodyRows(deleted)[0]?.textContent).toContain('Old-PC');
  });

  test('bottom left offers Trial Client Settings, Client Migration, Invoice Plans, Invoice Report, Replication Management and Seed Backup Migration', async () => {
    const bridge = await renderApp();
    const tools = screen.getByRole('group', { name: 'Server tools' });
    expect(within(tools).getAllByRole('button').map((b) => b.textContent?.trim())).toEqual(['Trial Client Settings', 'Client Migration', 'Invoice Plans', 'Invoice Report', 'Replication Management', 'Seed Backup Migration']);
    await fireEvent.click(screen.getByRole('button', { name: 'Trial Client Settings' }));
    await settle();
    const days = screen.getByRole('textbox', { name: 'Trial days' }) as HTMLInputElement;
    expect(days.value).toBe('30');
    await fireEvent.input(days, { target: { value: '0' } });
    expect(screen.getByText('Enter a number from 1 to 3650.')).toBeTruthy();
    await fireEvent.input(days, { target: { value: '14' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Save Trial Settings' }));
    await settle();
    expect(bridge.callsOf('trialSettings.update')).toEqual([{ serverId: 'srv1', settings: { spaceBytes: 5 * 2 ** 30, trialDays: 14, deleteAfterDays: 7 } }]);
    // Trial clients have no customer: their deleted report opens from this page.
    await fireEvent.click(screen.getByRole('button', { name: 'Deleted Trial Clients' }));
    await settle();
    expect(screen.getByRole('table', { name: 'Deleted Client/Backup Report' })).toBeTruthy();
    expect(bridge.callsOf('reports.deletedForTrialClients')).toEqual([{ serverId: 'srv1', query: expect.objectContaining({ sort: '-deletedAt' }) }]);
  });

  test('menu actions: add-server opens an accessible dialog (the console behind is inert), about, clear cache', async () => {
    const bridge = await renderApp();
    bridge.emit('menu.action', { action: 'add-server' });
    await settle();
    const dialog = screen.getByRole('dialog', { name: 'Add Server' });
    expect(dialog.getAttribute('aria-modal')).toBe('true');
    expect(isInert()).toBe(true);
    await fireEvent.keyDown(dialog, { key: 'Escape' });
    await settle();
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(isInert()).toBe(false);

    bridge.emit('menu.action', { action: 'about' });
    await settle();
    expect(screen.getByRole('dialog', { name: 'About Backup Console' }).textContent).toContain('0.1.0');
    await fireEvent.click(screen.getByRole('button', { name: 'OK' }));
    await settle();

    bridge.emit('menu.action', { action: 'clear-offline-cache' });
    await settle();
    await fireEvent.click(within(screen.getByRole('dialog', { name: 'Clear Offline Cache' })).getByRole('button', { name: 'Clear Offline Cache' }));
    await settle();
    expect(bridge.callsOf('offline.clear')).toEqual([{}]);
  });

  test('Add Server probes first and shows the fingerprint to trust before adding', async () => {
    const bridge = await renderApp();
    await fireEvent.click(screen.getAllByRole('button', { name: 'Add Server' })[0]!);
    const dialog = screen.getByRole('dialog', { name: 'Add Server' });
    await fireEvent.input(within(dialog).getByRole('textbox', { name: 'Name' }), { target: { value: 'Second' } });
    await fireEvent.input(within(dialog).getByRole('textbox', { name: 'Server URL' }), { target: { value: 'https://second.test:8443' } });
    await fireEvent.input(within(dialog).getByLabelText('Password'), { target: { value: 'secret-pass' } });
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Check Server' }));
    await settle();
    expect(within(dialog).getByLabelText('Certificate fingerprint').textContent).toBe(Array(32).fill('CD').join(':'));
    const add = vi.spyOn(bridge, 'invoke');
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Add Server' }));
    await settle();
    expect(add.mock.calls.some(([c]) => c === 'servers.add')).toBe(false);
    expect(within(dialog).getByRole('alert').textContent).toMatch(/Compare the certificate fingerprint/);
    await fireEvent.click(within(dialog).getByRole('checkbox', { name: 'I have compared the fingerprint and trust this server' }));
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Add Server' }));
    await settle();
    const call = add.mock.calls.find(([c]) => c === 'servers.add');
    expect(call?.[1]).toEqual({ name: 'Second', url: 'https://second.test:8443', username: 'admin', password: 'secret-pass', fingerprint: 'cd'.repeat(32) });
  });

  test('Add New Clients shows the registration key once with the exact agent command and a Copy button', async () => {
    const bridge = await renderApp();
    const writeText = vi.fn(async () => undefined);
    Object.defineProperty(navigator, 'clipboard', { configurable: true, value: { writeText } });
    const server = screen.getByRole('treeitem', { name: 'Test server online' });
    server.focus();
    await press('ArrowDown');
    await press('ArrowRight');
    await press('ArrowRight');
    await press('Enter');
    const table = screen.getByRole('table', { name: 'List Of Customers' });
    const row = bodyRows(table).find((r) => r.textContent?.includes('Contoso'))!;
    await fireEvent.click(within(row).getByRole('button', { name: 'Add New Clients' }));
    const dialog = screen.getByRole('dialog', { name: 'Add New Clients' });
    await fireEvent.input(within(dialog).getByRole('textbox', { name: 'Client Name' }), { target: { value: 'File Server' } });
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Add Client' }));
    await settle();
    const expected = agentRegisterCommand({ url: 'https://backup.test:8443', fingerprint: 'ab'.repeat(32) }, 'KEY-123-XYZ', 'File Server');
    expect((within(dialog).getByRole('textbox', { name: /Registration key/ }) as HTMLInputElement).value).toBe('KEY-123-XYZ');
    expect((within(dialog).getByRole('textbox', { name: 'Run this on the machine to register it:' }) as HTMLTextAreaElement).value).toBe(expected);
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Copy' }));
    await settle();
    expect(writeText).toHaveBeenCalledWith(expected);
    expect(within(dialog).getByText('The command is copied to the clipboard.')).toBeTruthy();
    expect(bridge.callsOf('clients.create')).toEqual([{ serverId: 'srv1', customerId: 'c1', input: { name: 'File Server' } }]);
  });

  test('a pending client is authorized from the clients table; make available offline shows job progress', async () => {
    const bridge = await renderApp();
    const server = screen.getByRole('treeitem', { name: 'Test server online' });
    server.focus();
    for (const k of ['ArrowDown', 'ArrowRight', 'ArrowRight', 'ArrowRight', 'ArrowRight', 'ArrowDown', 'Enter']) await press(k);
    const table = screen.getByRole('table', { name: 'List Of Clients' });
    const pending = bodyRows(table).find((r) => r.textContent?.includes('Desk-2'))!;
    expect(pending.textContent).toContain('Pending authorization');
    await fireEvent.click(within(pending).getByRole('button', { name: 'Authorize' }));
    await settle();
    expect(bridge.callsOf('clients.authorize')).toEqual([{ serverId: 'srv1', id: 'k2' }]);
    expect(within(bodyRows(table).find((r) => r.textContent?.includes('Desk-2'))!).queryByRole('button', { name: 'Authorize' })).toBeNull();

    bridge.emit('menu.action', { action: 'make-available-offline' });
    await settle();
    expect(bridge.callsOf('offline.makeAvailable')).toEqual([{ serverId: 'srv1', customerId: 'c1' }]);
    bridge.emit('job.progress', { jobId: 'job1', label: 'Making Contoso available offline', done: 3, total: 12, status: 'running', error: null });
    await settle();
    expect(screen.getByRole('progressbar', { name: 'Making Contoso available offline' }).getAttribute('value')).toBe('3');
  });

  test('the splitter and column widths are keyboard-operable and saved through settings.set', async () => {
    const bridge = await renderApp();
    const splitter = screen.getByRole('separator', { name: 'Resize navigation pane' });
    expect(splitter.getAttribute('aria-valuenow')).toBe('320');
    splitter.focus();
    await press('ArrowRight');
    await press('ArrowRight');
    expect(splitter.getAttribute('aria-valuenow')).toBe('352');
    const column = screen.getByRole('separator', { name: 'Resize column Reseller Name' });
    const before = Number(column.getAttribute('aria-valuenow'));
    column.focus();
    await press('ArrowRight');
    expect(Number(column.getAttribute('aria-valuenow'))).toBe(before + 10);
    await new Promise((r) => setTimeout(r, 500)); // saves are debounced
    expect(bridge.settings.get('ui.layout')).toEqual({ treeWidth: 352 });
    expect(bridge.settings.get('ui.columns.resellers')).toEqual({ name: before + 10 });
  });

  test('a saved layout is restored on start', async () => {
    await renderApp((b) => {
      b.settings.set('ui.layout', { treeWidth: 410 });
      b.settings.set('ui.columns.resellers', { name: 333 });
    });
    expect(screen.getByRole('separator', { name: 'Resize navigation pane' }).getAttribute('aria-valuenow')).toBe('410');
    expect(screen.getByRole('separator', { name: 'Resize column Reseller Name' }).getAttribute('aria-valuenow')).toBe('333');
  });

  test('a server going offline shows in the tree; the cached table says so and blocks changes', async () => {
    const bridge = await renderApp();
    const view = { ...bridge.servers[0]!, state: 'offline' as const, problem: 'connect ECONNREFUSED 127.0.0.1:8443' };
    bridge.offlineAsOf = '2025-01-15T09:30:00.000Z';
    bridge.emit('server.state', view);
    await settle();
    expect(screen.getByRole('treeitem', { name: 'Test server offline' })).toBeTruthy();
    expect(screen.getByText(/ECONNREFUSED/)).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Reconnect' })).toBeTruthy();
    const server = screen.getByRole('treeitem', { name: 'Test server offline' });
    server.focus();
    for (const k of ['ArrowDown', 'ArrowRight', 'ArrowRight', 'Enter']) await press(k);
    expect(screen.getAllByText(/^offline — as of /).length).toBeGreaterThan(0);
    expect((screen.getByRole('button', { name: 'Add New Customer' }) as HTMLButtonElement).disabled).toBe(true);
  });
});
